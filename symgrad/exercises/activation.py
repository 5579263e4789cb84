"""Kind ``activation``: derive g′ for one of the lecture's activations and evaluate it.

A unit computes ``z = w₁x₁ + w₂x₂ + b`` and ``h = g(z)``; the student finds z, h, g′(z) and
∂h/∂w₁ (and ∂h/∂x₂ when hard) by the chain rule. Easy draws integers, the others halves.
"""

from __future__ import annotations

import math

from .base import (
    Answer,
    Exercise,
    Kind,
    Rejected,
    add_alternatives,
    away_from_kink,
    both,
    clean,
    grid,
    line,
    num,
    paren,
    rejection,
)

FUNCTIONS = ("sigmoid", "tanh", "relu", "softplus", "hardtanh")

# name: (symbol, definition, derivative formula, kinks)
FACTS = {
    "sigmoid": (r"\sigma", r"\sigma(z) = \frac{1}{1 + e^{-z}}",
                r"\sigma'(z) = \sigma(z)\,\bigl(1 - \sigma(z)\bigr)", ()),
    "tanh": (r"\tanh", r"\tanh(z) = \frac{e^{z} - e^{-z}}{e^{z} + e^{-z}}",
             r"\tanh'(z) = 1 - \tanh^2(z)", ()),
    "relu": (r"\operatorname{relu}", r"\operatorname{relu}(z) = \max\{0, z\}",
             r"\operatorname{relu}'(z) = \begin{cases} 1, & z > 0 \\ 0, & z \le 0 \end{cases}",
             (0.0,)),
    "softplus": (r"\zeta", r"\zeta(z) = \log\bigl(1 + e^{z}\bigr)", r"\zeta'(z) = \sigma(z)", ()),
    "hardtanh": (r"\operatorname{hardtanh}", r"\operatorname{hardtanh}(z) = \max(-1, \min(1, z))",
                 (r"\operatorname{hardtanh}'(z) = \begin{cases} 1, & -1 < z < 1 \\ 0, & "
                  r"\text{otherwise} \end{cases}"), (-1.0, 1.0)),
}


def generate(rng, difficulty: str) -> Exercise:
    """One activation exercise; ``difficulty`` sets the grid (integers/halves) and inputs."""
    function = FUNCTIONS[int(rng.integers(len(FUNCTIONS)))]
    return rejection(lambda: _draw(rng, difficulty, function), f"activation {function}")


def _draw(rng, difficulty: str, function: str) -> Exercise:
    from .chain import derive_at

    # two inputs always (a large question space: versions rarely coincide); easy uses integers
    step = 1.0 if difficulty == "easy" and function != "hardtanh" else 0.5
    values = {"w1": grid(rng, -3, 3, step, nonzero=True),
              "x1": grid(rng, -4, 4, step, nonzero=True),
              "w2": grid(rng, -3, 3, step, nonzero=True),
              "x2": grid(rng, -4, 4, step, nonzero=True),
              "b": grid(rng, -3, 3, step)}
    two = difficulty == "hard"
    w, x = "w1", "x1"
    z = values["w1"] * values["x1"] + values["w2"] * values["x2"] + values["b"]
    symbol, definition, derivative, kinks = FACTS[function]
    distance = away_from_kink(z, kinks) if kinks else math.inf
    if function == "relu" and z < 0 or function == "hardtanh" and abs(z) > 1:
        raise Rejected("flat region: every gradient would be 0")
    if function in ("sigmoid", "tanh", "softplus") and abs(z) > 3:
        raise Rejected("saturation")
    inner = "w1*x1 + w2*x2 + b"
    d = derive_at(f"{function}({inner})", values)
    act = next(n for n in d.graph.op_nodes if n.op == function)
    h = clean(d.value, "h")
    g_prime = clean(next(s.local_value for s in d.steps if s.parent == act.id), "g'")
    z = clean(z, "z")
    dh_dw = clean(d.gradients[w].value, "dh/dw")
    answers = [
        Answer("z", "z", z),
        Answer("h", rf"h = {symbol}(z)", h),
        add_alternatives(Answer("g_prime", rf"{symbol}'(z)", g_prime),
                         [("sign_flip", -g_prime), ("value_not_derivative", h)]),
        add_alternatives(Answer(f"dh_d{w}", rf"\partial h / \partial {_tex(w)}", dh_dw),
                         [("sign_flip", -dh_dw), ("missing_upstream", values[x]),
                          ("value_not_derivative", h * values[x])]),
    ]
    if two:
        dh_dx2 = clean(d.gradients["x2"].value, "dh/dx2")
        answers.append(add_alternatives(
            Answer("dh_dx2", r"\partial h / \partial x_2", dh_dx2),
            [("sign_flip", -dh_dx2), ("missing_upstream", values["w2"]),
             ("value_not_derivative", h * values["w2"])]))
    given = ", ".join(f"${_tex(k)} = {num(v)}$" for k, v in values.items())
    zdef = r"z = w_1 x_1 + w_2 x_2 + b"
    prompt = both(
        f"A unit computes ${zdef}$ and $h = {symbol}(z)$, where ${definition}$. "
        f"The inputs are {given}. Derive ${symbol}'(z)$, then compute the values below.",
        f"一个单元计算 ${zdef}$ 和 $h = {symbol}(z)$，其中 ${definition}$。"
        f"已知 {given}。先推导 ${symbol}'(z)$，再计算下列各值。")
    up = "x_1"
    solution = [
        line(derivative, "The derivative of the activation:", "激活函数的导数："),
        line(rf"{zdef} = {num(z)},\quad h = {symbol}({num(z)}) = {num(h)}"),
        line(rf"{symbol}'({num(z)}) = {num(g_prime)}"),
        line(rf"\frac{{\partial h}}{{\partial {_tex(w)}}} = {symbol}'(z)\,"
             rf"\frac{{\partial z}}{{\partial {_tex(w)}}} = {symbol}'(z)\, {up} = "
             rf"{paren(g_prime)} \cdot {paren(values[x])} = {num(dh_dw)}",
             "Chain rule: local gradient ∂z/∂w times the upstream gradient g′(z).",
             "链式法则：局部梯度 ∂z/∂w 乘以上游梯度 g′(z)。"),
    ]
    if two:
        solution.append(line(rf"\frac{{\partial h}}{{\partial x_2}} = {symbol}'(z)\, w_2 = "
                             rf"{paren(g_prime)} \cdot {paren(values['w2'])} = "
                             rf"{num(answers[-1].value)}"))
    data = {"function": function, "inputs": values, "z_formula": inner}
    return Exercise("activation", difficulty,
                    both(f"Activation derivative: {function}", f"激活函数的导数：{function}"),
                    data, prompt, answers, solution, d, {"kink_distance": distance})


def _tex(name: str) -> str:
    return f"{name[0]}_{name[1:]}" if len(name) > 1 else name


KIND = Kind("activation", "derive g′ of sigmoid, tanh, relu, softplus or hardtanh and evaluate "
            "it inside a unit (chain rule to w)", generate)
