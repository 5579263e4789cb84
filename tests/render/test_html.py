"""--format html: one self-contained page (no network, escaped user text, CSP by hash),
the whole worked solution, stepping data checked against independent oracles."""

import base64
import hashlib
import re

import pytest
import sympy
from click.testing import CliRunner
from support.lecture import JACOBIAN

from symgrad import display
from symgrad.cli import cli
from symgrad.derivation import derive
from symgrad.render import render
from symgrad.render.html import mathml
from symgrad.render.svg import circuit_svg
from symgrad.render.views.derivation import graph_tex

SIGMOID = "1/(1+exp(-(w0*x0+w1*x1+w2)))"
POINT = "w0=2,x0=-1,w1=-3,x1=-2,w2=-3"
NAMESPACES = {"http://www.w3.org/1998/Math/MathML", "http://www.w3.org/2000/svg"}
HOSTILE_TITLE = "<script>alert(1)</script> \"&' </svg><img src=x onerror=alert(2)>"


def urls(page: str) -> set[str]:
    return set(re.findall(r"https?://[^\s\"'<>\\]*", page))


def test_page_is_self_contained():
    page = render(derive(SIGMOID, at=POINT), "html")
    assert urls(page) <= NAMESPACES, urls(page) - NAMESPACES
    assert not re.search(r"\s(src|href)\s*=", page)  # nothing to load, no link to follow
    assert 'style="' not in page  # the CSP forbids inline style attributes
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page).group(1)
    csp = csp.replace("&#39;", "'")
    assert "default-src 'none'" in csp and "form-action 'none'" in csp
    script = re.search(r"<script>(.*?)</script>", page, re.S).group(1)
    style = re.search(r"<style>(.*?)</style>", page, re.S).group(1)
    for inline in (script, style):
        digest = base64.b64encode(hashlib.sha256(inline.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in csp
    assert "eval(" not in script and "fetch(" not in script


def test_user_text_is_escaped():
    page = render(derive("x*y", at="x=1,y=2"), "html", title=HOSTILE_TITLE)
    assert "<script>alert" not in page and "<img" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&#34;&amp;&#39;" in page
    cli_page = CliRunner().invoke(
        cli, ["derive", "x*y", "--at", "x=1,y=2", "--format", "html", "--title", HOSTILE_TITLE]
    )
    assert cli_page.exit_code == 0 and "<script>alert" not in cli_page.output


def test_mathml_escapes_what_it_cannot_convert():
    assert str(mathml("x^{2}")).startswith("<math")
    broken = str(mathml(r"\frac{<b>}{"))
    assert "<b>" not in broken and "&lt;b&gt;" in broken


def _gradient_oracle(expr: str, point: dict) -> dict[str, float]:
    """sympy.diff of the whole expression (not the node-by-node pass), at the point."""
    names = {n: sympy.Symbol(n) for n in point}
    f = sympy.parse_expr(expr.replace("^", "**"), local_dict=names)  # our own test text
    return {
        n: float(sympy.diff(f, s).subs({names[k]: v for k, v in point.items()}))
        for n, s in names.items()
    }


def test_whole_solution_is_in_the_page():
    d = derive(SIGMOID, at=POINT)
    page = render(d, "html")
    for section in (
        "Forward pass",
        "Backward pass",
        "Gradients",
        "Numeric check",
        "Patterns to remember",
    ):
        assert section in page, section
    assert page.count("<tr><td><math") >= len(d.graph.op_nodes)
    oracle = _gradient_oracle(SIGMOID, {"w0": 2, "x0": -1, "w1": -3, "x1": -2, "w2": -3})
    for name, value in oracle.items():
        digits = f"{abs(value):.4g}"
        assert f"<mn>{digits}</mn>" in page, (name, digits)
    assert "<mn>0.7311</mn>" in page  # f at the point, 1/(1+e^-1)


def test_steps_forward_then_backward_with_numbers():
    d = derive("(x+y)*z", at="x=-2,y=5,z=-4")
    steps = circuit_svg(d, graph_tex(d))["steps"]
    assert [s["kind"] for s in steps] == ["forward"] * 2 + ["backward"] * 4
    assert steps[0]["latex"] == "u_{1} = x + y = (-2) + 5 = 3"  # a variable z: nodes are u_k
    assert steps[1]["latex"].endswith("= 3 (-4) = -12")
    # backward: upstream × local = product, edge by edge from the output
    assert steps[2]["latex"].endswith("= 1 \\cdot (-4) = -4")
    assert steps[-1]["latex"].endswith("= (-4) \\cdot 1 = -4")


def test_fork_shows_the_running_sum():
    d = derive("x*y+x", at="x=2,y=3")
    steps = [s for s in circuit_svg(d, graph_tex(d))["steps"] if s["sum"]]
    assert [s["done"] for s in steps] == [False, True]
    assert steps[0]["sum"].endswith("= 1")
    assert steps[-1]["sum"].endswith("= 1 + 3 = 4")  # df/dx = 1 + y = 4, by sympy.diff too
    assert _gradient_oracle("x*y+x", {"x": 2, "y": 3})["x"] == 4


def test_sigmoid_circuit_labels():
    d = derive(SIGMOID, at=POINT)
    nodes = {n["name"] or n["gate"]: n for n in circuit_svg(d, graph_tex(d))["nodes"]}
    assert nodes["z_8"]["value"] == "0.731" and nodes["z_8"]["gradient"] == ["1"]
    assert nodes["z_7"]["gradient"] == ["\u22120.534"]  # the wire into 1/x
    assert nodes["w2"]["gradient"] == ["0.197"]


def test_chinese_page():
    page = render(derive("x*y", at="x=1,y=2"), "html", lang="zh")
    assert 'lang="zh-CN"' in page and "反向传播" in page and "下一步" in page
    assert "Next" not in page and "Backward pass" not in page


def test_mlp_and_jacobian_pages():
    result = CliRunner().invoke(
        cli, ["mlp", "--layers", "3,4,3,2", "--seed", "1", "--format", "html"]
    )
    assert result.exit_code == 0, result.output
    page = result.output
    assert urls(page) <= NAMESPACES and page.count('class="sg-node"') == 12
    assert page.count('"kind":"backward"') >= 9 and "<mtable>" in page
    jac = CliRunner().invoke(
        cli,
        [
            *JACOBIAN,
            "--format",
            "html",
        ],
    )
    assert jac.exit_code == 0 and urls(jac.output) <= NAMESPACES
    assert "<mn>10</mn>" in jac.output  # dz/dx1 = y2*x2 = 5*2


def test_notebook_fragment():
    d = derive("x*y", at="x=1,y=2")
    html = display.formatted(d, "html")
    assert html.startswith('<div class="symgrad"') and "<html" not in html
    assert "<script>" in html and 'class="sg-data"' in html
    if hasattr(type(d), "_repr_html_"):
        assert d._repr_html_() == html


def test_output_file_needs_force(tmp_path):
    out = tmp_path / "f.html"
    args = ["derive", "x*y", "--at", "x=1,y=2", "--format", "html", "-o", str(out)]
    assert CliRunner().invoke(cli, args).exit_code == 0
    first = out.read_text()
    assert first.startswith("<!DOCTYPE html>")
    again = CliRunner().invoke(cli, args[:-2] + ["--title", "other", "-o", str(out)])
    assert again.exit_code == 2 and out.read_text() == first


@pytest.mark.parametrize("granularity", ["written", "primitive", "gate"])
def test_every_granularity_renders(granularity):
    page = render(derive(SIGMOID, at=POINT, granularity=granularity), "html")
    assert page.count('class="sg-node') == len(derive(SIGMOID, granularity=granularity).graph.nodes)


def test_jupyter_shows_the_widget_for_derivations_and_mlp_results():
    """In an IPython session both result kinds display as the HTML widget (text/html)."""
    pytest.importorskip("IPython")
    from IPython.core.interactiveshell import InteractiveShell

    from symgrad.mlp import make_spec, random_params, run_mlp

    shell = InteractiveShell.instance()
    assert display.register_ipython()
    spec = make_spec("3,4,2")
    for result in (derive("x*y", at="x=1,y=2"), run_mlp(spec, random_params(spec, 1))):
        data, _ = shell.display_formatter.format(result)
        widget = data["text/html"]
        assert widget.startswith('<div class="symgrad"') and 'class="sg-data"' in widget
        assert widget == render(result, "html", fragment=True)


def test_too_wide_network_gives_the_static_solution():
    result = CliRunner().invoke(
        cli, ["mlp", "--layers", "3,20,2", "--seed", "1", "--format", "html"]
    )
    assert result.exit_code == 0
    assert "<svg" not in result.output and 'class="sg-data"' not in result.output
    assert "<mtable>" in result.output  # the matrices are there


def test_flat_parentheses_do_not_stretch():
    assert 'stretchy="true"' not in str(mathml(r"\left(y_{2}\right)\left(-1\right)"))
    assert 'stretchy="true"' in str(mathml(r"\left(\frac{\partial y}{\partial x}\right)^\top"))
