"""Pins, fixed structure and fairness of the kinds activation, output_loss and gd_step
(issue 11), and the guessing score of ``symgrad stress``.

Answers are checked against oracles written here: each activation's g′ by hand (central
differences of the op record's NumPy forward for one added later), softmax, sigmoid and
the gradient-descent step in plain NumPy, never symgrad's own engine.
"""

from __future__ import annotations

import json
import math
import re

import numpy as np
import pytest
from click.testing import CliRunner

from symgrad import ops
from symgrad.cli import cli
from symgrad.errors import SymgradError
from symgrad.exercises import DIFFICULTIES, KINDS, make_exercise
from symgrad.exercises.activation import functions
from symgrad.exercises.base import Answer, Exercise, Kind, both, guessing_score
from symgrad.exercises.homework import generate_version
from symgrad.exercises.spec import load_spec
from symgrad.exercises.stress import MAX_GUESSING, stress
from symgrad.exercises.versions import versions_from_count

pytestmark = pytest.mark.slow  # builds 30-version homework sets per pin and sweeps seeds

MY_KINDS = ("activation", "output_loss", "gd_step")
SEEDS = 1000  # per kind and difficulty, as the acceptance asks


def _spec(tmp_path, body: str, kind: str, difficulty: str = "medium"):
    path = tmp_path / "spec.toml"
    path.write_text(
        f'title = "t"\n[[exercise]]\nid = "e1"\nkind = "{kind}"\npoints = 3\n'
        f'difficulty = "{difficulty}"\n{body}\n',
        encoding="utf-8",
    )
    return load_spec(path)


def _versions(spec, n: int = 30, seed: int = 11) -> list[Exercise]:
    """The first exercise of every version of a set, as homework generates it."""
    return [generate_version(spec, seed, v)[0] for v in versions_from_count(n)]


def _structure(ex: Exercise):
    """What ``vary = "numbers"`` keeps fixed: the activation, the variant, η and λ."""
    if ex.kind == "activation":
        return ex.data["function"]
    if ex.kind == "output_loss":
        return ex.data["variant"]
    return ex.data["model"], len(ex.data["values"]), ex.data["eta"], ex.data["lambda"]


# --------------------------------------------------------------------------- oracles


def _sigmoid(z):
    return 1 / (1 + math.exp(-z))


SLOPES = {  # g′ by hand
    "sigmoid": lambda z: _sigmoid(z) * (1 - _sigmoid(z)),
    "tanh": lambda z: 1 - math.tanh(z) ** 2,
    "relu": lambda z: 1.0 if z > 0 else 0.0,
    "leaky_relu": lambda z: 1.0 if z > 0 else 0.01,
    "hardtanh": lambda z: 1.0 if -1 < z < 1 else 0.0,
    "softplus": _sigmoid,
    "elu": lambda z: 1.0 if z > 0 else math.exp(z),
    "swish": lambda z: _sigmoid(z) * (1 + z * (1 - _sigmoid(z))),
}


def _slope(name: str):
    if name in SLOPES:
        return SLOPES[name]
    forward = ops.get(name).numpy
    return lambda z: (float(forward(z + 1e-6)) - float(forward(z - 1e-6))) / 2e-6


