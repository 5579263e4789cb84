"""The MLP's finite-difference check at kinks: a ReLU or hardtanh pre-activation at its kink is
reported, and only the parameters that move a kinked unit are left undecided."""

from __future__ import annotations

from support.mlp import (
    KINK_322,
    LECTURE,
)

from symgrad.mlp import (
    check_gradients,
    make_spec,
    params_from_dict,
    run_mlp,
)
from symgrad.render import render
from symgrad.render.views.mlp import data as mlp_json


def test_relu_pre_activation_at_kink_is_reported():
    p = dict(LECTURE, b1=[0.1, -0.2, 0.05, -0.825])  # z^{(1)}_4 = 0.825 - 0.825 = 0 exactly
    spec = make_spec("3,4,3,2")
    result = run_mlp(spec, params_from_dict(spec, p))
    assert result.values["z1"][3] == 0.0
    assert [(k.layer, k.unit, k.activation) for k in result.kinks] == [(1, 4, "relu")]
    # derivative 0 at the kink: nothing reaches W1 row 4 / b1[3]
    assert result.gradients["b1"][3] == 0.0 and not result.gradients["W1"][3].any()
    # only the entries that move z^{(1)}_4 are skipped (x has no zero entry); the rest are checked
    assert tuple(result.check.inconclusive) == ("W1[3, 0]", "W1[3, 1]", "W1[3, 2]", "b1[3]")
    assert result.check.passed is None  # inconclusive, not "passed"
    assert result.to_dict()["check"]["passed"] is None
    data = mlp_json(result)
    assert data["kinks"] == [
        {"layer": 1, "unit": 4, "z": 0.0, "activation": "relu", "derivative_used": 0.0}
    ]
    assert "z^(1)_4 = 0 is at the kink of relu; derivative taken as 0" in render(result, "text")


def test_check_skips_only_parameters_that_move_a_kinked_unit():
    spec = make_spec("3,2,2")
    params = params_from_dict(spec, KINK_322)
    result = run_mlp(spec, params)
    assert [(k.layer, k.unit) for k in result.kinks] == [(1, 2)]
    # W1 row 1 and b1[0] feed only unit 1; W1[1, 1] multiplies x_2 = 0; layer 2 is downstream
    assert tuple(result.check.inconclusive) == ("W1[1, 0]", "W1[1, 2]", "b1[1]")
    assert result.check.passed is None
    # the entries that are not skipped are really checked: a wrong one fails the check
    for key, index in [("W1", (0, 2)), ("b1", 0), ("W1", (1, 1)), ("W2", (1, 0))]:
        wrong = {k: v.copy() for k, v in result.gradients.items()}
        wrong[key][index] += 0.1
        assert check_gradients(spec, params, wrong).passed is False, (key, index)


def test_check_skips_through_a_kinked_unit_of_a_deeper_layer():
    # z^{(2)}_1 = 0.5·h1_1 − 0.5·h1_2 = 0 with h^{(1)} = (1, 1, 0): unit 3 of layer 1 is dead,
    # so W1 row 3 and b1[2] cannot reach the kink; rows 1 and 2 can
    spec = make_spec("2,3,2,2")
    p = {
        "W1": [[1.0, 0.0], [0.0, 1.0], [-1.0, -1.0]],
        "b1": [0.0, 0.0, -0.5],
        "W2": [[0.5, -0.5, 0.25], [0.25, 0.5, -0.5]],
        "b2": [0.0, 0.25],
        "W3": [[0.5, -0.25], [-0.5, 0.75]],
        "b3": [0.0, 0.0],
        "x": [1.0, 1.0],
        "y": [0.0, 1.0],
    }
    result = run_mlp(spec, params_from_dict(spec, p))
    assert [(k.layer, k.unit) for k in result.kinks] == [(2, 1)]
    assert tuple(result.check.inconclusive) == (
        "W1[0, 0]",
        "W1[0, 1]",
        "W1[1, 0]",
        "W1[1, 1]",
        "b1[0]",
        "b1[1]",
        "W2[0, 0]",
        "W2[0, 1]",
        "b2[0]",
    )
    assert result.check.passed is None


def test_hardtanh_at_kink_is_reported():
    spec = make_spec("2,2,2", hidden="hardtanh", output="softmax", loss="ce")
    p = {
        "W1": [[1.0, 0.0], [0.0, 0.5]],
        "b1": [0.0, 0.0],
        "W2": [[0.3, -0.2], [0.1, 0.4]],
        "b2": [0.0, 0.0],
        "x": [1.0, 0.5],
        "y": [1.0, 0.0],
    }
    result = run_mlp(spec, params_from_dict(spec, p))
    assert [(k.layer, k.unit, k.z) for k in result.kinks] == [(1, 1, 1.0)]
    assert result.gradients["b1"][0] == 0.0
