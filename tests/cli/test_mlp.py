"""`symgrad mlp`: the lecture network through JSON and text, output files, inconclusive checks,
bad specs, params and files as exit 2 with one line, --entry, and a --help without NumPy."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from click.testing import CliRunner
from support.mlp import (
    KINK_322,
    LECTURE,
    assert_grads_equal,
    cli_error,
    hand_backprop,
    lecture_result,
)

from symgrad.cli import cli
from symgrad.errors import SymgradError
from symgrad.mlp import (
    MAX_WIDTH,
    make_spec,
    params_from_dict,
    run_mlp,
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


def test_bad_files_exit_2(tmp_path):
    assert "not valid JSON" in cli_error(["--layers", "3,4,3,2"], tmp_path, "{nope")
    assert "expected a JSON object" in cli_error(["--layers", "3,4,3,2"], tmp_path, "[1, 2]")
    assert "cannot read" in cli_error(
        ["--layers", "3,4,3,2", "--params", str(tmp_path / "missing.json")]
    )
    assert "not both" in cli_error(["--layers", "3,4,3,2", "--seed", "1"], tmp_path, LECTURE)


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


@pytest.mark.parametrize("entry", ["W\u0661,1,1", "W1,\uff11,1", "b1,99999999999", "W1,1", "x1,1"])
def test_entry_refuses_non_ascii_digits_and_malformed_entries(entry):
    from symgrad.mlp import parse_entry

    with pytest.raises(SymgradError, match="entry:"):
        parse_entry(entry, make_spec("3,4,3,2"))


def test_layers_with_dashes_is_the_same_network():
    dashes = CliRunner().invoke(
        cli, ["mlp", "--layers", "3-4-3-2", "--seed", "1", "--format", "json"]
    )
    commas = CliRunner().invoke(
        cli, ["mlp", "--layers", "3,4,3,2", "--seed", "1", "--format", "json"]
    )
    assert dashes.exit_code == 0 and dashes.output == commas.output


@pytest.mark.parametrize("layers", ["3--4", "-3,4", "3-4,2", "3-"])
def test_malformed_layers_are_still_refused(layers):
    result = CliRunner().invoke(cli, ["mlp", "--layers", layers])
    assert result.exit_code == 2 and "layers" in result.output
