"""run_mlp's result: it passes its checks and a planted wrong entry fails them, its
documented keys, and a JSON round trip."""

from __future__ import annotations

import json

import numpy as np
import pytest
from support.mlp import (
    LECTURE,
    lecture_result,
)

from symgrad.mlp import (
    check_gradients,
    make_spec,
    random_params,
    run_mlp,
)
from symgrad.render import render


def test_json_round_trip():

    data = json.loads(render(lecture_result(), "json"))
    assert data["gradients"]["b3"] == pytest.approx(
        (lecture_result().output - np.array(LECTURE["y"])).tolist(), rel=1e-12
    )


def test_the_result_passes_its_checks_and_a_planted_wrong_gradient_fails_them():
    spec = make_spec("3,4,2", hidden="tanh", output="softmax", loss="ce", l2=0.1)
    params = random_params(spec, seed=2)
    result = run_mlp(spec, params)
    assert result.passed is True and result.check.passed and result.scalar_check.passed
    wrong = {k: np.array(v, copy=True) for k, v in result.gradients.items()}
    wrong["W1"][0, 0] += 0.01
    assert check_gradients(spec, params, wrong).passed is False


def test_to_dict_has_the_documented_keys():
    spec = make_spec("3,4,2", hidden="tanh", output="softmax", loss="ce")
    d = run_mlp(spec, random_params(spec, seed=2)).to_dict()
    assert {"spec", "loss", "data_loss", "output", "gradients", "check", "scalar_check"} <= set(d)
    assert d["loss"] == d["data_loss"]  # no λ: J = L
