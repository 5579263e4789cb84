"""Kind ``output_loss``: an output unit with its loss, and the gradient at the logits.

Variants (the lecture's section on output units and cost functions):

* ``softmax_ce``: softmax + cross-entropy, ``∂L/∂z = ŷ − y``;
* ``sigmoid_ce``: sigmoid + binary cross-entropy, ``∂L/∂z = ŷ − y`` (via ∂L/∂ŷ · σ′);
* ``linear_mse``: linear output + ½‖y − ŷ‖², ``∂L/∂z = ŷ − y``;
* ``sigmoid_mse``: a saturated sigmoid with MSE, whose gradient ``(ŷ − y) σ′(z)`` is tiny
  next to cross-entropy's ``ŷ − y``: why maximum likelihood is preferred.
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
    vec_latex,
)

VARIANTS = {
    "easy": ("sigmoid_ce", "linear_mse"),
    "medium": ("softmax_ce", "sigmoid_ce", "linear_mse", "sigmoid_mse"),
    "hard": ("softmax_ce", "sigmoid_mse"),
}


def generate(rng, difficulty: str, options: dict | None = None, structure=None) -> Exercise:
    """One output-unit exercise; the variant is drawn from those of ``difficulty``."""
    options = VARIANTS[difficulty]
    variant = options[int(rng.integers(len(options)))]
    draw = {"softmax_ce": _softmax_ce, "sigmoid_ce": _sigmoid_ce, "linear_mse": _linear_mse,
            "sigmoid_mse": _sigmoid_mse}[variant]
    return rejection(lambda: draw(rng, difficulty), f"output_loss {variant}")


def _derive(expr: str, values: dict, wrt: list[str]):
    from .chain import derive_at

    return derive_at(expr, values, wrt)


def _softmax_ce(rng, difficulty: str) -> Exercise:
    n = 4
    z = grid(rng, -3, 3, 0.5, size=n)
    c = int(rng.integers(n))  # the true class
    y = [1.0 if i == c else 0.0 for i in range(n)]
    names = [f"z{i + 1}" for i in range(n)]
    total = " + ".join(f"exp({v})" for v in names)
    d = _derive(f"-log(exp({names[c]})/({total}))", dict(zip(names, z)), names)
    loss = clean(d.value, "L")
    grads = [clean(d.gradients[v].value, v) for v in names]
    y_hat = [g + t for g, t in zip(grads, y)]  # read off ∂L/∂z = ŷ − y (the solution's step)
    answers = [Answer("y_hat_true", rf"\hat y_{c + 1}", clean(y_hat[c])), Answer("L", "L", loss)]
    for i, g in enumerate(grads):
        answers.append(add_alternatives(Answer(f"dL_dz{i + 1}", rf"\partial L / \partial z_{i + 1}",
                                               g), [("sign_flip", -g)]))
    data = {"variant": "softmax_ce", "z": z.tolist(), "y": y}
    prompt = both(
        f"An output layer has logits $\\mathbf{{z}} = {vec_latex(z)}$, a softmax output "
        rf"$\hat y_i = \frac{{e^{{z_i}}}}{{\sum_j e^{{z_j}}}}$ and the one-hot target "
        f"$\\mathbf{{y}} = {vec_latex(y)}$ (class {c + 1}). The loss is the cross-entropy "
        r"$L = -\sum_i y_i \log \hat y_i$. Compute the values below.",
        f"输出层的 logits 为 $\\mathbf{{z}} = {vec_latex(z)}$，softmax 输出 "
        rf"$\hat y_i = \frac{{e^{{z_i}}}}{{\sum_j e^{{z_j}}}}$，one-hot 目标 "
        f"$\\mathbf{{y}} = {vec_latex(y)}$（第 {c + 1} 类）。损失为交叉熵 "
        r"$L = -\sum_i y_i \log \hat y_i$。计算下列各值。")
    solution = [
        line(rf"\hat{{\mathbf{{y}}}} = \operatorname{{softmax}}(\mathbf{{z}}) = {vec_latex(y_hat)}"),
        line(rf"L = -\log \hat y_{c + 1} = -\log {num(y_hat[c])} = {num(loss)}"),
        line(rf"\frac{{\partial L}}{{\partial \mathbf{{z}}}} = \hat{{\mathbf{{y}}}} - \mathbf{{y}} "
             rf"= {vec_latex(grads)}",
             "Softmax and cross-entropy combine: the gradient at the logits is ŷ − y.",
             "softmax 与交叉熵合在一起：对 logits 的梯度就是 ŷ − y。"),
    ]
    return _exercise(difficulty, "softmax + cross-entropy", "softmax + 交叉熵", data, prompt,
                     answers, solution, d)


def _unit(rng, difficulty: str) -> dict:
    """The lecture's sigmoid unit ``z = w₁h₁ + w₂h₂ + b`` on a grid (integers when easy)."""
    step = 1.0 if difficulty == "easy" else 0.5
    return {"w1": grid(rng, -3, 3, step, nonzero=True),
            "h1": grid(rng, -4, 4, step, nonzero=True),
            "w2": grid(rng, -3, 3, step, nonzero=True),
            "h2": grid(rng, -4, 4, step, nonzero=True),
            "b": grid(rng, -2, 2, step)}


