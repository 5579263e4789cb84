"""The ``mlp`` kind's cheap test of a draw, before anything is built from it.

Most draws of an MLP exercise's numbers are rejected by the rules on the forward values
alone (a hidden pre-activation near a kink, dead ReLU units, a saturated smooth unit, a
confident or huge output under cross-entropy): 26 of 27 draws for the lecture's 3-4-3-2
network. :func:`screen` applies those rules to the drawn arrays directly, layer by layer,
and stops at the first layer that breaks one, so a rejected draw costs a few small NumPy
operations, not the validation of a parameter file, a full forward pass and its records.

It rejects only draws that :func:`symgrad.exercises.network.exercise_for` rejects too: it
computes the same values with the same operations (``W @ h + b``, the op records' forward
and derivative) and applies the same comparisons as :func:`symgrad.mlp.teaching_flaw` and
the kind's own rules. A draw it lets through goes through ``exercise_for`` in full, which
decides; so the accepted draws, and every version's numbers, are those of the full test.

>>> from symgrad.mlp.spec import make_spec
>>> spec = make_spec([2, 2, 2], ["relu"])
>>> near = {"W1": np.eye(2), "b1": np.array([0.1, 1.0]), "x": np.array([0.0, 0.0]),
...         "W2": np.eye(2), "b2": np.zeros(2), "y": np.array([1.0, 0.0])}
>>> screen(spec, near, 0.2)
Traceback (most recent call last):
...
symgrad.exercises.base.Rejected: kink
"""

from __future__ import annotations

import math
from functools import cache
from typing import TYPE_CHECKING

import numpy as np

from .base import GUESSES, MAX_ANSWER, MIN_ANSWER, Rejected

if TYPE_CHECKING:
    from ..mlp.spec import MLPSpec

SATURATION = 3.0  # a smooth hidden activation's |z| above this is saturated: rejected
CONFIDENT = 0.9  # a target of 1 predicted above this: ŷ − y cancels (rejected)
MAX_LOGIT = 6.0  # |output logit| above this: rejected (with CE)
ROUNDING = 1e-9  # relative room :func:`surely_unclean` leaves for last-bit differences


def screen(
    spec: MLPSpec, arrays: dict[str, np.ndarray], margin: float, out: int | None = None
) -> None:
    """Raise :class:`Rejected` if the forward values of ``arrays`` (``W1, b1, ..., x, y`` as
    float arrays, one example) break a rule of the kind; ``margin`` is the kink margin.
    With ``out`` (the index j of the ŷ_j asked), also when J or ŷ_j is surely a blank the
    kind refuses (:func:`surely_unclean`)."""
    from ..mlp.network import activate, data_loss, derivative

    h = arrays["x"]
    for k in range(1, spec.depth + 1):
        z = arrays[f"W{k}"] @ h + arrays[f"b{k}"]
        name = spec.activation(k)
        h = activate(name, z)
        if k == spec.depth:
            break
        kinks = _kink_points(name)
        if not kinks:
            if np.abs(z).max() > SATURATION:
                raise Rejected("saturated hidden unit")
            continue
        for point in kinks:  # teaching_flaw's first rule (near_kinks within the margin)
            if (np.abs(z - point) <= margin).any():
                raise Rejected("kink")
        # fewer than half the units pass gradient (teaching_flaw: mean(g' != 0) < 0.5)
        if 2 * np.count_nonzero(derivative(name, z, h)) < z.size:
            raise Rejected("dead units")
    if spec.loss == "ce":
        y = arrays["y"]
        if (np.abs(h - y)[y == 1] < 1 - CONFIDENT).any():
            raise Rejected("a target predicted almost surely: ŷ − y would cancel")
        if np.abs(z).max() > MAX_LOGIT:
            raise Rejected("an output logit too large to carry in 3 significant figures")
    if out is None:
        return
    penalty = 0.5 * float(sum((w * w).sum() for key, w in arrays.items() if key[0] == "W"))
    loss = float(data_loss(spec, z, h, arrays["y"])) + spec.l2 * penalty  # as forward()
    if surely_unclean(loss):
        raise Rejected("J is near 0 or ±1, or not a clean number")
    if surely_unclean(float(h[out])):
        raise Rejected(f"yhat{out + 1} is near 0 or ±1, or not a clean number")


def surely_unclean(value: float) -> bool:
    """Whether :func:`~.base.clean` or the near-guess rule (within 10 % of 0 or ±1) rejects
    ``value`` with room to spare: by more than :data:`ROUNDING` (relative), since the full
    test reads the numbers of ``run_mlp``'s layer graph, which may differ from these in the
    last bits. Not finite: left to the full test.

    >>> surely_unclean(0.5), surely_unclean(0.95), surely_unclean(0.01), surely_unclean(0.9)
    (False, True, True, False)
    """
    if not math.isfinite(value):
        return False
    size = abs(value)
    slack = ROUNDING * max(1.0, size)
    if size < MIN_ANSWER - slack or size > MAX_ANSWER + slack:
        return True
    return any(abs(value - guess) <= 0.1 * size - slack for guess in GUESSES)


@cache
def _kink_points(name: str) -> tuple[float, ...]:
    """:func:`symgrad.mlp.network.kink_points`, once per activation."""
    from ..mlp.network import kink_points

    return kink_points(name)
