"""The diagnosis engine: verdicts under error carried forward, named mistakes, first wrong step.

Right answers come from independent oracles (hand arithmetic with math, and sympy.diff of
the whole expression), never from derive's own output.
"""

import math

import pytest
from support.lecture import POINT, hand_answers, lecture, sympy_gradients

from symgrad.derivation import derive
from symgrad.errors import SymgradError
from symgrad.grading.diagnose import diagnose, names


def test_hand_answers_agree_with_sympy_diff():
    hand = hand_answers()
    for name, value in sympy_gradients().items():
        assert hand[name] == pytest.approx(value, rel=1e-12)


def test_all_right_answers_are_correct():
    result = diagnose(lecture(), hand_answers())
    assert [j.verdict for j in result.judgements] == ["correct"] * len(result.judgements)
    assert result.first_wrong is None and result.all_correct
    assert result.score == len(result.judgements)


def test_sign_slip_at_z5_is_the_first_wrong_step_and_later_nodes_are_carried():
    answers = hand_answers(z5_sign=-1.0)
    assert answers["z_5"] == 1.0
    result = diagnose(lecture(), answers)
    first = result.first_wrong
    assert first.name == "z_5" and first.mistake == "sign_flip" and first.credit == 0.5
    for name in ("z_6", "z_7", "z_8", "df/dz_7", "df/dz_6"):
        assert result.judgement(name).verdict == "carried", name
    order = [j.name for j in result.judgements]
    later = result.judgements[order.index("z_5") + 1 :]
    assert all(j.verdict in ("carried", "correct") for j in later)
    assert not result.all_correct and [j.verdict for j in result.judgements].count("wrong") == 1


def test_gradient_sign_slip_is_carried_through_the_backward_pass():
    result = diagnose(lecture(), hand_answers(dz5_sign=-1.0))
    assert result.first_wrong.name == "df/dz_5"
    assert result.first_wrong.mistake == "sign_flip"
    for name in ("df/dz_4", "df/dw2", "df/dz_3", "df/dx1", "df/dw1", "df/dx0", "df/dw0"):
        assert result.judgement(name).verdict == "carried", name
    assert all(result.judgement(f"z_{i}").verdict == "correct" for i in range(1, 9))


def test_a_wrong_answer_not_carried_stays_wrong_downstream():
    answers = hand_answers(dz5_sign=-1.0)
    answers["df/dz_4"] = -answers["df/dz_4"]  # back to the true value: now it is correct
    answers["df/dw0"] = 7.0  # explained by nothing
    result = diagnose(lecture(), answers)
    assert result.judgement("df/dz_4").verdict == "correct"
    assert result.judgement("df/dw0").verdict == "wrong"
    assert result.judgement("df/dw0").mistake is None and result.judgement("df/dw0").credit == 0


def test_unanswered_quantities_take_the_learners_world():
    # z_6 and z_7 left out: z_8 computed from the wrong z_5 through them is still carried
    answers = {k: v for k, v in hand_answers(z5_sign=-1.0).items() if k in ("z_5", "z_8")}
    result = diagnose(lecture(), answers)
    assert result.judgement("z_8").verdict == "carried"
    assert result.judgement("z_6").verdict == "unanswered"


def test_four_significant_figures_at_every_step_are_correct():
    def sig4(x):
        return float(f"{x:.3e}")

    answers = {k: sig4(v) for k, v in hand_answers().items()}
    result = diagnose(lecture(), answers)
    assert result.all_correct, [(j.name, j.verdict) for j in result.judgements]


def test_three_figures_are_diagnosed_as_rounding():
    result = diagnose(lecture(), {"df/dw1": -0.394})
    assert result.judgement("df/dw1").mistake == "rounding"


# ------------------------------------------------------------------ named mistakes in graphs


def test_missing_upstream_factor():
    # dz_2/dw1 = x1 = -2 alone, without df/dz_2 = 0.1966
    result = diagnose(lecture(), {"df/dw1": -2.0})
    assert result.judgement("df/dw1").mistake == "missing_upstream"


def test_wrong_local_derivative():
    # df/dx0 = df/dz_1 * w0; the learner multiplied by x0 (its own operand)
    upstream = hand_answers()["df/dz_1"]
    result = diagnose(lecture(), {"df/dx0": upstream * POINT["x0"]})
    assert result.judgement("df/dx0").mistake == "wrong_local"


def test_wrong_local_derivative_of_a_quotient():
    # d(x/y)/dy = -x/y^2 = -0.75; the learner took d/dx = 1/y = 0.5 (the other partial)
    d = derive("x/y", at="x=3,y=2")
    assert diagnose(d, {"df/dy": 0.5}).judgement("df/dy").mistake == "wrong_local"
    assert diagnose(d, {"df/dy": -0.75}).judgement("df/dy").verdict == "correct"


def test_first_wrong_step_is_the_earliest_of_several():
    answers = hand_answers()
    answers["z_3"], answers["df/dw0"] = 9.0, 9.0  # both wrong, neither carried
    result = diagnose(lecture(), answers)
    assert result.first_wrong.name == "z_3"
    assert [j.name for j in result.judgements if j.verdict == "wrong"] == ["z_3", "df/dw0"]


