"""Kind ``graph`` (exercises/circuit.py, circuit_shapes.py, circuit_point.py): circuits drawn
from the seed alone, pins checked, and every answer against sympy.diff of the whole function
at the displayed point (never symgrad's engine)."""

import pytest
import sympy

from symgrad.errors import SymgradError
from symgrad.exercises import circuit_shapes as shapes
from symgrad.exercises import make_exercise
from symgrad.exercises.circuit_point import exercise_at


def sympy_answers(expression: str, point: dict) -> dict[str, float]:
    """f and ∂f/∂v at the point, from SymPy alone (the kind's text uses SymPy's syntax)."""
    own = {
        "sigmoid": lambda t: 1 / (1 + sympy.exp(-t)),
        "relu": lambda t: sympy.Max(t, 0),
        "max": sympy.Max,
        "min": sympy.Min,
        "tanh": sympy.tanh,
    }
    symbols = {name: sympy.Symbol(name, real=True) for name in point}
    f = sympy.sympify(expression.replace("^", "**"), locals={**own, **symbols})
    at = {symbols[k]: sympy.nsimplify(v) for k, v in point.items()}
    out = {"f": float(f.subs(at))}
    for name, s in symbols.items():
        out[f"df_d{name}"] = float(sympy.diff(f, s).subs(at))
    return out


@pytest.mark.parametrize("difficulty", ["easy", "medium", "hard"])
@pytest.mark.parametrize("seed", [1, 2, 3, 7, 11])
def test_answers_are_sympy_diff_of_the_whole_function(seed, difficulty):
    ex = make_exercise("graph", seed, difficulty)
    data = ex.data
    expected = sympy_answers(data["expression"], data["point"])
    got = {a.name: a.value for a in ex.answers}
    assert set(got) <= set(expected) | {"f"}, (got, expected)
    for name, value in got.items():
        assert value == pytest.approx(expected[name], rel=1e-9, abs=1e-12), (name, data)


def test_the_circuit_comes_from_the_seed_alone():
    first = shapes.choose_circuit("medium", None, None, None, 5)
    assert shapes.choose_circuit("medium", None, None, None, 5) == first
    others = {shapes.choose_circuit("medium", None, None, None, s).text for s in range(20)}
    assert len(others) > 5  # different seeds, different circuits


def test_the_lecture_family_is_the_sigmoid_neuron():
    c = shapes.choose_circuit("medium", "sigmoid-neuron", "primitive", None, 1)
    assert c.granularity == "primitive" and "exp" in c.text
    assert set(c.names) == {"w0", "x0", "w1", "x1", "w2"}


@pytest.mark.parametrize(
    "raw, words",
    [
        ({"family": "nope"}, "expected one of random, sigmoid-neuron, cs231n"),
        ({"granularity": "x"}, "expected one of written, primitive, gate"),
        ({"at": "x=1"}, "a point needs a pinned expression"),
        ({"expression": "eval(1)"}, "unknown function 'eval'"),
    ],
)
def test_bad_pins_are_one_clear_error(raw, words):
    with pytest.raises(SymgradError, match=words):
        shapes.check_options(raw, "exercise g")


def test_exercise_at_a_pinned_circuit_and_point():
    circuit = shapes.pinned_circuit("(x+y)*z", "written")
    ex = exercise_at("easy", circuit, {"x": -2.0, "y": 5.0, "z": -4.0}, strict=False)
    got = {a.name: a.value for a in ex.answers}
    assert got == {"f": -12.0, "df_dx": -4.0, "df_dy": -4.0, "df_dz": 3.0}  # CS231n's numbers
