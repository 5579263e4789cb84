"""Kind ``mlp``: forward and backward pass of a small MLP with given weights.

Easy: 2-2-2 (ReLU hidden, softmax + cross-entropy). Medium: 2-3-2 or 3-3-2 with a ReLU,
sigmoid or tanh hidden layer, softmax or sigmoid output. Hard: the lecture's 3-4-3-2 network
(ReLU, ReLU, softmax, cross-entropy). A spec may pin the layers, activations, output unit,
loss, λ, or a whole network file (:mod:`.network_pins`). The network and the entries asked
come from the ``structure`` generator; weights, biases and inputs (halves) from ``rng``.
Every version asks six blanks: J, one ŷ_j, and one entry each of ∇b and ∇W of the last and
the first layer; none is 0 or ±1. The numbers come from :func:`symgrad.mlp.run_mlp`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from types import SimpleNamespace
from typing import TYPE_CHECKING

import numpy as np

from .. import ops
from .base import (
    KINK_MARGIN,
    Answer,
    Exercise,
    Kind,
    Rejected,
    add_alternatives,
    both,
    clean,
    clean_draws_common,
    grid,
    mat_latex,
    num,
    rejection,
    vec_latex,
)
from .fair import make_fair, near_guess
from .network_pins import OPTIONS_HELP, check_options, resolve, shapes_for
from .network_screen import CONFIDENT, MAX_LOGIT, SATURATION, screen

if TYPE_CHECKING:
    from numpy.random import Generator

    from ..mlp.spec import MLPSpec

STRUCTURE_TRIES = 200
VALIDATION_TRIES = 60
VALIDATION_HITS = 3


@dataclass(frozen=True)
class Network:
    """An exercise's structure: the network and the output entry ŷ_j asked."""

    spec: MLPSpec
    out: int
    x_step: float


def generate(
    rng: Generator,
    difficulty: str,
    options: dict | None = None,
    structure: Generator | None = None,
) -> Exercise:
    """One MLP exercise: the network from ``structure`` (one draw), the numbers from ``rng``."""
    options = options or {}
    structure = rng if structure is None else structure
    seed = int(structure.integers(2**63))
    if "network" in options:  # a pinned network file: its numbers, as given
        private = np.random.default_rng(seed)  # the entries asked: the same in every version
        return exercise_for(
            difficulty, _pinned_network(options, private), options["network"], private, strict=False
        )
    key = tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in options.items()))
    net = choose_network(difficulty, key, seed)
    return rejection(lambda: _draw(difficulty, net, rng, rng), f"mlp {difficulty}")


def _draw(
    difficulty: str, net: Network, rng: Generator, pick: Generator, final: bool = True
) -> Exercise:
    """One draw of the numbers: the cheap :func:`.network_screen.screen` rejects most draws
    on their forward values; the rest go through :func:`exercise_for`, which decides."""
    arrays = draw_arrays(rng, net.spec, net.x_step)
    screen(net.spec, arrays, KINK_MARGIN, net.out)
    numbers = {key: value.tolist() for key, value in arrays.items()}
    return exercise_for(difficulty, net, numbers, pick, final=final)


@lru_cache(maxsize=256)
def choose_network(difficulty: str, key: tuple, seed: int) -> Network:
    """The network of an exercise, from ``seed`` alone; kept when clean numbers are common."""
    from ..mlp import make_spec

    options = {k: list(v) if isinstance(v, tuple) else v for k, v in key}
    private = np.random.default_rng(seed)
    shapes = shapes_for(difficulty, options)
    for _ in range(STRUCTURE_TRIES):
        layers, hidden, output, loss, l2 = resolve(
            options, shapes[int(private.integers(len(shapes)))]
        )
        spec = make_spec(list(layers), list(hidden), output, loss, l2)
        net = Network(
            spec, int(private.integers(layers[-1])), 0.5 if difficulty == "medium" else 1.0
        )
        if not options or _clean_numbers_common(difficulty, net, private):
            return net  # the difficulty's own shapes are known to work (stress tests)
    raise RuntimeError(f"mlp {difficulty}: no network with clean numbers")


def _clean_numbers_common(difficulty: str, net: Network, private) -> bool:
    return clean_draws_common(
        lambda: _draw(difficulty, net, private, private, final=False),
        VALIDATION_TRIES,
        VALIDATION_HITS,
    )


