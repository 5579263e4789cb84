"""symgrad.jacobian and `symgrad jacobian`: the lecture's vector chain rule."""

from __future__ import annotations

import json

import numpy as np
import pytest
import sympy
from click.testing import CliRunner

from symgrad.cli import cli
from symgrad.errors import SymgradError
from symgrad.jacobian import check_chain_product, split_top_level, vector_chain_rule
from symgrad.render.views.jacobian import path_sums


def test_lecture_three_inputs_two_outputs():
    rule = vector_chain_rule("x1*x2, x2+x3", "y1*y2", at="x1=1,x2=2,x3=3")
    assert rule.shape == (2, 3)  # n×m: outputs × inputs
    x1, x2 = sympy.symbols("x1 x2", real=True)
    assert rule.jacobian[0, 0] == x2 and rule.jacobian[0, 1] == x1 and rule.jacobian[0, 2] == 0
    assert list(rule.jacobian[1, :]) == [0, 1, 1]
    np.testing.assert_array_equal(rule.jacobian_value, [[2, 1, 0], [0, 1, 1]])
    np.testing.assert_array_equal(rule.grad_y_value, [5, 2])  # ∂z/∂y = (y2, y1) at y = (2, 5)
    # oracle: z = x1*x2*(x2+x3) differentiated by hand
    np.testing.assert_allclose(rule.grad_x_value, [2 * 5, 1 * 5 + 2, 2], rtol=1e-15)
    assert rule.check.passed is True and rule.check.max_rel_error <= 1e-12
    sums = path_sums(rule)
    assert sums[0]["text"] == "∂z/∂x1 = (y2)·(x2) + (y1)·(0)"
    assert (
        r"\frac{\partial z}{\partial y_{1}}\frac{\partial y_{1}}{\partial x_{1}}"
        in sums[0]["latex"]
    )


def test_transpose_product_matches_numeric_jacobian():
    """Oracle: central differences of g and f, independent of symgrad's reverse pass."""
    rule = vector_chain_rule(
        ["sin(a)*b", "a^2 - b", "exp(a/b)"], "y1*y3 + tanh(y2)", at="a=0.3,b=1.7"
    )

    def g(a, b):
        return np.array([np.sin(a) * b, a * a - b, np.exp(a / b)])

    def f(y):
        return y[0] * y[2] + np.tanh(y[1])

    p, h = np.array([0.3, 1.7]), 1e-6
    jac = np.column_stack([(g(*(p + h * e)) - g(*(p - h * e))) / (2 * h) for e in np.eye(2)])
    np.testing.assert_allclose(rule.jacobian_value, jac, rtol=1e-8)
    y = g(*p)
    grad_y = np.array([(f(y + h * e) - f(y - h * e)) / (2 * h) for e in np.eye(3)])
    np.testing.assert_allclose(rule.grad_y_value, grad_y, rtol=1e-8)
    np.testing.assert_allclose(rule.grad_x_value, jac.T @ grad_y, rtol=1e-7)
    np.testing.assert_allclose(rule.direct_value, rule.grad_x_value, rtol=1e-12)


def test_symbolic_only_without_point_and_input_order():
    rule = vector_chain_rule("x1*x2, x2+x3", "y1*y2", x="x3,x2,x1")
    assert rule.x == ["x3", "x2", "x1"] and rule.jacobian_value is None and rule.check is None
    assert list(rule.jacobian[1, :]) == [1, 1, 0]
    assert rule.to_dict()["grad_x"]["value"] is None


def test_split_keeps_function_commas():
    assert split_top_level("max(x1, x2), x1 + 1") == ["max(x1, x2)", "x1 + 1"]


