"""What every exercise kind shares: the Exercise record, seeds, clean numbers, mistakes.

An exercise kind is a module with one function ``generate(rng, difficulty) -> Exercise``.
It draws its inputs from small grids (integers, halves), rejects draws that sit near a kink,
saturate, overflow or give a (near-)zero answer, and computes every answer from the values
exactly as the question displays them.

Seeds: a homework exercise gets its own integer seed from
``exercise_seed(master, exercise_id, version)`` (SHA-256, never ``hash()``), and
``numpy.random.default_rng(seed)`` is its only source of randomness. The seed is printed
next to the exercise, so ``symgrad exercise KIND --seed SEED`` regenerates it exactly.

>>> exercise_seed(1, "act1", "v01") == exercise_seed(1, "act1", "v01")
True
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

# the kinds import these from here; they live in the renderer and in .grid
from ..render.numbers import mat_latex, num, paren, vec_latex  # noqa: F401
from ..render.printing import name_tex  # noqa: F401
from .grid import grid, grid_values  # noqa: F401

DIFFICULTIES = ("easy", "medium", "hard")
LANGS = ("en", "zh")

MIN_ANSWER = 0.02  # |answer| below this counts as (near-)zero: rejected
MAX_ANSWER = 1000.0  # |answer| above this: rejected (overflow, ugly numbers)
KINK_MARGIN = 0.2  # a kink argument (relu input, max difference, ...) is at least this far from 0
# A blank's tolerance (absolute, as Moodle takes it). A student who carries 3 significant
# figures through a chain is within 2 % except where a difference cancels (ŷ − y with ŷ ≈ 1,
# a logit of 10 shown to 3 figures in e^z): there the error scales with the exercise's other
# numbers, not with the answer. Measured in tests/test_marks.py.
TOL_RELATIVE = 0.02  # always accepted: within 2 % of the answer ...
TOL_SCALE = 0.02  # ... or within 2 % of the exercise's largest answer ...
TOL_CAP = 0.1  # ... but never wider than 10 % of the answer (0 and −answer stay wrong)
MAX_TRIES = 2000  # rejection-sampling draws before a generator gives up

# Common mistakes (credit, label, feedback): one table, shared with the grading engine.
from ..grading.mistakes import MISTAKES  # noqa: E402,F401


class Rejected(Exception):
    """A draw that breaks a cleanliness rule; the generator draws again."""


@dataclass
class Alternative:
    """A wrong answer a common mistake produces, worth ``fraction`` percent."""

    mistake: str
    value: float
    fraction: int

    def to_dict(self, lang: str = "en") -> dict:
        return {
            "mistake": self.mistake,
            "value": self.value,
            "display": num(self.value),
            "fraction": self.fraction,
            "feedback": MISTAKES[self.mistake].hint[lang],
        }


@dataclass
class Answer:
    """One graded number: ``label`` is inline LaTeX; ``tol`` an absolute tolerance.

    Without a ``tol`` the answer gets :func:`tolerance` of its value, widened by its
    :class:`Exercise` to the exercise's scale (see :func:`settle_tolerances`).
    """

    name: str
    label: str
    value: float
    tol: float = 0.0
    alternatives: list[Alternative] = field(default_factory=list)

    weight: float = 1.0  # relative: an exercise's points are shared in proportion
    marks: float | None = None  # this blank's share of the exercise's points (homework)
    candidates: list[tuple[str, float]] = field(default_factory=list, repr=False)
    fixed_tol: bool = field(default=False, repr=False)  # tol given by the kind: kept as is

    def __post_init__(self):
        self.value = float(self.value)
        self.fixed_tol = bool(self.tol)
        if not self.tol:
            self.tol = tolerance(self.value)

    @property
    def display(self) -> str:
        return num(self.value)

    def to_dict(self, lang: str = "en") -> dict:
        return {
            "name": self.name,
            "label": self.label,
            "value": self.value,
            "display": self.display,
            "tolerance": self.tol,
            "tolerance_display": num(self.tol),
            "weight": self.weight,
            "marks": self.marks,
            "alternatives": [a.to_dict(lang) for a in self.alternatives],
        }


@dataclass
class Exercise:
    """One generated exercise: the question (data + text per language), answers, solution.

    ``prompt`` maps a language to the question text: plain sentences with inline math in
    ``$...$`` and display math in ``$$...$$`` (our text, never user text). ``solution`` is a
    list of worked-solution lines ``{"math": LaTeX, "note": {lang: text} | None}``.
    ``derivation`` is the library result behind it: a :class:`~symgrad.derivation.Derivation`,
    an MLP result or a vector chain rule.
    ``diagnostics`` feeds ``symgrad stress``: ``kink_distance`` (smallest distance of a kink
    argument from its kink, ``inf`` if none).
    """

    kind: str
    difficulty: str
    title: dict[str, str]
    data: dict
    prompt: dict[str, str]
    answers: list[Answer]
    solution: list[dict]
    derivation: object = None
    diagnostics: dict = field(default_factory=dict)
    seed: int | None = None

    def __post_init__(self):
        settle_tolerances(self.answers)

    def answer(self, name: str) -> Answer:
        for a in self.answers:
            if a.name == name:
                return a
        raise KeyError(name)

    def fingerprint(self) -> str:
        """A stable digest of the question as displayed (for duplicate detection)."""
        return hashlib.sha256(stable_json(self.data).encode()).hexdigest()[:16]

    def to_dict(self, lang: str = "en", answers: bool = True) -> dict:
        out: dict[str, Any] = {
            "kind": self.kind,
            "difficulty": self.difficulty,
            "seed": self.seed,
            "title": self.title[lang],
            "data": self.data,
            "prompt": self.prompt[lang],
        }
        if answers:
            out["answers"] = [a.to_dict(lang) for a in self.answers]
            out["solution"] = [
                {"math": line["math"], "note": (line.get("note") or {}).get(lang)}
                for line in self.solution
            ]
        return out


def no_options(options: dict, where: str) -> dict:
    """The option checker of a kind that takes no pins."""
    return dict(options)


@dataclass(frozen=True)
class Kind:
    """An entry of the registry: the kind's name, its one-line summary, its generator.

    ``generate(rng, difficulty, options, structure)`` draws the numbers from ``rng`` and the
    structure (which activation, which expression shape, which output and loss, ...) from
    ``structure``. A homework exercise with ``vary = "numbers"`` passes a ``structure``
    generator seeded per exercise, not per version, so every version has the same structure;
    otherwise ``structure`` is ``rng`` itself. ``options`` are the spec's pins for this kind,
    already checked by ``check_options(raw, where)``, which raises :class:`SymgradError`
    naming ``where`` (``spec.toml: exercise[3]``) and the key. ``options_help`` lists the
    kind's pins (key → what it expects) for error messages and ``symgrad kinds``. A pin in
    ``file_options`` names a file; the spec reader makes a relative path relative to the
    spec's folder before ``check_options`` sees it.
    """

    name: str
    summary: str
    generate: Callable[..., Exercise]
    options_help: dict[str, str] = field(default_factory=dict)
    check_options: Callable[[dict, str], dict] = no_options
    file_options: tuple[str, ...] = ()  # pins naming a file: relative to the spec's folder


# --------------------------------------------------------------------------- seeds


def exercise_seed(master: int, exercise_id: str, version: str) -> int:
    """The seed of one exercise of one version: SHA-256 of (master, id, version), 40 bits.

    Depends on nothing else, so adding or reordering exercises leaves the others unchanged.
    """
    digest = hashlib.sha256(
        f"symgrad-exercise/1\0{int(master)}\0{exercise_id}\0{version}".encode()
    ).digest()
    return int.from_bytes(digest[:5], "big")


def rng_for(seed: int) -> np.random.Generator:
    return np.random.default_rng(int(seed))


def clean_draws_common(draw: Callable[[], object], tries: int, hits: int = 3) -> bool:
    """Whether at least ``hits`` of ``tries`` calls of ``draw`` pass without
    :class:`Rejected`: a structure worth keeping, since every version's rejection sampling
    (:data:`MAX_TRIES` draws) then finds clean numbers. Gives up at half the tries without
    a single hit."""
    found = 0
    for n in range(1, tries + 1):
        try:
            draw()
        except Rejected:
            if n >= tries // 2 and not found:
                return False
            continue
        found += 1
        if found >= hits:
            return True
    return False


def rejection(draw: Callable[[], Exercise], what: str) -> Exercise:
    """Call ``draw`` until it returns without :class:`Rejected` (bounded)."""
    for _ in range(MAX_TRIES):
        try:
            return draw()
        except Rejected:
            continue
    raise RuntimeError(f"{what}: no clean draw in {MAX_TRIES} tries")


# --------------------------------------------------------------------------- numbers


def tolerance(value: float, scale: float = 0.0) -> float:
    """Absolute tolerance for an answer: 2 % of it, or 2 % of ``scale`` (the exercise's
    largest answer) if more, but at most 10 % of it; rounded up to 2 significant figures.

    >>> tolerance(0.5), tolerance(0.0093), tolerance(0.0093, scale=1.0), tolerance(-40.2, 1)
    (0.01, 0.00019, 0.00093, 0.81)
    """
    size = abs(float(value))
    tol = min(max(TOL_RELATIVE * size, TOL_SCALE * abs(scale)), TOL_CAP * size)
    if tol == 0:
        return TOL_RELATIVE * abs(scale) or 1e-9  # a zero answer: only a candidate, never asked
    exponent = math.floor(math.log10(tol)) - 1
    return float(f"{math.ceil(round(tol / 10**exponent, 9)) * 10**exponent:.12g}")


def settle_tolerances(answers: list[Answer]) -> None:
    """Give every answer the tolerance of its exercise (:func:`tolerance` with the largest
    answer as the scale) and keep only the mistakes it still tells apart."""
    scale = max((abs(a.value) for a in answers), default=0.0)
    for a in answers:
        if not a.fixed_tol:
            a.tol = tolerance(a.value, scale)
        a.alternatives = distinct_alternatives(a)


def clean(value: float, what: str = "answer") -> float:
    """Reject a (near-)zero, huge or non-finite answer; return it as a float."""
    value = float(value)
    if not math.isfinite(value) or abs(value) < MIN_ANSWER or abs(value) > MAX_ANSWER:
        raise Rejected(what)
    return value


def away_from_kink(value: float, kinks: tuple = (0.0,), margin: float = KINK_MARGIN) -> float:
    """Reject a pre-activation within ``margin`` of a kink; return the distance."""
    distance = min(abs(float(value) - k) for k in kinks)
    if distance < margin:
        raise Rejected("kink")
    return distance


def add_alternatives(answer: Answer, candidates: list[tuple[str, float]]) -> Answer:
    """Attach mistake answers that are finite and distinguishable from the right one.

    The candidates are kept on the answer: its exercise settles the tolerance and chooses
    again (:func:`distinct_alternatives`).
    """
    answer.candidates = [(mistake, float(value)) for mistake, value in candidates]
    answer.alternatives = distinct_alternatives(answer)
    return answer


def distinct_alternatives(answer: Answer) -> list[Alternative]:
    """The candidates whose answers are graded unambiguously: a candidate within twice the
    tolerance of the right answer or of an earlier candidate is dropped, so no typed number
    falls in two answers' ranges."""
    kept: list[Alternative] = []
    for mistake, value in answer.candidates:
        if not math.isfinite(value) or abs(value) > 10 * MAX_ANSWER:
            continue
        taken = [answer.value] + [a.value for a in kept]
        if any(abs(value - other) <= 2 * answer.tol + 1e-12 for other in taken):
            continue
        kept.append(Alternative(mistake, value, MISTAKES[mistake].credit))
    return kept


