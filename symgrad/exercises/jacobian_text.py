"""The question and worked-solution text of the ``jacobian`` kind, in both languages, from
the system and the numbers :mod:`symgrad.exercises.jacobian` computes (nothing is computed
here: every number shown is an argument)."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from .base import both, line, mat_latex, name_tex, num, vec_latex

if TYPE_CHECKING:
    from ..numpy_forms import FloatArray

TITLE = both("Vector chain rule and Jacobian", "向量链式法则与 Jacobian")


def prompt_text(ys: tuple[str, ...], z: str, xs: tuple[str, ...], x: dict) -> dict[str, str]:
    """The question: the system ``y = g(x)``, ``z = f(y)`` and the point ``x``, per language."""
    n, m = len(ys), len(xs)
    system_tex = _system_tex(tuple(ys), z)
    given = ", ".join(f"${name_tex(name)} = {num(x[name])}$" for name in xs)
    rule = (
        r"$\nabla_{\mathbf{x}} z = \left(\frac{\partial \mathbf{y}}{\partial \mathbf{x}}"
        r"\right)^{\top} \nabla_{\mathbf{y}} z$"
    )
    head = f"$\\mathbf{{x}} = ({', '.join(name_tex(v) for v in xs)}) \\in \\mathbb{{R}}^{m}$"
    return both(
        f"Let {head}, $\\mathbf{{y}} = g(\\mathbf{{x}}) \\in \\mathbb{{R}}^{n}$ and "
        f"$z = f(\\mathbf{{y}})$ with $$ {system_tex} $$ At {given}, use the vector chain rule "
        f"{rule} to compute the values below.",
        f"设 {head}，$\\mathbf{{y}} = g(\\mathbf{{x}}) \\in \\mathbb{{R}}^{n}$，"
        f"$z = f(\\mathbf{{y}})$，其中 $$ {system_tex} $$ 在 {given} 处，用向量链式法则 {rule} "
        "计算下列各值。",
    )


@lru_cache(maxsize=256)
def _system_tex(ys: tuple[str, ...], z: str) -> str:
    """``y_1 = ...,\\quad ..., z = ...`` in LaTeX: the same for every version of a system."""
    from ..parse import parse
    from .chain import expr_latex

    parts = [rf"y_{j + 1} = {expr_latex(parse(e))}" for j, e in enumerate(ys)]
    return r",\quad ".join(parts + [f"z = {expr_latex(parse(z))}"])


def solution_text(
    y_values: FloatArray, J: FloatArray, g_y: FloatArray, g_x: FloatArray
) -> list[dict]:
    """The worked solution: y and ∇_y z, the Jacobian ``J``, then ∇ₓz = Jᵀ ∇_y z."""
    n, m = J.shape
    ys = ", ".join(f"y_{k}" for k in range(1, n + 1))
    return [
        line(
            rf"\mathbf{{y}} = {vec_latex(y_values)},\quad \nabla_{{\mathbf{{y}}}} z = "
            rf"{vec_latex(g_y)}"
        ),
        line(
            rf"\frac{{\partial \mathbf{{y}}}}{{\partial \mathbf{{x}}}} = {mat_latex(J)}",
            f"The Jacobian is ${n} \\times {m}$: row $j$ holds the partial derivatives of $y_j$.",
            f"Jacobian 是 ${n} \\times {m}$ 矩阵：第 $j$ 行是 $y_j$ 的各个偏导数。",
        ),
        line(
            rf"\nabla_{{\mathbf{{x}}}} z = {mat_latex(J.T)} {vec_latex(g_y)} = {vec_latex(g_x)}",
            f"Each $\\partial z / \\partial x_i$ sums over every path through ${ys}$.",
            f"每个 $\\partial z / \\partial x_i$ 都要对经过 ${ys}$ 的所有路径求和。",
        ),
    ]
