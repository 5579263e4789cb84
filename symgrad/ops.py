"""Every operation symgrad knows, one frozen record each, and one literal registry.

An op record holds all its facts together: how it computes forward (SymPy and NumPy), its
local partial derivatives (SymPy, one per input), where it has kinks, how a circuit labels
it, and the one-line teaching note a worked solution shows. The reverse pass knows nothing
about any op; it only asks the record.

Ops with a constant parameter (``addc``: x + c, ``mulc``: c·x, ``powc``: x^c) take the
constant as their last argument in every function of the record.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

import numpy as np
import sympy
from sympy import Heaviside, Max, Min, exp, log

from .errors import SymgradError


# --- SymPy functions for the neural-network activations ---------------------------------
# Defined as Functions (not expanded formulas) so a worked solution shows σ(z), not
# 1/(1+e^{-z}), and the local gradient reads σ(z)(1−σ(z)) as in the lecture.

def _with_power(latex: str, exp: str | None) -> str:
    """SymPy's printer passes ``exp`` when the function is raised to a power: σ(x)^{2}."""
    return latex if exp is None else r"\left(%s\right)^{%s}" % (latex, exp)


class sigmoid(sympy.Function):
    """Logistic sigmoid σ(x) = 1/(1+e^{-x})."""

    def _eval_is_real(self):
        return self.args[0].is_real

    def _eval_is_finite(self):
        return self.args[0].is_finite

    def fdiff(self, argindex=1):
        s = sigmoid(self.args[0])
        return s * (1 - s)

    def _eval_rewrite_as_exp(self, x, **kwargs):
        return 1 / (1 + exp(-x))

    def _eval_evalf(self, prec):
        return self._eval_rewrite_as_exp(self.args[0])._eval_evalf(prec)

    def _latex(self, printer, exp=None):
        return _with_power(r"\sigma\left(%s\right)" % printer._print(self.args[0]), exp)


class relu(sympy.Function):
    """Rectified linear unit max(0, x); derivative 0 at the kink x = 0."""

    @classmethod
    def eval(cls, x):
        if x.is_number and x.is_comparable:  # relu(cos(2)) is 0
            return Max(0, x)

    def _eval_is_real(self):
        return self.args[0].is_real

    def _eval_is_finite(self):
        return self.args[0].is_finite

    def fdiff(self, argindex=1):
        return Heaviside(self.args[0], 0)

    def _eval_rewrite_as_Max(self, x, **kwargs):
        return Max(0, x)

    def _eval_evalf(self, prec):
        return Max(0, self.args[0])._eval_evalf(prec)

    def _latex(self, printer, exp=None):
        return _with_power(r"\operatorname{relu}\left(%s\right)" % printer._print(self.args[0]),
                           exp)


class softplus(sympy.Function):
    """Softplus ζ(x) = log(1 + e^x); its derivative is σ(x)."""

    def _eval_is_real(self):
        return self.args[0].is_real

    def _eval_is_finite(self):
        return self.args[0].is_finite

    def fdiff(self, argindex=1):
        return sigmoid(self.args[0])

    def _eval_rewrite_as_exp(self, x, **kwargs):
        return log(1 + exp(x))

    def _eval_evalf(self, prec):
        return self._eval_rewrite_as_exp(self.args[0])._eval_evalf(prec)

    def _latex(self, printer, exp=None):
        return _with_power(r"\zeta\left(%s\right)" % printer._print(self.args[0]), exp)


class hardtanh(sympy.Function):
    """Hard tanh max(-1, min(1, x)); derivative 0 at the kinks x = ±1."""

    @classmethod
    def eval(cls, x):
        if x.is_number and x.is_comparable:
            return Max(-1, Min(1, x))

    def _eval_is_real(self):
        return self.args[0].is_real

    def _eval_is_finite(self):
        return self.args[0].is_finite

    def fdiff(self, argindex=1):
        x = self.args[0]
        return Heaviside(1 - x, 0) * Heaviside(x + 1, 0)

    def _eval_rewrite_as_Max(self, x, **kwargs):
        return Max(-1, Min(1, x))

    def _eval_evalf(self, prec):
        return Max(-1, Min(1, self.args[0]))._eval_evalf(prec)

    def _latex(self, printer, exp=None):
        return _with_power(r"\operatorname{hardtanh}\left(%s\right)"
                           % printer._print(self.args[0]), exp)


ACTIVATIONS = (sigmoid, relu, softplus, hardtanh)


