"""The op records' NumPy forms: overflow-free, right against plain formulas, NumPy loaded lazily."""

import math
import subprocess
import sys

import numpy as np
import pytest

from symgrad import numpy_forms as nf

Z = np.array([-800.0, -30.0, -1.5, -1e-9, 0.0, 1e-9, 0.7, 30.0, 800.0])


def test_sigmoid_matches_the_formula_and_never_overflows():
    with np.errstate(over="raise"):
        got = nf.np_sigmoid(Z)
    for z, s in zip(Z, got):
        expected = 1 / (1 + math.exp(-z)) if z > -700 else 0.0
        assert s == pytest.approx(expected, rel=1e-12, abs=1e-300)
    assert np.all((got >= 0) & (got <= 1))


def test_softplus_matches_log1p_exp_and_never_overflows():
    with np.errstate(over="raise"):
        got = nf.np_softplus(Z)
    for z, s in zip(Z, got):
        expected = z + math.log1p(math.exp(-z)) if z > 0 else math.log1p(math.exp(z))
        assert s == pytest.approx(expected, rel=1e-12, abs=1e-300)


def test_elu_step_and_pow():
    assert nf.np_elu(np.array([-1.0, 0.0, 2.0])).tolist() == pytest.approx(
        [math.expm1(-1), 0.0, 2.0]
    )
    with np.errstate(over="raise"):
        assert nf.np_elu(np.array([1000.0])).tolist() == [1000.0]
    assert nf.np_step(np.array([-1.0, 0.0, 3.0])).tolist() == [0.0, 0.0, 1.0]
    assert nf.np_step(np.array([-1.0, 0.0]), below=0.01).tolist() == [0.01, 0.01]
    assert nf.np_pow(2, 0.5) == pytest.approx(math.sqrt(2))


def test_swish_derivative_matches_central_differences():
    z = np.array([-3.0, -0.4, 0.0, 0.9, 4.0])
    h = z * nf.np_sigmoid(z)
    eps = 1e-6
    swish = lambda t: t * nf.np_sigmoid(t)  # noqa: E731
    numeric = (swish(z + eps) - swish(z - eps)) / (2 * eps)
    assert nf.np_swish_derivative(z, h) == pytest.approx(numeric, rel=1e-6, abs=1e-9)


def test_ufunc_calls_numpy_by_name():
    add = nf.ufunc("add")
    assert add.__name__ == "add"
    assert add(np.array([1.0, 2.0]), 3.0).tolist() == [4.0, 5.0]


@pytest.mark.slow
def test_importing_the_forms_loads_no_numpy():
    code = "import sys, symgrad.numpy_forms as f; print('numpy' in sys.modules)"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.stdout.strip() == "False", proc.stderr
