"""The lecture's loops as lines: :class:`MatrixStep` (which quantity a line computes, and its
value) and the single-example steps read from the layer graph's reverse pass
(:func:`matrix_steps`); :mod:`.batch` builds the mini-batch ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .network import output_id
from .spec import MLPSpec


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
    value: np.ndarray | np.float64

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(np.shape(self.value))


def matrix_steps(
    spec: MLPSpec, values: dict[str, Any], adjoints: dict[str, Any]
) -> list[MatrixStep]:
    """The forward loop, the loss, then the lecture's backward loop, one step per line."""
    L = spec.depth
    steps: list[MatrixStep] = []
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
