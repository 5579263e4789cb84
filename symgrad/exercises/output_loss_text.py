"""The question and worked-solution text of the ``output_loss`` kind, in both languages, from
the numbers :mod:`symgrad.exercises.output_loss` draws and derives (nothing is computed
here: every number shown is one of the arguments)."""

from __future__ import annotations

from .base import both, line, name_tex, num, paren, vec_latex

UNIT = r"z = w_1 h_1 + w_2 h_2 + b"


def _given(values: dict) -> str:
    return ", ".join(f"${name_tex(k)} = {num(v)}$" for k, v in values.items())


def softmax_ce_text(
    z: list, y: list[float], c: int, y_hat: list[float], loss: float, grads: list[float]
) -> tuple[dict[str, str], list[dict]]:
    """Prompt and solution of ``softmax_ce``: logits ``z``, one-hot ``y`` of class ``c``."""
    prompt = both(
        f"An output layer has logits $\\mathbf{{z}} = {vec_latex(z)}$, a softmax output "
        rf"$\hat y_i = \frac{{e^{{z_i}}}}{{\sum_j e^{{z_j}}}}$ and the one-hot target "
        f"$\\mathbf{{y}} = {vec_latex(y)}$ (class {c + 1}). The loss is the cross-entropy "
        r"$L = -\sum_i y_i \log \hat y_i$. Compute the values below.",
        f"输出层的 logits 为 $\\mathbf{{z}} = {vec_latex(z)}$，softmax 输出 "
        rf"$\hat y_i = \frac{{e^{{z_i}}}}{{\sum_j e^{{z_j}}}}$，one-hot 目标 "
        f"$\\mathbf{{y}} = {vec_latex(y)}$（第 {c + 1} 类）。损失为交叉熵 "
        r"$L = -\sum_i y_i \log \hat y_i$。计算下列各值。",
    )
    solution = [
        line(
            rf"\hat{{\mathbf{{y}}}} = \operatorname{{softmax}}(\mathbf{{z}}) = {vec_latex(y_hat)}"
        ),
        line(rf"L = -\log \hat y_{c + 1} = -\log {num(y_hat[c])} = {num(loss)}"),
        line(
            rf"\frac{{\partial L}}{{\partial \mathbf{{z}}}} = \hat{{\mathbf{{y}}}} - \mathbf{{y}} "
            rf"= {vec_latex(grads)}",
            "Softmax and cross-entropy combine: the gradient at the logits is ŷ − y.",
            "softmax 与交叉熵合在一起：对 logits 的梯度就是 ŷ − y。",
        ),
    ]
    return prompt, solution


