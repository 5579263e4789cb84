"""The MLP as a scalar computational graph, unit by unit: the bridge to symgrad's core.

The same network, built node by node with :class:`symgrad.graph.GraphBuilder` and run through
the generic reverse pass, is an independent second computation of every gradient
(:func:`scalar_graph_check`), and gives one entry's gradient as a scalar expression in node
symbols (:func:`entry_gradient`), as the lecture writes ``∂J/∂w_{ij}^{(k)}``.

Index convention: NumPy's. ``W[j, i]`` (row ``j``, column ``i``) connects input unit ``i``
of layer ``k-1`` to unit ``j`` of layer ``k``; the lecture writes that entry ``w_{ij}``, and
so does the scalar graph: leaf ``w{k}_{i}_{j}`` is ``W{k}[j-1, i-1]`` (1-based ``i``, ``j``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..check import CheckReport
from ..errors import SymgradError
from .numeric import compare, scale_floor
from .spec import MLPParams, MLPSpec

if TYPE_CHECKING:  # SymPy is imported only where a scalar graph is built
    import sympy

    from ..graph import Graph

SCALAR_CHECK_LIMIT = 200  # parameters; above this the scalar-graph cross-check is opt-in only
SCALAR_TOLERANCE = 1e-8
ENTRY_LIMIT = 1000  # parameters; the symbolic entry-level view refuses bigger networks


def scalar_name(kind: str, k: int | None, *idx: int) -> str:
    """Leaf/node names of the scalar graph: ``w2_1_3`` is w_{13}^{(2)} (input 1 → unit 3)."""
    return f"{kind}{'' if k is None else k}_" + "_".join(map(str, idx))


def build_scalar_graph(spec: MLPSpec, seeded: bool = False) -> Graph:
    """The same network as a scalar computational graph, built node by node.

    Leaves: ``x_i``, ``w{k}_{i}_{j}`` (lecture's ``w_{ij}^{(k)}``, NumPy ``W{k}[j-1, i-1]``),
    ``b{k}_{j}``, ``y_j``. Named nodes: ``z{k}_{j}``, ``h{k}_{j}``, ``yhat_j``. With
    ``seeded=True`` the loss is replaced by ``Σ_j delta_j z^{(L)}_j`` where the leaves
    ``delta_j`` stand for ``∂J/∂z^{(L)}_j`` (``ŷ_j − y_j`` for the fused losses): its
    gradients are exactly ``∂J/∂θ`` (the vector chain rule), written as the lecture writes
    them. Without it the loss is built from exp, log, div, ... as a student would draw it.
    """
    from ..graph import GraphBuilder  # here: importing the scalar graph imports SymPy

    b = GraphBuilder("t")
    n, L = spec.layers, spec.depth
    h = [b.variable(scalar_name("x", None, i)) for i in range(1, n[0] + 1)]
    weights = []
    for k in range(1, L + 1):
        z = []
        for j in range(1, n[k] + 1):
            acc = None
            for i in range(1, n[k - 1] + 1):
                w = b.variable(scalar_name("w", k, i, j))
                weights.append(w)
                term = b.op("mul", (w, h[i - 1]))
                acc = term if acc is None else b.op("add", (acc, term))
            assert acc is not None  # every layer has at least one input unit
            z.append(
                b.op("add", (acc, b.variable(scalar_name("b", k, j))), label=scalar_name("z", k, j))
            )
        act = spec.activation(k)
        if k == L and seeded:
            h = z
            break
        names = [
            scalar_name("yhat", None, j) if k == L else scalar_name("h", k, j)
            for j in range(1, n[k] + 1)
        ]
        if act == "linear":
            h = z
        elif act == "softmax":
            e = [b.op("exp", (zj,)) for zj in z]
            total = e[0]
            for ej in e[1:]:
                total = b.op("add", (total, ej))
            h = [b.op("div", (ej, total), label=name) for ej, name in zip(e, names)]
        else:
            h = [b.op(act, (zj,), label=name) for zj, name in zip(z, names)]
    ys = [b.variable(scalar_name("y", None, j)) for j in range(1, n[L] + 1)]
    if seeded:
        terms = [
            b.op("mul", (b.variable(scalar_name("delta", None, j)), h[j - 1]))
            for j in range(1, n[L] + 1)
        ]
    elif spec.loss == "mse":
        terms = [b.op("powc", (b.op("sub", (yj, hj)),), 2) for yj, hj in zip(ys, h)]
    elif spec.output == "softmax":
        terms = [b.op("mul", (yj, b.op("log", (hj,)))) for yj, hj in zip(ys, h)]
    else:
        one = b.constant(1)
        terms = [
            b.op(
                "add",
                (
                    b.op("mul", (yj, b.op("log", (hj,)))),
                    b.op("mul", (b.op("sub", (one, yj)), b.op("log", (b.op("sub", (one, hj)),)))),
                ),
            )
            for yj, hj in zip(ys, h)
        ]
    total = terms[0]
    for term in terms[1:]:
        total = b.op("add", (total, term))
    if not seeded:
        total = b.op("mulc", (total,), sympy_rational(0.5) if spec.loss == "mse" else -1, label="L")
    if spec.l2:
        squares = [b.op("powc", (w,), 2) for w in weights]
        omega = squares[0]
        for sq in squares[1:]:
            omega = b.op("add", (omega, sq))
        total = b.op("add", (total, b.op("mulc", (omega,), sympy_rational(spec.l2 / 2))), label="J")
    return b.finish(total)


def sympy_rational(value: float) -> sympy.Rational:
    """The exact decimal a float was written as (0.1 → 1/10), for graph constants."""
    import sympy

    return sympy.Rational(repr(float(value)))


def _scalar_leaf_values(
    spec: MLPSpec, params: MLPParams, delta: np.ndarray | None = None
) -> dict[str, float]:
    values = {}
    for i, v in enumerate(params.x, 1):
        values[scalar_name("x", None, i)] = float(v)
    for j, v in enumerate(params.y, 1):
        values[scalar_name("y", None, j)] = float(v)
    for k, (w, bias) in enumerate(zip(params.weights, params.biases), 1):
        for (j, i), v in np.ndenumerate(w):
            values[scalar_name("w", k, i + 1, j + 1)] = float(v)
        for j, v in enumerate(bias, 1):
            values[scalar_name("b", k, j)] = float(v)
    if delta is not None:
        for j, v in enumerate(delta, 1):
            values[scalar_name("delta", None, j)] = float(v)
    return values


def scalar_graph_check(
    spec: MLPSpec,
    params: MLPParams,
    gradients: dict[str, np.ndarray],
    tolerance: float = SCALAR_TOLERANCE,
) -> CheckReport:
    """Cross-check every gradient against the scalar computational graph (numeric adjoints).

    The scalar graph is the whole network drawn unit by unit, loss included (softmax as exp,
    sum and divide, cross-entropy as log and multiply), run through symgrad's generic
    reverse pass. Only for nets up to :data:`SCALAR_CHECK_LIMIT` parameters by default.
    A mini-batch runs the graph once per example and compares the mean of the gradients.
    """
    from ..backward import backward as scalar_backward
    from ..graph import forward_values

    graph = build_scalar_graph(spec)
    examples = (
        [params]
        if params.batch is None
        else [
            MLPParams(params.weights, params.biases, params.x[:, i], params.y[:, i])
            for i in range(params.batch)
        ]
    )
    oracle: dict[str, np.ndarray] = {}
    for example in examples:  # a batch: J = mean of (L_i + λΩ), so ∇J is their mean
        with np.errstate(all="ignore"):
            values = forward_values(graph, _scalar_leaf_values(spec, example))
            adjoint_values = scalar_backward(graph, values, symbolic=False).adjoint_values
        if adjoint_values is None:  # symbolic=False always gives the numbers
            raise ValueError("the numeric reverse pass gave no adjoint values")
        by_name = {node.name: adjoint_values[node.id] for node in graph.nodes if node.op == "var"}
        for k in range(1, spec.depth + 1):
            rows, cols = spec.layers[k], spec.layers[k - 1]
            w = np.array(
                [
                    [by_name[scalar_name("w", k, i, j)] for i in range(1, cols + 1)]
                    for j in range(1, rows + 1)
                ]
            )
            b = np.array([by_name[scalar_name("b", k, j)] for j in range(1, rows + 1)])
            for key, value in ((f"W{k}", w), (f"b{k}", b)):
                oracle[key] = oracle[key] + value if key in oracle else value
    if len(examples) > 1:
        oracle = {key: value / len(examples) for key, value in oracle.items()}
    method = f"reverse pass over the scalar computational graph ({len(graph.nodes)} nodes)"
    return compare(gradients, oracle, method, tolerance, scale_floor(1.0))


def parse_entry(text: str, spec: MLPSpec) -> tuple[str, int, int, int]:
    """``"W2,1,3"`` → ``("W", 2, 1, 3)`` (∂J/∂w_{13}^{(2)}), ``"b2,3"`` → ``("b", 2, 0, 3)``."""
    parts = [p.strip() for p in str(text).split(",")]
    head = parts[0] if parts else ""
    kind, layer = head[:1].upper(), head[1:]
    want = "W<k>,i,j (input i to unit j) or b<k>,j"
    numbers = [layer, *parts[1:]]
    if (
        kind not in ("W", "B")
        or not all(p.isascii() and p.isdigit() and len(p) <= 6 for p in numbers)
        or len(parts) != (3 if kind == "W" else 2)
    ):
        raise SymgradError(f"entry: expected {want}, got {text!r}")
    k = int(layer)
    if not 1 <= k <= spec.depth:
        raise SymgradError(f"entry: layer {k} out of range 1..{spec.depth}")
    idx = [int(p) for p in parts[1:]]
    if kind == "W":
        i, j = idx
        if not (1 <= i <= spec.layers[k - 1] and 1 <= j <= spec.layers[k]):
            raise SymgradError(
                f"entry: W{k} has i in 1..{spec.layers[k - 1]} and j in "
                f"1..{spec.layers[k]}, got i={i}, j={j}"
            )
        return "W", k, i, j
    (j,) = idx
    if not 1 <= j <= spec.layers[k]:
        raise SymgradError(f"entry: b{k} has j in 1..{spec.layers[k]}, got {j}")
    return "b", k, 0, j


@dataclass(frozen=True)
class EntryGradient:
    """``∂J/∂w_{ij}^{(k)}`` (or ``∂J/∂b_j^{(k)}``) as a scalar expression in node symbols.

    ``expr`` is a SymPy expression over the symbols of ``names`` (symbol → scalar-graph name
    such as ``z1_4`` or ``delta_2``); ``delta_j`` stands for ``∂J/∂z^{(L)}_j``. ReLU-like
    gates appear as ``Heaviside(z, 0)``. ``value`` is the expression at the point;
    ``matrix_value`` the same entry of the matrix-form gradient.
    """

    entry: str
    kind: str  # "W" or "b"
    layer: int
    i: int  # input unit (1-based; 0 for a bias)
    j: int  # unit of the layer (1-based)
    expr: Any  # a SymPy expression
    names: dict[Any, str]
    value: float
    matrix_value: float
    fused: bool  # δ_j is ŷ_j − y_j (softmax or sigmoid output with cross-entropy)

    @property
    def param(self) -> str:
        return f"{self.kind}{self.layer}"

    @property
    def index(self) -> list[int]:
        return [self.j - 1, self.i - 1] if self.kind == "W" else [self.j - 1]


def entry_gradient(
    spec: MLPSpec,
    params: MLPParams,
    adjoints: dict[str, Any],
    gradients: dict[str, np.ndarray],
    entry: str,
) -> EntryGradient:
    """One entry's gradient, built on the seeded scalar graph (:func:`build_scalar_graph`)
    with symgrad's reverse pass, so the expression is in node symbols like the lecture's
    explicit formulas; ``σ(z)`` and ``tanh(z)`` are written as the unit's own ``h``."""
    import sympy

    from ..backward import backward as scalar_backward
    from ..graph import forward_values
    from ..ops import sympy_function

    kind, k, i, j = parse_entry(entry, spec)
    if spec.n_params > ENTRY_LIMIT:
        raise SymgradError(
            f"entry: the entry-level view is limited to networks of at most "
            f"{ENTRY_LIMIT} parameters (this one has {spec.n_params})"
        )
    graph = build_scalar_graph(spec, seeded=True)
    name = scalar_name("w", k, i, j) if kind == "W" else scalar_name("b", k, j)
    grad = scalar_backward(graph, None, symbolic=True).adjoints[graph.var_node(name).id]
    if grad is None:  # every leaf of the seeded graph reaches its output
        raise ValueError(f"{name} has no adjoint in the seeded scalar graph")
    swaps = {}
    for node in graph.nodes:
        if node.op in ("sigmoid", "tanh") and node.inputs:
            z_sym = graph.nodes[node.inputs[0]].symbol
            func = sympy_function("sigmoid") if node.op == "sigmoid" else sympy.tanh
            swaps[func(z_sym)] = node.symbol
    grad = grad.xreplace(swaps) if swaps else grad
    # the value at the point: node values of the seeded graph, δ from the reverse pass
    values = forward_values(graph, _scalar_leaf_values(spec, params, adjoints[f"z{spec.depth}"]))
    point = {
        node.symbol: sympy.Float(float(values[node.id]))
        for node in graph.nodes
        if node.op != "const" and node.symbol in grad.free_symbols
    }
    value = float(grad.xreplace(point))  # Heaviside(0.0, 0) is 0: the kink convention
    names = {
        node.symbol: node.name
        for node in graph.nodes
        if node.op != "const" and not node.name.startswith("t_")
    }
    key = f"{kind}{k}"
    matrix_value = float(gradients[key][(j - 1, i - 1) if kind == "W" else j - 1])
    return EntryGradient(entry, kind, k, i, j, grad, names, value, matrix_value, spec.fused)
