"""The MLP check of a large network, linear in its parameters: directional derivatives of
every parameter array plus per-entry differences on a sample of its entries.

Checking each of P entries by its own finite difference costs P evaluations of (part of) the
network: P² work. Here each parameter array gets :data:`DIRECTIONS` directional derivatives
``∇J · D`` along random directions ``D`` with random signs and magnitudes in
[:data:`LOW`, :data:`HIGH`], each compared with five-point central differences of ``J`` along
``D`` (4 evaluations), with the relative error of every check. Every entry weighs at least
LOW in every direction, so a single wrong entry off by ε moves ``∇J · D`` by at least LOW·|ε|:
it fails the check for certain (not by chance) as soon as LOW·|ε| exceeds the tolerance times
``max(|∇J·D|, floor)``; with random signs ``|∇J·D|`` is of the order of the array's gradient's
Euclidean norm, not of its sum, so one entry is seen even among 16,000. With
several wrong entries the errors could cancel only if ``Σ ε_i D_i = 0``, which for continuous
random magnitudes happens with probability 0, in each of the independent directions. Small
entries (below that bound) are covered by the exact per-entry differences on a sample, which
always includes each array's largest entry.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..check import CheckReport, CheckRow, relative_error, verdict
from .differences import STRADDLE, entry_differences, layer_losses
from .network import Forward, forward
from .spec import MLPParams, MLPSpec

DIRECTIONS = 3  # random directions per parameter array
SAMPLE = 24  # entries per array checked one by one (the largest |g| plus random ones)
LOW, HIGH = 0.5, 1.5  # magnitudes of a direction's entries
SEED = 20240607  # fixed: the same network gives the same report every time
HALVINGS = 20  # a stencil crossing a kink is retried with half the step, this many times


def directional_check(
    spec: MLPSpec,
    params: MLPParams,
    gradients: dict[str, np.ndarray],
    tolerance: float,
    step: float,
    floor: float,
    kinks: Sequence[str] = (),
) -> CheckReport:
    """The linear-cost check (see the module docstring): one row per array and direction,
    then per array the worst sampled entry and the sampled entries whose stencil crosses a
    kink (inconclusive)."""
    rng = np.random.default_rng(SEED)
    fwd = forward(spec, params)
    rows: list[CheckRow] = []
    for k in range(1, spec.depth + 1):
        n_out, n_in = spec.layers[k], spec.layers[k - 1]
        for key in (f"W{k}", f"b{k}"):
            g = np.asarray(gradients[key], dtype=float)
            for d in range(1, DIRECTIONS + 1):
                D = rng.uniform(LOW, HIGH, g.shape) * rng.choice((-1.0, 1.0), g.shape)
                rows.append(
                    _direction_row(spec, params, fwd, k, key, g, D, d, step, tolerance, floor)
                )
        # exact differences for a sample of this layer's entries (W row-major, then b)
        size_w = n_out * n_in
        flat = np.concatenate(
            [
                np.asarray(gradients[f"W{k}"], float).reshape(-1),
                np.asarray(gradients[f"b{k}"], float),
            ]
        )
        chosen = _sample(rng, flat[:size_w], 0) + _sample(rng, flat[size_w:], size_w)
        numeric, crossed = entry_differences(spec, params, fwd, k, np.array(chosen), step)
        for part, lo, hi in ((f"W{k}", 0, size_w), (f"b{k}", size_w, size_w + n_out)):
            picked = [(i, n, c) for i, n, c in zip(chosen, numeric, crossed) if lo <= i < hi]
            rows += _entry_rows(part, picked, flat, lo, n_in, tolerance, floor, STRADDLE)
    decided = [r.rel_error for r in rows if r.status != "inconclusive" and r.rel_error is not None]
    method = (
        f"five-point central differences along {DIRECTIONS} random directions per "
        f"parameter array (random signs, magnitudes in [{LOW:g}, {HIGH:g}]: a single "
        f"wrong entry always moves the directional derivative), plus each entry of a "
        f"sample of up to {SAMPLE} per array (its largest included) on its own; h = "
        f"{step:g}; linear in the {spec.n_params} parameters"
    )
    return CheckReport(
        verdict(rows), max(decided, default=None), tolerance, method, rows, list(kinks)
    )


def _direction_row(
    spec: MLPSpec,
    params: MLPParams,
    fwd: Forward,
    k: int,
    key: str,
    g: np.ndarray,
    D: np.ndarray,
    d: int,
    step: float,
    tolerance: float,
    floor: float,
) -> CheckRow:
    """∇J·D against five-point differences of J along D (D on array ``key`` only)."""
    name = f"{key}·d{d}"
    analytic = float(np.sum(g * D))
    # how z^(k) moves along D: D h^(k-1) for a weight matrix, D itself for a bias
    dz = D @ fwd.h[k - 1] if key.startswith("W") else D
    if params.batch is not None:  # every example's z^(k) moves: (m, n_k), as _tail reads it
        dz = dz.T if key.startswith("W") else np.broadcast_to(D, (params.batch, len(D)))
    W = params.weights[k - 1]
    h = step
    for _ in range(HALVINGS + 1):
        offsets = np.array([-2.0, -1.0, 1.0, 2.0]) * h
        stencil = offsets.reshape(-1, *([1] * dz.ndim)) * dz[None]
        loss, crossed = layer_losses(spec, params, fwd, k, stencil)
        if not crossed.any():
            break
        h /= 2
    else:
        return CheckRow(
            name,
            analytic,
            None,
            None,
            "inconclusive",
            "the difference stencil crosses a kink at every step tried",
        )
    if key.startswith("W"):  # λΩ along D: λ(t⟨W, D⟩ + t²‖D‖²/2)
        loss = loss + spec.l2 * (offsets * np.sum(W * D) + 0.5 * offsets**2 * np.sum(D * D))
    numeric = float(np.dot(np.array([1.0, -8.0, 8.0, -1.0]) / (12.0 * h), loss))
    err = float(relative_error(analytic, numeric, floor))
    if not np.isfinite(numeric):
        return CheckRow(
            name,
            analytic,
            None,
            None,
            "inconclusive",
            "the oracle's value is not finite (domain edge)",
        )
    return CheckRow(name, analytic, numeric, err, "pass" if err <= tolerance else "fail")


def _sample(rng: np.random.Generator, values: np.ndarray, offset: int) -> list[int]:
    """Up to SAMPLE indices of ``values`` (plus ``offset``): the largest |value| first."""
    if len(values) <= SAMPLE:
        return [offset + i for i in range(len(values))]
    largest = int(np.argmax(np.abs(values)))
    others = rng.choice(np.delete(np.arange(len(values)), largest), SAMPLE - 1, replace=False)
    return [offset + largest] + sorted(offset + int(i) for i in others)


def _entry_rows(
    key: str,
    picked: list[tuple[int, float, bool]],
    flat: np.ndarray,
    lo: int,
    n_in: int,
    tolerance: float,
    floor: float,
    straddle: str,
) -> list[CheckRow]:
    """The worst decided sampled entry of one array, then its kink-straddling ones."""

    def name(i: int) -> str:
        i -= lo
        return f"{key}{[i // n_in, i % n_in] if key.startswith('W') else [i]}"

    decided = [(float(relative_error(flat[i], n, floor)), i, n) for i, n, c in picked if not c]
    rows = []
    if decided:
        err, i, n = max(decided, key=lambda t: (np.nan_to_num(t[0], nan=np.inf), -t[1]))
        ok = bool(err <= tolerance)
        rows.append(CheckRow(name(i), float(flat[i]), float(n), err, "pass" if ok else "fail"))
    rows += [
        CheckRow(name(i), float(flat[i]), float(n), None, "inconclusive", straddle)
        for i, n, c in picked
        if c
    ]
    return rows
