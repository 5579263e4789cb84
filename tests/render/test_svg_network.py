"""The MLP drawn unit by unit: one unit per neuron in columns, every edge of every weight
matrix, nothing overlapping, and the values shown are the network's own (checked against a
hand NumPy forward pass)."""

import numpy as np
import pytest

from symgrad.mlp import make_spec, random_params, run_mlp
from symgrad.render.svg_network import network_picture, network_svg
from symgrad.render.views.mlp import context


@pytest.fixture(scope="module")
def result():
    spec = make_spec("3,4,3,2", hidden="relu", output="softmax", loss="ce")
    return run_mlp(spec, random_params(spec, seed=1))


def hand_hidden(result) -> np.ndarray:
    params = result.params
    x = np.asarray(params.x, dtype=float).ravel()
    w1, b1 = np.asarray(params.weights[0]), np.asarray(params.biases[0]).ravel()
    return np.maximum(w1 @ x + b1, 0)


def test_svg_has_a_unit_per_neuron_and_an_edge_per_weight(result):
    svg = network_svg(result, context(result, "en"))
    assert len(svg["units"]) == 3 + 4 + 3 + 2
    assert len(svg["edges"]) == 3 * 4 + 4 * 3 + 3 * 2
    assert svg["overlaps"] == 0
    for unit in svg["units"]:
        assert 0 < unit["cx"] < svg["width"] and 0 < unit["cy"] < svg["height"]


def test_hidden_values_are_the_hand_forward_pass(result):
    svg = network_svg(result, context(result, "en"))
    hidden = [u for u in svg["units"] if u["layer"] == 1]
    expected = hand_hidden(result)
    assert [float(u["value"].replace("−", "-")) for u in hidden] == pytest.approx(
        expected, abs=0.006
    )


def test_steps_go_forward_then_backward(result):
    steps = network_svg(result, context(result, "en"))["steps"]
    kinds = [s["kind"] for s in steps]
    first_backward = kinds.index("backward")
    assert set(kinds[:first_backward]) == {"forward"} and "forward" not in kinds[first_backward:]


def test_the_tikz_picture_has_the_same_units_and_edges(result):
    picture = network_picture(result)
    assert [len(layer["units"]) for layer in picture["layers"]] == [3, 4, 3, 2]
    assert len(picture["edges"]) == 30
    shown = [float(u["value"].replace("−", "-")) for u in picture["layers"][1]["units"]]
    assert shown == pytest.approx(hand_hidden(result), abs=0.006)