def _pinned_network(options: dict, private) -> Network:
    from ..mlp import make_spec

    layers, hidden, output, loss, l2 = resolve(
        options, (tuple(options["layers"]), "relu", "softmax")
    )
    spec = make_spec(list(layers), list(hidden), output, loss, l2)
    return Network(spec, int(private.integers(layers[-1])), 1.0)


def draw_arrays(rng: Generator, spec: MLPSpec, x_step: float) -> dict[str, np.ndarray]:
    """Weights and biases (halves), inputs, and a target that fits the output and loss, as
    float arrays (:func:`_draw` screens them, then hands them on as lists)."""
    layers = spec.layers
    data = {}
    for k in range(1, spec.depth + 1):
        data[f"W{k}"] = grid(
            rng, -1.5, 1.5, 0.5, nonzero=True, size=layers[k] * layers[k - 1]
        ).reshape(layers[k], layers[k - 1])
        data[f"b{k}"] = grid(rng, -1, 1, 0.5, size=layers[k])
    data["x"] = grid(rng, -2, 2, x_step, nonzero=True, size=layers[0])
    n_out = layers[-1]
    if spec.output == "softmax":
        y = np.zeros(n_out)
        y[int(rng.integers(n_out))] = 1.0
    elif spec.output == "sigmoid":
        y = (
            rng.integers(0, 2, size=n_out).astype(float)
            if spec.loss == "ce"
            else grid(rng, 0, 1, 0.5, size=n_out)
        )
    else:
        y = grid(rng, -2, 2, 0.5, size=n_out)
    data["y"] = np.asarray(y, dtype=float)
    return {k: np.asarray(v, dtype=float) for k, v in data.items()}


def exercise_for(
    difficulty: str,
    net: Network,
    numbers: dict[str, list],
    pick: Generator,
    strict: bool = True,
    final: bool = True,
) -> Exercise:
    """The exercise for these weights and inputs; ``strict`` rejects unclean numbers and
    guessable blanks; without ``final`` only the answers are built. ``pick`` (a generator)
    chooses the entry of each gradient asked among the clean ones (any nonzero one when not
    ``strict``)."""
    from ..mlp import forward, params_from_dict, run_mlp, teaching_flaw

    spec = net.spec
    params = params_from_dict(spec, numbers)
    if strict:
        fwd = forward(spec, params)
        flaw = teaching_flaw(spec, fwd, KINK_MARGIN)  # random_params' rule
        if flaw:
            raise Rejected(flaw)
        _screen(spec, fwd, numbers)  # the forward pass's rules before the reverse pass
    result = run_mlp(spec, params, check=False, scalar_check=False)
    distance = _kink_distance(spec, result, strict)
    if strict and spec.loss == "ce":
        # ŷ − y cancels where a target of 1 is predicted almost surely: 3 significant figures
        # of ŷ ≈ 0.95 leave 1 or 2 of ŷ − y, and every later blank inherits the error.
        y, y_hat = np.asarray(numbers["y"], dtype=float), np.asarray(result.output, dtype=float)
        if np.any(np.abs(y_hat - y)[y == 1] < 1 - CONFIDENT):
            raise Rejected("a target predicted almost surely: ŷ − y would cancel")
        # 3 significant figures of a logit near 20 are ±0.05, enough to change the softmax
        # of two close logits by several percent
        if np.max(np.abs(result.values[f"z{spec.depth}"])) > MAX_LOGIT:
            raise Rejected("an output logit too large to carry in 3 significant figures")
    j = net.out
    answers = [
        Answer("J", "J", result.loss),
        Answer(f"yhat{j + 1}", rf"\hat y_{j + 1}", float(result.output[j])),
    ]
    if strict:
        for a in answers:
            clean(a.value, a.name)
            if near_guess(a.value, 0.1 * abs(a.value)):
                raise Rejected(f"{a.name} is near 0 or ±1")
    for what, k in (("b", spec.depth), ("W", spec.depth), ("b", 1), ("W", 1)):
        g = np.asarray(result.gradients[f"{what}{k}"], dtype=float)
        entries = [
            i
            for i in np.ndindex(g.shape)
            if abs(g[i]) >= 0.02
            and not (strict and near_guess(float(g[i]), 0.1 * abs(float(g[i]))))
        ]
        if not entries and strict:
            raise Rejected(f"no clean entry of the gradient of {what}{k}")
        entries = entries or list(np.ndindex(g.shape))
        idx = entries[int(pick.integers(len(entries)))]
        value = clean(float(g[idx])) if strict else float(g[idx])
        # the lecture's w_ij: from input i to unit j, i.e. row j, column i of W
        sub = "".join(str(i + 1) for i in idx[::-1])
        symbol = what.lower()
        label = rf"\partial J / \partial {symbol}^{{({k})}}_{{{sub}}}"
        answers.append(
            add_alternatives(
                Answer(f"d{symbol}{k}_{sub}", label, value),
                _mistakes(spec, result, what, k, idx, value),
            )
        )
    question = dict(
        numbers,
        layers=list(spec.layers),
        output=spec.output,
        loss=spec.loss,
        l2=spec.l2,
        hidden=spec.hidden[0] if len(set(spec.hidden)) == 1 else list(spec.hidden),
    )
    net_name = "-".join(map(str, spec.layers))
    exercise = make_fair(
        Exercise(
            "mlp",
            difficulty,
            both(f"MLP forward and backward ({net_name})", f"MLP 前向与反向传播（{net_name}）"),
            question,
            {},
            answers,
            [],
            result,
            {"kink_distance": distance},
        ),
        strict=strict,
    )
    if final:
        exercise.prompt = _prompt(spec, numbers)
        exercise.solution = _solution(result)
    return exercise


