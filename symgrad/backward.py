"""The reverse pass: one loop over the nodes in reverse order; adjoints add at forks.

Like micrograd's ``backward`` it knows no op: each node's local partials come from its
op record. Every edge records one :class:`Step` (upstream × local = product), which is what
a worked solution shows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sympy

from .graph import Graph
from .ops import local_gradient_numpy


@dataclass
class Step:
    """One edge of the chain rule: ∂f/∂child += (∂f/∂parent) · (∂parent/∂child)."""

    parent: int
    child: int
    upstream: sympy.Expr | None  # ∂f/∂parent, in node symbols
    local: sympy.Expr | None  # ∂parent/∂child, in the parent's input symbols
    product: sympy.Expr | None
    upstream_value: float | None = None
    local_value: float | None = None
    product_value: float | None = None


@dataclass
class Backward:
    """Adjoints ∂f/∂node for every node (None for constants) and the steps that made them."""

    adjoints: list  # SymPy, in node symbols (None where symbolic=False or for constants)
    adjoint_values: list | None  # floats, or None without a point
    steps: list[Step]


def backward(graph: Graph, values: list | None = None, symbolic: bool = True) -> Backward:
    """Reverse-mode pass over ``graph``; ``values`` are the forward values (or None).

    >>> from symgrad.parse import parse
    >>> from symgrad.graph import build_graph, forward_values
    >>> g = build_graph(parse("(x+y)*z"))
    >>> v = forward_values(g, {"x": -2.0, "y": 5.0, "z": -4.0})
    >>> [float(a) for a in backward(g, v).adjoint_values if a is not None]
    [-4.0, -4.0, -4.0, 3.0, 1.0]
    """
    adjoints = [None if not symbolic or n.op == "const" else sympy.Integer(0)
                for n in graph.nodes]
    adjoint_values = None if values is None else \
        [None if n.op == "const" else 0.0 for n in graph.nodes]
    if symbolic:
        adjoints[graph.output] = sympy.Integer(1)
    if values is not None:
        adjoint_values[graph.output] = 1.0
    steps: list[Step] = []
    for node in reversed(graph.nodes):
        if node.is_leaf:
            continue
        record = node.record
        input_symbols = node.op_args([graph.nodes[i].symbol for i in node.inputs])
        for k, child in enumerate(node.inputs):
            if graph.nodes[child].op == "const":
                continue  # constants get no gradient
            step = Step(node.id, child, None, None, None)
            if symbolic:
                step.upstream = adjoints[node.id]
                step.local = sympy.sympify(record.partials[k](*input_symbols))
                step.product = step.upstream * step.local
                adjoints[child] = adjoints[child] + step.product
            if values is not None:
                # NumPy floats, not Python's: 0.0 ** -0.5 is inf (reported by derive() as a
                # domain edge) where Python raises ZeroDivisionError
                args = node.op_args([np.float64(values[i]) for i in node.inputs])
                if record.has_const:
                    args = (*args[:-1], np.float64(args[-1]))
                with np.errstate(all="ignore"):  # overflow shows as inf; derive() reports it
                    step.local_value = float(local_gradient_numpy(node.op, k)(*args))
                step.upstream_value = adjoint_values[node.id]
                step.product_value = step.upstream_value * step.local_value
                adjoint_values[child] += step.product_value
            steps.append(step)
    return Backward(adjoints, adjoint_values, steps)


def with_values(symbolic: Backward, numeric: Backward) -> Backward:
    """The symbolic pass of a graph joined with a numeric pass over the same graph."""
    steps = [Step(s.parent, s.child, s.upstream, s.local, s.product, n.upstream_value,
                  n.local_value, n.product_value) for s, n in zip(symbolic.steps, numeric.steps)]
    return Backward(symbolic.adjoints, numeric.adjoint_values, steps)
