r"""Worked solutions for people and programs: text, Markdown, LaTeX, JSON and Graphviz DOT.

All math happens before this module (in :mod:`symgrad.derivation` and :mod:`symgrad.mlp`).
Here a result becomes a *view*: plain dicts of already formatted strings and numbers, which
the Jinja2 templates in ``templates/`` only lay out. One shared :func:`environment` serves
every template, ours and the homework engineer's:

* ``StrictUndefined``: a misspelt name fails loudly instead of printing nothing;
* no autoescaping: each format escapes user text itself with :mod:`symgrad.escape`
  (filters ``tex``, ``md``, ``dot``, ``xml``);
* LaTeX-friendly delimiters in *every* template (``\VAR{x}``, ``\BLOCK{for ...}``,
  ``\#{comment}``), so ``{``, ``}``, ``%`` and ``#`` in LaTeX, Markdown and DOT are plain text.

>>> from symgrad.derivation import derive
>>> d = derive("(x+y)*z", at="x=-2,y=5,z=-4")
>>> print(render(d, "text").splitlines()[0])
Worked solution: f(x, y, z) = (x+y)*z
"""

from __future__ import annotations

import importlib.resources
import json
import math
import re
import tomllib
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

from . import escape
from .errors import SymgradError

if TYPE_CHECKING:  # imported when a template is first needed: JSON output never loads Jinja2
    import jinja2

FORMATS = ("text", "json", "markdown", "latex", "dot")
LANGUAGES = ("en", "zh")
TEMPLATE_SUFFIX = {"text": "txt", "markdown": "md", "latex": "tex", "dot": "dot"}
ENGINE = {"en": "pdflatex", "zh": "xelatex"}
"""The default TeX engine of each language (Chinese needs ctex + xelatex); an English document
with characters pdflatex cannot set is compiled with xelatex instead (:func:`tex_engine`)."""

UNICODE_TEX = {
    0x2264: r"\ensuremath{\le}",  # ≤
    0x2265: r"\ensuremath{\ge}",  # ≥
    0x2212: r"\ensuremath{-}",  # −
    0x03C3: r"\ensuremath{\sigma}",  # σ
    0x2299: r"\ensuremath{\odot}",  # ⊙
    0x2032: r"\ensuremath{'}",  # ′
    0x00B2: r"\ensuremath{^2}",  # ²
    0x2016: r"\ensuremath{\|}",  # ‖
    0x03A3: r"\ensuremath{\Sigma}",  # Σ
    0x03BB: r"\ensuremath{\lambda}",  # λ
    0x03A9: r"\ensuremath{\Omega}",  # Ω
    0x2207: r"\ensuremath{\nabla}",  # ∇
    0x2190: r"\ensuremath{\leftarrow}",  # ←
    0x2192: r"\ensuremath{\rightarrow}",  # →
    0x00BD: r"\ensuremath{\tfrac12}",  # ½
    0x2248: r"\ensuremath{\approx}",  # ≈
    0x03B6: r"\ensuremath{\zeta}",  # ζ
    0x03B4: r"\ensuremath{\delta}",  # δ
    0x2211: r"\ensuremath{\sum}",  # ∑
    0x1D7D9: r"\ensuremath{\mathbb{1}}",  # 𝟙
    0x221E: r"\ensuremath{\infty}",  # ∞
    0x2202: r"\ensuremath{\partial}",  # ∂
    0x1D40: r"\ensuremath{^\top}",  # ᵀ
    0x03B8: r"\ensuremath{\theta}",  # θ
    0x2260: r"\ensuremath{\ne}",  # ≠
    0x22C5: r"\ensuremath{\cdot}",  # ⋅
    0x2026: r"\ldots{}",  # …
    0x0177: r"\^{y}",  # ŷ (mlp.py's notes)
}
"""Unicode that our notes and method strings use, as LaTeX: ``templates/unicode.tex.j2``
declares these for English documents under either engine."""

OT1_MISSING = frozenset("«»ÐÞðþ")
"""Latin-1 characters pdflatex's default (OT1) fonts have no glyph for (LaTeX errors)."""

TABLE_DIGITS = 4  # significant digits in tables and matrices
PICTURE_DIGITS = 3  # significant digits on circuit wires
MAX_PICTURE_NODES = 60  # larger graphs get no TikZ picture (DOT still draws them)
MAX_EXACT_CHARS = 60  # an exact value longer than this (as LaTeX) is shown as a decimal only
MAX_MATRIX = 8  # rows/columns of a displayed matrix before the middle is elided
MAX_NETWORK_WIDTH = 12  # units per layer up to which the MLP picture is drawn

COLOR_VALUE = "1b7837"  # green: forward values (above a wire)
COLOR_GRADIENT = "c51b7d"  # magenta: gradients (below a wire)


# --------------------------------------------------------------------------- environment

def _template_root():
    """``symgrad.templates`` when installed (wheel or editable), else the checkout's folder."""
    try:
        root = importlib.resources.files("symgrad.templates")
        if root.joinpath("strings.toml").is_file():
            return root
    except ModuleNotFoundError:
        pass
    return Path(__file__).resolve().parent.parent / "templates"


def _load_template(name: str):
    path = _template_root().joinpath(name)
    if not path.is_file():
        return None
    return path.read_text(encoding="utf-8"), None, lambda: True


