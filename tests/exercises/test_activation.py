"""Exercise kinds read the op records and call the library: every activation record is an
activation exercise with right answers, a new record needs no other edit, and the MLP kind's
mistakes and bilingual notes come from the library's own pass.

Oracles: ``sympy.diff`` of an activation's elementary form, central differences of its NumPy
forward, and hand NumPy loops for the MLP, never the kind's own earlier output.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import sympy
from conftest import ROOT, hand_mlp

from symgrad import ops
from symgrad.exercises import DIFFICULTIES, activation, make_exercise
from symgrad.exercises.base import KINK_MARGIN, MIN_ANSWER, rng_for

Z = sympy.Symbol("z", real=True)


def _elementary(name: str):
    """The activation in SymPy's own functions (never the record's derivative)."""
    return ops.elementary(ops.get(name).forward(Z))


def _fd(f, z: float, h: float = 1e-6) -> float:
    return (float(f(z + h)) - float(f(z - h))) / (2 * h)


def test_the_kind_draws_exactly_the_activation_function_records_in_registry_order():
    expected = [name for name, op in ops.OPS.items() if op.activation and op.function]
    assert list(activation.functions()) == expected
    listed = f"{', '.join(expected[:-1])} or {expected[-1]}"  # registry order
    assert f"derive g′ of {listed} and evaluate" in activation.KIND.summary


def _batch_oracle(data: dict, slope) -> dict[str, float]:
    """Every answer of an activation exercise from its data, with ``slope`` as g′."""
    w, examples = data["weights"], data["examples"]
    zs = [w["w1"] * e["x1"] + w["w2"] * e["x2"] + w["b"] for e in examples]
    dz = [e["upstream"] * slope(z) for e, z in zip(examples, zs)]
    out = {f"z{n}": z for n, z in enumerate(zs, 1)}
    out.update(
        dL_dw1=sum(d * e["x1"] for d, e in zip(dz, examples)),
        dL_dw2=sum(d * e["x2"] for d, e in zip(dz, examples)),
        dL_db=sum(dz),
    )
    return out


@pytest.mark.parametrize("name", activation.functions())
@pytest.mark.parametrize("difficulty", DIFFICULTIES)
def test_every_activation_record_gives_right_answers(name, difficulty):
    """z and the mini-batch gradients against sympy.diff of the elementary form and finite
    differences of the NumPy forward; the generic rejection rules hold; a kinked activation
    has examples on both sides of its kink."""
    g = _elementary(name)
    dg = sympy.diff(g, Z)
    forward = ops.get(name).numpy
    kinks = ops.kink_points(name)

    def slope(z):
        exact = float(dg.subs(Z, sympy.Rational(str(z))))
        assert exact == pytest.approx(_fd(forward, z), abs=1e-6)
        return exact

    for seed in range(8):
        ex = activation.exercise_for(rng_for(seed), difficulty, name)
        expected = _batch_oracle(ex.data, slope)
        assert {a.name for a in ex.answers} <= set(expected)
        for a in ex.answers:
            assert a.value == pytest.approx(expected[a.name], rel=1e-9, abs=1e-12), (seed, a.name)
        zs = [expected[f"z{n}"] for n in range(1, len(ex.data["examples"]) + 1)]
        assert all(abs(z) <= activation.SATURATION for z in zs)
        if kinks:
            assert min(abs(z - k) for z in zs for k in kinks) >= KINK_MARGIN
            assert len({sum(z > k for k in kinks) for z in zs}) >= 2, (seed, zs)


@pytest.mark.parametrize("name", activation.functions())
def test_worked_solution_shows_the_records_definition_and_derivative(name):
    ex = activation.exercise_for(rng_for(3), "medium", name)
    definition, derivative = activation.formulas(name)
    assert definition in ex.prompt["en"] and definition in ex.prompt["zh"]
    assert ex.solution[0]["math"] == derivative
    # the printed derivative is the record's partial, which must equal d/dz of the definition
    partial = ops.get(name).partials[0](Z)
    for z in (-2.5, -0.7, 0.4, 1.6, 2.9):
        if any(abs(z - k) < 0.1 for k in ops.kink_points(name)):
            continue
        at = sympy.Rational(str(z))
        assert float(ops.elementary(partial).subs(Z, at)) == pytest.approx(
            float(sympy.diff(_elementary(name), Z).subs(Z, at)), abs=1e-12
        )


NEW_RECORDS = textwrap.dedent(r"""
    import json, sys
    import numpy as np
    from symgrad import ops

    def _sig(x):
        return 1 / (1 + np.exp(-np.asarray(x, dtype=float)))

    ops.OPS["lrelu"] = ops.Op(
        "lrelu", 1, "lrelu(x)", ("Heaviside(x, 0)*9/10 + 1/10",),
        lambda x: np.where(np.asarray(x, dtype=float) > 0, x, 0.1 * np.asarray(x, dtype=float)),
        r"\mathrm{lrelu}", "lrelu", "max(x/10, x)", tex=r"\operatorname{lrelu}",
        kink_at=("x",), function=True, elementary="max(x/10, x)", activation=True,
        derivative=lambda z, h: np.where(z > 0, 1.0, 0.1))
    ops.OPS["silu_t"] = ops.Op(
        "silu_t", 1, "silu_t(x)", ("sigmoid(x)*(1 + x*(1 - sigmoid(x)))",),
        lambda x: np.asarray(x, dtype=float) * _sig(x), r"\mathrm{silu}", "silu",
        "x sigma(x)", tex=r"\operatorname{silu}", function=True,
        elementary="x/(1 + exp(-x))", activation=True,
        derivative=lambda z, h: _sig(z) + h * (1 - _sig(z)))
    for cache in (ops._namespace, ops._parse_evaluated, ops._sympy_callable, ops._written,
                  ops._lambdified):
        cache.cache_clear()
    from symgrad import parse
    parse.FUNCTIONS.update(ops.functions())

    from symgrad.exercises import activation
    from symgrad.exercises.base import rng_for
    from symgrad.render.printing import plain_math
    out = {"functions": list(activation.functions()), "summary": activation.KIND.summary,
           "cases": []}
    for name in ("lrelu", "silu_t"):
        for difficulty in ("easy", "medium", "hard"):
            for seed in range(6):
                ex = activation.exercise_for(rng_for(seed), difficulty, name)
                text = " ".join([plain_math(ex.prompt["en"])]
                                + [plain_math(line["math"]) for line in ex.solution])
                out["cases"].append({"name": name, "data": ex.data,
                                     "answers": {a.name: a.value for a in ex.answers},
                                     "text": text})
    json.dump(out, sys.stdout)
