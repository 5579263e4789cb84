"""The lecture's network as a layer graph: vector and matrix nodes (matmul, bias add,
elementwise activation, softmax, loss, L2 penalty), each with its own Jacobian-transpose (VJP)
rule; one reverse pass over it (:func:`backward`) gives every gradient of one example.

>>> from symgrad.mlp.spec import make_spec
>>> from symgrad.mlp.network import random_params
>>> spec = make_spec("2,2,2")
>>> graph = build_layer_graph(spec)
>>> adjoints = backward(graph, evaluate(graph, random_params(spec, seed=0)))
>>> adjoints["W1"].shape
(2, 2)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from .network import activate, data_loss, derivative, output_id
from .spec import MLPParams, MLPSpec


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
    forward: Callable[..., Any] | None = None
    vjp: Callable[..., tuple[Any, ...]] | None = None
    layer: int | None = None


@dataclass(frozen=True)
class LayerGraph:
    """Nodes in topological order (leaves first); ``output`` is the objective ``J``."""

    nodes: tuple[LayerNode, ...]
    output: str = "J"

    def __getitem__(self, node_id: str) -> LayerNode:
        return next(node for node in self.nodes if node.id == node_id)


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
        rule: Callable[..., tuple[Any, ...]]
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


def evaluate(graph: LayerGraph, params: MLPParams) -> dict[str, Any]:
    """Forward values of every node of the layer graph."""
    values: dict[str, Any] = dict(params.as_dict())
    for node in graph.nodes:
        if node.forward is not None:
            values[node.id] = node.forward(*(values[i] for i in node.inputs))
    return values


def backward(graph: LayerGraph, values: dict[str, Any]) -> dict[str, Any]:
    """Reverse pass: each node's VJP rule adds into its inputs' adjoints (``+=`` at forks)."""
    adjoints: dict[str, Any] = {graph.output: 1.0}
    for node in reversed(graph.nodes):
        if node.vjp is None or node.id not in adjoints:
            continue
        grads = node.vjp([values[i] for i in node.inputs], values[node.id], adjoints[node.id])
        for input_id, grad in zip(node.inputs, grads):
            if grad is not None:
                adjoints[input_id] = adjoints[input_id] + grad if input_id in adjoints else grad
    return adjoints
