"""The :class:`Op` record, the lookups over the op registry, and the SymPy and NumPy forms
built from a record's text on first use.

The registry itself is the literal ``OPS`` in :mod:`symgrad.ops` (adding an op is one record
there), which hands it to :func:`register` when it is imported; everything else imports these
names from :mod:`symgrad.ops`, so the registry is always in place before it is read.

Only NumPy's forms are imported here; SymPy is imported inside the functions that need it, so
``symgrad mlp`` never loads SymPy.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache
from types import ModuleType
from typing import TYPE_CHECKING

from .errors import SymgradError

if TYPE_CHECKING:
    import sympy
    from sympy.printing.latex import LatexPrinter

    from .numpy_forms import Floats

    SympyFormula = Callable[..., sympy.Expr]  # (*inputs[, c]) -> expression
    NumpyForm = Callable[..., Floats]  # (*inputs[, c]) -> float64 scalar or array

# what symgrad.ops re-exports (the private caches for tests that time a cold start)
__all__ = [
    "ARGUMENTS",
    "Op",
    "activations",
    "canonical",
    "elementary",
    "functions",
    "get",
    "kink_numpy",
    "kink_points",
    "lambdify_modules",
    "local_gradient_numpy",
    "register",
    "sympy_function",
    "written",
    "_lambdified",
    "_namespace",
    "_parse_evaluated",
    "_sympy_callable",
    "_written",
]
ARGUMENTS = ("x", "y")  # the inputs' names in a record's formulas; "c" is the constant
_registry: dict[str, Op] | None = None  # symgrad.ops.OPS, once it has registered


def register(ops: dict[str, Op]) -> None:
    """Make ``ops`` (``symgrad.ops.OPS``, the same dict object) the registry every lookup reads."""
    global _registry
    _registry = ops


def _ops() -> dict[str, Op]:
    if _registry is None:
        raise RuntimeError("no op registry: import symgrad.ops, which registers OPS")
    return _registry


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
        return _ops()[name]
    except KeyError:
        raise SymgradError(
            f"no operation named {name!r} is defined (known: {', '.join(_ops())})"
        ) from None


def functions() -> dict[str, int]:
    """Names an expression may call, with their arity (aliases included)."""
    out: dict[str, int] = {}
    for op in _ops().values():
        if op.function:
            for name in (op.name, *op.aliases):
                out[name] = op.arity
    return out


def canonical(name: str) -> str:
    """The op a function name (or alias) stands for: ``ln`` → ``log``."""
    for op in _ops().values():
        if name in op.aliases:
            return op.name
    return name


def activations() -> tuple[str, ...]:
    """The ops usable as a layer's activation, in registry order."""
    return tuple(name for name, op in _ops().items() if op.activation)


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
    return {op.name: _function_class(op) for op in _ops().values() if op.elementary}


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
    for op in _ops().values():
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

    return [{op.name: op.numpy for op in _ops().values() if op.elementary}, numpy]


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
