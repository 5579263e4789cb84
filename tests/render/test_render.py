"""Worked solutions: structure of every format, escaping, LaTeX that compiles, DOT that renders,
Jupyter reprs, and templates shipped inside the wheel.

Tests that need TeX, Graphviz or the ``build`` package skip outside CI (with the reason shown)
and fail in CI (``CI`` set), where ``.ci/run`` installs them.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from click.testing import CliRunner
from conftest import ROOT, SIGMOID_CIRCUIT, SIGMOID_POINT, require_tool, skip_or_fail
from support.pdf import pdf_pages, pdf_text

from symgrad import escape
from symgrad.cli import cli
from symgrad.derivation import derive
from symgrad.mlp import make_spec, random_params, run_mlp
from symgrad.ops import OPS
from symgrad.render import environment, render, strings
from symgrad.render.layout import MIN_GAP_CM, layout
from symgrad.render.printing import latex_text

NASTY = r"Quiz #3: 50% & $x_1$ {a} ~b^c \d <e>"
"""User text with every character that some output format treats specially."""

# CS231n's sigmoid circuit: (value, gradient) of the exp and 1/x gates, gradient of each leaf
CS231N_GATES = {"exp": (0.37, -0.53), "recip": (0.73, 1.00)}
CS231N_LEAVES = {"w0": -0.20, "x0": 0.39, "w1": -0.39, "x1": -0.59, "w2": 0.20}


@pytest.fixture(scope="module")
def sigmoid():
    return derive(SIGMOID_CIRCUIT, at=SIGMOID_POINT, granularity="primitive")


@pytest.fixture(scope="module")
def lecture_mlp():
    spec = make_spec("3,4,3,2", hidden="relu", output="softmax", loss="ce", l2=0.01)
    return run_mlp(spec, random_params(spec, seed=3))


# ---------------------------------------------------------------- environment and strings


def test_one_shared_strict_environment():
    assert environment() is environment()
    with pytest.raises(Exception, match="undefined"):
        environment().from_string(r"\VAR{ missing }").render()
    assert environment().from_string(r"{ } % # \VAR{ 1 + 1 }").render() == "{ } % # 2"


def test_every_language_has_every_phrase():
    en, zh = strings("en"), strings("zh")
    assert set(en) - {"op_notes", "mlp_notes"} == set(zh) - {"op_notes", "mlp_notes"}
    assert set(zh["op_notes"]) == set(OPS), "every op needs a Chinese teaching note"
    assert zh["backward"] == "反向传播" and zh["graph"] == "计算图"


GRADIENT_OF_X = {  # ∂f/∂x of x*y + x as each format writes it: at x=2, y=3; without a point
    "text": ("  df/dx = y + 1 = 4\n", "  df/dx = y + 1\n"),
    "markdown": (
        r"\frac{\partial f}{\partial x} &= y + 1 = 4 \\",
        r"\frac{\partial f}{\partial x} &= y + 1 \\",
    ),
    "latex": (
        r"\frac{\partial f}{\partial x} &= y + 1 = 4 \\",
        r"\frac{\partial f}{\partial x} &= y + 1 \\",
    ),
    "dot": ('class="gradient", label="= 4", fontcolor="#c51b7d", wire="n0"', '= x*y + x"];'),
}


@pytest.mark.parametrize("fmt", ["text", "markdown", "latex", "dot", "json"])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_format_renders_with_and_without_a_point(fmt, lang):
    """Each format shows the gradient (with its value only at a point), the phrases of the
    language, and the numeric check only when there is a point to check at."""
    s = strings(lang)
    for d, has_point in ((derive("x*y + x", at="x=2,y=3"), True), (derive("x*y + x"), False)):
        out = render(d, fmt, lang=lang)
        if fmt == "json":
            data = json.loads(out)
            assert data["gradient"]["x"]["expr"] == "y + 1"
            assert data["gradient"]["x"]["value"] == (4.0 if has_point else None)
            assert (data["check"]["passed"] if has_point else data["check"]) is (
                True if has_point else None
            )
            continue
        with_point, without = GRADIENT_OF_X[fmt]
        assert (with_point in out, without in out) == (has_point, not has_point), out
        if fmt == "dot":
            assert 'label="f(x, y) = x*y + x' in out and out.rstrip().endswith("}")
            continue
        assert s["backward"] in out and (s["check"] in out) is has_point
        assert (s["no_point"] in out) is not has_point


# ---------------------------------------------------------------- CS231n values, three formats


def _backward_rows(d, fmt: str) -> dict[str, list[float]]:
    """Node name -> the numbers on that node's rows of the backward table."""
    start, end = {
        "text": ("Backward pass", "Gradients"),
        "markdown": ("### Backward pass", "### Gradients"),
        "latex": (r"\subsection*{Backward pass}", r"\subsection*{Gradients}"),
    }[fmt]
    body = render(d, fmt).split(start, 1)[1].split(end, 1)[0]
    marker = {"text": "  {} ", "markdown": "| ${}$ |", "latex": "{} &"}[fmt]
    continued = {"text": "     ", "markdown": "|  |", "latex": " & "}[fmt]
    names = {marker.format(_tex(n.name) if fmt != "text" else n.name): n.name for n in d.nodes}
    rows: dict[str, list[float]] = {}
    current = None
    for line in body.splitlines():
        owner = next((name for head, name in names.items() if line.startswith(head)), None)
        current = owner or (current if line.startswith(continued) else None)
        if current:
            rows.setdefault(current, []).extend(float(x) for x in NUMBER.findall(line))
    return rows


