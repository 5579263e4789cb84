"""f1–f6 in the lecture's notation (issue 14, item 1): at primitive granularity the nodes carry
the lecture's names, and the solution opens with the table of primitives and their derivatives
and the nested composition of the whole function, in every format and language."""

import json
import math
import re

import pytest
from click.testing import CliRunner

from symgrad.cli import cli
from symgrad.derivation import structure
from symgrad.render.views.primitives import lecture_view

NEURON = "1/(1+exp(-(w0*x0+w1*x1+w2)))"
POINT = "w0=2,x0=-1,w1=-3,x1=-2,w2=-3"
NESTED = "f6(f3(f5(f4(f2(f2(f1(w0, x0), f1(w1, x1)), w2)))))"
LECTURE_TABLE = [
    "f1(x, w) = wx",
    "f2(x, y) = x + y",
    "f3(x) = x + 1",
    "f4(x) = −x",
    "f5(x) = e^x",
    "f6(x) = 1/x",
]


def run(*args) -> str:
    result = CliRunner().invoke(
        cli, ["derive", NEURON, "--at", POINT, "--granularity", "primitive", *args]
    )
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_text_has_the_lecture_table_nested_form_and_node_names(lang):
    out = run("--lang", lang)
    for row in LECTURE_TABLE:
        assert row in out
    assert "df/dx = −1/x^2" in out and "∂f/∂w = x" in out
    assert f"f = {NESTED}" in out
    forward = out.split("Forward pass" if lang == "en" else "前向传播")[1]
    ops = re.findall(r"^  z_\d+\s+(f\d)", forward, re.M)
    assert ops == ["f1", "f1", "f2", "f2", "f4", "f5", "f3", "f6"]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_markdown_and_latex_have_them_too(lang):
    md = run("--lang", lang, "--format", "markdown")
    assert r"$f_{1}(x, w) = wx$" in md and r"f_{6}(x) = \frac{1}{x}" in md
    assert (
        "f = f_{6}(f_{3}(f_{5}(f_{4}(f_{2}(f_{2}(f_{1}(w_{0},x_{0}),f_{1}(w_{1},x_{1})),w_{2})))))"
        in md
    )
    assert md.count(r"$f_{1}\;\times$") == 2
    tex = run("--lang", lang, "--format", "latex")
    assert r"f_{5}(x) = e^{x}" in tex and r"\frac{d f}{d x} = \frac{-1}{x^{2}}" in tex
    assert r"f = f_{6}(f_{3}(" in tex
    assert tex.count(r"f_{2}\; +") == 2


def test_json_carries_names_table_and_nested_form():
    data = json.loads(run("--format", "json"))
    lecture = data["primitives"]
    assert lecture["nested_text"] == NESTED
    assert [row["text"] for row in lecture["table"]] == LECTURE_TABLE
    assert lecture["names"] == {
        "z_1": "f1",
        "z_2": "f1",
        "z_3": "f2",
        "z_4": "f2",
        "z_5": "f4",
        "z_6": "f5",
        "z_7": "f3",
        "z_8": "f6",
    }


def test_other_granularities_have_no_f_names():
    result = CliRunner().invoke(cli, ["derive", NEURON, "--at", POINT])
    assert "f1(x, w)" not in result.output
    data = json.loads(
        CliRunner().invoke(cli, ["derive", NEURON, "--at", POINT, "--format", "json"]).output
    )
    assert "primitives" not in data


# An oracle that does not read symgrad's table: the lecture's definitions by hand, and the
# further primitives by their usual meaning.
DEFINITIONS = {
    "f1": lambda x, w: w * x,
    "f2": lambda x, y: x + y,
    "f4": lambda x: -x,
    "f5": math.exp,
    "f6": lambda x: 1 / x,
}
MEANINGS = {
    "log(x)": math.log,
    "tanh(x)": math.tanh,
    "x^2": lambda x: x * x,
    "x^3": lambda x: x**3,
    "max(x, y)": max,
    "sin(x)": math.sin,
    "2*x": lambda x: 2 * x,
    "x^(1/2)": math.sqrt,
    "sqrt(x)": math.sqrt,
}


@pytest.mark.parametrize(
    "expr,point",
    [
        (NEURON, dict(w0=2, x0=-1, w1=-3, x1=-2, w2=-3)),
        (
            "sigmoid(w1*x1+w2*x2+b)*log(x1) + tanh(x2)^2 - x1/x2",
            dict(w1=0.5, x1=2, w2=-1, x2=3, b=1),
        ),
        ("max(x, y)*sin(x) + x^3 + 2*x + 5", dict(x=0.7, y=-0.2)),
        ("exp(-x*x) + 1/(x+y)", dict(x=0.3, y=1.1)),
    ],
)
def test_nested_form_evaluates_to_the_function(expr, point):
    tree, graph, _ = structure(expr, "primitive")
    view = lecture_view(graph)
    env = dict(DEFINITIONS)
    for row in view["table"]:
        name, formula = re.match(r"(f\d+)\([^)]*\) = (.*)", row["text"]).groups()
        if name in env:
            continue
        if name == "f3":
            c = float(formula.replace("x + ", "").replace("x − ", "-").strip("()"))
            env[name] = lambda x, c=c: x + c
        else:
            env[name] = MEANINGS[formula]
    value = eval(view["nested_text"], {"__builtins__": {}}, {**env, **point})  # test's own text
    from symgrad.derivation import derive

    assert value == pytest.approx(derive(expr, at=point).value, rel=1e-12)


def test_names_are_consistent_within_one_solution():
    _, graph, _ = structure("log(x)*sin(y) + log(y)*sin(x)", "primitive")
    view = lecture_view(graph)
    by_op = {}
    for node in graph.op_nodes:
        by_op.setdefault(node.op, set()).add(view["names"][node.name])
    assert all(len(names) == 1 for names in by_op.values())
    assert len({next(iter(n)) for n in by_op.values()}) == len(by_op)  # no name for two ops


def test_huge_compositions_are_left_out_not_printed():
    expr = "+".join(f"x{i}*y{i}" for i in range(120))
    _, graph, _ = structure(expr, "primitive")
    view = lecture_view(graph)
    assert view["nested_text"] is None and view["table"]


def test_html_page_has_the_table_nested_form_and_names():
    page = run("--format", "html")
    assert 'class="sg-primitives"' in page
    assert page.count("<tr><td>") >= 6 + 8  # six functions, eight nodes
    assert "<msub><mi>f</mi><mrow><mn>6</mn></mrow></msub>" in page  # f_6 in MathML
