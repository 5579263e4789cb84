"""Every operation symgrad knows, one frozen record each, and one literal registry.

A record holds all the facts about its op: arity, its SymPy forward formula and local
partial derivatives (written in the expression language over ``x``, ``y`` and the constant
``c``), its NumPy forward and, for activations, its elementwise derivative for layers, its
LaTeX and text labels, where it has kinks, how it is written in the lecture's primitives,
the patterns that fuse into it, whether it is an activation, and the key of its teaching note
(``templates/strings.toml``, ``[en.op_notes]``). No other module keeps a table of ops.

Adding an op is one record below plus its notes in the strings file.

Only NumPy is imported here; the SymPy side of a record (formulas, and a ``sympy.Function``
for symgrad's own functions such as ``sigmoid``) is built from its text on first use, so
``symgrad mlp`` never loads SymPy.

>>> get("mul").partials[0](2, 3)
3
>>> "relu" in activations(), functions()["max"]
(True, 2)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache
from types import ModuleType
from typing import TYPE_CHECKING

from .errors import SymgradError
from .numpy_forms import (
    np,
    np_elu,
    np_pow,
    np_sigmoid,
    np_softplus,
    np_step,
    np_swish_derivative,
    ufunc,
)

if TYPE_CHECKING:
    import sympy
    from sympy.printing.latex import LatexPrinter

    from .numpy_forms import Floats

    SympyFormula = Callable[..., sympy.Expr]  # (*inputs[, c]) -> expression
    NumpyForm = Callable[..., Floats]  # (*inputs[, c]) -> float64 scalar or array

ARGUMENTS = ("x", "y")  # the inputs' names in a record's formulas; "c" is the constant


@dataclass(frozen=True)
class Op:
    """Everything symgrad knows about one operation."""

    name: str
    arity: int  # inputs that are graph nodes
    sympy: str  # forward formula over x, y (and c)
    derivatives: tuple[str, ...]  # local partial derivative per input, same variables
    numpy: NumpyForm  # NumPy forward, same arguments
    label: str  # LaTeX label of the gate; "{c}" stands for the constant
    text: str  # the same label in plain text
    formula: str  # human form, e.g. "x + y"
    tex: str = ""  # LaTeX of a function's name in f(x), e.g. r"\sigma"
    kink_at: tuple[str, ...] = ()  # expressions whose zeros are kinks
    has_const: bool = False  # takes a constant parameter c (its last argument)
    function: bool = False  # called by name in an expression: sigmoid(z)
    aliases: tuple[str, ...] = ()  # other names the parser accepts (ln for log)
    elementary: str = ""  # for symgrad's own functions: the same in SymPy's functions
    lower: str = ""  # the op written in the lecture's primitives (granularity primitive)
    spellings: tuple[str, ...] = ()  # other ways to write it that primitive rewrites to it
    fuses: tuple[str, ...] = ()  # patterns that become this one gate (granularity gate)
    activation: bool = False  # usable in an MLP layer and in the activation exercise
    derivative: Callable[[Floats, Floats], Floats] | None = (
        None  # activations: NumPy g'(z) from (z, h = g(z))
    )
    derivative_tex: str = ""  # activations: g'(z) for a layer, LaTeX over {z} and {h} = g({z})
    derivative_text: str = ""  # the same in plain text

    @property
    def note(self) -> str:
        """The key of the op's teaching note in the strings file."""
        return self.name

    @property
    def forward(self) -> SympyFormula:
        """SymPy forward: ``(*inputs[, c]) -> expression``."""
        return _sympy_callable(self.name, "forward", 0)

    @property
    def partials(self) -> tuple[SympyFormula, ...]:
        """SymPy local derivative per input, with the same arguments as :attr:`forward`."""
        return tuple(_sympy_callable(self.name, "partial", k) for k in range(self.arity))

    @property
    def kinks(self) -> SympyFormula | None:
        """``(*inputs[, c]) -> expressions`` whose zeros are kinks, or None if smooth."""
        return _sympy_callable(self.name, "kinks", 0) if self.kink_at else None

    @property
    def parameters(self) -> tuple[str, ...]:
        """The names the formulas use, in argument order."""
        return ARGUMENTS[: self.arity] + (("c",) if self.has_const else ())


def get(name: str) -> Op:
    """The record for ``name``, or one clear error."""
    try:
        return OPS[name]
    except KeyError:
        raise SymgradError(
            f"no operation named {name!r} is defined (known: {', '.join(OPS)})"
        ) from None


