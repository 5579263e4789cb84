"""The vector chain rule's view: the Jacobian, the product and the gradient in Markdown,
LaTeX, text and JSON, with and without a point, in English and Chinese."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from support.lecture import JACOBIAN

from symgrad.cli import cli
from symgrad.errors import SymgradError
from symgrad.jacobian import vector_chain_rule

SYMBOLIC_JACOBIAN = {
    "text": "  [x2, x1, 0]\n  [0, 1, 1]\n",
    "markdown": r"x_{2} & x_{1} & 0\\0 & 1 & 1",
    "latex": r"x_{2} & x_{1} & 0\\0 & 1 & 1",
}


@pytest.mark.parametrize("fmt", ["markdown", "latex"])
def test_markdown_and_latex_show_the_jacobian_and_the_gradient(fmt):
    run = CliRunner().invoke(
        cli,
        [
            *JACOBIAN,
            "--format",
            fmt,
        ],
    )
    assert run.exit_code == 0, run.output
    out = run.output
    assert r"x_{2} & x_{1} & 0\\0 & 1 & 1" in out  # the symbolic Jacobian
    assert r"\begin{bmatrix} 2 & 1 & 0 \\ 0 & 1 & 1 \end{bmatrix}" in out  # its value
    assert r"\begin{bmatrix} 10 \\ 7 \\ 2 \end{bmatrix}" in out  # ∇_x z
    assert r"5 \cdot 1 + 2 \cdot 1 = 7" in out  # a path sum with the numbers in place
    assert "compared with a reverse pass over the composed expression z(g(x)):" in out
    row = {
        "markdown": "| $x_{2}$ | $7$ | $7$ | $0$ | pass |",
        "latex": r"x_{2} & 7 & 7 & 0 & pass \\",
    }
    assert row[fmt] in out  # the check's row of x2: product, oracle, error, status
    if fmt == "latex":
        assert out.startswith(r"\documentclass") and r"\begin{align*}" in out


def test_every_format_of_the_jacobian_without_a_point_and_in_chinese():
    from symgrad.render import formats, render, strings

    rule = vector_chain_rule("x1*x2, x2+x3", "y1*y2")
    assert formats("jacobian") == ("text", "json", "markdown", "latex", "html")
    for lang in ("en", "zh"):
        s = strings(lang)
        data = json.loads(render(rule, "json", lang=lang))
        assert data["jacobian"]["expr"] == [["x2", "x1", "0"], ["0", "1", "1"]]
        assert data["grad_x"]["value"] is None and data["check"] is None
        for fmt in ("text", "markdown", "latex"):
            out = render(rule, fmt, lang=lang)
            assert SYMBOLIC_JACOBIAN[fmt] in out, (fmt, lang)
            assert s["jacobian"] in out and s["jacobian_product"] not in out  # no check
            assert s["jacobian_paths" if fmt != "text" else "jacobian_ie"] in out
    assert "雅可比矩阵 ∂y/∂x（2×3：第 j 行对应 y_j，第 i 列对应 x_i）" in render(
        rule, "text", lang="zh"
    )
    with pytest.raises(SymgradError, match="dot"):
        render(rule, "dot")


def test_text_shows_values_like_the_other_views():
    run = CliRunner().invoke(cli, [*JACOBIAN])
    assert "  = [2  1  0]\n    [0  1  1]\n" in run.output and "      = [5  2]\n" in run.output
    assert "[[" not in run.output and "2." not in run.output


def test_json_latex_comes_from_the_shared_printer():
    data = json.loads(
        CliRunner()
        .invoke(
            cli,
            [
                "jacobian",
                "--y",
                "relu(x1)*x2",
                "--z",
                "y1",
                "--at",
                "x1=1,x2=2",
                "--format",
                "json",
            ],
        )
        .output
    )
    assert r"\mathbb{1}" in data["jacobian"]["latex"] and r"\theta" not in data["jacobian"]["latex"]
    assert data["sums"][0]["text"].startswith("∂z/∂x1 = ")


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_latex_compiles(lang):
    from conftest import require_tool
    from support.pdf import pdf_pages, pdf_text

    from symgrad.render import render, strings
    from symgrad.render.tex import compile_pdf

    engine = "xelatex" if lang == "zh" else "pdflatex"
    require_tool(engine)
    rule = vector_chain_rule("x1*x2, relu(x2 - x3)", "y1*y2", at="x1=1,x2=2,x3=-3")
    pdf = compile_pdf(render(rule, "latex", lang=lang), engine=engine, timeout=120)
    text = pdf_text(pdf)
    assert strings(lang)["jacobian_title"] in text and strings(lang)["check_passed"] in text
    # ∇ₓz = (y2·x2, y2·x1 + y1, −y1) at y = (2, 5) is (10, 7, −2): in the vector and path sums
    assert " = 10\n" in text and " = 7\n" in text and " = -2\n" in text
    assert 1 <= pdf_pages(pdf) <= 2  # the Chinese layout is looser
