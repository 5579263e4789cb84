"""symgrad.mlp and `symgrad mlp`: gradients against independent oracles written here.

Oracles: a hand-written NumPy forward/backward (the lecture's loop, written out separately
from symgrad's layer graph) and per-parameter finite differences of a test-local forward pass.
"""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from click.testing import CliRunner

from symgrad.cli import cli
from symgrad.errors import SymgradError
from symgrad.mlp import (
    MAX_WIDTH,
    SCALAR_CHECK_LIMIT,
    build_layer_graph,
    check_gradients,
    forward,
    make_spec,
    params_from_dict,
    random_params,
    run_mlp,
    teaching_flaw,
)
from symgrad.ops import activations
from symgrad.render import render
from symgrad.render.views.mlp import data as mlp_json
from symgrad.render.views.mlp import entry_view
from symgrad.render.views.mlp_steps import step_lines


def entry_gradient(result, entry):
    """One entry's gradient as the JSON shows it."""
    from symgrad.mlp import entry_gradient as compute

    return entry_view(compute(result.spec, result.params, result.adjoints, result.gradients, entry))


def lines_of(result, kind=None):
    """The steps of ``result`` as they read (label, latex, text, expanded), optionally one kind."""
    return [
        line
        for line, step in zip(step_lines(result), result.steps)
        if kind is None or step.kind == kind
    ]


# The lecture's 3-4-3-2 network (ReLU, ReLU, softmax, cross-entropy) with fixed weights.
LECTURE = {
    "W1": [[0.5, -0.2, 0.1], [0.3, 0.4, -0.6], [-0.7, 0.2, 0.9], [0.1, -0.3, 0.25]],
    "b1": [0.1, -0.2, 0.05, 0.3],
    "W2": [[0.2, -0.5, 0.3, 0.4], [-0.6, 0.1, 0.2, 0.5], [0.3, 0.3, -0.4, -0.2]],
    "b2": [0.05, 0.1, -0.2],
    "W3": [[0.7, -0.3, 0.2], [-0.4, 0.6, 0.1]],
    "b3": [0.0, 0.1],
    "x": [1.0, -2.0, 0.5],
    "y": [0.0, 1.0],
}

# ---------------------------------------------------------------- independent oracles

HAND_G = {
    "linear": (lambda z: z, lambda z: np.ones_like(z)),
    "relu": (lambda z: np.where(z > 0, z, 0.0), lambda z: np.where(z > 0, 1.0, 0.0)),
    "sigmoid": (lambda z: 1 / (1 + np.exp(-z)), lambda z: np.exp(-z) / (1 + np.exp(-z)) ** 2),
    "tanh": (np.tanh, lambda z: 1 / np.cosh(z) ** 2),
    "softplus": (lambda z: np.log(1 + np.exp(z)), lambda z: 1 / (1 + np.exp(-z))),
    "hardtanh": (
        lambda z: np.minimum(1.0, np.maximum(-1.0, z)),
        lambda z: np.where(np.abs(z) < 1, 1.0, 0.0),
    ),
    # PyTorch's defaults: LeakyReLU slope 0.01, ELU α = 1, SiLU
    "leaky_relu": (lambda z: np.where(z > 0, z, 0.01 * z), lambda z: np.where(z > 0, 1.0, 0.01)),
    "elu": (lambda z: np.where(z > 0, z, np.exp(z) - 1), lambda z: np.where(z > 0, 1.0, np.exp(z))),
    "swish": (
        lambda z: z / (1 + np.exp(-z)),
        lambda z: 1 / (1 + np.exp(-z)) + z * np.exp(-z) / (1 + np.exp(-z)) ** 2,
    ),
}


def hand_loss(p, acts, output, loss, lam):
    """J written out directly from the lecture's definitions (no log-sum-exp tricks)."""
    h = np.array(p["x"], float)
    depth = len(acts) + 1
    for k in range(1, depth + 1):
        z = np.array(p[f"W{k}"]) @ h + np.array(p[f"b{k}"])
        if k < depth:
            h = HAND_G[acts[k - 1]][0](z)
    y = np.array(p["y"], float)
    if output == "softmax":
        y_hat = np.exp(z) / np.exp(z).sum()
    elif output == "sigmoid":
        y_hat = 1 / (1 + np.exp(-z))
    else:
        y_hat = z
    if loss == "mse":
        data = 0.5 * np.sum((y - y_hat) ** 2)
    elif output == "softmax":
        data = -np.sum(y * np.log(y_hat))
    else:
        data = -np.sum(y * np.log(y_hat) + (1 - y) * np.log(1 - y_hat))
    omega = 0.5 * sum(np.sum(np.array(p[f"W{k}"]) ** 2) for k in range(1, depth + 1))
    return data + lam * omega


