"""Clean numbers for exercises: values on a grid of exact binary fractions.

>>> grid_values(0, 1, 0.25)[0]
(0.0, 0.25, 0.5, 0.75, 1.0)
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np


def grid(
    rng: np.random.Generator,
    low: float,
    high: float,
    step: float = 1.0,
    nonzero: bool = False,
    size: int | None = None,
) -> Any:  # a float, or an array of ``size`` floats
    """Values from ``low`` to ``high`` in steps of ``step`` (exact binary fractions).

    One ``rng.integers`` call picks the positions (the same draws as ever); the grid itself
    is built once per ``(low, high, step, nonzero)`` (:func:`grid_values`).

    >>> grid(np.random.default_rng(0), -1, 1, 0.5, size=3).tolist()
    [1.0, 0.5, 0.0]
    """
    values, array = grid_values(low, high, step, nonzero)
    picks = rng.integers(0, len(values), size=size)
    if size is None:
        return values[int(picks)]
    return array[np.atleast_1d(picks)]


@lru_cache(maxsize=64)
def grid_values(
    low: float, high: float, step: float, nonzero: bool = False
) -> tuple[tuple[float, ...], np.ndarray]:
    """The grid of :func:`grid` as floats and as a read-only array: ``low + i * step``.

    >>> grid_values(-1, 1, 0.5, nonzero=True)[0]
    (-1.0, -0.5, 0.5, 1.0)
    """
    count = round((high - low) / step) + 1
    values = [float(low + i * step) for i in range(count)]
    if nonzero:
        values = [v for v in values if v != 0]
    array = np.array(values, dtype=float)
    array.setflags(write=False)
    return tuple(values), array
