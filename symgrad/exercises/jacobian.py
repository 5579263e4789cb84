"""Kind ``jacobian``: the vector chain rule ∇ₓz = (∂y/∂x)ᵀ ∇_y z.

``y = g(x)`` maps ℝᵐ to ℝ², ``z = f(y)`` is a scalar. Easy: ``y = W x`` and ``z = y₁ y₂``.
Medium (m = 2) and hard (m = 3): nonlinear components such as ``y₁ = a x₁ x₂``, whose
Jacobian entries the student derives. Every number comes from
:func:`symgrad.jacobian.vector_chain_rule` (a reverse pass per ``y_j`` for its Jacobian row,
one over ``z`` for ∇_y z, and one over the composite ``z(x)`` that checks ∇ₓz).
"""

from __future__ import annotations

import math

from .base import (
    Answer,
    Exercise,
    Kind,
    Rejected,
    add_alternatives,
    both,
    clean,
    grid,
    line,
    mat_latex,
    num,
    rejection,
    vec_latex,
)

# Component templates: {a}, {b}, {c} are coefficients; x1..x3 the inputs.
FORMS = {
    2: ("{a}*x1*x2", "{a}*x1 + {b}*x2^2", "{a}*x1^2 + {b}*x2", "{a}*x1*x2 + {b}*x2",
        "{a}*x1 + {b}*x1*x2"),
    3: ("{a}*x1*x2 + {b}*x3", "{a}*x1 + {b}*x2*x3", "{a}*x1*x3 + {b}*x2^2",
        "{a}*x1^2 + {b}*x2 + {c}*x3", "{a}*x2 + {b}*x1*x3"),
}
OUTER = ("y1*y2", "y1^2 + {a}*y2", "{a}*y1 + y2^2")
COEFFICIENTS = (-3, -2, -1, 1, 2, 3)


def generate(rng, difficulty: str, options: dict | None = None, structure=None) -> Exercise:
    """One vector-chain-rule exercise."""
    return rejection(lambda: _draw(rng, difficulty), f"jacobian {difficulty}")


def _coef(rng) -> int:
    return int(COEFFICIENTS[int(rng.integers(len(COEFFICIENTS)))])


def _fill(template: str, rng) -> str:
    import re

    text = template.format(a=_coef(rng), b=_coef(rng), c=_coef(rng)).replace("+ -", "- ")
    return re.sub(r"(?<![\w.])1\*", "", text)  # 1*x1 -> x1, -1*x1 -> -x1