def _sigmoid_unit(d) -> tuple[float, float, float, float]:
    """``(z, ŷ = σ(z), ∂L/∂ŷ, σ′(z))`` read from the derivation's σ node and its step."""
    node = next(n for n in d.graph.op_nodes if n.op == "sigmoid")
    step = next(s for s in d.steps if s.parent == node.id)
    return d.values[node.inputs[0]], d.value_of(node), step.upstream_value, step.local_value


UNIT = r"z = w_1 h_1 + w_2 h_2 + b"
UNIT_TEXT = "w1*h1 + w2*h2 + b"
SQUARED_ERROR = f"0.5*(sigmoid({UNIT_TEXT}) - y)^2"
CROSS_ENTROPY = f"-(y*log(sigmoid({UNIT_TEXT})) + (1 - y)*log(1 - sigmoid({UNIT_TEXT})))"


def _given(values: dict) -> str:
    return ", ".join(f"${name_tex(k)} = {num(v)}$" for k, v in values.items())


def _sigmoid_ce(rng, difficulty: str) -> Exercise:
    values = _unit(rng, difficulty)
    y = float(rng.integers(2))
    d = _derive(CROSS_ENTROPY, {**values, "y": y}, ["w1", "b"])
    z, y_hat, dl_dyhat, sigma_prime = _sigmoid_unit(d)
    if z == 0 or abs(z) > 3:
        raise Rejected("saturated or zero logit")
    y_hat = clean(y_hat, "y_hat")
    dl_dyhat = clean(dl_dyhat, "dL/dy_hat")
    grad = clean(d.gradients["b"].value, "dL/dz")  # ∂z/∂b = 1
    grad_w = clean(d.gradients["w1"].value, "dL/dw1")
    answers = [
        Answer("y_hat", r"\hat y", y_hat),
        Answer("L", "L", clean(d.value, "L")),
        Answer("dL_dyhat", r"\partial L / \partial \hat y", dl_dyhat),
        add_alternatives(Answer("dL_dz", r"\partial L / \partial z", grad),
                         [("sign_flip", -grad), ("missing_upstream", sigma_prime),
                          ("value_not_derivative", dl_dyhat * y_hat)]),
        add_alternatives(Answer("dL_dw1", r"\partial L / \partial w_1", grad_w),
                         [("sign_flip", -grad_w), ("missing_upstream", values["h1"])]),
    ]
    data = {"variant": "sigmoid_ce", "inputs": values, "y": y}
    prompt = both(
        f"A sigmoid output unit computes ${UNIT}$ and $\\hat y = \\sigma(z)$ with {_given(values)}; "
        f"the label is $y = {num(y)}$. The loss is the binary cross-entropy "
        r"$L = -\bigl(y \log \hat y + (1 - y) \log(1 - \hat y)\bigr)$. Compute the values below.",
        f"sigmoid 输出单元计算 ${UNIT}$ 和 $\\hat y = \\sigma(z)$，其中 {_given(values)}；"
        f"标签 $y = {num(y)}$。"
        r"损失为二元交叉熵 $L = -\bigl(y \log \hat y + (1 - y) \log(1 - \hat y)\bigr)$。"
        "计算下列各值。")
    solution = [
        line(rf"z = {num(z)},\quad \hat y = \sigma({num(z)}) = {num(y_hat)},\quad L = {num(d.value)}"),
        line(rf"\frac{{\partial L}}{{\partial \hat y}} = -\frac{{y}}{{\hat y}} + "
             rf"\frac{{1 - y}}{{1 - \hat y}} = {num(dl_dyhat)}"),
        line(rf"\frac{{\partial L}}{{\partial z}} = \frac{{\partial L}}{{\partial \hat y}}\,"
             rf"\sigma'(z) = {paren(dl_dyhat)} \cdot {num(sigma_prime)} = \hat y - y = {num(grad)}",
             "σ′ = ŷ(1 − ŷ) cancels the denominators: no saturation with cross-entropy.",
             "σ′ = ŷ(1 − ŷ) 与分母相消：交叉熵下不会饱和。"),
        line(rf"\frac{{\partial L}}{{\partial w_1}} = (\hat y - y)\, h_1 = {paren(grad)} \cdot "
             rf"{paren(values['h1'])} = {num(grad_w)}"),
    ]
    return _exercise(difficulty, "sigmoid + cross-entropy", "sigmoid + 交叉熵", data, prompt,
                     answers, solution, d)


