"""Formula answers: parsed by the expression parser (never run as code), judged by equivalence.

A learner's formula goes through :func:`symgrad.parse.parse` like EXPR, so ``__import__``,
lambdas, attributes and strings are refused before anything is computed. It may use the
expression's variables and the worked solution's node names (``z_5``), which stand for
their definitions.

Equivalence is decided in two ways:

1. **exact**, where cheap: when both sides are small (at most :data:`MAX_EXACT_OPS`
   operations), SymPy's ``cancel`` of their difference, with symgrad's functions written in
   elementary form (σ(u) = 1/(1 + e^−u)), is tried; a zero proves equivalence;
2. **numeric** otherwise (and whenever (1) is not conclusive): both are evaluated at
   :data:`POINTS` points drawn around the checked point (a fixed seed, so reports repeat),
   keeping only points where every node of both graphs is finite, at most 1e6 in size, and
   at least :data:`KINK_MARGIN` from every kink (the op records' ``kink_at``), so a kink or
   a domain edge never decides; they must agree to :data:`RELATIVE` at every point.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..errors import SymgradError

if TYPE_CHECKING:
    import sympy
    from numpy.typing import ArrayLike

    from ..graph import Graph
    from ..numpy_forms import FloatArray, Floats

MAX_EXACT_OPS = 60  # both sides together: larger formulas are judged numerically only
POINTS = 8  # sample points that must agree
CANDIDATES = 200  # points drawn to find POINTS good ones
KINK_MARGIN = 0.05  # a sample point's kink arguments are at least this far from 0
RELATIVE = 1e-7  # agreement at a point: |a − b| <= RELATIVE · max(1, |a|, |b|)
SEED = 20231  # fixed: the same formula gets the same verdict every time


@dataclass
class Formula:
    """A learner's formula, parsed: its graph, and the names it uses."""

    text: str
    graph: Graph
    names: list[str]

    @property
    def constant(self) -> bool:
        """Whether the formula uses no names."""
        return not self.names


def parse_formula(text: str, allowed: list[str], what: str) -> Formula | float:
    """``text`` parsed, or its value when it has no names (``exp(-1)``, ``1/2``).

    ``allowed`` are the names it may use; ``what`` names the answer in errors.

    >>> parse_formula("2*exp(0)", [], "z_1")
    2.0
    >>> parse_formula("__import__('os')", ["x"], "df/dx")
    Traceback (most recent call last):
    ...
    symgrad.errors.SymgradError: df/dx: formula __import__('os'): unknown function '__import__'...
    """
    from ..errors import ParseError
    from ..graph import build_graph
    from ..parse import parse

    try:
        tree = parse(text)
    except ParseError as err:
        raise SymgradError(f"{what}: formula {text}: {err}") from None
    if tree.is_const:
        value = float(tree.number)
        if not math.isfinite(value):
            raise SymgradError(f"{what}: formula {text} is not a finite number")
        return value
    graph = build_graph(tree, "written")
    unknown = [n for n in graph.variables if n not in allowed]
    if unknown:
        raise SymgradError(
            f"{what}: formula {text}: unknown name {', '.join(unknown)} "
            f"(allowed: {', '.join(allowed)})"
        )
    return Formula(text, graph, list(graph.variables))


def evaluate(formula: Formula, values: Mapping[str, Floats]) -> Floats:
    """The formula's value for ``values`` (name -> float or NumPy array)."""
    from ..graph import forward_values

    return forward_values(formula.graph, {n: values[n] for n in formula.names})[
        formula.graph.output
    ]


@dataclass
class Equivalence:
    """Whether a formula equals the true quantity, and how that was decided."""

    equivalent: bool
    method: str  # "exact" or "numeric"
    points: int  # sample points compared (0 for exact)


def exact_equal(
    formula: Formula, truth: sympy.Expr | None, substitution: Mapping[sympy.Symbol, sympy.Expr]
) -> bool:
    """Whether SymPy proves ``formula`` − ``truth`` = 0 cheaply (False: not proven)."""
    import sympy

    from ..ops import elementary

    if truth is None:
        return False
    mine = formula.graph.leaf_exprs()[formula.graph.output]
    by_name = {s.name: e for s, e in substitution.items()}
    mine = mine.xreplace({s: by_name[s.name] for s in mine.free_symbols if s.name in by_name})
    if sympy.count_ops(mine) + sympy.count_ops(truth) > MAX_EXACT_OPS:
        return False
    try:
        return sympy.cancel(elementary(mine - truth)) == 0
    except (TypeError, ValueError, RecursionError, sympy.PolynomialError):
        return False


def numeric_equal(
    formula: Formula, samples: Mapping[str, Floats], truth_values: ArrayLike
) -> Equivalence:
    """Compare at the sample points: ``samples`` maps every name (variables and node names)
    to an array of values, ``truth_values`` is the true quantity there (same length)."""
    import numpy as np

    mine = np.asarray(evaluate(formula, samples), dtype=float)
    truth = np.asarray(truth_values, dtype=float)
    good = np.isfinite(truth) & (np.abs(truth) < 1e6)
    good &= _clean(formula.graph, {n: samples[n] for n in formula.names})
    mine, truth = np.broadcast_to(mine, good.shape)[good], truth[good]
    if mine.size == 0:  # the formula is undefined wherever the truth is defined
        return Equivalence(False, "numeric", 0)
    scale = np.maximum(1.0, np.maximum(np.abs(mine), np.abs(truth)))
    same = np.isfinite(mine) & (np.abs(mine - truth) <= RELATIVE * scale)
    return Equivalence(bool(same.all()), "numeric", int(mine.size))


def sample_points(graph: Graph, point: dict[str, float]) -> dict[str, FloatArray]:
    """Up to :data:`POINTS` points around ``point`` where ``graph`` is finite and away from
    its kinks: name -> array, for the variables and every node name."""
    import numpy as np

    from ..graph import forward_values

    rng = np.random.default_rng(SEED)
    names = list(graph.variables)
    base = np.array([point[n] for n in names], dtype=float)
    spread = np.maximum(1.0, np.abs(base)) * 0.5
    draws = base + rng.uniform(-1.0, 1.0, size=(CANDIDATES, len(names))) * spread
    leaves = {n: draws[:, i] for i, n in enumerate(names)}
    values = forward_values(graph, leaves)
    good = _clean(graph, leaves, values)
    keep = np.flatnonzero(good)[:POINTS]
    out = {n: leaves[n][keep] for n in names}
    for node in graph.op_nodes:
        out[node.name] = np.asarray(values[node.id], dtype=float)[keep]
    return out


def _clean(graph, leaves: dict, values: list | None = None):
    """Per point: every node finite and below 1e6, every kink argument at least the margin."""
    import numpy as np

    from .. import ops
    from ..graph import forward_values

    if values is None:
        values = forward_values(graph, leaves)
    size = len(next(iter(leaves.values()))) if leaves else 1
    good = np.ones(size, dtype=bool)
    with np.errstate(all="ignore"):
        for node in graph.nodes:
            if node.op == "const":
                continue
            v = np.broadcast_to(np.asarray(values[node.id], dtype=float), good.shape)
            good &= np.isfinite(v) & (np.abs(v) < 1e6)
            for kink in ops.kink_numpy(node.op) if not node.is_leaf else ():
                args = node.op_args([values[i] for i in node.inputs])
                if node.record.has_const:
                    args = (*args[:-1], float(args[-1]))
                k = np.broadcast_to(np.asarray(kink(*args), dtype=float), good.shape)
                good &= np.abs(k) >= KINK_MARGIN
    return good