def elementary(expr):
    """Rewrite symgrad's activation functions into SymPy's own elementary functions.

    Used by the independent ``sympy.diff`` cross-check, so that it never calls our fdiff.
    """
    return expr.replace(sigmoid, lambda x: 1 / (1 + exp(-x))) \
        .replace(softplus, lambda x: log(1 + exp(x))) \
        .replace(relu, lambda x: Max(0, x)) \
        .replace(hardtanh, lambda x: Max(-1, Min(1, x)))


# --- NumPy forward functions --------------------------------------------------------------

def np_sigmoid(x):
    """Overflow-free logistic sigmoid."""
    x = np.asarray(x, dtype=float)
    z = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + z), z / (1 + z))


def np_softplus(x):
    """Overflow-free log(1 + e^x)."""
    x = np.asarray(x, dtype=float)
    return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))


def np_relu(x):
    return np.maximum(x, 0.0)


def np_hardtanh(x):
    return np.clip(x, -1.0, 1.0)


# Names lambdify may meet in a printed expression, mapped to NumPy implementations.
NUMPY_NAMESPACE = {
    "sigmoid": np_sigmoid, "softplus": np_softplus, "relu": np_relu, "hardtanh": np_hardtanh,
}
# The numpy module itself, not the string "numpy": for the string SymPy runs
# `from numpy import *`, which loads NumPy's lazy submodules (f2py, testing, ...: ~0.1 s).
LAMBDIFY_MODULES = [NUMPY_NAMESPACE, np]


# --- the record ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Op:
    """Everything symgrad knows about one operation."""

    name: str
    arity: int  # inputs that are graph nodes
    forward: Callable  # SymPy: (*inputs[, c]) -> expression
    partials: tuple[Callable, ...]  # SymPy local derivative per input, same arguments
    numpy: Callable  # NumPy forward, same arguments
    label: str  # LaTeX label of the gate; "{c}" stands for the constant
    note: str  # the teaching note a worked solution shows
    kinks: Callable | None = None  # (*inputs[, c]) -> expressions whose zeros are kinks
    has_const: bool = False  # takes a constant parameter c
    formula: str = ""  # human form, e.g. "x + y"


@lru_cache(maxsize=None)
def _lambdified(name: str, what: str, index: int) -> Callable:
    """NumPy versions of an op's SymPy partials or kink expressions, made once per op."""
    op = OPS[name]
    args = sympy.symbols(f"x0:{op.arity}", real=True)
    if op.has_const:
        args = (*args, sympy.Symbol("c", real=True))
    exprs = op.partials if what == "partial" else op.kinks(*args)
    expr = exprs[index](*args) if what == "partial" else exprs[index]
    return sympy.lambdify(args, expr, modules=LAMBDIFY_MODULES)


def local_gradient_numpy(name: str, index: int) -> Callable:
    """NumPy function of an op's local derivative with respect to input ``index``."""
    return _lambdified(name, "partial", index)


def kink_numpy(name: str) -> list[Callable]:
    """NumPy functions whose sign change marks a kink of the op (empty if smooth)."""
    op = get(name)
    if op.kinks is None:
        return []
    args = sympy.symbols(f"x0:{op.arity + op.has_const}", real=True)
    return [_lambdified(name, "kink", i) for i in range(len(op.kinks(*args)))]


def get(name: str) -> Op:
    """The record for ``name``, or one clear error."""
    try:
        return OPS[name]
    except KeyError:
        raise SymgradError(f"no operation named {name!r} is defined "
                           f"(known: {', '.join(OPS)})") from None


def _np_pow(x, y):
    return np.power(np.asarray(x, dtype=float), y)