NUMBER = re.compile(r"(?<![\w{^.])-?\d+(?:\.\d+)?(?![\w.}])")
"""A number in a table row, not a subscript or exponent such as z_{7} or z_7^{2}."""


def _tex(name: str) -> str:
    return re.sub(r"^([a-z]+)_?(\d+)$", r"\1_{\2}", name)


@pytest.mark.parametrize("fmt", ["text", "markdown", "latex"])
def test_backward_table_carries_the_cs231n_values(sigmoid, fmt):
    rows = _backward_rows(sigmoid, fmt)
    for op, (value, gradient) in CS231N_GATES.items():
        node = next(n for n in sigmoid.graph.op_nodes if n.op == op)
        rounded = {round(x, 2) for x in rows[node.name]}
        assert value in rounded and gradient in rounded, (fmt, node.name, rows[node.name])
    for leaf, gradient in CS231N_LEAVES.items():
        assert round(gradient, 2) in {round(x, 2) for x in rows[leaf]}, (fmt, leaf, rows[leaf])


def test_backward_table_runs_from_the_output_to_the_inputs(sigmoid):
    text = render(sigmoid, "text")
    body = text.split("Backward pass", 1)[1]
    order = [line.split()[0] for line in body.splitlines()[3:16]]
    assert order[0] == sigmoid.output.name
    assert order.index("z_6") < order.index("z_5") < order.index("w0")


def test_a_fork_is_written_as_a_sum():
    d = derive("x*y + x", at="x=2,y=3")
    for fmt, needle in [("text", "1 + 3 = 4"), ("markdown", "1 + 3 = 4"), ("latex", "1 + 3 = 4")]:
        out = render(d, fmt)
        assert needle in out, fmt
    assert "Forks: gradients add" in render(d, "text")
    assert "df/dx = df/dz_2 * dz_2/dx + df/dz_1 * dz_1/dx" in render(d, "text")


def test_teaching_notes_come_from_the_op_records_once_each():
    d = derive("max(x*y, x + y) * (x + 1)", at="x=2,y=3")
    out = render(d, "markdown")
    notes = strings("en")["op_notes"]
    for op in ("mul", "add", "max"):
        assert out.count(notes.get(OPS[op].note, OPS[op].note).split(":")[0]) == 1
    zh = render(d, "markdown", lang="zh")
    assert "max 路由" in zh and "乘法交换" in zh


