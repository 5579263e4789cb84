"""The diagnosis engine: a learner's answers against a worked solution, step by step.

``diagnose(derivation, answers)`` judges every quantity the worked solution has, in its
order (forward pass node by node, then the backward pass as ``derive`` prints it):

* **correct**: within tolerance of the true value, or of the value recomputed from the
  learner's own inputs when all of those were right (rounding a learner carries is theirs);
* **carried** ("correct given your earlier answers", error carried forward): within tolerance
  of the value recomputed from the learner's own earlier answers, some of which were wrong.
  Forward: a node's value from the learner's values of its inputs. Backward:
  ∂f/∂node = Σ over its users of (learner's ∂f/∂user) × local derivative at the learner's
  values. Where a learner left a quantity out, the recomputed value stands in for it;
* **wrong**, with the named mistake that explains it (:func:`symgrad.grading.mistakes.classify`,
  against the recomputed value and with the step's upstream, local derivative and branches);
* **unanswered**.

Tolerance (:mod:`symgrad.grading.judgement`): 0.1 % of the value, at least 1e-9. ``derive``
prints 4 significant figures, which are within 0.05 %, so a learner copying 4 figures at every
step is always within it; 3 figures may be up to 0.5 % off, and beyond 0.1 % (up to 1 %)
the answer is diagnosed as "rounding".

Credit per quantity: 1 for correct and carried (a wrong upstream answer costs once), a wrong
answer earns its mistake's ``credit`` percent (sign 50 %, rounding 75 %, ...), an
undiagnosed one 0, an unanswered one 0. The first wrong step is the earliest wrong quantity in
the worked solution's order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..errors import SymgradError
from .answers import normalized
from .judgement import Judgement, Quantity
from .replay import Replay

if TYPE_CHECKING:
    from typing_extensions import TypeIs

    from ..mlp.result import MLPResult
    from .network import Solved


@dataclass
class Diagnosis:
    """Every judgement in the worked solution's order, and the first wrong step."""

    expression: str
    granularity: str
    point: dict[str, float]
    judgements: list[Judgement]
    reveal: bool = False  # whether reports may show true values (set by the caller)
    aliases: dict[str, str] = field(default_factory=dict)

    @property
    def answered(self) -> list[Judgement]:
        return [j for j in self.judgements if j.verdict != "unanswered"]

    @property
    def first_wrong(self) -> Judgement | None:
        return next((j for j in self.judgements if j.verdict == "wrong"), None)

    @property
    def score(self) -> float:
        return sum(j.credit for j in self.answered)

    @property
    def all_correct(self) -> bool:
        """At least one answer, and every answer correct (carried answers are not)."""
        return bool(self.answered) and all(j.verdict == "correct" for j in self.answered)

    def judgement(self, name: str) -> Judgement:
        name = self.aliases.get(name, name)
        return next(j for j in self.judgements if j.name == name)


def quantities(
    derivation: Solved, need_values: bool = True, every: bool = False
) -> tuple[list[Quantity], dict[str, str]]:
    """The answerable quantities in worked-solution order, and aliases (``f`` = output).

    ``derivation`` is a Derivation or the same shape (an MLP's :class:`ScalarNetwork`, whose
    ``answerable`` node ids leave its helper nodes unasked; ``every`` includes them too).
    Without a point (``need_values=False``, for a template) the true values are NaN.
    """
    if derivation.values is None and need_values:
        raise SymgradError("checking answers needs a point: give --at NAME=VALUE,...")
    graph = derivation.graph
    prefix = getattr(derivation, "gradient_prefix", "df/d")
    asked = getattr(derivation, "answerable", None)
    nan = float("nan")
    values, reverse = derivation.values, derivation.backward
    value = (lambda i: nan) if values is None else (lambda i: float(values[i]))
    grad = (lambda i: nan) if values is None else reverse.adjoint_value
    out = [Quantity(n.name, "value", n.id, value(n.id)) for n in graph.op_nodes]
    for node in reversed(graph.nodes):
        if node.op != "const":
            out.append(Quantity(f"{prefix}{node.name}", "gradient", node.id, grad(node.id)))
    if asked is not None and not every:
        out = [q for q in out if q.node in asked]
    output = graph.nodes[graph.output]
    aliases = {"f": output.name} if prefix == "df/d" else {}
    if output.is_leaf:  # f = x: the output's value is the variable's, asked as f
        out.insert(0, Quantity("f", "value", output.id, value(output.id)))
        aliases = {}
    return out, aliases


def _is_mlp(result: Solved | MLPResult) -> TypeIs[MLPResult]:
    """An MLP result, told by its class name (naming it imports nothing)."""
    return type(result).__name__ == "MLPResult"


def _solved(result: Solved | MLPResult) -> Solved:
    """What the engine judges: an MLP result's scalar graph, else the derivation itself."""
    if _is_mlp(result):
        from .network import scalar_network

        return scalar_network(result)
    return result


def names(derivation: Solved | MLPResult) -> list[str]:
    """Every name an answer file may use (aliases included), in worked-solution order."""
    found, aliases = quantities(_solved(derivation))
    return [q.name for q in found] + list(aliases)


def diagnose(derivation: Solved | MLPResult, answers: dict, where: dict | None = None) -> Diagnosis:
    """Judge ``answers`` (name -> number or formula text) against ``derivation``; ``where``
    (name -> "FILE:LINE") prefixes errors about an answer.

    >>> from symgrad.derivation import derive
    >>> d = derive("x*y + x", at="x=2,y=3", granularity="primitive")
    >>> r = diagnose(d, {"z_1": 6, "z_2": 8, "df/dx": -4})
    >>> [(j.name, j.verdict, j.mistake) for j in r.answered]
    [('z_1', 'correct', None), ('z_2', 'correct', None), ('df/dx', 'wrong', 'sign_flip')]

    An MLP result (:mod:`symgrad.mlp`) is judged on its scalar graph
    (:mod:`symgrad.grading.network`), with names such as ``z1_2``, ``yhat_1``, ``J``,
    ``dJ/dw2_1_3`` and ``dJ/db1_2``.
    """
    solved = _solved(derivation)
    found, aliases = quantities(solved)
    by_name = {q.name: q for q in found}
    given: dict[str, float | str] = {}
    for name, answer in answers.items():
        key = aliases.get(name, name)
        if key not in by_name:
            raise SymgradError(
                f"unknown quantity {name!r} (valid: {', '.join(list(by_name) + list(aliases))})"
            )
        if key in given:
            raise SymgradError(f"{name}: answered twice ({key} and its other name)")
        value = normalized(answer, name)
        if value is not None:
            given[key] = value
    replay = Replay(solved)
    where = {aliases.get(k, k): v for k, v in (where or {}).items()}
    every, _ = quantities(solved, every=True)  # helper nodes are recomputed, not asked
    judged = [replay.judge(q, given.get(q.name), where.get(q.name)) for q in every]
    judgements = [j for j in judged if j.name in by_name]
    point = {k: float(v) for k, v in (solved.point or {}).items()}
    return Diagnosis(solved.expression, solved.granularity, point, judgements, aliases=aliases)
