"""Kind ``jacobian``: the vector chain rule, every blank against SymPy's own Jacobian of the
displayed functions (never symgrad's engine), and the pins."""

import pytest
import sympy

from symgrad.errors import SymgradError
from symgrad.exercises import make_exercise
from symgrad.exercises.jacobian import check_options


def sympy_blanks(data: dict) -> dict[str, float]:
    xs = {name: sympy.Symbol(name, real=True) for name in data["x"]}
    ys = [sympy.sympify(text, locals=xs) for text in data["y"]]
    y_symbols = {f"y{i + 1}": sympy.Symbol(f"y{i + 1}", real=True) for i in range(len(ys))}
    z = sympy.sympify(data["z"], locals=y_symbols)
    at_x = {xs[k]: sympy.nsimplify(v) for k, v in data["x"].items()}
    at_y = {y_symbols[f"y{i + 1}"]: y.subs(at_x) for i, y in enumerate(ys)}
    jac = sympy.Matrix(ys).jacobian(list(xs.values())).subs(at_x)
    grad_y = sympy.Matrix([sympy.diff(z, s) for s in y_symbols.values()]).subs(at_y)
    grad_x = jac.T * grad_y
    out = {f"dz_dy{i + 1}": float(v) for i, v in enumerate(grad_y)}
    out |= {f"J{i + 1}{j + 1}": float(jac[i, j]) for i in range(jac.rows) for j in range(jac.cols)}
    out |= {f"dz_dx{j + 1}": float(v) for j, v in enumerate(grad_x)}
    out |= {f"y{i + 1}": float(v) for i, v in enumerate(at_y.values())}
    return out


@pytest.mark.parametrize("difficulty", ["easy", "medium", "hard"])
@pytest.mark.parametrize("seed", range(5))
def test_every_blank_is_sympys_jacobian_product(seed, difficulty):
    ex = make_exercise("jacobian", seed, difficulty)
    expected = sympy_blanks(ex.data)
    for a in ex.answers:
        assert a.value == pytest.approx(expected[a.name], rel=1e-9, abs=1e-12), (a.name, ex.data)


def test_pins_y_and_z_go_together():
    with pytest.raises(SymgradError, match=r"ex j\.y: needs z too"):
        check_options({"y": "x1*x2"}, "ex j")