def test_decomposition_table_shows_exact_and_decimal_values(sigmoid):
    md = render(sigmoid, "markdown")
    assert r"$e^{-1}$" in md and r"$0.3679$" in md
    assert r"\frac{1}{e^{-1} + 1}" in md


def test_check_table_has_relative_errors(sigmoid):
    md = render(sigmoid, "markdown")
    check = md.split("### Numeric check", 1)[1]
    assert check.count(r"\times 10^{") >= len(sigmoid.variables)
    assert "**passed**" in check


# ---------------------------------------------------------------- Markdown for GitHub and KaTeX


@pytest.mark.parametrize("result", ["sigmoid", "lecture_mlp"])
def test_markdown_math_blocks_stand_on_their_own_lines(result, request):
    md = render(request.getfixturevalue(result), "markdown")
    lines = md.splitlines()
    inside = False
    for number, line in enumerate(lines):
        if "$$" in line:
            assert line == "$$", f"line {number}: {line!r}"
            if not inside:
                assert number == 0 or lines[number - 1] == "", f"no blank line before {number}"
            inside = not inside
        elif inside:
            assert line.strip(), f"blank line inside a $$ block at line {number}"
    assert not inside


def test_markdown_table_cells_escape_pipes_inside_math():
    d = derive("abs(x) * y", at="x=-2,y=3")
    md = render(d, "markdown")
    assert r"\left\|" in md
    for table in re.findall(r"(?:^\|.*\|$\n?)+", md, flags=re.M):
        rows = table.strip().splitlines()
        widths = {len(re.findall(r"(?<!\\)\|", row)) for row in rows}
        assert len(widths) == 1, rows


# ---------------------------------------------------------------- escaping user text


def test_title_is_escaped_in_every_format(sigmoid):
    md = render(sigmoid, "markdown", title=NASTY)
    assert md.splitlines()[0] == "## " + escape.markdown(NASTY)
    tex = render(sigmoid, "latex", title=NASTY)
    assert r"\section*{" + latex_text(NASTY) + "}" in tex
    assert NASTY not in tex
    assert render(sigmoid, "text", title=NASTY).splitlines()[0] == NASTY
    assert json.loads(render(sigmoid, "json", title=NASTY))["title"] == NASTY
    dot = render(sigmoid, "dot", title=NASTY)
    assert escape.dot(NASTY) in dot


def test_latex_text_avoids_glyphs_missing_from_ot1():
    out = latex_text(NASTY + " | ")
    for raw in ("|", "<", ">"):
        assert out.count(raw) == out.count(r"\ensuremath{" + raw + "}")
    assert r"\textless" not in out and r"\textbackslash" not in out


def test_expression_text_is_escaped_and_shown_through_sympy():
    d = derive("a_b^2 + c", at="a_b=1,c=2")
    tex = render(d, "latex")
    assert r"\texttt{a\_b\^{}2 + c}" in tex
    assert r"a_{b}^{2}" in tex
    md = render(d, "markdown")
    assert r"a\_b\^2 + c" in md


# ---------------------------------------------------------------- LaTeX modes and Jupyter


def test_fragments(sigmoid):
    document = render(sigmoid, "latex")
    assert document.startswith(r"\documentclass") and document.rstrip().endswith(r"\end{document}")
    body = render(sigmoid, "latex", fragment="body")
    assert r"\documentclass" not in body and r"\begin{tikzpicture}" in body
    assert body.startswith("% symgrad fragment")
    zh = render(sigmoid, "latex", lang="zh")
    assert r"{ctexart}" in zh and "反向传播" in zh


def test_jupyter_reprs_are_mathjax_friendly(sigmoid):
    latex = sigmoid._repr_latex_()
    assert latex.startswith("$$") and latex.rstrip().endswith("$$")
    assert r"\begin{aligned}" in latex
    for forbidden in ("tikz", "tabular", "longtable", r"\section", r"\documentclass"):
        assert forbidden not in latex
    assert latex.count(r"\begin{") == latex.count(r"\end{")
    assert sigmoid._repr_markdown_().startswith("## Worked solution")


