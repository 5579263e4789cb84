"""The MLP's finite-difference check: every weight and bias entry, vectorized per layer.

It returns the one :class:`symgrad.check.CheckReport`: one row per parameter array for its
worst checked entry (named like ``W2[1, 0]``, NumPy indices) and one *inconclusive* row per
entry whose difference stencil crosses a kink.
"""

from __future__ import annotations

import numpy as np

from .. import ops
from ..check import CheckReport, relative_error, report
from .network import activate, data_loss, forward
from .spec import MLPParams, MLPSpec

FD_STEP = 1e-4  # five-point central differences: truncation ~h⁴, rounding ~1e-12
CHECK_TOLERANCE = 1e-6
SCALE_FLOOR = 1e-4  # relative error = |a - n| / max(|a|, |n|, SCALE_FLOOR · max(1, |J|))
FD_CHUNK = 4096  # perturbed rows evaluated per NumPy call
STRADDLE = "the difference stencil crosses a kink"


def scale_floor(objective: float) -> float:
    """The relative error's floor for gradients of ``J``: it grows with ``|J|`` because the
    rounding error of a finite difference does (about ε|J|/h)."""
    return SCALE_FLOOR * max(1.0, abs(float(objective)))


def _tail(spec: MLPSpec, params: MLPParams, k: int, Z: np.ndarray):
    """Data loss for a batch of pre-activations ``Z`` at layer ``k`` (rows), plus kink sides.

    Returns ``(loss per row, sides)``; ``sides`` is a (rows, m) array of signs of every hidden
    pre-activation from layer ``k`` on relative to each of its kinks.
    """
    sides = []
    for m in range(k, spec.depth + 1):
        name = spec.activation(m)
        if m < spec.depth:
            for point in ops.kink_points(name):
                sides.append(np.sign(Z - point))
            Z = activate(name, Z) @ params.weights[m].T + params.biases[m]
    loss = data_loss(spec, Z, activate(spec.output, Z) if spec.loss == "mse" else None,
                     params.y)
    side = np.concatenate(sides, axis=1) if sides else np.zeros((len(Z), 0))
    return loss, side


def numeric_gradients(spec: MLPSpec, params: MLPParams, step: float = FD_STEP):
    """Five-point central differences of ``J`` for every weight and bias, vectorized.

    All perturbations of layer ``k`` form one batch: changing ``W^{(k)}_{ji}`` by ``δ`` changes
    ``z^{(k)}_j`` by ``δ h^{(k-1)}_i`` and nothing below, so each batch row starts from the
    unperturbed ``z^{(k)}`` and runs the rest of the network. Returns ``(grads, straddles)``:
    gradients by key and a boolean mask per key marking entries whose stencil crosses a kink:
    some perturbed row puts a hidden pre-activation on another side of one of its kinks (below,
    at or above) than the unperturbed point does. A unit sitting at a kink thus only blocks the
    parameters that actually move it.
    """
    fwd = forward(spec, params)
    offsets = np.array([-2.0, -1.0, 1.0, 2.0]) * step
    weights = np.array([1.0, -8.0, 8.0, -1.0]) / (12.0 * step)
    grads, straddles = {}, {}
    for k in range(1, spec.depth + 1):
        n_out, n_in = spec.layers[k], spec.layers[k - 1]
        # direction of each parameter in z^{(k)}: W rows first (row-major), then b
        direction = np.zeros((n_out * n_in + n_out, n_out))
        rows = np.arange(n_out * n_in)
        direction[rows, rows // n_in] = np.tile(fwd.h[k - 1], n_out)
        direction[n_out * n_in + np.arange(n_out), np.arange(n_out)] = 1.0
        w_flat = np.concatenate([params.weights[k - 1].reshape(-1), np.zeros(n_out)])
        is_w = np.concatenate([np.ones(n_out * n_in), np.zeros(n_out)])
        total = np.zeros(len(direction))
        crossed = np.zeros(len(direction), dtype=bool)
        _, base_side = _tail(spec, params, k, fwd.z[k - 1][None, :])
        for off, coef in zip(offsets, weights):
            values, sides = [], []
            for start in range(0, len(direction), FD_CHUNK):
                block = direction[start:start + FD_CHUNK]
                loss, side = _tail(spec, params, k, fwd.z[k - 1] + off * block)
                values.append(loss)
                sides.append(side)
            # λΩ changes by λ((w+δ)² − w²)/2 for a weight entry; biases carry no penalty
            loss = np.concatenate(values) + spec.l2 * is_w * (w_flat * off + 0.5 * off * off)
            total += coef * loss
            crossed |= np.any(np.concatenate(sides) != base_side, axis=1)
        grads[f"W{k}"] = total[:n_out * n_in].reshape(n_out, n_in)
        grads[f"b{k}"] = total[n_out * n_in:]
        straddles[f"W{k}"] = crossed[:n_out * n_in].reshape(n_out, n_in)
        straddles[f"b{k}"] = crossed[n_out * n_in:]
    return grads, straddles


def compare(gradients: dict, oracle: dict, method: str, tolerance: float, floor: float,
            straddles: dict | None = None, kinks=()) -> CheckReport:
    """A :class:`CheckReport` of parameter arrays against an oracle's arrays: per array one
    row for its worst entry outside ``straddles``, and one inconclusive row per entry in it."""
    names, analytic, numeric, undecided = [], [], [], {}
    for key, other in oracle.items():
        mine = np.asarray(gradients[key], dtype=float)
        other = np.asarray(other, dtype=float)
        skip = np.zeros(mine.shape, bool) if straddles is None else straddles[key]
        error = np.where(skip, -np.inf, np.nan_to_num(relative_error(mine, other, floor),
                                                      nan=np.inf))
        entries = [] if skip.all() else [np.unravel_index(int(np.argmax(error)), mine.shape)]
        entries += list(zip(*np.nonzero(skip)))
        for index in entries:
            name = f"{key}{list(map(int, index))}"
            names.append(name)
            analytic.append(mine[index])
            numeric.append(other[index])
            if skip[index]:
                undecided[name] = STRADDLE
    return report(names, np.array(analytic), np.array(numeric), method, tolerance, floor,
                  undecided, kinks)


def check_gradients(spec: MLPSpec, params: MLPParams, gradients: dict[str, np.ndarray],
                    tolerance: float = CHECK_TOLERANCE, kinks=()) -> CheckReport:
    """Compare ``gradients`` with :func:`numeric_gradients`; kink-straddling entries are
    inconclusive, which makes an otherwise passing check inconclusive (``passed`` None)."""
    numeric, straddles = numeric_gradients(spec, params)
    floor = scale_floor(forward(spec, params).loss)
    method = (f"five-point central differences, h = {FD_STEP:g}, vectorized per layer; "
              f"relative error |a − n| / max(|a|, |n|, {SCALE_FLOOR:g}·max(1, |J|))")
    return compare(gradients, numeric, method, tolerance, floor, straddles, kinks)