# --------------------------------------------------------------------------- text helpers


def stable_json(data: object) -> str:
    import json

    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def both(en: str, zh: str) -> dict[str, str]:
    return {"en": en, "zh": zh}


def line(math_text: str, en: str | None = None, zh: str | None = None) -> dict:
    """One worked-solution line: display math and an optional note per language."""
    return {"math": math_text, "note": None if en is None else both(en, zh or en)}


# --------------------------------------------------------------------------- marks


def assign_marks(exercise: Exercise, points: float) -> None:
    """Share ``points`` among the blanks in proportion to their weights, in hundredths of a
    point, so that the marks add up to ``points`` exactly (largest remainders first: 5
    points over 8 equal blanks are 0.63 four times and 0.62 four times).

    >>> ex = Exercise("k", "easy", {}, {}, {}, [Answer(str(i), "a", 1.0) for i in range(8)], [])
    >>> assign_marks(ex, 5); [a.marks for a in ex.answers]
    [0.63, 0.63, 0.63, 0.63, 0.62, 0.62, 0.62, 0.62]
    """
    answers = exercise.answers
    total = sum(a.weight for a in answers)
    hundredths = round(float(points) * 100)
    shares = [hundredths * a.weight / total for a in answers]
    units = [math.floor(share) for share in shares]
    by_remainder = sorted(range(len(answers)), key=lambda i: (units[i] - shares[i], i))
    for i in by_remainder[: hundredths - sum(units)]:
        units[i] += 1
    for a, unit in zip(answers, units):
        a.marks = unit / 100


GUESSES = (1.0, 0.0, -1.0)


def guessing_score(exercise: Exercise) -> float:
    """The best share of the exercise's credit from typing one constant (1, 0 or −1) in every
    blank, counting partial credit for a guess that hits a mistake's answer."""
    total = sum(a.weight for a in exercise.answers)
    best = 0.0
    for guess in GUESSES:
        got = 0.0
        for a in exercise.answers:
            if abs(guess - a.value) <= a.tol:
                got += a.weight
            else:
                got += a.weight * max(
                    (
                        alt.fraction / 100
                        for alt in a.alternatives
                        if abs(guess - alt.value) <= a.tol
                    ),
                    default=0.0,
                )
        best = max(best, got / total)
    return best
