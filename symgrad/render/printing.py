r"""The one printer: SymPy expressions and our Expr trees as LaTeX and as terminal text.

* :func:`tex` is SymPy's LaTeX printer with one change (a Heaviside step prints as the
  indicator ``\mathbb{1}[x > 0]``); every format prints SymPy's LaTeX through it;
  :func:`sympy_str` / :func:`text_expr` print text in the expression language (``1[x > 0]``,
  ``max(x, y)``, never ``Heaviside`` or ``Max``), for the text format and the JSON.
* :func:`expr_latex` / :func:`expr_text` print a parsed Expr tree as written (SymPy would
  reorder it); function names come from the op records (``Op.tex``).
* :func:`latex_text` escapes running text for LaTeX; :func:`plain_math` turns our LaTeX
  snippets into terminal text; :func:`plain_label` does the same for gate labels.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Protocol

from .. import escape
from .numbers import num

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


def name_tex(name: str) -> str:
    """A variable name as SymPy prints its symbol: ``x1`` → ``x_{1}``, ``alpha`` → ``\\alpha``."""
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


# --------------------------------------------------------------------------- running text

_OT1_SAFE = [
    (r"\textless{}", r"\ensuremath{<}"),
    (r"\textgreater{}", r"\ensuremath{>}"),
    (r"\textbackslash{}", r"\ensuremath{\backslash}"),
    (r"\textasciitilde{}", r"\~{}"),
    (r"\textasciicircum{}", r"\^{}"),
]

_MATH_SYMBOLS = {  # math-like Unicode in exercise notes, as LaTeX math (every engine, font)
    "σ": r"\sigma",
    "ζ": r"\zeta",
    "λ": r"\lambda",
    "η": r"\eta",
    "Ω": r"\Omega",
    "∂": r"\partial",
    "∇": r"\nabla",
    "⊙": r"\odot",
    "≤": r"\le",
    "≥": r"\ge",
    "→": r"\to",
    "←": r"\leftarrow",
    "×": r"\times",
    "·": r"\cdot",
    "−": "-",
    "′": "'",
    "‖": r"\|",
    "²": "^2",
    "ᵀ": r"^\top",
    "ŷ": r"\hat y",
    "Σ": r"\Sigma",
    "≈": r"\approx",
    "∈": r"\in",
    "ˣ": "^x",
    "₁": "_1",
    "₂": "_2",
}
_MATH_SYMBOLS_RE = re.compile("|".join(map(re.escape, _MATH_SYMBOLS)))


def latex_text(text: str, math_symbols: bool = False) -> str:
    r"""User or phrase text for LaTeX running text, escaped with :func:`symgrad.escape.latex`.

    pdflatex's default (OT1) fonts have no ``< > | \`` glyphs (``\textless`` pulls in bitmap
    T1 fonts, a bare ``|`` prints as an em dash): they are set in math, as with xelatex.
    ``math_symbols``: also set math-like Unicode (σ, ∂, ≤, ...) as ``\ensuremath{...}`` and
    ``–`` as ``--``, for documents without our Unicode declarations (Chinese exercise sheets).

    >>> latex_text("a<b | c\\d")
    'a\\ensuremath{<}b \\ensuremath{|} c\\ensuremath{\\backslash}d'
    >>> latex_text("σ′ ≤ 1/4", math_symbols=True)
    "\\ensuremath{\\sigma}\\ensuremath{'} \\ensuremath{\\le} 1/4"
    """
    out = escape.latex(str(text)).replace("|", r"\ensuremath{|}")
    for command, safe in _OT1_SAFE:
        out = out.replace(command, safe)
    if math_symbols:
        out = out.replace("–", "--")
        out = _MATH_SYMBOLS_RE.sub(lambda m: rf"\ensuremath{{{_MATH_SYMBOLS[m[0]]}}}", out)
    return out


def md_cell(text: str) -> str:
    r"""Markdown table cell: ``|`` (also inside math) must be ``\|`` or it splits the cell."""
    return str(text).replace("|", r"\|")


def plain(text: str) -> str:
    """User text for the terminal: control characters and line breaks become spaces."""
    return "".join(" " if ord(c) < 32 or ord(c) == 127 else c for c in str(text))


_PLAIN: list[
    tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]]
] = [  # applied repeatedly, innermost braces first, until nothing changes
    (re.compile(r"\\mathbb\{R\}"), "ℝ"),
    (re.compile(r"\\mathbb\{1\}"), "1"),  # 1[x > 0]
    (re.compile(r"\\(?:mathbf|boldsymbol|mathrm|operatorname|text|mathit)\{([^{}]*)\}"), r"\1"),
    (re.compile(r"_\{([^{}\\]+)\}"), r"_\1"),  # z_{3} -> z_3, so \frac matches
    (re.compile(r"\^\{([A-Za-z0-9.]+)\}"), r"^\1"),  # x^2, but e^(z_5): e^z_5 reads (e^z)_5
    (re.compile(r"\^\{(-?)\s*([^{}\\]+)\}"), r"^(\1\2)"),  # W^((2)) is undoubled at the end
    (re.compile(r"\s+(\\right)"), r"\1"),  # \left(z \right): SymPy's space before \right
    (re.compile(r"\\frac\{\\partial ([^{}]+)\}\{\\partial ([^{}]+)\}"), r"∂\1/∂\2"),
    (
        re.compile(r"\\frac\{([^{}]+)\}\{([^{}]+)\}"),
        lambda m: f"{_operand(m.group(1))}/{_operand(m.group(2))}",
    ),
    # \hat y / \hat{y}: only the macro and its argument go; spaces around are the source's
    (re.compile(r"\\hat\s*(?:\{\s*y\s*\}|y(?![A-Za-z]))"), "ŷ"),
    (re.compile(r"\\hat\{([^{}]*)\}"), r"\1̂"),
    (
        re.compile(r"\\begin\{bmatrix\}(.*?)\\end\{bmatrix\}"),
        lambda m: "[" + m.group(1).replace(r"\\", "; ").replace("&", ",") + "]",
    ),
    (
        re.compile(r"\\begin\{cases\}(.*?)\\end\{cases\}"),
        lambda m: "{ " + m.group(1).replace(r"\\", ";").replace("&", "") + " }",
    ),
    (re.compile(r"\\(?:left|right|bigl|bigr|Bigl|Bigr)(?![A-Za-z])"), ""),  # sizes only
    (re.compile(r"\\,|\\;|\\q?quad(?![A-Za-z])"), " "),
    (re.compile(r"\\!"), ""),
]
_SYMBOLS = {
    r"\partial": "∂",
    r"\sigma": "σ",
    r"\zeta": "ζ",
    r"\lambda": "λ",
    r"\eta": "η",
    r"\nabla": "∇",
    r"\odot": " ⊙ ",
    r"\cdot": " · ",
    r"\times": " × ",
    r"\approx": "≈",
    r"\leftarrow": "←",
    r"\top": "ᵀ",
    r"\tanh": "tanh",
    r"\exp": "exp",
    r"\log": "log",
    r"\max": "max",
    r"\min": "min",
    r"\sum": "Σ",
    r"\Omega": "Ω",
    r"\mathrel{+}=": "+=",
    r"\pm": "±",
    r"\tfrac12": "½",
    r"\frac12": "½",
    r"\le": "≤",
    r"\ge": "≥",
    r"\neq": "≠",
    r"\in": "∈",
    r"\mid": "|",
    r"\|": "‖",
    r"\{": "{",
    r"\}": "}",
    r"\theta": "θ",
    r"\to": "→",
    r"\ ": " ",
    r"\geq": "≥",
    r"\_": "_",
}


def _operand(text: str) -> str:
    """One side of a fraction in plain text: parenthesized unless it is a single term."""
    return text if re.fullmatch(r"[\w.]+", text.strip()) else f"({text})"


def _undouble(text: str) -> str:
    """Doubled parentheses dropped: ``((x + 1))`` → ``(x + 1)``, ``W^((2))`` → ``W^(2)``."""
    opened, pairs = [], {}
    for i, c in enumerate(text):
        if c == "(":
            opened.append(i)
        elif c == ")" and opened:
            pairs[opened.pop()] = i
    drop = {k for i, j in pairs.items() if pairs.get(i + 1) == j - 1 for k in (i, j)}
    return "".join(c for k, c in enumerate(text) if k not in drop)


def plain_math(text: str) -> str:
    r"""Best-effort terminal rendering of our LaTeX snippets (for ``--format text``).

    >>> plain_math(r"$\hat y = \sigma(z)$ and $\frac{\partial f}{\partial x_{1}}$")
    'ŷ = σ(z) and ∂f/∂x_1'
    >>> plain_math(r"\operatorname{leaky\_relu}(z) = \max(\frac{z}{100}, z) + \frac{1}{a + b}")
    'leaky_relu(z) = max(z/100, z) + 1/(a + b)'
    """
    for _ in range(6):
        before = text
        for pattern, repl in _PLAIN:
            text = pattern.sub(repl, text)
        if text == before:
            break
    for macro, symbol in sorted(_SYMBOLS.items(), key=lambda kv: -len(kv[0])):
        text = text.replace(macro, symbol)
    text = text.replace("$$", "").replace("$", "").replace("{", "").replace("}", "")
    return _undouble(re.sub(r"[ \t]+", " ", text).strip())


def fill(phrase: str, **values: object) -> str:
    """A phrase with ``{k}``-style blanks filled in (before it is escaped)."""
    return phrase.format(**values)


def text_table(rows: list[list], indent: int = 2) -> list[str]:
    """Rows of cells padded into aligned columns (the first row is the header).

    >>> text_table([["a", "bb"], ["ccc", "d"]])
    ['  a    bb', '  ---  --', '  ccc  d']
    """
    cells = [[str(c) for c in row] for row in rows]
    widths = [max(_width(r[i]) for r in cells) for i in range(len(cells[0]))]
    lines = [
        " " * indent + "  ".join(c + " " * (w - _width(c)) for c, w in zip(r, widths)).rstrip()
        for r in cells
    ]
    return [lines[0], " " * indent + "  ".join("-" * w for w in widths), *lines[1:]]


def _width(text: str) -> int:
    """Terminal width: CJK characters take two columns."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
