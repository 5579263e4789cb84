"""One judged quantity: the tolerance of an answer and the closeness rule, by hand."""

import pytest

from symgrad.grading.judgement import close, tolerance


@pytest.mark.parametrize(
    "value, expected",
    [(0.2, 2e-4), (100.0, 0.1), (-100.0, 0.1), (0.0, 1e-9)],
)
def test_tolerance_is_relative_with_a_floor(value, expected):
    assert tolerance(value) == pytest.approx(expected)


def test_four_significant_figures_are_close_three_wrong_ones_are_not():
    assert close(0.1966, 0.19661193)
    assert close(-0.3932, -0.39322386)
    assert not close(0.21, 0.2)
    assert not close(-0.1966, 0.1966)  # a sign slip is never close
    assert close(0.0, 0.0) and not close(1e-3, 0.0)
