"""Every numeric gradient check must be able to say "no" (STYLE.md, point 13).

For each of the five checks, the tests below feed a deliberately wrong gradient and expect
the verdict False, feed the right one and expect True (so a check that always fails is
caught too), and, where the check knows about kinks, expect None (inconclusive) at one:

1. finite differences of an expression  (``symgrad.check.check_graph``, ``derive().check``)
2. the ``sympy.diff`` cross-check inside ``check_graph``
3. finite differences of an MLP          (``symgrad.mlp.check_gradients``)
4. the MLP's scalar-graph cross-check    (``symgrad.mlp.scalar_graph_check``)
5. the vector chain rule's direct check  (``symgrad.jacobian._direct_check``)

plus the CLI contract: exit status 1 when a check fails.

The helpers read a check's verdict and rows in either of two shapes: today's (derive's
``CheckResult.variables``, the MLP's ``GradientCheck.skipped``, dicts with ``"passed"``) and
the single ``CheckReport`` (``passed``, ``rows`` of name/analytic/numeric/rel_error/status/
reason) that every check now returns. The tests assert mainly on the verdict.
"""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest
from click.testing import CliRunner
from support.mlp import KINK_322

from symgrad.check import check_graph
from symgrad.cli import cli
from symgrad.derivation import derive
from symgrad.jacobian import _direct_check, vector_chain_rule
from symgrad.mlp import (
    check_gradients,
    make_spec,
    params_from_dict,
    random_params,
    run_mlp,
    scalar_graph_check,
)
from symgrad.parse import parse

# ---------------------------------------------------------------- reading a check, any shape


def verdict(report):
    """``passed`` of a check: True, False or None (inconclusive)."""
    return report["passed"] if isinstance(report, dict) else report.passed


def rows(report) -> list:
    """The per-gradient rows: ``CheckReport.rows``, ``CheckResult.variables`` or a dict's."""
    for key in ("rows", "variables"):
        value = report.get(key) if isinstance(report, dict) else getattr(report, key, None)
        if value is not None:
            return list(value)
    return []


def field_of(row, name: str):
    return row[name] if isinstance(row, dict) else getattr(row, name)


def statuses(report) -> dict[str, str]:
    """``{name: 'pass' | 'fail' | 'inconclusive'}``."""
    return {field_of(r, "name"): field_of(r, "status") for r in rows(report)}


def row(report, name: str):
    (found,) = [r for r in rows(report) if field_of(r, "name") == name]
    return found


def inconclusive_names(report) -> list[str]:
    """Entries the check could not decide (the MLP check calls them ``skipped``)."""
    skipped = (
        report.get("skipped") if isinstance(report, dict) else getattr(report, "skipped", None)
    )
    if skipped is not None:
        return list(skipped)
    return [name for name, status in statuses(report).items() if status == "inconclusive"]


def run(*args):
    return CliRunner().invoke(cli, list(args))


# ---------------------------------------------------------------- a wrong op derivative


def _clear_op_caches():
    """The op records' SymPy/NumPy forms and derive's per-expression structure are cached."""
    from symgrad import derivation, ops

    for value in vars(ops).values():
        if callable(getattr(value, "cache_clear", None)):
            value.cache_clear()
    derivation.structure.cache_clear()


@pytest.fixture
def sin_derivative_wrong(monkeypatch):
    """Replace the local derivative of ``sin`` (cos x) by ``2x`` for one test."""
    from symgrad import ops

    record = ops.get("sin")
    names = {f.name for f in dataclasses.fields(record)}
    if "derivatives" in names:  # partials as text formulas
        broken = dataclasses.replace(record, derivatives=("2*x",))
    elif "partials" in names:  # partials as callables
        broken = dataclasses.replace(record, partials=(lambda x: 2 * x,))
    else:
        pytest.fail(f"cannot find the local derivative among the op record's fields {names}")
    _clear_op_caches()
    monkeypatch.setitem(ops.OPS, "sin", broken)
    yield
    monkeypatch.undo()
    _clear_op_caches()


