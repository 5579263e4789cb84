"""`-o FILE` takes the format from its extension when --format is not given (issue 14, item 6);
a contradiction between the two is exit 2 and writes nothing."""

import json
import re

import pytest
from click.testing import CliRunner
from support.lecture import JACOBIAN

from symgrad.cli import cli

SIGMOID = ["derive", "1/(1+exp(-(w0*x0+w1*x1+w2)))", "--at", "w0=2,x0=-1,w1=-3,x1=-2,w2=-3"]
MLP = ["mlp", "--layers", "2,3,2", "--seed", "1"]


def run(args, tmp_path):
    return CliRunner().invoke(cli, args, catch_exceptions=False)


def looks_like(fmt: str, text: str) -> bool:
    """An independent sniff of each format (not the renderer's own code)."""
    if fmt == "json":
        return isinstance(json.loads(text), dict)
    if fmt == "latex":
        return text.startswith("\\documentclass") and "\\end{document}" in text
    if fmt == "markdown":
        return text.lstrip().startswith("#") and "|" in text
    if fmt == "dot":  # after the comment that says how to render it
        return re.sub(r"^//.*\n", "", text, flags=re.M).lstrip().startswith("digraph")
    if fmt == "text":
        return (
            text.startswith(("Worked solution", "Backpropagation in a multilayer"))
            and "\\begin" not in text
            and "digraph" not in text
        )
    raise AssertionError(fmt)


@pytest.mark.parametrize(
    "suffix,fmt",
    [
        (".txt", "text"),
        (".json", "json"),
        (".md", "markdown"),
        (".tex", "latex"),
        (".dot", "dot"),
        (".TEX", "latex"),
        (".markdown", "markdown"),
        (".gv", "dot"),
    ],
)
@pytest.mark.parametrize("command", [SIGMOID, MLP], ids=["derive", "mlp"])
def test_extension_gives_the_format(command, suffix, fmt, tmp_path):
    out = tmp_path / f"solution{suffix}"
    result = run(command + ["-o", str(out)], tmp_path)
    assert result.exit_code == 0, result.output
    assert looks_like(fmt, out.read_text(encoding="utf-8"))


@pytest.mark.parametrize("suffix,fmt", [(".json", "json"), (".tex", "latex"), (".txt", "text")])
def test_jacobian_extension_gives_the_format(suffix, fmt, tmp_path):
    out = tmp_path / f"rule{suffix}"
    assert run([*JACOBIAN, "-o", str(out)], tmp_path).exit_code == 0
    text = out.read_text(encoding="utf-8")
    if fmt == "text":
        assert "\\begin" not in text and not text.lstrip().startswith("{")
    else:
        assert looks_like(fmt, text)


def test_no_extension_is_text(tmp_path):
    out = tmp_path / "solution"
    assert run(SIGMOID + ["-o", str(out)], tmp_path).exit_code == 0
    assert looks_like("text", out.read_text(encoding="utf-8"))


def test_explicit_format_agreeing_with_the_extension(tmp_path):
    out = tmp_path / "s.json"
    assert run(SIGMOID + ["--format", "json", "-o", str(out)], tmp_path).exit_code == 0
    assert looks_like("json", out.read_text(encoding="utf-8"))


def test_explicit_format_wins_where_the_extension_says_nothing(tmp_path):
    out = tmp_path / "s.out"
    assert run(SIGMOID + ["--format", "latex", "-o", str(out)], tmp_path).exit_code == 0
    assert looks_like("latex", out.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    "extra,name,words",
    [
        (["--format", "json"], "s.tex", ".tex means latex, but --format is json"),
        (["--format", "markdown"], "s.txt", ".txt means text, but --format is markdown"),
        (["--pdf"], "s.tex", "--pdf writes a PDF, but the extension .tex means latex"),
        (
            ["--format", "json"],
            "s.pdf",
            ".pdf means a compiled LaTeX solution, but --format is json",
        ),
    ],
)
def test_contradictions_are_exit_2_and_write_nothing(extra, name, words, tmp_path):
    out = tmp_path / name
    result = CliRunner().invoke(cli, SIGMOID + extra + ["-o", str(out)])
    assert result.exit_code == 2
    assert words in result.output
    assert not out.exists()


def test_existing_file_survives_a_contradiction(tmp_path):
    out = tmp_path / "s.tex"
    out.write_text("keep me", encoding="utf-8")
    result = CliRunner().invoke(cli, SIGMOID + ["--format", "json", "-o", str(out), "--force"])
    assert result.exit_code == 2
    assert out.read_text(encoding="utf-8") == "keep me"


@pytest.mark.parametrize("name,fmt", [("r.pdf", "PDF"), ("r.dot", "dot")])
def test_jacobian_refuses_a_format_it_does_not_write(name, fmt, tmp_path):
    out = tmp_path / name
    result = CliRunner().invoke(cli, [*JACOBIAN, "-o", str(out)])
    assert result.exit_code == 2
    assert f"does not write {fmt}" in result.output
    assert not out.exists()
