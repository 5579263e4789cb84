"""Kind ``mlp``: the network per difficulty, numbers on small grids, and every answer against
the lecture's loops in plain NumPy (conftest.hand_mlp)."""

import numpy as np
import pytest
from conftest import hand_mlp

from symgrad.exercises import make_exercise
from symgrad.exercises.network import choose_network


@pytest.mark.parametrize("difficulty", ["easy", "medium", "hard"])
@pytest.mark.parametrize("seed", range(4))
def test_answers_are_the_hand_loops(seed, difficulty):
    ex = make_exercise("mlp", seed, difficulty)
    data = ex.data
    hs, grads = hand_mlp(data)
    y = np.array(data["y"])
    yhat = hs[-1]
    if data["output"] == "softmax":
        loss = -float(np.sum(y * np.log(yhat)))
    else:
        loss = -float(np.sum(y * np.log(yhat) + (1 - y) * np.log(1 - yhat)))
    expected = {"J": loss}
    expected |= {f"yhat{j + 1}": v for j, v in enumerate(yhat)}
    for k in range(1, len(data["layers"])):
        g = grads[f"W{k}"]
        expected |= {f"db{k}_{j + 1}": v for j, v in enumerate(grads[f"b{k}"])}
        expected |= {
            f"dw{k}_{i + 1}{j + 1}": g[j, i] for j in range(g.shape[0]) for i in range(g.shape[1])
        }
    for a in ex.answers:
        assert a.value == pytest.approx(expected[a.name], rel=1e-9, abs=1e-12), (a.name, data)


def test_networks_per_difficulty():
    assert choose_network("easy", (), 3).spec.layers == (2, 2, 2)
    hard = choose_network("hard", (), 3).spec
    assert hard.layers == (3, 4, 3, 2) and hard.output == "softmax"
    medium = {choose_network("medium", (), s).spec for s in range(30)}
    assert all(len(m.layers) == 3 and m.layers[0] in (2, 3) for m in medium)  # one hidden layer
    assert {m.output for m in medium} == {"softmax", "sigmoid"}
    assert len({m.hidden for m in medium}) >= 2


def test_numbers_are_halves_and_the_target_is_one_hot():
    for seed in range(10):
        data = make_exercise("mlp", seed, "medium").data
        for key in ("W1", "b1", "W2", "b2"):
            values = np.array(data[key], dtype=float).ravel()
            assert np.all(values * 2 == np.round(values * 2)), (key, values)
        if data["output"] == "softmax":
            assert sorted(data["y"]) == [0.0] * (len(data["y"]) - 1) + [1.0]
