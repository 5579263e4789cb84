"""The MLP's finite-difference check: every weight and bias entry, vectorized per layer.

It returns the one :class:`symgrad.check.CheckReport`: one row per parameter array for its
worst checked entry (named like ``W2[1, 0]``, NumPy indices) and one *inconclusive* row per
entry whose difference stencil crosses a kink.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..check import CheckReport, relative_error, report
from .differences import FD_STEP as FD_STEP
from .differences import SCALE_FLOOR, STRADDLE, entry_differences
from .differences import scale_floor as scale_floor
from .directional import directional_check
from .network import forward
from .spec import MLPParams, MLPSpec

CHECK_TOLERANCE = 1e-6
FULL_CHECK_LIMIT = 1000  # parameters up to which every entry is differenced on its own


def numeric_gradients(
    spec: MLPSpec, params: MLPParams, step: float = FD_STEP
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Five-point central differences of ``J`` for every weight and bias, vectorized.

    All perturbations of layer ``k`` form one batch (:func:`entry_differences`). Returns
    ``(grads, straddles)``: gradients by key and a boolean mask per key marking entries whose
    stencil crosses a kink: some perturbed row puts a hidden pre-activation on another side
    of one of its kinks (below, at or above) than the unperturbed point does. A unit sitting
    at a kink thus only blocks the parameters that actually move it. Costs P evaluations of
    the network's tail: :func:`check_gradients` uses it up to FULL_CHECK_LIMIT parameters.
    """
    fwd = forward(spec, params)
    grads, straddles = {}, {}
    for k in range(1, spec.depth + 1):
        n_out, n_in = spec.layers[k], spec.layers[k - 1]
        total, crossed = entry_differences(
            spec, params, fwd, k, np.arange(n_out * n_in + n_out), step
        )
        grads[f"W{k}"] = total[: n_out * n_in].reshape(n_out, n_in)
        grads[f"b{k}"] = total[n_out * n_in :]
        straddles[f"W{k}"] = crossed[: n_out * n_in].reshape(n_out, n_in)
        straddles[f"b{k}"] = crossed[n_out * n_in :]
    return grads, straddles


def compare(
    gradients: dict[str, np.ndarray],
    oracle: dict[str, np.ndarray],
    method: str,
    tolerance: float,
    floor: float,
    straddles: dict[str, np.ndarray] | None = None,
    kinks: Sequence[str] = (),
) -> CheckReport:
    """A :class:`CheckReport` of parameter arrays against an oracle's arrays: per array one
    row for its worst entry outside ``straddles``, and one inconclusive row per entry in it."""
    names, analytic, numeric, undecided = [], [], [], {}
    for key, other in oracle.items():
        mine = np.asarray(gradients[key], dtype=float)
        other = np.asarray(other, dtype=float)
        skip = np.zeros(mine.shape, bool) if straddles is None else straddles[key]
        error = np.where(
            skip, -np.inf, np.nan_to_num(relative_error(mine, other, floor), nan=np.inf)
        )
        entries = [] if skip.all() else [np.unravel_index(int(np.argmax(error)), mine.shape)]
        entries += list(zip(*np.nonzero(skip)))
        for index in entries:
            name = f"{key}{list(map(int, index))}"
            names.append(name)
            analytic.append(mine[index])
            numeric.append(other[index])
            if skip[index]:
                undecided[name] = STRADDLE
    return report(
        names, np.array(analytic), np.array(numeric), method, tolerance, floor, undecided, kinks
    )


def check_gradients(
    spec: MLPSpec,
    params: MLPParams,
    gradients: dict[str, np.ndarray],
    tolerance: float = CHECK_TOLERANCE,
    kinks: Sequence[str] = (),
) -> CheckReport:
    """Compare ``gradients`` with finite differences; kink-straddling entries are
    inconclusive, which makes an otherwise passing check inconclusive (``passed`` None).

    Up to :data:`FULL_CHECK_LIMIT` parameters every entry is differenced on its own
    (:func:`numeric_gradients`); above, the cost would grow as P², and the check is
    :func:`symgrad.mlp.directional.directional_check` (linear): directional derivatives of
    every array plus a sample of entries. The report's method says which ran."""
    floor = scale_floor(forward(spec, params).loss)
    if spec.n_params > FULL_CHECK_LIMIT:
        return directional_check(spec, params, gradients, tolerance, FD_STEP, floor, kinks)
    numeric, straddles = numeric_gradients(spec, params)
    method = (
        f"five-point central differences, h = {FD_STEP:g}, vectorized per layer; "
        f"relative error |a − n| / max(|a|, |n|, {SCALE_FLOOR:g}·max(1, |J|))"
    )
    return compare(gradients, numeric, method, tolerance, floor, straddles, kinks)
