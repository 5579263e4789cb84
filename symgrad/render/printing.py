r"""The one printer: SymPy expressions and our Expr trees as LaTeX and as terminal text.

* :func:`tex` is SymPy's LaTeX printer with one change (a Heaviside step prints as the
  indicator ``\mathbb{1}[x > 0]``); every format prints SymPy's LaTeX through it;
  :func:`sympy_str` / :func:`text_expr` print text in the expression language (``1[x > 0]``,
  ``max(x, y)``, never ``Heaviside`` or ``Max``), for the text format and the JSON.
* :func:`expr_latex` / :func:`expr_text` print a parsed Expr tree as written (SymPy would
  reorder it); function names come from the op records (``Op.tex``).
* :func:`plain_label` turns a gate's LaTeX label into terminal text; running text (escaping,
  :func:`plain_math`, tables) is :mod:`symgrad.render.running_text`'s, re-exported here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Protocol

from .numbers import num

# re-exported: the views and templates import the running-text helpers from here
from .running_text import fill, latex_text, md_cell, plain, plain_math, text_table  # noqa: F401

if TYPE_CHECKING:
    import sympy

    from ..graph import Node
    from ..parse import Expr

# --------------------------------------------------------------------------- SymPy


@cache
def _printer_class():
    """sympy's LaTeX printer, with indicator functions for Heaviside steps."""
    from sympy.printing.latex import LatexPrinter

    class Printer(LatexPrinter):
        def _print_Heaviside(self, expr, exp=None):
            relation = {0: ">", 1: r"\geq"}.get(expr.args[1] if len(expr.args) > 1 else None)
            if relation is None:  # no value at 0 that an indicator can say
                return super()._print_Heaviside(expr, exp)
            body = rf"\mathbb{{1}}\left[{self._print(expr.args[0])} {relation} 0\right]"
            return body if exp is None else rf"\left({body}\right)^{{{exp}}}"

    return Printer


class TexOf(Protocol):
    """A LaTeX printer of SymPy expressions: :func:`tex`, or one that knows a graph's names."""

    def __call__(self, expr: sympy.Basic, order: str | None = None) -> str: ...


def tex(
    expr: sympy.Basic,
    order: str | None = None,
    symbol_names: dict[sympy.Symbol, str] | None = None,
) -> str:
    r"""LaTeX of a SymPy expression (``z_3`` prints as ``z_{3}``, ``w0`` as ``w_{0}``).

    ``order="none"`` keeps the arguments as stored (a node's formula as written: ``b - a``,
    not ``- a + b``); ``symbol_names`` overrides how symbols print (:func:`symbol_names`).

    >>> import sympy
    >>> tex(sympy.Heaviside(sympy.Symbol("z_1"), 0)), tex(sympy.Heaviside(-sympy.Symbol("x"), 1))
    ('\\mathbb{1}\\left[z_{1} > 0\\right]', '\\mathbb{1}\\left[- x \\geq 0\\right]')
    >>> a, b = sympy.symbols("a b")
    >>> tex(sympy.Add(b, -a, evaluate=False), order="none")
    'b - a'
    """
    settings = {"symbol_names": symbol_names or {}, **({} if order is None else {"order": order})}
    return _printer_class()(settings).doprint(expr)


@lru_cache(maxsize=8192)
def sheet_tex(expr: sympy.Basic) -> str:
    r""":func:`tex` for exam sheets (amssymb has no ``\mathbb{1}``: a bold 1); cached."""
    return tex(expr).replace(r"\mathbb{1}", r"\mathbf{1}")


def symbol_names(symbols: Iterable[sympy.Symbol]) -> dict[sympy.Symbol, str]:
    r"""LaTeX names for ``symbols`` that keep two different symbols apart within one rendering.

    SymPy prints ``x_1`` and ``x1`` both as ``x_{1}``; the later of two look-alikes is set
    as its name in italics (``\mathit{x1}``, ``\mathit{x\_1}``). Without a clash nothing
    changes: ``w0`` stays ``w_{0}``, as in the lecture.

    >>> import sympy
    >>> symbol_names(sympy.symbols("x_1 x1 w0"))
    {x1: '\\mathit{x1}'}
    """
    shown: dict[str, object] = {}
    names = {}
    for symbol in dict.fromkeys(symbols):  # first occurrence keeps the usual look
        look = tex(symbol)
        if look in shown:
            look = r"\mathit{" + symbol.name.replace("_", r"\_") + "}"
            names[symbol] = look
        shown.setdefault(look, symbol)
    return names


