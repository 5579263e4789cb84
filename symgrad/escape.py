"""Escape user text for each output format, in a single pass.

Every user-supplied string (a teacher's expression text, a student's name from a
roster, a homework title) goes through exactly one of these functions before it
reaches a template. Each function is one ``str.translate`` with a table, so no
replacement is ever escaped a second time (chained ``.replace`` calls turn
``\\`` into ``\\textbackslash{}`` and then mangle its braces).

>>> latex("50% of $x_1$")
'50\\\\% of \\\\$x\\\\_1\\\\$'
>>> xml('a < "b"')
'a &lt; &quot;b&quot;'
>>> cdata("x ]]> y")
'<![CDATA[x ]]]]><![CDATA[> y]]>'

Characters outside ASCII (for example Chinese text) pass through unchanged;
control characters are dropped or turned into spaces, since no output format
needs them and several choke on them.
"""

from collections.abc import Mapping

_CONTROL: dict[int, str | None] = {
    c: None for c in [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F]
}
"""C0 controls (except tab, newline, carriage return) and DEL: removed everywhere."""

_NEWLINES_TO_SPACE = {ord("\t"): " ", ord("\n"): " ", ord("\r"): " "}


def _table(mapping: dict[str, str], base: Mapping[int, str | None]) -> dict[int, str | None]:
    """Build a ``str.translate`` table from ``{character: replacement}`` on top of ``base``."""
    table = dict(base)
    table.update({ord(char): replacement for char, replacement in mapping.items()})
    return table


_LATEX = _table(
    {
        "\\": r"\textbackslash{}",
        "{": r"\{",
        "}": r"\}",
        "$": r"\$",
        "&": r"\&",
        "%": r"\%",
        "#": r"\#",
        "_": r"\_",
        "~": r"\textasciitilde{}",
        "^": r"\textasciicircum{}",
        "<": r"\textless{}",
        ">": r"\textgreater{}",
    },
    _CONTROL | _NEWLINES_TO_SPACE,
)


def latex(text: str) -> str:
    r"""Escape ``text`` for LaTeX running text (also safe inside a macro argument).

    The ten special characters, ``<`` and ``>`` become commands, newlines become
    spaces (so a stray blank line cannot end a paragraph inside ``\textbf{...}``),
    and non-ASCII text such as Chinese passes through for xelatex with ``ctex``.
    Quotes stay as typed; TeX may typeset ``"`` and ``'`` as curly quotes.

    >>> latex(r"a\b & ~c^")
    'a\\textbackslash{}b \\& \\textasciitilde{}c\\textasciicircum{}'
    """
    return text.translate(_LATEX)


_MARKDOWN = _table(
    {
        # ( ) + - need no escape once [ ] are escaped (and "\(" would read as math to KaTeX
        # and Jupyter); "\" becomes an entity so that a typed "\(" cannot start math either
        **{char: "\\" + char for char in "`*_{}[]#!|~^$"},
        "\\": "&#92;",
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
    },
    _CONTROL | _NEWLINES_TO_SPACE,
)


def markdown(text: str) -> str:
    r"""Escape ``text`` for inline Markdown (CommonMark/GFM, with KaTeX math enabled).

    Emphasis, links, code, headings, table pipes and ``$`` (which would start KaTeX
    math) are backslash-escaped; ``& < >`` and ``\\`` become entities, so no raw HTML
    or entity gets through and no ``\\(``/``\\[`` math delimiter can form. Parentheses,
    ``+`` and ``-`` stay as typed: they only matter at the start of a line (list
    markers), and newlines become spaces, so the result never starts a new block.
    Meant for text inside a line or a table cell.

    >>> markdown("*x* costs $5 <b> (b - a)")
    '\\*x\\* costs \\$5 &lt;b&gt; (b - a)'
    """
    return text.translate(_MARKDOWN)


_XML = _table(
    {
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        '"': "&quot;",
        "'": "&apos;",
        "\t": "&#9;",
        "\n": "&#10;",
        "\r": "&#13;",
    },
    _CONTROL | {0xFFFE: None, 0xFFFF: None},
)


def xml(text: str) -> str:
    """Escape ``text`` for XML 1.0 element content or a quoted attribute value.

    Characters that XML 1.0 forbids (most control characters, U+FFFE, U+FFFF) are
    dropped; whitespace controls become character references so attribute
    normalisation cannot change them.

    >>> xml("Tom & 'Jerry' <3")
    'Tom &amp; &apos;Jerry&apos; &lt;3'
    """
    return text.translate(_XML)


_HTML = _table(
    {
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        '"': "&quot;",
        "'": "&#39;",
        "\r": " ",
    },
    _CONTROL | {0xFFFE: None, 0xFFFF: None},
)


def html(text: str) -> str:
    """Escape ``text`` for HTML text or a quoted attribute (Moodle question text).

    The result contains no ``<``, ``>`` or ``&`` of its own, so it can go inside
    a CDATA section (see :func:`cdata`) or be escaped again with :func:`xml`.
    Moodle's own filters still see the decoded text: a ``$$`` in a name may
    start MathJax there; that is a display issue, not an injection.

    >>> html('<script>alert("x")</script>')
    '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;'
    """
    return text.translate(_HTML)


def cdata(text: str) -> str:
    """Wrap ``text`` (for example HTML from our templates) in a CDATA section.

    ``]]>`` cannot appear inside CDATA, so every occurrence is split across two
    sections (``]]`` ends the first, ``>`` starts the second); an XML reader
    joins them back to the original text. Characters XML 1.0 forbids are dropped.

    >>> cdata("a]]>b")
    '<![CDATA[a]]]]><![CDATA[>b]]>'
    """
    allowed = text.translate(_CONTROL | {0xFFFE: None, 0xFFFF: None})
    return "<![CDATA[" + allowed.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def moodle_html(text: str) -> str:
    """Escape user ``text`` as HTML and wrap it in CDATA, ready for a Moodle ``<text>``.

    >>> moodle_html("x < 1 ]]>")
    '<![CDATA[x &lt; 1 ]]&gt;]]>'
    """
    return cdata(html(text))


_DOT = _table(
    {
        "\\": "\\\\",
        '"': '\\"',
        "&": "&amp;",
        **{char: "\\" + char for char in "{}|<>"},
        "\n": "\\n",
        "\r": "",
        "\t": " ",
    },
    _CONTROL,
)


def dot(text: str) -> str:
    r"""Escape ``text`` for the inside of a Graphviz double-quoted label ``"..."``.

    Backslashes are doubled (so ``\N``, ``\G`` and line-ending escapes are not
    triggered), quotes escaped, newlines become ``\n`` line breaks, ``&``
    becomes ``&amp;`` because Graphviz decodes HTML entities in every label, and
    ``{ } | < >`` get a backslash so the text is also safe in ``shape=record``.

    >>> dot('say "hi" \\ & bye')
    'say \\"hi\\" \\\\ &amp; bye'
    """
    return text.translate(_DOT)


__all__ = ["latex", "markdown", "xml", "html", "cdata", "moodle_html", "dot"]
