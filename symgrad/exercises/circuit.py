"""Kind ``graph``: forward and backward pass through the computational graph of a random
composite function, as in the lecture's sigmoid circuit.

Easy: depth 2 with +, −, ×, max. Medium: depth 3, adding exp, σ, tanh, relu, squares.
Hard: depth 3–4, adding 1/x and log, drawn at the lecture's primitive granularity (f1–f6)
or with fused gates; sometimes the lecture's own neuron ``σ(w0 x0 + w1 x1 + w2)``.
Every gradient comes from :func:`symgrad.derivation.derive`.
"""

from __future__ import annotations

from ..derivation import structure
from ..errors import SymgradError
from ..parse import Expr, const, var
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
    num,
    rejection,
)
from .chain import (
    derive_at,
    expr_latex,
    expr_text,
    mistakes,
    require_clean,
    solution_lines,
)

NAMES = ("x", "y", "z", "w")
BINARY = {"easy": ("add", "sub", "mul", "mul", "max"),
          "medium": ("add", "sub", "mul", "mul", "max"),
          "hard": ("add", "sub", "mul", "mul", "max", "min", "div")}
UNARY = {"easy": (),
         "medium": ("exp", "sigmoid", "tanh", "relu", "square", "neg"),
         "hard": ("exp", "sigmoid", "tanh", "relu", "square", "neg", "recip", "log")}
DEPTH = {"easy": 2, "medium": 3, "hard": 4}
NEURON = "1/(1 + exp(-(w0*x0 + w1*x1 + w2)))"  # the lecture's circuit
VALUE_TRIES = 30  # points tried per random function before drawing a new function


def generate(rng, difficulty: str, options: dict | None = None, structure=None) -> Exercise:
    """One circuit exercise; structure and values both come from ``rng``."""
    neuron = difficulty != "easy" and rng.random() < 0.2  # decided once, not per redraw
    return rejection(lambda: _draw(rng, difficulty, neuron), f"graph {difficulty}")


def _tree(rng, difficulty: str, depth: int, leaves: list) -> Expr:
    """A random expression; leaves are placeholders numbered in order of appearance."""
    if depth == 0 or (depth < DEPTH[difficulty] and rng.random() < 0.25):
        if depth < DEPTH[difficulty] and rng.random() < 0.15:
            return const(int(rng.choice([2, 3])))
        leaves.append(len(leaves))
        return Expr("var", name=f"_{len(leaves) - 1}")
    unary = UNARY[difficulty]
    if unary and rng.random() < 0.4:
        op = unary[int(rng.integers(len(unary)))]
        child = _tree(rng, difficulty, depth - 1, leaves)
        if child.is_const:
            raise Rejected("a function of a constant")
        if op in ("log", "recip") and child.op in ("relu", "max", "min"):
            raise Rejected("a pole right next to a kink")
        if op == "square":
            return Expr("pow", (child, const(2)))
        if op == "recip":
            return Expr("div", (const(1), child))
        return Expr(op, (child,))
    ops = BINARY[difficulty]
    op = ops[int(rng.integers(len(ops)))]
    left = _tree(rng, difficulty, depth - 1, leaves)
    right = _tree(rng, difficulty, depth - 1, leaves)
    if left.is_const and right.is_const:
        raise Rejected("an operation on constants only")
    if op in ("add", "mul") and right.is_const:  # written as 3 x, 2 + x
        left, right = right, left
    return Expr(op, (left, right))


def _name_leaves(e: Expr, names: list[str]) -> Expr:
    if e.op == "var":
        return var(names[int(e.name[1:])])
    if not e.args:
        return e
    return Expr(e.op, tuple(_name_leaves(a, names) for a in e.args), e.name, e.value)


def _draw(rng, difficulty: str, neuron: bool) -> Exercise:
    step = 1.0 if difficulty == "easy" else 0.5
    if neuron:
        text = NEURON
        names = ["w0", "x0", "w1", "x1", "w2"]
        latex = r"\frac{1}{1 + \exp\left(-(w_0 x_0 + w_1 x_1 + w_2)\right)}"
    else:
        leaves: list[int] = []
        tree = _tree(rng, difficulty, DEPTH[difficulty], leaves)
        n_vars = min(len(leaves), 3)
        if len(leaves) < 3 or n_vars < 2 or len(leaves) > 7:
            raise Rejected("too small or too large")
        # the first n_vars leaves get distinct names in order; the rest reuse them (fan-out)
        assigned = NAMES[:n_vars] + tuple(NAMES[int(rng.integers(n_vars))]
                                          for _ in range(len(leaves) - n_vars))
        tree = _name_leaves(tree, list(assigned))
        text, latex = expr_text(tree), expr_latex(tree)
        names = [n for n in NAMES if n in assigned]
    granularity = "written" if difficulty != "hard" else ("primitive", "gate")[int(rng.integers(2))]
    try:
        graph = structure(text, granularity)[1]
    except SymgradError:
        raise Rejected("not a differentiable graph") from None
    if len(graph.op_nodes) < 3:
        raise Rejected("too few operations")
    for _ in range(VALUE_TRIES):  # the structure is cached: redrawing values is cheap
        values = {n: grid(rng, -4, 4, step, nonzero=True) for n in names}
        try:
            return _finish(difficulty, names, values, text, latex, granularity)
        except Rejected:
            continue
    raise Rejected("no clean point for this function")


def _finish(difficulty, names, values, text, latex, granularity) -> Exercise:
    d = derive_at(text, values, granularity=granularity)
    distance = require_clean(d)
    f_value = clean(d.value, "f")
    answers = [Answer("f", "f", f_value)]
    for name in names:
        g = clean(d.gradients[name].value, f"df/d{name}")
        answers.append(add_alternatives(
            Answer(f"df_d{name}", rf"\partial f / \partial {name_tex(name)}", g), mistakes(d, name)))
    given = ", ".join(f"${name_tex(k)} = {num(v)}$" for k, v in values.items())
    level = {"written": both("one node per operation as written",
                             "每个运算（按书写）一个节点"),
             "primitive": both("the lecture's primitives f1–f6 (x·y, x+y, x+c, −x, eˣ, 1/x; "
                               "max, log, powers)",
                               "讲义中的基本函数 f1–f6（x·y、x+y、x+c、−x、eˣ、1/x；以及 max、log、幂）"),
             "gate": both("fused gates where a pattern is recognised (e.g. one σ gate)",
                          "可识别的模式合并为一个门（例如一个 σ 门）")}[granularity]
    args = ", ".join(name_tex(n) for n in names)
    prompt = both(
        f"$$f({args}) = {latex}$$ Draw the computational graph of $f$ with {level['en']}. "
        f"At {given}, run the forward pass and then backpropagate to get every partial "
        "derivative.",
        f"$$f({args}) = {latex}$$ 画出 $f$ 的计算图（{level['zh']}）。在 {given} 处先做前向传播，"
        "再反向传播求出每个偏导数。")
    data = {"expression": text, "granularity": granularity, "point": values}
    return Exercise("graph", difficulty, both("Computational graph: forward and backward",
                                              "计算图：前向与反向传播"),
                    data, prompt, answers, solution_lines(d), d, {"kink_distance": distance})


KIND = Kind("graph", "forward and backward pass through the computational graph of a random "
            "composite function (written, primitive f1–f6 or gate granularity)", generate)