def functions() -> dict[str, int]:
    """Names an expression may call, with their arity (aliases included)."""
    out: dict[str, int] = {}
    for op in OPS.values():
        if op.function:
            for name in (op.name, *op.aliases):
                out[name] = op.arity
    return out


def canonical(name: str) -> str:
    """The op a function name (or alias) stands for: ``ln`` → ``log``."""
    for op in OPS.values():
        if name in op.aliases:
            return op.name
    return name


def activations() -> tuple[str, ...]:
    """The ops usable as a layer's activation, in registry order."""
    return tuple(name for name, op in OPS.items() if op.activation)


def kink_points(name: str) -> tuple[float, ...]:
    """Where a one-input op has its kinks (its kink expressions are linear): relu → (0,)."""
    op = get(name)
    if op.arity != 1 or not op.kink_at:
        return ()
    points = []
    for f in kink_numpy(name):
        at0, at1 = float(f(0.0)), float(f(1.0))
        points.append(-at0 / (at1 - at0))
    return tuple(sorted(points))


# --- the SymPy side, built from the records' text on first use ------------------------------


@lru_cache(maxsize=1)
def _namespace() -> dict[str, object]:
    """Names the records' formulas use: SymPy's functions and symgrad's own."""
    import sympy

    space: dict[str, object] = {
        "exp": sympy.exp,
        "log": sympy.log,
        "sqrt": sympy.sqrt,
        "sin": sympy.sin,
        "cos": sympy.cos,
        "tanh": sympy.tanh,
        "abs": sympy.Abs,
        "max": sympy.Max,
        "min": sympy.Min,
        "Heaviside": sympy.Heaviside,
        "Piecewise": sympy.Piecewise,
        "sign": sympy.sign,
        "pi": sympy.pi,
        "E": sympy.E,
        "Rational": sympy.Rational,
    }
    space.update({name: sympy.Symbol(name, real=True) for name in (*ARGUMENTS, "c")})
    space.update(_own_functions())
    return space


@lru_cache(maxsize=1)
def _own_functions() -> dict[str, type[sympy.Function]]:
    """symgrad's own functions (``sigmoid``, ``relu``, ...) as ``sympy.Function`` classes."""
    return {op.name: _function_class(op) for op in OPS.values() if op.elementary}


def _formula(text: str, evaluate: bool = True) -> sympy.Expr:
    """A record's formula as SymPy (our own text, never user input)."""
    if evaluate:
        return _parse_evaluated(text)
    from sympy.parsing.sympy_parser import parse_expr

    return parse_expr(text, local_dict=dict(_namespace()), evaluate=False)


@cache
def _parse_evaluated(text: str) -> sympy.Expr:
    import sympy

    return sympy.sympify(text, locals=dict(_namespace()))


def _symbols(op: Op) -> tuple[sympy.Symbol, ...]:
    space = _namespace()
    return tuple(space[p] for p in op.parameters)


@cache
def _sympy_callable(name: str, what: str, index: int) -> SympyFormula:
    """``(*args) -> expression`` for a record's formula, by substitution into its text."""
    op = get(name)
    text = {
        "forward": op.sympy,
        "partial": (op.derivatives or ("0",))[index],
        "kinks": f"({', '.join(op.kink_at)},)",
    }[what]
    template = _parse_evaluated(text)
    symbols = _symbols(op)
    if what == "kinks":
        return lambda *args: tuple(
            e.xreplace(dict(zip(symbols, map(_sympified, args)))) for e in template
        )
    if template.is_number:
        return lambda *args: template
    return lambda *args: template.xreplace(dict(zip(symbols, map(_sympified, args))))


def _sympified(value: object) -> sympy.Basic:
    import sympy

    return value if isinstance(value, sympy.Basic) else sympy.sympify(value)


def written(name: str) -> tuple[sympy.Expr, tuple[sympy.Symbol, ...]]:
    """The op applied to placeholders without SymPy's evaluation (x*x stays x*x), and the
    placeholders: what :func:`symgrad.graph.as_written` fills in."""
    return _written(name)


@cache
def _written(name: str) -> tuple[sympy.Expr, tuple[sympy.Symbol, ...]]:
    op = get(name)
    template = _formula(op.sympy, evaluate=False)
    if template.is_Mul and len(template.args) == 2 and template.args[0] == 1:
        template = template.args[1]  # the parser writes 1/x as 1·x⁻¹; Python's 1/x is x⁻¹
    return template, _symbols(op)