def _linear_mse(rng, difficulty: str) -> Exercise:
    step = 1.0 if difficulty == "easy" else 0.5
    z = grid(rng, -4, 4, step, size=3)
    y = grid(rng, -4, 4, step, size=3)
    if any(abs(a - b) < 0.5 for a, b in zip(z, y)):
        raise Rejected("zero gradient")
    d = _derive("0.5*((z1 - y1)^2 + (z2 - y2)^2 + (z3 - y3)^2)",
                {"z1": z[0], "z2": z[1], "z3": z[2], "y1": y[0], "y2": y[1], "y3": y[2]},
                ["z1", "z2", "z3"])
    grads = [clean(d.gradients[v].value) for v in ("z1", "z2", "z3")]
    answers = [Answer("L", "L", clean(d.value, "L"))]
    for i, g in enumerate(grads):
        answers.append(add_alternatives(Answer(f"dL_dz{i + 1}", rf"\partial L / \partial z_{i + 1}",
                                               g), [("sign_flip", -g)]))
    data = {"variant": "linear_mse", "z": z.tolist(), "y": y.tolist()}
    prompt = both(
        f"A linear output unit gives $\\hat{{\\mathbf{{y}}}} = \\mathbf{{z}} = {vec_latex(z)}$; "
        f"the target is $\\mathbf{{y}} = {vec_latex(y)}$ and the loss is "
        r"$L = \frac12 \|\mathbf{y} - \hat{\mathbf{y}}\|^2$. Compute the values below.",
        f"线性输出单元给出 $\\hat{{\\mathbf{{y}}}} = \\mathbf{{z}} = {vec_latex(z)}$；目标为 "
        f"$\\mathbf{{y}} = {vec_latex(y)}$，损失为 "
        r"$L = \frac12 \|\mathbf{y} - \hat{\mathbf{y}}\|^2$。计算下列各值。")
    solution = [
        line(r"L = \tfrac12\bigl(" + " + ".join(f"({num(b)} - {paren(a)})^2" for a, b in zip(z, y))
             + rf"\bigr) = {num(d.value)}"),
        line(rf"\frac{{\partial L}}{{\partial \mathbf{{z}}}} = \hat{{\mathbf{{y}}}} - \mathbf{{y}} "
             rf"= {vec_latex(grads)}", "A linear unit does not saturate: g′(z) = 1.",
             "线性单元不会饱和：g′(z) = 1。"),
    ]
    return _exercise(difficulty, "linear output + MSE", "线性输出 + 均方误差", data, prompt,
                     answers, solution, d)