def hand_backprop(p, acts, output, loss, lam):
    """The lecture's backward loop, written out for the test (∇ŷ then g ← g ⊙ g', ...)."""
    depth = len(acts) + 1
    hs, zs = [np.array(p["x"], float)], []
    for k in range(1, depth + 1):
        z = np.array(p[f"W{k}"]) @ hs[-1] + np.array(p[f"b{k}"])
        zs.append(z)
        if k < depth:
            hs.append(HAND_G[acts[k - 1]][0](z))
    z = zs[-1]
    y = np.array(p["y"], float)
    if output == "softmax":
        y_hat = np.exp(z) / np.exp(z).sum()
        jac = np.diag(y_hat) - np.outer(y_hat, y_hat)
    elif output == "sigmoid":
        y_hat = 1 / (1 + np.exp(-z))
        jac = np.diag(y_hat * (1 - y_hat))
    else:
        y_hat, jac = z, np.eye(len(z))
    if loss == "mse":
        grad_yhat = y_hat - y
    elif output == "softmax":
        grad_yhat = -y / y_hat
    else:
        grad_yhat = -y / y_hat + (1 - y) / (1 - y_hat)
    g = jac.T @ grad_yhat  # unfused on purpose: an independent route to ŷ − y
    grads = {}
    for k in range(depth, 0, -1):
        if k < depth:
            g = g * HAND_G[acts[k - 1]][1](zs[k - 1])
        W = np.array(p[f"W{k}"])
        grads[f"b{k}"] = g.copy()
        grads[f"W{k}"] = np.outer(g, hs[k - 1]) + lam * W
        g = W.T @ g
    return grads


def finite_differences(p, acts, output, loss, lam, h=1e-4):
    """Five-point central differences, one parameter at a time (a slow, obvious oracle)."""
    grads = {}
    for key in p:
        if key in ("x", "y"):
            continue
        base = np.array(p[key], float)
        out = np.zeros_like(base)
        for index in np.ndindex(base.shape):
            values = []
            for off in (-2 * h, -h, h, 2 * h):
                q = dict(p)
                moved = base.copy()
                moved[index] += off
                q[key] = moved.tolist()
                values.append(hand_loss(q, acts, output, loss, lam))
            out[index] = (values[0] - 8 * values[1] + 8 * values[2] - values[3]) / (12 * h)
        grads[key] = out
    return grads


def assert_grads_equal(result_grads, expected, rtol, atol=1e-12):
    assert sorted(result_grads) == sorted(expected)
    for key, value in expected.items():
        np.testing.assert_allclose(result_grads[key], value, rtol=rtol, atol=atol, err_msg=key)


# ---------------------------------------------------------------- the lecture network


def lecture_result(**kwargs):
    spec = make_spec("3,4,3,2", hidden="relu", output="softmax", loss="ce", **kwargs)
    return run_mlp(spec, params_from_dict(spec, LECTURE))


def test_lecture_network_matches_hand_numpy_and_finite_differences():
    result = lecture_result()
    hand = hand_backprop(LECTURE, ["relu", "relu"], "softmax", "ce", 0.0)
    assert_grads_equal(result.gradients, hand, rtol=1e-8)
    fd = finite_differences(LECTURE, ["relu", "relu"], "softmax", "ce", 0.0)
    assert_grads_equal(result.gradients, fd, rtol=1e-8, atol=1e-10)
    assert result.loss == pytest.approx(
        hand_loss(LECTURE, ["relu", "relu"], "softmax", "ce", 0), rel=1e-12
    )
    assert result.check.passed and result.check.max_rel_error < 1e-8
    assert result.scalar_check.passed and result.scalar_check.max_rel_error < 1e-10
    assert not result.kinks
    # the lecture's layer-k result: ∇W^{(k)} = (ŷ − y) h^{(j)ᵀ}, ∇b^{(k)} = ŷ − y
    residual = result.output - np.array(LECTURE["y"])
    np.testing.assert_allclose(result.gradients["b3"], residual, rtol=1e-12)
    np.testing.assert_allclose(
        result.gradients["W3"], np.outer(residual, result.values["h2"]), rtol=1e-12
    )


