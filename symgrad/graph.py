"""Computational graphs: nodes in topological order, built at a chosen granularity.

Granularities (all give the same gradients; tests prove it):

* ``written``: one node per operator or function as the user wrote it;
* ``primitive``: composite functions lowered to the lecture's primitives f1–f6
  (``x*y``, ``x+y``, ``x+c``, ``-x``, ``exp``, ``1/x``, plus ``log``, ``pow``, ``max`` ...);
  ``sigmoid(z)`` becomes ``-z → exp → +1 → 1/x``;
* ``gate``: recognised patterns fused, e.g. ``1/(1+exp(-z))`` becomes one sigmoid gate.

Equal sub-expressions become one node that fans out; so do repeated variables.

Node names never collide with variable names: op nodes are ``z_1, z_2, ...`` unless a
variable is named ``z``, ``z_<anything>`` or ``z<digits>``; then the first free letter of
``u, v, q, t, s, r, p`` is used (``u_1, u_2, ...``), see :func:`_free_prefix`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar

import sympy

from . import ops
from .errors import SymgradError
from .parse import Expr
from .rewriting import fuse, lower, rewrite, walk

if TYPE_CHECKING:
    from .numpy_forms import Floats

GRANULARITIES = ("written", "primitive", "gate")
_FLAT = {"add": sympy.Add, "mul": sympy.Mul}  # associative ops built as one n-ary SymPy call
MAX_GRAPH_NODES = 20000
T = TypeVar("T")


@dataclass
class Node:
    """One variable of the graph: a leaf (``var`` or ``const``) or the output of an op."""

    id: int
    op: str  # 'var', 'const' or a key of ops.OPS
    inputs: tuple[int, ...] = ()
    const: sympy.Expr | None = None  # the constant of addc/mulc/powc, or a const leaf's exact value
    name: str = ""  # 'w0', 'z_3', or the constant written out
    symbol: sympy.Expr = None  # a Symbol (vars, op nodes) or the exact number (consts)
    local_expr: sympy.Expr = None  # the op applied to its inputs' symbols

    @property
    def is_leaf(self) -> bool:
        """Whether the node is a variable or a constant (no op)."""
        return self.op in ("var", "const")

    @property
    def record(self) -> ops.Op:
        """The op record of an op node."""
        return ops.get(self.op)

    @property
    def constant(self) -> sympy.Expr:
        """The exact constant of a const leaf or of an addc/mulc/powc node."""
        if self.const is None:
            raise SymgradError(f"node {self.name} has no constant")
        return self.const

    def op_args(self, inputs: Sequence[T]) -> tuple[T | sympy.Expr, ...]:
        """Arguments for the op record's functions: the inputs, then the constant if any."""
        return (
            (*inputs, self.constant)
            if self.op not in ("var", "const") and self.record.has_const
            else tuple(inputs)
        )