def oracle(ex: Exercise) -> dict[str, float]:
    """Every answer from the exercise's displayed data, in plain Python/NumPy."""
    data = ex.data
    if ex.kind == "activation":
        w, examples, slope = data["weights"], data["examples"], _slope(data["function"])
        zs = [w["w1"] * e["x1"] + w["w2"] * e["x2"] + w["b"] for e in examples]
        dz = [e["upstream"] * slope(z) for e, z in zip(examples, zs)]
        out = {f"z{n}": z for n, z in enumerate(zs, 1)}
        out.update(
            dL_dw1=float(np.dot(dz, [e["x1"] for e in examples])),
            dL_dw2=float(np.dot(dz, [e["x2"] for e in examples])),
            dL_db=sum(dz),
        )
        return out
    if ex.kind == "output_loss":
        if data["variant"] == "softmax_ce":
            z, y = np.array(data["z"]), np.array(data["y"])
            p = np.exp(z - z.max()) / np.exp(z - z.max()).sum()
            c = int(np.argmax(y))
            out = {"y_hat_true": p[c], "L": -math.log(p[c])}
            out.update({f"dL_dz{i + 1}": p[i] - y[i] for i in range(len(z))})
            return out
        v, y = data["inputs"], data["y"]
        z = v["w1"] * v["h1"] + v["w2"] * v["h2"] + v["b"]
        p = _sigmoid(z)
        if data["variant"] == "sigmoid_mse":
            mse = 0.5 * 2 * (p - y) * p * (1 - p)  # d/dz of ½(σ(z) − y)²
            return {
                "y_hat": p,
                "sigma_prime": p * (1 - p),
                "dLmse_dz": mse,
                "dLce_dz": p - y,
                "dLmse_dw1": mse * v["h1"],
                "dLce_dw1": (p - y) * v["h1"],
            }
        if data["variant"] == "sigmoid_ce":
            y_hat, loss = p, -(y * math.log(p) + (1 - y) * math.log(1 - p))
        else:
            y_hat, loss = z, 0.5 * (z - y) ** 2
        r = y_hat - y
        return {
            "y_hat": y_hat,
            "L": loss,
            "dL_dz": r,
            "dL_dw1": r * v["h1"],
            "dL_dh1": r * v["w1"],
            "dL_dw2": r * v["h2"],
        }
    v, eta, lam = data["values"], data["eta"], data["lambda"]
    ws = sorted(k for k in v if k.startswith("w"))
    z = sum(v[w] * v["x" + w[1:]] for w in ws) + v["b"]
    r = (_sigmoid(z) if data["model"] == "logistic" else z) - v["y"]
    grads = {w: r * v["x" + w[1:]] + lam * v[w] for w in ws}
    out = {"dJ_dw1": grads["w1"], "b_new": v["b"] - eta * r}
    out.update({f"{w}_new": v[w] - eta * grads[w] for w in ws})
    return out


def _check(ex: Exercise) -> None:
    expected = oracle(ex)
    for a in ex.answers:
        assert math.isclose(a.value, expected[a.name], rel_tol=1e-9, abs_tol=1e-9), (
            ex.kind,
            a.name,
            a.value,
            expected[a.name],
        )


# --------------------------------------------------------------------------- pins


@pytest.mark.parametrize("name", functions())
def test_activation_pin_gives_that_activation_in_every_version(tmp_path, name):
    spec = _spec(tmp_path, f'activation = "{name}"', "activation")
    assert spec.exercises[0].options == {"activation": name}
    versions = _versions(spec)
    kinks = ops.kink_points(name)
    for ex in versions:
        assert ex.data["function"] == name
        _check(ex)
        zs = [a.value for a in ex.answers if a.name.startswith("z")]
        if kinks:  # both sides of the kink, in every version
            assert len({sum(z > k for k in kinks) for z in zs}) >= 2, zs
    assert len({ex.fingerprint() for ex in versions}) == 30  # new numbers for each version


@pytest.mark.parametrize(
    "body,variant",
    [
        ('output = "softmax"\nloss = "ce"', "softmax_ce"),
        ('output = "sigmoid"\nloss = "ce"', "sigmoid_ce"),
        ('output = "linear"\nloss = "mse"', "linear_mse"),
        ('output = "sigmoid"\nloss = "mse"', "sigmoid_mse"),
        ('output = "softmax"', "softmax_ce"),  # one pin: the only pair with it
        ('output = "linear"', "linear_mse"),
    ],
)
@pytest.mark.parametrize("difficulty", DIFFICULTIES)
def test_output_and_loss_pins_give_that_pair_in_every_version(tmp_path, body, variant, difficulty):
    versions = _versions(_spec(tmp_path, body, "output_loss", difficulty), n=20)
    for ex in versions:
        assert ex.data["variant"] == variant
        _check(ex)
    assert len({len(ex.answers) for ex in versions}) == 1
    assert len({ex.fingerprint() for ex in versions}) == 20


