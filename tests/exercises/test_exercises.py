"""Exercise kinds: registry, clean numbers, seeds, mistakes, stress, and independent oracles.

The oracles (``recompute``) rebuild every answer from the question's displayed data with
plain ``math``/NumPy formulas or finite differences, never with symgrad's engine.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from support.exercises import (
    MOODLE_NUMBER,
    _sigmoid,
    recompute,
)

from symgrad.exercises import DIFFICULTIES, KINDS, exercise_seed, make_exercise
from symgrad.exercises.base import KINK_MARGIN, MIN_ANSWER
from symgrad.render.numbers import num

CASES = [(k, d) for k in KINDS for d in DIFFICULTIES]


# --------------------------------------------------------------------------- tests


def test_registry_is_literal_and_complete():
    assert list(KINDS) == ["activation", "output_loss", "graph", "jacobian", "mlp", "gd_step"]
    for name, kind in KINDS.items():
        assert kind.name == name and kind.summary and callable(kind.generate)


@pytest.mark.parametrize("kind,difficulty", CASES)
def test_answers_match_independent_oracle(kind, difficulty):
    for seed in range(12):
        ex = make_exercise(kind, seed, difficulty)
        expected = recompute(kind, json.loads(json.dumps(ex.data)))  # data as a sheet shows it
        for a in ex.answers:
            assert a.name in expected, (seed, a.name)
            assert math.isclose(a.value, expected[a.name], rel_tol=1e-6, abs_tol=1e-6), (
                kind,
                seed,
                a.name,
                a.value,
                expected[a.name],
            )
            assert abs(float(a.display) - expected[a.name]) <= a.tol  # the key as printed


@pytest.mark.slow
@pytest.mark.parametrize("kind,difficulty", CASES)
def test_numbers_are_clean(kind, difficulty):
    for seed in range(25):
        ex = make_exercise(kind, seed, difficulty)
        assert ex.diagnostics["kink_distance"] >= KINK_MARGIN
        for a in ex.answers:
            assert math.isfinite(a.value) and abs(a.value) >= MIN_ANSWER
            assert MOODLE_NUMBER.match(a.display) and MOODLE_NUMBER.match(num(a.tol))
            assert not a.display.startswith("+")
            for alt in a.alternatives:
                assert abs(alt.value - a.value) > 2 * a.tol  # graded unambiguously
                assert MOODLE_NUMBER.match(num(alt.value))


def test_inputs_are_on_small_grids():
    for seed in range(20):
        ex = make_exercise("activation", seed, "easy")
        values = list(ex.data["weights"].values()) + [
            v for e in ex.data["examples"] for v in e.values()
        ]
        step = 0.5 if ex.data["function"] == "hardtanh" else 1.0
        assert all(float(v / step).is_integer() for v in values)
        ex = make_exercise("mlp", seed, "hard")
        for k in (1, 2, 3):
            assert all(float(2 * w).is_integer() for row in ex.data[f"W{k}"] for w in row)


@pytest.mark.slow
@pytest.mark.parametrize("difficulty", DIFFICULTIES)
def test_mlp_networks_keep_most_kinked_units_active(difficulty):
    """The rule of symgrad.mlp.random_params: every ReLU/hardtanh layer passes gradient through
    at least half its units, and no hidden unit is within KINK_MARGIN of a kink."""
    for seed in [7] + list(range(40)):
        ex = make_exercise("mlp", seed, difficulty)
        result = ex.derivation
        for k in range(1, result.spec.depth):
            if result.spec.activation(k) != "relu":
                continue
            z = np.asarray(result.values[f"z{k}"])
            assert np.mean(z > 0) >= 0.5, (seed, k, z)
            assert np.min(np.abs(z)) >= KINK_MARGIN, (seed, k, z)


def test_same_seed_same_exercise_and_seed_derivation_is_stable():
    a = make_exercise("graph", 123, "hard")
    b = make_exercise("graph", 123, "hard")
    assert a.data == b.data and [x.value for x in a.answers] == [x.value for x in b.answers]
    # a golden value: SHA-256 based, the same on every machine and Python run
    assert exercise_seed(1, "activation", "version:1") == exercise_seed(
        1, "activation", "version:1"
    )
    assert exercise_seed(1, "a", "version:1") != exercise_seed(1, "a", "version:2")
    assert exercise_seed(1, "a", "version:1") != exercise_seed(2, "a", "version:1")
    assert exercise_seed(7, "act", "student:alice") == 36544328991  # first 40 bits of SHA-256


@pytest.mark.slow
def test_mistakes_give_partial_credit():
    found = set()
    for seed in range(40):
        for kind in ("activation", "graph", "output_loss", "gd_step", "jacobian"):
            ex = make_exercise(kind, seed, "medium")
            for a in ex.answers:
                for alt in a.alternatives:
                    found.add(alt.mistake)
                    assert 0 < alt.fraction < 100
                    if alt.mistake == "sign_flip" and not a.name.endswith("_new"):
                        assert alt.value == pytest.approx(-a.value)
    assert {
        "sign_flip",
        "missing_upstream",
        "value_not_derivative",
        "missed_branch",
        "no_regularization",
        "bias_regularized",
    } <= found


def test_sigma_instead_of_sigma_prime_is_recognised():
    """∂L/∂w₁ with σ(z) where σ′(z) belongs, summed by hand over the mini-batch."""
    for seed in range(100):
        ex = make_exercise("activation", seed, "medium", {"activation": "sigmoid"})
        w, examples = ex.data["weights"], ex.data["examples"]
        wrong = sum(
            e["upstream"] * _sigmoid(w["w1"] * e["x1"] + w["w2"] * e["x2"] + w["b"]) * e["x1"]
            for e in examples
        )
        alt = {m.mistake: m.value for m in ex.answer("dL_dw1").alternatives}
        if "value_not_derivative" in alt:  # absent only when it is 0 or ±1 (a blind guess)
            assert alt["value_not_derivative"] == pytest.approx(wrong, rel=1e-9)
            return
    pytest.fail("no σ-for-σ′ mistake among 100 seeds")


@pytest.mark.slow
@pytest.mark.parametrize("kind,difficulty", CASES)
def test_no_duplicate_among_100_versions(kind, difficulty):
    prints = {
        make_exercise(kind, exercise_seed(1, "ex", f"version:{v}"), difficulty).fingerprint()
        for v in range(1, 101)
    }
    assert len(prints) == 100


def test_plain_keeps_the_spacing_of_the_latex_source():
    from symgrad.render.printing import plain_math as plain

    assert plain(r"$\hat y = \sigma(z)$ and $(\hat y - y)$") == "ŷ = σ(z) and (ŷ - y)"
    assert plain(r"\hat{y}_1 = \hat{\mathbf{y}}") == "ŷ_1 = ŷ"
    assert plain(r"-\bigl(y \log \hat y\bigr) = \sigma\left(z\right)") == "-(y log ŷ) = σ(z)"
    assert plain(r"a\cdot b") == "a · b"
