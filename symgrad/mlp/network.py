"""The lecture's network as math: forward loop, layer graph, reverse pass, matrix-form steps.

A :class:`LayerGraph` has vector and matrix nodes (matmul, bias add, elementwise activation,
softmax, loss, L2 penalty), each with its own Jacobian-transpose (VJP) rule; one reverse pass
over it gives every gradient. The matrix-form derivation (:class:`MatrixStep`, one per line
of the lecture's loops) only names which value each line shows, read from that pass: how a
line reads is the renderer's business (:mod:`symgrad.render.views.mlp`).

An activation's NumPy forward, its derivative ``g'(z)`` from ``(z, h)`` and its kinks are
its op record's (:mod:`symgrad.ops`). Derivative at a kink: 0.

>>> from symgrad.mlp.spec import make_spec
>>> spec = make_spec("2,2,2")
>>> fwd = forward(spec, random_params(spec, seed=0))
>>> [z.shape for z in fwd.z], round(fwd.loss, 4)
([(2,), (2,)], 0.5544)
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .. import ops
from ..errors import SymgradError
from .spec import MLPParams, MLPSpec


def softmax(z: np.ndarray) -> np.ndarray:
    """Softmax over the last axis; subtracts the max before ``exp``."""
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _logsumexp(z: np.ndarray) -> np.ndarray:
    m = z.max(axis=-1, keepdims=True)
    return (m + np.log(np.exp(z - m).sum(axis=-1, keepdims=True)))[..., 0]


def activate(name: str, z: np.ndarray) -> np.ndarray:
    """``g(z)`` for an activation op, or softmax over the last axis."""
    return softmax(z) if name == "softmax" else ops.get(name).numpy(z)


def derivative(name: str, z: np.ndarray, h: np.ndarray) -> np.ndarray:
    """Elementwise ``g'(z)`` of an activation op, from ``z`` and ``h = g(z)``."""
    return np.asarray(ops.get(name).derivative(z, h), dtype=float)


def data_loss(spec: MLPSpec, z_out: np.ndarray, y_hat: np.ndarray | None, y: np.ndarray):
    """Loss over the last axis; CE is computed from ``z^{(L)}`` (log-sum-exp / softplus)."""
    if spec.loss == "mse":
        return 0.5 * ((y - y_hat) ** 2).sum(axis=-1)
    if spec.output == "softmax":  # −Σ y log softmax(z) = Σy · lse(z) − y·z
        return y.sum() * _logsumexp(z_out) - (z_out * y).sum(axis=-1)
    # −Σ [y log σ(z) + (1−y) log(1−σ(z))] = Σ [y ζ(−z) + (1−y) ζ(z)]
    return (y * np.logaddexp(0.0, -z_out) + (1 - y) * np.logaddexp(0.0, z_out)).sum(axis=-1)


# --------------------------------------------------------------------------- forward


@dataclass(frozen=True)
class Forward:
    """Forward values: ``z[k-1]`` is ``z^{(k)}``, ``h[k]`` is ``h^{(k)}`` (``h[0] = x``)."""

    z: tuple[np.ndarray, ...]
    h: tuple[np.ndarray, ...]
    data_loss: float
    penalty: float  # Ω = ½ Σ ‖W‖², not yet multiplied by λ
    loss: float  # J = L + λΩ

    @property
    def output(self) -> np.ndarray:
        return self.h[-1]


def forward(spec: MLPSpec, params: MLPParams) -> Forward:
    """The lecture's forward loop, vectorized."""
    h = [params.x]
    zs = []
    for k in range(1, spec.depth + 1):
        z = params.weights[k - 1] @ h[-1] + params.biases[k - 1]
        zs.append(z)
        h.append(activate(spec.activation(k), z))
    loss = float(data_loss(spec, zs[-1], h[-1], params.y))
    penalty = 0.5 * float(sum((w * w).sum() for w in params.weights))
    return Forward(tuple(zs), tuple(h), loss, penalty, loss + spec.l2 * penalty)


_LINEAR_KINK = re.compile(r"^x(?:\s*([+-])\s*(\d+(?:\.\d+)?))?$")


