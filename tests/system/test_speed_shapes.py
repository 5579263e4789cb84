"""derive at 1000 nodes: accepted, right, and built without quadratic work.

No test here times anything (BENCHMARKS.md does, from benchmarks/run.py). What is tested is
the shape of the work: the adjoints written out in node symbols are not built for a
derivation at a point, only the ones printed are built when rendering, and what is printed
stays right against independent oracles (closed forms, mpmath, sympy.diff).
"""

from __future__ import annotations

import importlib.util
import json
import math

import mpmath  # type: ignore[import-untyped]
import pytest
import sympy
from conftest import ROOT

from symgrad.backward import SymbolicAdjoints, backward
from symgrad.derivation import READABLE_OPS, derive
from symgrad.graph import build_graph
from symgrad.parse import parse
from symgrad.render import render

pytestmark = pytest.mark.slow  # 1000-node derivations, mpmath and sympy.diff oracles


def _family():
    """The benchmark's expression families (benchmarks/workloads.py): the shapes these tests
    pin are those of the expressions BENCHMARKS.md times."""
    spec = importlib.util.spec_from_file_location("workloads", ROOT / "benchmarks" / "workloads.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.family


family = _family()


def _sum(m: int):
    return family("sum", 2 * m - 1)  # x1 + ... + xm


def _product(m: int):
    return family("product", 2 * m - 1)


def _sigmoid_nest(levels: int):
    return family("sigmoid", 5 * levels + 1)


def _built(d) -> int:
    adjoints = d.backward.adjoints
    assert isinstance(adjoints, SymbolicAdjoints)
    return len(adjoints._done)


def test_a_1000_node_sum_is_accepted_and_every_gradient_is_1():
    text, point = _sum(500)
    d = derive(text, at=point)
    assert len(d.graph.nodes) == 999
    assert {g.value for g in d.gradients.values()} == {1.0}
    assert d.check.passed is True
    assert abs(d.value - math.fsum(point.values())) < 1e-12


def test_a_1000_node_product_is_right_and_builds_no_adjoint_at_a_point():
    text, point = _product(500)
    d = derive(text, at=point)
    assert len(d.graph.nodes) == 999 and d.check.passed is True
    total = math.prod(point.values())
    for name, g in d.gradients.items():  # closed form: the product of the others
        assert g.value == pytest.approx(total / point[name], rel=1e-12)
    assert _built(d) == 1  # only the output's seed: nothing written out yet
    out = render(d, "text")
    # printing built only the adjoints short enough to read (a bounded number), not 999
    assert 1 < _built(d) <= READABLE_OPS
    assert "df/dz_" in out  # the long ones are printed as their chain-rule step
    data = json.loads(render(d, "json"))
    assert data["gradient"]["x1"]["node_expr"] is None  # 499 factors: not printed
    assert data["gradient"]["x500"]["node_expr"] is not None  # one factor away from f


def test_a_nested_sigmoid_of_996_nodes_matches_mpmath():
    text, point = _sigmoid_nest(199)
    d = derive(text, at=point)
    assert len(d.graph.nodes) == 996 and d.check.passed is True
    mpmath.mp.dps = 40
    values = [mpmath.mpf(point["x"])]
    for k in range(199, 0, -1):  # forward, innermost level first
        z = point[f"w{k}"] * values[-1] + point[f"b{k}"]
        values.append(1 / (1 + mpmath.exp(-z)))
    grad = mpmath.mpf(1)
    for k in range(1, 200):  # backward from the outermost level
        s = values[200 - k]
        grad *= s * (1 - s)
        assert d.gradients[f"b{k}"].value == pytest.approx(float(grad), rel=1e-9, abs=1e-300)
        grad *= point[f"w{k}"]
    assert d.gradients["x"].value == pytest.approx(float(grad), rel=1e-9, abs=1e-300)
    mpmath.mp.dps = 15


def test_lazy_adjoints_are_the_eager_ones_and_match_sympy_diff():
    """The same expressions as building every adjoint in one reverse loop, and, written out
    in the leaf variables, sympy.diff of the whole function."""
    for text in [
        "x*y*z + exp(x*y)/(1 + x**2)",
        "1/(1+exp(-(w0*x0+w1*x1+w2)))",
        "sigmoid(a*sigmoid(b*x+c)+d)*x",
    ]:
        graph = build_graph(parse(text))
        lazy = backward(graph).adjoints
        eager = [None if n.op == "const" else sympy.Integer(0) for n in graph.nodes]
        eager[graph.output] = sympy.Integer(1)
        for step in backward(graph).steps:
            eager[step.child] = eager[step.child] + eager[step.parent] * step.local
        assert [lazy[i] for i in reversed(range(len(graph.nodes)))][::-1] == eager, text
        whole = graph.leaf_expr(graph.output)
        for v in graph.variables:
            node = graph.var_node(v)
            mine = lazy[node.id].xreplace(graph.substitution())
            assert sympy.simplify(mine - sympy.diff(whole, node.symbol)) == 0, (text, v)


def test_the_sympy_cross_check_runs_small_and_is_opt_in_above_its_bound():
    d = derive("1/(1+exp(-(w0*x0+w1*x1+w2)))", at="w0=2,x0=-1,w1=-3,x1=-2,w2=-3")
    assert d.check.method.endswith("+ sympy.diff of the whole expression")
    assert all(r.symbolic is not None for r in d.check.rows)
    text, point = _product(60)
    d = derive(text, at=point)
    assert "sympy.diff skipped" in d.check.method and "sympy_budget" in d.check.method
    d = derive(text, at=point, sympy_budget=10**6)  # opted in: it runs and agrees
    assert d.check.method.endswith("+ sympy.diff of the whole expression")
    assert d.check.passed is True and all(r.symbolic is not None for r in d.check.rows)


def test_sympy_check_option_auto_always_never():
    """``derive --sympy-check``: auto (the bound), always (over it), never; the method of the
    check says which ran, and a bad value or always with --no-check is exit 2."""
    from click.testing import CliRunner

    from symgrad.cli import cli

    def method(*args: str) -> str:
        result = CliRunner().invoke(cli, ["derive", *args, "--format", "json"])
        assert result.exit_code == 0, result.output
        return json.loads(result.output)["check"]["method"]

    circuit = ["1/(1+exp(-(w0*x0+w1*x1+w2)))", "--at", "w0=2,x0=-1,w1=-3,x1=-2,w2=-3"]
    text, point = _product(60)
    large = [text, "--at", ",".join(f"{k}={v}" for k, v in point.items())]
    ran = "+ sympy.diff of the whole expression"
    assert method(*circuit).endswith(ran)
    assert method(*circuit, "--sympy-check", "always").endswith(ran)
    assert "sympy.diff" not in method(*circuit, "--sympy-check", "never")
    assert "sympy.diff skipped" in method(*large, "--sympy-check", "auto")
    assert method(*large, "--sympy-check", "always").endswith(ran)
    assert "sympy.diff" not in method(*large, "--sympy-check", "never")
    for bad in (["--sympy-check", "sometimes"], ["--sympy-check", "always", "--no-check"]):
        result = CliRunner().invoke(cli, ["derive", *circuit, *bad])
        assert result.exit_code == 2 and "--sympy-check" in result.output, result.output


def test_expanded_gradients_print_only_where_readable():
    d = derive("(x+y)*z", at="x=-2,y=5,z=-4")
    assert all(g.expr is not None for g in d.gradients.values())
    text, point = _sum(300)  # df/dxi = 1: short in node symbols and in leaf variables
    d = derive(text, at=point)
    assert d.gradients["x1"].expr == 1
    text, point = _product(300)
    d = derive(text, at=point)
    assert d.gradients["x1"].expr is None and not d.gradients["x1"].readable
    assert d.gradients["x300"].readable
