"""The network as a scalar graph: entry-level gradients in the lecture's formula, equal to the
matrix form's for every entry, and the scalar check bounded by size."""

from __future__ import annotations

import pytest
from support.mlp import (
    entry_gradient,
    lecture_result,
)

from symgrad.errors import SymgradError
from symgrad.mlp import (
    SCALAR_CHECK_LIMIT,
    make_spec,
    random_params,
    run_mlp,
)

SUPPORTED = [
    ("softmax", "ce"),
    ("sigmoid", "ce"),
    ("linear", "mse"),
    ("sigmoid", "mse"),
    ("softmax", "mse"),
]


def test_entry_level_view_is_the_lecture_formula():
    result = lecture_result()
    last = entry_gradient(result, "W3,2,1")  # w_{21}^{(3)}: from h^{(2)}_2 to unit 1
    assert last["expr"] == "delta_1*h2_2"
    assert last["value"] == pytest.approx(result.gradients["W3"][0, 1], rel=1e-12, abs=1e-15)
    assert r"\frac{\partial J}{\partial w^{(3)}_{21}}" in last["latex"]
    first = entry_gradient(result, "W1,3,1")
    assert "x_3" in first["expr"] and "1[z1_1 > 0]" in first["expr"]
    assert first["value"] == pytest.approx(result.gradients["W1"][0, 2], rel=1e-12)
    bias = entry_gradient(result, "b2,2")
    assert bias["value"] == pytest.approx(result.gradients["b2"][1], rel=1e-12)


@pytest.mark.parametrize(
    "hidden,output,loss",
    [("sigmoid", "sigmoid", "mse"), ("tanh", "softmax", "mse"), ("softplus", "linear", "mse")],
)
def test_entry_level_values_match_every_entry(hidden, output, loss):
    spec = make_spec("2,3,2", hidden=hidden, output=output, loss=loss, l2=0.2)
    result = run_mlp(spec, random_params(spec, 2))
    for j in (1, 2, 3):
        for i in (1, 2):
            e = entry_gradient(result, f"W1,{i},{j}")
            assert e["value"] == pytest.approx(result.gradients["W1"][j - 1, i - 1], rel=1e-10)


def test_scalar_check_is_bounded_by_size():
    spec = make_spec("16,32,32,8")
    assert spec.n_params > SCALAR_CHECK_LIMIT
    result = run_mlp(spec, random_params(spec, 3))
    assert result.scalar_check is None and result.check.passed
    assert result.to_dict()["scalar_check"] is None
    with pytest.raises(SymgradError, match="entry: expected"):
        entry_gradient(lecture_result(), "W1,1")
