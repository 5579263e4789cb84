"""The network's description and numbers: targets in range for sigmoid + cross-entropy, and
seeded parameters that are deterministic, small and off the kinks."""

from __future__ import annotations

import numpy as np
import pytest

from symgrad.errors import SymgradError
from symgrad.mlp import (
    make_spec,
    params_from_dict,
    random_params,
    run_mlp,
)


def test_sigmoid_ce_target_must_be_in_unit_interval():
    spec = make_spec("2,2", output="sigmoid", loss="ce")
    with pytest.raises(
        SymgradError,
        match=r"^y: entries must lie in \[0, 1\] for "
        r"cross-entropy, got 1\.5 at index 1$",
    ):
        params_from_dict(spec, {"W1": [[1, 0], [0, 1]], "b1": [0, 0], "x": [1, 1], "y": [0.5, 1.5]})


def test_seeded_parameters_are_deterministic_small_and_off_kinks():
    spec = make_spec("3,4,3,2")
    a, b = random_params(spec, 5), random_params(spec, 5)
    for key, value in a.as_dict().items():
        np.testing.assert_array_equal(value, b.as_dict()[key])
        assert np.all(np.abs(value) <= 1.0)
        np.testing.assert_allclose(value * 10, np.round(value * 10), atol=1e-12)  # tenths
    assert a.y.sum() == 1.0 and set(a.y.tolist()) <= {0.0, 1.0}
    for seed in range(30):
        assert not run_mlp(spec, random_params(spec, seed), check=False, scalar_check=False).kinks
    sig = make_spec("3,2", output="sigmoid", loss="ce")
    assert set(random_params(sig, 1).y.tolist()) <= {0.0, 1.0}
