"""Grid values for exercises: the same draws as the list-building original, faster."""

import numpy as np
import pytest

from symgrad.exercises.grid import grid, grid_values


def _original(rng, low, high, step=1.0, nonzero=False, size=None):
    """The grid as first written: a list per call (the oracle)."""
    count = round((high - low) / step) + 1
    values = [low + i * step for i in range(count)]
    if nonzero:
        values = [v for v in values if v != 0]
    picks = rng.integers(0, len(values), size=size)
    if size is None:
        return float(values[int(picks)])
    return np.array([values[int(i)] for i in np.atleast_1d(picks)], dtype=float)


CASES = [(-1.5, 1.5, 0.5, True), (-1, 1, 0.5, False), (-3, 3, 0.25, False), (-2, 2, 1.0, True)]


@pytest.mark.parametrize(("low", "high", "step", "nonzero"), CASES)
@pytest.mark.parametrize("size", [None, 1, 4, 12])
def test_same_draws_as_the_original(low, high, step, nonzero, size):
    ours, theirs = np.random.default_rng(5), np.random.default_rng(5)
    for _ in range(50):
        got = grid(ours, low, high, step, nonzero, size)
        want = _original(theirs, low, high, step, nonzero, size)
        if size is None:
            assert type(got) is float and got == want
        else:
            assert got.dtype == float and got.tolist() == want.tolist()
    assert ours.integers(1 << 30) == theirs.integers(1 << 30)  # the streams stay in step


def test_values_and_a_fresh_array_per_draw():
    values, array = grid_values(-1, 1, 0.5, True)
    assert values == (-1.0, -0.5, 0.5, 1.0) and not array.flags.writeable
    drawn = grid(np.random.default_rng(0), -1, 1, 0.5, True, size=3)
    drawn[0] = 7.0  # a caller may change its draw without touching the grid
    assert grid_values(-1, 1, 0.5, True)[0] == (-1.0, -0.5, 0.5, 1.0)