def _sigmoid_mse(rng, difficulty: str) -> Exercise:
    values = _unit(rng, difficulty)
    d = _derive(SQUARED_ERROR, {**values, "y": 0.0}, ["b"])
    z = _sigmoid_unit(d)[0]
    if not 2 <= abs(z) <= 3.5:
        raise Rejected("not in the saturated range")
    y = 1.0 if z < 0 else 0.0  # confidently wrong: the saturated case
    if y:
        d = _derive(SQUARED_ERROR, {**values, "y": y}, ["b"])
    z, y_hat, _, sigma_prime = _sigmoid_unit(d)
    mse_grad = clean(d.gradients["b"].value, "dL/dz")  # ∂z/∂b = 1
    ce_grad = clean(_derive(CROSS_ENTROPY, {**values, "y": y}, ["b"]).gradients["b"].value,
                    "CE gradient")
    if abs(mse_grad) > 0.25 * abs(ce_grad):
        raise Rejected("not saturated")
    answers = [
        Answer("y_hat", r"\hat y", clean(y_hat)),
        Answer("sigma_prime", r"\sigma'(z)", clean(sigma_prime)),
        add_alternatives(Answer("dLmse_dz", r"\partial L_{\mathrm{MSE}} / \partial z", mse_grad),
                         [("sign_flip", -mse_grad), ("missing_upstream", sigma_prime),
                          ("value_not_derivative", ce_grad * y_hat)]),
        add_alternatives(Answer("dLce_dz", r"\partial L_{\mathrm{CE}} / \partial z", ce_grad),
                         [("sign_flip", -ce_grad)]),
    ]
    data = {"variant": "sigmoid_mse", "inputs": values, "y": y}
    prompt = both(
        f"A sigmoid output unit computes ${UNIT}$ and $\\hat y = \\sigma(z)$ with "
        f"{_given(values)}; the label is "
        f"$y = {num(y)}$: the unit is confidently wrong. Compare the squared error "
        r"$L_{\mathrm{MSE}} = \frac12 (\hat y - y)^2$ with the cross-entropy "
        r"$L_{\mathrm{CE}} = -\bigl(y \log \hat y + (1 - y) \log(1 - \hat y)\bigr)$: "
        "compute the values below. Which loss still gives a useful gradient?",
        f"sigmoid 输出单元计算 ${UNIT}$ 和 $\\hat y = \\sigma(z)$，其中 {_given(values)}；"
        f"标签 $y = {num(y)}$："
        r"该单元自信地判断错了。比较均方误差 $L_{\mathrm{MSE}} = \frac12 (\hat y - y)^2$ 与交叉熵 "
        r"$L_{\mathrm{CE}} = -\bigl(y \log \hat y + (1 - y) \log(1 - \hat y)\bigr)$："
        "计算下列各值。哪个损失仍能给出有用的梯度？")
    solution = [
        line(rf"z = {num(z)},\quad \hat y = \sigma({num(z)}) = {num(y_hat)},\quad "
             rf"\sigma'(z) = \hat y (1 - \hat y) "
             rf"= {num(sigma_prime)}"),
        line(rf"\frac{{\partial L_{{\mathrm{{MSE}}}}}}{{\partial z}} = (\hat y - y)\,\sigma'(z) = "
             rf"{paren(ce_grad)} \cdot {num(sigma_prime)} = {num(mse_grad)}",
             "The sigmoid saturates, so σ′(z) is small and the MSE gradient nearly vanishes.",
             "sigmoid 已饱和，σ′(z) 很小，MSE 的梯度几乎消失。"),
        line(rf"\frac{{\partial L_{{\mathrm{{CE}}}}}}{{\partial z}} = \hat y - y = {num(ce_grad)}",
             "Cross-entropy cancels σ′: the gradient stays large while the answer is wrong.",
             "交叉熵消去了 σ′：只要答案错误，梯度就保持较大。"),
    ]
    return _exercise(difficulty, "sigmoid + MSE: saturation", "sigmoid + 均方误差：饱和", data,
                     prompt, answers, solution, d)


def _exercise(difficulty, title_en, title_zh, data, prompt, answers, solution, d) -> Exercise:
    return Exercise("output_loss", difficulty, both(f"Output unit and loss: {title_en}",
                                                    f"输出单元与损失：{title_zh}"),
                    data, prompt, answers, solution, d, {"kink_distance": math.inf})


KIND = Kind("output_loss", "gradient of a loss at the logits: softmax+CE, sigmoid+CE, "
            "linear+MSE, and sigmoid+MSE saturation", generate)
