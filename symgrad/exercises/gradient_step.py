"""Kind ``gd_step``: one gradient-descent step on ``J = L + λ·½‖w‖²`` (weights only).

Easy: a linear unit with squared error. Medium: a logistic (sigmoid) unit with
cross-entropy. Hard: the logistic unit with three inputs. The gradient comes from
:func:`~symgrad.derivation.derive`; the update is ``w ← w − η ∇_w J``, ``b ← b − η ∂L/∂b``.

The rate η and the L2 weight λ are structure: the spec pins them (``rate``, ``l2``) or they
are drawn from ``structure`` (two draws), so every version of a set uses the same η and λ;
the unit's numbers come from ``rng``. Every draw asks the same blanks (4, or 5 when hard),
and no answer is 0, 1 or −1.

>>> check_options({"rate": 0.5, "l2": 0}, "spec.toml: exercise[1]")
{'rate': 0.5, 'l2': 0.0}
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

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
    name_tex,
    num,
    paren,
    rejection,
)
from .fair import make_fair
from .pin_values import number, refuse

if TYPE_CHECKING:
    from numpy.random import Generator

RATES = (0.1, 0.25, 0.5)
LAMBDAS = (0.1, 0.2, 0.5, 1.0)
MIN_RATE = 0.1  # smaller steps of b are lost within its tolerance (a copied b would pass)
MAX_PIN = 10.0
PIN_DECIMALS = 3  # a pinned η or λ is shown exactly, so the key multiplies out
OPTIONS_HELP = {
    "rate": f"the learning rate η: a number from {MIN_RATE:g} to {MAX_PIN:g}, at "
    f"most {PIN_DECIMALS} decimals (every version uses it)",
    "l2": f"the L2 weight λ: a number from 0 (no regularization) to {MAX_PIN:g}, at "
    f"most {PIN_DECIMALS} decimals (every version uses it)",
}


def check_options(raw: dict, where: str) -> dict:
    """The pins ``rate`` (η) and ``l2`` (λ): finite numbers in range, at most 3 decimals."""
    options = dict(raw)
    for key, low in (("rate", MIN_RATE), ("l2", 0.0)):
        if key in options:
            value = number(where, key, options[key], low=low, high=MAX_PIN)
            if round(value, PIN_DECIMALS) != value:
                raise refuse(
                    where, key, f"expected at most {PIN_DECIMALS} decimals, got {options[key]!r}"
                )
            options[key] = value
    return options


def generate(
    rng: Generator,
    difficulty: str,
    options: dict | None = None,
    structure: Generator | None = None,
) -> Exercise:
    """One gradient-descent step with L2 regularization: η and λ from the pins or
    ``structure``, the numbers from ``rng``."""
    structure = rng if structure is None else structure
    eta = float(RATES[int(structure.integers(len(RATES)))])
    lam = float(LAMBDAS[int(structure.integers(len(LAMBDAS)))])
    options = options or {}
    eta, lam = options.get("rate", eta), options.get("l2", lam)
    return rejection(
        lambda: make_fair(_draw(rng, difficulty, eta, lam)),
        f"gd_step {difficulty} (η = {eta:g}, λ = {lam:g})",
    )


def _draw(rng, difficulty: str, eta: float, lam: float) -> Exercise:
    from .chain import derive_at

    n = 3 if difficulty == "hard" else 2
    logistic = difficulty != "easy"
    ws = [f"w{i + 1}" for i in range(n)]
    xs = [f"x{i + 1}" for i in range(n)]
    values = {}
    for w, x in zip(ws, xs):
        values[w] = grid(rng, -2, 2, 0.5, nonzero=True)
        values[x] = grid(rng, -3, 3, 1.0 if difficulty == "easy" else 0.5, nonzero=True)
    values["b"] = grid(rng, -2, 2, 0.5, nonzero=True)
    values["y"] = float(rng.integers(2)) if logistic else grid(rng, -3, 3, 0.5)
    z_text = " + ".join(f"{w}*{x}" for w, x in zip(ws, xs)) + " + b"
    z = sum(values[w] * values[x] for w, x in zip(ws, xs)) + values["b"]
    if logistic and (z == 0 or abs(z) > 3):
        raise Rejected("saturated or undecided unit")
    if not logistic and abs(z - values["y"]) > 4:
        raise Rejected("residual too large for a sensible step")
    penalty = " + ".join(f"{w}^2" for w in ws)
    loss = (
        f"-(y*log(sigmoid({z_text})) + (1 - y)*log(1 - sigmoid({z_text})))"
        if logistic
        else f"0.5*({z_text} - y)^2"
    )
    d = derive_at(f"{loss} + lam/2*({penalty})", {**values, "lam": lam}, wrt=ws + ["b"])
    grads = d.gradient_values()
    data_grad = {w: grads[w] - lam * values[w] for w in ws}
    answers = []
    g1 = clean(grads["w1"], "dJ/dw1")
    answers.append(
        add_alternatives(
            Answer("dJ_dw1", r"\partial J / \partial w_1", g1),
            [("sign_flip", -g1), ("no_regularization", data_grad["w1"])],
        )
    )
    for w in ws:
        g = grads[w]
        clean(g, f"dJ/d{w}")
        new = clean(values[w] - eta * g, f"new {w}")
        answers.append(
            add_alternatives(
                Answer(f"{w}_new", rf"{name_tex(w)}^{{\text{{new}}}}", new),
                [
                    ("sign_flip", values[w] + eta * g),
                    ("no_regularization", values[w] - eta * data_grad[w]),
                ],
            )
        )
    gb = clean(grads["b"], "dJ/db")
    b_new = clean(values["b"] - eta * gb, "new b")
    answers.append(
        add_alternatives(
            Answer("b_new", r"b^{\text{new}}", b_new),
            [
                ("sign_flip", values["b"] + eta * gb),
                ("bias_regularized", values["b"] - eta * (gb + lam * values["b"])),
            ],
        )
    )
    unit = r"\hat y = \sigma(z)" if logistic else r"\hat y = z"
    loss_tex = (
        r"L = -\bigl(y \log \hat y + (1 - y) \log(1 - \hat y)\bigr)"
        if logistic
        else r"L = \tfrac12 (\hat y - y)^2"
    )
    z_tex = " + ".join(f"w_{i + 1} x_{i + 1}" for i in range(n)) + " + b"
    given = ", ".join(f"${name_tex(k)} = {num(v)}$" for k, v in values.items())
    objective = (
        rf"J = L + \lambda \cdot \tfrac12 \|\mathbf{{w}}\|^2,\ \lambda = {num(lam)},"
        rf"\ \eta = {num(eta)}"
    )
    prompt = both(
        f"A unit computes $z = {z_tex}$ and ${unit}$ with loss ${loss_tex}$ and "
        f"L2 regularization on the weights only: $${objective}$$ With {given}, take one "
        r"gradient-descent step $\theta \leftarrow \theta - \eta \nabla_\theta J$.",
        f"一个单元计算 $z = {z_tex}$ 和 ${unit}$，损失 ${loss_tex}$，只对权重做 L2 正则："
        f"$${objective}$$ 已知 {given}，做一步梯度下降 "
        r"$\theta \leftarrow \theta - \eta \nabla_\theta J$。",
    )
    residual = gb  # ∂L/∂z = ŷ − y, and ∂z/∂b = 1 with b unregularized
    solution = [
        line(
            rf"z = {num(z)},\quad \frac{{\partial L}}{{\partial z}} = \hat y - y = {num(residual)}",
            "For both losses here ∂L/∂z = ŷ − y.",
            "这里两种损失都有 ∂L/∂z = ŷ − y。",
        ),
    ]
    for w, x in zip(ws, xs):
        g = grads[w]
        solution.append(
            line(
                rf"\frac{{\partial J}}{{\partial {name_tex(w)}}} = (\hat y - y)\, {name_tex(x)} + "
                rf"\lambda {name_tex(w)} = {paren(residual)} \cdot {paren(values[x])} + "
                rf"{num(lam)} \cdot {paren(values[w])} = {num(g)},\quad "
                rf"{name_tex(w)}^{{\text{{new}}}} = {num(values[w])} - {num(eta)} \cdot {paren(g)} = "
                rf"{num(values[w] - eta * g)}"
            )
        )
    solution.append(
        line(
            rf"\frac{{\partial J}}{{\partial b}} = \hat y - y = {num(gb)},\quad "
            rf"b^{{\text{{new}}}} = {num(values['b'])} - {num(eta)} \cdot {paren(gb)} "
            rf"= {num(b_new)}",
            "The bias is not regularized.",
            "偏置不做正则化。",
        )
    )
    data = {
        "model": "logistic" if logistic else "linear",
        "values": values,
        "eta": eta,
        "lambda": lam,
    }
    exercise = Exercise(
        "gd_step",
        difficulty,
        both("One gradient-descent step with L2", "带 L2 正则的一步梯度下降"),
        data,
        prompt,
        answers,
        solution,
        d,
        {"kink_distance": math.inf},
    )
    for a in exercise.answers[1:]:  # copying the old value must not pass for the new one
        if abs(a.value - values[a.name.removesuffix("_new")]) <= a.tol:
            raise Rejected("no visible step")
    return exercise


KIND = Kind(
    "gd_step",
    "one gradient-descent step on J = L + λ·½‖w‖² (L2 on weights only)",
    generate,
    OPTIONS_HELP,
    check_options,
)