def _screen(spec, fwd, numbers: dict) -> None:
    """The rules of a strict :func:`exercise_for` that need forward values only, on
    :func:`symgrad.mlp.forward`'s: most draws are rejected here, before ``run_mlp`` builds the
    layer graph, its reverse pass and its steps (28 draws per hard exercise paid for it).
    The same rules run again on run_mlp's values, which decide."""
    values = {f"z{k}": fwd.z[k - 1] for k in range(1, spec.depth + 1)}
    _kink_distance(spec, SimpleNamespace(values=values), True)
    if spec.loss == "ce":
        y = np.asarray(numbers["y"], dtype=float)
        if np.any(np.abs(fwd.output - y)[y == 1] < 1 - CONFIDENT):
            raise Rejected("a target predicted almost surely: ŷ − y would cancel")
        if np.max(np.abs(fwd.z[-1])) > MAX_LOGIT:
            raise Rejected("an output logit too large to carry in 3 significant figures")


def _kink_distance(spec, result, strict: bool) -> float:
    distance = math.inf
    for k in range(1, spec.depth):
        z = np.asarray(result.values[f"z{k}"], dtype=float)
        name = spec.activation(k)
        kinks = ops.kink_points(name)
        if kinks:
            distance = min(distance, float(np.min(np.abs(z[:, None] - np.array(kinks)))))
        elif strict and np.max(np.abs(z)) > SATURATION:
            raise Rejected("saturated hidden unit")
    return distance


def _mistakes(spec, result, what: str, k: int, idx: tuple, value: float) -> list:
    """Wrong answers of common mistakes for ∂J/∂(what)^(k)[idx]."""
    params = result.params.as_dict()
    out = [("sign_flip", -value)]
    if what == "W":
        below = result.values["x" if k == 1 else f"h{k - 1}"]
        out.append(("missing_upstream", float(below[idx[1]])))
    if k < spec.depth == 2 and not ops.kink_points(spec.activation(k)):
        out.append(("value_not_derivative", _value_for_derivative(result, k)[what][idx]))
    if spec.l2 and what == "W":
        out.append(("no_regularization", value - spec.l2 * params[f"W{k}"][idx]))
    elif spec.l2:
        out.append(("bias_regularized", value + spec.l2 * params[f"b{k}"][idx]))
    return out


def _value_for_derivative(result, k: int) -> dict:
    """∇b^(k) and ∇W^(k) when g(z^(k)) is used in place of g′(z^(k)) at hidden layer k.

    From the library's reverse pass: the gradient arriving at h^(k) times h^(k) (instead of
    times g′(z^(k))), and its outer product with h^(k-1). Offered for one hidden layer only
    (deeper, lower layers would differ too).
    """
    g = np.asarray(result.adjoints[f"h{k}"], dtype=float) * result.values[f"h{k}"]
    below = result.values["x" if k == 1 else f"h{k - 1}"]
    return {"b": g, "W": np.outer(g, below)}


