"""The jacobian kind's question and solution text: the system as written, the point, the
Jacobian's shape and the product Jᵀ ∇_y z, with every number an argument."""

import numpy as np

from symgrad.exercises.jacobian_text import TITLE, prompt_text, solution_text


def test_prompt_shows_the_system_and_the_point_in_both_languages():
    prompt = prompt_text(("2*x1*x2", "x1 + 3*x2^2"), "y1*y2", ("x1", "x2"), {"x1": 1.5, "x2": -2})
    for lang in ("en", "zh"):
        text = prompt[lang]
        assert r"y_1 = 2 x_{1} x_{2},\quad y_2 = x_{1} + 3 x_{2}^{2},\quad z = y_{1} y_{2}" in text
        assert "x_{1} = 1.5" in text and "x_{2} = -2" in text
    assert "vector chain rule" in prompt["en"] and "向量链式法则" in prompt["zh"]
    assert set(TITLE) == {"en", "zh"}


def test_solution_states_shape_and_product():
    J = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    g_y = np.array([0.5, -2.0])
    g_x = J.T @ g_y
    steps = solution_text([7.0, 8.0], J, g_y, g_x)
    assert len(steps) == 3
    assert "$2 \\times 3$" in steps[1]["note"]["en"]
    last = steps[2]["math"]
    assert last.split(" = ")[-1].count("-10.5") == 1 and "-7.5" in last.split(" = ")[-1]
    assert "y_1, y_2" in steps[2]["note"]["en"]