@lru_cache(maxsize=1024)
def name_tex(name: str) -> str:
    """A variable name as SymPy prints its symbol: ``x1`` → ``x_{1}``, ``alpha`` → ``\\alpha``
    (once per name: exercises and views print the same few names again and again)."""
    import sympy

    return tex(sympy.Symbol(name))


def partial(top: str, bottom: str) -> str:
    r"""``\frac{\partial top}{\partial bottom}`` (both already LaTeX)."""
    return rf"\frac{{\partial {top}}}{{\partial {bottom}}}"


def factor(expr: sympy.Basic) -> str:
    """LaTeX of a factor in a product: parenthesized when it is a sum or starts with a sign."""
    text = sheet_tex(expr)
    return (
        rf"\left({text}\right)" if text.startswith("-") or " + " in text or " - " in text else text
    )


def text_expr(expr: sympy.Basic, order: str | None = None) -> str:
    """A SymPy expression for the terminal, as :func:`sympy_str` with powers as ``^``.

    >>> import sympy; x = sympy.Symbol("x")
    >>> text_expr(sympy.Add(sympy.Pow(x, 2), sympy.Heaviside(x, 0), evaluate=False), "none")
    'x^2 + 1[x > 0]'
    """
    return sympy_str(expr, order).replace("**", "^")


def sympy_str(expr: sympy.Basic, order: str | None = None) -> str:
    """SymPy's ``str(expr)`` in the expression language (``1[x > 0]``, ``1[x ≥ 0]`` for
    ``Heaviside(x, 1)``, ``max``, ``abs``, ``exp(1)``); ``order="none"``: arguments as stored.

    >>> import sympy
    >>> x, y = sympy.symbols("x y")
    >>> sympy_str(sympy.Heaviside(x - y, 0) * sympy.Abs(x) + sympy.Heaviside(x, 1))
    'abs(x)*1[x - y > 0] + 1[x ≥ 0]'
    """
    return _str_printer_class()({} if order is None else {"order": order}).doprint(expr)


@cache
def _str_printer_class():
    """SymPy's str printer, speaking the expression language instead of SymPy's names."""
    from sympy.printing.str import StrPrinter

    def call(self, e):  # Max, Min, Abs as one types them
        return f"{type(e).__name__.lower()}({self.stringify(e.args, ', ')})"

    def step(self, e):  # Heaviside(x, 0) is 1 where x > 0, Heaviside(x, 1) where x >= 0
        relation = {0: ">", 1: "≥"}.get(e.args[1] if len(e.args) > 1 else None)
        return (
            self._print_Function(e)
            if relation is None
            else f"1[{self._print(e.args[0])} {relation} 0]"
        )

    return type(
        "Printer",
        (StrPrinter,),
        {  # Euler's e is exp(1): a variable may be named e
            "_print_Heaviside": step,
            "_print_Exp1": lambda self, e: "exp(1)",
            "_print_Max": call,
            "_print_Min": call,
            "_print_Abs": call,
        },
    )


# --------------------------------------------------------------------------- Expr trees

_PREC = {"add": 1, "sub": 1, "mul": 2, "div": 2, "neg": 3, "pow": 4}


def expr_text(e: Expr) -> str:
    """Our Expr tree as parseable text, with only the parentheses it needs.

    >>> from symgrad.parse import parse
    >>> expr_text(parse("(a+b)*c - -d"))
    '(a + b)*c - -d'
    """
    return _print(e, text=True)


def expr_latex(e: Expr) -> str:
    r"""Our Expr tree as LaTeX, keeping the structure as written (SymPy would reorder it).

    >>> from symgrad.parse import parse
    >>> expr_latex(parse("sigmoid(w1*x1) / 2"))
    '\\frac{\\sigma\\left(w_{1} x_{1}\\right)}{2}'
    """
    return _print(e, text=False)


