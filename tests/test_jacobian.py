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


def test_composed_text_parses_to_the_composed_tree():
    from symgrad.jacobian import _composed_text, _parsed
    from symgrad.parse import parse
    from symgrad.rewriting import rewrite

    ys, names = ("-3*x1*x2 + 2*x3", "x2 - x3", "exp(x1)"), ("y1", "y2", "y10")
    z = "-y1^2 + 2*y2/y10 + sin(y1)"
    text = _composed_text(ys, names, z)
    assert text == "-(-3*x1*x2 + 2*x3)^2 + 2*(x2 - x3)/(exp(x1)) + sin((-3*x1*x2 + 2*x3))"
    trees = {n: _parsed(t) for n, t in zip(names, ys)}
    assert parse(text) == rewrite(parse(z), lambda e: trees[e.name] if e.op == "var" else e)
    # over the length limit as text: None, and the composed tree is derived as before
    long = "x1*x2 + " * 350 + "x1"  # 2,800 characters: three copies are over the limit
    assert _composed_text((long, "x2"), ("y1", "y2"), "y1*y1*y1") is None
    rule = vector_chain_rule([long, "x2"], "y1*y1*y1", at="x1=0.5,x2=0.25")
    assert rule.check.passed is True


def test_the_same_numbers_and_check_with_and_without_the_cached_structures():
    """The cached parse and structures give what fresh trees give (sympy.diff as oracle)."""
    from symgrad.jacobian import _composed_text, _parsed

    _parsed.cache_clear()
    _composed_text.cache_clear()
    first = vector_chain_rule(*CHECKED[:2], at=CHECKED[2])
    again = vector_chain_rule(*CHECKED[:2], at=CHECKED[2])
    expected = _sympy_grad_x(first.y_texts, first.z_text, {"x1": 0.5, "x2": 2.0, "x3": -1.0})
    for rule in (first, again):
        np.testing.assert_allclose(rule.grad_x_value, expected, rtol=1e-12)
        np.testing.assert_allclose(rule.direct_value, expected, rtol=1e-12)
        assert rule.check.passed is True
    assert first.check.method == again.check.method
    assert "sympy.diff of the whole expression" in first.check.method


def test_without_sympy_check_the_composed_pass_still_catches_a_wrong_product(monkeypatch):
    import symgrad.jacobian as jacobian

    plain = vector_chain_rule(*CHECKED[:2], at=CHECKED[2], sympy_check=False)
    assert plain.check.passed is True and "sympy.diff" not in plain.check.method
    assert "central differences" in plain.check.method
    right = jacobian.chain_product
    monkeypatch.setattr(jacobian, "chain_product", lambda j, g: right(j, g) * (1 + 1e-6))
    wrong = vector_chain_rule(*CHECKED[:2], at=CHECKED[2], sympy_check=False)
    assert wrong.check.passed is False
