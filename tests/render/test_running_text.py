"""Running text per format: LaTeX escaping, Markdown cells, terminal text, tables."""

from symgrad.render import printing, running_text
from symgrad.render.running_text import (
    fill,
    latex_text,
    md_cell,
    plain,
    plain_math,
    text_table,
)


def test_latex_text_escapes_specials_and_sets_ot1_missing_glyphs_in_math():
    assert latex_text("50% & $x_1$ #2") == r"50\% \& \$x\_1\$ \#2"
    assert latex_text("a > b") == r"a \ensuremath{>} b"
    assert "σ" in latex_text("σ")  # kept unless asked
    assert latex_text("σ – ∂", math_symbols=True) == (
        r"\ensuremath{\sigma} -- \ensuremath{\partial}"
    )


def test_md_cell_escapes_every_pipe():
    assert md_cell("$|x|$ | y") == r"$\|x\|$ \| y"


def test_plain_removes_control_characters_and_line_breaks():
    assert plain("a\nb\tc\x1b[31md\x7f") == "a b c [31md "


def test_plain_math_fractions_and_hats():
    assert plain_math(r"$\frac{a + b}{c}$") == "(a + b)/c"
    assert plain_math(r"\hat{y} \cdot \frac{1}{2}") == "ŷ · 1/2"


def test_text_table_pads_cjk_as_two_columns():
    rows = text_table([["名字", "x"], ["ab", "yy"]], indent=0)
    assert rows == ["名字  x", "----  --", "ab    yy"]


def test_fill_fills_blanks():
    assert fill("{n} steps", n=3) == "3 steps"


def test_printing_re_exports_the_same_functions():
    for name in ("fill", "latex_text", "md_cell", "plain", "plain_math", "text_table"):
        assert getattr(printing, name) is getattr(running_text, name)
