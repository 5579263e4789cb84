"""The lecture's network as math: forward loop, layer graph, reverse pass, matrix-form steps.

The layer graph with its VJP rules is :mod:`.layer_graph`; the matrix-form derivation's lines
(:class:`symgrad.mlp.steps.MatrixStep`) only name which value each line shows: how a line
reads is the renderer's business (:mod:`symgrad.render.views.mlp`).

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
from dataclasses import dataclass
from typing import cast

import numpy as np

from .. import ops
from ..errors import SymgradError
from .spec import MAX_BATCH, MLPParams, MLPSpec


def softmax(z: np.ndarray) -> np.ndarray:
    """Softmax over the last axis; subtracts the max before ``exp``."""
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return cast(np.ndarray, e / e.sum(axis=-1, keepdims=True))


def _logsumexp(z: np.ndarray) -> np.ndarray:
    m = z.max(axis=-1, keepdims=True)
    return cast(np.ndarray, (m + np.log(np.exp(z - m).sum(axis=-1, keepdims=True)))[..., 0])


def activate(name: str, z: np.ndarray) -> np.ndarray:
    """``g(z)`` for an activation op, or softmax over the last axis."""
    return softmax(z) if name == "softmax" else cast(np.ndarray, ops.get(name).numpy(z))


def derivative(name: str, z: np.ndarray, h: np.ndarray) -> np.ndarray:
    """Elementwise ``g'(z)`` of an activation op, from ``z`` and ``h = g(z)``."""
    rule = ops.get(name).derivative
    if rule is None:
        raise ValueError(f"{name} has no derivative rule for arrays")
    return np.asarray(rule(z, h), dtype=float)


def data_loss(
    spec: MLPSpec, z_out: np.ndarray, y_hat: np.ndarray | None, y: np.ndarray
) -> np.ndarray:
    """Loss over the last axis; CE is computed from ``z^{(L)}`` (log-sum-exp / softplus)."""
    if spec.loss == "mse":
        return cast(np.ndarray, 0.5 * ((y - y_hat) ** 2).sum(axis=-1))
    if spec.output == "softmax":  # −Σ y log softmax(z) = Σy · lse(z) − y·z
        return cast(np.ndarray, y.sum(axis=-1) * _logsumexp(z_out) - (z_out * y).sum(axis=-1))
    # −Σ [y log σ(z) + (1−y) log(1−σ(z))] = Σ [y ζ(−z) + (1−y) ζ(z)]
    loss = (y * np.logaddexp(0.0, -z_out) + (1 - y) * np.logaddexp(0.0, z_out)).sum(axis=-1)
    return cast(np.ndarray, loss)


# --------------------------------------------------------------------------- forward


@dataclass(frozen=True)
class Forward:
    """Forward values: ``z[k-1]`` is ``z^{(k)}``, ``h[k]`` is ``h^{(k)}`` (``h[0] = x``)."""

    z: tuple[np.ndarray, ...]
    h: tuple[np.ndarray, ...]
    data_loss: float  # a batch: the mean of the examples' losses
    penalty: float  # Ω = ½ Σ ‖W‖², not yet multiplied by λ
    loss: float  # J = L + λΩ
    losses: np.ndarray | None = None  # a batch: each example's loss L_i

    @property
    def output(self) -> np.ndarray:
        return self.h[-1]


def forward(spec: MLPSpec, params: MLPParams) -> Forward:
    """The lecture's forward loop, vectorized; for a mini-batch (``params.batch``) on the
    columns of ``X``: ``Z = W H + b 1ᵀ``, ``H = g(Z)`` column by column, ``L`` the mean loss."""
    batch = params.batch is not None
    h = [params.x]
    zs = []
    for k in range(1, spec.depth + 1):
        bias = params.biases[k - 1]
        z = params.weights[k - 1] @ h[-1] + (bias[:, None] if batch else bias)
        zs.append(z)
        name = spec.activation(k)
        h.append(activate(name, z.T).T if batch else activate(name, z))
    penalty = 0.5 * float(sum((w * w).sum() for w in params.weights))
    if not batch:
        loss = float(data_loss(spec, zs[-1], h[-1], params.y))
        return Forward(tuple(zs), tuple(h), loss, penalty, loss + spec.l2 * penalty)
    losses = np.asarray(data_loss(spec, zs[-1].T, h[-1].T, params.y.T), dtype=float)
    loss = float(np.mean(losses))
    return Forward(tuple(zs), tuple(h), loss, penalty, loss + spec.l2 * penalty, losses)


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