def _draw(rng, difficulty: str) -> Exercise:
    from ..jacobian import vector_chain_rule
    from ..parse import parse
    from .chain import expr_latex

    m = 3 if difficulty == "hard" else 2
    xs = [f"x{i + 1}" for i in range(m)]
    step = 1.0 if difficulty == "easy" else 0.5
    x = {name: grid(rng, -3, 3, step, nonzero=True) for name in xs}
    if difficulty == "easy":
        W = grid(rng, -3, 3, 1.0, nonzero=True, size=(2 * m)).reshape(2, m)
        ys = [_fill(" + ".join(f"{int(W[j, i])}*x{i + 1}" for i in range(m)), rng)
              for j in range(2)]
        outer = "y1*y2"
    else:
        forms = FORMS[m]
        picks = rng.choice(len(forms), size=2, replace=False)
        ys = [_fill(forms[int(p)], rng) for p in picks]
        outer = _fill(OUTER[int(rng.integers(len(OUTER)))], rng)
    rule = vector_chain_rule(ys, outer, at=x, x=xs)
    if rule.check is not None and rule.check.passed is False:
        raise RuntimeError("vector chain rule disagrees with the composite derivation")
    y_values = [float(v) for v in rule.y_values]
    if any(abs(v - float(num(v))) > 1e-12 for v in y_values):
        raise Rejected("y not exact")  # y shown rounded must equal y exactly
    J, g_y, g_x = rule.jacobian_value, rule.grad_y_value, rule.grad_x_value
    for v in [*y_values, *g_y, *J.ravel(), *g_x]:
        clean(v)
    if any(abs(v) > 200 for v in g_x):
        raise Rejected("too large")
    answers = []
    if difficulty == "easy":
        answers += [Answer(f"y{j + 1}", f"y_{j + 1}", y_values[j]) for j in range(2)]
    answers += [Answer(f"dz_dy{j + 1}", rf"\partial z / \partial y_{j + 1}", g_y[j])
                for j in range(2)]
    if difficulty != "easy":
        answers += [Answer(f"J{j + 1}{i + 1}", rf"\partial y_{j + 1} / \partial x_{i + 1}", J[j, i])
                    for j in range(2) for i in range(m)]
    for i in range(m):
        answers.append(add_alternatives(
            Answer(f"dz_dx{i + 1}", rf"\partial z / \partial x_{i + 1}", g_x[i]),
            [("sign_flip", -g_x[i]), ("missing_upstream", J[:, i].sum()),
             ("missed_branch", J[0, i] * g_y[0])]))
    y_tex = [expr_latex(parse(e)) for e in ys]
    z_tex = expr_latex(parse(outer))
    given = ", ".join(f"$x_{i + 1} = {num(x[n])}$" for i, n in enumerate(xs))
    system = rf"y_1 = {y_tex[0]},\quad y_2 = {y_tex[1]},\quad z = {z_tex}"
    prompt = both(
        f"Let $\\mathbf{{x}} \\in \\mathbb{{R}}^{m}$, $\\mathbf{{y}} = g(\\mathbf{{x}}) \\in "
        f"\\mathbb{{R}}^2$ and $z = f(\\mathbf{{y}})$ with $$ {system} $$ At {given}, use the "
        r"vector chain rule $\nabla_{\mathbf{x}} z = \left(\frac{\partial \mathbf{y}}"
        r"{\partial \mathbf{x}}\right)^{\top} \nabla_{\mathbf{y}} z$ to compute the values below.",
        f"设 $\\mathbf{{x}} \\in \\mathbb{{R}}^{m}$，$\\mathbf{{y}} = g(\\mathbf{{x}}) \\in "
        f"\\mathbb{{R}}^2$，$z = f(\\mathbf{{y}})$，其中 $$ {system} $$ 在 {given} 处，用向量链式法则 "
        r"$\nabla_{\mathbf{x}} z = \left(\frac{\partial \mathbf{y}}{\partial \mathbf{x}}"
        r"\right)^{\top} \nabla_{\mathbf{y}} z$ 计算下列各值。")
    solution = [
        line(rf"\mathbf{{y}} = {vec_latex(y_values)},\quad \nabla_{{\mathbf{{y}}}} z = "
             rf"{vec_latex(g_y)}"),
        line(rf"\frac{{\partial \mathbf{{y}}}}{{\partial \mathbf{{x}}}} = {mat_latex(J)}",
             f"The Jacobian is 2 × {m}: row j holds the partial derivatives of y_j.",
             f"Jacobian 是 2 × {m} 矩阵：第 j 行是 y_j 的各个偏导数。"),
        line(rf"\nabla_{{\mathbf{{x}}}} z = {mat_latex(J.T)} {vec_latex(g_y)} = {vec_latex(g_x)}",
             "Each ∂z/∂x_i sums over every path through y_1 and y_2.",
             "每个 ∂z/∂x_i 都要对经过 y_1 和 y_2 的所有路径求和。"),
    ]
    data = {"y": ys, "z": outer, "x": x}
    return Exercise("jacobian", difficulty, both("Vector chain rule and Jacobian",
                                                 "向量链式法则与 Jacobian"),
                    data, prompt, answers, solution, rule, {"kink_distance": math.inf})


KIND = Kind("jacobian", "vector chain rule: Jacobian of y = g(x) and ∇x z = (∂y/∂x)ᵀ ∇y z",
            generate)