def number(x, digits: int = 6) -> str:
    """A float for people: ``digits`` significant digits, no trailing zeros, no -0.

    >>> number(-0.5344466453885), number(2.0), number(-0.0)
    ('-0.534447', '2', '0')
    """
    if x is None:
        return "-"
    x = float(x)
    if x == 0:
        return "0"
    if not math.isfinite(x):
        return str(x)
    return f"{x:.{digits}g}"


def tex_number(x, digits: int = TABLE_DIGITS) -> str:
    r"""A float for LaTeX math: ``1.2e-05`` becomes ``1.2 \times 10^{-5}``.

    >>> tex_number(-1.234567e-5)
    '-1.235 \\times 10^{-5}'
    """
    text = number(x, digits)
    mantissa, e, exponent = text.partition("e")
    if not e:
        return {"inf": r"\infty", "-inf": r"-\infty", "nan": r"\mathrm{NaN}"}.get(text, text)
    return rf"{mantissa} \times 10^{{{int(exponent)}}}"


_OT1_SAFE = [(r"\textless{}", r"\ensuremath{<}"), (r"\textgreater{}", r"\ensuremath{>}"),
             (r"\textbackslash{}", r"\ensuremath{\backslash}"),
             (r"\textasciitilde{}", r"\~{}"), (r"\textasciicircum{}", r"\^{}")]


def latex_text(text: str) -> str:
    r"""User or phrase text for LaTeX running text, escaped with :func:`symgrad.escape.latex`.

    The default (OT1) fonts of pdflatex have no ``< > | \`` glyphs: ``\textless`` and
    friends would pull in bitmap T1 fonts, and a bare ``|`` prints as an em dash. Those few
    characters are set in math instead, which looks the same and works with xelatex too.

    >>> latex_text("a<b | c\\d")
    'a\\ensuremath{<}b \\ensuremath{|} c\\ensuremath{\\backslash}d'
    """
    out = escape.latex(str(text))
    out = out.replace("|", r"\ensuremath{|}")
    for command, safe in _OT1_SAFE:
        out = out.replace(command, safe)
    return out


def md_cell(text: str) -> str:
    r"""Markdown table cell: ``|`` (also inside math) must be ``\|`` or it splits the cell."""
    return str(text).replace("|", r"\|")


def plain(text: str) -> str:
    """User text for the terminal: control characters and line breaks become spaces."""
    return "".join(" " if ord(c) < 32 or ord(c) == 127 else c for c in str(text))


def fill(phrase: str, **values) -> str:
    """A phrase with ``{k}``-style blanks filled in (before it is escaped)."""
    return phrase.format(**values)


def text_table(rows: list[list], indent: int = 2) -> list[str]:
    """Rows of cells padded into aligned columns (the first row is the header)."""
    cells = [[str(c) for c in row] for row in rows]
    widths = [max(_width(r[i]) for r in cells) for i in range(len(cells[0]))]
    rule = " " * indent + "  ".join("-" * w for w in widths)
    lines = [" " * indent + "  ".join(c + " " * (w - _width(c)) for c, w in zip(r, widths))
             .rstrip() for r in cells]
    return [lines[0], rule, *lines[1:]]