def test_lecture_network_through_cli_json(tmp_path):
    path = tmp_path / "params.json"
    path.write_text(json.dumps(LECTURE))
    run = CliRunner().invoke(
        cli,
        [
            "mlp",
            "--layers",
            "3,4,3,2",
            "--hidden",
            "relu",
            "--output",
            "softmax",
            "--loss",
            "ce",
            "--params",
            str(path),
            "--format",
            "json",
        ],
    )
    assert run.exit_code == 0, run.output
    data = json.loads(run.output)
    assert {"loss", "output", "gradients", "check"} <= set(data)
    assert set(data["check"]) >= {"passed", "max_rel_error", "method"}
    assert data["check"]["passed"] is True
    hand = hand_backprop(LECTURE, ["relu", "relu"], "softmax", "ce", 0.0)
    assert_grads_equal({k: np.array(v) for k, v in data["gradients"].items()}, hand, rtol=1e-8)
    assert np.array(data["gradients"]["W2"]).shape == (3, 4)
    assert np.array(data["gradients"]["b2"]).shape == (3,)
    assert data["output"] == pytest.approx(lecture_result().output.tolist(), rel=1e-12)
    assert data["kinks"] == []


def test_cli_output_file_and_text_format(tmp_path):
    path = tmp_path / "params.json"
    path.write_text(json.dumps(LECTURE))
    out = tmp_path / "report.txt"
    run = CliRunner().invoke(
        cli, ["mlp", "--layers", "3,4,3,2", "--params", str(path), "-o", str(out)]
    )
    assert run.exit_code == 0, run.output
    text = out.read_text()
    for key, shape in [
        ("W1", "4 x 3"),
        ("b1", "4"),
        ("W2", "3 x 4"),
        ("b2", "3"),
        ("W3", "2 x 3"),
        ("b3", "2"),
    ]:
        assert f"∇{key}   (Shape: {shape})" in text
    assert "h^(1) = relu(z^(1))" in text and "L = −Σ y log ŷ" in text
    assert "Numeric check: passed" in text


# ---------------------------------------------------------------- every combination

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


# ---------------------------------------------------------------- L2


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


# ---------------------------------------------------------------- kinks


def test_relu_pre_activation_at_kink_is_reported():
    p = dict(LECTURE, b1=[0.1, -0.2, 0.05, -0.825])  # z^{(1)}_4 = 0.825 - 0.825 = 0 exactly
    spec = make_spec("3,4,3,2")
    result = run_mlp(spec, params_from_dict(spec, p))
    assert result.values["z1"][3] == 0.0
    assert [(k.layer, k.unit, k.activation) for k in result.kinks] == [(1, 4, "relu")]
    # derivative 0 at the kink: nothing reaches W1 row 4 / b1[3]
    assert result.gradients["b1"][3] == 0.0 and not result.gradients["W1"][3].any()
    # only the entries that move z^{(1)}_4 are skipped (x has no zero entry); the rest are checked
    assert tuple(result.check.inconclusive) == ("W1[3, 0]", "W1[3, 1]", "W1[3, 2]", "b1[3]")
    assert result.check.passed is None  # inconclusive, not "passed"
    assert result.to_dict()["check"]["passed"] is None
    data = mlp_json(result)
    assert data["kinks"] == [
        {"layer": 1, "unit": 4, "z": 0.0, "activation": "relu", "derivative_used": 0.0}
    ]
    assert "z^(1)_4 = 0 is at the kink of relu; derivative taken as 0" in render(result, "text")


# z^{(1)}_2 = 0.3·1 + 0.7·0 − 0.6·0.5 = 0 exactly; x_2 = 0, so W1[1, 1] cannot move it
KINK_322 = {
    "W1": [[0.5, -0.2, 0.1], [0.3, 0.7, -0.6]],
    "b1": [0.1, 0.0],
    "W2": [[0.4, -0.5], [-0.3, 0.6]],
    "b2": [0.0, 0.1],
    "x": [1.0, 0.0, 0.5],
    "y": [1.0, 0.0],
}


