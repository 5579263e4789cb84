"""Reading a Derivation for exercises: mistakes, kink distances, worked-solution lines.

Nothing here recomputes the math of a derivation; it re-reads its recorded steps (the
mistake answers replay those steps with one rule broken) and prints them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from functools import cache
from typing import TYPE_CHECKING, Protocol, SupportsFloat

from .. import ops
from ..backward import known
from ..errors import SymgradError
from ..render.numbers import num, paren
from ..render.printing import expr_latex, expr_text, factor, partial  # noqa: F401  (for kinds)
from ..render.printing import sheet_tex as tex
from .base import KINK_MARGIN, Rejected, line

if TYPE_CHECKING:
    from ..backward import Step
    from ..derivation import Derivation
    from ..graph import Graph
    from ..numpy_forms import Floats


def _value_for_derivative(op: str) -> bool:
    """Whether students confuse this op's derivative with its value (σ for σ′, tanh for
    1 − tanh²): every activation, as the activation kind asks for g′ of each of them."""
    return op in _activations()


@cache
def _activations() -> frozenset[str]:
    """:func:`symgrad.ops.activations` as a set, built once (the registry is fixed)."""
    return frozenset(ops.activations())


def replay(
    derivation: Derivation, local: Callable[[Step], float | None] | None = None
) -> dict[int, float]:
    """Adjoint values from the recorded steps; ``local(step)`` may override a local gradient."""
    adjoint = {derivation.graph.output: 1.0}
    for step in derivation.steps:  # recorded parent by parent, outputs first
        value = known(step.local_value if local is None else local(step))
        adjoint[step.child] = adjoint.get(step.child, 0.0) + adjoint.get(step.parent, 0.0) * value
    return adjoint


def point_values(derivation: Evaluated) -> Sequence[Floats]:
    """The forward value of every node of a derivation at a point."""
    if derivation.values is None:
        raise ValueError("a derivation without a point has no values")
    return derivation.values


class Evaluated(Protocol):
    """A graph and the forward value of every node: a Derivation at a point, or a namespace
    with those two fields (the cheap screen of a drawn point)."""

    @property
    def graph(self) -> Graph: ...

    @property
    def values(self) -> Sequence[Floats] | None: ...


def significant(x: SupportsFloat, digits: int) -> float:
    """``x`` rounded to ``digits`` significant figures (what a student writes down)."""
    x = float(x)
    return x if x == 0 or not math.isfinite(x) else float(f"{x:.{digits - 1}e}")


def rounded_pass(derivation: Derivation, digits: int = 3) -> tuple[list[float], dict[int, float]]:
    """The forward values and adjoints a student gets who writes every node value, local
    gradient, product and sum rounded to ``digits`` significant figures, along the recorded
    steps: what a blank's tolerance must forgive."""
    import numpy as np

    graph = derivation.graph

    def inputs(node, values):
        args = node.op_args([np.float64(values[i]) for i in node.inputs])
        return (*args[:-1], np.float64(args[-1])) if node.record.has_const else args

    given = point_values(derivation)
    values: list[float] = []
    for node in graph.nodes:
        if node.is_leaf:
            values.append(float(given[node.id]))  # given exactly
        else:
            with np.errstate(all="ignore"):
                values.append(significant(node.record.numpy(*inputs(node, values)), digits))
    adjoint = {graph.output: 1.0}
    seen: dict[int, int] = {}  # steps of a parent so far: its i-th step is its i-th input
    for step in derivation.steps:
        node = graph.nodes[step.parent]
        positions = [k for k, i in enumerate(node.inputs) if graph.nodes[i].op != "const"]
        k = positions[seen.get(step.parent, 0)]
        seen[step.parent] = seen.get(step.parent, 0) + 1
        with np.errstate(all="ignore"):
            local = significant(ops.local_gradient_numpy(node.op, k)(*inputs(node, values)), digits)
        product = significant(adjoint.get(step.parent, 0.0) * local, digits)
        adjoint[step.child] = significant(adjoint.get(step.child, 0.0) + product, digits)
    return values, adjoint


def mistakes(derivation: Derivation, name: str) -> list[tuple[str, float]]:
    """Wrong answers for ∂f/∂name that common mistakes give, found from the derivation."""
    graph = derivation.graph
    node = graph.var_node(name)
    right = known(derivation.gradients[name].value)
    out = [("sign_flip", -right)]
    into = [s for s in derivation.steps if s.child == node.id]
    if len(into) == 1 and abs(known(into[0].upstream_value)) != 1.0:
        out.append(("missing_upstream", known(into[0].local_value)))
    elif len(into) > 1:
        out.append(("missed_branch", known(into[0].product_value)))
    if any(_value_for_derivative(graph.nodes[s.parent].op) for s in derivation.steps):

        def value_instead(step: Step) -> float | None:
            parent = graph.nodes[step.parent]
            if _value_for_derivative(parent.op):
                return derivation.value_of(parent)
            return step.local_value

        out.append(("value_not_derivative", replay(derivation, value_instead).get(node.id, 0.0)))
    return out


