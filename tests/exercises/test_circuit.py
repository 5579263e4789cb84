"""Kind ``graph``: every answer of a generated exercise against sympy.diff of the whole
function at the displayed point (never symgrad's engine); the circuits themselves:
test_circuit_shapes.py, one exercise at a point: test_circuit_point.py."""

import pytest
import sympy

from symgrad.exercises import make_exercise


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
