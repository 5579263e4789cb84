"""``derive()``: parse → graph → forward → backward → check, giving one :class:`Derivation`.

Every renderer and every exercise consumes a Derivation; nothing downstream recomputes math.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

from .backward import Backward, SymbolicAdjoints, backward, with_values
from .check import check_graph
from .derivation_record import FUNCTION_WEIGHT as FUNCTION_WEIGHT
from .derivation_record import MAX_EXACT_SIZE as MAX_EXACT_SIZE
from .derivation_record import READABLE_OPS as READABLE_OPS
from .derivation_record import Derivation as Derivation
from .derivation_record import Gradient as Gradient
from .errors import SymgradError
from .graph import Graph, build_graph, forward_values
from .parse import Expr, parse
from .point import parse_assignments

if TYPE_CHECKING:
    from .numpy_forms import Floats


def derive(
    expr: str | Expr,
    at: str | Mapping[str, object] | None = None,
    wrt: str | Sequence[str] | None = None,
    granularity: str = "written",
    check: bool = True,
    sympy_budget: int | None = None,
    sympy_check: bool = True,
) -> Derivation:
    """Derive every gradient of ``expr`` node by node, and check it when a point is given.

    The check is central differences, plus ``sympy.diff`` of the whole expression when its
    estimated work is at most ``sympy_budget`` (default ``check.SYMPY_CHECK_BUDGET``; the
    report's method says whether it ran); ``sympy_check=False`` never runs it.

    >>> d = derive("(x+y)*z", at={"x": -2, "y": 5, "z": -4})
    >>> d.value, {k: g.value for k, g in d.gradients.items()}
    (-12.0, {'x': -4.0, 'y': -4.0, 'z': 3.0})
    """
    _deep_enough()
    if not isinstance(expr, (str, Expr)):
        hint = "; decode the bytes first" if isinstance(expr, (bytes, bytearray)) else ""
        raise SymgradError(
            f"the expression must be text (str) or a parsed Expr, not {type(expr).__name__}{hint}"
        )
    if isinstance(expr, str):
        text, (tree, graph, symbolic) = expr, structure(expr, granularity)
    else:
        text, tree = repr(expr), expr
        graph = build_graph(tree, granularity)
        symbolic = backward(graph)
    wanted = _wrt(wrt, graph.variables)
    point = (parse_assignments(at) or None) if at else None
    values = None
    unused: list[str] = []
    result = symbolic
    if point is not None:
        missing = [v for v in graph.variables if v not in point]
        if missing:
            raise SymgradError(
                f"--at: no value for {', '.join(missing)} (variables: {', '.join(graph.variables)})"
            )
        unused = [v for v in point if v not in graph.variables]  # e.g. a shared point
        point = {v: point[v] for v in graph.variables}
        floats = {k: float(v) for k, v in point.items()}
        values = forward_values(graph, floats)
        _require_finite(graph, values)
        result = with_values(symbolic, backward(graph, values, symbolic=False))
        _require_finite_gradients(graph, result)
        if graph.granularity != "primitive" and _extreme(values, result.adjoint_values):
            _require_finite_primitive(tree, floats)
    gradients = {}
    for name in wanted:
        node = graph.var_node(name)
        adjoint = None if result.adjoint_values is None else result.adjoint_values[node.id]
        value = None if values is None or adjoint is None else float(adjoint)
        gradients[name] = _gradient(name, node.id, result, value, graph)
    outcome = None
    if check and point is not None:
        outcome = check_graph(
            graph,
            floats,
            {k: g.value for k, g in gradients.items() if g.value is not None},
            sympy_check=sympy_check,
            sympy_budget=sympy_budget,
        )
    return Derivation(text, tree, graph, point, values, result, gradients, outcome, wanted, unused)


@lru_cache(maxsize=512)
def structure(text: str, granularity: str = "written") -> tuple[Expr, Graph, Backward]:
    """Parse tree, graph and symbolic reverse pass of ``text``: the part of a derivation that
    does not depend on the point, so it is built once per expression and reused (exercises
    evaluate one expression at many points). Callers must not modify what it returns."""
    tree = parse(text)
    graph = build_graph(tree, granularity)
    return tree, graph, backward(graph)


def _deep_enough(limit: int = 12000) -> None:
    """SymPy walks expressions recursively; allow the depths the parser admits.

    The parser bounds depth (MAX_DEPTH), lowering multiplies it by at most four, and SymPy
    uses a few frames per level: this limit keeps every admitted expression well inside it.
    """
    import sys

    if sys.getrecursionlimit() < limit:
        sys.setrecursionlimit(limit)


def _wrt(wrt: str | Sequence[str] | None, variables: list[str]) -> list[str]:
    """The variables to report: all for ``None``; ``--wrt ""`` or an empty name is an error."""
    if wrt is None:
        return list(variables)
    names = [w.strip() for w in wrt.split(",")] if isinstance(wrt, str) else list(wrt)
    if not names or "" in names:
        raise SymgradError(
            f"--wrt: expected comma-separated variable names, got {wrt!r} "
            f"(variables: {', '.join(variables)}); leave out --wrt for all"
        )
    unknown = [w for w in names if w not in variables]
    if unknown:
        raise SymgradError(
            f"--wrt: {', '.join(map(str, unknown))} not in the expression "
            f"(variables: {', '.join(variables)})"
        )
    return list(dict.fromkeys(names))


def _gradient(
    name: str, node_id: int, result: Backward, value: float | None, graph: Graph
) -> Gradient:
    """The gradient of ``name``, its node-symbol form left unbuilt until read."""
    adjoints = result.adjoints
    if isinstance(adjoints, SymbolicAdjoints):
        return Gradient(name, None, value, graph, (adjoints, node_id))
    return Gradient(name, adjoints[node_id], value, graph)


def _require_finite_gradients(graph: Graph, result: Backward, where: str = "") -> None:
    bad = [
        n.name
        for n, v in zip(graph.nodes, result.adjoint_values or ())
        if v is not None and not math.isfinite(v)
    ]
    if bad:
        raise SymgradError(
            f"at this point{where} the gradient with respect to "
            f"{', '.join(bad)} is not a finite number (a division by zero, e.g. "
            "sqrt or log at 0, or an overflow); choose another point"
        )


def _require_finite(graph: Graph, values: Sequence[Floats], where: str = "") -> None:
    import numpy as np

    if np.isfinite(np.asarray(values, dtype=float)).all():
        return
    for node in graph.nodes:
        if not math.isfinite(values[node.id]):
            from .render.printing import text_expr  # the formula as derive prints it

            inputs = ", ".join(
                f"{graph.nodes[i].name} = {float(values[i]):.6g}"
                for i in dict.fromkeys(node.inputs)
                if graph.nodes[i].op != "const"
            )
            raise SymgradError(
                f"at this point{where} {node.name} = "
                f"{text_expr(node.local_expr, order='none')} with {inputs} is not "
                "a finite real number (outside the domain, or too large for "
                "float64); choose another point"
            )


def _require_finite_primitive(tree: Expr, floats: dict[str, float]) -> None:
    """All granularities accept the same points: those where the lecture's primitive form
    (the most detailed graph) is finite in float64, values and gradients.

    The written sigmoid(x) at x = -710 is a finite 4.5e-309, but its primitive form needs
    e^710, beyond float64; without this rule ``--granularity primitive`` refused a point
    the other two accepted. Only numbers are computed here (no symbolic pass)."""
    graph = _primitive_graph(tree)
    values = forward_values(graph, floats)
    where = ", in the primitive form (--granularity primitive),"
    _require_finite(graph, values, where)
    _require_finite_gradients(graph, backward(graph, values, symbolic=False), where)


def _extreme(*lists: Sequence[Floats | None] | None) -> bool:
    """Whether a value is large or small enough that the primitive form may overflow where
    this graph does not: lowering adds exp(±x) (sigmoid, softplus, swish: |x| > 709) and
    1/y with local gradient -1/y² (|y| < 1e-154). Elsewhere the forms agree, and the
    primitive graph is not evaluated (it doubled the cost of a small derivation)."""
    import numpy as np

    a = np.abs(
        np.array([v for values in lists for v in values or () if v is not None], dtype=float)
    )
    return bool(((a > 700) | ((a > 0) & (a < 1e-150))).any())


@lru_cache(maxsize=128)
def _primitive_graph(tree: Expr) -> Graph:
    return build_graph(tree, "primitive")
