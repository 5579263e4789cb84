"""Numbers for people: significant digits, no -0, answers that never go to exponent form, and
matrices elided when large. Expected strings are written by hand."""

import numpy as np
import pytest

from symgrad.render.numbers import (
    ANSWER_DIGITS,
    bmatrix,
    denoised,
    error_tex,
    error_text,
    mat_latex,
    num,
    number,
    paren,
    parenthesized,
    tex_number,
    text_matrix,
    vec_latex,
)


@pytest.mark.parametrize(
    "x, digits, shown",
    [
        (0.1 + 0.2, 6, "0.3"),  # float noise is not shown
        (-0.0, 6, "0"),  # never "-0"
        (1234567.891, 4, "1.235e+06"),
        (2.0, 6, "2"),  # no trailing zeros
        (-0.19661193, 4, "-0.1966"),
    ],
)
def test_number_shows_significant_digits(x, digits, shown):
    assert number(x, digits) == shown


def test_tex_number_and_errors():
    assert tex_number(1.2e-5) == r"1.2 \times 10^{-5}"
    assert tex_number(0.5) == "0.5"
    assert error_text(1.234e-9) == "1.2e-09"
    assert error_text(None) == "-"
    assert error_tex(1.2e-9) == r"1.2 \times 10^{-9}"


def test_answers_have_four_significant_figures_and_no_exponent():
    assert ANSWER_DIGITS == 4
    assert num(0.19661193) == "0.1966"
    assert num(-1234.5678) == "-1235"
    assert num(1e-7) == "0.0000001"  # Moodle and students read no e-notation
    assert "e" not in num(3.2e-9).lower()


def test_negative_factors_are_parenthesized():
    assert paren(-1.5) == "(-1.5)" and paren(2.0) == "2"
    assert parenthesized("-3") == "(-3)" and parenthesized("3") == "3"


def test_latex_vectors_and_matrices():
    assert vec_latex([1, -2.5]) == r"\begin{bmatrix}1\\-2.5\end{bmatrix}"
    assert mat_latex([[1, 2], [3, 4]]) == r"\begin{bmatrix}1 & 2\\3 & 4\end{bmatrix}"


def test_large_matrices_are_elided_with_dots():
    tex = bmatrix(np.arange(400.0).reshape(20, 20))
    assert r"\cdots" in tex and r"\vdots" in tex and r"\ddots" in tex
    assert " 0 & 1 " in tex and "399" in tex  # first and last entries stay
    assert "200" not in tex  # a middle entry is elided
    small = bmatrix(np.array([[1.0, 2.0], [3.0, 4.0]]))
    assert r"\cdots" not in small and "4" in small


def test_text_matrices_line_up():
    assert text_matrix(np.array([[1, 2], [3, 4.5]])) == ["[  1    2]", "[  3  4.5]"]
    assert text_matrix(np.array([1, 2.0])) == ["[1  2]"]


def test_denoised_zeroes_rounding_noise_only():
    assert denoised(np.array([1.0, 1e-17])).tolist() == [1.0, 0.0]
    assert denoised(np.array([1e6, 1e-7])).tolist() == [1e6, 0.0]  # relative to the largest
    assert denoised(np.array([1e-3, 1e-7])).tolist() == [1e-3, 1e-7]  # small, not noise: kept
    assert denoised(np.array([np.inf, 1e-13])).tolist() == [np.inf, 0.0]
