"""Kind ``activation``: derive g′ for one of the activations and backpropagate through it.

A unit computes ``z = w₁x₁ + w₂x₂ + b`` and ``h = g(z)`` for a mini-batch of examples (two;
three when hard) with shared weights; backpropagation has brought the upstream gradient
∂L/∂h of each example. The student finds every z, then ∂L/∂w₁ (and ∂L/∂w₂ unless easy) and
∂L/∂b, summing g′(z)·∂L/∂h over the examples. Easy draws integers, the others halves.

Fair versions: every activation asks the same blanks. An activation with a kink (relu,
leaky relu, hardtanh, elu) always has examples on both sides of it, so g′ = 1 and h = z on
the linear side is never the whole exercise; a per-example value that would be 0 on the
flat side (h, g′) is never a blank, only the sums are. No answer is 0, 1 or −1.

The activation is structure: drawn from ``structure`` (one draw) unless the spec pins it with
``activation = "<name>"``; the numbers come from ``rng``.

Every fact about ``g`` comes from its op record in :mod:`symgrad.ops`: the activations are
the records with ``activation`` and ``function`` set, in registry order; the definition, the
derivative and the kinks are the record's, printed by :mod:`symgrad.render.printing`. A new
activation record appears here with no other edit.

>>> "sigmoid" in functions() and "hardtanh" in functions()
True
"""

from __future__ import annotations

import functools
import math
from typing import TYPE_CHECKING

from .. import ops
from ..errors import SymgradError, shown
from ..render.printing import sheet_tex
from .base import (
    KINK_MARGIN,
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
    tolerance,
)
from .fair import make_fair, near_guess

if TYPE_CHECKING:
    from numpy.random import Generator

SATURATION = 3.0  # every |z| is at most this (a smooth activation saturates beyond it)
INNER = "w1*x1 + w2*x2 + b"
ZDEF = r"z = w_1 x_1 + w_2 x_2 + b"
EXAMPLES = {"easy": 2, "medium": 2, "hard": 3}  # examples in the mini-batch
PARAMETERS = {"easy": ("w1", "b"), "medium": ("w1", "w2", "b"), "hard": ("w1", "w2", "b")}
PARAMETER_TEX = {"w1": "w_{1}", "w2": "w_{2}", "b": "b"}


def functions() -> tuple[str, ...]:
    """The activations this kind draws from: activation ops called by name, in registry order."""
    return tuple(name for name in ops.activations() if ops.get(name).function)


def check_options(raw: dict, where: str) -> dict:
    """The pin ``activation = "<name>"``: one of :func:`functions`."""
    options = dict(raw)
    if "activation" in options:
        value = options["activation"]
        if not isinstance(value, str) or value not in functions():
            raise SymgradError(
                f"{where}.activation: expected one of {', '.join(functions())}, got {shown(value)}"
            )
    return options


def generate(
    rng: Generator,
    difficulty: str,
    options: dict | None = None,
    structure: Generator | None = None,
) -> Exercise:
    """One activation exercise: the activation from ``structure`` (or the pin), numbers from
    ``rng``; ``difficulty`` sets the grid (integers/halves), the examples and the blanks."""
    names = functions()
    drawn = names[int((rng if structure is None else structure).integers(len(names)))]
    return exercise_for(rng, difficulty, (options or {}).get("activation", drawn))


def exercise_for(rng: Generator, difficulty: str, function: str) -> Exercise:
    """One exercise on the activation ``function`` (any name of :func:`functions`)."""
    return rejection(lambda: _draw(rng, difficulty, function), f"activation {function}")


@functools.cache
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
    return (
        rf"{op.tex}(z) = {sheet_tex(definition)}",
        rf"{op.tex}'(z) = {sheet_tex(op.partials[0](z))}",
    )


def _step(difficulty: str, kinks: tuple[float, ...]) -> float:
    """Integers when easy, unless two kinks are at most 2 apart (hardtanh's −1 < z < 1):
    integer inputs would then never land inside that range away from its kinks."""
    narrow = any(b - a <= 2 for a, b in zip(kinks, kinks[1:]))
    return 1.0 if difficulty == "easy" and not narrow else 0.5