def test_forgotten_fork_sum():
    d = derive("x*y + x", at="x=2,y=3", granularity="primitive")
    # df/dx = y + 1 = 4; the learner kept only the product's branch (3)
    result = diagnose(d, {"df/dx": 3.0})
    assert result.judgement("df/dx").mistake == "missed_branch"
    assert diagnose(d, {"df/dx": 4.0}).judgement("df/dx").verdict == "correct"


def test_value_for_derivative():
    d = derive("sigmoid(w*x)", at="w=1.5,x=0.5")
    s = 1 / (1 + math.exp(-0.75))
    result = diagnose(d, {"df/dz_1": s})  # σ where σ' = σ(1-σ) belongs
    assert result.judgement("df/dz_1").mistake == "value_not_derivative"
    assert diagnose(d, {"df/dz_1": s * (1 - s)}).judgement("df/dz_1").verdict == "correct"


def test_sign_mistake_in_a_gradient():
    result = diagnose(lecture(), {"df/dx1": -hand_answers()["df/dx1"]})
    assert result.judgement("df/dx1").mistake == "sign_flip"


# ------------------------------------------------------------------ formulas

SIG = "sigmoid(w0*x0+w1*x1+w2)"


@pytest.mark.parametrize(
    "formula",
    [
        "x0*exp(-(w0*x0+w1*x1+w2))/(1+exp(-(w0*x0+w1*x1+w2)))^2",
        f"x0*{SIG}*(1-{SIG})",
        "x0*exp(z_5)/z_7^2",  # node names stand for their definitions
        "x0*z_8*(1-z_8)",
    ],
)
def test_equivalent_formulas_are_accepted(formula):
    j = diagnose(lecture(), {"df/dw0": formula}).judgement("df/dw0")
    assert j.verdict == "correct", (formula, j.method)


@pytest.mark.parametrize(
    "formula",
    [
        f"2*x0*{SIG}*(1-{SIG})",
        f"x0*{SIG}",
        "w0*z_8*(1-z_8)",
    ],
)
def test_formulas_off_by_a_factor_are_rejected(formula):
    j = diagnose(lecture(), {"df/dw0": formula}).judgement("df/dw0")
    assert j.verdict == "wrong"


def test_formula_with_the_wrong_sign_is_diagnosed_and_others_are_not():
    j = diagnose(lecture(), {"df/dw0": f"-x0*{SIG}*(1-{SIG})"}).judgement("df/dw0")
    assert (j.verdict, j.mistake, j.credit) == ("wrong", "sign_flip", 0.5)
    # 2x the truth is the upstream times z_1 at this point: a coincidence, not claimed
    j = diagnose(lecture(), {"df/dw0": f"2*x0*{SIG}*(1-{SIG})"}).judgement("df/dw0")
    assert (j.verdict, j.mistake, j.credit) == ("wrong", None, 0.0)


def test_formula_undefined_near_the_point_is_wrong_not_an_error():
    j = diagnose(lecture(), {"df/dw0": "log(x0)"}).judgement("df/dw0")  # x0 = -1
    assert j.verdict == "wrong"


def test_formula_equal_at_the_point_only_is_rejected():
    # at x0 = -1, -x0*... equals x0*... only where x0 = -x0: never; but 1 = -x0 at the point
    j = diagnose(lecture(), {"df/dw0": f"-x0*x0*{SIG}*(1-{SIG})"}).judgement("df/dw0")
    assert j.verdict == "wrong" and j.method.startswith("numeric")


def test_constant_formula_is_a_number():
    j = diagnose(lecture(), {"z_6": "exp(-1)"}).judgement("z_6")
    assert j.verdict == "correct" and j.given == pytest.approx(math.exp(-1))


def test_formula_beyond_a_kink_is_judged_away_from_it():
    d = derive("relu(x)*y", at="x=2,y=3")
    assert diagnose(d, {"df/dx": "y"}).judgement("df/dx").verdict == "correct"
    assert diagnose(d, {"df/dx": "y*x"}).judgement("df/dx").verdict == "wrong"


@pytest.mark.parametrize(
    "formula", ["__import__('os').system('true')", "lambda: 1", "x0.__class__", "open('f')", "q*x0"]
)
def test_hostile_or_unknown_formulas_are_clean_errors(formula, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SymgradError) as err:
        diagnose(lecture(), {"df/dw0": formula})
    assert "df/dw0" in str(err.value)
    assert not list(tmp_path.iterdir())


def test_names_and_aliases():
    d = lecture()
    assert names(d)[:2] == ["z_1", "z_2"] and "f" in names(d) and "df/dw0" in names(d)
    assert diagnose(d, {"f": 0.7311}).judgement("z_8").verdict == "correct"
    with pytest.raises(SymgradError, match="twice"):
        diagnose(d, {"f": 0.7311, "z_8": 0.7311})
    with pytest.raises(SymgradError, match="unknown"):
        diagnose(d, {"z_99": 1})