# ================================================================ 1. expression finite differences

EXPR, POINT = "x*y + sin(x)", {"x": 0.7, "y": -1.3}


def _graph_and_gradient(expr: str, point: dict[str, float]):
    d = derive(expr, at=point, check=False)
    return d.graph, {name: g.value for name, g in d.gradients.items()}


def test_fd_passes_the_right_gradient():
    graph, grad = _graph_and_gradient(EXPR, POINT)
    report = check_graph(graph, POINT, grad, sympy_check=False)
    assert verdict(report) is True, report.to_dict()
    assert set(statuses(report).values()) == {"pass"}


@pytest.mark.parametrize("name", ["x", "y"])
@pytest.mark.parametrize("factor", [-1.0, 1.01, 1 + 1e-5])  # sign, 1 %, ten times the tolerance
def test_fd_fails_a_wrong_gradient(name, factor):
    graph, grad = _graph_and_gradient(EXPR, POINT)
    grad[name] *= factor
    report = check_graph(graph, POINT, grad, sympy_check=False)  # finite differences alone
    assert verdict(report) is False, report.to_dict()
    assert statuses(report)[name] == "fail"
    assert statuses(report)[({"x", "y"} - {name}).pop()] == "pass"


def test_fd_is_inconclusive_at_a_kink():
    point = {"x": 0.0, "y": 1.5}  # relu at 0: no single derivative there
    graph, grad = _graph_and_gradient("relu(x)*y + y*y", point)
    report = check_graph(graph, point, grad, sympy_check=False)
    assert verdict(report) is None, report.to_dict()
    assert statuses(report) == {"x": "inconclusive", "y": "pass"}


def test_fd_fails_a_wrong_gradient_next_to_a_kink():
    """A failure is not hidden by another variable being inconclusive."""
    point = {"x": 0.0, "y": 1.5}
    graph, grad = _graph_and_gradient("relu(x)*y + y*y", point)
    grad["y"] += 0.5
    report = check_graph(graph, point, grad, sympy_check=False)
    assert verdict(report) is False, report.to_dict()
    assert statuses(report) == {"x": "inconclusive", "y": "fail"}


def test_derive_check_passes_the_right_gradient():
    assert verdict(derive(EXPR, at=POINT).check) is True


def test_derive_check_fails_a_wrong_local_derivative(sin_derivative_wrong):
    d = derive(EXPR, at=POINT)
    assert d.gradients["x"].value == pytest.approx(POINT["y"] + 2 * POINT["x"])  # the broken one
    assert verdict(d.check) is False, d.check.to_dict()
    assert statuses(d.check) == {"x": "fail", "y": "pass"}


# ================================================================ 2. the sympy.diff cross-check


def test_sympy_cross_check_passes_the_right_gradient():
    graph, grad = _graph_and_gradient(EXPR, POINT)
    report = check_graph(graph, POINT, grad, sympy_check=True)
    assert verdict(report) is True, report.to_dict()
    assert "sympy.diff" in report.method and "skipped" not in report.method  # it really ran


def test_sympy_cross_check_alone_fails_a_gradient_off_by_1e_7():
    """Relative error 1e-7: inside finite differences' tolerance (1e-6), outside sympy's."""
    graph, grad = _graph_and_gradient(EXPR, POINT)
    grad["x"] *= 1 + 1e-7
    assert verdict(check_graph(graph, POINT, grad, sympy_check=False)) is True  # FD can't see it
    report = check_graph(graph, POINT, grad, sympy_check=True)
    assert verdict(report) is False, report.to_dict()
    assert statuses(report) == {"x": "fail", "y": "pass"}
    assert "sympy.diff" in field_of(row(report, "x"), "reason")