def test_check_skips_only_parameters_that_move_a_kinked_unit():
    spec = make_spec("3,2,2")
    params = params_from_dict(spec, KINK_322)
    result = run_mlp(spec, params)
    assert [(k.layer, k.unit) for k in result.kinks] == [(1, 2)]
    # W1 row 1 and b1[0] feed only unit 1; W1[1, 1] multiplies x_2 = 0; layer 2 is downstream
    assert tuple(result.check.inconclusive) == ("W1[1, 0]", "W1[1, 2]", "b1[1]")
    assert result.check.passed is None
    # the entries that are not skipped are really checked: a wrong one fails the check
    for key, index in [("W1", (0, 2)), ("b1", 0), ("W1", (1, 1)), ("W2", (1, 0))]:
        wrong = {k: v.copy() for k, v in result.gradients.items()}
        wrong[key][index] += 0.1
        assert check_gradients(spec, params, wrong).passed is False, (key, index)


def test_check_skips_through_a_kinked_unit_of_a_deeper_layer():
    # z^{(2)}_1 = 0.5·h1_1 − 0.5·h1_2 = 0 with h^{(1)} = (1, 1, 0): unit 3 of layer 1 is dead,
    # so W1 row 3 and b1[2] cannot reach the kink; rows 1 and 2 can
    spec = make_spec("2,3,2,2")
    p = {
        "W1": [[1.0, 0.0], [0.0, 1.0], [-1.0, -1.0]],
        "b1": [0.0, 0.0, -0.5],
        "W2": [[0.5, -0.5, 0.25], [0.25, 0.5, -0.5]],
        "b2": [0.0, 0.25],
        "W3": [[0.5, -0.25], [-0.5, 0.75]],
        "b3": [0.0, 0.0],
        "x": [1.0, 1.0],
        "y": [0.0, 1.0],
    }
    result = run_mlp(spec, params_from_dict(spec, p))
    assert [(k.layer, k.unit) for k in result.kinks] == [(2, 1)]
    assert tuple(result.check.inconclusive) == (
        "W1[0, 0]",
        "W1[0, 1]",
        "W1[1, 0]",
        "W1[1, 1]",
        "b1[0]",
        "b1[1]",
        "W2[0, 0]",
        "W2[0, 1]",
        "b2[0]",
    )
    assert result.check.passed is None


def test_cli_reports_a_check_with_skipped_entries_as_inconclusive(tmp_path):
    path = tmp_path / "p.json"
    path.write_text(json.dumps(KINK_322))
    args = ["mlp", "--layers", "3,2,2", "--params", str(path)]
    run = CliRunner().invoke(cli, args + ["--format", "json"])
    assert run.exit_code == 0, run.output
    assert json.loads(run.output)["check"]["passed"] is None
    run = CliRunner().invoke(cli, args)
    assert run.exit_code == 0, run.output
    assert "Numeric check: inconclusive" in run.output and "FAILED" not in run.output


def test_hardtanh_at_kink_is_reported():
    spec = make_spec("2,2,2", hidden="hardtanh", output="softmax", loss="ce")
    p = {
        "W1": [[1.0, 0.0], [0.0, 0.5]],
        "b1": [0.0, 0.0],
        "W2": [[0.3, -0.2], [0.1, 0.4]],
        "b2": [0.0, 0.0],
        "x": [1.0, 0.5],
        "y": [1.0, 0.0],
    }
    result = run_mlp(spec, params_from_dict(spec, p))
    assert [(k.layer, k.unit, k.z) for k in result.kinks] == [(1, 1, 1.0)]
    assert result.gradients["b1"][0] == 0.0


# ---------------------------------------------------------------- bad input


def cli_error(args, tmp_path=None, params=None):
    if params is not None:
        path = tmp_path / "p.json"
        path.write_text(params if isinstance(params, str) else json.dumps(params))
        args = args + ["--params", str(path)]
    run = CliRunner().invoke(cli, ["mlp"] + args)
    assert run.exit_code == 2, run.output
    message = run.output.strip()
    assert message.count("\n") == 0
    return message


