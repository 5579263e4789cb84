"""One parametrized sweep over the op registry: every op is complete and its local
derivatives match finite differences away from its kinks."""

import numpy as np
import pytest
import sympy

from symgrad import ops

RNG = np.random.default_rng(20261126)
SAFE_POSITIVE = {"log", "sqrt", "pow", "powc", "recip", "div"}  # evaluate at x > 0


def sample_inputs(op):
    x = (
        RNG.uniform(0.3, 2.0, size=op.arity)
        if op.name in SAFE_POSITIVE
        else RNG.uniform(-2.0, 2.0, size=op.arity)
    )
    c = 1.7 if op.has_const else None
    return x, c


@pytest.mark.parametrize("name", list(ops.OPS))
def test_op_record_is_complete(name):
    op = ops.OPS[name]
    assert op.name == name
    assert op.label and op.note and op.formula
    assert len(op.partials) == op.arity


@pytest.mark.parametrize("name", list(ops.OPS))
@pytest.mark.parametrize("trial", range(5))
def test_local_derivatives_match_finite_differences(name, trial):
    op = ops.OPS[name]
    x, c = sample_inputs(op)
    extra = (c,) if op.has_const else ()
    if op.kinks is not None:  # keep away from the kinks
        syms = sympy.symbols(f"x0:{op.arity}", real=True)
        for k in op.kinks(*syms, *extra):
            value = float(k.subs(dict(zip(syms, x))))
            if abs(value) < 1e-3:
                pytest.skip("sampled point on a kink")
    h = 1e-6
    for i in range(op.arity):
        up, down = x.copy(), x.copy()
        up[i] += h
        down[i] -= h
        numeric = (op.numpy(*up, *extra) - op.numpy(*down, *extra)) / (2 * h)
        local_np = ops.local_gradient_numpy(name, i)(*x, *extra)
        syms = sympy.symbols(f"x0:{op.arity}", real=True)
        local_sym = sympy.sympify(op.partials[i](*syms, *extra))
        exact = float(local_sym.subs(dict(zip(syms, x))).evalf())
        assert np.isclose(local_np, numeric, rtol=1e-6, atol=1e-8), (name, i)
        assert np.isclose(exact, local_np, rtol=1e-12, atol=1e-14), (name, i)


@pytest.mark.parametrize("name", list(ops.OPS))
def test_sympy_and_numpy_forward_agree(name):
    op = ops.OPS[name]
    x, c = sample_inputs(op)
    extra = (c,) if op.has_const else ()
    exact = float(sympy.sympify(op.forward(*[sympy.Float(v) for v in x], *extra)).evalf())
    assert np.isclose(exact, op.numpy(*x, *extra), rtol=1e-12)


def test_kinks_give_zero_derivative_by_convention():
    for name, point in [
        ("relu", (0.0,)),
        ("abs", (0.0,)),
        ("hardtanh", (1.0,)),
        ("hardtanh", (-1.0,)),
        ("max", (2.0, 2.0)),
        ("min", (2.0, 2.0)),
    ]:
        for i in range(ops.OPS[name].arity):
            assert ops.local_gradient_numpy(name, i)(*point) == 0.0


def test_missing_op_gives_one_clear_error():
    with pytest.raises(ValueError, match="no operation named 'frobnicate'"):
        ops.get("frobnicate")


def test_stable_numpy_activations():
    big = np.array([-1000.0, 0.0, 1000.0])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        assert np.allclose(ops.np_sigmoid(big), [0.0, 0.5, 1.0])
        assert np.allclose(ops.np_softplus(big), [0.0, np.log(2), 1000.0])
