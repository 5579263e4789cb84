r"""Numbers for people: the one place that decides how a float is shown.

Two styles, both here: :func:`number` (significant digits, for worked solutions, tables and
pictures) and :func:`num` (4 significant figures, never in exponent form: exercise data,
answers and keys, where a product shown must multiply out from the factors shown).
NumPy is imported only by the matrix helpers.

>>> number(-0.5344466453885), num(0.19661193), paren(-1.5)
('-0.534447', '0.1966', '(-1.5)')
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from functools import lru_cache
from typing import TYPE_CHECKING, SupportsFloat

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

    from ..numpy_forms import FloatArray

TABLE_DIGITS = 4  # significant digits in tables and matrices
PICTURE_DIGITS = 3  # significant digits on circuit wires
MAX_MATRIX = 8  # rows/columns of a displayed matrix before the middle is elided
ANSWER_DIGITS = 4  # exercise numbers are shown to this many significant figures


def number(x: SupportsFloat | None, digits: int = 6) -> str:
    """A float for people: ``digits`` significant digits, no trailing zeros, no -0.

    >>> number(-0.5344466453885), number(2.0), number(-0.0)
    ('-0.534447', '2', '0')
    """
    if x is None:
        return "-"
    x = float(x)
    if x == 0:
        return "0"
    if not math.isfinite(x):
        return str(x)
    return f"{x:.{digits}g}"


def tex_number(x: SupportsFloat | None, digits: int = TABLE_DIGITS) -> str:
    r"""A float for LaTeX math: ``1.2e-05`` becomes ``1.2 \times 10^{-5}``.

    >>> tex_number(-1.234567e-5)
    '-1.235 \\times 10^{-5}'
    """
    text = number(x, digits)
    mantissa, e, exponent = text.partition("e")
    if not e:
        return {"inf": r"\infty", "-inf": r"-\infty", "nan": r"\mathrm{NaN}"}.get(text, text)
    return rf"{mantissa} \times 10^{{{int(exponent)}}}"


def error_text(error: float | None) -> str:
    """A relative error in two significant digits, ``1.2e-09`` (``-`` when there is none)."""
    return "-" if error is None else f"{error:.1e}"


def error_tex(error: float | None) -> str:
    r"""A relative error for LaTeX, ``1.2 \times 10^{-9}``."""
    return "-" if error is None else tex_number(float(error_text(error)), 2)


def num(x: float, digits: int = ANSWER_DIGITS) -> str:
    """An exercise number as displayed everywhere: ``digits`` significant figures (all the
    integer digits of a larger number), plain decimals, no trailing zeros, no ``-0``.

    >>> num(-1.50), num(0.19661193), num(0.0093183), num(20.0855), num(1234.56), num(3.0)
    ('-1.5', '0.1966', '0.009318', '20.09', '1235', '3')
    """
    return _num(float(x), digits)


@lru_cache(maxsize=1 << 16)
def _num(x: float, digits: int) -> str:
    """:func:`num` of a float (cached: exercises show the same numbers many times)."""
    if not math.isfinite(x):
        raise ValueError(f"not a finite number: {x}")
    if x == 0:
        return "0"
    decimals = max(0, digits - 1 - math.floor(math.log10(abs(x))))
    text = f"{x:.{decimals}f}"
    if float(text) != 0 and abs(float(text)) >= 10 ** (digits - decimals):
        text = f"{x:.{max(0, decimals - 1)}f}"  # 9.99951 rounds up to 10.00: one digit less
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def parenthesized(text: str) -> str:
    """A shown number as a factor of a product: negative numbers in parentheses."""
    return f"({text})" if text.startswith("-") else text


def paren(x: float) -> str:
    """An answer number for a product: ``(-1.5)``, ``2``."""
    return parenthesized(num(x))


def vec_latex(values: Iterable[float], digits: int = ANSWER_DIGITS) -> str:
    r"""A column vector of answer numbers as a LaTeX bmatrix.

    >>> vec_latex([1, -0.5])
    '\\begin{bmatrix}1\\\\-0.5\\end{bmatrix}'
    """
    return mat_latex([[v] for v in values], digits)


def mat_latex(rows: Iterable[Iterable[float]], digits: int = ANSWER_DIGITS) -> str:
    """A matrix (rows of answer numbers) as a LaTeX bmatrix."""
    return (
        r"\begin{bmatrix}"
        + r"\\".join(" & ".join(num(v, digits) for v in row) for row in rows)
        + r"\end{bmatrix}"
    )


def bmatrix(value: ArrayLike, digits: int = TABLE_DIGITS) -> str:
    r"""A vector (as a column) or matrix as a LaTeX ``bmatrix``, large ones elided.

    >>> bmatrix([1.0, -0.5])
    '\\begin{bmatrix} 1 \\\\ -0.5 \\end{bmatrix}'
    """
    a = denoised(value)
    if a.ndim == 0:
        return tex_number(float(a), digits)
    if a.ndim == 1:
        a = a.reshape(-1, 1)
    rows = _elide(list(range(a.shape[0])))
    cols = _elide(list(range(a.shape[1])))
    lines = []
    for i in rows:
        cells = []
        for j in cols:
            if i is None:
                cells.append(r"\vdots" if j is not None else r"\ddots")
            else:
                cells.append(r"\cdots" if j is None else tex_number(a[i, j], digits))
        lines.append(" & ".join(cells))
    return r"\begin{bmatrix} " + r" \\ ".join(lines) + r" \end{bmatrix}"


def text_matrix(value: ArrayLike, digits: int = TABLE_DIGITS) -> list[str]:
    """A vector (one line, as a row) or a matrix (one line per row) for the terminal.

    >>> text_matrix([[2.0, 1.0], [0.0, 10.0]])
    ['[ 2   1]', '[ 0  10]']
    """
    a = denoised(value)
    if a.ndim == 0:
        return [number(float(a), digits)]
    if a.ndim == 1:
        a = a.reshape(1, -1)
    cells = [[number(v, digits) for v in row] for row in a]
    width = max(len(c) for row in cells for c in row)
    return ["[" + "  ".join(c.rjust(width) for c in row) + "]" for row in cells]


def denoised(value: ArrayLike) -> FloatArray:
    """For display only: entries that are rounding noise next to the others (|a| < 1e-12 of
    the largest, e.g. 2.8e-17 for a true 0) are shown as 0."""
    import numpy as np

    a = np.array(value, dtype=float)
    if a.size:
        scale = max(float(np.max(np.abs(a))), 1.0) if np.all(np.isfinite(a)) else 1.0
        a[np.abs(a) < 1e-12 * scale] = 0.0
    return a


def _elide(indices: list[int]) -> list[int | None]:
    if len(indices) <= MAX_MATRIX:
        return list[int | None](indices)
    half = MAX_MATRIX // 2
    return indices[:half] + [None] + indices[-half + 1 :]