@pytest.mark.parametrize(
    "args,expected",
    [
        (["--layers", "3"], "layers: need at least two sizes"),
        (["--layers", "3,0,2"], "layers: size 2 must be a positive integer, got 0"),
        (["--layers", "3,a,2"], "layers: size 2 must be a positive integer"),
        (["--layers", f"3,{MAX_WIDTH + 1},2"], f"the limit is {MAX_WIDTH} units"),
        (["--layers", ",".join(["4"] * 12)], "weight layers; the limit is"),
        (["--layers", "3,4,2", "--hidden", "gelu"], "hidden: unknown activation 'gelu'"),
        (
            ["--layers", "3,4,4,2", "--hidden", "relu,tanh,relu"],
            (
                "hidden: 3 activations given for 2 hidden layers (give one for all, or one per hidden "
                "layer)"
            ),
        ),
        (
            ["--layers", "3,4,2", "--hidden", "relu,relu"],
            (
                "hidden: 2 activations given for 1 hidden layer (give one for all, or one per hidden "
                "layer)"
            ),
        ),
        (["--layers", "3,4,2", "--output", "relu"], "output: unknown output unit 'relu'"),
        (["--layers", "3,4,2", "--loss", "hinge"], "loss: unknown loss 'hinge'"),
        (["--layers", "3,4,1", "--output", "softmax"], "softmax needs at least 2 output units"),
        (["--layers", "3,4,2", "--output", "linear", "--loss", "ce"], "ce needs output softmax"),
        (["--layers", "3,4,2", "--l2", "-1"], "l2:"),
        (["--layers", "3,4,2", "--l2", "nan"], "l2:"),
        (["--layers", "3,4,2", "--seed", "1", "--entry", "W9,1,1"], "entry: layer 9 out of range"),
    ],
)
def test_bad_specs_exit_2(args, expected):
    assert expected in cli_error(args)


@pytest.mark.parametrize(
    "change,expected",
    [
        ({"W2": np.array(LECTURE["W2"]).T.tolist()}, "W2: expected shape (3, 4), got (4, 3)"),
        ({"b1": [0.1, 0.2]}, "b1: expected shape (4,), got (2,)"),
        ({"W1": [[0.5, -0.2, 0.1], [0.3, 0.4], [1, 2, 3], [1, 2, 3]]}, "W1: rows have different"),
        ({"W3": None}, "W3: expected shape (2, 3)"),
        ({"x": [1.0, "two", 3.0]}, "x[1]: expected a number, got 'two'"),
        ({"b3": [float("nan"), 0.0]}, "b3[0]: expected a finite number"),
        ({"W1": [[True, 0, 0]] * 4}, "W1[0, 0]: expected a number, got True"),
        ({"x": [1.0, 1e300, 3.0]}, "x[1]: expected a finite number of magnitude at most 1e+06"),
        ({"y": [0.5, 0.7]}, "y: cross-entropy with softmax needs a distribution"),
        ({"y": [-1.0, 2.0]}, "y: entries must lie in [0, 1] for cross-entropy, got -1 at index 0"),
        (
            {"y": [1.5, -0.5]},
            "y: entries must lie in [0, 1] for cross-entropy, got -0.5 at index 1",
        ),
        ({"y": [1.5, 0.5]}, "y: entries must lie in [0, 1] for cross-entropy, got 1.5 at index 0"),
        ({"W4": [[1.0]]}, "W4: unexpected key"),
    ],
)
def test_bad_params_exit_2(tmp_path, change, expected):
    message = cli_error(["--layers", "3,4,3,2"], tmp_path, dict(LECTURE, **change))
    assert expected in message


def test_missing_key_names_key_and_shape(tmp_path):
    params = {k: v for k, v in LECTURE.items() if k != "b2"}
    assert "b2: missing key (expected shape (3,))" in cli_error(
        ["--layers", "3,4,3,2"], tmp_path, params
    )


def test_bad_files_exit_2(tmp_path):
    assert "not valid JSON" in cli_error(["--layers", "3,4,3,2"], tmp_path, "{nope")
    assert "expected a JSON object" in cli_error(["--layers", "3,4,3,2"], tmp_path, "[1, 2]")
    assert "cannot read" in cli_error(
        ["--layers", "3,4,3,2", "--params", str(tmp_path / "missing.json")]
    )
    assert "not both" in cli_error(["--layers", "3,4,3,2", "--seed", "1"], tmp_path, LECTURE)


