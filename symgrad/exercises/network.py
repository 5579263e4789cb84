"""Kind ``mlp``: forward and backward pass of a small MLP with given weights.

Easy: 2-2-2 (ReLU hidden, softmax + cross-entropy). Medium: 2-3-2 or 3-3-2 with a ReLU,
sigmoid or tanh hidden layer, softmax or sigmoid output. Hard: the lecture's 3-4-3-2 network
(ReLU, ReLU, softmax, cross-entropy). Weights, biases and inputs are halves; the numbers come
from :func:`symgrad.mlp.run_mlp` (matrix-form steps as in the lecture).
"""

from __future__ import annotations

import math

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
    grid,
    mat_latex,
    num,
    rejection,
    vec_latex,
)

SHAPES = {
    "easy": [((2, 2, 2), "relu", "softmax")],
    "medium": [((2, 3, 2), "relu", "softmax"), ((3, 3, 2), "sigmoid", "softmax"),
               ((2, 3, 2), "tanh", "softmax"), ((3, 2, 1), "relu", "sigmoid"),
               ((2, 3, 1), "sigmoid", "sigmoid")],
    "hard": [((3, 4, 3, 2), "relu", "softmax")],
}
SATURATION = 3.0  # a smooth hidden activation's |z| above this is saturated: rejected


def generate(rng, difficulty: str, options: dict | None = None, structure=None) -> Exercise:
    """One MLP exercise; the network shape is drawn once, the numbers until they are clean."""
    options = SHAPES[difficulty]
    layers, hidden, output = options[int(rng.integers(len(options)))]
    return rejection(lambda: _draw(rng, difficulty, layers, hidden, output), f"mlp {layers}")