def test_only_packages_from_debian_recommended_and_pictures(sigmoid, lecture_mlp):
    allowed = {
        "geometry",
        "amsmath",
        "amssymb",
        "array",
        "booktabs",
        "longtable",
        "graphicx",
        "xcolor",
        "tikz",
    }
    for result in (sigmoid, lecture_mlp):
        for lang in ("en", "zh"):
            used = set()
            for group in re.findall(
                r"\\usepackage(?:\[[^]]*\])?\{([^}]*)\}", render(result, "latex", lang=lang)
            ):
                used.update(p.strip() for p in group.split(","))
            assert used <= allowed, used - allowed


# ---------------------------------------------------------------- compile and render


def _compile(source: str, lang: str) -> bytes:
    from symgrad.render.tex import compile_pdf

    return compile_pdf(source, engine="xelatex" if lang == "zh" else "pdflatex", timeout=120)


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_sigmoid_circuit_compiles(sigmoid, lang):
    require_tool("xelatex" if lang == "zh" else "pdflatex")
    pdf = _compile(render(sigmoid, "latex", lang=lang, title=NASTY), lang)
    text, s = pdf_text(pdf), strings(lang)
    assert "Quiz #3: 50% &" in text and "{a}" in text and "<e>" in text  # the title, escaped
    for heading in ("graph", "forward", "backward", "gradients", "check"):
        assert s[heading] in text, heading
    for value in ("0.731", "-0.197", "0.393", "-0.59", "0.368", "-0.534"):  # CS231n's circuit
        assert value in text, value
    assert 1 <= pdf_pages(pdf) <= 6


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_lecture_mlp_compiles(lecture_mlp, lang):
    require_tool("xelatex" if lang == "zh" else "pdflatex")
    pdf = _compile(render(lecture_mlp, "latex", lang=lang, title=NASTY), lang)
    text, s = pdf_text(pdf), strings(lang)
    assert "Quiz #3: 50% &" in text
    # J = L + λΩ = loss; pdftotext writes this Ω as the Ohm sign
    assert f", λ = 0.01 = {lecture_mlp.loss:.4f}\n" in text
    assert s["backward"] in text and s["check"] in text and s["check_passed"] in text
    assert 2 <= pdf_pages(pdf) <= 12


WRITTEN = "z*y + (b - a) + c*2 + x^2 - 1"


def test_node_formulas_keep_the_operands_as_written(sigmoid):
    d = derive(WRITTEN)  # a variable z: the nodes are u_1, u_2, ... (never z_k next to z)
    text = render(d, "text")
    for formula in ("u_1 = z*y", "u_2 = b - a", "u_4 = 2*c", "u_6 = x^2", "u_8 = u_7 - 1"):
        assert formula in text, formula
    assert "**" not in text and "-a + b" not in text
    latex = render(d, "latex")
    for formula in ("u_{1} = z y", "u_{2} = b - a", "u_{4} = 2 c", "u_{6} = x^{2}"):
        assert formula in latex, formula
    assert "u_{2} = - a + b" not in latex
    md = render(d, "markdown")
    assert "$u_{2} = b - a$" in md and "$u_{1} = z y$" in md
    exprs = {n["id"]: n["expr"] for n in json.loads(render(d, "json"))["nodes"]}
    assert (exprs["u_1"], exprs["u_2"], exprs["u_6"]) == ("z*y", "b - a", "x**2")
    assert "z_4 = z_3 + w2" in render(sigmoid, "text")
    assert "z_{4} = z_{3} + w_{2}" in render(sigmoid, "latex")
    nodes = json.loads(render(sigmoid, "json"))["nodes"]
    assert {n["id"]: n["expr"] for n in nodes}["z_4"] == "z_3 + w2"