def test_params_file_with_byte_order_mark_is_accepted(tmp_path):
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(LECTURE).encode("utf-8"))
    run = CliRunner().invoke(
        cli, ["mlp", "--layers", "3,4,3,2", "--params", str(path), "--format", "json"]
    )
    assert run.exit_code == 0, run.output
    assert json.loads(run.output)["check"]["passed"] is True


def test_duplicate_key_in_params_file_is_rejected(tmp_path):
    text = json.dumps(LECTURE)[:-1] + ', "W1": [[0, 0, 0], [0, 0, 0], [0, 0, 0], [0, 0, 0]]}'
    message = cli_error(["--layers", "3,4,3,2"], tmp_path, text)
    assert message.endswith(f"params: duplicate key W1 in {tmp_path / 'p.json'}")


def test_sigmoid_ce_target_must_be_in_unit_interval():
    spec = make_spec("2,2", output="sigmoid", loss="ce")
    with pytest.raises(
        SymgradError,
        match=r"^y: entries must lie in \[0, 1\] for "
        r"cross-entropy, got 1\.5 at index 1$",
    ):
        params_from_dict(spec, {"W1": [[1, 0], [0, 1]], "b1": [0, 0], "x": [1, 1], "y": [0.5, 1.5]})


def test_seeded_parameters_are_deterministic_small_and_off_kinks():
    spec = make_spec("3,4,3,2")
    a, b = random_params(spec, 5), random_params(spec, 5)
    for key, value in a.as_dict().items():
        np.testing.assert_array_equal(value, b.as_dict()[key])
        assert np.all(np.abs(value) <= 1.0)
        np.testing.assert_allclose(value * 10, np.round(value * 10), atol=1e-12)  # tenths
    assert a.y.sum() == 1.0 and set(a.y.tolist()) <= {0.0, 1.0}
    for seed in range(30):
        assert not run_mlp(spec, random_params(spec, seed), check=False, scalar_check=False).kinks
    sig = make_spec("3,2", output="sigmoid", loss="ce")
    assert set(random_params(sig, 1).y.tolist()) <= {0.0, 1.0}


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


def test_layer_graph_has_vector_nodes_with_vjp_rules():
    graph = build_layer_graph(make_spec("3,4,3,2", l2=0.1))
    ops = [n.op for n in graph.nodes if n.vjp is not None]
    assert ops == ["matmul", "bias_add", "relu"] * 2 + [
        "matmul",
        "bias_add",
        "softmax",
        "softmax_cross_entropy",
        "l2",
        "objective",
    ]
    assert graph["u2"].shape == (3,) and graph["W2"].shape == (3, 4)
    w, h = np.arange(12.0).reshape(3, 4), np.arange(4.0)
    g = np.array([1.0, -2.0, 0.5])
    dw, dh = graph["u2"].vjp([w, h], w @ h, g)  # ∇W = g hᵀ, ∇h = Wᵀ g
    np.testing.assert_array_equal(dw, np.outer(g, h))
    np.testing.assert_array_equal(dh, w.T @ g)
    assert graph["L"].inputs == ("z3", "y")  # fused: the loss reads z^{(L)}


def test_matrix_derivation_does_not_grow_with_width():
    small = run_mlp(make_spec("3,4,3,2"), random_params(make_spec("3,4,3,2"), 1), check=False)
    wide_spec = make_spec("30,40,30,20")
    wide = run_mlp(wide_spec, random_params(wide_spec, 1), check=False, scalar_check=False)
    assert step_lines(small) == step_lines(wide)
    assert all(s.shape == np.shape(s.value) for s in wide.steps)


def test_step_records_are_plain_data():
    result = lecture_result()
    step = mlp_json(result)["steps"][-1]
    assert set(step) >= {"label", "latex", "value", "shape"}
    assert step["label"] == "layer 1: ∇W^(1)" and step["shape"] == [4, 3]
    np.testing.assert_allclose(step["value"], result.gradients["W1"], rtol=1e-15)
    json.dumps(mlp_json(result))  # everything serialisable


# ---------------------------------------------------------------- scalar graph, entries


