"""The MLP solution can be checked by hand (issue 14, item 4): the text shows x, y, every
W^(k) and b^(k), and g′(z^(k)) as numbers; --entry speaks the lecture's w_ij^(k) (input i →
unit j); the depth is l, not L (the loss). Numbers are compared with the hand NumPy loop."""

import json
import re

import numpy as np
import pytest
from click.testing import CliRunner
from conftest import hand_mlp

from symgrad.cli import cli

PARAMS = {  # distinctive numbers: each appears once
    "W1": [[0.11, -0.23, 0.37], [0.41, 0.53, -0.67], [-0.71, 0.83, 0.97], [0.13, -0.29, 0.31]],
    "b1": [0.17, -0.19, 0.43, 0.47],
    "W2": [[0.59, -0.61, 0.73, 0.79], [-0.89, 0.101, 0.103, 0.107], [0.109, 0.113, -0.127, 0.131]],
    "b2": [0.137, 0.139, -0.149],
    "W3": [[0.151, -0.157, 0.163], [0.167, 0.173, -0.179]],
    "b3": [0.181, -0.191],
    "x": [1.5, -2.5, 3.5],
    "y": [0, 1],
}


def run(tmp_path, *extra, hidden="sigmoid"):
    path = tmp_path / "params.json"
    path.write_text(json.dumps(PARAMS), encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["mlp", "--layers", "3,4,3,2", "--hidden", hidden, "--params", str(path), *extra]
    )
    assert result.exit_code == 0, result.output
    return result.output


def numbers_in(line: str) -> list[float]:
    return [float(t) for t in re.findall(r"-?\d+(?:\.\d+)?(?:e-?\d+)?", line)]


@pytest.mark.parametrize("hidden", ["sigmoid", "tanh", "relu"])
def test_text_shows_every_given_number(hidden, tmp_path):
    out = run(tmp_path, hidden=hidden)
    given = out.split("Given values")[1].split("Forward pass")[0]
    for key in ("x", "y"):
        assert re.search(rf"^  {key} ", given, re.M)
    for k in (1, 2, 3):
        assert f"W^({k})" in given and f"b^({k})" in given
    shown = numbers_in(given)
    for key, value in PARAMS.items():
        for number in np.ravel(value):
            assert any(abs(number - s) < 1e-12 for s in shown), (key, number)


@pytest.mark.parametrize("hidden", ["sigmoid", "tanh", "relu"])
def test_text_shows_g_prime_as_numbers_matching_a_hand_loop(hidden, tmp_path):
    out = run(tmp_path, hidden=hidden)
    data = dict(PARAMS, layers=[3, 4, 3, 2], hidden=hidden, output="softmax")
    hs, _ = hand_mlp(data)
    dg = {
        "sigmoid": lambda h: h * (1 - h),
        "tanh": lambda h: 1 - h * h,
        "relu": lambda h: (h > 0) * 1.0,
    }[hidden]
    for k in (1, 2):
        line = next(line for line in out.splitlines() if f"g′(z^({k})) =" in line)
        shown = numbers_in(line.split("=", 1)[1])
        np.testing.assert_allclose(shown, dg(hs[k]), rtol=1e-3, atol=1e-4)


@pytest.mark.parametrize("i,j", [(1, 2), (3, 1), (2, 4)])
def test_entry_is_the_lectures_w_ij_input_i_to_unit_j(i, j, tmp_path):
    out = run(tmp_path, "--entry", f"W1,{i},{j}")
    line = next(line for line in out.splitlines() if line.startswith("One entry"))
    assert f"∂J/∂w^(1)_{i}{j} =" in line
    assert re.search(r"w\d_\d_\d|delta_|Heaviside|hat\{", line) is None, line
    assert "δ_j = ŷ_j − y_j" in line
    data = dict(PARAMS, layers=[3, 4, 3, 2], hidden="sigmoid", output="softmax")
    _, grads = hand_mlp(data)
    value = float(line.split("  = ")[1].split()[0])
    assert value == pytest.approx(grads["W1"][j - 1, i - 1], rel=1e-5)


def test_depth_is_l_not_the_loss(tmp_path):
    out = run(tmp_path, "--format", "markdown")
    assert "k = 1, ..., l" in out and "..., L" not in out
    zh = (
        CliRunner()
        .invoke(
            cli,
            ["mlp", "--layers", "3,4,3,2", "--seed", "1", "--lang", "zh", "--format", "markdown"],
        )
        .output
    )
    assert "k = 1, ..., l" in zh


def test_markdown_shows_the_elementwise_product_with_numbers(tmp_path):
    out = run(tmp_path, "--format", "markdown", hidden="tanh")
    lines = [line for line in out.splitlines() if "\\odot \\begin{bmatrix}" in line]
    assert len(lines) == 2  # one per hidden layer


@pytest.mark.parametrize(
    "output,loss", [("softmax", "mse"), ("sigmoid", "mse"), ("linear", "mse"), ("sigmoid", "ce")]
)
def test_every_output_and_loss_still_renders(output, loss, tmp_path):
    for fmt in ("text", "markdown", "latex", "json"):
        result = CliRunner().invoke(
            cli,
            [
                "mlp",
                "--layers",
                "3,4,2",
                "--seed",
                "2",
                "--output",
                output,
                "--loss",
                loss,
                "--format",
                fmt,
            ],
        )
        assert result.exit_code == 0, (fmt, result.output)
