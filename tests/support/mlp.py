"""The lecture's 3-4-3-2 network with fixed weights and the hand-written NumPy oracles of
the MLP tests (forward, loss, backprop and finite differences written out separately from
symgrad's layer graph), shared by tests/mlp/ and tests/cli/test_mlp.py."""

from __future__ import annotations

import json

import numpy as np
from click.testing import CliRunner

from symgrad.cli import cli
from symgrad.mlp import (
    make_spec,
    params_from_dict,
    run_mlp,
)
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

# z^{(1)}_2 = 0.3·1 + 0.7·0 − 0.6·0.5 = 0 exactly: a 3-2-2 network with a ReLU unit at its kink
KINK_322 = {
    "W1": [[0.5, -0.2, 0.1], [0.3, 0.7, -0.6]],
    "b1": [0.1, 0.0],
    "W2": [[0.4, -0.5], [-0.3, 0.6]],
    "b2": [0.0, 0.1],
    "x": [1.0, 0.0, 0.5],
    "y": [1.0, 0.0],
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


def cli_error(args, tmp_path=None, params=None):
    """``symgrad mlp ARGS`` (with ``params`` written to a file in ``tmp_path``): exit 2 and one
    line, which it returns."""
    if params is not None:
        path = tmp_path / "p.json"
        path.write_text(params if isinstance(params, str) else json.dumps(params))
        args = args + ["--params", str(path)]
    run = CliRunner().invoke(cli, ["mlp"] + args)
    assert run.exit_code == 2, run.output
    message = run.output.strip()
    assert message.count("\n") == 0
    return message