def test_one_of_two_pins_leaves_the_other_to_the_structure(tmp_path):
    """loss = "mse" alone: sigmoid or linear output, one per set (vary = "numbers")."""
    found = set()
    for seed in range(12):
        versions = _versions(_spec(tmp_path, 'loss = "mse"', "output_loss"), n=5, seed=seed)
        assert len({ex.data["variant"] for ex in versions}) == 1
        found.add(versions[0].data["variant"])
    assert found == {"linear_mse", "sigmoid_mse"}


@pytest.mark.parametrize("rate,l2", [(0.25, 0), (2, 3.5), (0.1, 10), (10, 0.001)])
@pytest.mark.parametrize("difficulty", DIFFICULTIES)
def test_rate_and_l2_pins_are_used_in_every_version(tmp_path, rate, l2, difficulty):
    spec = _spec(tmp_path, f"rate = {rate}\nl2 = {l2}", "gd_step", difficulty)
    assert spec.exercises[0].options == {"rate": rate, "l2": l2}
    versions = _versions(spec, n=15)
    for ex in versions:
        assert (ex.data["eta"], ex.data["lambda"]) == (rate, l2)
        _check(ex)
        shown = ex.prompt["en"]
        assert f"\\lambda = {l2:g}" in shown and f"\\eta = {rate:g}" in shown
    assert len({ex.fingerprint() for ex in versions}) == 15


BAD_PINS = [
    ("activation", 'activation = "gelu"', "activation", "expected one of tanh, sigmoid, relu"),
    ("activation", "activation = 3", "activation", "expected one of"),
    ("activation", "activation = true", "activation", "got True"),
    ("activation", 'activation = ["relu"]', "activation", "expected one of"),
    ("activation", "rate = 0.5", "rate", "kind activation also takes: activation"),
    ("output_loss", 'output = "tanh"', "output", "expected one of softmax, sigmoid, linear"),
    ("output_loss", 'loss = "hinge"', "loss", "expected one of ce, mse"),
    ("output_loss", "output = 1", "output", "expected one of"),
    (
        "output_loss",
        'output = "softmax"\nloss = "mse"',
        "loss",
        "supported pairs: softmax + ce, sigmoid + ce, linear + mse, sigmoid + mse",
    ),
    ("output_loss", 'output = "linear"\nloss = "ce"', "loss", "is not supported"),
    ("gd_step", "rate = 0", "rate", "expected a number from 0.1 to 10"),
    ("gd_step", "rate = -0.5", "rate", "expected a number from 0.1 to 10"),
    ("gd_step", "rate = 0.05", "rate", "expected a number from 0.1 to 10"),
    ("gd_step", "rate = 10.5", "rate", "expected a number from 0.1 to 10"),
    ("gd_step", "rate = true", "rate", "expected a number, got True"),
    ("gd_step", 'rate = "0.5"', "rate", "expected a number, got '0.5'"),
    ("gd_step", "rate = nan", "rate", "expected a finite number"),
    ("gd_step", "rate = inf", "rate", "expected a finite number"),
    ("gd_step", "rate = 0.1234", "rate", "expected at most 3 decimals"),
    ("gd_step", "l2 = -1", "l2", "expected a number from 0 to 10"),
    ("gd_step", "l2 = 11", "l2", "expected a number from 0 to 10"),
    ("gd_step", "l2 = false", "l2", "expected a number, got False"),
    ("gd_step", "l2 = -inf", "l2", "expected a finite number"),
    ("gd_step", "l2 = [0.5]", "l2", "expected a number"),
    ("gd_step", 'activation = "relu"', "activation", "kind gd_step also takes: rate, l2"),
]


@pytest.mark.parametrize("kind,body,key,fragment", BAD_PINS)
def test_a_bad_pin_is_one_line_naming_the_exercise_and_the_key(tmp_path, kind, body, key, fragment):
    with pytest.raises(SymgradError) as err:
        _spec(tmp_path, body, kind)
    message = str(err.value)
    assert message.startswith(f"{tmp_path / 'spec.toml'}: exercise[1].{key}: "), message
    assert fragment in message and "\n" not in message, message


