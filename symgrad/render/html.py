"""The interactive HTML solution: one self-contained page (or a notebook fragment).

* Math is MathML, which current browsers render natively, converted from the one printer's
  LaTeX by ``latex2mathml`` (pure Python): no math library, font or network at view time,
  and the same formulas as the LaTeX and Markdown outputs.
* Templates (``templates/*.html.j2``) run in an overlay of the one Jinja2 environment with
  autoescaping on: every user text (title, expression) is escaped for HTML and SVG.
* The script and the style (``templates/symgrad.js``, ``symgrad.css``) are inlined; the
  page's Content-Security-Policy allows exactly them (by hash) and no network load.
* Without JavaScript the page is the complete static solution; the script adds stepping
  (buttons, ←/→), node inspection and the values/gradients toggle.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Callable
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any, Protocol

from ..errors import SymgradError
from .environment import environment, strings, template_file

if TYPE_CHECKING:
    from jinja2 import Environment
    from markupsafe import Markup

    from ..derivation import Derivation
    from ..mlp.result import MLPResult
    from .views import Result


class KindView(Protocol):
    """What a page needs of a :class:`symgrad.render.View` (named by its field: the package
    imports this module)."""

    @property
    def context(self) -> Callable[[Any, str], dict]: ...


MAX_MATHML_CHARS = 200_000  # one formula's LaTeX; longer ones are shown as source


# A minus right after an operator or an opening fence is a sign: grouped with its number it
# is drawn tight, "= −2" and "(−1)", not "= − 2" and "( − 1)".
_SIGN = re.compile(r"(<mo[^>]*>[^<]*</mo>)<mo>&#x02212;</mo>(<mn>[^<]*</mn>)")


# \left( x \right) around something flat (no fraction, matrix or nested fence) is drawn
# with plain parentheses: a stretchy fence around one line is too wide in browsers.
_FLAT_FENCE = re.compile(r"\\left\(((?:(?!\\left|\\right|\\frac|\\begin|\\sum).)*?)\\right\)")


@lru_cache(maxsize=4096)
def _convert(latex: str, display: bool) -> str:
    from latex2mathml.converter import convert

    latex = _FLAT_FENCE.sub(r"(\1)", latex)
    markup = convert(latex, display="block" if display else "inline")
    return _SIGN.sub(r"\1<mrow><mo>&#x02212;</mo>\2</mrow>", markup)


def mathml(latex: str, display: bool = False) -> Markup:
    """``latex`` (from the one printer) as MathML markup, safe to insert into a page.

    >>> str(mathml("x^{2}")).startswith("<math") and "<msup>" in mathml("x^{2}")
    True
    """
    from markupsafe import Markup, escape

    if latex is None:
        return Markup("")
    latex = str(latex)
    if len(latex) > MAX_MATHML_CHARS:
        return Markup("<code>") + escape(latex) + Markup("</code>")
    try:
        return Markup(_convert(latex, display))
    except Exception:  # a construct the converter lacks: show the LaTeX itself, escaped
        return Markup('<code class="tex">') + escape(latex) + Markup("</code>")


def block(latex: str) -> Markup:
    """Display MathML (a formula on its own line)."""
    return mathml(latex, display=True)


def data_json(data: object) -> str:
    """``data`` as JSON that is safe inside ``<script type="application/json">``."""
    from markupsafe import Markup

    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return Markup(text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e"))


@cache
def html_environment() -> Environment:
    """The one environment with autoescaping (HTML and inline SVG) and the math filters."""
    env = environment().overlay(autoescape=True)
    env.filters.update({"m": mathml, "mb": block, "json": data_json})
    return env


@cache
def asset(name: str) -> str:
    """A shipped static file (``symgrad.js``, ``symgrad.css``) as text."""
    path = template_file(name)
    if path is None:
        raise SymgradError(f"the HTML asset {name} is missing from the installation")
    return path.read_text(encoding="utf-8")


def csp_hash(text: str) -> str:
    """The Content-Security-Policy source that allows exactly this inline script or style."""
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def render_html(
    kind: str, context: dict, extra: dict, fragment: bool, serve_form: dict | None = None
) -> str:
    """The page (or, with ``fragment``, the notebook cell's widget) of a result ``kind``."""
    script, style = asset("symgrad.js"), asset("symgrad.css")
    ui = strings(context["lang"])["html"]
    context = {
        **context,
        **extra,
        "script": script,
        "style": style,
        "script_hash": csp_hash(script),
        "style_hash": csp_hash(style),
        "ui": ui,
        "fragment": fragment,
        "serve_form": serve_form,
        "ui_json": {
            "forward": ui["forward_step"],
            "backward": ui["backward_step"],
            "running": ui["running_sum"],
            "total": ui["total_sum"],
            "start": ui["start"],
        },
        "body_template": BODY.get(kind, f"{kind}.html.j2"),
    }
    context.setdefault("svg", None)
    context.setdefault("stepping", None)
    return html_environment().get_template("page.html.j2").render(context)


def solution_page(
    result: Result,
    kind: str,
    view: KindView,
    lang: str = "en",
    title: str | None = None,
    fragment: bool = False,
    serve_form: dict | None = None,
) -> str:
    """The interactive solution of ``result`` (``view``: its :class:`symgrad.render.View`)."""
    from .check_text import localized_view
    from .views.primitives import lecture_of

    context: dict[str, Any] = {  # a Jinja2 context
        "v": localized_view(view.context(result, lang), lang),
        "s": strings(lang),
        "lang": lang,
        "title": title,
        "lecture": lecture_of(result),
    }
    extra = EXTRAS[kind](result, context["v"])
    return render_html(kind, context, extra, fragment, serve_form)


def page(
    form: dict, error: str | None = None, report: str | None = None, correct: bool = False
) -> str:
    """``symgrad serve``'s forms alone, with an error message or a check report."""
    lang = form.get("lang", "en")
    context = {
        "s": strings(lang),
        "lang": lang,
        "title": None,
        "error": error,
        "report": report,
        "correct": correct,
    }
    return render_html("serve", context, {}, False, serve_form=form)


def error_page(key: str, form: dict | None = None, **values: object) -> str:
    """The form with the phrase ``key`` of ``[*.html]`` (``{seconds}`` etc. filled in)."""
    from .printing import fill

    form = form or {"expr": "", "at": "", "answers": "", "granularity": "written", "lang": "en"}
    return page(form, error=fill(strings(form["lang"])["html"][key], **values))


def derivation_extra(d: Derivation, view: dict) -> dict:
    """What the derivation page adds to the text formats' view: the SVG circuit and steps."""
    from .svg import circuit_svg
    from .views.derivation import MAX_PICTURE_NODES, graph_tex

    if len(d.graph.nodes) > 4 * MAX_PICTURE_NODES:
        return {"svg": None, "stepping": None}
    svg = circuit_svg(d, graph_tex(d))
    stepping = {
        "steps": [
            {
                **s,
                "html": str(mathml(s["latex"])),
                "sum_html": str(mathml(s["sum"])) if s.get("sum") else "",
            }
            for s in svg["steps"]
        ],
        "inspect": {
            k: {"title": v["title"], "html": [str(mathml(line)) for line in v["latex"]]}
            for k, v in svg["inspect"].items()
        },
    }
    return {"svg": svg, "stepping": stepping if svg["steps"] else None}


def mlp_extra(result: MLPResult, view: dict) -> dict:
    """The MLP page's network SVG and its steps (one per matrix-form step)."""
    from .svg_network import network_svg

    if not view["draw_network"]:  # too wide to draw: the static solution only
        return {"svg": None, "stepping": None}
    svg = network_svg(result, view)
    stepping = {
        "steps": [{**s, "html": str(mathml(s["latex"])), "sum_html": ""} for s in svg["steps"]],
        "inspect": svg["inspect"],
    }
    return {"svg": svg, "stepping": stepping}


# each takes the result of its kind and the view; returns the page's svg and stepping
EXTRAS: dict[str, Callable[[Any, dict], dict]] = {
    "derivation": derivation_extra,
    "mlp": mlp_extra,
    "jacobian": lambda result, view: {"svg": None, "stepping": None},
    "check": lambda result, view: {"svg": None, "stepping": None},
}
BODY = {"check": "diagnosis.html.j2"}  # check.html.j2 is the numeric check's table
