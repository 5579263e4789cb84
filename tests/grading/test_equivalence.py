"""Formula answers: parsed safely, judged exactly where cheap, else at points away from kinks."""

import numpy as np
import pytest

from symgrad.derivation import derive
from symgrad.errors import SymgradError
from symgrad.grading.equivalence import (
    KINK_MARGIN,
    Formula,
    exact_equal,
    numeric_equal,
    parse_formula,
    sample_points,
)

CIRCUIT = "1/(1+exp(-(w0*x0+w1*x1+w2)))"
SIG = "sigmoid(w0*x0+w1*x1+w2)"
ALLOWED = ["w0", "x0", "w1", "x1", "w2"]


def truth(d):
    return d.gradients["w0"].expr


def test_the_acceptance_pair_is_proven_exactly():
    d = derive(CIRCUIT, at="w0=2,x0=-1,w1=-3,x1=-2,w2=-3")
    sub = d.graph.substitution()
    for text in ("x0*exp(-(w0*x0+w1*x1+w2))/(1+exp(-(w0*x0+w1*x1+w2)))^2", f"x0*{SIG}*(1-{SIG})"):
        assert exact_equal(parse_formula(text, ALLOWED, "df/dw0"), truth(d), sub), text
    assert not exact_equal(parse_formula(f"2*x0*{SIG}*(1-{SIG})", ALLOWED, "df/dw0"), truth(d), sub)


def test_numeric_comparison_decides_without_sympy():
    d = derive(CIRCUIT, at="w0=2,x0=-1,w1=-3,x1=-2,w2=-3")
    samples = sample_points(d.graph, {k: float(v) for k, v in d.point.items()})
    n = len(samples["w0"])
    assert n >= 4
    s = 1 / (
        1 + np.exp(-(samples["w0"] * samples["x0"] + samples["w1"] * samples["x1"] + samples["w2"]))
    )
    right = samples["x0"] * s * (1 - s)
    good = parse_formula(f"x0*{SIG}*(1-{SIG})", ALLOWED, "df/dw0")
    bad = parse_formula(f"2*x0*{SIG}*(1-{SIG})", ALLOWED, "df/dw0")
    assert numeric_equal(good, samples, right).equivalent
    assert not numeric_equal(bad, samples, right).equivalent
    assert not numeric_equal(good, samples, right * (1 + 1e-5)).equivalent


def test_sample_points_keep_away_from_kinks():
    d = derive("relu(x - 1)*y + abs(y)", at="x=1.3,y=0.2")
    samples = sample_points(d.graph, {"x": 1.3, "y": 0.2})
    assert len(samples["x"]) >= 4
    assert np.all(np.abs(samples["x"] - 1) >= KINK_MARGIN)
    assert np.all(np.abs(samples["y"]) >= KINK_MARGIN)


def test_sample_points_stay_in_the_domain():
    d = derive("log(x)*sqrt(y)", at="x=0.5,y=0.3")
    samples = sample_points(d.graph, {"x": 0.5, "y": 0.3})
    assert len(samples["x"]) >= 4 and np.all(samples["x"] > 0) and np.all(samples["y"] > 0)


def test_constant_formulas_are_numbers_and_names_are_checked():
    assert parse_formula("exp(0)*3/2", ALLOWED, "z_1") == 1.5
    assert isinstance(parse_formula("x0*w0", ALLOWED, "z_1"), Formula)
    with pytest.raises(SymgradError, match="unknown name q"):
        parse_formula("q*x0", ALLOWED, "z_1")
    with pytest.raises(SymgradError, match="z_1: formula"):
        parse_formula("x0;import os", ALLOWED, "z_1")
    with pytest.raises(SymgradError):
        parse_formula("(lambda: 1)()", ALLOWED, "z_1")