def _draw(rng, difficulty, layers, hidden, output) -> Exercise:
    from ..mlp import forward, make_spec, params_from_dict, run_mlp, teaching_flaw

    spec = make_spec(list(layers), hidden=hidden, output=output, loss="ce")
    data = {}
    for k in range(1, spec.depth + 1):
        data[f"W{k}"] = grid(rng, -1.5, 1.5, 0.5, nonzero=True,
                             size=layers[k] * layers[k - 1]).reshape(layers[k], layers[k - 1])
        data[f"b{k}"] = grid(rng, -1, 1, 0.5, size=layers[k])
    data["x"] = grid(rng, -2, 2, 1.0 if difficulty != "medium" else 0.5, nonzero=True,
                     size=layers[0])
    n_out = layers[-1]
    y = np.zeros(n_out)
    if output == "softmax":
        y[int(rng.integers(n_out))] = 1.0
    else:
        y[:] = rng.integers(0, 2, size=n_out)
    data["y"] = y
    params = params_from_dict(spec, {k: v.tolist() for k, v in data.items()})
    flaw = teaching_flaw(spec, forward(spec, params), KINK_MARGIN)  # the rule random_params uses
    if flaw:
        raise Rejected(flaw)
    result = run_mlp(spec, params, check=False, scalar_check=False)
    kinks = ops.kink_points(hidden)
    smooth = not kinks
    distance = math.inf
    for k in range(1, spec.depth):
        z = result.values[f"z{k}"]
        if kinks:
            distance = min(distance, float(np.min(np.abs(z[:, None] - np.array(kinks)))))
        if smooth and np.max(np.abs(z)) > SATURATION:
            raise Rejected("saturated hidden unit")
    grads = result.gradients
    y_hat = np.asarray(result.output, dtype=float)
    L = spec.depth
    answers = [Answer("J", "J", clean(result.loss, "J"))]
    for j in range(n_out):
        answers.append(Answer(f"yhat{j + 1}", rf"\hat y_{j + 1}", clean(y_hat[j])))
    picks = [("b", L), ("W", L), ("b", 1), ("W", 1)]
    for what, k in picks:
        g = grads[f"{what}{k}"]
        candidates = [idx for idx in np.ndindex(g.shape) if abs(g[idx]) >= 0.02]
        if not candidates:
            raise Rejected("no clean entry")
        idx = candidates[int(rng.integers(len(candidates)))]
        value = clean(g[idx])
        sub = "".join(str(i + 1) for i in idx)
        label = rf"\partial J / \partial {what}^{{({k})}}_{{{sub}}}"
        alts = [("sign_flip", -value)]
        if what == "W":
            alts.append(("missing_upstream", result.values["x" if k == 1 else f"h{k - 1}"][idx[1]]))
        if k < L and smooth:
            alts.append(("value_not_derivative", _value_for_derivative(result, k)[what][idx]))
        answers.append(add_alternatives(Answer(f"d{what}{k}_{sub}", label, value), alts))
    names = [a.name for a in answers]
    if len(set(names)) != len(names):
        raise Rejected("same entry twice")
    net = "-".join(map(str, layers))
    matrices = " ".join(  # one display per layer, so wide networks still fit the page
        rf"$$\mathbf{{W}}^{{({k})}} = {mat_latex(data[f'W{k}'])},\quad "
        rf"\mathbf{{b}}^{{({k})}} = {vec_latex(data[f'b{k}'])}$$" for k in range(1, spec.depth + 1))
    act_tex = ops.get(hidden).tex
    out_tex = r"\operatorname{softmax}" if output == "softmax" else ops.get("sigmoid").tex
    loss_tex = (r"J = -\sum_i y_i \log \hat y_i" if output == "softmax" else
                r"J = -\sum_i \bigl(y_i \log \hat y_i + (1 - y_i)\log(1 - \hat y_i)\bigr)")
    xy = (rf"\mathbf{{x}} = {vec_latex(data['x'])},\quad \mathbf{{y}} = {vec_latex(y)}")
    prompt = both(
        f"A {net} MLP computes $\\mathbf{{z}}^{{(k)}} = \\mathbf{{W}}^{{(k)}} \\mathbf{{h}}^{{(k-1)}} "
        f"+ \\mathbf{{b}}^{{(k)}}$ with $\\mathbf{{h}}^{{(0)}} = \\mathbf{{x}}$, hidden activation "
        f"${act_tex}$, output $\\hat{{\\mathbf{{y}}}} = {out_tex}(\\mathbf{{z}}^{{({L})}})$ and loss "
        f"${loss_tex}$ (no regularization). $$ {xy} $$ {matrices} "
        "Run the forward pass and backpropagation. $W_{rc}$ is the entry in row $r$, column $c$.",
        f"一个 {net} 的 MLP 计算 $\\mathbf{{z}}^{{(k)}} = \\mathbf{{W}}^{{(k)}} \\mathbf{{h}}^{{(k-1)}} "
        f"+ \\mathbf{{b}}^{{(k)}}$，$\\mathbf{{h}}^{{(0)}} = \\mathbf{{x}}$，隐藏层激活函数 "
        f"${act_tex}$，输出 $\\hat{{\\mathbf{{y}}}} = {out_tex}(\\mathbf{{z}}^{{({L})}})$，损失 "
        f"${loss_tex}$（无正则项）。$$ {xy} $$ {matrices} "
        "做一次前向传播和反向传播。$W_{rc}$ 表示第 $r$ 行第 $c$ 列的元素。")
    solution = _solution(result)
    question = {k: np.asarray(v).tolist() for k, v in data.items()}
    question.update({"layers": list(layers), "hidden": hidden, "output": output, "loss": "ce"})
    return Exercise("mlp", difficulty, both(f"MLP forward and backward ({net})",
                                            f"MLP 前向与反向传播（{net}）"),
                    question, prompt, answers, solution, result, {"kink_distance": distance})


def _value_for_derivative(result, k: int) -> dict:
    """∇b^(k) and ∇W^(k) when g(z^(k)) is used in place of g′(z^(k)) at hidden layer k.

    From the library's reverse pass: the gradient arriving at h^(k) times h^(k) (instead of
    times g′(z^(k))), and its outer product with h^(k-1). Exact for one hidden layer (the
    shapes with a smooth hidden activation have one); deeper, lower layers would differ too.
    """
    g = np.asarray(result.adjoints[f"h{k}"], dtype=float) * result.values[f"h{k}"]
    below = result.values["x" if k == 1 else f"h{k - 1}"]
    return {"b": g, "W": np.outer(g, below)}


def _solution(result) -> list[dict]:
    """The library's matrix-form steps, each with its value, and notes in both languages."""
    from ..render.views.mlp import solution_steps

    out = []
    for en, zh in zip(solution_steps(result, "en"), solution_steps(result, "zh")):
        value = np.asarray(en["value"], dtype=float)
        shown = num(value) if value.ndim == 0 else mat_latex([value]) + r"^{\top}" \
            if value.ndim == 1 else mat_latex(value)  # vectors as transposed rows: shorter keys
        note = both(en["note"], zh["note"]) if en["note"] else None
        formula = en["latex"].replace(r"\mathbb{1}", r"\mathbf{1}")  # amssymb has no \mathbb{1}
        out.append({"math": f"{formula} = {shown}", "note": note})
    return out


KIND = Kind("mlp", "forward and backward pass of a small MLP with given weights (the lecture's "
            "3-4-3-2 network when hard)", generate)