def test_sympy_cross_check_fails_a_gradient_far_off():
    graph, grad = _graph_and_gradient(EXPR, POINT)
    grad["y"] = -grad["y"]
    report = check_graph(graph, POINT, grad, sympy_check=True)
    assert verdict(report) is False, report.to_dict()
    assert statuses(report)["y"] == "fail"
    assert "sympy.diff" in field_of(row(report, "y"), "reason")  # sympy.diff disagreed too


# ================================================================ 3. MLP finite differences

SPEC = make_spec("3,4,3,2", hidden="relu", output="softmax", loss="ce")
PARAMS = random_params(SPEC, seed=1)
KEYS = ["W1", "b1", "W2", "b2", "W3", "b3"]


def _mlp_gradients(spec=SPEC, params=PARAMS) -> dict[str, np.ndarray]:
    result = run_mlp(spec, params, check=False, scalar_check=False)
    return {key: value.copy() for key, value in result.gradients.items()}


def test_mlp_fd_passes_the_right_gradient():
    report = check_gradients(SPEC, PARAMS, _mlp_gradients())
    assert verdict(report) is True, report.to_dict()
    assert not inconclusive_names(report)


@pytest.mark.parametrize("key", KEYS)
def test_mlp_fd_fails_a_wrong_entry(key):
    grads = _mlp_gradients()
    grads[key].reshape(-1)[0] += 1e-3
    report = check_gradients(SPEC, PARAMS, grads)
    assert verdict(report) is False, report.to_dict()
    assert report.max_rel_error > 1e-6


@pytest.mark.parametrize("key", KEYS)
def test_mlp_fd_fails_the_largest_entry_off_by_1e_4(key):
    """Relative 1e-4, a hundred times the tolerance: a sloppy tolerance would miss it."""
    grads = _mlp_gradients()
    flat = grads[key].reshape(-1)
    i = int(np.argmax(np.abs(flat)))
    assert abs(flat[i]) > 1e-3  # a real entry, not one below the error floor
    flat[i] *= 1 + 1e-4
    assert verdict(check_gradients(SPEC, PARAMS, grads)) is False


def test_mlp_fd_is_inconclusive_at_a_kink():
    spec = make_spec("3,2,2")
    params = params_from_dict(spec, KINK_322)
    report = check_gradients(spec, params, _mlp_gradients(spec, params))
    assert verdict(report) is None, report.to_dict()
    assert sorted(inconclusive_names(report)) == ["W1[1, 0]", "W1[1, 2]", "b1[1]"]


def test_mlp_fd_fails_a_wrong_entry_next_to_a_kink():
    spec = make_spec("3,2,2")
    params = params_from_dict(spec, KINK_322)
    grads = _mlp_gradients(spec, params)
    grads["W2"][1, 0] += 0.1  # not moved by the kinked unit: really checked
    assert verdict(check_gradients(spec, params, grads)) is False


# ================================================================ 4. MLP scalar-graph check


def _mlp_result():
    return run_mlp(SPEC, PARAMS, check=False, scalar_check=False)


def test_scalar_graph_check_passes_the_right_gradient():
    result = _mlp_result()
    report = scalar_graph_check(SPEC, PARAMS, result.gradients)
    assert verdict(report) is True, report


@pytest.mark.parametrize("key", KEYS)
@pytest.mark.parametrize("relative", [1e-6, 1.0])  # a hundred times its tolerance; far off
def test_scalar_graph_check_fails_one_wrong_entry(key, relative):
    result = _mlp_result()
    grads = {k: v.copy() for k, v in result.gradients.items()}
    flat = grads[key].reshape(-1)
    i = int(np.argmax(np.abs(flat)))
    assert abs(flat[i]) > 1e-3
    flat[i] *= 1 + relative
    report = scalar_graph_check(SPEC, PARAMS, grads)
    assert verdict(report) is False, report


# ================================================================ 5. the vector chain rule

Y, Z, AT = "x1*x2, sin(x2) + x3", "y1*y2 + exp(y1)", "x1=0.5,x2=2,x3=-1"


