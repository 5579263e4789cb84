"""Kind ``output_loss``: an output unit with its loss, and the gradient at the logits.

Variants (the lecture's section on output units and cost functions), named by the spec's
``output`` and ``loss`` pins:

* ``softmax_ce``: softmax + cross-entropy, ``∂L/∂z = ŷ − y``;
* ``sigmoid_ce``: sigmoid + binary cross-entropy, ``∂L/∂z = ŷ − y`` (via ∂L/∂ŷ · σ′);
* ``linear_mse``: linear output + ½(ŷ − y)², ``∂L/∂z = ŷ − y``;
* ``sigmoid_mse``: a saturated sigmoid with MSE, whose gradient ``(ŷ − y) σ′(z)`` is tiny
  next to cross-entropy's ``ŷ − y``: why maximum likelihood is preferred.

Fair versions: every variant asks the same number of blanks at a difficulty (4 easy, 5
medium, 6 hard; a softmax layer has 3 or 4 classes), all of weight 1, and no answer is
0, 1 or −1. The variant is structure: drawn from ``structure`` (one draw) among the
difficulty's variants that match the pins; the numbers come from ``rng``.

>>> variants("easy", {}), variants("easy", {"output": "softmax"})
(('sigmoid_ce', 'linear_mse'), ('softmax_ce',))
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
    name_tex,
    rejection,
)
from .fair import make_fair
from .output_loss_text import sigmoid_mse_text, softmax_ce_text, unit_loss_text
from .pin_values import choice, refuse

if TYPE_CHECKING:
    from numpy.random import Generator

PAIRS = {
    "softmax_ce": ("softmax", "ce"),
    "sigmoid_ce": ("sigmoid", "ce"),
    "linear_mse": ("linear", "mse"),
    "sigmoid_mse": ("sigmoid", "mse"),
}
OUTPUTS = ("softmax", "sigmoid", "linear")
LOSSES = ("ce", "mse")
VARIANTS = {  # a difficulty draws from these (those that match the pins, if any do)
    "easy": ("sigmoid_ce", "linear_mse"),
    "medium": ("softmax_ce", "sigmoid_ce", "linear_mse", "sigmoid_mse"),
    "hard": ("softmax_ce", "sigmoid_mse"),
}
BLANKS = {"easy": 4, "medium": 5, "hard": 6}  # every variant, so versions are equally long
CLASSES = {"easy": 3, "medium": 3, "hard": 4}  # of a softmax layer (easy: ∂L/∂z₁, ∂L/∂z₂ only)


def _supported() -> str:
    return ", ".join(f"{output} + {loss}" for output, loss in PAIRS.values())


OPTIONS_HELP = {
    "output": f"the output unit: {', '.join(OUTPUTS)}",
    "loss": f"the loss: ce (cross-entropy) or mse (squared error); with output, one "
    f"of the pairs {_supported()}",
}


def check_options(raw: dict, where: str) -> dict:
    """The pins ``output`` and ``loss``: known names, and a pair the kind supports."""
    options = dict(raw)
    if "output" in options:
        choice(where, "output", options["output"], OUTPUTS)
    if "loss" in options:
        choice(where, "loss", options["loss"], LOSSES)
    if not any(_matches(v, options) for v in PAIRS):
        raise refuse(
            where,
            "loss",
            f"output = {options['output']!r} with loss = "
            f"{options['loss']!r} is not supported (supported pairs: "
            f"{_supported()})",
        )
    return options


def _matches(variant: str, options: dict) -> bool:
    output, loss = PAIRS[variant]
    return options.get("output", output) == output and options.get("loss", loss) == loss


def variants(difficulty: str, options: dict) -> tuple[str, ...]:
    """The variants a draw chooses from: the difficulty's that match the pins, else every
    variant that matches them (a pin may ask for a variant the difficulty would not draw)."""
    return tuple(v for v in VARIANTS[difficulty] if _matches(v, options)) or tuple(
        v for v in PAIRS if _matches(v, options)
    )


def generate(
    rng: Generator,
    difficulty: str,
    options: dict | None = None,
    structure: Generator | None = None,
) -> Exercise:
    """One output-unit exercise: the variant from ``structure`` (one draw, among those that
    match the pins), the numbers from ``rng``."""
    choices = variants(difficulty, options or {})
    variant = choices[int((rng if structure is None else structure).integers(len(choices)))]
    draw = {
        "softmax_ce": _softmax_ce,
        "sigmoid_ce": _unit_loss,
        "linear_mse": _unit_loss,
        "sigmoid_mse": _sigmoid_mse,
    }[variant]
    return rejection(lambda: make_fair(draw(rng, difficulty, variant)), f"output_loss {variant}")


def _derive(expr: str, values: dict, wrt: list[str]):
    from .chain import derive_at

    return derive_at(expr, values, wrt)


def _softmax_ce(rng, difficulty: str, variant: str = "softmax_ce") -> Exercise:
    n = CLASSES[difficulty]
    z = grid(rng, -3, 3, 0.25, size=n)
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
        answers.append(
            add_alternatives(
                Answer(f"dL_dz{i + 1}", rf"\partial L / \partial z_{i + 1}", g), [("sign_flip", -g)]
            )
        )
    answers = answers[: BLANKS[difficulty]]  # ŷ of the true class, L, ∂L/∂z of (the first) classes
    data = {"variant": "softmax_ce", "z": z.tolist(), "y": y}
    prompt, solution = softmax_ce_text(z, y, c, y_hat, loss, grads)
    return _exercise(
        difficulty,
        "softmax + cross-entropy",
        "softmax + 交叉熵",
        data,
        prompt,
        answers,
        solution,
        d,
    )


def _unit(rng, difficulty: str) -> dict:
    """The lecture's unit ``z = w₁h₁ + w₂h₂ + b`` on a grid (integers when easy)."""
    step = 1.0 if difficulty == "easy" else 0.5
    return {
        "w1": grid(rng, -3, 3, step, nonzero=True),
        "h1": grid(rng, -4, 4, step, nonzero=True),
        "w2": grid(rng, -3, 3, step, nonzero=True),
        "h2": grid(rng, -4, 4, step, nonzero=True),
        "b": grid(rng, -2, 2, step),
    }


