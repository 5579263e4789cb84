"""The circuits of the ``graph`` kind: families, the random expression, pins, validation.

A :class:`Circuit` is an exercise's structure: the function, its inputs, its granularity.
:func:`choose_circuit` draws one from a seed (one draw of the ``structure`` generator) and
keeps only a circuit whose clean points are common enough: so every version of a set can
use it, with numbers drawn from its own generator.

>>> choose_circuit("medium", "sigmoid-neuron", "primitive", None, 0).names
('w0', 'x0', 'w1', 'x1', 'w2')
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ..derivation import structure as graph_structure
from ..errors import SymgradError
from ..graph import GRANULARITIES
from ..parse import Expr, const, var
from .base import Rejected, clean_draws_common, grid, num
from .chain import derive_at, expr_latex, expr_text, kink_distance
from .circuit_point import exercise_at
from .pin_values import choice, refuse, text

FAMILIES = ("random", "sigmoid-neuron", "cs231n")
NEURON = "1/(1 + exp(-(w0*x0 + w1*x1 + w2)))"  # the lecture's circuit: f1–f6 when primitive
NEURON_LATEX = r"\frac{1}{1 + \exp\left(-(w_0 x_0 + w_1 x_1 + w_2)\right)}"
CS231N = (
    "(x + y)*z",  # the notes' first example
    "2*(x*y + max(z, x))",
)  # add distributes, max routes, mul swaps; x fans out
NAMES = ("x", "y", "z", "w")
BINARY = {
    "easy": ("add", "sub", "mul", "mul", "max"),
    "medium": ("add", "sub", "mul", "mul", "max"),
    "hard": ("add", "sub", "mul", "mul", "max", "min", "div"),
}
UNARY = {
    "easy": (),
    "medium": ("exp", "sigmoid", "tanh", "relu", "square", "neg"),
    "hard": ("exp", "sigmoid", "tanh", "relu", "square", "neg", "recip", "log"),
}
DEPTH = {"easy": 2, "medium": 3, "hard": 4}
RANGE = 5  # inputs lie in [-RANGE, RANGE]: halves (medium, hard) ...
INTEGER_RANGE = 9  # ... or integers in [-9, 9] (easy: 18 values, so that 100 versions of a
#                    small circuit rarely repeat a question)
STRUCTURE_TRIES = 500  # candidate circuits before giving up (a bug: families always work)
VALIDATION_TRIES = 80  # points tried per candidate circuit ...
VALIDATION_HITS = 3  # ... of which this many must be clean to keep it
MAX_VARIABLES = 6  # a pinned expression, worked by hand
MAX_OPERATIONS = 20


@dataclass(frozen=True)
class Circuit:
    """The structure of a graph exercise; ``fixed`` names blanks equal at every point."""

    text: str
    latex: str
    names: tuple[str, ...]
    granularity: str
    family: str
    step: float
    fixed: frozenset[str] = frozenset()


def draw_point(rng: np.random.Generator, circuit: Circuit) -> dict[str, float]:
    span = input_range(circuit.step)
    return {n: grid(rng, -span, span, circuit.step, nonzero=True) for n in circuit.names}


def input_range(step: float) -> int:
    return INTEGER_RANGE if step == 1 else RANGE


# --------------------------------------------------------------------------- choosing


@lru_cache(maxsize=256)
def choose_circuit(
    difficulty: str, family: str, granularity: str | None, expression: str | None, seed: int
) -> Circuit:
    """The circuit of an exercise, from ``seed`` alone (so versions that share the seed share
    it); a candidate is kept when clean points are common (:data:`VALIDATION_HITS`)."""
    private = np.random.default_rng(seed)
    step = 1.0 if difficulty == "easy" else 0.5
    for _ in range(STRUCTURE_TRIES):
        level = granularity or (
            "written" if difficulty != "hard" else ("primitive", "gate")[int(private.integers(2))]
        )
        candidate: Circuit | None
        if expression is not None:
            candidate = pinned_circuit(expression, level, step)
        elif family == "sigmoid-neuron":
            candidate = Circuit(
                NEURON, NEURON_LATEX, ("w0", "x0", "w1", "x1", "w2"), level, family, step
            )
        elif family == "cs231n":
            candidate = _from_text(CS231N[int(private.integers(len(CS231N)))], level, family, step)
        else:
            candidate = _random_circuit(private, difficulty, level, step)
        if candidate is not None and clean_points_common(candidate, private):
            return candidate
        if expression is not None:
            span = input_range(step)
            raise SymgradError(
                f"graph: expression {expression!r} has no clean point with "
                f"inputs from {-span} to {span} (away from kinks and poles, "
                "no answer 0 or ±1); pin `at` as well"
            )
    raise RuntimeError(f"graph {difficulty} {family}: no circuit with clean points")


def clean_points_common(circuit: Circuit, private: np.random.Generator) -> bool:
    """Whether :data:`VALIDATION_HITS` of :data:`VALIDATION_TRIES` points are clean: then
    a version's rejection sampling (2000 tries) finds one with certainty for all purposes."""
    return clean_draws_common(
        lambda: exercise_at("", circuit, draw_point(private, circuit)),
        VALIDATION_TRIES,
        VALIDATION_HITS,
    )


