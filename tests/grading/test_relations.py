"""Error carried forward (grading/relations.py): each kind's relations, fed the true values,
give the true values; fed a planted slip, they give what a student who made it would write."""

from __future__ import annotations

import math

import numpy as np
import pytest

from symgrad.exercises import make_exercise
from symgrad.grading.relations import RELATIONS, carried_values

RELATION_KINDS = sorted(RELATIONS)


INDEPENDENT = {  # blanks computed from the question alone; every other blank has a relation
    "activation": r"z\d+",
    "gd_step": "dJ_dw1",
    "jacobian": r"(y|dz_dy|J)\d+",
    "mlp": r"J|yhat\d+",
    "output_loss": r"y_hat(_true)?",
}


def _dependent(ex) -> set[str]:
    import re

    names = {a.name for a in ex.answers if not re.fullmatch(INDEPENDENT[ex.kind], a.name)}
    if ex.data.get("variant") == "softmax_ce":  # ∂L/∂zᵢ = ŷᵢ for a class not asked about
        names -= {f"dL_dz{i + 1}" for i, y in enumerate(ex.data["y"]) if y == 0}
    return names


@pytest.mark.slow
@pytest.mark.parametrize("kind", RELATION_KINDS)
def test_relations_fed_the_true_values_give_the_true_values(kind):
    """The oracle: each kind's own answers, 200 seeds over the difficulties; and every blank
    that follows from earlier ones has its relation (a renamed blank would lose it)."""
    for seed in range(200):
        ex = make_exercise(kind, seed, ("easy", "medium", "hard")[seed % 3])
        values = {a.name: a.value for a in ex.answers}
        out = carried_values(kind, ex.data, values)
        assert _dependent(ex) <= set(out), (seed, _dependent(ex) - set(out))
        for name, value in out.items():
            assert value == pytest.approx(values[name], rel=1e-9, abs=1e-12), (seed, name)


def test_graph_blanks_have_no_relation():
    ex = make_exercise("graph", 1, "medium")
    assert "graph" not in RELATIONS
    assert carried_values("graph", ex.data, {a.name: a.value for a in ex.answers}) == {}


def test_planted_slip_activation():
    """A wrong z¹: ∂L/∂b = Σ uₙ g′(zₙ) with g′ from central differences of the activation."""
    from symgrad import ops

    for seed in range(20):
        ex = make_exercise("activation", seed, "medium")
        v = {a.name: a.value for a in ex.answers}
        v["z1"] += 0.37
        out = carried_values("activation", ex.data, v)
        g = ops.get(ex.data["function"]).numpy
        slope = [(g(z + 1e-6) - g(z - 1e-6)) / 2e-6 for z in (v["z1"], v["z2"])]
        hand = sum(e["upstream"] * s for e, s in zip(ex.data["examples"], slope))
        assert out["dL_db"] == pytest.approx(hand, rel=1e-5, abs=1e-6)


def test_planted_slip_output_loss():
    for seed in range(30):
        ex = make_exercise("output_loss", seed, "medium")
        first = ex.answers[0].name
        values = {a.name: a.value for a in ex.answers}
        values[first] = values[first] * 0.8
        out = carried_values("output_loss", ex.data, values)
        y, p = ex.data["y"], values[first]
        variant = ex.data["variant"]
        if variant == "sigmoid_ce":
            assert out["L"] == pytest.approx(-(y * math.log(p) + (1 - y) * math.log(1 - p)))
            assert out["dL_dz"] == pytest.approx(p - y)
        elif variant == "linear_mse":
            assert out["L"] == pytest.approx(0.5 * (p - y) ** 2)
        elif variant == "softmax_ce":
            assert out["L"] == pytest.approx(-math.log(p))
        else:
            assert out["sigma_prime"] == pytest.approx(p * (1 - p))


def test_planted_slip_jacobian():
    for seed in range(20):
        ex = make_exercise("jacobian", seed, "medium")
        v = {a.name: a.value for a in ex.answers}
        v["J11"] += 1.5
        out = carried_values("jacobian", ex.data, v)
        n, m = len(ex.data["y"]), len(ex.data["x"])
        J = np.array([[v[f"J{j + 1}{i + 1}"] for i in range(m)] for j in range(n)])
        g = np.array([v[f"dz_dy{j + 1}"] for j in range(n)])
        assert [out[f"dz_dx{i + 1}"] for i in range(m)] == pytest.approx(list(J.T @ g))


def test_planted_slip_mlp():
    """A wrong ŷⱼ in the 2-2-2 network (and ∂J/∂b⁽²⁾ consistent with it): ∂J/∂b⁽²⁾ and
    ∂J/∂b⁽¹⁾ by a hand backward pass from g = ŷ′ − y (conftest.hand_mlp's forward)."""
    from conftest import hand_mlp

    checked = 0
    for seed in range(20):
        ex = make_exercise("mlp", seed, "easy")
        q = ex.data
        v = {a.name: a.value for a in ex.answers}
        j = next(int(a.name[4:]) - 1 for a in ex.answers if a.name.startswith("yhat"))
        hs, _ = hand_mlp(q)
        y_hat = np.array(hs[-1])
        y_hat[j] += 0.1
        y_hat[1 - j] -= 0.1
        g = y_hat - np.array(q["y"])
        v[f"yhat{j + 1}"] += 0.1
        out = carried_values("mlp", q, v)
        db2 = next(name for name in v if name.startswith("db2_"))
        assert out[db2] == pytest.approx(g[int(db2[4:]) - 1])
        v[db2] = out[db2]  # the student carries on with their own ∂J/∂b⁽²⁾
        out = carried_values("mlp", q, v)
        dw2 = next(name for name in v if name.startswith("dw2_"))  # w_ij: input i → unit j
        i, j_unit = int(dw2[4]) - 1, int(dw2[5]) - 1
        assert out[dw2] == pytest.approx(g[j_unit] * hs[1][i])
        g1 = (np.array(q["W2"]).T @ g) * (
            np.array(q["W1"]) @ np.array(q["x"]) + np.array(q["b1"]) > 0
        )
        db1 = next(name for name in v if name.startswith("db1_"))
        assert out[db1] == pytest.approx(g1[int(db1[4:]) - 1])
        checked += 1
    assert checked == 20