@dataclass
class Graph:
    """Nodes in topological order (inputs before users); ``output`` is the last op node."""

    nodes: list[Node]
    output: int
    variables: list[str]  # leaf names, in order of first appearance
    granularity: str = "written"
    _leaf_exprs: list[sympy.Expr] | None = field(default=None, repr=False)
    # leaf expressions built so far
    _built: dict[int, sympy.Expr] = field(default_factory=dict, repr=False)
    _tree_sizes: list[int] | None = field(default=None, repr=False)
    _vars: dict[str, Node] | None = field(default=None, repr=False)
    _op_ids: dict[sympy.Expr, int] | None = field(default=None, repr=False)

    def __len__(self) -> int:
        return len(self.nodes)

    @property
    def op_nodes(self) -> list[Node]:
        """The nodes that apply an op (not leaves), in topological order."""
        return [n for n in self.nodes if not n.is_leaf]

    def var_node(self, name: str) -> Node:
        """The leaf of variable ``name``, or one clear error."""
        if self._vars is None:
            self._vars = {n.name: n for n in self.nodes if n.op == "var"}
        if name not in self._vars:
            raise SymgradError(f"no variable named {name!r}")
        return self._vars[name]

    def op_ids_of(self, symbols: set[sympy.Basic]) -> list[int]:
        """Ids of the op nodes whose symbols are among ``symbols``, in topological order."""
        if self._op_ids is None:
            self._op_ids = {n.symbol: n.id for n in self.nodes if not n.is_leaf}
        op_ids = self._op_ids
        return sorted(op_ids[s] for s in symbols if s in op_ids)

    def users(self) -> dict[int, list[int]]:
        """For each node id, the ids of the nodes that take it as an input (fan-out)."""
        out: dict[int, list[int]] = {n.id: [] for n in self.nodes}
        for node in self.nodes:
            for i in node.inputs:
                out[i].append(node.id)
        return out

    def leaf_exprs(self) -> list[sympy.Expr]:
        """Each node's value as a SymPy expression of the leaf variables (built once)."""
        if self._leaf_exprs is None:
            self._leaf_exprs = [self.leaf_expr(n.id) for n in self.nodes]
        return self._leaf_exprs

    def leaf_expr(self, i: int) -> sympy.Expr:
        """Node ``i``'s value in the leaf variables, building only the nodes it needs.

        A chain of + (or of ×) is built as one sum (product) of all its operands: building
        it link by link re-sorts a growing sum at every link (quadratic in the chain)."""
        done, pending = self._built, set[int]()
        stack = [(i, False)]
        while stack:
            j, ready = stack.pop()
            if j in done:
                continue
            if ready:
                node = self.nodes[j]
                args = [done[k] for k in self._operands(j)]
                if node.is_leaf:
                    done[j] = node.symbol
                elif node.op in _FLAT:
                    done[j] = _FLAT[node.op](*args)
                else:
                    done[j] = node.record.forward(*node.op_args(args))
                continue
            if j in pending:
                continue
            pending.add(j)
            stack.append((j, True))
            stack.extend((k, False) for k in self._operands(j) if k not in done)
        return done[i]

    def _operands(self, j: int) -> list[int]:
        """The nodes whose leaf expressions build node ``j``: its inputs, or, for a + or ×
        node, the operands of its whole chain of + (×) nodes not built yet."""
        node = self.nodes[j]
        if node.op not in _FLAT:
            return list(node.inputs)
        out: list[int] = []
        stack = list(reversed(node.inputs))
        while stack:
            k = stack.pop()
            if k not in self._built and self.nodes[k].op == node.op:
                stack.extend(reversed(self.nodes[k].inputs))
            else:
                out.append(k)
        return out

    def tree_size(self, i: int) -> int:
        """Operations in node ``i``'s leaf expression written out as a tree, without building
        it (shared sub-expressions count each time; capped at 10**9)."""
        if self._tree_sizes is None:
            sizes: list[int] = []
            for node in self.nodes:
                sizes.append(min(10**9, 1 + sum(sizes[k] for k in node.inputs)))
            self._tree_sizes = sizes
        return self._tree_sizes[i]

    def substitution(self, ids: list[int] | None = None) -> dict[sympy.Symbol, sympy.Expr]:
        """Node symbol -> expression in leaf variables, for every op node (or those ``ids``)."""
        ids = [n.id for n in self.nodes if not n.is_leaf] if ids is None else ids
        return {self.nodes[i].symbol: self.leaf_expr(i) for i in ids}


class GraphBuilder:
    """Adds nodes one at a time, merging equal ones; the MLP's scalar view uses it directly."""

    def __init__(self, symbol_prefix: str = "z"):
        self.nodes: list[Node] = []
        self.variables: list[str] = []
        self.prefix = symbol_prefix
        self._index: dict[tuple[object, ...], int] = {}
        self._count = 0

    def variable(self, name: str) -> int:
        """The leaf of variable ``name``, made once."""
        key = ("var", name)
        if key not in self._index:
            self.variables.append(name)
            self._index[key] = self._new(
                Node(len(self.nodes), "var", name=name, symbol=sympy.Symbol(name, real=True))
            )
        return self._index[key]

    def constant(self, value: object) -> int:
        """The leaf of the exact constant ``value``, made once."""
        value = sympy.sympify(value)
        key = ("const", value)
        if key not in self._index:
            self._index[key] = self._new(
                Node(len(self.nodes), "const", const=value, name=str(value), symbol=value)
            )
        return self._index[key]

    def op(
        self, name: str, inputs: tuple[int, ...], c: object = None, label: str | None = None
    ) -> int:
        """The node computing op ``name`` of ``inputs`` (and constant ``c``), made once."""
        record = ops.get(name)
        if len(inputs) != record.arity or (c is not None) != record.has_const:
            raise SymgradError(
                f"op {name} takes {record.arity} inputs"
                f"{' and a constant' if record.has_const else ''}"
            )
        key = (name, tuple(inputs), None if c is None else sympy.sympify(c))
        if key in self._index:
            return self._index[key]
        self._count += 1
        node = Node(
            len(self.nodes),
            name,
            tuple(inputs),
            const=key[2],
            name=label or f"{self.prefix}_{self._count}",
        )
        node.symbol = sympy.Symbol(node.name, real=True)
        node.local_expr = as_written(name, node.op_args([self.nodes[i].symbol for i in inputs]))
        self._index[key] = self._new(node)
        return node.id

    def _new(self, node: Node) -> int:
        if len(self.nodes) >= MAX_GRAPH_NODES:
            raise SymgradError(f"graph too large (more than {MAX_GRAPH_NODES} nodes)")
        self.nodes.append(node)
        return node.id

    def finish(self, output: int, granularity: str = "written") -> Graph:
        """The graph of the nodes added so far, with ``output`` as its output."""
        return Graph(self.nodes, output, self.variables, granularity)