""")


@pytest.mark.slow
def test_a_new_activation_record_is_an_exercise_with_no_other_edit():
    """Two records that exist only in this subprocess (a kinked one and a smooth one): the
    kind lists them, and their answers match central differences of the record's forward."""
    proc = subprocess.run(
        [sys.executable, "-c", NEW_RECORDS], capture_output=True, text=True, cwd=ROOT, timeout=600
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout)
    assert out["functions"][-2:] == ["lrelu", "silu_t"]
    assert "lrelu" in out["summary"] and "silu_t" in out["summary"]
    forward = {"lrelu": lambda z: max(z / 10, z), "silu_t": lambda z: z / (1 + math.exp(-z))}
    for case in out["cases"]:
        answers, f = case["answers"], forward[case["name"]]
        expected = _batch_oracle(case["data"], lambda z, f=f: _fd(f, z))
        for name, value in answers.items():
            assert value == pytest.approx(expected[name], rel=1e-6, abs=1e-6), (case, name)
            assert abs(value) >= MIN_ANSWER
        zs = [answers[k] for k in answers if k.startswith("z")]
        if case["name"] == "lrelu":
            assert min(abs(z) for z in zs) >= KINK_MARGIN
            assert min(zs) < 0 < max(zs)  # the leaky side (slope 0.1) too, every time
        else:
            assert max(abs(z) for z in zs) <= activation.SATURATION
        assert "\\" not in case["text"] and "{" not in case["text"], case["text"]


# --------------------------------------------------------------------------- mlp


def _hand_mlp(data: dict, use_value: bool) -> dict[str, np.ndarray]:
    """The gradients of :func:`conftest.hand_mlp`."""
    return hand_mlp(data, use_value)[1]


def test_mlp_value_for_derivative_mistake_matches_a_hand_pass():
    found = 0
    for seed in range(60):
        ex = make_exercise("mlp", seed, "medium")
        if ex.data["hidden"] not in ("sigmoid", "tanh"):
            continue
        wrong = _hand_mlp(ex.data, use_value=True)
        for a in ex.answers:
            for alt in a.alternatives:
                if alt.mistake != "value_not_derivative":
                    continue
                what, rest = {"w": "W", "b": "b"}[a.name[1]], a.name[2:]
                k, sub = rest.split("_")
                idx = tuple(int(c) - 1 for c in sub)
                if what == "W":  # dw1_ij: the lecture's w_ij is row j, column i of W
                    idx = idx[::-1]
                assert int(k) == 1  # only the hidden layer's gradients carry this mistake
                assert alt.value == pytest.approx(wrong[f"{what}{k}"][idx], rel=1e-9), (seed, a)
                found += 1
    assert found >= 5


def test_mlp_solution_notes_are_translated():
    """The Chinese note of a step is the strings file's translation, not the English text."""
    for seed in range(40):
        ex = make_exercise("mlp", seed, "medium")
        notes = [line["note"] for line in ex.solution if line["note"]]
        if ex.data["hidden"] != "sigmoid" or not notes:
            continue
        assert all(n["en"] != n["zh"] for n in notes), notes
        assert any(any("\u4e00" <= c <= "\u9fff" for c in n["zh"]) for n in notes)
        return
    pytest.fail("no sigmoid network with notes among 40 seeds")


def test_mlp_kink_distance_comes_from_the_relu_records_kink():
    for seed in range(20):
        ex = make_exercise("mlp", seed, "hard")
        result = ex.derivation
        z = np.concatenate([result.values[f"z{k}"] for k in range(1, result.spec.depth)])
        assert ex.diagnostics["kink_distance"] == pytest.approx(float(np.min(np.abs(z))))


# --------------------------------------------------------------------------- mistakes


def test_value_for_derivative_mistake_covers_every_activation():
    """A softplus unit (not only σ and tanh): using ζ(z) for ζ′(z) in the chain rule."""
    from symgrad.exercises.chain import derive_at, mistakes

    d = derive_at("softplus(x*y)", {"x": 1.5, "y": -0.5})
    got = dict(mistakes(d, "x"))
    zeta = math.log1p(math.exp(1.5 * -0.5))
    assert got["value_not_derivative"] == pytest.approx(zeta * -0.5, rel=1e-12)
    sigma = 1 / (1 + math.exp(0.75))
    assert d.gradients["x"].value == pytest.approx(sigma * -0.5, rel=1e-12)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_prompt_sets_every_symbol_as_math(lang):
    """h, z, w and x are math: outside $...$ a sheet would print them as upright text."""
    import re

    for name in activation.functions():
        prompt = activation.exercise_for(rng_for(5), "medium", name).prompt[lang]
        text = re.sub(r"\$[^$]*\$", " ", prompt)
        assert not re.search(r"(?<![A-Za-z\\])[hzwxbL](?:_?\d)?(?![A-Za-z])", text), (name, text)