def test_cli_json(tmp_path):
    out = tmp_path / "j.json"
    run = CliRunner().invoke(
        cli,
        [
            "jacobian",
            "--y",
            "x1*x2, x2+x3",
            "--z",
            "y1*y2",
            "--at",
            "x1=1,x2=2,x3=3",
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


def test_library_raises_symgrad_error():
    with pytest.raises(SymgradError):
        vector_chain_rule("x1", "y1", y_names="a,b")


def test_lone_variables_are_identity_rows():
    rule = vector_chain_rule("x1, x1*x2", "y1 + y2", at="x1=2,x2=3")
    np.testing.assert_array_equal(rule.jacobian_value, [[1, 0], [3, 2]])
    np.testing.assert_array_equal(rule.grad_x_value, [4, 2])
    assert rule.check.passed is True
    single = vector_chain_rule("x1*x2", "y1", at="x1=2,x2=3")
    np.testing.assert_array_equal(single.grad_x_value, [3, 2])


@pytest.mark.parametrize("fmt", ["markdown", "latex"])
def test_markdown_and_latex_show_the_jacobian_and_the_gradient(fmt):
    run = CliRunner().invoke(
        cli,
        [
            "jacobian",
            "--y",
            "x1*x2, x2+x3",
            "--z",
            "y1*y2",
            "--at",
            "x1=1,x2=2,x3=3",
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


SYMBOLIC_JACOBIAN = {
    "text": "  [x2, x1, 0]\n  [0, 1, 1]\n",
    "markdown": r"x_{2} & x_{1} & 0\\0 & 1 & 1",
    "latex": r"x_{2} & x_{1} & 0\\0 & 1 & 1",
}


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
    run = CliRunner().invoke(
        cli, ["jacobian", "--y", "x1*x2, x2+x3", "--z", "y1*y2", "--at", "x1=1,x2=2,x3=3"]
    )
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


# ---------------------------------------------------------------- the check can say no

CHECKED = ("x1*x2, sin(x2) + x3", "y1*y2 + exp(y1)", "x1=0.5,x2=2,x3=-1")


def _sympy_grad_x(y_texts, z_text, point):
    """Oracle independent of symgrad's reverse passes: sympy.diff of z(g(x)) written out."""
    x = sympy.symbols(list(point), real=True)
    env = {s.name: s for s in x} | {"exp": sympy.exp, "sin": sympy.sin}
    ys = [sympy.sympify(t, locals=env) for t in y_texts]
    z = sympy.sympify(z_text, locals={f"y{j}": y for j, y in enumerate(ys, 1)} | env)
    at = {s: point[s.name] for s in x}
    return [float(sympy.diff(z, s).subs(at)) for s in x]


def test_right_product_passes_and_rows_hold_the_oracle():
    rule = vector_chain_rule(*CHECKED[:2], at=CHECKED[2])
    report = rule.check
    assert report.passed is True and report.tolerance == 1e-9
    expected = _sympy_grad_x(rule.y_texts, rule.z_text, {"x1": 0.5, "x2": 2.0, "x3": -1.0})
    assert [row.name for row in report.rows] == ["x1", "x2", "x3"]
    assert [row.status for row in report.rows] == ["pass"] * 3
    np.testing.assert_allclose([row.analytic for row in report.rows], expected, rtol=1e-12)
    np.testing.assert_allclose([row.numeric for row in report.rows], expected, rtol=1e-12)
    assert report.max_rel_error <= 1e-12 and "central differences" in report.method


@pytest.mark.parametrize("index", [0, 1, 2])
def test_wrong_chain_rule_product_fails_the_check(monkeypatch, index):
    """A chain rule that multiplies wrongly (one entry off by 1e-6, a thousand times the
    tolerance) must be caught, on that entry only, and make the CLI exit 1."""
    import symgrad.jacobian as jacobian

    right = jacobian.chain_product

    def off_by_a_little(jac, grad_y):
        product = right(jac, grad_y).copy()
        product[index] *= 1 + 1e-6
        return product

    monkeypatch.setattr(jacobian, "chain_product", off_by_a_little)
    rule = vector_chain_rule(*CHECKED[:2], at=CHECKED[2])
    assert rule.check.passed is False
    assert [row.status for row in rule.check.rows] == [
        "fail" if i == index else "pass" for i in range(3)
    ]
    assert 1e-7 < rule.check.max_rel_error < 2e-6
    run = CliRunner().invoke(
        cli, ["jacobian", "--y", CHECKED[0], "--z", CHECKED[1], "--at", CHECKED[2]]
    )
    assert run.exit_code == 1 and "Check: FAILED" in run.output


def test_check_function_decides_each_entry():
    assert check_chain_product(["a", "b"], [1.0, -2.0], [1.0, -2.0]).passed is True
    wrong = check_chain_product(["a", "b"], [1.0, 2.0], [1.0, -2.0])  # a sign flip
    assert wrong.passed is False and wrong.max_rel_error == 2.0
    assert [r.status for r in wrong.rows] == ["pass", "fail"]
    assert check_chain_product(["a"], [1e-16], [0.0]).passed is True  # rounding, not a slip
    assert check_chain_product(["a"], [1.0], [1.0 + 1e-8]).passed is False


def test_at_a_kink_the_check_is_inconclusive_not_passed():
    rule = vector_chain_rule("x1*x2, relu(x2 - x3)", "y1*y2", at="x1=1,x2=2,x3=2")
    assert rule.check.passed is None
    assert rule.check.inconclusive == ["x2", "x3"] and rule.check.kinks
    assert "kink" in rule.check.rows[1].reason
    edge = vector_chain_rule("log(x1), x1", "y1*y2", at="x1=1e-7")  # log just right of 0
    assert edge.check.passed is None and "domain edge" in edge.check.rows[0].reason


def test_json_check_has_the_shape_of_derive_check():
    from symgrad.derivation import derive
    from symgrad.render import render

    jac = json.loads(render(vector_chain_rule(*CHECKED[:2], at=CHECKED[2]), "json"))["check"]
    der = json.loads(render(derive("x1*x2", at="x1=1,x2=2"), "json"))["check"]
    assert (
        list(jac)
        == list(der)
        == ["passed", "max_rel_error", "tolerance", "method", "kinks", "inconclusive", "rows"]
    )
    assert [list(r) for r in jac["rows"]] == [list(der["rows"][0])] * 3
    assert jac["passed"] is True and [r["name"] for r in jac["rows"]] == ["x1", "x2", "x3"]
