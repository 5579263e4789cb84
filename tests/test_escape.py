"""Escaping user text for LaTeX, Markdown, XML, HTML-in-Moodle-XML and DOT."""

import html as html_std
import re
import subprocess
import xml.etree.ElementTree as ET

import pytest
from conftest import require_tool
from hypothesis import given, settings
from hypothesis import strategies as st

from symgrad import escape

SPECIALS = "& % $ # _ { } ~ ^ \\ < > \" ' ]]>"
CHINESE = "张三的作业：反向传播（第二题）"
HOSTILE = [
    SPECIALS,
    "\\textbackslash{}",  # already-escaped text must be escaped again, not trusted
    "\\input{/etc/passwd}\\write18{rm -rf ~}",
    "<script>alert('x')</script>",
    "a]]>b]]]]>c<![CDATA[d",
    "&amp; &lt; &#x41;",
    "$x$ $$y$$ \\(z\\)",
    "*bold* _it_ [link](http://x) `code` # h | t ~~s~~ !",
    "trailing backslash \\",
    CHINESE,
]
ALL = [escape.latex, escape.markdown, escape.xml, escape.html, escape.dot]

# Text XML 1.0 can carry (no control characters except tab/newline, no U+FFFE/FFFF).
xml_text = st.text(
    st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff")
    | st.sampled_from("\t\n&<>\"']]>{}\\$")
)


@pytest.mark.parametrize("escaper", ALL, ids=lambda f: f.__name__)
def test_chinese_and_plain_text_pass_through(escaper):
    assert escaper(CHINESE) == CHINESE
    assert escaper("Alice Smith 2024") == "Alice Smith 2024"


@pytest.mark.slow
@pytest.mark.parametrize("escaper", ALL, ids=lambda f: f.__name__)
@given(a=st.text(), b=st.text())
@settings(max_examples=200, deadline=None)
def test_single_pass(escaper, a, b):
    """Character-by-character: escaping never looks at its own output."""
    assert escaper(a + b) == escaper(a) + escaper(b)


@pytest.mark.parametrize("escaper", ALL, ids=lambda f: f.__name__)
def test_control_characters_never_pass_through(escaper):
    out = escaper("a\x00b\x07c\x1bd\x7fe")
    assert not any(ord(c) < 0x20 and c not in "\t\n\r" or c == "\x7f" for c in out)


def test_latex_each_special():
    expected = {
        "&": r"\&",
        "%": r"\%",
        "$": r"\$",
        "#": r"\#",
        "_": r"\_",
        "{": r"\{",
        "}": r"\}",
        "~": r"\textasciitilde{}",
        "^": r"\textasciicircum{}",
        "\\": r"\textbackslash{}",
        "<": r"\textless{}",
        ">": r"\textgreater{}",
        '"': '"',
        "'": "'",
    }
    for char, escaped in expected.items():
        assert escape.latex(char) == escaped, char


def test_latex_backslash_is_not_reescaped():
    assert escape.latex("\\{}") == r"\textbackslash{}\{\}"
    assert escape.latex("\\\\") == r"\textbackslash{}\textbackslash{}"


def test_latex_newlines_cannot_end_a_paragraph():
    assert escape.latex("a\n\nb\r\n") == "a  b  "


def _unescaped(text: str, specials: str) -> list[str]:
    """Characters from ``specials`` in ``text`` that are not preceded by a backslash escape."""
    found, index = [], 0
    while index < len(text):
        if text[index] == "\\":
            index += 2
            continue
        if text[index] in specials:
            found.append(text[index])
        index += 1
    return found


MARKDOWN_ACTIVE = "`*_{}[]#!|~^$"
"""Characters that can start a link, code, emphasis, table cell, HTML-free markup or math
anywhere in a line; ``( ) + -`` are plain text inside a line (see below)."""


def _markdown_active(out: str) -> list[str]:
    """Unescaped active characters of escaped Markdown, outside our own entities."""
    return _unescaped(re.sub(r"&(?:amp|lt|gt|#92);", "", out), MARKDOWN_ACTIVE)


@pytest.mark.parametrize("text", HOSTILE)
def test_markdown_leaves_no_active_character(text):
    out = escape.markdown(text)
    assert _markdown_active(out) == []
    assert "<" not in out and ">" not in out
    for position, char in enumerate(out):  # every & starts one of our entities
        if char == "&":
            assert out.startswith(("&amp;", "&lt;", "&gt;", "&#92;"), position)