def kink_points(name: str) -> tuple[float, ...]:
    """:func:`symgrad.ops.kink_points` without SymPy for the usual kinks (``x``, ``x - 1``,
    ``x + 1``: read off the text); other forms go through ops, which lambdifies them (SymPy's
    import alone is half a second of a ``symgrad mlp`` run)."""
    record = ops.get(name)
    if record.arity != 1 or not record.kink_at:
        return ()
    points = []
    for text in record.kink_at:
        match = _LINEAR_KINK.match(text.strip())
        if match is None:
            return ops.kink_points(name)
        sign, number = match.groups()
        points.append(0.0 if number is None else (-1 if sign == "+" else 1) * float(number))
    return tuple(sorted(points))


def random_params(spec: MLPSpec, seed: int) -> MLPParams:
    """Small teaching values from ``numpy.random.default_rng(seed)``, on a grid of tenths.

    Weights in [−0.9, 0.9], biases in [−0.5, 0.5], x in [−1, 1]; y one-hot for a softmax
    output, 0/1 labels for sigmoid with CE, tenths in [0, 1] (sigmoid) or [−1, 1] (linear)
    for MSE. Draws are repeated (deterministically) until :func:`teaching_flaw` finds
    nothing at a margin of 0.01, so generated instances never sit on a kink and are not
    mostly zeros.
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise SymgradError(f"seed: expected an integer ≥ 0, got {seed!r}")
    rng = np.random.default_rng(int(seed))
    n = spec.layers
    for _ in range(100):
        weights = tuple(rng.integers(-9, 10, size=(n[k], n[k - 1])) / 10 for k in range(1, len(n)))
        biases = tuple(rng.integers(-5, 6, size=n[k]) / 10 for k in range(1, len(n)))
        x = rng.integers(-10, 11, size=n[0]) / 10
        if spec.output == "softmax":
            y = np.zeros(n[-1])
            y[rng.integers(n[-1])] = 1.0
        elif spec.output == "sigmoid" and spec.loss == "ce":
            y = rng.integers(0, 2, size=n[-1]).astype(float)
        elif spec.output == "sigmoid":
            y = rng.integers(0, 11, size=n[-1]) / 10
        else:
            y = rng.integers(-10, 11, size=n[-1]) / 10
        params = MLPParams(weights, biases, x, y)
        if teaching_flaw(spec, forward(spec, params), 0.01) is None:
            return params
    return params


def teaching_flaw(spec: MLPSpec, fwd: Forward, margin: float) -> str | None:
    """Why these forward values make a poor worked example, or None if they are fine.

    ``"kink"``: a hidden pre-activation lies within ``margin`` of a kink of its activation;
    ``"dead units"``: a kinked layer passes gradient through fewer than half its units.
    The one rule for generated networks (:func:`random_params`, the ``mlp`` exercise kind).

    >>> from symgrad.mlp.spec import make_spec
    >>> spec = make_spec("2,2,2")
    >>> teaching_flaw(spec, forward(spec, random_params(spec, seed=0)), 0.01) is None
    True
    """
    if near_kinks(spec, fwd, margin):
        return "kink"
    for k in range(1, spec.depth):
        name = spec.activation(k)
        if kink_points(name) and np.mean(derivative(name, fwd.z[k - 1], fwd.h[k]) != 0) < 0.5:
            return "dead units"
    return None


@dataclass(frozen=True)
class Kink:
    """A hidden pre-activation ``z^{(layer)}_{unit}`` (1-based unit) at or near a kink, and
    the derivative the activation's record gives there (0 for relu at 0)."""

    layer: int
    unit: int
    z: float
    activation: str
    derivative_used: float

    def to_dict(self) -> dict:
        return {
            "layer": self.layer,
            "unit": self.unit,
            "z": self.z,
            "activation": self.activation,
            "derivative_used": self.derivative_used,
        }


