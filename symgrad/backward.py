"""The reverse pass: one loop over the nodes in reverse order; adjoints add at forks.

Like micrograd's ``backward`` it knows no op: each node's local partials come from its
op record. Every edge records one :class:`Step` (upstream × local = product), which is what
a worked solution shows.

The numeric pass and the local partials are built at once (both linear in the graph). The
adjoints written out in node symbols are built on first use, each from its users' adjoints
(:class:`SymbolicAdjoints`): in a chain of n products the adjoint of the first node has n
factors, so building every one of them is quadratic, and a derivation at a point prints
numbers, not those expressions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, overload

import numpy as np
import sympy

from .graph import Graph
from .ops import local_gradient_numpy

if TYPE_CHECKING:
    from .numpy_forms import Floats


def known(value: float | None) -> float:
    """A number that exists at a point: a value, gradient or step product of a pass given
    values (None there means a pass without a point, a caller's error)."""
    if value is None:
        raise ValueError("a reverse pass without values has no numbers")
    return value


@dataclass
class Step:
    """One edge of the chain rule: ∂f/∂child += (∂f/∂parent) · (∂parent/∂child).

    ``upstream`` and ``product`` (node symbols) are built on first read when the step comes
    from a symbolic pass: reading them costs the size of the parent's adjoint."""

    parent: int
    child: int
    upstream: sympy.Expr | None  # ∂f/∂parent, in node symbols
    local: sympy.Expr | None  # ∂parent/∂child, in the parent's input symbols
    product: sympy.Expr | None
    upstream_value: float | None = None
    local_value: float | None = None
    product_value: float | None = None
    # (adjoints, index)
    source: tuple[SymbolicAdjoints, int] | None = field(default=None, repr=False, compare=False)


def _lazy(name: str) -> property:
    """A Step field read from the symbolic adjoints when it was not given."""
    private = "_" + name

    def get(self: Step) -> sympy.Expr | None:
        value: sympy.Expr | None = self.__dict__.get(private)
        source = self.__dict__.get("source")
        if value is None and source is not None:
            adjoints, index = source
            value = adjoints.upstream(index) if name == "upstream" else adjoints.product(index)
            self.__dict__[private] = value
        return value

    def put(self: Step, value: sympy.Expr | None) -> None:
        self.__dict__[private] = value

    return property(get, put)


Step.upstream = _lazy("upstream")
Step.product = _lazy("product")


class SymbolicAdjoints(Sequence["sympy.Expr | None"]):
    """∂f/∂node in node symbols for every node (None for constants), built on demand.

    Reading one adjoint builds it and the adjoints it depends on (its users', up to the
    output), nothing else; each is the same SymPy expression the eager pass built: the
    products of its steps added in step order, starting from 0.
    """

    def __init__(self, graph: Graph, steps: list[Step]):
        self.graph = graph
        self.steps = steps  # the symbolic pass's steps, with their local partials
        self._into: dict[int, list[int]] = {}
        for index, step in enumerate(steps):
            self._into.setdefault(step.child, []).append(index)
        self._done: dict[int, sympy.Expr] = {graph.output: sympy.Integer(1)}
        self._products: dict[int, sympy.Expr] = {}
        self._sizes: list[int] | None = None

    def __len__(self) -> int:
        return len(self.graph.nodes)

    @overload
    def __getitem__(self, i: int) -> sympy.Expr | None: ...

    @overload
    def __getitem__(self, i: slice) -> list[sympy.Expr | None]: ...

    def __getitem__(self, i: int | slice) -> sympy.Expr | None | list[sympy.Expr | None]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        i = range(len(self))[i]
        if self.graph.nodes[i].op == "const":
            return None
        return self._adjoint(i)

    def _adjoint(self, i: int) -> sympy.Expr:
        """The adjoint of node ``i`` (not a constant), built on first use."""
        if i not in self._done:
            self._build(i)
        return self._done[i]

    def upstream(self, index: int) -> sympy.Expr:
        """∂f/∂parent of step ``index``."""
        return self[self.steps[index].parent]

    def product(self, index: int) -> sympy.Expr:
        """The product upstream × local of step ``index`` (built once)."""
        if index not in self._products:
            step = self.steps[index]
            self._products[index] = self._adjoint(step.parent) * step.local
        return self._products[index]

    def _build(self, target: int) -> None:
        """Build ``target``'s adjoint and the missing adjoints of the nodes it depends on,
        users first (a user has a larger id than its inputs)."""
        need, stack = set[int](), [target]
        while stack:
            i = stack.pop()
            if i in self._done or i in need:
                continue
            need.add(i)
            stack.extend(self.steps[k].parent for k in self._into.get(i, ()))
        for i in sorted(need, reverse=True):
            total = sympy.Integer(0)
            for k in self._into.get(i, ()):
                total = total + self.product(k)
            self._done[i] = total

    def size(self, i: int) -> int:
        """An upper bound on the operations of adjoint ``i`` written out, without building
        it: its users' sizes plus their local partials' (nothing for a number: x·1 is x),
        summed over its steps (one pass over the graph, computed once)."""
        if self._sizes is None:
            sizes = [0] * len(self.graph.nodes)
            sizes[self.graph.output] = 1
            for node in reversed(self.graph.nodes):
                for n, k in enumerate(self._into.get(node.id, ())):
                    step = self.steps[k]
                    local = (
                        0 if step.local is None or step.local.is_Number else _ops(step.local) + 1
                    )
                    sizes[node.id] += sizes[step.parent] + local + (n > 0)
            self._sizes = sizes
        return self._sizes[i]


def _ops(expr: sympy.Expr) -> int:
    """Nodes of a small expression tree (a local partial)."""
    stack, count = [expr], 0
    while stack:
        e = stack.pop()
        count += 1
        stack.extend(e.args)
    return count


@dataclass
class Backward:
    """Adjoints ∂f/∂node for every node (None for constants) and the steps that made them."""

    # SymPy, in node symbols (None where symbolic=False or for constants)
    adjoints: Sequence[sympy.Expr | None]
    adjoint_values: (
        list[float | None] | None
    )  # floats (None for constants), or None without a point
    steps: list[Step]

    def adjoint_value(self, node_id: int) -> float:
        """The number ∂f/∂node of a pass given values, for a node that is not a constant."""
        value = None if self.adjoint_values is None else self.adjoint_values[node_id]
        if value is None:
            raise ValueError(f"no numeric adjoint of node {node_id} in this reverse pass")
        return value

    def adjoint_size(self, node_id: int) -> int | None:
        """An upper bound on the size of adjoint ``node_id`` in node symbols, known before it
        is built (None without a symbolic pass): what decides whether it is printed."""
        if isinstance(self.adjoints, SymbolicAdjoints):
            return self.adjoints.size(node_id)
        return None


def backward(
    graph: Graph, values: Sequence[Floats] | None = None, symbolic: bool = True
) -> Backward:
    """Reverse-mode pass over ``graph``; ``values`` are the forward values (or None).

    >>> from symgrad.parse import parse
    >>> from symgrad.graph import build_graph, forward_values
    >>> g = build_graph(parse("(x+y)*z"))
    >>> v = forward_values(g, {"x": -2.0, "y": 5.0, "z": -4.0})
    >>> [float(a) for a in backward(g, v).adjoint_values if a is not None]
    [-4.0, -4.0, -4.0, 3.0, 1.0]
    >>> backward(g).adjoints[0]
    z
    """
    numeric = None if values is None else [0.0] * len(graph.nodes)  # constants stay 0: no edge
    if numeric is not None:
        numeric[graph.output] = 1.0
    steps: list[Step] = []
    for node in reversed(graph.nodes):
        if node.is_leaf:
            continue
        record = node.record
        input_symbols = (
            node.op_args([graph.nodes[i].symbol for i in node.inputs]) if symbolic else ()
        )
        for k, child in enumerate(node.inputs):
            if graph.nodes[child].op == "const":
                continue  # constants get no gradient
            step = Step(node.id, child, None, None, None)
            if symbolic:
                step.local = sympy.sympify(record.partials[k](*input_symbols))
            if values is not None and numeric is not None:
                # NumPy floats, not Python's: 0.0 ** -0.5 is inf (reported by derive() as a
                # domain edge) where Python raises ZeroDivisionError
                args = node.op_args([np.float64(values[i]) for i in node.inputs])
                if record.has_const:
                    args = (*args[:-1], np.float64(args[-1]))
                with np.errstate(all="ignore"):  # overflow shows as inf; derive() reports it
                    local = float(local_gradient_numpy(node.op, k)(*args))
                product = numeric[node.id] * local
                step.upstream_value, step.local_value = numeric[node.id], local
                step.product_value = product
                numeric[child] += product
            steps.append(step)
    adjoint_values: list[float | None] | None = (
        None
        if numeric is None
        else [None if n.op == "const" else v for n, v in zip(graph.nodes, numeric)]
    )
    if not symbolic:
        return Backward([None] * len(graph.nodes), adjoint_values, steps)
    adjoints = SymbolicAdjoints(graph, steps)
    for index, step in enumerate(steps):
        step.source = (adjoints, index)
    return Backward(adjoints, adjoint_values, steps)


def with_values(symbolic: Backward, numeric: Backward) -> Backward:
    """The symbolic pass of a graph joined with a numeric pass over the same graph (the
    symbolic expressions stay unbuilt until read)."""
    steps: list[Step] = []
    for s, n in zip(symbolic.steps, numeric.steps):
        lazy = s.__dict__.get("source")
        joined = Step(
            s.parent,
            s.child,
            None if lazy else s.upstream,
            s.local,
            None if lazy else s.product,
            n.upstream_value,
            n.local_value,
            n.product_value,
        )
        joined.source = lazy
        steps.append(joined)
    return Backward(symbolic.adjoints, numeric.adjoint_values, steps)
