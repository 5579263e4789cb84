"""The named-mistake table and its detectors: each detector diagnoses a wrong answer built
with that mistake, and a right answer is never diagnosed (with the same context)."""

import pytest

from symgrad.grading.mistakes import MISTAKES, ORDER, Mistake, classify

TOL = 1e-3  # absolute, for answers of order 1


def test_table_has_every_detector_and_both_languages():
    assert set(ORDER) == set(MISTAKES)
    for name, m in MISTAKES.items():
        assert isinstance(m, Mistake) and m.name == name
        assert 0 < m.credit < 100
        assert m.label["en"] and m.label["zh"] and m.hint["en"] and m.hint["zh"]


def test_existing_credits_and_feedback_are_kept():
    assert MISTAKES["sign_flip"].credit == 50
    assert MISTAKES["sign_flip"].hint == {"en": "Check the sign.", "zh": "请检查符号。"}
    assert MISTAKES["value_not_derivative"].credit == 25
    assert MISTAKES["bias_regularized"].hint["en"].startswith("The L2 penalty covers")


def test_exercise_alternatives_read_the_one_table():
    from symgrad.exercises import base

    assert base.MISTAKES is MISTAKES
    alt = base.Alternative("missed_branch", 1.5, MISTAKES["missed_branch"].credit)
    assert alt.to_dict("zh")["feedback"] == MISTAKES["missed_branch"].hint["zh"]


# (name, expected, wrong given, context): each wrong answer is built by making the mistake
UPSTREAM, LOCAL = -0.53, 0.196  # true gradient = upstream × local
CASES = [
    ("sign_flip", 0.3932, -0.3932, {}),
    ("missing_upstream", UPSTREAM * LOCAL, LOCAL, {"upstream": UPSTREAM, "local": LOCAL}),
    ("missed_branch", 0.8 + 1.3 - 0.4, 0.8 + 1.3, {"branches": [0.8, 1.3, -0.4]}),
    ("missed_branch", 0.8 + 1.3, 1.3, {"branches": [0.8, 1.3]}),
    # σ(z) = 0.731 used where σ'(z) = 0.731·0.269 = 0.1966 belongs
    (
        "value_not_derivative",
        2.0 * 0.1966,
        2.0 * 0.731,
        {"upstream": 2.0, "local": 0.1966, "value": 0.731},
    ),
    # d(a·b)/da = b; the learner took a (the other operand swapped)
    (
        "wrong_local",
        1.5 * 4.0,
        1.5 * -2.0,
        {"upstream": 1.5, "local": 4.0, "wrong_locals": [-2.0, 1.0]},
    ),
    ("rounding", 0.39322, 0.3950, {}),
    ("no_regularization", 0.25 + 0.1 * 3.0, 0.25, {"l2_term": 0.1 * 3.0}),
    ("bias_regularized", 0.25, 0.25 + 0.1 * 2.0, {"bias_l2_term": 0.1 * 2.0}),
]


@pytest.mark.parametrize(
    "name, expected, given, context", CASES, ids=[c[0] + str(i) for i, c in enumerate(CASES)]
)
def test_each_detector_diagnoses_its_mistake(name, expected, given, context):
    assert classify(given, expected, TOL, **context) == name


@pytest.mark.parametrize(
    "name, expected, given, context", CASES, ids=[c[0] + str(i) for i, c in enumerate(CASES)]
)
def test_a_right_answer_is_not_diagnosed(name, expected, given, context):
    assert classify(expected, expected, TOL, **context) is None
    assert classify(expected + 0.9 * TOL, expected, TOL, **context) is None


def test_every_named_mistake_has_a_case():
    assert {c[0] for c in CASES} == set(MISTAKES)


def test_unexplained_wrong_answer_is_not_diagnosed():
    assert (
        classify(
            7.5,
            0.3932,
            TOL,
            upstream=UPSTREAM,
            local=LOCAL,
            branches=[0.1, 0.2932],
            value=0.5,
            wrong_locals=[2.0],
        )
        is None
    )
    assert classify(float("nan"), 1.0, TOL) is None


def test_wrong_local_ignores_a_candidate_equal_to_the_true_local():
    # a candidate equal to the true local derivative explains nothing
    assert classify(-6.0, 6.0, TOL, upstream=1.5, local=4.0, wrong_locals=[4.0]) == "sign_flip"
    assert classify(5.0, 6.0, TOL, upstream=1.5, local=4.0, wrong_locals=[4.0]) is None


def test_rounding_band_stays_inside_homework_tolerances():
    # a 2 % homework tolerance already accepts anything the 1 % rounding band would catch
    assert classify(1.015, 1.0, 0.02) is None
    assert classify(1.03, 1.0, 0.02) is None


def test_order_prefers_rounding_over_a_near_coincidence():
    # upstream 1.004: the local alone is within 1 % -> rounding, not missing_upstream
    assert classify(0.5, 0.502, 1e-4, upstream=1.004, local=0.5) == "rounding"
    assert ORDER[0] == "rounding" and ORDER[1] == "sign_flip" and ORDER[-1] == "wrong_local"


def test_prediction_tolerance_scales_with_the_predicted_value():
    # the missing-upstream value is 10x the answer; 4 significant figures of it still match
    assert classify(9.877, 0.9876, 1e-3, upstream=0.1, local=9.876) == "missing_upstream"
