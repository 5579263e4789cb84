"""Finite differences of an MLP's loss: each entry's five-point difference against a
derivative by hand (the lecture's loops in plain NumPy, conftest.hand_mlp), and the kink
crossing flag for a stencil that straddles a ReLU kink."""

import numpy as np
import pytest
from conftest import hand_mlp

from symgrad.mlp import forward, make_spec, params_from_dict, random_params
from symgrad.mlp.differences import entry_differences, layer_losses, scale_floor


def as_data(spec, params, hidden: str) -> dict:
    data = {"layers": list(spec.layers), "hidden": hidden, "output": spec.output}
    data["x"] = np.asarray(params.x, dtype=float).ravel().tolist()
    data["y"] = np.asarray(params.y, dtype=float).ravel().tolist()
    for k, (w, b) in enumerate(zip(params.weights, params.biases), start=1):
        data[f"W{k}"], data[f"b{k}"] = np.asarray(w).tolist(), np.asarray(b).ravel().tolist()
    return data


@pytest.mark.parametrize("hidden", ["tanh", "sigmoid"])
def test_entry_differences_are_the_hand_gradients(hidden):
    spec = make_spec("3,4,2", hidden=hidden, output="softmax", loss="ce")
    params = random_params(spec, seed=2)
    _, grads = hand_mlp(as_data(spec, params, hidden))
    fwd = forward(spec, params)
    for k in (1, 2):
        n_out, n_in = spec.layers[k], spec.layers[k - 1]
        diffs, crossed = entry_differences(spec, params, fwd, k, np.arange(n_out * n_in + n_out))
        expected = np.concatenate([grads[f"W{k}"].ravel(), grads[f"b{k}"]])  # W row-major, b
        assert diffs == pytest.approx(expected, rel=1e-7, abs=1e-10)
        assert not crossed.any()


def test_a_stencil_across_a_relu_kink_is_flagged():
    spec = make_spec("2,2,2", hidden="relu", output="softmax", loss="ce")
    p = {
        "W1": [[1.0, 0.0], [0.0, 1.0]],
        "b1": [0.0, 0.5],
        "W2": [[1.0, -1.0], [0.5, 0.5]],
        "b2": [0.0, 0.0],
        "x": [5e-5, 1.0],  # z1 = 5e-5: the stencil (h = 1e-4) crosses relu's kink at 0
        "y": [1.0, 0.0],
    }
    params = params_from_dict(spec, p)
    fwd = forward(spec, params)
    _, crossed = entry_differences(spec, params, fwd, 1, np.arange(6))
    # W row-major then b: W1[0,1] moves z1 by up to 2h·x2 = 2e-4 and b1[0] by 2h: across 0;
    # W1[0,0] moves it by 2h·x1 = 1e-8 only, and unit 2 (z = 1.5) is far from its kink
    assert crossed.tolist() == [False, True, False, False, True, False]


def test_layer_losses_with_no_move_is_the_forward_loss():
    spec = make_spec("3,4,2", hidden="tanh", output="softmax", loss="ce")
    params = random_params(spec, seed=2)
    fwd = forward(spec, params)
    losses, crossed = layer_losses(spec, params, fwd, 2, np.zeros((3, 2)))
    assert losses == pytest.approx([fwd.data_loss] * 3, rel=1e-14)
    assert not crossed.any()


def test_scale_floor_grows_with_the_objective():
    assert scale_floor(0.5) == pytest.approx(1e-4)
    assert scale_floor(-1000.0) == pytest.approx(0.1)
