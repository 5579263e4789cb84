"""leaky_relu, elu and swish, added as one op record each: every path uses them, and every
number matches an oracle written here (SymPy's own Max/exp, hand NumPy, finite differences).

PyTorch's defaults: LeakyReLU(negative_slope=0.01), ELU(alpha=1), SiLU (swish).
"""

from __future__ import annotations

import json

import numpy as np
import pytest
import sympy
from click.testing import CliRunner
from conftest import require_tool

from symgrad import ops
from symgrad.cli import cli
from symgrad.derivation import derive
from symgrad.mlp import make_spec, random_params, run_mlp
from symgrad.render import render

NEW = ("leaky_relu", "elu", "swish")
w, x, b = sympy.symbols("w x b", real=True)


def oracle(name, z):
    """Each activation written with SymPy's own functions, independent of symgrad's records."""
    return {
        "leaky_relu": sympy.Max(z / 100, z),
        "elu": sympy.Piecewise((z, z > 0), (sympy.exp(z) - 1, True)),
        "swish": z / (1 + sympy.exp(-z)),
    }[name]


def np_oracle(name, z):
    return {
        "leaky_relu": np.where(z > 0, z, 0.01 * z),
        "elu": np.where(z > 0, z, np.expm1(np.minimum(z, 0))),
        "swish": z / (1 + np.exp(-z)),
    }[name]


def np_oracle_derivative(name, z):
    s = 1 / (1 + np.exp(-z))
    return {
        "leaky_relu": np.where(z > 0, 1.0, 0.01),
        "elu": np.where(z > 0, 1.0, np.exp(np.minimum(z, 0))),
        "swish": s + z * s * (1 - s),
    }[name]


def test_the_new_ops_are_activations_callable_by_name():
    assert set(NEW) <= set(ops.activations())
    assert set(NEW) <= set(ops.functions())
    help_text = CliRunner().invoke(cli, ["mlp", "--help"]).output
    for name in NEW:
        assert name in help_text


@pytest.mark.parametrize("name", NEW)
@pytest.mark.parametrize("z", [-2.5, -0.7, 0.3, 1.9])
def test_record_forward_and_derivative_match_the_oracle(name, z):
    op = ops.get(name)
    assert op.numpy(z) == pytest.approx(float(np_oracle(name, np.float64(z))), rel=1e-12)
    h = op.numpy(np.array([z]))
    assert op.derivative(np.array([z]), h)[0] == pytest.approx(
        float(np_oracle_derivative(name, np.float64(z))), rel=1e-12
    )
    exact = sympy.diff(oracle(name, x), x).subs(x, sympy.Float(z, 30))
    assert float(op.partials[0](sympy.Float(z, 30))) == pytest.approx(float(exact), rel=1e-12)


def test_the_issue_expression_against_sympy_diff_and_finite_differences():
    at = {"w": 2.0, "x": -1.0, "b": 0.5}
    d = derive("leaky_relu(w*x+b)*swish(x)", at="w=2,x=-1,b=0.5")
    assert d.check.passed is True
    f = oracle("leaky_relu", w * x + b) * oracle("swish", x)
    point = {w: sympy.Rational(2), x: sympy.Rational(-1), b: sympy.Rational(1, 2)}
    for s in (w, x, b):
        exact = float(sympy.diff(f, s).subs(point))
        assert d.gradients[s.name].value == pytest.approx(exact, rel=1e-12)
        up, down = dict(at), dict(at)
        up[s.name] += 1e-6
        down[s.name] -= 1e-6
        fd = (
            float(f.subs({w: up["w"], x: up["x"], b: up["b"]}))
            - float(f.subs({w: down["w"], x: down["x"], b: down["b"]}))
        ) / 2e-6
        assert d.gradients[s.name].value == pytest.approx(fd, rel=1e-6)


@pytest.mark.parametrize("name", NEW)
@pytest.mark.parametrize("granularity", ["written", "primitive", "gate"])
def test_every_granularity_gives_the_same_gradients(name, granularity):
    expr = f"{name}(w*x + b) * x"
    d = derive(expr, at="w=0.7,x=-1.3,b=0.4", granularity=granularity)
    f = oracle(name, w * x + b) * x
    point = {w: sympy.Rational(7, 10), x: sympy.Rational(-13, 10), b: sympy.Rational(2, 5)}
    for s in (w, x, b):
        assert d.gradients[s.name].value == pytest.approx(
            float(sympy.diff(f, s).subs(point)), rel=1e-10
        )
    assert d.check.passed is True


def test_gate_granularity_fuses_the_written_forms():
    nodes = lambda text: [n.op for n in derive(text, at="x=0.3", granularity="gate").graph.nodes]  # noqa: E731
    assert "swish" in nodes("x*sigmoid(x)")
    assert "swish" in nodes("x/(1 + exp(-x))")
    assert "elu" in nodes("max(x, 0) + exp(min(x, 0)) - 1")


def test_leaky_relu_at_its_kink_is_inconclusive_with_the_left_slope():
    d = derive("leaky_relu(x)", at="x=0")
    assert d.gradients["x"].value == pytest.approx(0.01)  # the left derivative, as relu's 0
    assert d.check.passed is None