def as_written(name: str, args: Sequence[sympy.Expr | None]) -> sympy.Expr:
    """Op ``name`` applied to ``args`` without SymPy's evaluation: x*x stays x*x, not x**2.

    Same result as calling the op under ``sympy.evaluate(False)``, but that switch clears
    SymPy's whole cache each time, which made every later step of a derivation ~3x slower;
    so each op's unevaluated template is built once per process, and filled in here.
    """
    record = ops.get(name)
    if not all(isinstance(a, sympy.Symbol) for a in args[: record.arity]):
        with sympy.evaluate(False):  # a constant input (rare): numbers fold their own way
            return record.forward(*args)
    template, placeholders = ops.written(name)
    fill = dict(zip(placeholders, args))

    def build(e: sympy.Expr) -> sympy.Expr:
        if e in fill:
            return fill[e]
        return e.func(*map(build, e.args), evaluate=False) if e.args else e

    return build(template)


def build_graph(expr: Expr, granularity: str = "written") -> Graph:
    """The computational graph of ``expr`` at ``granularity``.

    >>> from symgrad.parse import parse
    >>> g = build_graph(parse("(x+y)*z"))
    >>> [n.op for n in g.nodes]
    ['var', 'var', 'add', 'var', 'mul']
    """
    if granularity not in GRANULARITIES:
        raise SymgradError(
            f"unknown granularity {granularity!r} (expected one of: {', '.join(GRANULARITIES)})"
        )
    if granularity == "primitive":
        expr = rewrite(expr, lower)
    elif granularity == "gate":
        expr = rewrite(expr, fuse)
    variable_names = {e.name for e in walk(expr) if e.op == "var" and e.name is not None}
    builder = GraphBuilder(_free_prefix(variable_names))
    built: dict[int, int] = {}

    def node_of(e: Expr) -> int:  # constants become nodes only where an op takes them as input
        return builder.constant(e.number) if e.is_const else built[id(e)]

    for e in walk(expr):
        if not e.is_const:
            built[id(e)] = _add_expr(builder, e, node_of)
    if expr.is_const:
        raise SymgradError("the expression is a constant: there is nothing to differentiate")
    output = built[id(expr)]
    return builder.finish(output, granularity)


NODE_LETTERS = ("z", "u", "v", "q", "t", "s", "r", "p")


def _free_prefix(names: set[str]) -> str:
    """The letter of the node symbols: the first of ``z, u, v, q, t, s, r, p`` (then ``zz``,
    ``zzz`` ...) that no variable is named, alone or followed by ``_`` or digits: ``z`` with a
    variable ``z``, ``z1`` or ``z_2`` would give ``z_2 = z_1*z`` or a ``z1`` that looks like
    ``z_1``.

    >>> _free_prefix({"x", "y"}), _free_prefix({"x", "z"}), _free_prefix({"z1", "u_2", "v"})
    ('z', 'u', 'q')
    """

    def taken(prefix: str) -> bool:
        return any(n == prefix or re.fullmatch(re.escape(prefix) + r"(_.*|\d+)", n) for n in names)

    for prefix in NODE_LETTERS:
        if not taken(prefix):
            return prefix
    prefix = "zz"
    while taken(prefix):  # ends: each longer prefix needs a longer variable name to clash
        prefix += "z"
    return prefix


def _add_expr(b: GraphBuilder, e: Expr, node_of: Callable[[Expr], int]) -> int:
    """Map one written operation to a graph node (constants fold into add/mul/pow)."""
    if e.op == "var" and e.name is not None:
        return b.variable(e.name)
    if len(e.args) == 2:
        x, y = e.args
        if e.op == "add" and (x.is_const or y.is_const):
            c, other = (x, y) if x.is_const else (y, x)
            return b.op("addc", (node_of(other),), c.number)
        if e.op == "sub" and y.is_const:
            return b.op("addc", (node_of(x),), -y.number)
        if e.op == "mul" and (x.is_const or y.is_const):
            c, other = (x, y) if x.is_const else (y, x)
            return b.op("mulc", (node_of(other),), c.number)
        if e.op == "div" and x.is_const and x.number == 1:
            return b.op("recip", (node_of(y),))
        if e.op == "pow" and y.is_const:
            return b.op("powc", (node_of(x),), y.number)
    return b.op(e.op, tuple(node_of(a) for a in e.args))


def forward_values(graph: Graph, leaf_values: Mapping[str, Floats]) -> list[Floats]:
    """Every node's value, in node order, from NumPy values (scalars or arrays) of the leaves.

    Arrays broadcast: passing arrays of points evaluates all of them in one pass.
    """
    import numpy as np

    values: list[Floats] = []
    with np.errstate(all="ignore"):
        for node in graph.nodes:
            if node.op == "var":
                values.append(leaf_values[node.name])
            elif node.op == "const":
                values.append(float(node.constant))
            else:
                args = node.op_args([values[i] for i in node.inputs])
                if node.record.has_const:
                    args = (*args[:-1], float(args[-1]))
                values.append(node.record.numpy(*args))
    return values