@pytest.mark.slow
@given(st.text())
@settings(max_examples=300, deadline=None)
def test_markdown_never_forms_a_link_html_or_math(text):
    out = escape.markdown(text)
    assert _markdown_active(out) == []  # [ ] escaped: no link; ` escaped: no code
    assert "<" not in out  # no HTML
    # KaTeX/MathJax and Jupyter read \( \[ (and \\( \\[ in Markdown source) as math
    assert not any(d in out for d in ("\\(", "\\)", "\\\\[", "\\\\]"))


def test_markdown_keeps_parentheses_plus_and_minus_as_typed():
    assert escape.markdown("As typed: (b - a) + c") == "As typed: (b - a) + c"
    assert escape.markdown("\\(z\\)") == "&#92;(z&#92;)"


def test_markdown_dollar_cannot_start_katex():
    assert escape.markdown("$x$ and $$y$$") == r"\$x\$ and \$\$y\$\$"


def test_markdown_stays_on_one_line():
    assert "\n" not in escape.markdown("# title\n- item\n\n1. x")


@pytest.mark.slow
@given(xml_text)
@settings(max_examples=300, deadline=None)
def test_xml_round_trips_in_text_and_attribute(text):
    element = ET.fromstring(f'<a b="{escape.xml(text)}">{escape.xml(text)}</a>')
    assert (element.text or "") == text
    assert element.get("b") == text


@pytest.mark.parametrize("text", HOSTILE)
def test_xml_hostile_examples_round_trip(text):
    element = ET.fromstring(f"<a t='{escape.xml(text)}'>{escape.xml(text)}</a>")
    assert (element.text or "") == text == element.get("t")


def test_xml_drops_characters_xml_forbids():
    escaped = escape.xml("x\x00\x01\x0b\ufffe\uffffy")
    assert escaped == "xy"
    assert ET.fromstring(f"<a>{escaped}</a>").text == "xy"


@pytest.mark.slow
@given(xml_text)
@settings(max_examples=300, deadline=None)
def test_html_in_cdata_round_trips(text):
    """Moodle path: HTML-escape, wrap in CDATA, parse the XML, unescape the HTML."""
    element = ET.fromstring(f"<text>{escape.moodle_html(text)}</text>")
    assert html_std.unescape(element.text or "") == text.replace("\r", " ")


@pytest.mark.parametrize("text", HOSTILE)
def test_html_has_no_markup_of_its_own(text):
    out = escape.html(text)
    assert "<" not in out and ">" not in out and '"' not in out and "'" not in out
    assert html_std.unescape(out) == text


@pytest.mark.parametrize(
    "text", ["]]>", "a]]>b]]>c", "]]]]>>", "]]", "]>", "<![CDATA[x]]>", "<p>&nbsp;</p>", ""]
)
def test_cdata_splits_every_terminator(text):
    wrapped = escape.cdata(text)
    assert (ET.fromstring(f"<t>{wrapped}</t>").text or "") == text
    assert wrapped.count("]]>") == text.count("]]>") + 1


@pytest.mark.slow
@given(xml_text)
@settings(max_examples=300, deadline=None)
def test_cdata_round_trips_any_text(text):
    assert (ET.fromstring(f"<t>{escape.cdata(text)}</t>").text or "") == text.replace("\r", "\n")


def test_dot_escapes():
    assert escape.dot('a"b') == 'a\\"b'
    assert escape.dot("a\\b") == "a\\\\b"
    assert escape.dot("a&lt;") == "a&amp;lt;"
    assert escape.dot("line1\nline2") == "line1\\nline2"
    assert escape.dot("{a|<b>}") == "\\{a\\|\\<b\\>\\}"


@pytest.mark.slow
@pytest.mark.parametrize("text", [t for t in HOSTILE if "\n" not in t] + ["\\N \\G \\l end\\"])
@pytest.mark.parametrize("shape", ["ellipse", "record"])
def test_dot_label_renders_verbatim(text, shape):
    """Graphviz draws exactly the text we gave it, for ordinary and record nodes."""
    require_tool("dot")
    source = f'digraph {{ n [shape={shape}, label="{escape.dot(text)}"]; }}'
    svg = subprocess.run(
        ["dot", "-Tsvg"], input=source.encode(), capture_output=True, check=True, timeout=30
    ).stdout
    texts = [el.text or "" for el in ET.fromstring(svg).iter("{http://www.w3.org/2000/svg}text")]
    assert " ".join(texts).split() == text.split()
