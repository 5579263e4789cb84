"""Kind ``gd_step``: one gradient-descent step with L2 (weights only), checked by hand."""

import math

import pytest

from symgrad.errors import SymgradError
from symgrad.exercises import make_exercise
from symgrad.exercises.gradient_step import check_options


def hand_step(data: dict) -> dict[str, float]:
    v, eta, lam = data["values"], data["eta"], data["lambda"]
    ws = sorted(k for k in v if k.startswith("w"))
    z = sum(v[w] * v["x" + w[1:]] for w in ws) + v["b"]
    out = 1 / (1 + math.exp(-z)) if data["model"] == "logistic" else z
    r = out - v["y"]  # dL/dz for both squared error (linear) and cross-entropy (logistic)
    grads = {w: r * v["x" + w[1:]] + lam * v[w] for w in ws}
    return {"dJ_dw1": grads["w1"], **{f"{w}_new": v[w] - eta * grads[w] for w in ws}} | {
        "b_new": v["b"] - eta * r  # the bias is not regularized
    }


@pytest.mark.parametrize("difficulty", ["easy", "medium", "hard"])
@pytest.mark.parametrize("seed", range(8))
def test_the_step_is_the_hand_step(seed, difficulty):
    ex = make_exercise("gd_step", seed, difficulty)
    expected = hand_step(ex.data)
    for a in ex.answers:
        assert a.value == pytest.approx(expected[a.name], rel=1e-9, abs=1e-12), (a.name, ex.data)


def test_the_difficulties_are_the_documented_models():
    assert make_exercise("gd_step", 1, "easy").data["model"] == "linear"
    hard = make_exercise("gd_step", 1, "hard").data
    assert hard["model"] == "logistic" and {"w1", "w2", "w3"} <= set(hard["values"])


def test_pins_are_checked():
    assert check_options({"rate": 0.1, "l2": 0.01}, "ex s") == {"rate": 0.1, "l2": 0.01}
    with pytest.raises(SymgradError, match=r"ex s\.rate: expected at most 3 decimals"):
        check_options({"rate": 0.12345}, "ex s")
    with pytest.raises(SymgradError, match=r"ex s\.l2"):
        check_options({"l2": float("nan")}, "ex s")
