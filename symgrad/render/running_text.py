r"""Running text for each format: escaped for LaTeX (:func:`latex_text`), for a Markdown table
cell (:func:`md_cell`), for the terminal (:func:`plain`); our LaTeX snippets as terminal text
(:func:`plain_math`); phrases with blanks filled (:func:`fill`); aligned text tables
(:func:`text_table`). Expressions themselves are printed by :mod:`symgrad.render.printing`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from .. import escape

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