def hand_mlp_gradients(spec, params, name):
    """The lecture's backward loop written out with the NumPy oracle (softmax + CE output)."""
    hs, zs = [params.x], []
    for k in range(1, spec.depth + 1):
        z = params.weights[k - 1] @ hs[-1] + params.biases[k - 1]
        zs.append(z)
        if k < spec.depth:
            hs.append(np_oracle(name, z))
        else:
            e = np.exp(z - z.max())
            hs.append(e / e.sum())
    g, grads = hs[-1] - params.y, {}
    for k in range(spec.depth, 0, -1):
        if k < spec.depth:
            g = g * np_oracle_derivative(name, zs[k - 1])
        grads[f"W{k}"], grads[f"b{k}"] = np.outer(g, hs[k - 1]), g
        g = params.weights[k - 1].T @ g
    return grads


@pytest.mark.parametrize("name", NEW)
def test_mlp_with_each_new_hidden_activation(name):
    spec = make_spec("3,4,3,2", hidden=name)
    params = random_params(spec, 1)
    result = run_mlp(spec, params)
    assert result.check.passed is True and result.scalar_check.passed is True
    for key, value in hand_mlp_gradients(spec, params, name).items():
        np.testing.assert_allclose(result.gradients[key], value, rtol=1e-10, atol=1e-14)


def test_the_issue_mlp_command_passes_its_checks():
    run = CliRunner().invoke(
        cli, ["mlp", "--layers", "3,4,3,2", "--hidden", "elu", "--seed", "1", "--format", "json"]
    )
    assert run.exit_code == 0, run.output
    data = json.loads(run.output)
    assert data["check"]["passed"] is True and data["scalar_check"]["passed"] is True
    spec = make_spec("3,4,3,2", hidden="elu")
    hand = hand_mlp_gradients(spec, random_params(spec, 1), "elu")
    for key, value in hand.items():
        np.testing.assert_allclose(data["gradients"][key], value, rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("fmt", ["text", "json", "markdown", "latex", "dot"])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_format_shows_the_new_activations(fmt, lang):
    d = derive("leaky_relu(w*x+b)*swish(x) + elu(x)", at="w=2,x=-1,b=0.5")
    out = render(d, fmt, lang=lang)
    for name in NEW:
        assert name.replace("_", r"\_") in out or name in out, (fmt, name)
    spec = make_spec("2,3,2", hidden="leaky_relu")
    mlp = run_mlp(spec, random_params(spec, 2))
    shown = render(mlp, fmt, lang=lang)
    assert "leaky" in shown
    if fmt == "text":
        assert "g ⊙ (1[z^(1) > 0] + 0.01·1[z^(1) ≤ 0])" in shown


@pytest.mark.parametrize("name", NEW)
def test_activation_exercise_uses_each_new_activation_with_right_answers(name):
    from symgrad.exercises import make_exercise

    found = None
    for seed in range(400):
        ex = make_exercise("activation", seed, "medium")
        if ex.data["function"] == name:
            found = ex
            break
    assert found is not None, f"{name} never drawn in 400 seeds"
    w, examples = found.data["weights"], found.data["examples"]
    answers = {a.name: a.value for a in found.answers}
    dw1 = 0.0
    for n, e in enumerate(examples, 1):
        z = w["w1"] * e["x1"] + w["w2"] * e["x2"] + w["b"]
        assert answers[f"z{n}"] == pytest.approx(z, abs=1e-9)
        dw1 += e["upstream"] * float(np_oracle_derivative(name, np.float64(z))) * e["x1"]
    assert answers["dL_dw1"] == pytest.approx(dw1, abs=5e-3)


def test_homework_with_the_activation_kind_writes_every_format(tmp_path):
    spec = tmp_path / "hw.toml"
    spec.write_text(
        'title = "Activations"\n'
        + "".join(
            f'[[exercise]]\nid = "a{i}"\nkind = "activation"\ndifficulty = "hard"\npoints = 2\n'
            for i in range(4)
        )
    )
    out = tmp_path / "out"
    run = CliRunner().invoke(
        cli,
        ["homework", str(spec), "--versions", "12", "--seed", "3", "--out", str(out), "--quiet"],
    )
    assert run.exit_code == 0, run.output
    keys = "".join(p.read_text(encoding="utf-8") for p in out.rglob("*.json"))
    assert any(name in keys for name in NEW)


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_latex_with_the_new_activations_compiles(lang):
    from symgrad.render import render_pdf

    require_tool("xelatex" if lang == "zh" else "pdflatex", "pdftotext")
    d = derive("leaky_relu(w*x+b)*swish(x) + elu(x)", at="w=2,x=-1,b=0.5")
    text = pdf_text(render_pdf(d, lang=lang))
    assert "leaky" in text and "swish" in text and "elu" in text
    assert f"{d.gradients['x'].value:.4f}"[:6] in text.replace("\u2212", "-")
    spec = make_spec("3,4,3,2", hidden="swish,elu")
    text = pdf_text(render_pdf(run_mlp(spec, random_params(spec, 1)), lang=lang))
    assert "swish" in text and "elu" in text


def pdf_text(pdf: bytes) -> str:
    import subprocess

    assert pdf.startswith(b"%PDF-")
    return subprocess.run(
        ["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True, timeout=30
    ).stdout.decode("utf-8")
