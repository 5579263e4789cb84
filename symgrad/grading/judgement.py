"""One judged quantity: its tolerance, its record, and the rule that gives its verdict.

See :mod:`symgrad.grading.diagnose` for what the verdicts mean.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .mistakes import MISTAKES, classify

RELATIVE = 1e-3
ABSOLUTE = 1e-9
VERDICTS = ("correct", "carried", "wrong", "unanswered")


def tolerance(value: float) -> float:
    """The absolute tolerance of an answer whose right value is ``value``.

    >>> tolerance(-2.0), tolerance(0.0)
    (0.002, 1e-09)
    """
    return max(RELATIVE * abs(value), ABSOLUTE)


def close(given: float, expected: float) -> bool:
    return abs(given - expected) <= tolerance(expected)


@dataclass
class Quantity:
    """One answerable quantity of a worked solution: a node's value or a gradient."""

    name: str  # as derive prints it: z_3, df/dz_3, df/dw0, f
    kind: str  # "value" or "gradient"
    node: int
    true: float


@dataclass
class Judgement:
    """The verdict on one quantity, and what it was compared with."""

    quantity: Quantity
    answer: object = None  # the learner's number or formula text; None: unanswered
    given: float | None = None  # the answer's value at the point
    verdict: str = "unanswered"
    expected: float | None = None  # recomputed from the learner's own earlier answers
    mistake: str | None = None
    credit: float = 0.0
    method: str = ""  # formulas: "exact" or "numeric (N points)"

    @property
    def name(self) -> str:
        return self.quantity.name


def verdict_of(judgement: Judgement, off_inputs: bool, context: dict) -> None:
    """Fill in the verdict, mistake and credit of an answered number (``given`` set)."""
    q, given, expected = judgement.quantity, judgement.given, judgement.expected
    if given is None or expected is None:
        raise ValueError("a verdict needs the answer's value and the expected value")
    if not math.isfinite(given):
        judgement.verdict = "wrong"
    elif close(given, q.true) or (close(given, expected) and not off_inputs):
        judgement.verdict = "correct"
    elif close(given, expected):
        judgement.verdict = "carried"
    else:
        judgement.verdict = "wrong"
        judgement.mistake = classify(given, expected, tolerance(expected), **context)
    judgement.credit = {"correct": 1.0, "carried": 1.0}.get(judgement.verdict, 0.0)
    if judgement.mistake is not None:
        judgement.credit = MISTAKES[judgement.mistake].credit / 100
