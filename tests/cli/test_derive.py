"""The `derive` command's contract: JSON keys, exit statuses, stdin, files, lazy imports."""

import json
import os
import re
import stat
import subprocess
import sys

import numpy as np
import pytest
from click.testing import CliRunner
from conftest import SIGMOID_CIRCUIT, SIGMOID_POINT

from symgrad.cli import cli


def run(*args, input=None):
    return CliRunner().invoke(cli, list(args), input=input)


def test_derive_json_contract():
    result = run("derive", SIGMOID_CIRCUIT, "--at", SIGMOID_POINT, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    for key in ("expression", "variables", "value", "gradient", "nodes", "check"):
        assert key in data
    assert abs(data["value"] - 0.7310585786300049) < 1e-12
    expected = {"w0": -0.1966, "x0": 0.3932, "w1": -0.3932, "x1": -0.5898, "w2": 0.1966}
    assert {k: round(v["value"], 4) for k, v in data["gradient"].items()} == expected
    assert all({"expr", "latex", "value"} <= set(v) for v in data["gradient"].values())
    assert all(
        {"id", "op", "inputs", "expr", "value", "grad", "local"} <= set(n) for n in data["nodes"]
    )
    assert data["check"]["passed"] is True
    assert {"passed", "max_rel_error", "method"} <= set(data["check"])


def test_symbolic_only_without_at():
    data = json.loads(run("derive", "x*y", "--format", "json").output)
    assert data["value"] is None and data["check"] is None
    assert data["gradient"]["x"] == {"expr": "y", "latex": "y", "node_expr": "y", "value": None}


def test_stdin_and_wrt_and_granularity():
    result = run(
        "derive",
        "-",
        "--at",
        "x=-2,y=5,z=-4",
        "--wrt",
        "z",
        "--format",
        "json",
        "--granularity",
        "gate",
        input="(x+y)*z\n",
    )
    data = json.loads(result.output)
    assert list(data["gradient"]) == ["z"] and data["gradient"]["z"]["value"] == 3.0


def test_text_output_shows_forward_backward_and_check():
    out = run("derive", SIGMOID_CIRCUIT, "--at", SIGMOID_POINT).output
    for word in ("0.7311", "-0.1966", "0.3932", "-0.5344", "passed"):
        assert word in out


@pytest.mark.parametrize(
    "args, words",
    [
        (["derive", "(x+1"], "syntax error"),
        (["derive", "x +"], "ends too early"),
        (["derive", "x*y", "--at", "x=1"], "no value for y"),
        (["derive", "x", "--granularity", "fine"], "fine"),
        (["derive", "log(x)", "--at", "x=0"], "not a finite"),
        (["derive", "x*y", "--wrt", "q"], "not in the expression"),
    ],
)
def test_bad_input_exits_2_with_one_line(args, words):
    result = run(*args)
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("symgrad: error:") and words in lines[0]
    assert "Traceback" not in result.output


@pytest.mark.slow
def test_debug_shows_traceback():
    proc = subprocess.run(
        [sys.executable, "-m", "symgrad", "--debug", "derive", "(x+1"],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2 and proc.stdout == ""
    assert "Traceback" in proc.stderr and "symgrad.errors.ParseError: syntax error" in proc.stderr
    assert proc.stderr.rstrip().splitlines()[-1].startswith("symgrad: error: syntax error")


def test_check_failure_exits_1(monkeypatch):
    from symgrad import ops

    broken = ops.OPS["sin"].__class__(**{**ops.OPS["sin"].__dict__, "derivatives": ("2*x",)})
    monkeypatch.setitem(ops.OPS, "sin", broken)
    ops._lambdified.cache_clear()
    ops._sympy_callable.cache_clear()
    try:
        result = run("derive", "sin(x)", "--at", "x=1")
    finally:
        monkeypatch.undo()
        ops._lambdified.cache_clear()
        ops._sympy_callable.cache_clear()
    assert result.exit_code == 1
    assert "FAILED" in result.output


def test_output_file_is_written_and_not_overwritten_without_force(tmp_path):
    target = tmp_path / "out.json"
    assert run("derive", "x*y", "--format", "json", "-o", str(target)).exit_code == 0
    first = target.read_bytes()
    result = run("derive", "x*z", "--format", "json", "-o", str(target))
    assert result.exit_code == 2 and target.read_bytes() == first
    assert run("derive", "x*z", "--format", "json", "-o", str(target), "--force").exit_code == 0
    assert b"x*z" in target.read_bytes()


@pytest.mark.slow
def test_help_imports_neither_sympy_nor_numpy():
    code = (
        "import sys; from symgrad.cli import cli\n"
        "try:\n    cli(['--help'])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('sympy', 'numpy') if m in sys.modules))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.stdout.strip().endswith("[]"), proc.stdout + proc.stderr


@pytest.mark.slow
def test_debug_is_accepted_after_the_command():
    proc = subprocess.run(
        [sys.executable, "-m", "symgrad", "derive", "(x+1", "--debug"],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2 and proc.stdout == ""
    assert "Traceback" in proc.stderr and "symgrad.errors.ParseError: syntax error" in proc.stderr
    assert proc.stderr.rstrip().splitlines()[-1].startswith("symgrad: error: syntax error")


def test_expression_may_start_with_minus():
    data = json.loads(run("derive", "-x^2", "--at", "x=3", "--format", "json").output)
    assert data["value"] == -9.0 and data["gradient"]["x"]["value"] == -6.0
    text = run("derive", "--at", "x=3", "-x^2")
    assert text.exit_code == 0 and "  df/dx = -2*x = -6\n  f = -9\n" in text.output


def test_negated_log_likelihood_is_an_expression_not_options():
    # click would read "-log(...)" as -l -o "g(...)": it must stay the EXPR, and no file appears
    out = run("derive", "-log(exp(z1)/(exp(z1)+exp(z2)))", "--at", "z1=1,z2=2", "--format", "json")
    data = json.loads(out.output)
    assert data["value"] == pytest.approx(np.log(np.e + np.e**2) - 1)
    assert data["gradient"]["z2"]["value"] == pytest.approx(np.e**2 / (np.e + np.e**2))


def test_gradient_not_finite_is_bad_input():
    result = run("derive", "sqrt(x)", "--at", "x=0")
    assert result.exit_code == 2 and "not a finite number" in result.output


@pytest.mark.slow
def test_extra_names_in_at_give_a_note_on_stderr():
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "symgrad",
            "derive",
            "x*y",
            "--at",
            "x=1,y=2,q=3",
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0 and json.loads(proc.stdout)["point"] == {"x": 1.0, "y": 2.0}
    assert proc.stderr.strip() == ("symgrad: note: --at gives q, which the expression does not use")


SIGMOID_AT_HALF = 1 / (1 + np.exp(-0.5))
POWERS_OF_ACTIVATIONS = {  # df/dx at x = 0.5, by hand (0 < x < 1: relu and hardtanh are x)
    "sigmoid(x)**2": 2 * SIGMOID_AT_HALF**2 * (1 - SIGMOID_AT_HALF),
    "1/softplus(x)": -SIGMOID_AT_HALF / np.log1p(np.exp(0.5)) ** 2,
    "relu(x)^2 + hardtanh(x)^3": 2 * 0.5 + 3 * 0.5**2,
}


def shown_gradients_of_x(out: str, fmt: str) -> list[float]:
    """The values of df/dx that one output shows (every line that states it)."""
    if fmt == "json":
        return [json.loads(out)["gradient"]["x"]["value"]]
    if fmt == "text":
        found = re.findall(r"^  df/dx = .* = (\S+)$", out, re.M)
    elif fmt == "dot":  # the gradient label below x's wire: its value, or "= total" at a fork
        labels = re.findall(r'class="gradient", label="([^"]+)"[^\n]*wire="n0"', out)
        totals = [label.split("=")[-1] for label in labels if "=" in label]
        return [float(totals[-1] if totals else labels[0])] if labels else []
    else:  # the Gradients block: one align* row, continued on lines that start "  &= "
        rows = re.findall(r"^\\frac\{\\partial f\}\{\\partial x\} &= .*(?:\n  &= .*)*", out, re.M)
        found = [m.group(1) for row in rows if (m := re.search(r" = (\S+) \\\\$", row))]
    return [float(v) for v in found]


@pytest.mark.parametrize("fmt", ["text", "json", "markdown", "latex", "dot"])
@pytest.mark.parametrize("expr", list(POWERS_OF_ACTIVATIONS))
def test_activations_raised_to_a_power_render(expr, fmt):
    result = run("derive", expr, "--at", "x=0.5", "--format", fmt)
    assert result.exit_code == 0, result.output
    shown = shown_gradients_of_x(result.stdout, fmt)
    digits = 3 if fmt == "dot" else 4  # significant digits on a wire; in a formula
    assert shown and shown == pytest.approx(
        [POWERS_OF_ACTIVATIONS[expr]] * len(shown), rel=10.0 ** (1 - digits)
    ), shown


def test_special_files_are_never_replaced(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    result = run("derive", "x*y", "-o", str(fifo), "--force")
    assert result.exit_code == 2 and "not a regular file" in result.output
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_unwritable_output_is_bad_input_not_an_internal_error(tmp_path):
    result = run("derive", "x*y", "-o", str(tmp_path / ("a" * 300)))
    assert result.exit_code == 2 and "cannot read or write" in result.output


@pytest.mark.slow
def test_debug_keeps_the_exit_status():
    proc = subprocess.run(
        [sys.executable, "-m", "symgrad", "--debug", "derive", "2*3"],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2 and "Traceback" in proc.stderr


def test_jacobian_output_names_must_be_variables():
    result = run("jacobian", "--y", "x1*x2,x2+x3", "--y-names", "pi,e", "--z", "pi*e")
    assert result.exit_code == 2 and "--y-names" in result.output
