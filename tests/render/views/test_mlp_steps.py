"""The MLP's matrix-form steps in the lecture's notation (DESIGN.md): z = W h + b, h = g(z),
g ← ŷ − y for softmax with cross-entropy, ∇_b = g, ∇_W = g hᵀ, g ← Wᵀ g, g ← g ⊙ g′(z)."""

from __future__ import annotations

import pytest

from symgrad.mlp import (
    make_spec,
    random_params,
    run_mlp,
)
from symgrad.ops import activations
from symgrad.render.views.mlp_steps import (
    activation_forms,
    derivative_rule,
    h_tex,
    h_text,
    step_lines,
    vec,
)


@pytest.fixture(scope="module")
def lecture():
    spec = make_spec("3,4,3,2", hidden="relu", output="softmax", loss="ce")
    return spec, run_mlp(spec, random_params(spec, seed=1))


def test_forward_lines_are_the_lectures_loop(lecture):
    _, result = lecture
    texts = [line["text"] for line in step_lines(result)]
    assert texts[:8] == [
        "z^(1) = W^(1) x + b^(1)",
        "h^(1) = relu(z^(1))",
        "z^(2) = W^(2) h^(1) + b^(2)",
        "h^(2) = relu(z^(2))",
        "z^(3) = W^(3) h^(2) + b^(3)",
        "ŷ = softmax(z^(3))",
        "L = −Σ y log ŷ",
        "J = L",
    ]


def test_backward_lines_start_fused_and_walk_down_the_layers(lecture):
    _, result = lecture
    lines = step_lines(result)[8:]
    assert lines[0]["text"] == "g ← ∇_z^(3) J = ŷ − y" and lines[0]["note"] == "fused_softmax"
    texts = [line["text"] for line in lines]
    assert texts[1:4] == ["∇_b^(3) J = g", "∇_W^(3) J = g h^(2)ᵀ", "g ← ∇_h^(2) J = W^(3)ᵀ g"]
    assert any(t.startswith("∇_W^(1) J = g xᵀ") for t in texts)
    assert not any("W^(0)" in t or "h^(3)" in t for t in texts)


def test_notation_helpers():
    assert vec("z", 2) == r"\mathbf{z}^{(2)}"
    assert vec("W", 1, True) == r"\mathbf{W}^{(1)\top}"
    assert (h_tex(0), h_tex(2)) == (r"\mathbf{x}", r"\mathbf{h}^{(2)}")
    assert (h_text(0), h_text(1)) == ("x", "h^(1)")


def test_activation_and_derivative_rules(lecture):
    spec, _ = lecture
    assert activation_forms(spec, 1)[1] == "relu(z^(1))"
    assert derivative_rule(spec, 1)[1] == "g ⊙ 1[z^(1) > 0]"
    assert derivative_rule(spec, 3)[1] == "(diag(ŷ) − ŷŷᵀ) g"  # softmax's Jacobian
    tanh = make_spec("2,3,2", hidden="tanh", output="softmax", loss="ce")
    assert derivative_rule(tanh, 1)[1] == "g ⊙ (1 − h^(1)²)"  # tanh′ = 1 − tanh²
    sigmoid = make_spec("2,3,2", hidden="sigmoid", output="softmax", loss="ce")
    assert derivative_rule(sigmoid, 1)[1] == "g ⊙ (h^(1) ⊙ (1 − h^(1)))"  # σ′ = σ(1 − σ)


@pytest.mark.parametrize("name", activations())
def test_an_activation_derivative_of_several_terms_is_parenthesized_after_odot(name):
    """g ⊙ g'(z): a sum in g'(z) (swish, leaky_relu, tanh) must be bracketed, in LaTeX and text."""
    from symgrad.render.views.mlp_steps import derivative_rule

    latex, text = derivative_rule(make_spec("2,2,2", hidden=name), 1)
    rest_tex, rest_text = latex.split(r"\odot ", 1)[1], text.split("⊙ ", 1)[1]
    if " + " in rest_tex or " - " in rest_tex:
        assert rest_tex.startswith(r"\left(") and rest_tex.endswith(r"\right)"), latex
    if " + " in rest_text or " − " in rest_text:
        assert rest_text.startswith("(") and rest_text.endswith(")"), text