def _width(text: str) -> int:
    """Terminal width: CJK characters take two columns."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


FILTERS = {
    "num": number,
    "texnum": tex_number,
    "tex": latex_text,
    "md": escape.markdown,
    "dot": escape.dot,
    "xml": escape.xml,
    "md_cell": md_cell,
    "plain": plain,
    "fill": fill,
    "text_table": text_table,
}


@lru_cache(maxsize=None)
def environment() -> jinja2.Environment:
    r"""The one shared Jinja2 environment (cached): our delimiters, filters and loader.

    >>> environment().from_string(r"\VAR{ 'a_b' | tex }").render()
    'a\\_b'
    """
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FunctionLoader(_load_template),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        block_start_string=r"\BLOCK{",
        block_end_string="}",
        variable_start_string=r"\VAR{",
        variable_end_string="}",
        comment_start_string=r"\#{",
        comment_end_string="}",
        line_statement_prefix=None,
        line_comment_prefix=None,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(FILTERS)
    env.globals["unicode_tex"] = [(f"{code:04X}", tex) for code, tex in UNICODE_TEX.items()]
    return env


@lru_cache(maxsize=None)
def _all_strings() -> dict:
    text = _template_root().joinpath("strings.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def strings(lang: str = "en") -> MappingProxyType:
    """The fixed phrases of one language (``templates/strings.toml``), read-only.

    >>> strings("zh")["backward"]
    '反向传播'
    """
    if lang not in LANGUAGES:
        raise SymgradError(f"unknown language {lang!r} (expected one of: {', '.join(LANGUAGES)})")
    return MappingProxyType(_all_strings()[lang])


# --------------------------------------------------------------------------- dispatch

def render(result, fmt: str = "text", lang: str = "en", fragment: bool | str = False,
           title: str | None = None) -> str:
    r"""``result`` (a :class:`~symgrad.derivation.Derivation` or an MLP result) as ``fmt``.

    ``fragment`` matters for LaTeX only: ``False`` gives a complete document; ``"body"`` the
    document body without preamble (to ``\input``; it needs the packages listed in its first
    lines); ``True`` or ``"math"`` math only, no tables or pictures, which MathJax renders
    (Jupyter's ``_repr_latex_``). ``title`` is user text; every format escapes it.

    >>> from symgrad.derivation import derive
    >>> r"\begin{aligned}" in render(derive("x*y", at="x=2,y=3"), "latex", fragment=True)
    True
    """
    if fmt not in FORMATS:
        raise SymgradError(f"unknown format {fmt!r} (expected one of: {', '.join(FORMATS)})")
    strings(lang)  # validates lang
    kind = _kind(result)
    if fmt == "json":
        data = result.to_dict()
        if title is not None:
            data = {"title": title, **data}
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    view = _derivation_view(result, lang) if kind == "derivation" else _mlp_view(result, lang)
    mode = {False: "document", True: "math", "math": "math", "body": "body",
            "document": "document"}.get(fragment)
    if mode is None:
        raise SymgradError(f"unknown fragment mode {fragment!r} (use False, 'body' or 'math')")
    context = {"v": view, "s": strings(lang), "lang": lang, "title": title,
               "mode": mode, "value_color": COLOR_VALUE, "gradient_color": COLOR_GRADIENT}
    if fmt == "latex" and mode == "math":
        name = f"{kind}.math.tex.j2"
    elif fmt == "latex" and mode == "document":
        context["body"] = environment().get_template(f"{kind}.tex.j2").render(context)
        return tex_document("document.tex.j2", **context)
    else:
        name = f"{kind}.{TEMPLATE_SUFFIX[fmt]}.j2"
    return environment().get_template(name).render(context)


def render_pdf(result, lang: str = "en", title: str | None = None, timeout: float = 60) -> bytes:
    """The complete LaTeX document compiled to PDF with the engine :func:`tex_engine` picks.

    Raises :class:`SymgradError` when TeX is not installed or the compile fails.
    """
    from .latex import compile_pdf

    source = render(result, "latex", lang=lang, title=title)
    return compile_pdf(source, engine=tex_engine(source, lang), timeout=timeout)


def tex_engine(source: str, lang: str = "en") -> str:
    """The engine that compiles ``source``: ``"xelatex"`` for Chinese, and for English text
    with a character pdflatex cannot set (above U+00FF and not in :data:`UNICODE_TEX`, or
    one of :data:`OT1_MISSING`), e.g. a student called 张伟; else ``"pdflatex"``.

    Every LaTeX document (derive, mlp, homework) asks this, and its template sets the class
    for the answer (:func:`tex_document`).

    >>> tex_engine("x ≤ y"), tex_engine("Zhang Wei 张伟"), tex_engine("x", "zh")
    ('pdflatex', 'xelatex', 'xelatex')
    """
    if ENGINE.get(lang) == "xelatex":
        return "xelatex"
    return "xelatex" if _pdflatex_cannot_set().search(source) else "pdflatex"


@lru_cache(maxsize=None)
def _pdflatex_cannot_set() -> re.Pattern:
    """One character class: above U+00FF and not in UNICODE_TEX, or in OT1_MISSING."""
    settable = "".join(chr(c) for c in UNICODE_TEX)
    missing = "".join(OT1_MISSING)
    return re.compile(f"[^\\x00-\\xff{re.escape(settable)}]|[{re.escape(missing)}]")


def tex_document(template: str, lang: str = "en", **context) -> str:
    """A complete LaTeX document from ``template``, set up for the engine that compiles it.

    The template gets ``engine`` (``"pdflatex"`` or ``"xelatex"``) and chooses its class and
    packages by it; when the text needs xelatex, it is rendered again for xelatex.
    """
    page = environment().get_template(template)
    engine = ENGINE.get(lang, "pdflatex")
    source = page.render(context, lang=lang, engine=engine)
    needed = tex_engine(source, lang)
    return source if needed == engine else page.render(context, lang=lang, engine=needed)


def _kind(result) -> str:
    if hasattr(result, "spec") and hasattr(result, "steps") and hasattr(result, "gradients"):
        return "mlp"  # checked first: importing Derivation loads SymPy, which an MLP never needs
    from .derivation import Derivation

    if isinstance(result, Derivation):
        return "derivation"
    raise SymgradError(f"cannot render a {type(result).__name__}")


# --------------------------------------------------------------------------- LaTeX of SymPy

@lru_cache(maxsize=None)
def _printer_class():
    """sympy's LaTeX printer, with indicator functions for Heaviside steps."""
    from sympy.printing.latex import LatexPrinter

    class Printer(LatexPrinter):
        def _print_Heaviside(self, expr, exp=None):
            # symgrad's steps are Heaviside(x, 0): 1 where x > 0, else 0
            body = rf"\mathbb{{1}}\left[{self._print(expr.args[0])} > 0\right]"
            return body if exp is None else rf"\left({body}\right)^{{{exp}}}"

    return Printer


def tex(expr, order: str | None = None, symbol_names: dict | None = None) -> str:
    r"""LaTeX of a SymPy expression (``z_3`` prints as ``z_{3}``, ``w0`` as ``w_{0}``).

    ``order="none"`` keeps the arguments as stored (a node's formula as written: ``b - a``,
    not ``- a + b``); ``symbol_names`` overrides how symbols print (:func:`symbol_names`).

    >>> import sympy
    >>> tex(sympy.Heaviside(sympy.Symbol("z_1"), 0))
    '\\mathbb{1}\\left[z_{1} > 0\\right]'
    >>> a, b = sympy.symbols("a b")
    >>> tex(sympy.Add(b, -a, evaluate=False), order="none")
    'b - a'
    """
    settings = {"symbol_names": symbol_names or {}}
    if order is not None:
        settings["order"] = order
    return _printer_class()(settings).doprint(expr)


def symbol_names(symbols) -> dict:
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


def text_expr(expr, order: str | None = None) -> str:
    """A SymPy expression for the terminal: powers as ``^`` (``x^2``, not ``x**2``).

    >>> import sympy
    >>> x = sympy.Symbol("x")
    >>> text_expr(sympy.Add(sympy.Pow(x, 2), x, evaluate=False), order="none")
    'x^2 + x'
    """
    return sympy_str(expr, order).replace("**", "^")


def sympy_str(expr, order: str | None = None) -> str:
    """``str(expr)``; with ``order="none"``, the arguments in the order they are stored."""
    import sympy

    return sympy.sstr(expr, order=order) if order is not None else str(expr)


# --------------------------------------------------------------------------- derivation view

def _gate_label(node) -> str:
    """The op record's LaTeX label, with ``{c}`` filled in for ops with a constant."""
    record = node.record
    if record.name == "addc" and node.const < 0:  # x + (-2) is drawn as a "-2" gate
        return "-" + tex(-node.const)
    if record.has_const:
        return record.label.format(c=tex(node.const))
    return record.label


def _gate_text(node) -> str:
    """The gate label without LaTeX: ``× 1/3``, ``(·)^(1/2)``, ``+1``."""
    record = node.record
    if not record.has_const:
        return plain_label(record.label)
    if record.name == "addc" and node.const < 0:
        return f"-{-node.const}"
    c = str(node.const)
    if not re.fullmatch(r"\d+", c):
        c = f"({c})"
    return plain_label(record.label.format(c="CONST")).replace("CONST", c)


_LABEL_TEXT = [(r"\times", "×"), (r"\div", "÷"), (r"\cdot", "·"), (r"\sigma", "σ"),
               (r"\zeta", "ζ"), (r"\sqrt", "√")]


def plain_label(latex_label: str) -> str:
    r"""A gate label for places without LaTeX (terminal, Graphviz): ``\times 2`` → ``× 2``.

    >>> plain_label(r"(\cdot)^{{{c}}}".format(c="3")), plain_label(r"\mathrm{relu}")
    ('(·)^3', 'relu')
    """
    text = latex_label
    for command, symbol in _LABEL_TEXT:
        text = text.replace(command, symbol)
    text = re.sub(r"\\(?:mathrm|operatorname)\{([^{}]*)\}", r"\1", text)
    text = re.sub(r"\\([A-Za-z]+)", r"\1", text)
    return text.replace("{", "").replace("}", "").strip()


def _exact_latex(exact, value) -> str | None:
    """The exact value as LaTeX when it says more than the decimal (and is short enough)."""
    if exact is None:
        return None
    if getattr(exact, "is_Integer", False) or getattr(exact, "is_Float", False):
        return None
    text = tex(exact)
    if len(text) > MAX_EXACT_CHARS or text == number(value, TABLE_DIGITS):
        return None
    return text


def _derivation_view(d, lang: str) -> dict:
    """Everything the derivation templates show, formatted; no math happens in templates."""
    graph = d.graph
    notes_zh = strings(lang).get("op_notes")
    exact = d.exact_values() if d.point is not None else None
    has_point = d.values is not None
    names = symbol_names(node.symbol for node in graph.nodes if node.op != "const")

    def tex_of(expr, order: str | None = None) -> str:
        """LaTeX with this graph's symbol names (``x_1`` and ``x1`` must not look alike)."""
        return tex(expr, order=order, symbol_names=names)

    def name_tex(node) -> str:
        return tex_of(node.symbol) if node.op != "const" else tex_of(node.const)

    def value_of(node):
        return d.value_of(node) if has_point else None

    def show(value, expr) -> str:
        """A number at the point; without a point, the expression in node symbols."""
        return number(value, TABLE_DIGITS) if has_point else text_expr(expr)

    def show_tex(value, expr) -> str:
        return tex_number(value) if has_point else tex_of(expr)

    def partial(top, bottom) -> str:
        return rf"\frac{{\partial {top}}}{{\partial {bottom}}}"

    out = graph.nodes[graph.output]
    f_tex = "f"
    nodes = []
    for node in graph.op_nodes:
        value = value_of(node)
        nodes.append({
            "name": node.name, "tex": name_tex(node), "op": node.op,
            "gate": _gate_label(node), "gate_text": _gate_text(node),
            # as written: b - a, not -a + b (SymPy's printers sort unless told not to)
            "formula": tex_of(node.local_expr, order="none"),
            "formula_text": text_expr(node.local_expr, order="none"),
            "value": value, "value_text": number(value, TABLE_DIGITS),
            "value_tex": tex_number(value) if has_point else "",
            "exact": _exact_latex(exact[node.id], value) if exact else None,
            "exact_text": text_expr(exact[node.id]) if exact and _exact_latex(exact[node.id], value)
            else None,
            "is_output": node.id == graph.output,
        })

    by_child: dict[int, list] = {}
    for step in d.steps:
        by_child.setdefault(step.child, []).append(step)
    backward = []
    for node in reversed(graph.nodes):
        if node.op == "const":
            continue
        grad = d.adjoint_of(node) if has_point else None
        contributions = []
        for step in by_child.get(node.id, []):
            parent = graph.nodes[step.parent]
            contributions.append({
                "parent": parent.name, "parent_tex": name_tex(parent),
                "upstream_tex": partial(f_tex, name_tex(parent)),
                "upstream_text": f"df/d{parent.name}",
                "upstream": show(step.upstream_value, step.upstream),
                "upstream_value_tex": show_tex(step.upstream_value, step.upstream),
                "local_tex": partial(name_tex(parent), name_tex(node)),
                "local_text": f"d{parent.name}/d{node.name}",
                "local_expr": tex_of(step.local), "local_expr_text": text_expr(step.local),
                "local": show(step.local_value, step.local),
                "local_value_tex": show_tex(step.local_value, step.local),
                "local_same": not has_point
                or str(step.local) == number(step.local_value, TABLE_DIGITS),
                "product": show(step.product_value, step.product),
                "product_tex": show_tex(step.product_value, step.product),
            })
        adjoint = d.backward.adjoints[node.id]
        backward.append({
            "name": node.name, "tex": name_tex(node), "leaf": node.is_leaf,
            "seed": node.id == graph.output,
            "value": number(value_of(node), TABLE_DIGITS),
            "value_tex": tex_number(value_of(node)) if has_point else "",
            "grad": show(grad, adjoint),
            "grad_tex": show_tex(grad, adjoint),
            "lhs_tex": partial(f_tex, name_tex(node)), "lhs_text": f"df/d{node.name}",
            "contributions": contributions,
            "fork": len(contributions) > 1,
            "sum_tex": " + ".join(_paren_negative(c["product_tex"]) for c in contributions),
            "sum_text": " + ".join(_paren_negative(c["product"]) for c in contributions),
        })

    gradients = []
    for g in d.gradients.values():
        gradients.append({
            "name": g.name, "tex": tex_of(graph.var_node(g.name).symbol),
            "lhs_tex": partial(f_tex, tex_of(graph.var_node(g.name).symbol)),
            "node_expr": tex_of(g.node_expr), "node_expr_text": text_expr(g.node_expr),
            "expr": None if g.expr is None else tex_of(g.expr),
            "expr_text": None if g.expr is None else text_expr(g.expr),
            "same": g.expr is not None and g.expr == g.node_expr,
            "value": number(g.value, TABLE_DIGITS),
            "value_tex": "" if g.value is None else tex_number(g.value),
            "value_full": number(g.value, 10),
        })

    notes, seen = [], set()
    for node in reversed(graph.op_nodes):  # the order the backward pass meets them
        if node.op in seen:
            continue
        seen.add(node.op)
        note = node.record.note if lang == "en" else notes_zh.get(node.op, node.record.note)
        notes.append({"op": node.op, "gate": _gate_label(node),
                      "gate_text": _gate_text(node), "note": note})

    point = []
    if d.point is not None:
        for name, value in d.point.items():
            point.append({"name": name, "tex": tex_of(graph.var_node(name).symbol),
                          "value_tex": tex_of(value), "value_text": str(value)})

    return {
        "expression": d.expression,
        "function_tex": tex_of(d.function),
        "function_text": text_expr(d.function),
        "variables": list(d.variables),
        "variables_tex": ", ".join(tex_of(graph.var_node(v).symbol) for v in d.variables),
        "granularity": d.granularity,
        "point": point,
        "has_point": has_point,
        "value": number(d.value, TABLE_DIGITS),
        "value_tex": tex_number(d.value) if has_point else "",
        "value_full": number(d.value, 10),
        "output": out.name,
        "output_tex": tex_of(out.symbol),
        "nodes": nodes,
        "backward": backward,
        "forks": [row for row in backward if row["fork"]],
        "gradients": gradients,
        "check": _check_view(d.check, {v: tex_of(graph.var_node(v).symbol) for v in d.variables}),
        "notes": notes,
        "circuit": _circuit(d, tex_of),
        "draw_circuit": len(graph.nodes) <= MAX_PICTURE_NODES,
    }


def _paren_negative(text: str) -> str:
    return f"({text})" if text.startswith("-") else text


def _check_view(check, names_tex: dict[str, str]) -> dict | None:
    if check is None:
        return None
    rows = []
    for v in check.variables:
        rows.append({"name": v.name, "tex": names_tex.get(v.name, v.name), "analytic": number(v.analytic, 8),
                     "numeric": number(v.numeric, 8),
                     "rel_error": "-" if v.rel_error is None else f"{v.rel_error:.1e}",
                     "rel_error_tex": "-" if v.rel_error is None else
                     tex_number(float(f"{v.rel_error:.1e}"), 2),
                     "status": v.status, "reason": v.reason})
    return {"passed": {True: "passed", False: "failed", None: "inconclusive"}[check.passed],
            "max_rel_error": "-" if check.max_rel_error is None else
            f"{check.max_rel_error:.1e}",
            "max_rel_error_tex": "-" if check.max_rel_error is None else
            tex_number(float(f"{check.max_rel_error:.1e}"), 2),
            "method": check.method, "rows": rows, "kinks": list(check.kinks)}


# --------------------------------------------------------------------------- circuit layout

COLUMN_CM = (2.0, 2.6)  # horizontal distance between layers: squeezed down to the minimum
ROW_CM = 1.5  # vertical distance between input slots
MIN_GAP_CM = 1.3  # smallest vertical distance between two nodes of one column
LEAF_SHIFT_CM = 0.4  # leaves sit a little further left: their names are wider than a wire
PAGE_CM = (16.0, 21.0)  # largest picture (width, height) before it is scaled down


def layout(graph, column_cm: float | None = None) -> tuple[dict[int, tuple[float, float]], float]:
    """(x, y) in cm for every node, and the column width: columns by longest path, rows
    like a tree drawing.

    Columns are ``column_cm`` apart (default: as wide as fits the page, within
    :data:`COLUMN_CM`). Op nodes sit one column right of their deepest input; leaves sit just left of their
    first user. Rows: leaves take slots in the order a depth-first walk from the output meets
    them, an op node sits at the mean height of its inputs (so chains of one-input gates run
    straight), and nodes of one column are pushed apart to at least :data:`MIN_GAP_CM`.
    """
    users = graph.users()
    column: dict[int, int] = {}
    for node in graph.nodes:
        column[node.id] = 0 if node.is_leaf else 1 + max(column[i] for i in node.inputs)
    for node in graph.nodes:
        if node.is_leaf and users[node.id]:
            column[node.id] = max(0, min(column[u] for u in users[node.id]) - 1)
    if column_cm is None:
        columns = max(column.values()) + 2  # + the output wire
        column_cm = min(COLUMN_CM[1], max(COLUMN_CM[0], PAGE_CM[0] / columns))
    y: dict[int, float] = {}
    slot = 0
    stack = [(graph.output, False)]
    while stack:  # post-order, inputs in the order written
        node_id, expanded = stack.pop()
        if node_id in y:
            continue
        node = graph.nodes[node_id]
        if node.is_leaf:
            y[node_id] = -slot * ROW_CM
            slot += 1
        elif expanded:
            y[node_id] = sum(y[i] for i in node.inputs) / len(node.inputs)
        else:
            stack.append((node_id, True))
            stack.extend((i, False) for i in reversed(node.inputs) if i not in y)
    by_column: dict[int, list[int]] = {}
    for node_id in y:
        by_column.setdefault(column[node_id], []).append(node_id)
    for ids in by_column.values():
        ids.sort(key=lambda i: (-y[i], i))
        for above, below in zip(ids, ids[1:]):
            if y[above] - y[below] < MIN_GAP_CM:
                y[below] = y[above] - MIN_GAP_CM
    return {i: (column[i] * column_cm - (LEAF_SHIFT_CM if graph.nodes[i].is_leaf else 0.0), y[i])
            for i in y}, column_cm


def _circuit(d, tex_of=tex) -> dict:
    """Nodes and wires of the circuit picture with positions, values and gradients
    (``tex_of``: LaTeX with the rendering's symbol names)."""
    graph = d.graph
    pos, step_x = layout(graph)
    has_point = d.values is not None
    steps = {}
    for step in d.steps:
        steps.setdefault((step.parent, step.child), []).append(step)
    users = graph.users()
    nodes, wires = [], []
    for node in graph.nodes:
        x, y = pos[node.id]
        grad = d.adjoint_of(node) if has_point and node.op != "const" else None
        nodes.append({
            "id": f"n{node.id}", "x": f"{x:.2f}", "y": f"{y:.2f}", "leaf": node.is_leaf,
            "const": node.op == "const",
            "label": tex_of(node.symbol) if node.op != "const" else tex(node.const),
            "label_text": node.name,
            "gate": "" if node.is_leaf else _gate_label(node),
            "gate_text": "" if node.is_leaf else _gate_text(node),
            "symbol": "" if node.is_leaf else tex_of(node.symbol),
            # a fork's total gradient is written at the node; its wires carry the parts
            "total": number(grad, PICTURE_DIGITS) if grad is not None and len(users[node.id]) > 1
            else None,
        })
    for node in graph.nodes:
        if node.is_leaf:
            continue
        seen: dict[int, int] = {}
        for k, child_id in enumerate(node.inputs):
            repeat = seen.get(child_id, 0)
            seen[child_id] = repeat + 1
            child = graph.nodes[child_id]
            part = steps.get((node.id, child_id), [])
            step = part[repeat] if repeat < len(part) else None
            x0, y0 = pos[child_id]
            x1, _ = pos[node.id]
            span = max(round((x1 - x0) / step_x), 1) if not child.is_leaf else 1
            # label in the first gap after the source; a fork's wires near their targets
            at = 0.42 / span if len(users[child_id]) == 1 else 1 - 0.5 / span
            wires.append({
                "source": f"n{child_id}", "target": f"n{node.id}",
                "value": number(d.value_of(child), PICTURE_DIGITS) if has_point else "",
                "gradient": "" if step is None or not has_point else
                number(step.product_value, PICTURE_DIGITS),
                "pos": f"{at:.2f}", "bend": 25 * repeat,
            })
    out = graph.nodes[graph.output]
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    width = max(xs) - min(xs) + step_x + 1.0
    height = max(ys) - min(ys) + 2.0
    scale = min(1.0, PAGE_CM[0] / width, PAGE_CM[1] / height)
    return {
        "nodes": nodes, "wires": wires, "scale": f"{scale:.3f}",
        "output": f"n{out.id}",
        "output_value": number(d.value, PICTURE_DIGITS) if has_point else "",
        "output_gradient": "1" if has_point else "",
        "has_point": has_point,
    }


# --------------------------------------------------------------------------- MLP view

def bmatrix(value, digits: int = TABLE_DIGITS) -> str:
    r"""A vector (as a column) or matrix as a LaTeX ``bmatrix``, large ones elided.

    >>> bmatrix([1.0, -0.5])
    '\\begin{bmatrix} 1 \\\\ -0.5 \\end{bmatrix}'
    """

    a = _denoise(value)
    if a.ndim == 0:
        return tex_number(float(a), digits)
    if a.ndim == 1:
        a = a.reshape(-1, 1)
    rows = _elide(list(range(a.shape[0])))
    cols = _elide(list(range(a.shape[1])))
    lines = []
    for i in rows:
        cells = []
        for j in cols:
            if i is None:
                cells.append(r"\vdots" if j is not None else r"\ddots")
            else:
                cells.append(r"\cdots" if j is None else tex_number(a[i, j], digits))
        lines.append(" & ".join(cells))
    return r"\begin{bmatrix} " + r" \\ ".join(lines) + r" \end{bmatrix}"


def _denoise(value):
    """For display only: entries that are rounding noise next to the others (|a| < 1e-12 of
    the largest, e.g. 2.8e-17 for a true 0) are shown as 0."""
    import numpy as np

    a = np.array(value, dtype=float)
    if a.size:
        scale = max(float(np.max(np.abs(a))), 1.0) if np.all(np.isfinite(a)) else 1.0
        a[np.abs(a) < 1e-12 * scale] = 0.0
    return a


def _aligned(latex: str) -> str:
    """``a = b = c`` → ``a &= b = c`` for an align environment (at the first ``=``)."""
    head, sep, tail = latex.partition(" = ")
    return f"{head} &= {tail}" if sep else f"& {latex}"


def _elide(indices: list[int]) -> list[int | None]:
    if len(indices) <= MAX_MATRIX:
        return indices
    half = MAX_MATRIX // 2
    return indices[:half] + [None] + indices[-half + 1:]


def text_matrix(value, digits: int = TABLE_DIGITS) -> list[str]:
    """A vector (one line, as a row) or a matrix (one line per row) for the terminal."""

    a = _denoise(value)
    if a.ndim == 0:
        return [number(float(a), digits)]
    if a.ndim == 1:
        a = a.reshape(1, -1)
    cells = [[number(v, digits) for v in row] for row in a]
    width = max(len(c) for row in cells for c in row)
    return ["[" + "  ".join(c.rjust(width) for c in row) + "]" for row in cells]


def _shape_tex(shape: tuple) -> str:
    if not shape:
        return r"\mathbb{R}"
    return r"\mathbb{R}^{" + r" \times ".join(str(n) for n in shape) + "}"


def _shape_text(shape: tuple) -> str:
    return "scalar" if not shape else " x ".join(str(n) for n in shape)


def _mlp_note_key(result, step) -> str | None:
    """Which ``[zh.mlp_notes]`` entry translates ``step.note``."""
    spec = result.spec
    if not step.note:
        return None
    if step.kind == "output":
        return f"fused_{spec.output}"
    if step.kind == "activation" and step.layer == spec.depth and not spec.fused:
        return f"mse_{spec.output}"
    if step.kind == "activation":
        return spec.activation(step.layer)
    if step.kind == "bias":
        return "l2_bias"
    return None


def _mlp_view(result, lang: str) -> dict:
    """The MLP templates' view: parameters, forward and backward steps, gradient matrices."""
    spec = result.spec
    notes_zh = strings(lang).get("mlp_notes")
    params = result.params.as_dict()

    g_of_layer = {s.layer: s.value for s in result.backward_steps if s.kind == "bias"}

    def h_before(k: int):
        return params["x"] if k == 1 else result.values[f"h{k - 1}"]

    def operands(step) -> str:
        """The step's right-hand side with the numbers in place (no arithmetic)."""
        k = step.layer
        if step.kind == "forward" and step.latex.startswith(r"\mathbf{z}"):
            return (f"{bmatrix(params[f'W{k}'])} {bmatrix(h_before(k))} + "
                    f"{bmatrix(params[f'b{k}'])}")
        if step.kind == "weight":
            reg = f" + {tex_number(spec.l2)} {bmatrix(params[f'W{k}'])}" if spec.l2 else ""
            return f"{bmatrix(g_of_layer[k])} {bmatrix([h_before(k)])}{reg}"
        if step.kind == "propagate":
            return f"{bmatrix(params[f'W{k}'].T)} {bmatrix(g_of_layer[k])}"
        return ""

    def step_view(step) -> dict:
        key = _mlp_note_key(result, step)
        note = step.note if lang == "en" or key is None else notes_zh.get(key, step.note)
        value = step.value
        return {"label": step.label, "kind": step.kind, "layer": step.layer,
                "latex": step.latex, "aligned": _aligned(step.latex), "text": step.text,
                "value": bmatrix(value),
                "value_lines": text_matrix(value), "shape": _shape_tex(step.shape),
                "shape_text": _shape_text(step.shape), "scalar": not step.shape,
                "expanded": step.expanded, "note": note, "operands": operands(step)}

    given = []
    for k in range(1, spec.depth + 1):
        w, b = params[f"W{k}"], params[f"b{k}"]
        given.append({"layer": k, "W": bmatrix(w), "b": bmatrix(b),
                      "W_lines": text_matrix(w), "b_lines": text_matrix(b),
                      "W_shape": _shape_tex(w.shape), "b_shape": _shape_tex(b.shape),
                      "W_shape_text": _shape_text(w.shape), "b_shape_text": _shape_text(b.shape)})
    gradients = []
    for key, value in result.gradients.items():
        gradients.append({"key": key, "tex": _param_tex(key), "value": bmatrix(value),
                          "lines": text_matrix(value), "shape": _shape_tex(value.shape),
                          "shape_text": _shape_text(value.shape)})
    check = None
    if result.check is not None:
        check = {"passed": {True: "passed", False: "failed", None: "inconclusive"}[
                     result.check.passed],
                 "max_rel_error": f"{result.check.max_rel_error:.1e}",
                 "max_rel_error_tex": tex_number(float(f"{result.check.max_rel_error:.1e}"), 2),
                 "method": result.check.method, "skipped": list(result.check.skipped)}
    scalar = None
    if result.scalar_check:
        sc = result.scalar_check
        scalar = {"passed": "passed" if sc["passed"] else "failed",
                  "max_rel_error": f"{sc['max_rel_error']:.1e}",
                  "max_rel_error_tex": tex_number(float(f"{sc['max_rel_error']:.1e}"), 2),
                  "method": sc["method"]}
    return {
        "layers": "-".join(map(str, spec.layers)),
        "hidden": ", ".join(spec.hidden) if spec.hidden else "-",
        "output": spec.output, "loss": spec.loss, "l2": number(spec.l2),
        "has_l2": bool(spec.l2), "depth": spec.depth,
        "x": bmatrix(params["x"]), "y": bmatrix(params["y"]),
        "x_lines": text_matrix(params["x"]), "y_lines": text_matrix(params["y"]),
        "x_shape": _shape_tex(params["x"].shape), "y_shape": _shape_tex(params["y"].shape),
        "given": given,
        "forward": [step_view(s) for s in result.forward_steps],
        "backward": [step_view(s) for s in result.backward_steps],
        "gradients": gradients,
        "loss_value": number(result.loss, 6), "loss_tex": tex_number(result.loss, 6),
        "check": check, "scalar_check": scalar,
        "kinks": [k.describe() for k in result.kinks],
        "entries": [{"latex": e["latex"], "text": e["text"],
                     "value": number(e["value"], 6)} for e in result.entries],
        "network": _network(result),
        "draw_network": max(spec.layers) <= MAX_NETWORK_WIDTH,
    }


def _param_tex(key: str) -> str:
    """``W2`` → ``\\nabla_{\\mathbf{W}^{(2)}} J``."""
    return rf"\nabla_{{\mathbf{{{key[0]}}}^{{({key[1:]})}}}} J"


NETWORK_COLUMN_CM = 3.4
NETWORK_ROW_CM = 1.6


def _network(result) -> dict:
    """The MLP drawn unit by unit: each unit's output above, ∂J/∂z of the unit below."""
    spec = result.spec
    grads = {}
    for step in result.backward_steps:
        if step.kind in ("output", "activation"):
            grads[step.layer] = _denoise(step.value)  # the last per layer is ∇_{z^{(k)}} J
    layers = []
    tallest = max(spec.layers)
    for k, width in enumerate(spec.layers):
        values = result.params.x if k == 0 else \
            result.values["yhat" if k == spec.depth else f"h{k}"]
        top = (tallest - width) * NETWORK_ROW_CM / 2
        units = []
        for j in range(width):
            if k == 0:
                name = rf"x_{{{j + 1}}}"
            elif k == spec.depth:
                name = rf"\hat{{y}}_{{{j + 1}}}"
            else:
                name = rf"h^{{({k})}}_{{{j + 1}}}"
            units.append({
                "id": f"u{k}x{j}", "x": f"{k * NETWORK_COLUMN_CM:.2f}",
                "y": f"{-(top + j * NETWORK_ROW_CM):.2f}", "name": name,
                "name_text": "x" + str(j + 1) if k == 0 else
                (f"yhat{j + 1}" if k == spec.depth else f"h{k}_{j + 1}"),
                "value": number(values[j], PICTURE_DIGITS),
                "gradient": "" if k == 0 else number(grads[k][j], PICTURE_DIGITS),
            })
        activation = "" if k == 0 else spec.activation(k)
        layers.append({"k": k, "units": units, "activation": activation,
                       "x": f"{k * NETWORK_COLUMN_CM:.2f}",
                       "top": f"{NETWORK_ROW_CM * 0.9:.2f}"})
    edges = [(a["x"], a["y"], b["x"], b["y"]) for left, right in zip(layers, layers[1:])
             for a in left["units"] for b in right["units"]]
    height = tallest * NETWORK_ROW_CM + 1.5
    width = spec.depth * NETWORK_COLUMN_CM + 3.0
    scale = min(1.0, PAGE_CM[0] / width, PAGE_CM[1] / height)
    edge_ids = [(a["id"], b["id"]) for left, right in zip(layers, layers[1:])
                for a in left["units"] for b in right["units"]]
    return {"layers": layers, "edges": edges, "edge_ids": edge_ids, "scale": f"{scale:.3f}",
            "bottom": f"{-(tallest * NETWORK_ROW_CM):.2f}"}


__all__ = ["FORMATS", "LANGUAGES", "ENGINE", "FILTERS", "environment", "strings", "render",
           "render_pdf", "tex_engine", "tex_document", "number", "tex_number", "tex", "bmatrix",
           "layout", "plain_label"]