def _side(z: float, kinks: tuple[float, ...]) -> int:
    """Which piece of a kinked activation ``z`` falls on: the number of kinks below it."""
    return sum(z > k for k in kinks)


def _expression(function: str, count: int) -> str:
    """``L`` as far as the unit sees it: Σₙ (∂L/∂hₙ)·g(zₙ), whose gradients are the answers."""
    return " + ".join(f"u{n}*{function}(w1*x1_{n} + w2*x2_{n} + b)" for n in range(1, count + 1))


def _sup(name: str, n: int) -> str:
    r"""``x1`` of example ``n`` in LaTeX: ``x_{1}^{(n)}``."""
    return f"{name[0]}_{{{name[1:]}}}^{{({n})}}" if name[1:] else f"{name}^{{({n})}}"


def _z(weights: dict, example: dict) -> float:
    return weights["w1"] * example["x1"] + weights["w2"] * example["x2"] + weights["b"]


def _example(rng, weights: dict, step: float, kinks: tuple[float, ...]) -> dict:
    """One example whose z is unsaturated, away from the kinks and not 0 or ±1 (redrawn a
    bounded number of times: cheaper than redrawing the whole exercise)."""
    for _ in range(100):
        example = {
            "x1": grid(rng, -4, 4, step, nonzero=True),
            "x2": grid(rng, -4, 4, step, nonzero=True),
            "upstream": grid(rng, -3, 3, step, nonzero=True),
        }
        z = _z(weights, example)
        if (
            abs(z) <= SATURATION
            and not near_guess(z, tolerance(z))
            and all(abs(z - k) >= KINK_MARGIN for k in kinks)
        ):
            return example
    raise Rejected("no example in range for these weights")