def test_entry_level_view_is_the_lecture_formula():
    result = lecture_result()
    last = entry_gradient(result, "W3,2,1")  # w_{21}^{(3)}: from h^{(2)}_2 to unit 1
    assert last["expr"] == "delta_1*h2_2"
    assert last["value"] == pytest.approx(result.gradients["W3"][0, 1], rel=1e-12, abs=1e-15)
    assert r"\frac{\partial J}{\partial w^{(3)}_{21}}" in last["latex"]
    first = entry_gradient(result, "W1,3,1")
    assert "x_3" in first["expr"] and "1[z1_1 > 0]" in first["expr"]
    assert first["value"] == pytest.approx(result.gradients["W1"][0, 2], rel=1e-12)
    bias = entry_gradient(result, "b2,2")
    assert bias["value"] == pytest.approx(result.gradients["b2"][1], rel=1e-12)


@pytest.mark.parametrize(
    "hidden,output,loss",
    [("sigmoid", "sigmoid", "mse"), ("tanh", "softmax", "mse"), ("softplus", "linear", "mse")],
)
def test_entry_level_values_match_every_entry(hidden, output, loss):
    spec = make_spec("2,3,2", hidden=hidden, output=output, loss=loss, l2=0.2)
    result = run_mlp(spec, random_params(spec, 2))
    for j in (1, 2, 3):
        for i in (1, 2):
            e = entry_gradient(result, f"W1,{i},{j}")
            assert e["value"] == pytest.approx(result.gradients["W1"][j - 1, i - 1], rel=1e-10)


def test_scalar_check_is_bounded_by_size():
    spec = make_spec("16,32,32,8")
    assert spec.n_params > SCALAR_CHECK_LIMIT
    result = run_mlp(spec, random_params(spec, 3))
    assert result.scalar_check is None and result.check.passed
    assert result.to_dict()["scalar_check"] is None
    with pytest.raises(SymgradError, match="entry: expected"):
        entry_gradient(lecture_result(), "W1,1")


def test_json_round_trip():
    from symgrad.render import render

    data = json.loads(render(lecture_result(), "json"))
    assert data["gradients"]["b3"] == pytest.approx(
        (lecture_result().output - np.array(LECTURE["y"])).tolist(), rel=1e-12
    )


def test_help_does_not_import_numpy_or_sympy():
    code = (
        "import sys; from symgrad.cli import cli\n"
        "try:\n    cli(['mlp', '--help'])\nexcept SystemExit:\n    pass\n"
        "assert 'numpy' not in sys.modules and 'sympy' not in sys.modules"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr


def test_check_scales_its_floor_with_a_huge_objective(tmp_path):
    # J ≈ 1e6 while W1's gradients are ~1e-40: finite-difference rounding (ε|J|/h) is no failure
    params = {
        "W1": [[-0.9, 0.5], [-0.8, -0.4], [0.1, 0.2]],
        "b1": [100, 100, 100],
        "W2": [[1000, 0, 0], [-1000, 0, 0]],
        "b2": [-0.2, 0.2],
        "x": [-0.7, -0.4],
        "y": [0, 1],
    }
    spec = make_spec("2,3,2", hidden="sigmoid", output="linear", loss="mse")
    result = run_mlp(spec, params_from_dict(spec, params))
    assert result.loss > 1e5 and result.check.passed is True


@pytest.mark.parametrize("name", activations())
def test_an_activation_derivative_of_several_terms_is_parenthesized_after_odot(name):
    """g ⊙ g'(z): a sum in g'(z) (swish, leaky_relu, tanh) must be bracketed, in LaTeX and text."""
    from symgrad.render.views.mlp_steps import derivative_rule

    latex, text = derivative_rule(make_spec("2,2,2", hidden=name), 1)
    rest_tex, rest_text = latex.split(r"\odot ", 1)[1], text.split("⊙ ", 1)[1]
    if " + " in rest_tex or " - " in rest_tex:
        assert rest_tex.startswith(r"\left(") and rest_tex.endswith(r"\right)"), latex
    if " + " in rest_text or " − " in rest_text:
        assert rest_text.startswith("(") and rest_text.endswith(")"), text


@pytest.mark.parametrize("entry", ["W\u0661,1,1", "W1,\uff11,1", "b1,99999999999", "W1,1", "x1,1"])
def test_entry_refuses_non_ascii_digits_and_malformed_entries(entry):
    from symgrad.mlp import parse_entry

    with pytest.raises(SymgradError, match="entry:"):
        parse_entry(entry, make_spec("3,4,3,2"))
