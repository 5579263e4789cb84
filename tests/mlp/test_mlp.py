"""symgrad.mlp and `symgrad mlp`: gradients against independent oracles written here.

Oracles: a hand-written NumPy forward/backward (the lecture's loop, written out separately
from symgrad's layer graph) and per-parameter finite differences of a test-local forward pass.
"""

from __future__ import annotations

import numpy as np
import pytest
from support.mlp import (
    LECTURE,
    assert_grads_equal,
    finite_differences,
    hand_backprop,
    hand_loss,
    lecture_result,
)


def test_lecture_network_matches_hand_numpy_and_finite_differences():
    result = lecture_result()
    hand = hand_backprop(LECTURE, ["relu", "relu"], "softmax", "ce", 0.0)
    assert_grads_equal(result.gradients, hand, rtol=1e-8)
    fd = finite_differences(LECTURE, ["relu", "relu"], "softmax", "ce", 0.0)
    assert_grads_equal(result.gradients, fd, rtol=1e-8, atol=1e-10)
    assert result.loss == pytest.approx(
        hand_loss(LECTURE, ["relu", "relu"], "softmax", "ce", 0), rel=1e-12
    )
    assert result.check.passed and result.check.max_rel_error < 1e-8
    assert result.scalar_check.passed and result.scalar_check.max_rel_error < 1e-10
    assert not result.kinks
    # the lecture's layer-k result: ∇W^{(k)} = (ŷ − y) h^{(j)ᵀ}, ∇b^{(k)} = ŷ − y
    residual = result.output - np.array(LECTURE["y"])
    np.testing.assert_allclose(result.gradients["b3"], residual, rtol=1e-12)
    np.testing.assert_allclose(
        result.gradients["W3"], np.outer(residual, result.values["h2"]), rtol=1e-12
    )


# ---------------------------------------------------------------- every combination


# ---------------------------------------------------------------- L2


# ---------------------------------------------------------------- kinks


# z^{(1)}_2 = 0.3·1 + 0.7·0 − 0.6·0.5 = 0 exactly; x_2 = 0, so W1[1, 1] cannot move it


# ---------------------------------------------------------------- bad input


# ---------------------------------------------------------------- scalar graph, entries