def _draw(rng, difficulty: str, function: str) -> Exercise:
    from .chain import derive_at, mistakes

    op = ops.get(function)
    kinks = ops.kink_points(function)
    step = _step(difficulty, kinks)
    weights = {
        "w1": grid(rng, -3, 3, step, nonzero=True),
        "w2": grid(rng, -3, 3, step, nonzero=True),
        "b": grid(rng, -3, 3, step),
    }
    examples = [_example(rng, weights, step, kinks) for _ in range(EXAMPLES[difficulty])]
    zs = [_z(weights, e) for e in examples]
    distance = min(away_from_kink(z, kinks) for z in zs) if kinks else math.inf
    if kinks and len({_side(z, kinks) for z in zs}) < 2:
        raise Rejected("every example on one side of the kink")
    point = dict(weights)
    for n, e in enumerate(examples, 1):
        point.update({f"x1_{n}": e["x1"], f"x2_{n}": e["x2"], f"u{n}": e["upstream"]})
    parameters = PARAMETERS[difficulty]
    d = derive_at(_expression(function, len(examples)), point, list(parameters))
    slope = ops.local_gradient_numpy(function, 0)
    g = [float(op.numpy(z)) for z in zs]
    g_prime = [float(slope(z)) for z in zs]
    dz = {
        "w1": [e["x1"] for e in examples],
        "w2": [e["x2"] for e in examples],
        "b": [1.0] * len(examples),
    }
    answers = [Answer(f"z{n}", f"z^{{({n})}}", clean(z, "z")) for n, z in enumerate(zs, 1)]
    for p in parameters:
        grad = clean(d.gradient_values()[p], f"dL/d{p}")
        no_upstream = sum(s * x for s, x in zip(g_prime, dz[p]))
        answers.append(
            add_alternatives(
                Answer(f"dL_d{p}", rf"\partial L / \partial {PARAMETER_TEX[p]}", grad),
                mistakes(d, p) + [("missing_upstream", no_upstream)],
            )
        )

    symbol = op.tex
    definition, derivative = formulas(function)
    given_w = ", ".join(f"${PARAMETER_TEX[k]} = {num(v)}$" for k, v in weights.items())
    rows = [
        ", ".join(
            [f"${_sup(k, n)} = {num(e[k])}$" for k in ("x1", "x2")]
            + [rf"$\partial L / \partial h^{{({n})}} = {num(e['upstream'])}$"]
        )
        for n, e in enumerate(examples, 1)
    ]
    prompt = both(
        f"A unit computes ${ZDEF}$ and $h = {symbol}(z)$, where ${definition}$. "
        f"Its weights are {given_w}. A mini-batch of {len(examples)} examples passes through "
        f"it; each example's inputs, and the upstream gradient backpropagation has brought "
        f"to its output $h$: "
        + "; ".join(f"example {n}: {r}" for n, r in enumerate(rows, 1))
        + f". Derive ${symbol}'(z)$, then compute the values below (the gradients of $L$ sum "
        f"over the mini-batch).",
        f"一个单元计算 ${ZDEF}$ 和 $h = {symbol}(z)$，其中 ${definition}$。"
        f"权重为 {given_w}。一个含 {len(examples)} 个样本的小批量经过该单元；各样本的输入，"
        "以及反向传播传到其输出 $h$ 的上游梯度："
        + "；".join(f"样本 {n}：{r}" for n, r in enumerate(rows, 1))
        + f"。先推导 ${symbol}'(z)$，再计算下列各值（$L$ 的梯度是对小批量求和）。",
    )
    solution = [line(derivative, "The derivative of the activation:", "激活函数的导数：")]
    for n, (e, z) in enumerate(zip(examples, zs), 1):
        solution.append(
            line(
                rf"z^{{({n})}} = {paren(weights['w1'])} \cdot {paren(e['x1'])} + "
                rf"{paren(weights['w2'])} \cdot {paren(e['x2'])} + {paren(weights['b'])} = {num(z)},"
                rf"\quad h^{{({n})}} = {symbol}({num(z)}) = {num(g[n - 1])},\quad "
                rf"{symbol}'({num(z)}) = {num(g_prime[n - 1])}"
            )
        )
    solution.append(
        line(
            r"\frac{\partial L}{\partial z^{(n)}} = \frac{\partial L}{\partial h^{(n)}}\, "
            + f"{symbol}'(z^{{(n)}}):\\quad "
            + ",\\ ".join(
                rf"{paren(e['upstream'])} \cdot {paren(s)} = {num(e['upstream'] * s)}"
                for e, s in zip(examples, g_prime)
            ),
            "Chain rule per example: upstream gradient times the local gradient g′(z).",
            "每个样本用链式法则：上游梯度乘以局部梯度 g′(z)。",
        )
    )
    for p, a in zip(parameters, answers[len(examples) :]):
        terms = " + ".join(
            rf"{paren(e['upstream'] * s)} \cdot {paren(x)}"
            for e, s, x in zip(examples, g_prime, dz[p])
        )
        solution.append(
            line(
                rf"\frac{{\partial L}}{{\partial {PARAMETER_TEX[p]}}} = \sum_n "
                rf"\frac{{\partial L}}{{\partial z^{{(n)}}}}\, \frac{{\partial z^{{(n)}}}}"
                rf"{{\partial {PARAMETER_TEX[p]}}} = {terms} = {num(a.value)}",
                "The weights are shared: add the gradients of every example."
                if p == parameters[0]
                else None,
                "权重是共享的：要把每个样本的梯度相加。" if p == parameters[0] else None,
            )
        )
    data = {"function": function, "weights": weights, "examples": examples, "z_formula": INNER}
    return make_fair(
        Exercise(
            "activation",
            difficulty,
            both(f"Activation derivative: {function}", f"激活函数的导数：{function}"),
            data,
            prompt,
            answers,
            solution,
            d,
            {"kink_distance": distance},
        )
    )


def _summary() -> str:
    *first, last = functions()
    names = f"{', '.join(first)} or {last}" if first else last
    return (
        f"derive g′ of {names} and evaluate it inside a unit (chain rule to w, summed "
        f"over a mini-batch)"
    )


KIND = Kind(
    "activation",
    _summary(),
    generate,
    {"activation": f"the activation, one of: {', '.join(functions())}"},
    check_options,
)