def _sigmoid_unit(d) -> tuple[float, float, float, float]:
    """``(z, ŷ = σ(z), ∂L/∂ŷ, σ′(z))`` read from the derivation's σ node and its step."""
    node = next(n for n in d.graph.op_nodes if n.op == "sigmoid")
    step = next(s for s in d.steps if s.parent == node.id)
    return d.values[node.inputs[0]], d.value_of(node), step.upstream_value, step.local_value


UNIT_TEXT = "w1*h1 + w2*h2 + b"
SQUARED_ERROR = f"0.5*(sigmoid({UNIT_TEXT}) - y)^2"
CROSS_ENTROPY = f"-(y*log(sigmoid({UNIT_TEXT})) + (1 - y)*log(1 - sigmoid({UNIT_TEXT})))"
LINEAR_SQUARED_ERROR = f"0.5*({UNIT_TEXT} - y)^2"
UNIT_WRT = ["w1", "h1", "w2", "b"]


def _unit_loss(rng, difficulty: str, variant: str) -> Exercise:
    """``sigmoid_ce`` and ``linear_mse``: one unit, the same blanks: ŷ, L, ∂L/∂z, ∂L/∂w₁,
    then ∂L/∂h₁ (medium) and ∂L/∂w₂ (hard)."""
    values = _unit(rng, difficulty)
    logistic = variant == "sigmoid_ce"
    z = values["w1"] * values["h1"] + values["w2"] * values["h2"] + values["b"]
    if z == 0 or abs(z) > (3 if logistic else 4):
        raise Rejected("saturated or zero logit")
    y = float(rng.integers(2)) if logistic else grid(rng, -4, 4, 0.5)
    d = _derive(CROSS_ENTROPY if logistic else LINEAR_SQUARED_ERROR, {**values, "y": y}, UNIT_WRT)
    if logistic:
        _, y_hat, dl_dyhat, sigma_prime = _sigmoid_unit(d)
    else:
        y_hat, sigma_prime = z, 1.0
        dl_dyhat = y_hat - y
    y_hat = clean(y_hat, "y_hat")
    grad = clean(d.gradients["b"].value, "dL/dz")  # ∂z/∂b = 1
    answers = [
        Answer("y_hat", r"\hat y", y_hat),
        Answer("L", "L", clean(d.value, "L")),
        add_alternatives(
            Answer("dL_dz", r"\partial L / \partial z", grad),
            [
                ("sign_flip", -grad),
                ("missing_upstream", sigma_prime),
                ("value_not_derivative", dl_dyhat * y_hat),
            ]
            if logistic
            else [("sign_flip", -grad)],
        ),
    ]
    for name, other in (("w1", "h1"), ("h1", "w1"), ("w2", "h2")):
        g = clean(d.gradients[name].value, f"dL/d{name}")
        answers.append(
            add_alternatives(
                Answer(f"dL_d{name}", rf"\partial L / \partial {name_tex(name)}", g),
                [("sign_flip", -g), ("missing_upstream", values[other])],
            )
        )
    answers = answers[: BLANKS[difficulty]]
    data = {"variant": variant, "inputs": values, "y": y}
    extra = [a.value for a in answers[3:]]
    prompt, solution = unit_loss_text(
        logistic, values, y, z, y_hat, d.value, dl_dyhat, sigma_prime, grad, extra
    )
    titles = {
        "sigmoid_ce": ("sigmoid + cross-entropy", "sigmoid + 交叉熵"),
        "linear_mse": ("linear output + MSE", "线性输出 + 均方误差"),
    }[variant]
    return _exercise(difficulty, *titles, data, prompt, answers, solution, d)