def _function_tex(op: str) -> str:
    """The op record's LaTeX name of a function (``\\sigma``), else ``\\operatorname{op}``."""
    from .. import ops

    record = ops.OPS.get(op)
    return getattr(record, "tex", None) or rf"\operatorname{{{op}}}"


def _print(e, text: bool) -> str:
    op = e.op
    if op == "var":
        return e.name if text or len(e.name) == 1 else _sub_name(e.name)
    if op == "const":
        return e.name if e.name else num(float(e.value))
    args = e.args
    if op in _PREC:
        p = _PREC[op]

        def child(a, right=False):
            s = _print(a, text)
            q = _PREC.get(a.op, 9)
            if a.op == "const" and float(a.value) < 0:
                q = 3
            if q < p or (right and q == p and op in ("sub", "div")) or (op == "pow" and q <= p):
                return f"({s})" if text else rf"\left({s}\right)"
            return s

        if op == "neg":
            return "-" + child(args[0], True)
        if op == "pow":
            return (
                f"{child(args[0])}^{_print(args[1], text)}"
                if text
                else f"{child(args[0])}^{{{_print(args[1], text)}}}"
            )
        if op == "div" and not text:
            return rf"\frac{{{_print(args[0], text)}}}{{{_print(args[1], text)}}}"
        left, right = child(args[0]), child(args[1], True)
        if op == "mul" and not text:  # juxtapose (3 x_1, w x) unless a number follows
            return left + (r" \cdot " if right[0].isdigit() or right[0] == "-" else " ") + right
        sym = {"add": " + ", "sub": " - ", "mul": "*", "div": "/"}[op]
        return left + sym + right
    inner = ", ".join(_print(a, text) for a in args)
    if text:
        return f"{op}({inner})"
    if op == "abs":
        return rf"\left|{inner}\right|"
    if op == "sqrt":
        return rf"\sqrt{{{inner}}}"
    return rf"{_function_tex(op)}\left({inner}\right)"


def _sub_name(name: str) -> str:
    head, tail = name[0], name[1:].lstrip("_")
    return f"{head}_{{{tail}}}" if tail else head


# --------------------------------------------------------------------------- gate labels


def gate_label(node: Node) -> str:
    """The op record's LaTeX label, with ``{c}`` filled in for ops with a constant."""
    record = node.record
    if record.name == "addc" and node.constant < 0:  # x + (-2) is drawn as a "-2" gate
        return "-" + tex(-node.constant)
    if record.has_const:
        return record.label.format(c=tex(node.const))
    return record.label


def gate_text(node: Node) -> str:
    """The gate label without LaTeX: ``× 1/3``, ``(·)^(1/2)``, ``+1``."""
    record = node.record
    if not record.has_const:
        return plain_label(record.label)
    if record.name == "addc" and node.constant < 0:
        return f"-{-node.constant}"
    c = str(node.const) if re.fullmatch(r"\d+", str(node.const)) else f"({node.const})"
    return plain_label(record.label.format(c="CONST")).replace("CONST", c)


_LABEL_TEXT = [
    (r"\times", "×"),
    (r"\div", "÷"),
    (r"\cdot", "·"),
    (r"\sigma", "σ"),
    (r"\zeta", "ζ"),
    (r"\sqrt", "√"),
]


def plain_label(latex_label: str) -> str:
    r"""A gate label for places without LaTeX (terminal, Graphviz): ``\times 2`` → ``× 2``.

    >>> plain_label(r"(\cdot)^{{{c}}}".format(c="3")), plain_label(r"\mathrm{relu}")
    ('(·)^3', 'relu')
    """
    for command, symbol in _LABEL_TEXT:
        latex_label = latex_label.replace(command, symbol)
    text = latex_label
    text = re.sub(r"\\(?:mathrm|operatorname)\{([^{}]*)\}", r"\1", text)
    text = re.sub(r"\\([A-Za-z]+)", r"\1", text)
    return text.replace("{", "").replace("}", "").strip()