def _prompt(spec, numbers: dict) -> dict[str, str]:
    L = spec.depth
    net = "-".join(map(str, spec.layers))
    names = list(dict.fromkeys(spec.hidden))
    act = ", ".join(f"${ops.get(h).tex}$" for h in names)
    out_tex = {
        "softmax": r"\operatorname{softmax}",
        "sigmoid": ops.get("sigmoid").tex,
        "linear": "",
    }[spec.output]
    y_hat = (
        rf"\hat{{\mathbf{{y}}}} = {out_tex}(\mathbf{{z}}^{{({L})}})"
        if out_tex
        else rf"\hat{{\mathbf{{y}}}} = \mathbf{{z}}^{{({L})}}"
    )
    data_loss = (
        r"-\sum_i y_i \log \hat y_i"
        if spec.loss == "ce" and spec.output == "softmax"
        else r"-\sum_i \bigl(y_i \log \hat y_i + (1 - y_i)\log(1 - \hat y_i)\bigr)"
        if spec.loss == "ce"
        else r"\frac{1}{2}\sum_i (\hat y_i - y_i)^2"
    )
    penalty = (
        rf" + \frac{{{num(spec.l2)}}}{{2}} \sum_k \|\mathbf{{W}}^{{(k)}}\|^2" if spec.l2 else ""
    )
    reg = both("", "") if spec.l2 else both(" (no regularization)", "（无正则项）")
    per_layer = both(" (layer by layer)", "（逐层）") if len(names) > 1 else both("", "")
    xy = rf"\mathbf{{x}} = {vec_latex(numbers['x'])},\quad \mathbf{{y}} = {vec_latex(numbers['y'])}"
    matrices = " ".join(  # one display per layer, so wide networks still fit the page
        rf"$$\mathbf{{W}}^{{({k})}} = {mat_latex(numbers[f'W{k}'])},\quad "
        rf"\mathbf{{b}}^{{({k})}} = {vec_latex(numbers[f'b{k}'])}$$"
        for k in range(1, L + 1)
    )
    z_rule = (
        r"$\mathbf{z}^{(k)} = \mathbf{W}^{(k)} \mathbf{h}^{(k-1)} + \mathbf{b}^{(k)}$ "
        r"with $\mathbf{h}^{(0)} = \mathbf{x}$"
    )
    return both(
        f"A {net} MLP computes {z_rule}, hidden activation {act}{per_layer['en']}, output "
        f"${y_hat}$ and loss $J = {data_loss}{penalty}${reg['en']}. $$ {xy} $$ {matrices} "
        "Run the forward pass and backpropagation. As in the lecture, $w^{(k)}_{ij}$ is the "
        "weight from input $i$ to unit $j$ of layer $k$ (row $j$, column $i$ of "
        "$\\mathbf{W}^{(k)}$), and $b^{(k)}_j$ is unit $j$'s bias.",
        f"一个 {net} 的 MLP 计算 {z_rule.replace(' with ', '，')}，隐藏层激活函数 {act}"
        f"{per_layer['zh']}，输出 ${y_hat}$，损失 $J = {data_loss}{penalty}${reg['zh']}。"
        f"$$ {xy} $$ {matrices} 做一次前向传播和反向传播。与讲义一致，$w^{{(k)}}_{{ij}}$ 是第 $k$ 层中从输入 $i$ "
        f"到单元 $j$ 的权重（即 $\\mathbf{{W}}^{{(k)}}$ 第 $j$ 行第 $i$ 列），$b^{{(k)}}_j$ 是单元 $j$ "
        f"的偏置。",
    )


def _solution(result) -> list[dict]:
    """The library's matrix-form steps, each with its value, and notes in both languages."""
    from ..render.views.mlp import solution_steps

    out = []
    for en, zh in zip(solution_steps(result, "en"), solution_steps(result, "zh")):
        value = np.asarray(en["value"], dtype=float)
        shown = (
            num(float(value))
            if value.ndim == 0
            else mat_latex([value]) + r"^{\top}"
            if value.ndim == 1
            else mat_latex(value)
        )  # vectors as transposed rows: shorter keys
        note = both(en["note"], zh["note"]) if en["note"] else None
        formula = en["latex"].replace(r"\mathbb{1}", r"\mathbf{1}")  # amssymb has no \mathbb{1}
        out.append({"math": f"{formula} = {shown}", "note": note})
    return out


KIND = Kind(
    "mlp",
    "forward and backward pass of a small MLP with given weights (the lecture's "
    "3-4-3-2 network when hard)",
    generate,
    OPTIONS_HELP,
    check_options,
    file_options=("params",),
)
