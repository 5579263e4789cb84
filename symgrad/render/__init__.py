r"""Worked solutions for people and programs: text, Markdown, LaTeX, JSON and Graphviz DOT.

All math happens below this package (:mod:`symgrad.derivation`, :mod:`symgrad.mlp`,
:mod:`symgrad.jacobian`). Here a result becomes a *view*: plain dicts of already formatted
strings and numbers, which the Jinja2 templates in ``templates/`` only lay out, in the one
environment of :mod:`symgrad.render.environment`. Which result kind has which view and
formats is the literal :data:`VIEWS`; a new format is one template set plus one
:data:`FORMATS` entry.

Importing this package loads neither SymPy, NumPy nor Jinja2 (``symgrad --help`` reads
:data:`FORMATS`); it registers the notebook display of a Derivation (:mod:`symgrad.display`).

>>> from symgrad.derivation import derive
>>> d = derive("(x+y)*z", at="x=-2,y=5,z=-4")
>>> print(render(d, "text").splitlines()[0])
Worked solution: f(x, y, z) = (x+y)*z
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple

from .. import display
from ..errors import SymgradError
from .check_text import localized_view
from .environment import LANGUAGES, environment, strings, template_file

if TYPE_CHECKING:
    from .views import Result

FORMATS = ("text", "json", "markdown", "latex", "dot", "html")
"""Every format a worked solution (``symgrad derive``, ``symgrad mlp``) is rendered in."""

EXERCISE_FORMATS = ("text", "markdown", "latex", "json")
"""``symgrad exercise``: one exercise, with or without its answers."""

HOMEWORK_FORMATS = ("latex", "markdown", "moodle", "json", "qti12", "qti21")
"""``symgrad homework``: sheets and keys; ``moodle`` (Moodle XML) and ``qti12``/``qti21``
(QTI content packages, render/views/qti.py) are homework-only formats."""

TEMPLATE_SUFFIX = {"text": "txt", "markdown": "md", "latex": "tex", "dot": "dot"}

COLOR_VALUE = "1b7837"  # green: forward values (above a wire)
COLOR_GRADIENT = "c51b7d"  # magenta: gradients (below a wire)


class View(NamedTuple):
    """How one kind of result is shown: the templates' view, its JSON, and its formats.

    The view module (``symgrad.render.views.<module>``) is imported when a result is
    rendered, not when the CLI starts: a command imports only the view it shows.
    """

    module: str  # symgrad.render.views.<module>: context(result, lang) and data(result)
    formats: tuple[str, ...]

    @property
    def context(self) -> Callable[..., dict[str, Any]]:
        """(result, lang) -> the dict templates/<kind>.<suffix>.j2 lay out."""
        context: Callable[..., dict[str, Any]] = self._views().context
        return context

    @property
    def data(self) -> Callable[..., dict[str, Any]]:
        """result -> the dict printed as JSON."""
        data: Callable[..., dict[str, Any]] = self._views().data
        return data

    def _views(self) -> Any:
        return importlib.import_module(f"{__name__}.views.{self.module}")


VIEWS = {
    "derivation": View("derivation", FORMATS),
    "mlp": View("mlp", FORMATS),
    "jacobian": View("jacobian", ("text", "json", "markdown", "latex", "html")),
    "check": View("grading", ("text", "json", "markdown", "html")),
}

KINDS = {
    "Derivation": "derivation",
    "MLPResult": "mlp",
    "VectorChainRule": "jacobian",
    "Diagnosis": "check",
}
"""The result classes :func:`render` knows, by name (naming them costs no import)."""


def formats(kind: str) -> tuple[str, ...]:
    """The ``--format`` choices of a command: a result kind of :data:`VIEWS`, ``exercise``
    or ``homework``.

    >>> formats("jacobian")
    ('text', 'json', 'markdown', 'latex', 'html')
    """
    if kind == "exercise":
        return EXERCISE_FORMATS
    if kind == "homework":
        return HOMEWORK_FORMATS
    return VIEWS[kind].formats


def render(
    result: Result,
    fmt: str = "text",
    lang: str = "en",
    fragment: bool | str = False,
    title: str | None = None,
) -> str:
    r"""``result`` (a Derivation, an MLP result or a vector chain rule) as ``fmt``.

    ``fragment`` matters for LaTeX only: ``False`` gives a complete document; ``"body"`` the
    document body without preamble (to ``\input``; it needs the packages listed in its first
    lines); ``True`` or ``"math"`` math only, no tables or pictures, which MathJax renders
    (Jupyter's ``_repr_latex_``). ``title`` is user text; every format escapes it.

    >>> from symgrad.derivation import derive
    >>> r"\begin{aligned}" in render(derive("x*y", at="x=2,y=3"), "latex", fragment=True)
    True
    """
    kind = _kind(result)
    view = VIEWS[kind]
    if fmt not in view.formats:
        raise SymgradError(
            f"unknown format {fmt!r} for a {kind} (expected one of: {', '.join(view.formats)})"
        )
    strings(lang)  # validates lang
    from .views.primitives import lecture_of  # SymPy: not at start-up

    if fmt == "json":
        data = view.data(result)
        lecture = lecture_of(result)
        if lecture is not None:
            data["primitives"] = lecture
        if title is not None:
            data = {"title": title, **data}
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    mode = {
        False: "document",
        True: "math",
        "math": "math",
        "body": "body",
        "document": "document",
    }.get(fragment)
    if mode is None:
        raise SymgradError(f"unknown fragment mode {fragment!r} (use False, 'body' or 'math')")
    if fmt == "html":  # the interactive page; fragment: the notebook cell's widget
        from .html import solution_page

        return _punctuated(solution_page(result, kind, view, lang, title, bool(fragment)), lang)
    context: dict[str, Any] = {  # a Jinja2 context: values of every kind
        "v": localized_view(view.context(result, lang), lang),
        "s": strings(lang),
        "lang": lang,
        "title": title,
        "mode": mode,
        "value_color": COLOR_VALUE,
        "gradient_color": COLOR_GRADIENT,
        "lecture": lecture_of(result),
    }
    if fmt == "latex" and mode == "math":
        name = f"{kind}.math.tex.j2"
        if template_file(name) is None:
            raise SymgradError(f"no math-only LaTeX for a {kind}; use a document or 'body'")
    elif fmt == "latex" and mode == "document":
        from .tex import tex_document

        context["body"] = environment().get_template(f"{kind}.tex.j2").render(context)
        return _punctuated(tex_document("document.tex.j2", **context), lang)
    else:
        name = f"{kind}.{TEMPLATE_SUFFIX[fmt]}.j2"
    return _punctuated(environment().get_template(name).render(context), lang)


def _punctuated(text: str, lang: str) -> str:
    """Chinese output gets full-width punctuation around its phrases (:mod:`.typography`)."""
    if lang != "zh":
        return text
    from .typography import zh_punctuation

    return zh_punctuation(text)


def render_pdf(
    result: Result, lang: str = "en", title: str | None = None, timeout: float = 60
) -> bytes:
    """The complete LaTeX document compiled to PDF with the engine :func:`tex_engine` picks.

    Raises :class:`SymgradError` when TeX is not installed or the compile fails.
    """
    from .tex import compile_pdf, tex_engine

    source = render(result, "latex", lang=lang, title=title)
    return compile_pdf(source, engine=tex_engine(source, lang), timeout=timeout)


def _kind(result: Result) -> str:
    kind = KINDS.get(type(result).__name__)
    if kind is None and all(hasattr(result, a) for a in ("spec", "steps", "gradients")):
        kind = "mlp"  # an MLP result by its shape
    if kind is None:
        raise SymgradError(f"cannot render a {type(result).__name__}")
    return kind


display.FORMATTERS.update(
    {
        ("Derivation", "markdown"): lambda d: render(d, "markdown"),
        ("Derivation", "latex"): lambda d: render(d, "latex", fragment="math"),
        ("Derivation", "html"): lambda d: render(d, "html", fragment=True),
        ("MLPResult", "html"): lambda r: render(r, "html", fragment=True),
    }
)

__all__ = [
    "FORMATS",
    "EXERCISE_FORMATS",
    "HOMEWORK_FORMATS",
    "LANGUAGES",
    "VIEWS",
    "View",
    "formats",
    "render",
    "render_pdf",
    "strings",
    "environment",
]
