"""The records :func:`symgrad.derivation.derive` returns: a :class:`Derivation` (the tree,
graph, point, values, reverse pass, gradients and check of one expression) and one
:class:`Gradient` per variable. Every renderer and every exercise reads these; nothing
downstream recomputes math. Import them from :mod:`symgrad.derivation`, which re-exports them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

import sympy

from .backward import Backward, Step, SymbolicAdjoints, known
from .check import CheckReport
from .display import formatted
from .graph import Graph, Node
from .parse import Expr

if TYPE_CHECKING:
    from .numpy_forms import Floats
    from .schema import DerivationJSON, LocalJSON, NodeJSON

READABLE_OPS = 60  # a gradient written out with more operations is not printed in full
MAX_EXACT_SIZE = 40  # operations in an exact node value worth building for display
FUNCTION_WEIGHT = 10  # exact_values: a function (exp, sigmoid, ...) counts as 10 operations
_RATIONAL_OPS = frozenset({"add", "sub", "mul", "div", "neg", "addc", "mulc", "recip", "powc"})


@dataclass
class Gradient:
    """∂f/∂name: in node symbols (``node_expr``), in leaf variables (``expr``), at the point.

    ``node_expr`` is built on first read when it comes from the derivation's reverse pass
    (``source``); :attr:`readable` tells, before building it, whether it is small enough to
    print."""

    name: str
    node_expr: sympy.Expr
    value: float | None
    graph: Graph = field(repr=False, compare=False)
    # (adjoints, node id)
    source: tuple[SymbolicAdjoints, int] | None = field(default=None, repr=False, compare=False)

    @property
    def size(self) -> int | None:
        """An upper bound on the operations of ``node_expr``, known without building it."""
        return None if self.source is None else self.source[0].size(self.source[1])

    @property
    def readable(self) -> bool:
        """Whether ``node_expr`` is small enough to print (at most READABLE_OPS)."""
        return self.size is None or self.size <= READABLE_OPS

    @cached_property
    def expr(self) -> sympy.Expr | None:
        """The gradient in the leaf variables (built on first use; None if too large to
        read: the node-symbol form or the leaf expressions it refers to are too long)."""
        if not self.readable:
            return None
        ids = self.graph.op_ids_of(self.node_expr.free_symbols)
        if sum(self.graph.tree_size(i) for i in ids) > READABLE_OPS:
            return None
        return self.node_expr.xreplace(self.graph.substitution(ids))


def _node_expr(self: Gradient) -> sympy.Expr | None:
    value: sympy.Expr | None = self.__dict__.get("_node_expr")
    source = self.__dict__.get("source")
    if value is None and source is not None:
        adjoints, node_id = source
        value = self.__dict__["_node_expr"] = adjoints[node_id]
    return value


def _set_node_expr(self: Gradient, value: sympy.Expr | None) -> None:
    self.__dict__["_node_expr"] = value


Gradient.node_expr = property(_node_expr, _set_node_expr)


@dataclass
class Derivation:
    """Everything about one derivation; renderers and exercises only read it."""

    expression: str
    tree: Expr
    graph: Graph
    point: dict[str, sympy.Expr] | None  # exact values of the variables, or None
    values: list[Floats] | None  # forward value of every node (floats), or None
    backward: Backward
    gradients: dict[str, Gradient]
    check: CheckReport | None
    wrt: list[str] = field(default_factory=list)
    unused: list[str] = field(default_factory=list)  # names given a value but not in the function

    @property
    def granularity(self) -> str:
        return self.graph.granularity

    @property
    def variables(self) -> list[str]:
        return self.graph.variables

    @property
    def nodes(self) -> list[Node]:
        return self.graph.nodes

    @property
    def steps(self) -> list[Step]:
        return self.backward.steps

    @property
    def output(self) -> Node:
        return self.graph.nodes[self.graph.output]

    @property
    def function(self) -> sympy.Expr:
        """The whole expression in the leaf variables."""
        return self.graph.leaf_expr(self.graph.output)

    @property
    def value(self) -> float | None:
        return None if self.values is None else float(self.values[self.graph.output])

    def gradient_values(self) -> dict[str, float]:
        """∂f/∂v at the point for every reported variable (a derivation with a point)."""
        return {name: known(g.value) for name, g in self.gradients.items()}

    def value_of(self, node: Node) -> float | None:
        return None if self.values is None else float(self.values[node.id])

    def adjoint_of(self, node: Node) -> float | None:
        vals = self.backward.adjoint_values
        value = None if vals is None else vals[node.id]
        return None if value is None else float(value)

    def readable(self, node: Node) -> bool:
        """Whether ∂f/∂node in node symbols is small enough to print (READABLE_OPS), known
        before it is built; a larger one is shown as its chain-rule steps."""
        size = self.backward.adjoint_size(node.id)
        return size is None or size <= READABLE_OPS

    def exact_values(self) -> list[sympy.Expr | None] | None:
        """Each node's exact value at the point (SymPy, unsimplified), or None for the whole
        list without a point. A node whose exact value would be written with more than
        :data:`MAX_EXACT_SIZE` operations (counted through its inputs, before SymPy builds
        it; a function application counts FUNCTION_WEIGHT: SymPy evaluates nested
        functions of exact numbers slowly, 1.4 s for a 100-node sigmoid nest) gets None: a worked solution shows such values as decimals anyway, and SymPy's
        evaluation of deep nests (119 nested sin) costs seconds."""
        if self.point is None:
            return None
        out: list[sympy.Expr | None] = []
        size: list[int] = []
        for node in self.graph.nodes:
            if node.op == "var":
                out.append(self.point[node.name])
                size.append(1)
            elif node.op == "const":
                out.append(node.const)
                size.append(1)
            else:
                weight = 1 if node.op in _RATIONAL_OPS else FUNCTION_WEIGHT
                size.append(weight + sum(size[i] for i in node.inputs))
                args = [out[i] for i in node.inputs]
                out.append(
                    None
                    if size[-1] > MAX_EXACT_SIZE or None in args
                    else node.record.forward(*node.op_args(args))
                )
        return out

    def precise_values(self, digits: int = 30) -> list[float] | None:
        """Each node's value at the point computed with ``digits``-digit SymPy Floats, node
        by node (linear), rounded to float only at the end: what a worked solution shows.

        float64 loses what the exact value keeps, e.g. softplus(-50) in the primitive form:
        1 + e^-50 rounds to 1, and log of it gives 0.0 instead of 1.93e-22. Where the
        precise value is not a finite real float, the float64 value is kept.
        """
        if self.point is None or self.values is None:
            return None
        exact: list[sympy.Expr] = []
        out: list[float] = []
        for node in self.graph.nodes:
            if node.op == "var":
                value = sympy.Float(self.point[node.name].evalf(digits), digits)
            elif node.op == "const":
                value = node.constant.evalf(digits)
            else:
                value = node.record.forward(*node.op_args([exact[i] for i in node.inputs]))
                value = value.evalf(digits)
            exact.append(value)
            try:
                number = float(value)
            except TypeError:  # complex or not a number: keep float64's answer
                number = math.nan
            out.append(number if math.isfinite(number) else float(self.values[node.id]))
        return out

    def to_dict(self) -> DerivationJSON:
        """The JSON object of the CLI contract (``derive --format json``)."""
        name = {n.id: n.name for n in self.graph.nodes}
        adj = self.backward.adjoints
        locals_by_parent: dict[int, list[LocalJSON]] = {}
        for step in self.backward.steps:
            locals_by_parent.setdefault(step.parent, []).append(
                {"input": name[step.child], "expr": _s(step.local), "value": step.local_value}
            )
        nodes: list[NodeJSON] = []
        for n in self.graph.nodes:
            nodes.append(
                {
                    "id": n.name,
                    "op": n.op,
                    "inputs": [name[i] for i in n.inputs],
                    "const": None if n.const is None or n.op == "const" else _s(n.const),
                    "expr": sympy.sstr(n.local_expr, order="none") if not n.is_leaf else n.name,
                    "value": self.value_of(n),
                    "grad": self.adjoint_of(n),
                    "grad_expr": _s(adj[n.id]) if n.op != "const" and self.readable(n) else None,
                    "local": locals_by_parent.get(n.id, []),
                }
            )
        return {
            "expression": self.expression,
            "granularity": self.granularity,
            "variables": list(self.variables),
            "wrt": list(self.wrt),
            "point": None if self.point is None else {k: float(v) for k, v in self.point.items()},
            "value": self.value,
            "function": _s(self.function),
            "gradient": {
                g.name: {
                    "expr": _s(g.expr),
                    "latex": _latex(g.expr),
                    "node_expr": _s(g.node_expr) if g.readable else None,
                    "value": g.value,
                }
                for g in self.gradients.values()
            },
            "nodes": nodes,
            "check": None if self.check is None else self.check.to_dict(),
        }

    def _repr_markdown_(self) -> str | None:
        """The worked solution in a notebook, once :mod:`symgrad.render` is imported."""
        return formatted(self, "markdown")

    def _repr_latex_(self) -> str | None:
        return formatted(self, "latex")


def _s(expr: sympy.Basic | None) -> str | None:
    return None if expr is None else str(expr)


def _latex(expr: sympy.Basic | None) -> str | None:
    return None if expr is None else sympy.latex(expr)