def _direct(rule, chain_value):
    trees = [parse(text) for text in rule.y_texts]
    return _direct_check(
        trees,
        rule.y_names,
        parse(rule.z_text),
        rule.x,
        rule.point,
        np.asarray(chain_value, dtype=float),
    )[1]


def test_vector_chain_rule_check_passes_the_right_product():
    rule = vector_chain_rule(Y, Z, at=AT)
    assert verdict(rule.check) is True, rule.check
    assert verdict(_direct(rule, rule.grad_x_value)) is True


@pytest.mark.parametrize("index", [0, 1, 2])
@pytest.mark.parametrize("relative", [1e-6, -2.0])  # a thousand times the tolerance; sign flip
def test_direct_check_fails_a_wrong_chain_value(index, relative):
    rule = vector_chain_rule(Y, Z, at=AT)
    wrong = rule.grad_x_value.copy()
    assert abs(wrong[index]) > 1e-3
    wrong[index] *= 1 + relative
    report = _direct(rule, wrong)
    assert verdict(report) is False, report


def test_vector_chain_rule_check_fails_when_only_finite_differences_disagree(sin_derivative_wrong):
    """A wrong local derivative makes the chain product and the direct pass agree (both
    wrong); only the finite-difference check of the direct pass can catch it."""
    rule = vector_chain_rule(Y, Z, at=AT)
    assert np.allclose(rule.grad_x_value, rule.direct_value)
    assert verdict(rule.check) is False, rule.check


# ================================================================ CLI: exit status 1 on failure


def test_cli_derive_exits_0_when_the_check_passes():
    result = run("derive", "sin(x)*y", "--at", "x=1,y=2", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["check"]["passed"] is True


def test_cli_derive_exits_1_when_the_check_fails(sin_derivative_wrong):
    result = run("derive", "sin(x)*y", "--at", "x=1,y=2", "--format", "json")
    assert result.exit_code == 1, result.output
    check = json.loads(result.output)["check"]
    assert check["passed"] is False
    assert statuses(check) == {"x": "fail", "y": "pass"}
    text = run("derive", "sin(x)*y", "--at", "x=1,y=2")
    assert text.exit_code == 1 and "FAILED" in text.output


@pytest.fixture
def mlp_backward_wrong(monkeypatch):
    """Make the MLP reverse pass put ∂J/∂W1[0, 0] off by 0.1; return the right ∂J/∂W1."""
    from symgrad.mlp import result as mlp

    right = mlp.backward
    right_w1 = run_mlp(SPEC, PARAMS, check=False, scalar_check=False).gradients["W1"].copy()

    def wrong(graph, values):
        adjoints = dict(right(graph, values))
        w1 = np.array(adjoints["W1"], dtype=float)
        w1[0, 0] += 0.1
        adjoints["W1"] = w1
        return adjoints

    monkeypatch.setattr(mlp, "backward", wrong)
    return right_w1


MLP_ARGS = ["mlp", "--layers", "3,4,3,2", "--seed", "1", "--format", "json"]


def test_cli_mlp_exits_0_when_the_checks_pass():
    result = run(*MLP_ARGS)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["check"]["passed"] is True and data["scalar_check"]["passed"] is True


@pytest.mark.parametrize("which", ["both", "finite differences", "scalar graph"])
def test_cli_mlp_exits_1_when_a_check_fails(mlp_backward_wrong, which):
    extra = {
        "both": [],
        "finite differences": ["--no-scalar-check"],
        "scalar graph": ["--no-check"],
    }[which]
    result = run(*MLP_ARGS, *extra)
    assert result.exit_code == 1, result.output
    data = json.loads(result.output)
    assert data["gradients"]["W1"][0][0] == pytest.approx(mlp_backward_wrong[0, 0] + 0.1)
    if which != "scalar graph":
        assert data["check"]["passed"] is False
    if which != "finite differences":
        assert data["scalar_check"]["passed"] is False