def test_look_alike_variables_print_differently():
    d = derive("x_1*x1", at="x_1=2,x1=3")
    for fmt in ("latex", "markdown"):
        out = render(d, fmt)
        assert r"\mathit{x1}" in out and "x_{1}" in out, fmt
        assert r"\frac{\partial f}{\partial \mathit{x1}}" in out, fmt
    assert "w_{0}" in render(derive("w0*x0"), "latex")  # no clash: the lecture's look


def test_markdown_shows_parentheses_as_typed():
    md = render(derive("(b - a)*c"), "markdown")
    assert "As typed: (b - a)\\*c" in md and "\\(" not in md and "\\)" not in md


@pytest.mark.slow
def test_english_with_chinese_title_compiles_with_xelatex_and_keeps_the_text(tmp_path, sigmoid):
    require_tool("xelatex", "pdftotext")
    from symgrad.render.tex import tex_engine

    source = render(sigmoid, "latex", lang="en", title="\u4e2d \u5f20\u4f1f")
    assert tex_engine(source, "en") == "xelatex"
    assert r"\documentclass[scheme=plain,11pt,a4paper]{ctexart}" in source
    assert tex_engine(render(sigmoid, "latex", lang="en"), "en") == "pdflatex"  # σ, ≤ are ours
    pdf = tmp_path / "d.pdf"
    result = CliRunner().invoke(
        cli,
        [
            "derive",
            SIGMOID_CIRCUIT,
            "--at",
            SIGMOID_POINT,
            "--format",
            "latex",
            "--title",
            "\u4e2d \u5f20\u4f1f",
            "--pdf",
            "-o",
            str(pdf),
        ],
    )
    assert result.exit_code == 0, result.output
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, check=True, text=True
    ).stdout
    assert "\u4e2d" in text and "\u5f20\u4f1f" in text and "Backward" in text


@pytest.mark.slow
def test_text_without_a_font_is_an_error_not_a_gap(sigmoid):
    require_tool("xelatex")
    from symgrad.errors import SymgradError
    from symgrad.render import render_pdf

    with pytest.raises(SymgradError, match="no font for the character"):
        render_pdf(sigmoid, title="\u0414\u043c\u0438\u0442\u0440\u0438\u0439")


@pytest.mark.slow
def test_wide_and_repeated_inputs_compile():
    require_tool("pdflatex")
    d = derive("x*x + sigmoid(x*y) * relu(y - 3) + abs(x) / (1 + y^2)", at="x=2,y=5")
    text = pdf_text(_compile(render(d, "latex"), "en"))
    # oracle: ∂f/∂x = 2x + yσ'(xy)·relu(y−3) + sign(x)/(1+y²),
    #         ∂f/∂y = xσ'(xy)·relu(y−3) + σ(xy) − 2y|x|/(1+y²)²
    sig, sig_prime = 1 / (1 + np.exp(-10.0)), np.exp(-10.0) / (1 + np.exp(-10.0)) ** 2
    dfdx = 4 + 5 * sig_prime * 2 + 1 / 26
    dfdy = 2 * sig_prime * 2 + sig - 20 / 26**2
    assert f"= {dfdx:.4g}" in text and f"= {dfdy:.4g}" in text
    assert "Numeric check" in text and "passed" in text and "FAIL" not in text


def _svg_text(svg: str) -> str:
    return " ".join(t for t in ET.fromstring(svg).itertext())