def _from_text(
    expr: str, granularity: str, family: str, step: float, fixed: frozenset = frozenset()
) -> Circuit:
    tree, graph, _ = graph_structure(expr, granularity)
    return Circuit(expr, expr_latex(tree), tuple(graph.variables), granularity, family, step, fixed)


def pinned_circuit(expr: str, granularity: str, step: float = 1.0) -> Circuit:
    """A spec's expression: blanks whose gradient is a constant are exempt from the rules."""
    from ..derivation import derive

    d = derive(expr, granularity=granularity, check=False)
    fixed = frozenset(
        f"df_d{name}"
        for name, g in d.gradients.items()
        if g.expr is not None and not g.expr.free_symbols
    )
    return _from_text(expr, granularity, "expression", step, fixed)


def _random_circuit(private, difficulty: str, granularity: str, step: float) -> Circuit | None:
    """A random function of three inputs (the first three leaves; the rest reuse them)."""
    leaves: list[int] = []
    try:
        tree = _tree(private, difficulty, DEPTH[difficulty], leaves)
    except Rejected:
        return None
    if not 3 <= len(leaves) <= 7:
        return None
    assigned = NAMES[:3] + tuple(NAMES[int(private.integers(3))] for _ in range(len(leaves) - 3))
    tree = _name_leaves(tree, list(assigned))
    expr = expr_text(tree)
    try:
        graph = graph_structure(expr, granularity)[1]
    except SymgradError:
        return None
    if len(graph.op_nodes) < 3:
        return None
    return Circuit(
        expr,
        expr_latex(tree),
        tuple(n for n in NAMES if n in assigned),
        granularity,
        "random",
        step,
    )


def _tree(rng, difficulty: str, depth: int, leaves: list) -> Expr:
    """A random expression; leaves are placeholders numbered in order of appearance."""
    if depth == 0 or (depth < DEPTH[difficulty] and rng.random() < 0.25):
        if depth < DEPTH[difficulty] and rng.random() < 0.15:
            return const(int(rng.choice([2, 3])))
        leaves.append(len(leaves))
        return Expr("var", name=f"_{len(leaves) - 1}")
    unary = UNARY[difficulty]
    if unary and rng.random() < 0.4:
        op = unary[int(rng.integers(len(unary)))]
        child = _tree(rng, difficulty, depth - 1, leaves)
        if child.is_const:
            raise Rejected("a function of a constant")
        if op in ("log", "recip") and child.op in ("relu", "max", "min"):
            raise Rejected("a pole right next to a kink")
        if op == "square":
            return Expr("pow", (child, const(2)))
        if op == "recip":
            return Expr("div", (const(1), child))
        return Expr(op, (child,))
    ops = BINARY[difficulty]
    op = ops[int(rng.integers(len(ops)))]
    left = _tree(rng, difficulty, depth - 1, leaves)
    right = _tree(rng, difficulty, depth - 1, leaves)
    if left.is_const and right.is_const:
        raise Rejected("an operation on constants only")
    if op in ("add", "mul") and right.is_const:  # written as 3 x, 2 + x
        left, right = right, left
    return Expr(op, (left, right))


