"""Mini-batches: the lecture's loops on ``m`` examples at once, the columns of ``X`` and ``Y``.

Forward: ``Z^{(k)} = W^{(k)} H^{(k-1)} + b^{(k)} 1ᵀ`` and ``H^{(k)} = g(Z^{(k)})`` column by
column (``H^{(0)} = X``); each example's loss ``L_i``; ``J = (1/m) Σ_i L_i + λΩ`` with
``Ω = ½ Σ_k ‖W^{(k)}‖_F²`` (weights only).

Backward: column ``i`` of ``G`` is example ``i``'s own gradient ``∂L_i/∂z_i`` (not divided
by m): ``G ← Ŷ − Y`` for the fused losses; for each layer ``∇_{b} J = (1/m) G 1``,
``∇_{W} J = (1/m) G H^{(k-1)ᵀ} + λW``, ``G ← W^{(k)ᵀ} G``, ``G ← G ⊙ g′(Z^{(k-1)})``.

>>> from symgrad.mlp.spec import make_spec
>>> from symgrad.mlp.network import random_params
>>> spec = make_spec("2,3,2")
>>> values, gradients, steps = batch_pass(spec, random_params(spec, seed=0, batch=3))
>>> values["h1"].shape, gradients["W1"].shape, [s.node for s in steps][:6]
((3, 3), (3, 2), ['z1', 'h1', 'z2', 'yhat', 'L_i', 'L'])
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .network import derivative, forward, output_id
from .spec import MLPParams, MLPSpec
from .steps import MatrixStep


def batch_pass(
    spec: MLPSpec, params: MLPParams
) -> tuple[dict[str, Any], dict[str, np.ndarray], list[MatrixStep]]:
    """Forward and backward loops on a batch: the values by node id (``x`` is X, ``z1``,
    ``h1``, ..., ``yhat``, ``L_i``, ``L``, ``Omega``, ``J``), the gradients of ``J`` by
    parameter key, and the steps (kinds as :func:`symgrad.mlp.steps.matrix_steps`; the
    backward ones show ``G`` and the parameter gradients)."""
    m = params.batch
    if m is None:
        raise ValueError("batch_pass needs a mini-batch (X and Y with m columns)")
    fwd = forward(spec, params)
    L = spec.depth
    values: dict[str, Any] = {"x": params.x, "y": params.y}
    steps: list[MatrixStep] = []
    for k in range(1, L + 1):
        values[f"z{k}"], values[output_id(spec, k)] = fwd.z[k - 1], fwd.h[k]
        for node in (f"z{k}", output_id(spec, k)):
            steps.append(MatrixStep("forward", k, node, values[node]))
    values["L_i"], values["L"] = fwd.losses, np.float64(fwd.data_loss)
    if spec.l2:
        values["Omega"] = np.float64(fwd.penalty)
    values["J"] = np.float64(fwd.loss)
    for node in ("L_i", "L", "Omega", "J") if spec.l2 else ("L_i", "L", "J"):
        steps.append(MatrixStep("loss", None, node, values[node]))
    y_hat = fwd.h[L]
    G = y_hat - params.y  # column i: ∂L_i/∂z_i^{(l)} (fused) or ∂L_i/∂ŷ_i (MSE)
    if spec.fused:
        steps.append(MatrixStep("output", L, f"z{L}", G))
    else:
        steps.append(MatrixStep("output", L, "yhat", G))
        if spec.output == "softmax":  # each column: (diag(ŷ_i) − ŷ_i ŷ_iᵀ) g_i
            dots = np.array([y_hat[:, i] @ G[:, i] for i in range(m)])  # as one example's
            G = y_hat * (G - dots)
        else:
            G = G * derivative(spec.output, fwd.z[L - 1], y_hat)
        steps.append(MatrixStep("activation", L, f"z{L}", G))
    gradients: dict[str, np.ndarray] = {}
    for k in range(L, 0, -1):
        if k < L:
            G = G * derivative(spec.activation(k), fwd.z[k - 1], fwd.h[k])
            steps.append(MatrixStep("activation", k, f"z{k}", G))
        W = params.weights[k - 1]
        grad_b = G.sum(axis=1) / m
        grad_w = (G @ fwd.h[k - 1].T) / m
        if spec.l2:
            grad_w = grad_w + spec.l2 * W
        gradients[f"W{k}"], gradients[f"b{k}"] = grad_w, grad_b
        steps.append(MatrixStep("bias", k, f"b{k}", grad_b))
        steps.append(MatrixStep("weight", k, f"W{k}", grad_w))
        if k > 1:
            G = W.T @ G
            steps.append(MatrixStep("propagate", k, f"h{k - 1}", G))
    ordered = {}
    for k in range(1, L + 1):
        ordered[f"W{k}"], ordered[f"b{k}"] = gradients[f"W{k}"], gradients[f"b{k}"]
    return values, ordered, steps
