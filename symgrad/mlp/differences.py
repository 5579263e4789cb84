"""Finite differences of an MLP's loss, shared by both checks (:mod:`.numeric`, every entry;
:mod:`.directional`, directions and a sample): a perturbation of layer ``k``'s parameters only
moves ``z^{(k)}``, so each perturbed row starts there and runs the rest of the network.
"""

from __future__ import annotations

import numpy as np

from .network import Forward, activate, data_loss, kink_points
from .spec import MLPParams, MLPSpec

FD_STEP = 1e-4  # five-point central differences: truncation ~h⁴, rounding ~1e-12
SCALE_FLOOR = 1e-4  # relative error = |a - n| / max(|a|, |n|, SCALE_FLOOR · max(1, |J|))
FD_CHUNK = 4096  # perturbed rows evaluated per NumPy call
STRADDLE = "the difference stencil crosses a kink"


def scale_floor(objective: float) -> float:
    """The relative error's floor for gradients of ``J``: it grows with ``|J|`` because the
    rounding error of a finite difference does (about ε|J|/h)."""
    return SCALE_FLOOR * max(1.0, abs(float(objective)))


def _tail(spec: MLPSpec, params: MLPParams, k: int, Z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Data loss for a stack of pre-activations ``Z`` at layer ``k`` (rows), plus kink sides.

    ``Z`` is (rows, n_k) for one example, (rows, m, n_k) for a mini-batch (examples along
    the middle axis), whose loss is the mean over its examples. Returns
    ``(loss per row, sides)``; ``sides`` is a (rows, ·) array of signs of every hidden
    pre-activation from layer ``k`` on relative to each of its kinks.
    """
    sides = []
    for m in range(k, spec.depth + 1):
        name = spec.activation(m)
        if m < spec.depth:
            for point in kink_points(name):
                sides.append(np.sign(Z - point).reshape(len(Z), -1))
            Z = activate(name, Z) @ params.weights[m].T + params.biases[m]
    y = params.y if params.batch is None else params.y.T
    loss = data_loss(spec, Z, activate(spec.output, Z) if spec.loss == "mse" else None, y)
    if params.batch is not None:
        loss = loss.mean(axis=-1)
    side = np.concatenate(sides, axis=1) if sides else np.zeros((len(Z), 0))
    return loss, side


def base_rows(params: MLPParams, z: np.ndarray) -> np.ndarray:
    """``z^{(k)}`` as :func:`_tail` reads it: (n_k,) for one example, Zᵀ (m, n_k) for a batch."""
    return z if params.batch is None else z.T


def layer_losses(
    spec: MLPSpec, params: MLPParams, fwd: Forward, k: int, dZ: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Data loss with ``z^{(k)}`` moved by each row of ``dZ`` (in chunks of FD_CHUNK rows),
    and for each row whether it puts a hidden pre-activation from layer ``k`` on another side
    of one of its kinks than the unperturbed point does."""
    base = base_rows(params, fwd.z[k - 1])
    _, base_side = _tail(spec, params, k, base[None])
    values, crossed = [], []
    chunk = max(1, FD_CHUNK // (params.batch or 1))
    for start in range(0, len(dZ), chunk):
        loss, side = _tail(spec, params, k, base + dZ[start : start + chunk])
        values.append(loss)
        crossed.append(np.any(side != base_side, axis=1))
    return np.concatenate(values), np.concatenate(crossed)


def entry_differences(
    spec: MLPSpec,
    params: MLPParams,
    fwd: Forward,
    k: int,
    indices: np.ndarray,
    step: float = FD_STEP,
) -> tuple[np.ndarray, np.ndarray]:
    """Five-point central differences of ``J`` for the entries ``indices`` of layer ``k``'s
    parameters (``W^{(k)}`` row-major, then ``b^{(k)}``), and whether each one's stencil
    crosses a kink.

    Changing ``W^{(k)}_{ji}`` by ``δ`` changes ``z^{(k)}_j`` by ``δ h^{(k-1)}_i`` and nothing
    below, so each row starts from the unperturbed ``z^{(k)}`` and runs the rest of the
    network."""
    n_out, n_in = spec.layers[k], spec.layers[k - 1]
    indices = np.asarray(indices, dtype=int)
    is_w = indices < n_out * n_in
    w_rows = np.flatnonzero(is_w)
    b_rows = np.flatnonzero(~is_w)
    if params.batch is None:
        direction = np.zeros((len(indices), n_out))  # each entry's direction in z^{(k)}
        direction[w_rows, indices[w_rows] // n_in] = fwd.h[k - 1][indices[w_rows] % n_in]
        direction[b_rows, indices[b_rows] - n_out * n_in] = 1.0
    else:  # every example's z^{(k)} moves: row j of Z by δ times row i of H^{(k-1)}
        direction = np.zeros((len(indices), params.batch, n_out))
        direction[w_rows, :, indices[w_rows] // n_in] = fwd.h[k - 1][indices[w_rows] % n_in]
        direction[b_rows, :, indices[b_rows] - n_out * n_in] = 1.0
    w_flat = params.weights[k - 1].reshape(-1)
    w_value = np.where(is_w, w_flat[np.minimum(indices, n_out * n_in - 1)], 0.0)
    total = np.zeros(len(indices))
    crossed = np.zeros(len(indices), dtype=bool)
    for off, coef in zip(
        np.array([-2.0, -1.0, 1.0, 2.0]) * step, np.array([1.0, -8.0, 8.0, -1.0]) / (12.0 * step)
    ):
        loss, moved = layer_losses(spec, params, fwd, k, off * direction)
        # λΩ changes by λ((w+δ)² − w²)/2 for a weight entry; biases carry no penalty
        total += coef * (loss + spec.l2 * is_w * (w_value * off + 0.5 * off * off))
        crossed |= moved
    return total, crossed
