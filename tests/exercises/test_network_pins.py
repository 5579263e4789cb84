"""Pins, fixed structure and fairness of the kinds graph, mlp and jacobian (issue 11).

Answers are checked against oracles written here: sympy.diff of the whole expression, a
SymPy Jacobian, and the lecture's MLP loops in plain NumPy, never symgrad's own engine.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import sympy

from symgrad.errors import SymgradError
from symgrad.exercises import DIFFICULTIES, make_exercise
from symgrad.exercises.base import GUESSES, guessing_score
from symgrad.exercises.homework import build
from symgrad.exercises.spec import load_spec
from symgrad.exercises.versions import versions_from_count

pytestmark = pytest.mark.slow  # builds 30-version homework sets per pin and sweeps seeds

NEURON = "1/(1 + exp(-(w0*x0 + w1*x1 + w2)))"
LECTURE_F1_F6 = [
    "mul",
    "mul",
    "add",
    "add",
    "neg",
    "exp",
    "addc",
    "recip",
]  # f1 f1 f2 f2 f4 f5 f3 f6
KINDS = ("graph", "mlp", "jacobian")


def _spec(tmp_path, body: str, kind: str, difficulty: str = "medium"):
    path = tmp_path / "spec.toml"
    path.write_text(
        f'title = "t"\n[[exercise]]\nid = "e1"\nkind = "{kind}"\npoints = 4\n'
        f'difficulty = "{difficulty}"\n{body}\n',
        encoding="utf-8",
    )
    return load_spec(path)


def _versions(spec, n: int = 30, seed: int = 11) -> list[dict]:
    """The exercise of every version, as index.json records it (question and answers)."""
    files = build(spec, seed, versions_from_count(n), formats=("json",))
    return [v["exercises"][0] for v in json.loads(files["index.json"])["versions"]]


def _answers(ex: dict) -> dict[str, float]:
    return {a["name"]: a["value"] for a in ex["answers"]}


def _graph_oracle(expr: str, point: dict) -> dict[str, float]:
    """f and ∂f/∂v by sympy.diff of the whole expression (test-only text we wrote)."""
    symbols = {name: sympy.Symbol(name) for name in point}
    f = sympy.sympify(expr.replace("^", "**"), locals=symbols)
    at = {symbols[n]: sympy.Rational(str(v)) for n, v in point.items()}
    out = {"f": float(f.subs(at))}
    out.update({f"df_d{n}": float(sympy.diff(f, s).subs(at)) for n, s in symbols.items()})
    return out


def _check(got: dict, expected: dict) -> None:
    assert set(got) <= set(expected), (got, expected)
    for name, value in got.items():
        assert math.isclose(value, expected[name], rel_tol=1e-9, abs_tol=1e-9), (
            name,
            value,
            expected[name],
        )


# --------------------------------------------------------------------------- graph pins


def test_sigmoid_neuron_at_primitive_is_the_lectures_f1_f6_circuit_in_every_version(tmp_path):
    from symgrad.derivation import structure

    spec = _spec(tmp_path, 'family = "sigmoid-neuron"\ngranularity = "primitive"', "graph")
    versions = _versions(spec)
    points = set()
    for ex in versions:
        q = ex["question"]
        assert q["expression"] == NEURON and q["granularity"] == "primitive"
        assert [n.op for n in structure(q["expression"], "primitive")[1].op_nodes] == LECTURE_F1_F6
        assert [a["name"] for a in ex["answers"]] == [
            "f",
            "df_dw0",
            "df_dx0",
            "df_dw1",
            "df_dx1",
            "df_dw2",
        ]
        _check(_answers(ex), _graph_oracle(q["expression"], q["point"]))
        points.add(tuple(q["point"].values()))
    assert len(points) > 20  # vary = "numbers": new numbers for each version


def test_expression_and_at_give_exactly_that_expression_and_point(tmp_path):
    spec = _spec(tmp_path, 'expression = "(x + y)*exp(z)"\nat = "x=1.5,y=-2,z=0.5"', "graph")
    expected = _graph_oracle("(x + y)*exp(z)", {"x": 1.5, "y": -2, "z": 0.5})
    for ex in _versions(spec):
        assert ex["question"]["expression"] == "(x + y)*exp(z)"
        assert ex["question"]["point"] == {"x": 1.5, "y": -2.0, "z": 0.5}
        _check(_answers(ex), expected)
        assert set(_answers(ex)) == set(expected)


def test_expression_without_at_keeps_the_expression_and_draws_the_point(tmp_path):
    spec = _spec(tmp_path, 'expression = "x*y + 3*z"', "graph", "easy")
    versions = _versions(spec)
    assert {ex["question"]["expression"] for ex in versions} == {"x*y + 3*z"}
    assert len({tuple(ex["question"]["point"].values()) for ex in versions}) > 20
    for ex in versions:  # ∂f/∂z = 3 everywhere: a constant blank, exempt from the rules
        _check(_answers(ex), _graph_oracle("x*y + 3*z", ex["question"]["point"]))


# --------------------------------------------------------------------------- mlp pins


def hand_network(q: dict) -> dict[str, object]:
    """The lecture's loops in NumPy for any hidden relu/sigmoid/tanh, output and loss, λ."""
    acts = {
        "relu": (lambda z: np.maximum(z, 0), lambda z, h: (z > 0) * 1.0),
        "sigmoid": (lambda z: 1 / (1 + np.exp(-z)), lambda z, h: h * (1 - h)),
        "tanh": (np.tanh, lambda z, h: 1 - h * h),
    }
    L = len(q["layers"]) - 1
    hidden = q["hidden"] if isinstance(q["hidden"], list) else [q["hidden"]] * (L - 1)
    W = [np.array(q[f"W{k}"], dtype=float) for k in range(1, L + 1)]
    b = [np.array(q[f"b{k}"], dtype=float) for k in range(1, L + 1)]
    y, lam = np.array(q["y"], dtype=float), q["l2"]
    hs, zs = [np.array(q["x"], dtype=float)], []
    for k in range(L):
        z = W[k] @ hs[-1] + b[k]
        zs.append(z)
        if k < L - 1:
            hs.append(acts[hidden[k]][0](z))
        elif q["output"] == "softmax":
            hs.append(np.exp(z) / np.exp(z).sum())
        elif q["output"] == "sigmoid":
            hs.append(1 / (1 + np.exp(-z)))
        else:
            hs.append(z)
    p = hs[-1]
    if q["loss"] == "mse":
        loss = 0.5 * ((p - y) ** 2).sum()
        r = p - y
        g = {"softmax": p * (r - (p * r).sum()), "sigmoid": r * p * (1 - p), "linear": r}[
            q["output"]
        ]
    else:
        loss = (
            -(y * np.log(p)).sum()
            if q["output"] == "softmax"
            else -(y * np.log(p) + (1 - y) * np.log(1 - p)).sum()
        )
        g = p - y
    out = {"J": loss + lam / 2 * sum((w * w).sum() for w in W)}
    out.update({f"yhat{j + 1}": p[j] for j in range(len(p))})
    for k in range(L, 0, -1):
        if k < L:
            g = g * acts[hidden[k - 1]][1](zs[k - 1], hs[k])
        gw = np.outer(g, hs[k - 1]) + lam * W[k - 1]
        out.update({f"db{k}_{j + 1}": g[j] for j in range(len(g))})
        out.update(
            {
                f"dw{k}_{i + 1}{j + 1}": gw[j, i]
                for j in range(gw.shape[0])
                for i in range(gw.shape[1])
            }
        )
        g = W[k - 1].T @ g
    return out


