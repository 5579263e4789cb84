"""The forward loop, the reverse pass and the matrix-form steps, against the hand-written NumPy
oracle and finite differences: every activation, output and loss, per-layer activations, L2
on weights only, and the teaching-flaw filter."""

from __future__ import annotations

import numpy as np
import pytest
from support.mlp import (
    LECTURE,
    assert_grads_equal,
    finite_differences,
    hand_backprop,
    lecture_result,
    lines_of,
)

from symgrad.mlp import (
    forward,
    make_spec,
    params_from_dict,
    random_params,
    run_mlp,
    teaching_flaw,
)
from symgrad.ops import activations

SUPPORTED = [
    ("softmax", "ce"),
    ("sigmoid", "ce"),
    ("linear", "mse"),
    ("sigmoid", "mse"),
    ("softmax", "mse"),
]


@pytest.mark.parametrize("hidden", activations())
@pytest.mark.parametrize("output,loss", SUPPORTED)
def test_every_combination_against_finite_differences(hidden, output, loss):
    spec = make_spec("3,4,3,2", hidden=hidden, output=output, loss=loss, l2=0.05)
    params = random_params(spec, seed=7)
    result = run_mlp(spec, params)
    p = params.to_json()
    fd = finite_differences(p, [hidden, hidden], output, loss, 0.05)
    assert_grads_equal(result.gradients, fd, rtol=1e-7, atol=1e-9)
    hand = hand_backprop(p, [hidden, hidden], output, loss, 0.05)
    assert_grads_equal(result.gradients, hand, rtol=1e-9)
    assert result.check.passed and not result.check.inconclusive
    assert result.scalar_check.passed
    first = result.backward_steps[0]
    assert first.kind == "output"
    if loss == "ce":  # fused: the recorded step is ŷ − y
        latex = lines_of(result, "output")[0]["latex"]
        assert latex.endswith(r"= \hat{\mathbf{y}} - \mathbf{y}")
        assert r"\nabla_{\mathbf{z}^{(3)}}" in latex
        np.testing.assert_allclose(first.value, result.output - params.y, rtol=1e-12)


def test_per_layer_hidden_activations():
    spec = make_spec("2,3,3,3,2", hidden="tanh,relu,softplus", output="sigmoid", loss="ce")
    assert spec.hidden == ("tanh", "relu", "softplus")
    params = random_params(spec, seed=3)
    result = run_mlp(spec, params)
    hand = hand_backprop(params.to_json(), list(spec.hidden), "sigmoid", "ce", 0.0)
    assert_grads_equal(result.gradients, hand, rtol=1e-9)
    labels = [line["label"] for line in lines_of(result, "activation")]
    assert labels == ["layer 3: through softplus", "layer 2: through relu", "layer 1: through tanh"]


def test_mse_with_sigmoid_output_shows_the_saturating_factor():
    spec = make_spec("2,2", output="sigmoid", loss="mse")
    params = params_from_dict(
        spec, {"W1": [[4.0, 0.0], [0.0, 4.0]], "b1": [0.0, 0.0], "x": [3.0, -3.0], "y": [0.0, 1.0]}
    )
    mse = run_mlp(spec, params)
    ce = run_mlp(make_spec("2,2", output="sigmoid", loss="ce"), params)
    y_hat = mse.output
    through = [s for s in mse.backward_steps if s.kind == "activation"][0]
    latex = lines_of(mse, "activation")[0]["latex"]
    assert r"\odot \hat{\mathbf{y}} \odot" in latex or "1 - \\hat" in latex
    np.testing.assert_allclose(through.value, (y_hat - params.y) * y_hat * (1 - y_hat), rtol=1e-12)
    # saturated and wrong: MSE barely moves, cross-entropy's ŷ − y stays large
    assert np.all(np.abs(mse.gradients["b1"]) < 1e-5)
    np.testing.assert_allclose(np.abs(ce.gradients["b1"]), np.abs(y_hat - params.y), rtol=1e-12)
    assert np.all(np.abs(ce.gradients["b1"]) > 0.99)


def test_l2_adds_lambda_w_to_weights_only():
    plain, reg = lecture_result(), lecture_result(l2=0.3)
    for k in (1, 2, 3):
        np.testing.assert_allclose(
            reg.gradients[f"W{k}"],
            plain.gradients[f"W{k}"] + 0.3 * np.array(LECTURE[f"W{k}"]),
            rtol=1e-12,
            atol=1e-15,
        )
        np.testing.assert_array_equal(reg.gradients[f"b{k}"], plain.gradients[f"b{k}"])
    omega = 0.5 * sum(np.sum(np.array(LECTURE[f"W{k}"]) ** 2) for k in (1, 2, 3))
    assert reg.loss == pytest.approx(plain.loss + 0.3 * omega, rel=1e-12)
    assert all(r"+ \lambda \mathbf{W}^{(" in line["latex"] for line in lines_of(reg, "weight"))
    assert all(r"\lambda" not in line["latex"] for line in lines_of(reg, "bias"))
    assert reg.check.passed


def test_teaching_flaw_rejects_kinks_and_mostly_dead_layers():
    spec = make_spec("2,3,2")
    base = {
        "W1": [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]],
        "b1": [0.0, 0.0, 0.0],
        "W2": [[1.0, -1.0, 0.5], [0.5, 1.0, -1.0]],
        "b2": [0.0, 0.0],
        "x": [0.5, 0.5],
        "y": [1.0, 0.0],
    }

    def flaw(**change):
        return teaching_flaw(spec, forward(spec, params_from_dict(spec, dict(base, **change))), 0.2)

    assert flaw() is None  # z^{(1)} = (0.5, 0.5, 1): all active, all ≥ 0.2 from the kink
    assert flaw(b1=[0.0, -0.4, 0.0]) == "kink"  # z^{(1)}_2 = 0.1
    assert flaw(b1=[-1.0, -1.0, 0.0]) == "dead units"  # 1 of 3 active
    assert flaw(b1=[-1.0, 0.0, 0.0]) is None  # 2 of 3 active
    for seed in range(20):  # random_params follows the same rule
        deep = make_spec("3,4,3,2", hidden="relu,hardtanh")
        assert teaching_flaw(deep, forward(deep, random_params(deep, seed)), 0.01) is None
