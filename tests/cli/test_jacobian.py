"""`symgrad jacobian`: the JSON contract, the text output and bad input as exit 2."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from support.lecture import JACOBIAN

from symgrad.cli import cli


def test_cli_json(tmp_path):
    out = tmp_path / "j.json"
    run = CliRunner().invoke(
        cli,
        [
            *JACOBIAN,
            "--format",
            "json",
            "-o",
            str(out),
        ],
    )
    assert run.exit_code == 0, run.output
    data = json.loads(out.read_text())
    assert data["jacobian"]["shape"] == [2, 3]
    assert data["jacobian"]["value"] == [[2.0, 1.0, 0.0], [0.0, 1.0, 1.0]]
    assert data["grad_x"]["value"] == [10.0, 7.0, 2.0]
    assert data["check"]["passed"] is True


def test_cli_text_shows_jacobian_and_product():
    run = CliRunner().invoke(
        cli, ["jacobian", "--y", "x1*x2", "--y", "x2+x3", "--z", "y1*y2", "--at", "x1=1,x2=2,x3=3"]
    )
    assert run.exit_code == 0, run.output
    assert "Jacobian ∂y/∂x  (2×3" in run.output
    assert "∂z/∂x2 = (y2)·(x1) + (y1)·(1) = (5)·(1) + (2)·(1) = 7" in run.output


@pytest.mark.parametrize(
    "args,expected",
    [
        (["--y", "x1*x2", "--z", "y1*x1"], "--z: z may only use y1; got x1"),
        (
            ["--y", "x1*x2, __import__('os')", "--z", "y1"],
            "--y expression 2 (y2): unknown function",
        ),
        (["--y", "x1*x2", "--z", "y1", "--at", "x1=1"], "--at: no value for x2"),
        (["--y", "y1*x2", "--z", "y1"], "used both as inputs x and as outputs y"),
        (["--y", "x1, ", "--z", "y1"], "--y: expected one or more expressions"),
        (["--y", "x1*x2", "--z", "y1", "--x", "x1"], "--x: the expressions also use x2"),
    ],
)
def test_bad_input_exit_2(args, expected):
    run = CliRunner().invoke(cli, ["jacobian"] + args)
    assert run.exit_code == 2, run.output
    assert expected in run.output
