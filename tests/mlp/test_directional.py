"""The MLP check of a large network: linear in its parameters, and still every entry counts.

Above FULL_CHECK_LIMIT parameters the check is directional derivatives of each parameter
array along random directions whose entries all weigh between 0.5 and 1.5, plus exact
differences of a sample of entries. A single wrong entry therefore moves every directional
derivative of its array by at least half its error: these tests plant one (in a [64,128,128,10]
network, 26,122 parameters) at many positions outside the sample and expect "failed" each
time. The oracle for the right gradients is a hand NumPy backprop written here.
"""

from __future__ import annotations

import numpy as np
import pytest

from symgrad.check import relative_error
from symgrad.mlp import MLPParams, check_gradients, directional, make_spec, random_params, run_mlp
from symgrad.mlp.numeric import FULL_CHECK_LIMIT

pytestmark = pytest.mark.slow  # a 26,122-parameter network, wrong entries planted at many positions

LAYERS = "64,128,128,10"


def _params(spec, seed: int = 3, scale: float = 0.15) -> MLPParams:
    """Teaching values with weights scaled down: the softmax is not saturated, so gradients
    are far above the check's floor (seed 3 unscaled has a loss of 2e-9)."""
    p = random_params(spec, seed)
    return MLPParams(tuple(w * scale for w in p.weights), p.biases, p.x, p.y)


def _numpy_backprop(spec, params) -> dict[str, np.ndarray]:
    """Relu hidden layers, softmax + cross-entropy: the textbook backprop, by hand."""
    h, zs, hs = params.x, [], [params.x]
    for k, (W, b) in enumerate(zip(params.weights, params.biases), 1):
        z = W @ h + b
        zs.append(z)
        h = np.maximum(z, 0) if k < spec.depth else z
        hs.append(h)
    p = np.exp(zs[-1] - zs[-1].max())
    p /= p.sum()
    delta = p - params.y
    out = {}
    for k in range(spec.depth, 0, -1):
        out[f"W{k}"] = np.outer(delta, hs[k - 1])
        out[f"b{k}"] = delta
        if k > 1:
            delta = (params.weights[k - 1].T @ delta) * (zs[k - 2] > 0)
    return out


@pytest.fixture(scope="module")
def network():
    spec = make_spec(LAYERS)
    params = _params(spec)
    result = run_mlp(spec, params, check=True, scalar_check=False)
    return spec, params, result


def test_the_large_network_is_accepted_and_its_gradients_are_right(network):
    spec, params, result = network
    assert spec.n_params == 26122 > FULL_CHECK_LIMIT
    for key, value in _numpy_backprop(spec, params).items():
        assert np.max(relative_error(result.gradients[key], value, 1e-12)) < 1e-9, key
    assert result.check.passed is True
    assert "random directions" in result.check.method and "sample" in result.check.method
    # one row per array and direction, plus the sampled entries of each array
    names = [row.name for row in result.check.rows]
    assert sum("·d" in n for n in names) == 2 * spec.depth * directional.DIRECTIONS
    assert any(n.startswith("W2[") for n in names)


def _sampled(spec, result) -> set[str]:
    return {row.name for row in result.check.rows if "·d" not in row.name}


@pytest.mark.parametrize("key", ["W1", "b1", "W2", "b2", "W3", "b3"])
def test_one_wrong_entry_anywhere_fails_the_check(network, key):
    spec, params, result = network
    rng = np.random.default_rng(7)
    g = result.gradients[key]
    sampled = _sampled(spec, result)
    tried = 0
    while tried < 5:
        index = tuple(int(i) for i in np.unravel_index(rng.integers(g.size), g.shape))
        name = f"{key}{list(index)}"
        if name in sampled:
            continue  # the sample would catch it alone: test the directions
        tried += 1
        wrong = {k: v.copy() for k, v in result.gradients.items()}
        # off by 1e-4 of the array's gradient norm: far below what a glance at the numbers
        # shows, far above the differences' error
        wrong[key][index] += 1e-4 * np.linalg.norm(g)
        report = check_gradients(spec, params, wrong)
        assert report.passed is False, name
        failed = {row.name for row in report.rows if row.status == "fail"}
        # every direction of that array sees it (each entry weighs >= 0.5 in each)
        assert {f"{key}·d{d}" for d in range(1, directional.DIRECTIONS + 1)} <= failed, name
        assert all(f.startswith(key) for f in failed), (name, failed)


def test_a_small_wrong_entry_in_the_sample_fails_on_its_own_row(network):
    """Entries too small for the directions (1e-9 of the norm) are covered by the sample,
    which always holds each array's largest entry."""
    spec, params, result = network
    g = result.gradients["W3"]
    index = np.unravel_index(int(np.argmax(np.abs(g))), g.shape)
    wrong = {k: v.copy() for k, v in result.gradients.items()}
    wrong["W3"][index] *= 1.001
    report = check_gradients(spec, params, wrong)
    assert report.passed is False
    assert f"W3{[int(i) for i in index]}" in {r.name for r in report.rows if r.status == "fail"}


def test_a_wrong_sign_of_a_whole_array_and_a_zeroed_gradient_fail(network):
    spec, params, result = network
    for key, change in [("b2", lambda a: -a), ("W1", np.zeros_like)]:
        wrong = {k: v.copy() for k, v in result.gradients.items()}
        wrong[key] = change(wrong[key])
        assert check_gradients(spec, params, wrong).passed is False, key


def test_the_same_network_gives_the_same_report(network):
    spec, params, result = network
    again = check_gradients(spec, params, result.gradients)
    assert [(r.name, r.numeric) for r in again.rows] == [
        (r.name, r.numeric) for r in result.check.rows
    ]


def test_small_networks_keep_the_per_entry_check():
    spec = make_spec("4,8,8,3")
    result = run_mlp(spec, random_params(spec, 3), scalar_check=False)
    assert spec.n_params <= FULL_CHECK_LIMIT
    assert "random directions" not in result.check.method and result.check.passed is True


def test_a_direction_entry_never_weighs_less_than_low():
    """The certainty argument rests on |D_i| >= LOW for every entry."""
    assert 0 < directional.LOW <= directional.HIGH
    rng = np.random.default_rng(directional.SEED)
    D = rng.uniform(directional.LOW, directional.HIGH, 10000) * rng.choice((-1.0, 1.0), 10000)
    assert np.abs(D).min() >= directional.LOW
