"""The ``mlp`` kind's cheap screen: it rejects only draws the full test rejects, and each of
its rules catches the draw it is about."""

import numpy as np
import pytest

from symgrad.exercises.base import GUESSES, KINK_MARGIN, Rejected, clean
from symgrad.exercises.fair import near_guess
from symgrad.exercises.network import Network, draw_arrays, exercise_for
from symgrad.exercises.network_pins import HIDDEN, SHAPES, resolve
from symgrad.exercises.network_screen import screen, surely_unclean
from symgrad.mlp.spec import make_spec


def _networks():
    """Every shape of every difficulty, and every hidden activation and output/loss pair."""
    out = []
    for difficulty, shapes in SHAPES.items():
        for shape in shapes:
            layers, hidden, output, loss, l2 = resolve({}, shape)
            out.append((difficulty, layers, hidden, output, loss, l2))
    for name in HIDDEN:
        out.append(("medium", (2, 3, 2), (name,), "softmax", "ce", 0.0))
    out.append(("medium", (2, 3, 3, 2), ("relu", "tanh"), "softmax", "ce", 0.0))
    out.append(("medium", (2, 3, 2), ("hardtanh",), "sigmoid", "ce", 0.0))
    out.append(("medium", (2, 3, 1), ("sigmoid",), "sigmoid", "mse", 0.1))
    out.append(("medium", (2, 3, 2), ("elu",), "linear", "mse", 0.0))
    return out


@pytest.mark.parametrize(("difficulty", "layers", "hidden", "output", "loss", "l2"), _networks())
def test_screen_rejects_only_what_the_full_test_rejects(
    difficulty, layers, hidden, output, loss, l2
):
    spec = make_spec(list(layers), list(hidden), output, loss, l2)
    net = Network(spec, sum(layers) % layers[-1], 0.5 if difficulty == "medium" else 1.0)
    rng = np.random.default_rng(sum(layers) + len(hidden[0]))
    screened = passed = 0
    for _ in range(300):
        arrays = draw_arrays(rng, spec, net.x_step)
        numbers = {k: v.tolist() for k, v in arrays.items()}
        try:
            screen(spec, arrays, KINK_MARGIN, net.out)
        except Rejected:
            screened += 1
            with pytest.raises(Rejected):  # the full test rejects it too
                exercise_for(difficulty, net, numbers, np.random.default_rng(0), final=False)
            continue
        try:
            exercise_for(difficulty, net, numbers, np.random.default_rng(0), final=False)
            passed += 1
        except Rejected:
            pass
    assert screened > 0 or hidden[0] in ("tanh", "sigmoid", "softplus", "swish")
    assert passed > 0  # the screen leaves the kind clean draws


def _arrays(b1, x=(1.0, 1.0), y=(1.0, 0.0), w2=((1.0, -1.0), (-1.0, 1.0)), b2=(0.0, 0.0)):
    return {
        "W1": np.array([[1.0, 0.0], [0.0, 1.0]]),
        "b1": np.array(b1, dtype=float),
        "W2": np.array(w2, dtype=float),
        "b2": np.array(b2, dtype=float),
        "x": np.array(x, dtype=float),
        "y": np.array(y, dtype=float),
    }


RELU = make_spec([2, 2, 2], ["relu"])


def test_a_clean_draw_passes():
    screen(RELU, _arrays([0.5, 1.5], y=(0.0, 1.0)), KINK_MARGIN)
    screen(RELU, _arrays([-2.0, 0.5]), KINK_MARGIN)  # half the units pass: fine


@pytest.mark.parametrize(
    ("spec", "arrays", "why"),
    [
        (RELU, _arrays([-0.9, 0.5]), "kink"),  # z1 = 0.1: within the margin of 0
        (RELU, _arrays([-0.8, 0.5]), "kink"),  # z1 = 0.2: the margin itself still counts
        (RELU, _arrays([-2.0, -3.0]), "dead units"),
        (make_spec([2, 2, 2], ["tanh"]), _arrays([2.5, 0.5]), "saturated"),
        (RELU, _arrays([0.5, 1.5], y=(1.0, 0.0), w2=((4.0, 0.0), (0.0, 0.0))), "ŷ − y"),
        (RELU, _arrays([0.5, 1.5], y=(0.0, 1.0), w2=((4.5, 0.0), (0.0, 0.0))), "logit"),
    ],
)
def test_each_rule_rejects_its_draw(spec, arrays, why):
    with pytest.raises(Rejected, match=why):
        screen(spec, arrays, KINK_MARGIN)


def test_j_and_the_output_asked_are_screened_when_surely_unclean():
    spec = make_spec([2, 2, 2], ["relu"], "softmax", "ce", 0.5)
    # z1 = (1.5, 2.5), ŷ = softmax(-1, 1) = (0.119, 0.881): y = e2, so J = -log 0.881 + λΩ
    arrays = _arrays([0.5, 1.5], y=(0.0, 1.0))
    screen(spec, arrays, KINK_MARGIN, 0)
    screen(spec, arrays, KINK_MARGIN, 1)
    small = _arrays([0.5, 1.5], w2=((-1.0, -1.5), (1.0, 0.5)))  # ŷ1 = 0.0003, y = e1
    with pytest.raises(Rejected, match="yhat1"):
        screen(spec, small, KINK_MARGIN, 0)
    screen(spec, small, KINK_MARGIN)  # without out: the answers are not screened


def test_surely_unclean_is_inside_what_the_full_rules_reject():
    rng = np.random.default_rng(3)
    values = np.concatenate(
        [
            rng.uniform(-3, 3, 4000),
            rng.uniform(-0.05, 0.05, 1000),
            [g * f for g in GUESSES for f in (0.9, 1 / 0.9, 1.1, 1 / 1.1)],
            [0.02, -0.02, 1000.0, 1000.0001, float("inf"), float("nan")],
        ]
    )
    caught = 0
    for value in map(float, values):
        if surely_unclean(value):
            caught += 1
            rejected = near_guess(value, 0.1 * abs(value))
            if not rejected:
                with pytest.raises(Rejected):
                    clean(value)
    assert caught > 500
    assert not surely_unclean(0.5) and surely_unclean(0.95) and surely_unclean(0.019)