def unit_loss_text(
    logistic: bool,
    values: dict,
    y: float,
    z: float,
    y_hat: float,
    loss: float,
    dl_dyhat: float,
    sigma_prime: float,
    grad: float,
    extra: list[float],
) -> tuple[dict[str, str], list[dict]]:
    """Prompt and solution of ``sigmoid_ce`` (``logistic``) or ``linear_mse``; ``extra``: the
    values of the asked ∂L/∂w₁, ∂L/∂h₁, ∂L/∂w₂ blanks, in that order."""
    if logistic:
        unit_en, unit_zh = r"$\hat y = \sigma(z)$", r"$\hat y = \sigma(z)$"
        loss_tex = r"L = -\bigl(y \log \hat y + (1 - y) \log(1 - \hat y)\bigr)"
        loss_en, loss_zh = "the binary cross-entropy", "二元交叉熵"
        kind_en, kind_zh = "A sigmoid output unit", "sigmoid 输出单元"
    else:
        unit_en, unit_zh = r"$\hat y = z$", r"$\hat y = z$"
        loss_tex = r"L = \tfrac12 (\hat y - y)^2"
        loss_en, loss_zh = "the squared error", "平方误差"
        kind_en, kind_zh = "A linear output unit", "线性输出单元"
    prompt = both(
        f"{kind_en} computes ${UNIT}$ and {unit_en} with {_given(values)}; the target is "
        f"$y = {num(y)}$. The loss is {loss_en} ${loss_tex}$. Compute the values below.",
        f"{kind_zh}计算 ${UNIT}$ 和 {unit_zh}，其中 {_given(values)}；目标 $y = {num(y)}$。"
        f"损失为{loss_zh} ${loss_tex}$。计算下列各值。",
    )
    if logistic:
        solution = [
            line(
                rf"z = {num(z)},\quad \hat y = \sigma({num(z)}) = {num(y_hat)},\quad "
                rf"L = {num(loss)}"
            ),
            line(
                rf"\frac{{\partial L}}{{\partial \hat y}} = -\frac{{y}}{{\hat y}} + "
                rf"\frac{{1 - y}}{{1 - \hat y}} = {num(dl_dyhat)}"
            ),
            line(
                rf"\frac{{\partial L}}{{\partial z}} = \frac{{\partial L}}{{\partial \hat y}}\,"
                rf"\sigma'(z) = {paren(dl_dyhat)} \cdot {num(sigma_prime)} = \hat y - y = "
                rf"{num(grad)}",
                "σ′ = ŷ(1 − ŷ) cancels the denominators: no saturation with cross-entropy.",
                "σ′ = ŷ(1 − ŷ) 与分母相消：交叉熵下不会饱和。",
            ),
        ]
    else:
        solution = [
            line(
                rf"\hat y = z = {num(z)},\quad L = \tfrac12 ({num(z)} - {paren(y)})^2 = "
                rf"{num(loss)}"
            ),
            line(
                rf"\frac{{\partial L}}{{\partial z}} = \hat y - y = {num(grad)}",
                "A linear unit does not saturate: g′(z) = 1.",
                "线性单元不会饱和：g′(z) = 1。",
            ),
        ]
    for value, (name, other) in zip(extra, (("w1", "h1"), ("h1", "w1"), ("w2", "h2"))):
        solution.append(
            line(
                rf"\frac{{\partial L}}{{\partial {name_tex(name)}}} = \frac{{\partial L}}{{\partial z}}"
                rf"\, {name_tex(other)} = {paren(grad)} \cdot {paren(values[other])} = {num(value)}"
            )
        )
    return prompt, solution


def sigmoid_mse_text(
    values: dict,
    y: float,
    z: float,
    y_hat: float,
    sigma_prime: float,
    ce_grad: float,
    mse_grad: float,
    mse_w: float,
    ce_w: float,
    with_weights: bool,
) -> tuple[dict[str, str], list[dict]]:
    """Prompt and solution of ``sigmoid_mse``; ``with_weights``: the ∂L/∂w₁ blanks are asked."""
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
        "计算下列各值。哪个损失仍能给出有用的梯度？",
    )
    solution = [
        line(
            rf"z = {num(z)},\quad \hat y = \sigma({num(z)}) = {num(y_hat)},\quad "
            rf"\sigma'(z) = \hat y (1 - \hat y) "
            rf"= {num(sigma_prime)}"
        ),
        line(
            rf"\frac{{\partial L_{{\mathrm{{MSE}}}}}}{{\partial z}} = (\hat y - y)\,\sigma'(z) = "
            rf"{paren(ce_grad)} \cdot {num(sigma_prime)} = {num(mse_grad)}",
            "The sigmoid saturates, so σ′(z) is small and the MSE gradient nearly vanishes.",
            "sigmoid 已饱和，σ′(z) 很小，MSE 的梯度几乎消失。",
        ),
        line(
            rf"\frac{{\partial L_{{\mathrm{{CE}}}}}}{{\partial z}} = \hat y - y = {num(ce_grad)}",
            "Cross-entropy cancels σ′: the gradient stays large while the answer is wrong.",
            "交叉熵消去了 σ′：只要答案错误，梯度就保持较大。",
        ),
    ]
    if with_weights:
        solution.append(
            line(
                rf"\frac{{\partial L_{{\mathrm{{MSE}}}}}}{{\partial w_{{1}}}} = "
                rf"\frac{{\partial L_{{\mathrm{{MSE}}}}}}{{\partial z}}\, h_{{1}} = {paren(mse_grad)} "
                rf"\cdot {paren(values['h1'])} = {num(mse_w)},\quad "
                rf"\frac{{\partial L_{{\mathrm{{CE}}}}}}{{\partial w_{{1}}}} = {paren(ce_grad)} \cdot "
                rf"{paren(values['h1'])} = {num(ce_w)}"
            )
        )
    return prompt, solution
