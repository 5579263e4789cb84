"""Kind ``activation``: derive g′ for one of the activations and evaluate it.

A unit computes ``z = w₁x₁ + w₂x₂ + b`` and ``h = g(z)``; the student finds z, h, g′(z) and
∂h/∂w₁ (and ∂h/∂x₂ when hard) by the chain rule. Easy draws integers, the others halves.

Every fact about ``g`` comes from its op record in :mod:`symgrad.ops`: the activations are
the records with ``activation`` and ``function`` set, in registry order; the definition, the
derivative and the kinks are the record's, printed by :mod:`symgrad.render.printing`. A new
activation record appears here with no other edit.

>>> "sigmoid" in functions() and "hardtanh" in functions()
True
"""

from __future__ import annotations

import math

from .. import ops
from ..render.printing import name_tex, sheet_tex
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

SATURATION = 3.0  # a smooth activation's |z| above this is saturated: rejected
INNER = "w1*x1 + w2*x2 + b"
ZDEF = r"z = w_1 x_1 + w_2 x_2 + b"


def functions() -> tuple[str, ...]:
    """The activations this kind draws from: activation ops called by name, in registry order."""
    return tuple(name for name in ops.activations() if ops.get(name).function)


def generate(rng, difficulty: str, options: dict | None = None, structure=None) -> Exercise:
    """One activation exercise; ``difficulty`` sets the grid (integers/halves) and inputs."""
    names = functions()
    function = names[int(rng.integers(len(names)))]
    return exercise_for(rng, difficulty, function)


def exercise_for(rng, difficulty: str, function: str) -> Exercise:
    """One exercise on the activation ``function`` (any name of :func:`functions`)."""
    return rejection(lambda: _draw(rng, difficulty, function), f"activation {function}")


def formulas(function: str) -> tuple[str, str]:
    r"""LaTeX of the activation's definition ``g(z) = ...`` and derivative ``g'(z) = ...``.

    The definition is the record's elementary form (its SymPy forward when it has none; a
    SymPy function such as tanh is written out in exponentials); the derivative is the
    record's local partial. Both go through the one printer.

    >>> formulas("sigmoid")[0]
    '\\sigma(z) = \\frac{1}{1 + e^{- z}}'
    """
    import sympy

    op = ops.get(function)
    z = sympy.Symbol("z", real=True)
    definition = ops.elementary(op.forward(z))
    if isinstance(definition, sympy.Function) and definition.args == (z,):
        definition = definition.rewrite(sympy.exp)  # tanh(z) = tanh(z) would define nothing
    return (rf"{op.tex}(z) = {sheet_tex(definition)}",
            rf"{op.tex}'(z) = {sheet_tex(op.partials[0](z))}")


def _step(difficulty: str, kinks: tuple[float, ...]) -> float:
    """Integers when easy, unless two kinks are at most 2 apart (hardtanh's −1 < z < 1):
    integer inputs would then never land inside that range away from its kinks."""
    narrow = any(b - a <= 2 for a, b in zip(kinks, kinks[1:]))
    return 1.0 if difficulty == "easy" and not narrow else 0.5


def _draw(rng, difficulty: str, function: str) -> Exercise:
    from .chain import derive_at

    op = ops.get(function)
    kinks = ops.kink_points(function)
    # two inputs always (a large question space: versions rarely coincide)
    step = _step(difficulty, kinks)
    values = {"w1": grid(rng, -3, 3, step, nonzero=True),
              "x1": grid(rng, -4, 4, step, nonzero=True),
              "w2": grid(rng, -3, 3, step, nonzero=True),
              "x2": grid(rng, -4, 4, step, nonzero=True),
              "b": grid(rng, -3, 3, step)}
    two = difficulty == "hard"
    w, x = "w1", "x1"
    z = values["w1"] * values["x1"] + values["w2"] * values["x2"] + values["b"]
    distance = away_from_kink(z, kinks) if kinks else math.inf
    if not kinks and abs(z) > SATURATION:
        raise Rejected("saturation")
    if float(ops.local_gradient_numpy(function, 0)(z)) == 0:
        raise Rejected("flat region: every gradient would be 0")
    d = derive_at(f"{function}({INNER})", values)
    act = next(n for n in d.graph.op_nodes if n.op == function)
    h = clean(d.value, "h")
    g_prime = clean(next(s.local_value for s in d.steps if s.parent == act.id), "g'")
    z = clean(z, "z")
    dh_dw = clean(d.gradients[w].value, "dh/dw")
    symbol = op.tex
    answers = [
        Answer("z", "z", z),
        Answer("h", rf"h = {symbol}(z)", h),
        add_alternatives(Answer("g_prime", rf"{symbol}'(z)", g_prime),
                         [("sign_flip", -g_prime), ("value_not_derivative", h)]),
        add_alternatives(Answer(f"dh_d{w}", rf"\partial h / \partial {name_tex(w)}", dh_dw),
                         [("sign_flip", -dh_dw), ("missing_upstream", values[x]),
                          ("value_not_derivative", h * values[x])]),
    ]
    if two:
        dh_dx2 = clean(d.gradients["x2"].value, "dh/dx2")
        answers.append(add_alternatives(
            Answer("dh_dx2", r"\partial h / \partial x_{2}", dh_dx2),
            [("sign_flip", -dh_dx2), ("missing_upstream", values["w2"]),
             ("value_not_derivative", h * values["w2"])]))
    definition, derivative = formulas(function)
    given = ", ".join(f"${name_tex(k)} = {num(v)}$" for k, v in values.items())
    prompt = both(
        f"A unit computes ${ZDEF}$ and $h = {symbol}(z)$, where ${definition}$. "
        f"The inputs are {given}. Derive ${symbol}'(z)$, then compute the values below.",
        f"一个单元计算 ${ZDEF}$ 和 $h = {symbol}(z)$，其中 ${definition}$。"
        f"已知 {given}。先推导 ${symbol}'(z)$，再计算下列各值。")
    solution = [
        line(derivative, "The derivative of the activation:", "激活函数的导数："),
        line(rf"{ZDEF} = {num(z)},\quad h = {symbol}({num(z)}) = {num(h)}"),
        line(rf"{symbol}'({num(z)}) = {num(g_prime)}"),
        line(rf"\frac{{\partial h}}{{\partial {name_tex(w)}}} = {symbol}'(z)\,"
             rf"\frac{{\partial z}}{{\partial {name_tex(w)}}} = {symbol}'(z)\, {name_tex(x)} = "
             rf"{paren(g_prime)} \cdot {paren(values[x])} = {num(dh_dw)}",
             "Chain rule: local gradient ∂z/∂w times the upstream gradient g′(z).",
             "链式法则：局部梯度 ∂z/∂w 乘以上游梯度 g′(z)。"),
    ]
    if two:
        solution.append(line(rf"\frac{{\partial h}}{{\partial x_{{2}}}} = {symbol}'(z)\, w_{{2}} "
                             rf"= {paren(g_prime)} \cdot {paren(values['w2'])} = "
                             rf"{num(answers[-1].value)}"))
    data = {"function": function, "inputs": values, "z_formula": INNER}
    return Exercise("activation", difficulty,
                    both(f"Activation derivative: {function}", f"激活函数的导数：{function}"),
                    data, prompt, answers, solution, d, {"kink_distance": distance})


def _summary() -> str:
    *first, last = functions()
    names = f"{', '.join(first)} or {last}" if first else last
    return f"derive g′ of {names} and evaluate it inside a unit (chain rule to w)"


KIND = Kind("activation", _summary(), generate)