def _sigmoid_mse(rng, difficulty: str, variant: str = "sigmoid_mse") -> Exercise:
    values = _unit(rng, difficulty)
    z = values["w1"] * values["h1"] + values["w2"] * values["h2"] + values["b"]
    if not 2 <= abs(z) <= 3.5:
        raise Rejected("not in the saturated range")
    y = 1.0 if z < 0 else 0.0  # confidently wrong: the saturated case
    d = _derive(SQUARED_ERROR, {**values, "y": y}, ["w1", "b"])
    z, y_hat, _, sigma_prime = _sigmoid_unit(d)
    mse_grad = clean(d.gradients["b"].value, "dL/dz")  # ∂z/∂b = 1
    ce = _derive(CROSS_ENTROPY, {**values, "y": y}, ["w1", "b"])
    ce_grad = clean(ce.gradients["b"].value, "CE gradient")
    if abs(mse_grad) > 0.25 * abs(ce_grad):
        raise Rejected("not saturated")
    mse_w, ce_w = (clean(g.gradients["w1"].value, "dL/dw1") for g in (d, ce))
    answers = [
        Answer("y_hat", r"\hat y", clean(y_hat)),
        Answer("sigma_prime", r"\sigma'(z)", clean(sigma_prime)),
        add_alternatives(
            Answer("dLmse_dz", r"\partial L_{\mathrm{MSE}} / \partial z", mse_grad),
            [
                ("sign_flip", -mse_grad),
                ("missing_upstream", sigma_prime),
                ("value_not_derivative", ce_grad * y_hat),
            ],
        ),
        add_alternatives(
            Answer("dLce_dz", r"\partial L_{\mathrm{CE}} / \partial z", ce_grad),
            [("sign_flip", -ce_grad)],
        ),
        add_alternatives(
            Answer("dLmse_dw1", r"\partial L_{\mathrm{MSE}} / \partial w_{1}", mse_w),
            [("sign_flip", -mse_w), ("missing_upstream", values["h1"])],
        ),
        add_alternatives(
            Answer("dLce_dw1", r"\partial L_{\mathrm{CE}} / \partial w_{1}", ce_w),
            [("sign_flip", -ce_w), ("missing_upstream", values["h1"])],
        ),
    ][: BLANKS[difficulty]]
    data = {"variant": "sigmoid_mse", "inputs": values, "y": y}
    prompt, solution = sigmoid_mse_text(
        values, y, z, y_hat, sigma_prime, ce_grad, mse_grad, mse_w, ce_w, len(answers) > 4
    )
    return _exercise(
        difficulty,
        "sigmoid + MSE: saturation",
        "sigmoid + 均方误差：饱和",
        data,
        prompt,
        answers,
        solution,
        d,
    )


def _exercise(difficulty, title_en, title_zh, data, prompt, answers, solution, d) -> Exercise:
    return Exercise(
        "output_loss",
        difficulty,
        both(f"Output unit and loss: {title_en}", f"输出单元与损失：{title_zh}"),
        data,
        prompt,
        answers,
        solution,
        d,
        {"kink_distance": math.inf},
    )


KIND = Kind(
    "output_loss",
    "gradient of a loss at the logits: softmax+CE, sigmoid+CE, "
    "linear+MSE, and sigmoid+MSE saturation",
    generate,
    OPTIONS_HELP,
    check_options,
)
