"""Kind ``gd_step``: one gradient-descent step on ``J = L + λ·½‖w‖²`` (weights only).

Easy: a linear unit with squared error. Medium: a logistic (sigmoid) unit with
cross-entropy. Hard: the logistic unit with three inputs. The gradient comes from
:func:`~symgrad.derivation.derive`; the update is ``w ← w − η ∇_w J``, ``b ← b − η ∂L/∂b``.
"""

from __future__ import annotations

import math

from ..render.printing import name_tex
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
    num,
    paren,
    rejection,
)

RATES = (0.1, 0.25, 0.5)
LAMBDAS = (0.1, 0.2, 0.5, 1.0)


def generate(rng, difficulty: str, options: dict | None = None, structure=None) -> Exercise:
    """One gradient-descent step with L2 regularization."""
    return rejection(lambda: _draw(rng, difficulty), f"gd_step {difficulty}")


def _draw(rng, difficulty: str) -> Exercise:
    from .chain import derive_at

    n = 3 if difficulty == "hard" else 2
    logistic = difficulty != "easy"
    ws = [f"w{i + 1}" for i in range(n)]
    xs = [f"x{i + 1}" for i in range(n)]
    values = {}
    for w, x in zip(ws, xs):
        values[w] = grid(rng, -2, 2, 0.5, nonzero=True)
        values[x] = grid(rng, -3, 3, 1.0, nonzero=True)
    values["b"] = grid(rng, -1, 1, 0.5, nonzero=True)
    values["y"] = float(rng.integers(2)) if logistic else grid(rng, -3, 3, 0.5)
    eta = float(RATES[int(rng.integers(len(RATES)))])
    lam = float(LAMBDAS[int(rng.integers(len(LAMBDAS)))])
    z_text = " + ".join(f"{w}*{x}" for w, x in zip(ws, xs)) + " + b"
    z = sum(values[w] * values[x] for w, x in zip(ws, xs)) + values["b"]
    if logistic and (z == 0 or abs(z) > 3):
        raise Rejected("saturated or undecided unit")
    if not logistic and abs(z - values["y"]) > 4:
        raise Rejected("residual too large for a sensible step")
    penalty = " + ".join(f"{w}^2" for w in ws)
    loss = (f"-(y*log(sigmoid({z_text})) + (1 - y)*log(1 - sigmoid({z_text})))" if logistic
            else f"0.5*({z_text} - y)^2")
    d = derive_at(f"{loss} + lam/2*({penalty})", {**values, "lam": lam}, wrt=ws + ["b"])
    data_grad = {w: d.gradients[w].value - lam * values[w] for w in ws}
    answers = []
    g1 = clean(d.gradients["w1"].value, "dJ/dw1")
    answers.append(add_alternatives(Answer("dJ_dw1", r"\partial J / \partial w_1", g1),
                                    [("sign_flip", -g1), ("no_regularization", data_grad["w1"])]))
    for w in ws:
        g = d.gradients[w].value
        clean(g, f"dJ/d{w}")
        new = clean(values[w] - eta * g, f"new {w}")
        if abs(new - values[w]) < 0.02:
            raise Rejected("no visible step")
        answers.append(add_alternatives(
            Answer(f"{w}_new", rf"{name_tex(w)}^{{\text{{new}}}}", new),
            [("sign_flip", values[w] + eta * g),
             ("no_regularization", values[w] - eta * data_grad[w])]))
    gb = clean(d.gradients["b"].value, "dJ/db")
    b_new = clean(values["b"] - eta * gb, "new b")
    answers.append(add_alternatives(
        Answer("b_new", r"b^{\text{new}}", b_new),
        [("sign_flip", values["b"] + eta * gb),
         ("bias_regularized", values["b"] - eta * (gb + lam * values["b"]))]))
    unit = r"\hat y = \sigma(z)" if logistic else r"\hat y = z"
    loss_tex = (r"L = -\bigl(y \log \hat y + (1 - y) \log(1 - \hat y)\bigr)" if logistic
                else r"L = \tfrac12 (\hat y - y)^2")
    z_tex = " + ".join(f"w_{i + 1} x_{i + 1}" for i in range(n)) + " + b"
    given = ", ".join(f"${name_tex(k)} = {num(v)}$" for k, v in values.items())
    objective = (rf"J = L + \lambda \cdot \tfrac12 \|\mathbf{{w}}\|^2,\ \lambda = {num(lam)},"
                 rf"\ \eta = {num(eta)}")
    prompt = both(
        f"A unit computes $z = {z_tex}$ and ${unit}$ with loss ${loss_tex}$ and "
        f"L2 regularization on the weights only: $${objective}$$ With {given}, take one "
        r"gradient-descent step $\theta \leftarrow \theta - \eta \nabla_\theta J$.",
        f"一个单元计算 $z = {z_tex}$ 和 ${unit}$，损失 ${loss_tex}$，只对权重做 L2 正则："
        f"$${objective}$$ 已知 {given}，做一步梯度下降 "
        r"$\theta \leftarrow \theta - \eta \nabla_\theta J$。")
    residual = gb  # ∂L/∂z = ŷ − y, and ∂z/∂b = 1 with b unregularized
    solution = [
        line(rf"z = {num(z)},\quad \frac{{\partial L}}{{\partial z}} = \hat y - y = {num(residual)}",
             "For both losses here ∂L/∂z = ŷ − y.", "这里两种损失都有 ∂L/∂z = ŷ − y。"),
    ]
    for w, x in zip(ws, xs):
        g = d.gradients[w].value
        solution.append(line(
            rf"\frac{{\partial J}}{{\partial {name_tex(w)}}} = (\hat y - y)\, {name_tex(x)} + "
            rf"\lambda {name_tex(w)} = {paren(residual)} \cdot {paren(values[x])} + "
            rf"{num(lam)} \cdot {paren(values[w])} = {num(g)},\quad "
            rf"{name_tex(w)}^{{\text{{new}}}} = {num(values[w])} - {num(eta)} \cdot {paren(g)} = "
            rf"{num(values[w] - eta * g)}"))
    solution.append(line(rf"\frac{{\partial J}}{{\partial b}} = \hat y - y = {num(gb)},\quad "
                         rf"b^{{\text{{new}}}} = {num(values['b'])} - {num(eta)} \cdot {paren(gb)} "
                         rf"= {num(b_new)}", "The bias is not regularized.", "偏置不做正则化。"))
    data = {"model": "logistic" if logistic else "linear", "values": values, "eta": eta,
            "lambda": lam}
    return Exercise("gd_step", difficulty, both("One gradient-descent step with L2",
                                                "带 L2 正则的一步梯度下降"),
                    data, prompt, answers, solution, d, {"kink_distance": math.inf})


KIND = Kind("gd_step", "one gradient-descent step on J = L + λ·½‖w‖² (L2 on weights only)",
            generate)