def _name_leaves(e: Expr, names: list[str]) -> Expr:
    if e.op == "var" and e.name is not None:
        return var(names[int(e.name[1:])])
    if not e.args:
        return e
    return Expr(e.op, tuple(_name_leaves(a, names) for a in e.args), e.name, e.value)


# --------------------------------------------------------------------------- pins


def check_options(raw: dict, where: str) -> dict:
    """The ``graph`` pins, checked: family, granularity, expression and its point ``at``."""
    out: dict = {}
    if "family" in raw:
        out["family"] = choice(where, "family", raw["family"], FAMILIES)
    if "granularity" in raw:
        out["granularity"] = choice(where, "granularity", raw["granularity"], GRANULARITIES)
    if "at" in raw and "expression" not in raw:
        raise refuse(where, "at", 'a point needs a pinned expression (add expression = "...")')
    if "expression" not in raw:
        return out
    if "family" in raw:
        raise refuse(where, "family", "give either family or expression, not both")
    expr = text(where, "expression", raw["expression"])
    levels = [out["granularity"]] if "granularity" in out else list(GRANULARITIES)
    try:
        for level in levels:
            graph = graph_structure(expr, level)[1]
            if not graph.variables:
                raise SymgradError("has no variables: nothing to differentiate")
            if len(graph.variables) > MAX_VARIABLES:
                raise SymgradError(
                    f"{len(graph.variables)} variables; a hand exercise has at most {MAX_VARIABLES}"
                )
            if len(graph.op_nodes) > MAX_OPERATIONS:
                raise SymgradError(
                    f"{len(graph.op_nodes)} operations at granularity {level}; a "
                    f"hand exercise has at most {MAX_OPERATIONS}"
                )
    except SymgradError as err:
        raise refuse(where, "expression", str(err)) from None
    out["expression"] = expr
    if "at" in raw:
        out["at"] = _pinned_point(raw["at"], where, expr, levels, graph.variables)
    elif not clean_points_common(pinned_circuit(expr, levels[0]), np.random.default_rng(0)):
        raise refuse(
            where,
            "expression",
            f"no clean point with integer inputs from "
            f"{-INTEGER_RANGE} to {INTEGER_RANGE} (away from kinks and poles, no answer 0 "
            "or ±1); pin `at` as well",
        )
    return out


def _pinned_point(raw, where: str, expr: str, levels: list[str], variables: list[str]) -> dict:
    """``at``: a value for every variable, shown exactly, inside the function's domain."""
    from ..point import parse_assignments

    if not isinstance(raw, (str, dict)):
        raise refuse(
            where, "at", f'expected NAME=VALUE text such as "x=1,y=-2", got {type(raw).__name__}'
        )
    point = parse_assignments(raw, f"{where}.at")
    missing = [v for v in variables if v not in point]
    extra = [v for v in point if v not in variables]
    if missing or extra:
        what = (
            f"no value for {', '.join(missing)}"
            if missing
            else f"{', '.join(extra)} is not a variable"
        )
        raise refuse(where, "at", f"{what} (variables: {', '.join(variables)})")
    values = {}
    for name in variables:
        value = float(point[name])
        if abs(value) > 1000 or float(num(value)) != value:
            raise refuse(
                where,
                "at",
                f"{name} = {point[name]} cannot be shown exactly; give a "
                "number of at most 4 significant figures, at most 1000",
            )
        values[name] = value
    for level in levels:
        try:
            d = derive_at(expr, values, granularity=level)
        except Rejected as err:
            raise refuse(where, "at", str(err)) from None
        if kink_distance(d) < 1e-9:
            raise refuse(
                where,
                "at",
                "the point is on a kink (relu, max, abs, ...), where the "
                "derivative is only a convention; move it",
            )
    return values