@pytest.mark.slow
@pytest.mark.parametrize("result", ["sigmoid", "lecture_mlp"])
def test_dot_renders_with_graphviz(result, request):
    require_tool("dot")
    source = render(request.getfixturevalue(result), "dot", title=NASTY)
    run = subprocess.run(["dot", "-Tsvg"], input=source, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    text = _svg_text(run.stdout)
    assert NASTY in text
    if result == "sigmoid":
        for value in ("0.368", "-0.534", "0.731", "-0.197", "0.393", "-0.59"):
            assert value in text


def test_circuit_layout_keeps_nodes_apart():
    d = derive(
        "sigmoid(a*b + c*d) * tanh(a - d) + exp(b*c) / (1 + a^2) + max(c, d)",
        at="a=1,b=2,c=3,d=-1",
        granularity="primitive",
    )
    assert 20 <= len(d.nodes) <= 40
    positions, _ = layout(d.graph)
    by_x: dict[float, list[float]] = {}
    for x, y in positions.values():
        by_x.setdefault(round(x, 3), []).append(y)
    for ys in by_x.values():
        ys.sort()
        assert all(b - a >= MIN_GAP_CM - 1e-9 for a, b in zip(ys, ys[1:]))


# ---------------------------------------------------------------- command line


@pytest.mark.slow
def test_cli_latex_file_fragment_and_pdf(tmp_path):
    runner = CliRunner()
    target = tmp_path / "x.tex"
    run = runner.invoke(
        cli,
        ["derive", SIGMOID_CIRCUIT, "--at", SIGMOID_POINT, "--format", "latex", "-o", str(target)],
    )
    assert run.exit_code == 0, run.output
    assert target.read_text().startswith(r"\documentclass")
    run = runner.invoke(
        cli, ["derive", "x*y", "--at", "x=1,y=2", "--format", "latex", "--fragment"]
    )
    assert run.exit_code == 0 and r"\documentclass" not in run.output
    run = runner.invoke(cli, ["derive", "x*y", "--at", "x=1,y=2", "--pdf"])
    assert run.exit_code == 2 and "-o FILE.pdf" in run.output


@pytest.mark.slow
def test_cli_pdf(tmp_path):
    require_tool("pdflatex")
    target = tmp_path / "x.pdf"
    run = CliRunner().invoke(
        cli, ["derive", "x*y", "--at", "x=1.25,y=-3.5", "--pdf", "-o", str(target)]
    )
    assert run.exit_code == 0, run.output
    assert run.stdout == "" and run.stderr.strip() == f"wrote {target}"
    text = pdf_text(target.read_bytes())
    assert "Worked solution" in text and "As typed: x*y" in text
    assert "f = -4.375" in text and "= y = -3.5" in text and "= x = 1.25" in text


@pytest.mark.parametrize(
    "fmt,needle",
    [
        ("markdown", r"\nabla_{\mathbf{W}^{(1)}} J"),
        ("latex", r"\begin{bmatrix}"),
        ("dot", "digraph mlp"),
    ],
)
def test_cli_mlp_formats(fmt, needle):
    run = CliRunner().invoke(
        cli,
        [
            "mlp",
            "--layers",
            "3,4,3,2",
            "--seed",
            "1",
            "--format",
            fmt,
            "--lang",
            "zh",
            "--title",
            NASTY,
        ],
    )
    assert run.exit_code == 0, run.output
    assert needle in run.output


def test_mlp_backward_loop_in_the_lecture_notation(lecture_mlp):
    tex = render(lecture_mlp, "latex", fragment="body")
    assert r"\mathbf{g} \leftarrow \nabla_{\mathbf{z}^{(3)}} J" in tex
    assert r"\mathbf{g} \odot g'(\mathbf{z}^{(2)})" in tex
    assert r"\nabla_{\mathbf{W}^{(2)}} J &= \mathbf{g}\, \mathbf{h}^{(1)\top} + \lambda" in tex
    assert r"\mathbf{W}^{(3)\top} \mathbf{g}" in tex
    assert r"\in \mathbb{R}^{4 \times 3}" in tex
    numbers = re.findall(r"-?\d+\.\d+", tex)
    assert numbers and all(len(n.lstrip("-").replace(".", "").lstrip("0")) <= 4 for n in numbers)


# ---------------------------------------------------------------- the wheel ships the templates


@pytest.mark.slow
def test_templates_ship_inside_the_wheel(tmp_path):
    try:
        import build  # noqa: F401  (the test extra)
    except ImportError:
        skip_or_fail("the build package is not installed (pip install -e .[test])")
    root = ROOT
    source = tmp_path / "source"  # a copy, so the build leaves no build/ in the checkout
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", "build", "dist")
    for part in ("symgrad", "templates", "bank"):
        shutil.copytree(root / part, source / part, ignore=ignore)
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        if (root / name).exists():
            shutil.copy(root / name, source / name)
    dist = tmp_path / "dist"
    built = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(source)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert built.returncode == 0, built.stdout[-2000:] + built.stderr[-2000:]
    wheel = next(dist.glob("symgrad-*.whl"))
    venv = tmp_path / "venv"
    subprocess.run(
        [sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True, timeout=300
    )
    python = venv / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")
    subprocess.run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "--no-deps",
            "--force-reinstall",
            "--quiet",
            str(wheel),
        ],
        check=True,
        timeout=300,
    )
    script = (
        "import symgrad.render as r, symgrad\n"
        "from symgrad.derivation import derive\n"
        f"d = derive({SIGMOID_CIRCUIT!r}, at={SIGMOID_POINT!r}, granularity='primitive')\n"
        "assert 'site-packages' in r.__file__, r.__file__\n"
        "print(r.render(d, 'markdown', lang='zh'))\n"
        "print(r.render(d, 'latex'))\n"
    )
    run = subprocess.run(
        [str(python), "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 0, run.stderr[-3000:]
    assert "反向传播" in run.stdout and r"\begin{tikzpicture}" in run.stdout


# ---------------------------------------------------------------- one printer, one registry


def test_json_prints_gradients_as_the_latex_format_does():
    d = derive("relu(x1)*x2", at="x1=1,x2=2")
    latex = json.loads(render(d, "json"))["gradient"]["x1"]["latex"]
    assert r"\mathbb{1}" in latex and r"\theta" not in latex
    assert latex in render(d, "latex") and latex in render(d, "markdown")


def test_cli_format_choices_are_the_render_formats():
    """Each command's --format choices are exactly symgrad.render.formats(kind)."""
    from symgrad.errors import SymgradError
    from symgrad.exercises.homework import parse_formats
    from symgrad.render import formats

    commands = {c.name: c for c in cli.commands.values()}
    for name, kind in (
        ("derive", "derivation"),
        ("mlp", "mlp"),
        ("jacobian", "jacobian"),
        ("exercise", "exercise"),
    ):
        option = next(p for p in commands[name].params if p.name == "fmt")
        assert tuple(option.type.choices) == formats(kind), name
    homework = next(p for p in commands["homework"].params if p.name == "formats")
    assert homework.default == ",".join(formats("homework"))
    assert parse_formats(",".join(reversed(formats("homework")))) == formats("homework")
    with pytest.raises(SymgradError, match="unknown format 'dot'"):
        parse_formats("latex,dot")
    refused = CliRunner().invoke(cli, ["jacobian", "--y", "x1", "--z", "y1", "--format", "dot"])
    assert refused.exit_code == 2 and refused.stdout == ""
    assert "'dot' is not one of 'text', 'json', 'markdown', 'latex'" in refused.stderr


@pytest.mark.slow
def test_notebook_display_is_registered_by_the_renderer():
    script = (
        "from symgrad.derivation import derive\n"
        "d = derive('x*y', at='x=2,y=3')\n"
        "assert d._repr_markdown_() is None and d._repr_latex_() is None\n"
        "import symgrad.render\n"
        "assert d._repr_markdown_().startswith('## Worked solution')\n"
        "assert d._repr_latex_().startswith('$$')\n"
        "import symgrad\n"
        "assert symgrad.Derivation is type(d)\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stderr


def test_phrase_tables_have_the_same_keys_in_every_language():
    en, zh = strings("en"), strings("zh")
    assert set(en["homework"]) == set(zh["homework"])
    assert set(en["op_notes"]) <= set(zh["op_notes"])
