"""The matrix-form steps: plain data (the renderer formats them), in the lecture's order,
each weight step holding its layer's gradient."""

from __future__ import annotations

import json

import numpy as np
from support.mlp import (
    lecture_result,
)

from symgrad.mlp import (
    make_spec,
    random_params,
    run_mlp,
)
from symgrad.render.views.mlp import data as mlp_json


def test_step_records_are_plain_data():
    result = lecture_result()
    step = mlp_json(result)["steps"][-1]
    assert set(step) >= {"label", "latex", "value", "shape"}
    assert step["label"] == "layer 1: ∇W^(1)" and step["shape"] == [4, 3]
    np.testing.assert_allclose(step["value"], result.gradients["W1"], rtol=1e-15)
    json.dumps(mlp_json(result))  # everything serialisable


def test_the_steps_follow_the_lectures_loop_in_order():
    spec = make_spec("3,4,2", hidden="tanh", output="softmax", loss="ce", l2=0.1)
    result = run_mlp(spec, random_params(spec, seed=2))
    kinds = [(s.kind, s.layer) for s in result.steps]
    assert kinds[:4] == [("forward", 1), ("forward", 1), ("forward", 2), ("forward", 2)]
    backward = [k for k in kinds if k[0] not in ("forward", "loss")]
    assert backward == [
        ("output", 2),
        ("bias", 2),
        ("weight", 2),
        ("propagate", 2),
        ("activation", 1),
        ("bias", 1),
        ("weight", 1),
    ]  # g ← ŷ − y; ∇b, ∇W, g ← Wᵀg per layer, g ⊙ g′(z) below the top; nothing past layer 1


def test_each_weight_step_holds_that_layers_gradient():
    spec = make_spec("3,4,2", hidden="tanh", output="softmax", loss="ce", l2=0.1)
    result = run_mlp(spec, random_params(spec, seed=2))
    for step in result.steps:
        if step.kind == "weight":
            assert np.allclose(step.value, result.gradients[f"W{step.layer}"], rtol=1e-12)
            assert step.shape == result.gradients[f"W{step.layer}"].shape
