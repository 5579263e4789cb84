"""Kind ``output_loss``: output unit and loss, the gradient at the logits, by hand."""

import math

import pytest

from symgrad.errors import SymgradError
from symgrad.exercises import make_exercise
from symgrad.exercises.output_loss import check_options, variants


def sigmoid(z: float) -> float:
    return 1 / (1 + math.exp(-z))


@pytest.mark.parametrize("seed", range(12))
def test_sigmoid_and_mse_answers_by_hand(seed):
    ex = next(
        make_exercise("output_loss", s, "medium")
        for s in range(seed, seed + 200)
        if make_exercise("output_loss", s, "medium").data["variant"] == "sigmoid_mse"
    )
    i, y = ex.data["inputs"], ex.data["y"]
    z = i["w1"] * i["h1"] + i["w2"] * i["h2"] + i["b"]
    s = sigmoid(z)
    hand = {
        "y_hat": s,
        "sigma_prime": s * (1 - s),
        "dLmse_dz": (s - y) * s * (1 - s),
        "dLce_dz": s - y,
        "dLmse_dw1": (s - y) * s * (1 - s) * i["h1"],
    }
    got = {a.name: a.value for a in ex.answers}
    for name, value in got.items():
        assert value == pytest.approx(hand[name], rel=1e-9), name


def test_softmax_cross_entropy_gradient_is_yhat_minus_y():
    for seed in range(200):
        ex = make_exercise("output_loss", seed, "hard")
        if ex.data["variant"] == "softmax_ce":
            break
    else:
        pytest.fail("no softmax_ce draw in 200 seeds")
    e = [math.exp(v) for v in ex.data["z"]]
    p = [v / sum(e) for v in e]
    got = {a.name: a.value for a in ex.answers}
    true_class = ex.data["y"].index(1.0)
    assert got["y_hat_true"] == pytest.approx(p[true_class], rel=1e-9)
    assert got["L"] == pytest.approx(-math.log(p[true_class]), rel=1e-9)
    for k, (pk, yk) in enumerate(zip(p, ex.data["y"]), start=1):
        assert got[f"dL_dz{k}"] == pytest.approx(pk - yk, rel=1e-9, abs=1e-12)


def test_pins_choose_the_variants():
    assert variants("hard", {"output": "sigmoid"}) == ("sigmoid_mse",)
    assert check_options({"output": "softmax", "loss": "ce"}, "ex o") == {
        "output": "softmax",
        "loss": "ce",
    }
    with pytest.raises(SymgradError, match="softmax.*mse.*not supported"):
        check_options({"output": "softmax", "loss": "mse"}, "ex o")