def test_a_bad_pin_is_exit_status_2_on_the_command_line(tmp_path):
    spec = tmp_path / "spec.toml"
    spec.write_text(
        'title = "t"\n[[exercise]]\nid = "e1"\nkind = "gd_step"\npoints = 3\nrate = 20\n',
        encoding="utf-8",
    )
    run = CliRunner().invoke(
        cli,
        [
            "homework",
            str(spec),
            "--versions",
            "2",
            "--seed",
            "1",
            "--out",
            str(tmp_path / "out"),
            "--quiet",
        ],
    )
    assert run.exit_code == 2
    assert "exercise[1].rate: expected a number from 0.1 to 10, got 20" in run.output
    assert not (tmp_path / "out").exists()


# --------------------------------------------------------------------------- structure


@pytest.mark.slow
@pytest.mark.parametrize("kind", MY_KINDS)
@pytest.mark.parametrize("difficulty", DIFFICULTIES)
def test_structure_comes_from_the_structure_generator_only(kind, difficulty):
    """Same structure seed, 8 different number seeds: one structure; and the structure
    seeds between them reach more than one structure."""
    seen = set()
    for structure_seed in range(25):
        got = {
            _structure(make_exercise(kind, seed, difficulty, {}, structure_seed))
            for seed in range(1000, 1008)
        }
        assert len(got) == 1, (structure_seed, got)
        seen |= got
    assert len(seen) > 1


@pytest.mark.parametrize("kind", MY_KINDS)
def test_vary_numbers_keeps_the_structure_and_vary_structure_changes_it(tmp_path, kind):
    sets = [_versions(_spec(tmp_path, "", kind), n=12, seed=seed) for seed in range(6)]
    for versions in sets:
        assert len({_structure(ex) for ex in versions}) == 1
    assert len({_structure(versions[0]) for versions in sets}) > 1  # the set's seed draws it
    varied = _versions(_spec(tmp_path, 'vary = "structure"', kind), n=12)
    assert len({_structure(ex) for ex in varied}) > 1


# --------------------------------------------------------------------------- fairness


@pytest.mark.slow
@pytest.mark.parametrize("kind", MY_KINDS)
@pytest.mark.parametrize("difficulty", DIFFICULTIES)
def test_every_draw_asks_the_same_blanks_and_guessing_does_not_pay(kind, difficulty):
    """1000 seeds, structure drawn too (vary = "structure", the harder case): one blank
    count and one list of weights; mean guessing score <= 5 %; no exercise all 0/±1; no
    partial-credit answer a blind guess hits; answers against the oracle on every 10th."""
    layouts, scores = set(), []
    for seed in range(SEEDS):
        ex = make_exercise(kind, seed, difficulty)
        layouts.add(tuple(a.weight for a in ex.answers))
        scores.append(guessing_score(ex))
        assert not all(any(abs(a.value - g) <= a.tol for g in (0, 1, -1)) for a in ex.answers), seed
        for a in ex.answers:
            for alt in a.alternatives:
                assert min(abs(alt.value - g) for g in (0, 1, -1)) > a.tol, (seed, a.name, alt)
        if seed % 10 == 0:
            _check(ex)
    assert len(layouts) == 1, layouts
    assert np.mean(scores) <= MAX_GUESSING, np.mean(scores)


def test_kinked_activations_ask_about_both_sides():
    """The issue's count: relu/hardtanh exercises were on the linear side only (g′ = 1,
    h = z) in 393 of 1000 seeds; now every one has an example on another piece."""
    for name in ("relu", "leaky_relu", "hardtanh", "elu"):
        kinks = ops.kink_points(name)
        for seed in range(100):
            ex = make_exercise("activation", seed, "easy", {"activation": name})
            zs = [a.value for a in ex.answers if a.name.startswith("z")]
            assert len({sum(z > k for k in kinks) for z in zs}) >= 2, (name, seed, zs)
            slopes = {SLOPES[name](z) for z in zs}
            assert len(slopes) >= 2  # g′ differs between the examples


# --------------------------------------------------------------------------- stress


def _planted(monkeypatch, answers_of):
    """Register a kind ``planted`` whose answers are ``answers_of(seed)`` (values, tol)."""

    def generate(rng, difficulty, options=None, structure=None):
        seed = int(rng.integers(1 << 30))
        answers = [Answer(f"a{i}", "a", value) for i, value in enumerate(answers_of(seed))]
        return Exercise(
            "planted", difficulty, both("t", "t"), {"seed": seed}, both("p", "p"), answers, []
        )

    monkeypatch.setitem(KINDS, "planted", Kind("planted", "a planted kind", generate))


