"""symgrad's Markdown output rendered to HTML for a gallery page, offline.

markdown-it (the parser under MyST) with its dollar-math plugin; each formula becomes MathML
through latex2mathml (a dependency of symgrad itself), which browsers render without a script
or a font download. A formula latex2mathml cannot convert is shown as its LaTeX source.
"""

from __future__ import annotations

import html
from typing import Any

from latex2mathml.converter import convert
from markdown_it import MarkdownIt
from mdit_py_plugins.dollarmath import dollarmath_plugin


def _math(content: str, config: dict[str, Any]) -> str:
    display = "block" if config.get("display_mode") else "inline"
    try:
        return convert(content, display=display)
    except Exception:  # noqa: BLE001 - any converter failure falls back to the source
        return f"<code>{html.escape(content)}</code>"


_PARSER = (
    MarkdownIt("commonmark", {"html": False})
    .enable("table")
    .use(dollarmath_plugin, renderer=_math, allow_space=True, double_inline=True)
)


def render_markdown(text: str) -> str:
    """HTML for ``text`` (raw HTML in it is escaped, not passed through)."""
    html_text = _PARSER.render(text)
    return html_text.replace("\n```", "\n&#96;&#96;&#96;")  # never close the page's fence
