"""The numeric checks' method and reasons in the reader's language.

The checks (:mod:`symgrad.check`, :mod:`symgrad.mlp`, :mod:`symgrad.jacobian`) describe what
they ran in English, as data (JSON keeps it). For another language the view translates that
text with the phrase table ``[LANG.check_text]`` of the strings file: ordered pairs of a
regular expression over the English text and its replacement (``\\1`` refers to a group).
Every phrase the checks can write has a pair; a test renders each in Chinese and finds no
English sentence left.

>>> localized("central differences with Richardson extrapolation (float64, h = 6.1e-06·max(1, |x|) and h/2) + sympy.diff of the whole expression", "zh")
'带 Richardson 外推的中心差分（float64，h = 6.1e-06·max(1, |x|) 与 h/2） + 对整个表达式的 sympy.diff'
"""

from __future__ import annotations

import re
from functools import cache

from .environment import strings


@cache
def _table(lang: str) -> tuple[tuple[re.Pattern, str], ...]:
    pairs = strings(lang).get("check_text", {}).get("pairs", [])
    return tuple((re.compile(pattern), replacement) for pattern, replacement in pairs)


def localized(text: str, lang: str) -> str:
    """``text`` (a check's method or a row's reason) in ``lang``; English passes unchanged."""
    if not text or lang == "en":
        return text
    for pattern, replacement in _table(lang):
        text = pattern.sub(replacement, text)
    return text


def localize_check(view: dict | None, lang: str) -> None:
    """Translate a check view's method and row reasons in place (:func:`check_view`'s dict)."""
    if view is None or lang == "en":
        return
    view["method"] = localized(view["method"], lang)
    for row in view.get("rows", []):
        row["reason"] = localized(row.get("reason", ""), lang)


def localized_view(view: dict, lang: str) -> dict:
    """A result's view with its numeric checks (``check``, ``scalar_check``) in ``lang``."""
    for key in ("check", "scalar_check"):
        if isinstance(view.get(key), dict):
            localize_check(view[key], lang)
    return view
