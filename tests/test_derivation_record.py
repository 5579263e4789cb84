"""The Derivation and Gradient records: node values exact and precise at the point, the
gradient in the leaf variables against sympy.diff, the size limits, the JSON object."""

import math

import sympy

from symgrad import derivation, derivation_record
from symgrad.derivation import derive
from symgrad.derivation_record import MAX_EXACT_SIZE, READABLE_OPS


def test_gradient_in_leaf_variables_matches_sympy_diff():
    d = derive("x*sin(y) + exp(x*y)", at="x=0.5,y=2")
    x, y = sympy.symbols("x y", real=True)
    f = x * sympy.sin(y) + sympy.exp(x * y)
    for v in (x, y):
        g = d.gradients[v.name]
        assert g.readable and g.size is not None and g.size <= READABLE_OPS
        assert sympy.simplify(g.expr - sympy.diff(f, v).subs({x: x, y: y})) == 0
        oracle = float(sympy.diff(f, v).subs({x: 0.5, y: 2}))
        assert math.isclose(g.value, oracle, rel_tol=1e-12)


def test_exact_values_are_exact_and_precise_values_keep_what_float64_loses():
    d = derive("log(1 + exp(x))", at="x=-50", granularity="primitive")
    exact = d.exact_values()
    assert exact is not None and exact[d.graph.output] == sympy.log(1 + sympy.exp(-50))
    precise = d.precise_values()
    # 30 digits keep about 8 digits of e^-50 inside 1 + e^-50: 1e-9 relative, not 1e-16
    assert math.isclose(precise[d.graph.output], math.log1p(math.exp(-50)), rel_tol=1e-9)
    assert d.values[d.graph.output] == 0.0  # float64 alone rounds it away


def test_a_deep_nest_has_no_exact_value_but_a_float_one():
    expr = "x"
    for _ in range(MAX_EXACT_SIZE):
        expr = f"sin({expr})"
    d = derive(expr, at="x=1", check=False)
    assert d.exact_values()[d.graph.output] is None
    assert math.isclose(d.value, d.precise_values()[d.graph.output], rel_tol=1e-12)


def test_without_a_point_there_are_no_values():
    d = derive("x*y")
    assert d.exact_values() is None and d.precise_values() is None and d.value is None


def test_to_dict_names_nodes_and_gradients():
    data = derive("x*y", at="x=2,y=3").to_dict()
    assert data["value"] == 6.0 and data["point"] == {"x": 2.0, "y": 3.0}
    assert data["gradient"]["x"]["value"] == 3.0 and data["gradient"]["y"]["value"] == 2.0
    assert [n["op"] for n in data["nodes"]].count("mul") == 1


def test_derivation_re_exports_the_records():
    for name in ("Derivation", "Gradient", "READABLE_OPS", "MAX_EXACT_SIZE"):
        assert getattr(derivation, name) is getattr(derivation_record, name)