def test_stress_fails_a_kind_whose_answers_are_all_one(monkeypatch):
    _planted(monkeypatch, lambda seed: [1.0, 1.0, 1.0])
    report = stress("planted", 40, "easy", check=False)
    assert report.guessing_mean == 1.0 and report.guessing_max == 1.0
    assert report.all_guessable == 40 and not report.ok
    run = CliRunner().invoke(cli, ["stress", "planted", "-n", "40", "--format", "json", "--quiet"])
    assert run.exit_code == 1
    data = json.loads(run.output)
    assert data["ok"] is False
    assert data["guessing"] == {
        "mean": 1.0,
        "max": 1.0,
        "limit": MAX_GUESSING,
        "all_answers_guessable": 40,
    }
    text = CliRunner().invoke(cli, ["stress", "planted", "-n", "40", "--quiet"])
    assert text.exit_code == 1 and "PROBLEMS FOUND" in text.output
    assert re.search(r"guessing score, mean \(limit 5 %\)\s+100\.0 %", text.output)
    assert re.search(r"every answer 0, 1 or -1\s+40", text.output)


def test_stress_fails_a_mean_guessing_score_over_5_percent(monkeypatch):
    """One blank of eight is 1 in every seed (12.5 %), the others are not: fails, although
    no exercise is all 0/±1; one of forty blanks (2.5 %) passes."""
    _planted(monkeypatch, lambda seed: [1.0] + [2.5 + seed % 7] * 7)
    report = stress("planted", 30, "easy", check=False)
    assert report.guessing_mean == pytest.approx(0.125) and report.all_guessable == 0
    assert not report.ok
    _planted(monkeypatch, lambda seed: [1.0] + [2.5 + seed % 7] * 39)
    report = stress("planted", 30, "easy", check=False)
    assert report.guessing_mean == pytest.approx(0.025) and report.ok, report.to_text()


def test_stress_fails_a_kind_whose_blank_count_varies(monkeypatch):
    _planted(monkeypatch, lambda seed: [2.5 + seed % 7] * (3 + seed % 2))
    report = stress("planted", 30, "easy", check=False)
    assert report.blank_counts == [3, 4] and report.guessing_mean == 0 and not report.ok
    _planted(monkeypatch, lambda seed: [2.5 + seed % 7] * 3)
    assert stress("planted", 30, "easy", check=False).ok


def test_stress_reports_a_fair_kind_as_ok():
    run = CliRunner().invoke(
        cli,
        [
            "stress",
            "output_loss",
            "-n",
            "40",
            "--difficulty",
            "hard",
            "--format",
            "json",
            "--quiet",
        ],
    )
    assert run.exit_code == 0, run.output
    data = json.loads(run.output)
    assert data["ok"] and data["guessing"]["mean"] == 0 and data["blank_counts"] == [6]


# --------------------------------------------------------------------------- Chinese

ALLOWED_LATIN = {"softmax", "sigmoid", "logits", "one-hot", "MSE", "leaky"} | {
    part for name in functions() for part in name.split("_")
}


@pytest.mark.parametrize("kind", MY_KINDS)
def test_chinese_texts_have_no_english_sentences(kind):
    """Prompts, titles, notes and feedback in zh, math removed: only single letters and
    names (softmax, relu, ...) are Latin."""
    for difficulty in DIFFICULTIES:
        for seed in range(30):
            ex = make_exercise(kind, seed, difficulty)
            texts = [ex.prompt["zh"], ex.title["zh"]]
            texts += [line["note"]["zh"] for line in ex.solution if line["note"]]
            texts += [alt.to_dict("zh")["feedback"] for a in ex.answers for alt in a.alternatives]
            for text in texts:
                prose = re.sub(r"\$\$.*?\$\$|\$.*?\$", "", text)
                words = set(re.findall(r"[A-Za-z][A-Za-z-]+", prose)) - ALLOWED_LATIN
                assert not words, (kind, seed, words, text)