def test_softmax_and_cross_entropy_pinned_give_them_in_every_version(tmp_path):
    spec = _spec(tmp_path, 'output = "softmax"\nloss = "ce"', "mlp", "medium")
    for ex in _versions(spec):
        q = ex["question"]
        assert (q["output"], q["loss"]) == ("softmax", "ce")
        _check(_answers(ex), hand_network(q))


@pytest.mark.parametrize(
    "body,output,loss",
    [
        (
            'layers = [2, 3, 2]\nhidden = "tanh"\noutput = "sigmoid"\nloss = "mse"\nl2 = 0.1',
            "sigmoid",
            "mse",
        ),
        (
            'layers = [3, 3, 2, 2]\nhidden = ["relu", "sigmoid"]\noutput = "softmax"\nloss = "mse"',
            "softmax",
            "mse",
        ),
        ('output = "linear"', "linear", "mse"),
    ],
)
def test_the_mlp_follows_the_specs_loss_and_l2(tmp_path, body, output, loss):
    spec = _spec(tmp_path, body, "mlp", "easy")
    for ex in _versions(spec, 12):
        q = ex["question"]
        assert (q["output"], q["loss"]) == (output, loss)
        _check(_answers(ex), hand_network(q))
        if "l2 = 0.1" in body:
            assert q["l2"] == 0.1 and "no_regularization" in {
                alt["mistake"] for a in ex["answers"] for alt in a["alternatives"]
            }
            assert "\\frac{0.1}{2}" in ex["prompt"]