# ------------------------------------------------------------------ an MLP result


def mlp_case():
    """A 2-2-2 sigmoid/softmax/cross-entropy net with λ = 0.1, and every answer by hand
    (NumPy loops, lecture names: w{k}_{i}_{j} connects input i to unit j)."""
    import numpy as np

    from symgrad.mlp import make_spec, random_params
    from symgrad.mlp.result import run_mlp

    spec = make_spec("2,2,2", hidden="sigmoid", output="softmax", loss="ce", l2=0.1)
    params = random_params(spec, 1)
    W1, W2 = (np.array(w, dtype=float) for w in params.weights)
    b1, b2 = (np.array(b, dtype=float) for b in params.biases)
    x, y, lam = np.array(params.x, dtype=float), np.array(params.y, dtype=float), 0.1
    z1 = W1 @ x + b1
    h1 = 1 / (1 + np.exp(-z1))
    z2 = W2 @ h1 + b2
    yhat = np.exp(z2) / np.exp(z2).sum()
    g2 = yhat - y
    dh1 = W2.T @ g2
    g1 = dh1 * h1 * (1 - h1)
    hand = {"yhat": yhat, "g2": g2, "dh1": dh1, "g1": g1, "h1": h1, "W2": W2, "b1": b1}
    answers = {}
    for j in range(2):
        answers |= {
            f"z1_{j + 1}": z1[j],
            f"h1_{j + 1}": h1[j],
            f"z2_{j + 1}": z2[j],
            f"yhat_{j + 1}": yhat[j],
            f"dJ/dz2_{j + 1}": g2[j],
            f"dJ/db2_{j + 1}": g2[j],
            f"dJ/dh1_{j + 1}": dh1[j],
            f"dJ/dz1_{j + 1}": g1[j],
            f"dJ/db1_{j + 1}": g1[j],
        }
        for i in range(2):
            answers[f"dJ/dw2_{i + 1}_{j + 1}"] = g2[j] * h1[i] + lam * W2[j, i]
            answers[f"dJ/dw1_{i + 1}_{j + 1}"] = g1[j] * x[i] + lam * W1[j, i]
    answers["J"] = -np.log(yhat[y == 1][0]) + lam / 2 * ((W1**2).sum() + (W2**2).sum())
    return run_mlp(spec, params), {k: float(v) for k, v in answers.items()}, hand


def test_mlp_right_answers_are_correct():
    result, answers, _ = mlp_case()
    d = diagnose(result, answers)
    assert d.all_correct, [(j.name, j.verdict) for j in d.answered if j.verdict != "correct"]
    assert len(d.answered) == len(answers)


def test_mlp_forward_slip_is_carried_to_the_units_above():
    import numpy as np

    result, answers, _ = mlp_case()
    answers["z1_1"] = -answers["z1_1"]  # sign slip; the learner goes on from it
    h = 1 / (1 + np.exp(-answers["z1_1"]))
    answers["h1_1"] = float(h)
    W2, b2 = (np.array(v, dtype=float) for v in (result.params.weights[1], result.params.biases[1]))
    answers["z2_1"] = float(W2[0] @ [answers["h1_1"], answers["h1_2"]] + b2[0])
    d = diagnose(result, {k: answers[k] for k in ("z1_1", "h1_1", "z1_2", "h1_2", "z2_1")})
    assert d.first_wrong.name == "z1_1" and d.first_wrong.mistake == "sign_flip"
    assert d.judgement("h1_1").verdict == "carried"
    assert d.judgement("z2_1").verdict == "carried"  # through the unasked products and sums
    assert d.judgement("h1_2").verdict == "correct"


def test_mlp_l2_mistakes():
    result, answers, hand = mlp_case()
    no_l2 = answers["dJ/dw2_1_2"] - 0.1 * hand["W2"][1, 0]
    with_l2 = answers["dJ/db1_1"] + 0.1 * hand["b1"][0]
    d = diagnose(result, {"dJ/dw2_1_2": no_l2, "dJ/db1_1": with_l2})
    assert d.judgement("dJ/dw2_1_2").mistake == "no_regularization"
    assert d.judgement("dJ/db1_1").mistake == "bias_regularized"


def test_mlp_value_for_derivative_and_forgotten_sum():
    result, _, hand = mlp_case()
    sigma_not_prime = float(hand["dh1"][0] * hand["h1"][0])  # g ⊙ h instead of g ⊙ h(1-h)
    one_term = float(hand["W2"][0, 0] * hand["g2"][0])  # dJ/dh1_1 without unit 2's term
    d = diagnose(result, {"dJ/dz1_1": sigma_not_prime})
    assert d.judgement("dJ/dz1_1").mistake == "value_not_derivative"
    d = diagnose(
        result,
        {"dJ/dh1_1": one_term, "dJ/dz1_1": one_term * float(hand["h1"][0] * (1 - hand["h1"][0]))},
    )
    assert d.judgement("dJ/dh1_1").mistake == "missed_branch"
    assert d.judgement("dJ/dz1_1").verdict == "carried"  # from the learner's own dJ/dh1_1