def sympy_function(name: str) -> type[sympy.Function]:
    """The ``sympy.Function`` of one of symgrad's own functions (``sigmoid``, ``relu``, ...)."""
    op = get(name)
    if not op.elementary:
        raise SymgradError(f"{name} is not one of symgrad's own functions")
    return _own_functions()[name]


def _function_class(op: Op) -> type[sympy.Function]:
    """A ``sympy.Function`` for ``op``: prints as the lecture does (σ(z), not its formula),
    differentiates by the record, folds numbers, and evaluates through ``op.elementary``."""
    import sympy

    def eval(cls: type[sympy.Function], x: sympy.Expr) -> sympy.Expr | None:
        if x.is_number and x.is_comparable:  # σ(0) is 1/2, relu(cos(2)) is 0
            return elementary_form(x)
        return None

    def elementary_form(x: sympy.Expr) -> sympy.Expr:
        (symbol,) = _symbols(op)
        return _parse_evaluated(op.elementary).xreplace({symbol: x})

    def fdiff(self: sympy.Function, argindex: int = 1) -> sympy.Expr:
        return op.partials[0](self.args[0])

    def _latex(self: sympy.Function, printer: LatexPrinter, exp: str | None = None) -> str:
        body = rf"{op.tex}\left({printer._print(self.args[0])}\right)"
        return body if exp is None else rf"\left({body}\right)^{{{exp}}}"

    return type(
        op.name,
        (sympy.Function,),
        {
            "__doc__": op.formula,
            "eval": classmethod(eval),
            "fdiff": fdiff,
            "_eval_is_real": lambda self: self.args[0].is_real,
            "_eval_is_finite": lambda self: self.args[0].is_finite,
            "_eval_evalf": lambda self, prec: elementary_form(self.args[0])._eval_evalf(prec),
            "_latex": _latex,
            "elementary": staticmethod(elementary_form),
        },
    )


def elementary(expr: sympy.Expr) -> sympy.Expr:
    """Rewrite symgrad's own functions into SymPy's elementary functions.

    Used by the independent ``sympy.diff`` cross-check, so that it never calls our fdiff.
    """
    for op in OPS.values():
        if op.elementary:
            cls = sympy_function(op.name)
            expr = expr.replace(cls, cls.elementary)
    return expr


def lambdify_modules() -> list[dict[str, NumpyForm] | ModuleType]:
    """Modules for ``sympy.lambdify``: our functions' NumPy forms, then NumPy itself.

    The numpy module itself, not the string "numpy": for the string SymPy runs
    ``from numpy import *``, which loads NumPy's lazy submodules (f2py, testing, ...: ~0.1 s).
    """
    import numpy

    return [{op.name: op.numpy for op in OPS.values() if op.elementary}, numpy]


@cache
def _lambdified(name: str, what: str, index: int) -> NumpyForm:
    """NumPy versions of an op's SymPy partials or kink expressions, made once per op."""
    import sympy

    op = get(name)
    symbols = _symbols(op)
    text = op.derivatives[index] if what == "partial" else op.kink_at[index]
    form: NumpyForm = sympy.lambdify(symbols, _parse_evaluated(text), modules=lambdify_modules())
    return form


def local_gradient_numpy(name: str, index: int) -> NumpyForm:
    """NumPy function of an op's local derivative with respect to input ``index``."""
    return _lambdified(name, "partial", index)


def kink_numpy(name: str) -> list[NumpyForm]:
    """NumPy functions whose sign change marks a kink of the op (empty if smooth)."""
    return [_lambdified(name, "kink", i) for i in range(len(get(name).kink_at))]


LEAKY_SLOPE = 0.01  # PyTorch's default negative slope


