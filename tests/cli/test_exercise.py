"""The exercise commands: `symgrad kinds`, `symgrad exercise` in every format (no LaTeX left
in text) and `symgrad stress`."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from symgrad.cli import cli
from symgrad.exercises import DIFFICULTIES, KINDS

GLUED = re.compile(r"[^\s+]=|=\S|ŷ[=+\-]")  # "ŷ= σ(z)", "(ŷ- y)": a macro ate a space


def test_kinds_command_lists_every_kind_and_its_pins():
    result = CliRunner().invoke(cli, ["kinds"])
    assert result.exit_code == 0
    lines = result.output.strip().splitlines()
    assert [line.split()[0] for line in lines if not line.startswith(" ")] == list(KINDS)
    pins = [line.split()[0] for line in lines if line.startswith(" ")]
    assert pins == [key for kind in KINDS.values() for key in kind.options_help]
    assert {"activation", "family", "expression", "at", "layers", "loss", "y", "z"} <= set(pins)


def test_exercise_command_formats():
    runner = CliRunner()
    for fmt in ("text", "markdown", "latex", "json"):
        result = runner.invoke(
            cli, ["exercise", "activation", "--seed", "3", "--format", fmt, "--answers"]
        )
        assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["seed"] == 3 and data["answers"] and data["solution"]
    text = runner.invoke(cli, ["exercise", "mlp", "--seed", "1", "--difficulty", "hard"]).output
    assert "3-4-3-2" in text and "?" in text
    bad = runner.invoke(cli, ["exercise", "nope"])
    assert bad.exit_code == 2


@pytest.mark.slow
def test_text_format_has_no_latex_left_and_no_glued_operators():
    """Every kind × difficulty × seeds 1..5 with --answers, as a teacher's terminal shows it."""
    runner = CliRunner()
    for kind in KINDS:
        for difficulty in DIFFICULTIES:
            for seed in range(1, 6):
                args = [
                    "exercise",
                    kind,
                    "--seed",
                    str(seed),
                    "--difficulty",
                    difficulty,
                    "--answers",
                ]
                result = runner.invoke(cli, args)
                assert result.exit_code == 0, result.output
                for text_line in result.output.splitlines():
                    where = f"{' '.join(args)}: {text_line!r}"
                    assert not re.search(r"[\\{}]", text_line), where
                    assert not GLUED.search(text_line), where


def test_stress_command_reports_table_and_json():
    runner = CliRunner()
    result = runner.invoke(cli, ["stress", "gd_step", "-n", "30", "--quiet"])
    assert result.exit_code == 0 and "kink hits" in result.output
    result = runner.invoke(cli, ["stress", "activation", "-n", "30", "--format", "json", "--quiet"])
    report = json.loads(result.output)
    assert report["ok"] and report["seeds"] == 30 and "dL_dw1" in report["answers"]