def test_a_pinned_network_file_gives_its_numbers_to_every_version(tmp_path):
    network = {
        "W1": [[0.5, -1.0], [1.5, 0.5], [-0.5, 1.0]],
        "b1": [0.5, -0.5, 0.5],
        "W2": [[1.0, -0.5, 0.5], [-1.0, 0.5, 1.5]],
        "b2": [0.0, 0.5],
        "x": [1.0, 2.0],
        "y": [0.0, 1.0],
    }
    (tmp_path / "net.json").write_text(json.dumps(network), encoding="utf-8")
    spec = _spec(
        tmp_path, f"layers = [2, 3, 2]\nparams = {json.dumps(str(tmp_path / 'net.json'))}", "mlp"
    )
    versions = _versions(spec, 10)
    assert len({json.dumps(ex["answers"]) for ex in versions}) == 1
    q = versions[0]["question"]
    assert all(q[k] == v for k, v in network.items())
    _check(_answers(versions[0]), hand_network(q))


# --------------------------------------------------------------------------- jacobian pins


def test_jacobian_y_z_and_at_pinned(tmp_path):
    spec = _spec(
        tmp_path, 'y = ["x1*x2", "x2 + 2*x3"]\nz = "y1*y2"\nat = "x1=1,x2=2,x3=3"', "jacobian"
    )
    x = sympy.symbols("x1:4")
    ys = sympy.Matrix([x[0] * x[1], x[1] + 2 * x[2]])
    at = dict(zip(x, (1, 2, 3)))
    J = ys.jacobian(x).subs(at)
    gy = sympy.Matrix([ys[1], ys[0]]).subs(at)  # z = y1 y2
    gx = J.T * gy
    expected = {f"dz_dy{j + 1}": float(gy[j]) for j in range(2)}
    expected.update({f"J{j + 1}{i + 1}": float(J[j, i]) for j in range(2) for i in range(3)})
    expected.update({f"dz_dx{i + 1}": float(gx[i]) for i in range(3)})
    for ex in _versions(spec, 10):
        assert ex["question"]["y"] == ["x1*x2", "x2 + 2*x3"] and ex["question"]["z"] == "y1*y2"
        assert ex["question"]["x"] == {"x1": 1.0, "x2": 2.0, "x3": 3.0}
        got = _answers(ex)
        assert set(got) == set(expected)  # J12 = x1 = 1, J23 = 2: asked, as pinned
        _check(got, expected)


# --------------------------------------------------------------------------- bad pins

BAD = [
    ("graph", 'family = "nope"', "family", "expected one of random"),
    ("graph", "granularity = true", "granularity", "expected one of"),
    ("graph", 'at = "x=1"', "at", "needs a pinned expression"),
    ("graph", 'expression = "x +"', "expression", ""),
    ("graph", 'expression = "3 + 4"', "expression", "constant"),
    ("graph", 'expression = "x*y"\nfamily = "cs231n"', "family", "not both"),
    ("graph", 'expression = "x*y"\nat = "x=1"', "at", "no value for y"),
    ("graph", 'expression = "relu(x)*y"\nat = "x=0,y=2"', "at", "kink"),
    ("graph", 'expression = "log(x)*y"\nat = "x=-1,y=2"', "at", ""),
    ("graph", 'expression = "x*y"\nat = "x=1/3,y=2"', "at", "shown exactly"),
    ("graph", 'expression = "x*y"\nat = 5', "at", "NAME=VALUE"),
    (
        "graph",
        'expression = "' + "+".join(f"x{i}*y{i}" for i in range(4)) + '"',
        "expression",
        "at most 6",
    ),
    ("mlp", "layers = [3, 40, 2]", "layers", "at most 5 units"),
    ("mlp", "layers = [2, 2]", "layers", "hidden layer"),
    ("mlp", "layers = [2, true, 2]", "layers", "positive integer"),
    ("mlp", 'hidden = "nope"', "hidden", "expected one of"),
    ("mlp", 'hidden = ["relu", "tanh"]', "hidden", "needs layers"),
    ("mlp", 'output = "linear"\nloss = "ce"', "loss", "ce needs output"),
    ("mlp", "l2 = nan", "l2", "finite"),
    ("mlp", "l2 = -1", "l2", "from 0"),
    ("mlp", "l2 = true", "l2", "expected a number"),
    ("mlp", 'layers = [2, 3, 1]\noutput = "softmax"', "output", "softmax needs"),
    ("mlp", 'params = "net.json"', "params", "needs layers"),
    ("mlp", 'layers = [2, 3, 2]\nparams = "no-such-file.json"', "params", "no-such-file"),
    ("jacobian", 'y = ["x1*x2"]', "y", "needs z"),
    ("jacobian", 'z = "y1"', "z", "needs y"),
    ("jacobian", 'y = ["x1", "x2"]\nz = "y1*y3"', "z", "y3"),
    ("jacobian", 'y = ["x1*x2*x3*x4"]\nz = "y1"', "y", "at most 3"),
    ("jacobian", 'y = ["x1*x2"]\nz = "y1"\nat = "x1=1"', "at", "x2"),
    ("jacobian", 'y = 3\nz = "y1"', "y", "expected text or a list"),
    ("jacobian", 'y = ["x1 +"]\nz = "y1"', "y", ""),
]