def near_kinks(spec: MLPSpec, fwd: Forward, tol: float = 0.0) -> list[Kink]:
    """Hidden pre-activations within ``tol`` of a kink of their activation (0: exactly on)."""
    found = []
    for k in range(1, spec.depth):
        name = spec.activation(k)
        for point in kink_points(name):
            for j in np.flatnonzero(np.abs(fwd.z[k - 1] - point) <= tol):
                z, h = fwd.z[k - 1][j : j + 1], fwd.h[k][j : j + 1]
                found.append(
                    Kink(k, int(j) + 1, float(z[0]), name, float(derivative(name, z, h)[0]))
                )
    return sorted(found, key=lambda kink: (kink.layer, kink.unit))


# --------------------------------------------------------------------------- layer graph


@dataclass(frozen=True)
class LayerNode:
    """A vector/matrix node: its op, inputs, shape and rules.

    ``vjp(inputs, out, g)`` returns one gradient per input (None for inputs that need none).
    ``op`` is ``input``, ``param``, ``target``, ``matmul``, ``bias_add``, an activation op,
    ``softmax``, ``mse``, ``softmax_cross_entropy``, ``sigmoid_cross_entropy``, ``l2`` or
    ``objective``.
    """

    id: str
    op: str
    inputs: tuple[str, ...]
    shape: tuple[int, ...]
    forward: Callable | None = None
    vjp: Callable | None = None
    layer: int | None = None


@dataclass(frozen=True)
class LayerGraph:
    """Nodes in topological order (leaves first); ``output`` is the objective ``J``."""

    nodes: tuple[LayerNode, ...]
    output: str = "J"

    def __getitem__(self, node_id: str) -> LayerNode:
        return next(node for node in self.nodes if node.id == node_id)


def output_id(spec: MLPSpec, k: int) -> str:
    """The id of layer ``k``'s output: ``x`` (k = 0), ``h1``, ..., ``yhat`` (k = L)."""
    return "x" if k == 0 else "yhat" if k == spec.depth else f"h{k}"


def build_layer_graph(spec: MLPSpec) -> LayerGraph:
    """The network as matmul → bias add → activation nodes per layer, then loss and ``J``.

    With cross-entropy the loss node reads ``z^{(L)}`` directly (fused, stable log-sum-exp),
    so its rule is ``ŷ − y``; ``ŷ`` still appears as a node for display.
    """
    L = spec.depth
    nodes = [LayerNode("x", "input", (), (spec.layers[0],))]
    for k in range(1, L + 1):
        nodes.append(LayerNode(f"W{k}", "param", (), (spec.layers[k], spec.layers[k - 1]), layer=k))
        nodes.append(LayerNode(f"b{k}", "param", (), (spec.layers[k],), layer=k))
    nodes.append(LayerNode("y", "target", (), (spec.layers[-1],)))
    for k in range(1, L + 1):
        n = (spec.layers[k],)
        nodes.append(
            LayerNode(
                f"u{k}",
                "matmul",
                (f"W{k}", output_id(spec, k - 1)),
                n,
                forward=lambda w, h: w @ h,
                vjp=lambda ins, out, g: (np.outer(g, ins[1]), ins[0].T @ g),
                layer=k,
            )
        )
        nodes.append(
            LayerNode(
                f"z{k}",
                "bias_add",
                (f"u{k}", f"b{k}"),
                n,
                forward=lambda u, b: u + b,
                vjp=lambda ins, out, g: (g, g),
                layer=k,
            )
        )
        name = spec.activation(k)
        if name == "softmax":
            rule = lambda ins, out, g: (out * (g - out @ g),)  # noqa: E731
        else:
            rule = lambda ins, out, g, name=name: (g * derivative(name, ins[0], out),)  # noqa: E731
        nodes.append(
            LayerNode(
                output_id(spec, k),
                name,
                (f"z{k}",),
                n,
                forward=lambda z, name=name: activate(name, z),
                vjp=rule,
                layer=k,
            )
        )
    if spec.loss == "mse":
        nodes.append(
            LayerNode(
                "L",
                "mse",
                ("yhat", "y"),
                (),
                forward=lambda yh, y: 0.5 * float(((y - yh) ** 2).sum()),
                vjp=lambda ins, out, g: (g * (ins[0] - ins[1]), None),
            )
        )
    else:
        nodes.append(
            LayerNode(
                "L",
                f"{spec.output}_cross_entropy",
                (f"z{L}", "y"),
                (),
                forward=lambda z, y: float(data_loss(spec, z, None, y)),
                vjp=lambda ins, out, g: (g * (activate(spec.output, ins[0]) - ins[1]), None),
                layer=L,
            )
        )
    if spec.l2:
        lam = spec.l2
        nodes.append(
            LayerNode(
                "Omega",
                "l2",
                tuple(f"W{k}" for k in range(1, L + 1)),
                (),
                forward=lambda *ws: 0.5 * float(sum((w * w).sum() for w in ws)),
                vjp=lambda ins, out, g: tuple(g * w for w in ins),
            )
        )
        nodes.append(
            LayerNode(
                "J",
                "objective",
                ("L", "Omega"),
                (),
                forward=lambda loss, omega: loss + lam * omega,
                vjp=lambda ins, out, g: (g, lam * g),
            )
        )
    else:
        nodes.append(
            LayerNode(
                "J",
                "objective",
                ("L",),
                (),
                forward=lambda loss: loss,
                vjp=lambda ins, out, g: (g,),
            )
        )
    return LayerGraph(tuple(nodes))


