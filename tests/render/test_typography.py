"""Chinese output reads as Chinese (issue 14, item 7): full-width punctuation around Chinese
phrases, a .tex that says on its first line it compiles with xelatex, and no internal op
names in the patterns list of any language."""

import re

import pytest
from click.testing import CliRunner

from symgrad.cli import cli
from symgrad.render.typography import zh_punctuation

SIGMOID = ["derive", "1/(1+exp(-(w0*x0+w1*x1+w2)))", "--at", "w0=2,x0=-1,w1=-3,x1=-2,w2=-3"]
HAN = r"[\u4e00-\u9fff]"


def run(*args) -> str:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_no_ascii_colon_comma_or_parenthesis_next_to_chinese(fmt):
    out = run(*SIGMOID, "--lang", "zh", "--format", fmt)
    assert re.search(rf"{HAN}[:,]", out) is None, re.search(rf".{{10}}{HAN}[:,].{{10}}", out)
    assert re.search(rf"\({HAN}", out) is None
    if fmt == "text":
        assert "粒度：written（" in out and "数值检验：" in out


def test_english_keeps_ascii_punctuation():
    out = run(*SIGMOID)
    assert "Granularity: written (one node" in out and "：" not in out and "（" not in out


@pytest.mark.parametrize(
    "text,expected",
    [
        ("反向传播 (链式法则: df/dz)", "反向传播（链式法则：df/dz）"),
        ("  (z_8: 起点)", "  （z_8：起点）"),
        ("结果, 通过", "结果，通过"),
        ("f(x, y) = max(0, x)", "f(x, y) = max(0, x)"),  # math stays ASCII
        ("节点 z_1 = w0*x0 (exact)", "节点 z_1 = w0*x0 (exact)"),  # no Chinese inside
        ("sigmoid(中)", "sigmoid(中)"),  # a call's parentheses stay
    ],
)
def test_zh_punctuation_rules(text, expected):
    assert zh_punctuation(text) == expected


@pytest.mark.parametrize(
    "command", [SIGMOID + ["-o"], ["mlp", "--layers", "3,4,3,2", "--seed", "1", "-o"]]
)
def test_zh_tex_says_xelatex_on_its_first_line(command, tmp_path):
    out = tmp_path / "s.tex"
    run(*command, str(out), "--lang", "zh")
    first = out.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("%") and "xelatex" in first and re.search(HAN, first)
    en = tmp_path / "e.tex"
    run(*command, str(en))
    assert "xelatex" not in en.read_text(encoding="utf-8").splitlines()[0]


@pytest.mark.slow
def test_zh_homework_tex_says_xelatex_on_its_first_line(tmp_path):
    from pathlib import Path

    import symgrad

    bank = Path(symgrad.__file__).resolve().parent.parent / "bank" / "lecture3-2.zh.toml"
    if not bank.exists():
        import importlib.resources as resources

        bank = Path(str(resources.files("symgrad") / "bank" / "lecture3-2.zh.toml"))
    run(
        "homework",
        str(bank),
        "--versions",
        "1",
        "--out",
        str(tmp_path / "hw"),
        "--lang",
        "zh",
        "--quiet",
        "--formats",
        "latex",
    )
    for name in ("questions.tex", "key.tex"):
        first = (tmp_path / "hw" / "v01" / name).read_text(encoding="utf-8").splitlines()[0]
        assert "xelatex" in first, name


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("fmt", ["text", "markdown", "latex"])
def test_patterns_list_shows_no_internal_op_names(lang, fmt):
    out = run(*SIGMOID, "--granularity", "primitive", "--lang", lang, "--format", fmt)
    for internal in ("recip", "addc", "neg", "mulc"):
        assert re.search(rf"\b{internal}\b", out) is None, internal
