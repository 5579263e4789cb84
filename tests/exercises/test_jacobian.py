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


def test_sympy_diff_checks_each_system_once_and_every_version_is_checked(monkeypatch):
    """Versions share a system: sympy.diff of z(g(x)) runs for the first; every version's
    ∇ₓz is still checked against the composed reverse pass and central differences."""
    from symgrad.exercises import jacobian

    monkeypatch.setattr(jacobian, "_SYMPY_CHECKED", set())
    made = [make_exercise("jacobian", seed, "medium", structure_seed=11) for seed in range(4)]
    assert len({(ex.data["z"], tuple(ex.data["y"])) for ex in made}) == 1
    methods = [ex.derivation.check.method for ex in made]
    assert "sympy.diff of the whole expression" in methods[0]
    assert all("sympy.diff" not in m and "central differences" in m for m in methods[1:])
    assert all(ex.derivation.check.passed is True for ex in made)
    for ex in made:  # the keys against SymPy's Jacobian product, independently of the check
        expected = sympy_blanks(ex.data)
        for a in ex.answers:
            assert a.value == pytest.approx(expected[a.name], rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("checked", [False, True])
def test_a_wrong_chain_rule_stops_the_exercise_with_or_without_sympy(monkeypatch, checked):
    import symgrad.jacobian as library
    from symgrad.exercises import jacobian

    first = make_exercise("jacobian", 0, "medium", structure_seed=12)
    system = (tuple(first.data["y"]), first.data["z"])
    seen = {s for s in jacobian._SYMPY_CHECKED if (s.ys, s.z) == system} if checked else set()
    assert bool(seen) == checked
    monkeypatch.setattr(jacobian, "_SYMPY_CHECKED", seen)
    right = library.chain_product
    monkeypatch.setattr(library, "chain_product", lambda j, g: right(j, g) * (1 + 1e-6))
    with pytest.raises(RuntimeError, match="disagrees"):
        make_exercise("jacobian", 1, "medium", structure_seed=12)
