"""An MLP as the diagnosis engine sees it: its scalar graph, whose values and reverse pass
match the lecture's loops written in plain NumPy (conftest.hand_mlp), never symgrad's own."""

import numpy as np
import pytest
from conftest import hand_mlp

from symgrad.grading.network import scalar_network
from symgrad.mlp import make_spec, random_params, run_mlp


@pytest.fixture(scope="module", params=["sigmoid", "relu"])
def case(request):
    spec = make_spec("2,3,2", hidden=request.param, output="softmax", loss="ce")
    params = random_params(spec, seed=3)
    network = scalar_network(run_mlp(spec, params))
    data = {
        "layers": list(spec.layers),
        "hidden": request.param,
        "output": "softmax",
        "x": np.asarray(params.x, dtype=float).ravel().tolist(),
        "y": np.asarray(params.y, dtype=float).ravel().tolist(),
    }
    for k, (w, b) in enumerate(zip(params.weights, params.biases), start=1):
        data[f"W{k}"], data[f"b{k}"] = np.asarray(w).tolist(), np.asarray(b).ravel().tolist()
    return network, data


def test_loss_is_the_hand_loss(case):
    network, data = case
    hs, _ = hand_mlp(data)
    loss = -float(np.sum(np.array(data["y"]) * np.log(hs[-1])))
    assert network.values[network.graph.output] == pytest.approx(loss, rel=1e-12)


def test_every_weight_gradient_is_the_hand_one_in_the_lectures_naming(case):
    network, data = case
    _, grads = hand_mlp(data)
    by_name = {n.name: n.id for n in network.graph.nodes}
    for k in (1, 2):
        W = grads[f"W{k}"]
        for j in range(W.shape[0]):
            for i in range(W.shape[1]):
                node = by_name[f"w{k}_{i + 1}_{j + 1}"]  # input i -> unit j
                got = network.backward.adjoint_value(node)
                assert got == pytest.approx(W[j, i], rel=1e-9, abs=1e-12), (k, i, j)
        for j, g in enumerate(grads[f"b{k}"]):
            assert network.backward.adjoint_value(by_name[f"b{k}_{j + 1}"]) == pytest.approx(g)


def test_what_a_learner_may_answer(case):
    network, _ = case
    names = {network.graph.nodes[i].name for i in network.answerable}
    assert {"w1_1_1", "b2_2"} <= names
    assert not any(n.startswith(("x_", "y_")) for n in names)  # given data, not answers
    assert network.graph.output in network.answerable
    assert network.l2 == 0.0 and network.penalty == set()
    assert network.expression.startswith("MLP 2-3-2:")
