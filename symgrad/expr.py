"""The expression tree :func:`symgrad.parse.parse` builds (:class:`Expr`, and :func:`var` /
:func:`const` to build one in code), and what the parser allows in it: variable names, the
functions and constants, the size limits, and the words for syntax it refuses.

>>> var("x"), const("0.5"), is_variable_name("exp"), FUNCTIONS["max"]
(Var(x), Const(1/2), False, 2)
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from . import ops
from .errors import ParseError

if TYPE_CHECKING:
    import sympy

MAX_LENGTH = 8000  # characters of expression text
MAX_DEPTH = 400  # nesting of operators and calls
MAX_NODES = 4000  # tree nodes
MAX_INT_DIGITS = 30  # digits in one integer literal
MAX_RESULT_DIGITS = 400  # decimal digits of a folded constant power
MAX_EXPONENT = 1000  # |c| in x**c with a variable base
MAX_NAME = 40

FUNCTIONS = ops.functions()  # name -> arity, from the op records; `ln` is log in the tree
CONSTANTS = ("pi", "e")
NAME_RE = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")
REFUSED = {  # a friendlier word for common non-math syntax
    ast.Attribute: "attribute access",
    ast.Subscript: "subscripts",
    ast.Lambda: "lambda",
    ast.Compare: "comparisons",
    ast.BoolOp: "boolean operators",
    ast.IfExp: "conditionals",
    ast.JoinedStr: "f-strings",
    ast.ListComp: "comprehensions",
    ast.GeneratorExp: "comprehensions",
    ast.SetComp: "comprehensions",
    ast.DictComp: "comprehensions",
    ast.NamedExpr: "assignment",
    ast.Starred: "starred arguments",
    ast.List: "lists",
    ast.Tuple: "tuples",
    ast.Dict: "dicts",
    ast.Set: "sets",
    ast.Await: "await",
    ast.Yield: "yield",
    ast.Slice: "slices",
}


@dataclass(frozen=True)
class Expr:
    """One node of a parsed expression.

    ``op`` is ``'var'`` (``name`` set), ``'const'`` (``value``: an exact SymPy number,
    ``name`` set for ``pi`` and ``e``), an arithmetic op (``add sub mul div pow neg``) or a
    function name (``exp log sqrt ... max min``). ``col`` is the 1-based column in the text.
    """

    op: str
    args: tuple[Expr, ...] = ()
    name: str | None = None
    value: sympy.Expr | None = None  # a SymPy number for 'const'
    col: int = field(default=0, compare=False)

    def __repr__(self) -> str:  # compact and stable, for tests and debugging
        if self.op == "var":
            return f"Var({self.name})"
        if self.op == "const":
            return f"Const({self.name or self.value})"
        return f"{self.op}({', '.join(map(repr, self.args))})"

    @property
    def is_const(self) -> bool:
        """Whether this is a constant leaf (a number, ``pi`` or ``e``)."""
        return self.op == "const"

    @property
    def number(self) -> sympy.Expr:
        """The exact SymPy value of a constant leaf."""
        if self.value is None:
            raise TypeError(f"{self!r} is not a constant")
        return self.value


def is_variable_name(name: str) -> bool:
    """A name the grammar reads as a variable: not a function or constant. Python keywords
    such as ``lambda`` are variables too (:func:`parse` reads ``lambda*x``), except the
    literals ``True``, ``False`` and ``None``."""
    return (
        bool(NAME_RE.match(name))
        and name not in FUNCTIONS
        and name not in CONSTANTS
        and name not in ("True", "False", "None")
        and len(name) <= MAX_NAME
    )


def var(name: str) -> Expr:
    """A variable leaf (for building trees in code, e.g. the MLP's scalar graph)."""
    if not is_variable_name(name):
        raise ParseError(f"invalid variable name {name!r}")
    return Expr("var", name=name)


def const(value: int | float | str | sympy.Expr) -> Expr:
    """A constant leaf with an exact SymPy value (int, float, decimal str or SymPy number)."""
    import sympy

    if isinstance(value, float):
        value = repr(value)
    return Expr("const", value=sympy.Rational(value) if isinstance(value, (int, str)) else value)