def kink_distance(derivation: Evaluated) -> float:
    """Smallest |kink expression| over the graph's nodes at the point (inf if no kinks)."""
    from ..ops import kink_numpy

    best = math.inf
    for node in derivation.graph.op_nodes:
        functions = kink_numpy(node.op)
        if not functions:
            continue
        args = [point_values(derivation)[i] for i in node.inputs]
        if node.record.has_const:
            args.append(float(node.constant))
        for f in functions:
            best = min(best, abs(float(f(*args))))
    return best


def require_clean(
    derivation: Evaluated, margin: float = KINK_MARGIN, saturate: float = 3.0
) -> float:
    """Reject kinks within ``margin``, saturated smooth activations (σ, tanh, ...) and
    exponentials of large inputs, and inputs near a pole; return the kink distance."""
    distance = kink_distance(derivation)
    if distance < margin:
        raise Rejected("kink")
    values = point_values(derivation)
    for node in derivation.graph.op_nodes:
        first, last = float(values[node.inputs[0]]), float(values[node.inputs[-1]])
        record = node.record
        saturating = record.activation and not record.kink_at or node.op == "exp"
        if saturating and abs(first) > saturate:
            raise Rejected("saturation")
        if node.op in ("recip", "div", "log") and abs(last) < 0.5:
            raise Rejected("near a pole")
    for value in values:
        if not math.isfinite(float(value)) or abs(float(value)) > 50:
            raise Rejected("overflow")
    return distance


def solution_lines(derivation: Derivation, f: str = "f") -> list[dict]:
    """Forward values node by node, then one chain-rule line per edge, as the lecture does."""
    graph = derivation.graph
    out = [line("", "Forward pass, node by node:", "前向传播（逐个节点）：")]
    for node in graph.op_nodes:
        out.append(
            line(
                rf"{tex(node.symbol)} = {tex(node.local_expr)} = "
                f"{num(known(derivation.value_of(node)))}"
            )
        )
    out.append(
        line(
            "",
            f"Backward pass: start from ∂{f}/∂{f} = 1; every edge adds "
            "upstream × local to its input.",
            f"反向传播：从 ∂{f}/∂{f} = 1 开始；每条边把 上游梯度 × 局部梯度 加到它的输入上。",
        )
    )
    for step in derivation.steps:
        parent, child = graph.nodes[step.parent], graph.nodes[step.child]
        out.append(
            line(
                rf"{partial(f, tex(child.symbol))} \mathrel{{+}}= {partial(f, tex(parent.symbol))}"
                rf"\cdot {factor(step.local)} = {paren(known(step.upstream_value))} \cdot "
                rf"{paren(known(step.local_value))} = {num(known(step.product_value))}"
            )
        )
    for g in derivation.gradients.values():
        out.append(
            line(rf"{partial(f, tex(graph.var_node(g.name).symbol))} = {num(known(g.value))}")
        )
    return out


# --------------------------------------------------------------------------- fast derive


def derive_at(
    expr: str,
    point: Mapping[str, float],
    wrt: str | Sequence[str] | None = None,
    granularity: str = "written",
) -> Derivation:
    """:func:`symgrad.derivation.derive` at ``point`` (as displayed), without the check.

    The symbolic part is built once per expression (:func:`symgrad.derivation.structure`), so
    evaluating one exercise's function at many points costs only NumPy work. ``point`` may
    hold extra names; only the function's variables are used. Raises :class:`Rejected` when
    the point is outside the function's domain.
    """
    from ..derivation import derive, structure

    variables = structure(expr, granularity)[1].variables
    try:
        return derive(
            expr,
            at={name: num(point[name]) for name in variables},
            wrt=wrt,
            granularity=granularity,
            check=False,
        )
    except SymgradError as err:
        raise Rejected(str(err)) from None


def numbers_at(expr: str, point: dict, granularity: str = "written") -> tuple[float, dict]:
    """``f`` and every ``∂f/∂v`` at ``point`` (as displayed), the numbers :func:`derive_at`
    gives, from one NumPy forward and reverse pass: no Derivation is built, so a rejected
    draw costs little. Where derive would refuse the point (not finite) or check the
    primitive form (extreme values), :func:`derive_at` itself decides, with its errors."""
    from ..backward import backward
    from ..derivation import _extreme, structure
    from ..graph import forward_values

    graph = structure(expr, granularity)[1]
    values = forward_values(graph, {name: float(num(point[name])) for name in graph.variables})
    reverse = backward(graph, values, symbolic=False)
    grads = reverse.adjoint_values or []
    numbers = [v for v in list(values) + grads if v is not None]
    if not all(math.isfinite(v) for v in numbers) or (
        granularity != "primitive" and _extreme(values, grads)
    ):
        d = derive_at(expr, point, granularity=granularity)
        return known(d.value), {name: g.value for name, g in d.gradients.items()}
    return float(values[graph.output]), {
        name: reverse.adjoint_value(graph.var_node(name).id) for name in graph.variables
    }
