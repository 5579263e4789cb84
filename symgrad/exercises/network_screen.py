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

from typing import TYPE_CHECKING

import numpy as np

from .base import Rejected

if TYPE_CHECKING:
    from ..mlp.spec import MLPSpec

SATURATION = 3.0  # a smooth hidden activation's |z| above this is saturated: rejected
CONFIDENT = 0.9  # a target of 1 predicted above this: ŷ − y cancels (rejected)
MAX_LOGIT = 6.0  # |output logit| above this: rejected (with CE)


def screen(spec: MLPSpec, arrays: dict[str, np.ndarray], margin: float) -> None:
    """Raise :class:`Rejected` if the forward values of ``arrays`` (``W1, b1, ..., x, y`` as
    float arrays, one example) break a rule of the kind; ``margin`` is the kink margin."""
    from ..mlp.network import activate, derivative, kink_points

    h = arrays["x"]
    for k in range(1, spec.depth + 1):
        z = arrays[f"W{k}"] @ h + arrays[f"b{k}"]
        name = spec.activation(k)
        h = activate(name, z)
        if k == spec.depth:
            break
        kinks = kink_points(name)
        if not kinks:
            if np.max(np.abs(z)) > SATURATION:
                raise Rejected("saturated hidden unit")
            continue
        if any(np.any(np.abs(z - point) <= margin) for point in kinks):
            raise Rejected("kink")  # teaching_flaw's first rule (near_kinks within margin)
        if np.mean(derivative(name, z, h) != 0) < 0.5:
            raise Rejected("dead units")
    if spec.loss == "ce":
        y = arrays["y"]
        if np.any(np.abs(h - y)[y == 1] < 1 - CONFIDENT):
            raise Rejected("a target predicted almost surely: ŷ − y would cancel")
        if np.max(np.abs(z)) > MAX_LOGIT:
            raise Rejected("an output logit too large to carry in 3 significant figures")