@pytest.mark.parametrize("kind,body,key,words", BAD)
def test_a_wrong_pin_is_one_clear_error_naming_the_exercise_and_key(
    tmp_path, kind, body, key, words
):
    with pytest.raises(SymgradError) as err:
        _spec(tmp_path, body, kind)
    message = str(err.value)
    assert f"exercise[1].{key}: " in message and words in message, message
    assert "\n" not in message


# --------------------------------------------------------------------------- structure


def _structure(ex) -> tuple:
    q = ex.data
    if ex.kind == "graph":
        return q["expression"], q["granularity"]
    if ex.kind == "mlp":
        return tuple(q["layers"]), str(q["hidden"]), q["output"], q["loss"], ex.answers[1].name
    return tuple(q["y"]), q["z"]


@pytest.mark.slow
@pytest.mark.parametrize("kind", KINDS)
def test_the_structure_comes_from_the_structure_generator_alone(kind):
    """vary = "numbers": the same structure seed and different number seeds give the same
    structure, new numbers; different structure seeds give different structures."""
    shapes = set()
    for difficulty in DIFFICULTIES:
        for structure_seed in range(8):
            exercises = [
                make_exercise(kind, seed, difficulty, structure_seed=structure_seed)
                for seed in (1, 2, 3)
            ]
            assert len({_structure(ex) for ex in exercises}) == 1, structure_seed
            assert len({ex.fingerprint() for ex in exercises}) == 3
            shapes.add(_structure(exercises[0]))
    assert len(shapes) > 3


# --------------------------------------------------------------------------- fairness


@pytest.mark.slow
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("difficulty", DIFFICULTIES)
def test_versions_are_fair_and_guessing_does_not_pay(kind, difficulty, fuzz_factor):
    """Over 100 seeds (1000 with --fuzz-long): the same number of blanks and weights in every
    draw, a mean guessing score of at most 5 %, no exercise whose answers are all 0 or ±1,
    and no partial-credit answer a guess of 0 or ±1 would collect."""
    n = 100 * fuzz_factor
    layouts, scores = set(), []
    for seed in range(n):
        ex = make_exercise(kind, seed, difficulty)
        layouts.add(tuple(a.weight for a in ex.answers))
        scores.append(guessing_score(ex))
        assert not all(any(abs(a.value - g) <= a.tol for g in GUESSES) for a in ex.answers)
        for a in ex.answers:
            assert not any(abs(alt.value - g) <= a.tol for alt in a.alternatives for g in GUESSES)
    assert len(layouts) == 1, layouts
    assert sum(scores) / n <= 0.05


def test_chinese_keys_of_these_kinds_have_no_english_sentences(tmp_path):
    import re

    path = tmp_path / "spec.toml"
    path.write_text(
        'title = "t"\n'
        '[[exercise]]\nid = "g"\nkind = "graph"\npoints = 3\n'
        'family = "sigmoid-neuron"\ngranularity = "primitive"\n'
        '[[exercise]]\nid = "m"\nkind = "mlp"\npoints = 3\nlayers = [2, 3, 2]\n'
        'hidden = "sigmoid"\nloss = "mse"\nl2 = 0.1\n'
        '[[exercise]]\nid = "h"\nkind = "mlp"\npoints = 3\ndifficulty = "hard"\n'
        '[[exercise]]\nid = "j"\nkind = "jacobian"\npoints = 3\n',
        encoding="utf-8",
    )
    files = build(load_spec(path), 5, versions_from_count(3), formats=("markdown",), lang="zh")
    for name, content in files.items():
        if not name.endswith("key.md"):
            continue
        prose = re.sub(r"\$\$.*?\$\$|\$.*?\$|`[^`]*`", " ", content, flags=re.S)
        english = re.findall(r"\b[A-Za-z]{3,}(?: [A-Za-z]{2,}){2,}", prose)
        assert not english, (name, english)