def random_params(spec: MLPSpec, seed: int, batch: int | None = None) -> MLPParams:
    """Small teaching values from ``numpy.random.default_rng(seed)``, on a grid of tenths.

    Weights in [−0.9, 0.9], biases in [−0.5, 0.5], x in [−1, 1]; y one-hot for a softmax
    output, 0/1 labels for sigmoid with CE, tenths in [0, 1] (sigmoid) or [−1, 1] (linear)
    for MSE. Draws are repeated (deterministically) until :func:`teaching_flaw` finds
    nothing at a margin of 0.01, so generated instances never sit on a kink and are not
    mostly zeros. ``batch = m`` draws m examples (the columns of X and Y) one after the
    other, so ``batch=1`` draws the same numbers as a single example.
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise SymgradError(f"seed: expected an integer ≥ 0, got {seed!r}")
    if batch is not None and (
        isinstance(batch, bool)
        or not isinstance(batch, (int, np.integer))
        or not 1 <= batch <= MAX_BATCH
    ):
        raise SymgradError(f"batch: m must be from 1 to {MAX_BATCH} examples, got {batch!r}")
    rng = np.random.default_rng(int(seed))
    n = spec.layers
    rows = () if batch is None else (batch,)
    for _ in range(100):
        weights = tuple(rng.integers(-9, 10, size=(n[k], n[k - 1])) / 10 for k in range(1, len(n)))
        biases = tuple(rng.integers(-5, 6, size=n[k]) / 10 for k in range(1, len(n)))
        x = rng.integers(-10, 11, size=(*rows, n[0])) / 10
        if spec.output == "softmax":
            y = np.zeros((*rows, n[-1]))
            hot = rng.integers(n[-1], size=rows)
            if batch is None:
                y[hot] = 1.0
            else:
                y[np.arange(batch), hot] = 1.0
        elif spec.output == "sigmoid" and spec.loss == "ce":
            y = rng.integers(0, 2, size=(*rows, n[-1])).astype(float)
        elif spec.output == "sigmoid":
            y = rng.integers(0, 11, size=(*rows, n[-1])) / 10
        else:
            y = rng.integers(-10, 11, size=(*rows, n[-1])) / 10
        params = MLPParams(weights, biases, x.T, y.T)
        if batch is not None and batch > 1:  # redraw the inputs of examples at a kink
            params = _clear_kinks(spec, params, rng)
        if teaching_flaw(spec, forward(spec, params), 0.01) is None:
            return params
    return params


def _clear_kinks(spec: MLPSpec, params: MLPParams, rng: np.random.Generator) -> MLPParams:
    """A batch with each example whose hidden pre-activations come within 0.01 of a kink
    given new inputs (up to 20 times): with m examples a kink somewhere is likely, and
    redrawing the whole network for it would rarely end."""
    x = params.x.copy()
    for _ in range(20):
        fwd = forward(spec, MLPParams(params.weights, params.biases, x, params.y))
        bad = sorted({k.example - 1 for k in near_kinks(spec, fwd, 0.01) if k.example})
        if not bad:
            break
        x[:, bad] = rng.integers(-10, 11, size=(len(bad), x.shape[0])).T / 10
    return MLPParams(params.weights, params.biases, x, params.y)


def teaching_flaw(spec: MLPSpec, fwd: Forward, margin: float) -> str | None:
    """Why these forward values make a poor worked example, or None if they are fine.

    ``"kink"``: a hidden pre-activation lies within ``margin`` of a kink of its activation;
    ``"dead units"``: a kinked layer passes gradient through fewer than half its units (a
    batch: its entries), or, in a batch of m > 1, one of its units passes nothing for
    every example (m = 1 draws as one example does).
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
        if not kink_points(name):
            continue
        passing = derivative(name, fwd.z[k - 1], fwd.h[k]) != 0
        if (
            np.mean(passing) < 0.5
            or passing.ndim == 2
            and passing.shape[1] > 1
            and not passing.any(axis=1).all()
        ):
            return "dead units"  # a batch: also a unit that passes nothing for any example
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
    example: int | None = None  # a batch: the example (1-based column of Z)

    @property
    def name(self) -> str:
        """``z^(2)_3``, or ``Z^(2)_3,1`` (unit 3, example 1) in a batch."""
        if self.example is None:
            return f"z^({self.layer})_{self.unit}"
        return f"Z^({self.layer})_{self.unit},{self.example}"

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "layer": self.layer,
            "unit": self.unit,
            "z": self.z,
            "activation": self.activation,
            "derivative_used": self.derivative_used,
        }
        if self.example is not None:
            out["example"] = self.example
        return out


def near_kinks(spec: MLPSpec, fwd: Forward, tol: float = 0.0) -> list[Kink]:
    """Hidden pre-activations within ``tol`` of a kink of their activation (0: exactly on)."""
    found = []
    for k in range(1, spec.depth):
        name = spec.activation(k)
        for point in kink_points(name):
            for where in np.argwhere(np.abs(fwd.z[k - 1] - point) <= tol):
                at = tuple(int(i) for i in where)
                z, h = np.atleast_1d(fwd.z[k - 1][at]), np.atleast_1d(fwd.h[k][at])
                example = at[1] + 1 if len(at) == 2 else None
                used = float(derivative(name, z, h)[0])
                found.append(Kink(k, at[0] + 1, float(z[0]), name, used, example))
    return sorted(found, key=lambda kink: (kink.layer, kink.unit, kink.example or 0))


def output_id(spec: MLPSpec, k: int) -> str:
    """The id of layer ``k``'s output: ``x`` (k = 0), ``h1``, ..., ``yhat`` (k = L)."""
    return "x" if k == 0 else "yhat" if k == spec.depth else f"h{k}"