OPS: dict[str, Op] = {
    "add": Op("add", 2, lambda x, y: x + y, (lambda x, y: 1, lambda x, y: 1),
              np.add, "+", "add distributes: each input receives the upstream gradient unchanged",
              formula="x + y"),
    "sub": Op("sub", 2, lambda x, y: x - y, (lambda x, y: 1, lambda x, y: -1),
              np.subtract, "-", "subtract distributes with a sign: +upstream to the left, "
              "-upstream to the right", formula="x - y"),
    "mul": Op("mul", 2, lambda x, y: x * y, (lambda x, y: y, lambda x, y: x),
              np.multiply, r"\times", "mul swaps: each input receives the upstream gradient "
              "times the other input", formula="x y"),
    "div": Op("div", 2, lambda x, y: x / y, (lambda x, y: 1 / y, lambda x, y: -x / y**2),
              np.divide, r"\div", "divide: 1/y to the numerator, -x/y^2 to the denominator",
              formula="x / y"),
    "pow": Op("pow", 2, lambda x, y: x**y,
              (lambda x, y: y * x**(y - 1), lambda x, y: x**y * log(x)),
              _np_pow, r"x^{y}", "power: y x^(y-1) to the base, x^y log x to the exponent",
              formula="x^y"),
    "addc": Op("addc", 1, lambda x, c: x + c, (lambda x, c: 1,),
               lambda x, c: np.add(x, c), "+{c}",
               "add a constant: the gradient passes through unchanged", has_const=True,
               formula="x + c"),
    "mulc": Op("mulc", 1, lambda x, c: c * x, (lambda x, c: c,),
               lambda x, c: np.multiply(c, x), r"\times {c}",
               "scale by a constant: the gradient is scaled by the same constant",
               has_const=True, formula="c x"),
    "powc": Op("powc", 1, lambda x, c: x**c, (lambda x, c: c * x**(c - 1),),
               lambda x, c: _np_pow(x, c), r"(\cdot)^{{{c}}}",
               "power rule: c x^(c-1)", has_const=True, formula="x^c"),
    "neg": Op("neg", 1, lambda x: -x, (lambda x: -1,), np.negative, "-",
              "negate flips the sign of the gradient", formula="-x"),
    "recip": Op("recip", 1, lambda x: 1 / x, (lambda x: -1 / x**2,),
                lambda x: np.divide(1.0, x), "1/x", "reciprocal: local gradient -1/x^2",
                formula="1/x"),
    "exp": Op("exp", 1, exp, (lambda x: exp(x),), np.exp, r"\exp",
              "exp: the local gradient is the gate's own output e^x", formula="e^x"),
    "log": Op("log", 1, log, (lambda x: 1 / x,), np.log, r"\log",
              "log: local gradient 1/x", formula="log x"),
    "sqrt": Op("sqrt", 1, sympy.sqrt, (lambda x: 1 / (2 * sympy.sqrt(x)),), np.sqrt,
               r"\sqrt{\cdot}", "square root: local gradient 1/(2 sqrt x)", formula="sqrt x"),
    "sin": Op("sin", 1, sympy.sin, (lambda x: sympy.cos(x),), np.sin, r"\sin",
              "sin: local gradient cos x", formula="sin x"),
    "cos": Op("cos", 1, sympy.cos, (lambda x: -sympy.sin(x),), np.cos, r"\cos",
              "cos: local gradient -sin x", formula="cos x"),
    "tanh": Op("tanh", 1, sympy.tanh, (lambda x: 1 - sympy.tanh(x)**2,), np.tanh, r"\tanh",
               "tanh: local gradient 1 - tanh^2 x", formula="tanh x"),
    "sigmoid": Op("sigmoid", 1, sigmoid, (lambda x: sigmoid(x) * (1 - sigmoid(x)),),
                  np_sigmoid, r"\sigma", "sigmoid gate: local gradient sigma(x)(1 - sigma(x))",
                  formula="sigma(x)"),
    "relu": Op("relu", 1, relu, (lambda x: Heaviside(x, 0),), np_relu, r"\mathrm{relu}",
               "relu routes: gradient passes where x > 0, is 0 where x <= 0",
               kinks=lambda x: (x,), formula="max(0, x)"),
    "softplus": Op("softplus", 1, softplus, (lambda x: sigmoid(x),), np_softplus, r"\zeta",
                   "softplus: local gradient sigma(x)", formula="log(1 + e^x)"),
    "hardtanh": Op("hardtanh", 1, hardtanh,
                   (lambda x: Heaviside(1 - x, 0) * Heaviside(x + 1, 0),), np_hardtanh,
                   r"\mathrm{hardtanh}", "hardtanh routes: gradient 1 on (-1, 1), 0 outside",
                   kinks=lambda x: (x - 1, x + 1), formula="max(-1, min(1, x))"),
    "abs": Op("abs", 1, sympy.Abs, (lambda x: sympy.sign(x),), np.abs, r"|\cdot|",
              "abs: local gradient sign(x)", kinks=lambda x: (x,), formula="|x|"),
    "max": Op("max", 2, Max, (lambda x, y: Heaviside(x - y, 0), lambda x, y: Heaviside(y - x, 0)),
              np.maximum, r"\max", "max routes: the whole gradient goes to the larger input",
              kinks=lambda x, y: (x - y,), formula="max(x, y)"),
    "min": Op("min", 2, Min, (lambda x, y: Heaviside(y - x, 0), lambda x, y: Heaviside(x - y, 0)),
              np.minimum, r"\min", "min routes: the whole gradient goes to the smaller input",
              kinks=lambda x, y: (x - y,), formula="min(x, y)"),
}