def evaluate(graph: LayerGraph, params: MLPParams) -> dict[str, np.ndarray | float]:
    """Forward values of every node of the layer graph."""
    values: dict[str, object] = dict(params.as_dict())
    for node in graph.nodes:
        if node.forward is not None:
            values[node.id] = node.forward(*(values[i] for i in node.inputs))
    return values


def backward(graph: LayerGraph, values: dict) -> dict[str, np.ndarray | float]:
    """Reverse pass: each node's VJP rule adds into its inputs' adjoints (``+=`` at forks)."""
    adjoints: dict[str, object] = {graph.output: 1.0}
    for node in reversed(graph.nodes):
        if node.vjp is None or node.id not in adjoints:
            continue
        grads = node.vjp([values[i] for i in node.inputs], values[node.id], adjoints[node.id])
        for input_id, grad in zip(node.inputs, grads):
            if grad is not None:
                adjoints[input_id] = adjoints[input_id] + grad if input_id in adjoints else grad
    return adjoints


# --------------------------------------------------------------------------- matrix steps


@dataclass(frozen=True)
class MatrixStep:
    """One line of the lecture's loops: which quantity it computes, and its value.

    ``kind``: ``forward`` (a layer's ``z`` or ``h``), ``loss`` (``L``, ``Ω``, ``J``),
    ``output`` (the first ``g``), ``activation`` (``g ← g ⊙ g'(z)``), ``bias``, ``weight``,
    ``propagate`` (``g ← Wᵀ g``). ``node`` is the layer-graph node whose value (forward
    kinds) or gradient (the others) the line shows.
    """

    kind: str
    layer: int | None
    node: str
    value: np.ndarray

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(np.shape(self.value))


def matrix_steps(spec: MLPSpec, values: dict, adjoints: dict) -> list[MatrixStep]:
    """The forward loop, the loss, then the lecture's backward loop, one step per line."""
    L = spec.depth
    steps = []
    for k in range(1, L + 1):
        for node in (f"z{k}", output_id(spec, k)):
            steps.append(MatrixStep("forward", k, node, values[node]))
    for node in ("L", "Omega", "J") if spec.l2 else ("L", "J"):
        steps.append(MatrixStep("loss", None, node, np.float64(values[node])))
    if spec.fused:
        steps.append(MatrixStep("output", L, f"z{L}", adjoints[f"z{L}"]))
    else:
        steps.append(MatrixStep("output", L, "yhat", adjoints["yhat"]))
        steps.append(MatrixStep("activation", L, f"z{L}", adjoints[f"z{L}"]))
    for k in range(L, 0, -1):
        if k < L:
            steps.append(MatrixStep("activation", k, f"z{k}", adjoints[f"z{k}"]))
        steps.append(MatrixStep("bias", k, f"b{k}", adjoints[f"b{k}"]))
        steps.append(MatrixStep("weight", k, f"W{k}", adjoints[f"W{k}"]))
        if k > 1:
            steps.append(MatrixStep("propagate", k, f"h{k - 1}", adjoints[f"h{k - 1}"]))
    return steps