OPS: dict[str, Op] = {
    "linear": Op(
        "linear",
        1,
        "x",
        ("1",),
        lambda x: np.asarray(x, dtype=float),
        r"\mathrm{id}",
        "id",
        "x",
        activation=True,
        derivative=lambda z, h: np.ones_like(z),
        derivative_tex="1",
        derivative_text="1",
    ),
    "add": Op("add", 2, "x + y", ("1", "1"), ufunc("add"), "+", "+", "x + y"),
    "sub": Op("sub", 2, "x - y", ("1", "-1"), ufunc("subtract"), "-", "-", "x - y", lower="x + -y"),
    "mul": Op("mul", 2, "x*y", ("y", "x"), ufunc("multiply"), r"\times", "×", "x y"),
    "div": Op(
        "div",
        2,
        "x/y",
        ("1/y", "-x/y**2"),
        ufunc("divide"),
        r"\div",
        "÷",
        "x / y",
        lower="x * (1/y)",
    ),
    "pow": Op("pow", 2, "x**y", ("y*x**(y - 1)", "x**y*log(x)"), np_pow, r"x^{y}", "x^y", "x^y"),
    "addc": Op(
        "addc",
        1,
        "x + c",
        ("1",),
        lambda x, c: np.add(x, c),
        "+{c}",
        "+{c}",
        "x + c",
        has_const=True,
    ),
    "mulc": Op(
        "mulc",
        1,
        "c*x",
        ("c",),
        lambda x, c: np.multiply(c, x),
        r"\times {c}",
        "× {c}",
        "c x",
        has_const=True,
    ),
    "powc": Op(
        "powc",
        1,
        "x**c",
        ("c*x**(c - 1)",),
        lambda x, c: np_pow(x, c),
        r"(\cdot)^{{{c}}}",
        "(·)^{c}",
        "x^c",
        has_const=True,
    ),
    "neg": Op("neg", 1, "-x", ("-1",), ufunc("negative"), "-", "-", "-x"),
    "recip": Op(
        "recip",
        1,
        "1/x",
        ("-1/x**2",),
        lambda x: np.divide(1.0, x),
        "1/x",
        "1/x",
        "1/x",
        spellings=("x^-1",),
    ),
    "exp": Op(
        "exp",
        1,
        "exp(x)",
        ("exp(x)",),
        ufunc("exp"),
        r"\exp",
        "exp",
        "e^x",
        tex=r"\exp",
        function=True,
        spellings=("e^x",),
    ),
    "log": Op(
        "log",
        1,
        "log(x)",
        ("1/x",),
        ufunc("log"),
        r"\log",
        "log",
        "log x",
        tex=r"\log",
        function=True,
        aliases=("ln",),
    ),
    "sqrt": Op(
        "sqrt",
        1,
        "sqrt(x)",
        ("1/(2*sqrt(x))",),
        ufunc("sqrt"),
        r"\sqrt{\cdot}",
        "√",
        "sqrt x",
        tex=r"\sqrt",
        function=True,
        lower="x^(1/2)",
    ),
    "sin": Op(
        "sin",
        1,
        "sin(x)",
        ("cos(x)",),
        ufunc("sin"),
        r"\sin",
        "sin",
        "sin x",
        tex=r"\sin",
        function=True,
    ),
    "cos": Op(
        "cos",
        1,
        "cos(x)",
        ("-sin(x)",),
        ufunc("cos"),
        r"\cos",
        "cos",
        "cos x",
        tex=r"\cos",
        function=True,
    ),
    "tanh": Op(
        "tanh",
        1,
        "tanh(x)",
        ("1 - tanh(x)**2",),
        ufunc("tanh"),
        r"\tanh",
        "tanh",
        "tanh x",
        tex=r"\tanh",
        function=True,
        activation=True,
        derivative=lambda z, h: 1.0 - h * h,
        derivative_tex=r"1 - {h} \odot {h}",
        derivative_text="1 − {h}²",
    ),
    "sigmoid": Op(
        "sigmoid",
        1,
        "sigmoid(x)",
        ("sigmoid(x)*(1 - sigmoid(x))",),
        np_sigmoid,
        r"\sigma",
        "σ",
        "sigma(x)",
        tex=r"\sigma",
        function=True,
        elementary="1/(1 + exp(-x))",
        lower="1/(exp(-x) + 1)",
        fuses=("1/(1 + exp(-x))", "(1 + exp(-x))^-1", "1/(1 + exp(-1*x))", "(1 + exp(-1*x))^-1"),
        activation=True,
        derivative=lambda z, h: h * (1.0 - h),
        derivative_tex=r"{h} \odot (1 - {h})",
        derivative_text="{h} ⊙ (1 − {h})",
    ),
    "relu": Op(
        "relu",
        1,
        "relu(x)",
        ("Heaviside(x, 0)",),
        lambda x: np.maximum(x, 0.0),
        r"\mathrm{relu}",
        "relu",
        "max(0, x)",
        tex=r"\operatorname{relu}",
        kink_at=("x",),
        function=True,
        elementary="max(0, x)",
        lower="max(0, x)",
        fuses=("max(0, x)",),
        activation=True,
        derivative=lambda z, h: np_step(z),
        derivative_tex=r"\mathbb{{1}}[{z} > 0]",
        derivative_text="1[{z} > 0]",
    ),
    "softplus": Op(
        "softplus",
        1,
        "softplus(x)",
        ("sigmoid(x)",),
        np_softplus,
        r"\zeta",
        "ζ",
        "log(1 + e^x)",
        tex=r"\zeta",
        function=True,
        elementary="log(1 + exp(x))",
        lower="log(exp(x) + 1)",
        fuses=("log(1 + exp(x))",),
        activation=True,
        derivative=lambda z, h: np_sigmoid(z),
        derivative_tex=r"\sigma({z})",
        derivative_text="σ({z})",
    ),
    "hardtanh": Op(
        "hardtanh",
        1,
        "hardtanh(x)",
        ("Heaviside(1 - x, 0)*Heaviside(x + 1, 0)",),
        lambda x: np.clip(x, -1.0, 1.0),
        r"\mathrm{hardtanh}",
        "hardtanh",
        "max(-1, min(1, x))",
        tex=r"\operatorname{hardtanh}",
        kink_at=("x - 1", "x + 1"),
        function=True,
        elementary="max(-1, min(1, x))",
        lower="max(-1, min(1, x))",
        fuses=("max(-1, min(1, x))",),
        activation=True,
        derivative=lambda z, h: (np.abs(z) < 1).astype(float),
        derivative_tex=r"\mathbb{{1}}[|{z}| < 1]",
        derivative_text="1[|{z}| < 1]",
    ),
    "abs": Op(
        "abs",
        1,
        "abs(x)",
        ("sign(x)",),
        ufunc("abs"),
        r"|\cdot|",
        "|·|",
        "|x|",
        kink_at=("x",),
        function=True,
    ),
    "max": Op(
        "max",
        2,
        "max(x, y)",
        ("Heaviside(x - y, 0)", "Heaviside(y - x, 0)"),
        ufunc("maximum"),
        r"\max",
        "max",
        "max(x, y)",
        tex=r"\max",
        kink_at=("x - y",),
        function=True,
    ),
    "min": Op(
        "min",
        2,
        "min(x, y)",
        ("Heaviside(y - x, 0)", "Heaviside(x - y, 0)"),
        ufunc("minimum"),
        r"\min",
        "min",
        "min(x, y)",
        tex=r"\min",
        kink_at=("x - y",),
        function=True,
    ),
    "leaky_relu": Op(
        "leaky_relu",
        1,
        "leaky_relu(x)",
        ("Heaviside(x, 0) + Heaviside(-x, 1)/100",),
        lambda x: np.maximum(x, LEAKY_SLOPE * np.asarray(x, dtype=float)),
        r"\mathrm{leaky}",
        "leaky_relu",
        "max(0.01 x, x)",
        tex=r"\operatorname{leaky\_relu}",
        kink_at=("x",),
        function=True,
        elementary="max(x/100, x)",
        lower="max(x/100, x)",
        activation=True,
        derivative=lambda z, h: np_step(z, LEAKY_SLOPE),
        derivative_tex=r"\mathbb{{1}}[{z} > 0] + 0.01 \cdot \mathbb{{1}}[{z} \le 0]",
        derivative_text="1[{z} > 0] + 0.01·1[{z} ≤ 0]",
    ),
    "elu": Op(
        "elu",
        1,
        "elu(x)",
        ("exp(min(x, 0))",),
        np_elu,
        r"\mathrm{elu}",
        "elu",
        "max(0, x) + e^min(0, x) - 1",
        tex=r"\operatorname{elu}",
        kink_at=("x",),
        function=True,
        elementary="max(x, 0) + exp(min(x, 0)) - 1",
        lower="max(x, 0) + exp(min(x, 0)) - 1",
        fuses=("max(x, 0) + exp(min(x, 0)) - 1",),
        activation=True,
        derivative=lambda z, h: np.exp(np.minimum(z, 0.0)),
        derivative_tex=r"e^{{\min(0, {z})}}",
        derivative_text="exp(min(0, {z}))",
    ),
    "swish": Op(
        "swish",
        1,
        "swish(x)",
        ("sigmoid(x) + x*sigmoid(x)*(1 - sigmoid(x))",),
        lambda x: np.asarray(x, dtype=float) * np_sigmoid(x),
        r"\mathrm{swish}",
        "swish",
        "x sigma(x)",
        tex=r"\operatorname{swish}",
        function=True,
        elementary="x/(1 + exp(-x))",
        lower="x * sigmoid(x)",
        fuses=("x * sigmoid(x)", "x/(1 + exp(-x))"),
        activation=True,
        derivative=np_swish_derivative,
        derivative_tex=r"\sigma({z}) + {h} \odot (1 - \sigma({z}))",
        derivative_text="σ({z}) + {h} ⊙ (1 − σ({z}))",
    ),
}
