"""The output_loss kind's question and solution text: every number shown is an argument, in
both languages, and the variant decides the story (cross-entropy cancels σ′, MSE does not)."""

import numpy as np

from symgrad.exercises import output_loss
from symgrad.exercises.output_loss_text import sigmoid_mse_text, softmax_ce_text, unit_loss_text

VALUES = {"w1": 2.0, "h1": -1.0, "w2": 0.5, "h2": 3.0, "b": -1.0}


def maths(solution) -> str:
    return "\n".join(step["math"] for step in solution)


def test_softmax_text_names_the_true_class_and_the_gradient_step():
    prompt, solution = softmax_ce_text(
        np.array([1.0, -0.5, 0.25]), [0.0, 1.0, 0.0], 1, [0.6, 0.1, 0.3], 2.3, [0.6, -0.9, 0.3]
    )
    assert "(class 2)" in prompt["en"] and "第 2 类" in prompt["zh"]
    assert r"\hat y_2 = -\log 0.1 = 2.3" in maths(solution)
    assert "ŷ − y" in solution[-1]["note"]["en"]


def test_unit_loss_text_logistic_and_linear_differ():
    args = (VALUES, 1.0, -0.5, 0.4, 0.9, -2.5, 0.24, -0.6, [1.2, -1.8])
    logistic_prompt, logistic = unit_loss_text(True, *args)
    linear_prompt, linear = unit_loss_text(False, *args)
    assert "binary cross-entropy" in logistic_prompt["en"] and "二元交叉熵" in logistic_prompt["zh"]
    assert "squared error" in linear_prompt["en"] and "sigmoid" not in linear_prompt["en"]
    assert r"\sigma'(z)" in maths(logistic) and r"\sigma'" not in maths(linear)
    # one line per asked weight blank, showing its value
    assert maths(logistic).count(r"\frac{\partial L}{\partial w_{1}}") == 1
    assert "= 1.2" in maths(logistic) and "= -1.8" in maths(logistic)
    assert len(logistic) - 3 == len(linear) - 2 == 2


def test_sigmoid_mse_text_adds_the_weight_line_only_when_asked():
    args = (VALUES, 0.0, 2.5, 0.924, 0.0702, 0.924, 0.0649, -0.0649, -0.924)
    prompt, short = sigmoid_mse_text(*args, False)
    _, full = sigmoid_mse_text(*args, True)
    assert "confidently wrong" in prompt["en"] and "自信地判断错了" in prompt["zh"]
    assert len(full) == len(short) + 1 and "w_{1}" in full[-1]["math"]
    assert "0.0649" in maths(short) and "0.924" in maths(short)


def test_generated_exercises_use_the_text_builders():
    ex = output_loss.generate(np.random.default_rng(3), "hard", {"output": "softmax"})
    z = ex.data["z"]
    assert all(f"{v:g}" in prompt for v in z for prompt in [ex.prompt["en"]])
