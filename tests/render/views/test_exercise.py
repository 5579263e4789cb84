"""Exercises as text, Markdown, LaTeX and JSON: our $-markup in each format, user text escaped
per format, and a question sheet that shows blanks where the key shows the answers."""

import json

import pytest

from symgrad.exercises import make_exercise
from symgrad.render.views.exercise import markup, render_exercise, user_text


def test_markup_keeps_math_and_escapes_the_prose_per_format():
    text = "Let $x_1 = 2$ and 50% & more"
    assert markup(text, "latex") == r"Let $x_1 = 2$ and 50\% \& more"
    assert markup(text, "markdown") == "Let $x_1 = 2$ and 50% & more"
    assert markup("Let $x_1 = 2$ and <b>", "html") == r"Let \( x_1 = 2 \) and &lt;b&gt;"
    assert markup(r"Let $x_1 = 2$ and $\sigma$", "text") == "Let x_1 = 2 and σ"


def test_user_text_is_escaped_for_the_format():
    assert user_text("50% & _x_ <b>", "latex") == (r"50\% \& \_x\_ \ensuremath{<}b\ensuremath{>}")
    assert user_text("50% & _x_ <b>", "markdown") == r"50% &amp; \_x\_ &lt;b&gt;"


@pytest.fixture(scope="module")
def exercise():
    return make_exercise("graph", 3, "easy")  # f = x*y*max(z, x) at x=-2, y=3, z=-1: f = 6


def test_the_question_has_blanks_and_the_key_has_the_answers(exercise):
    question = render_exercise(exercise, "markdown", "en", answers=False)
    key = render_exercise(exercise, "markdown", "en", answers=True)
    assert question.count(r"\_\_\_\_") >= len(exercise.answers)
    assert "**6**" not in question and "**6**" in key  # f = 6 by hand: (-2)(3)(-1)
    assert "**-3**" in key  # ∂f/∂x = y·max(z, x) = 3·(-1), the max's branch on z


def test_latex_prints_answers_only_in_the_key(exercise):
    question = render_exercise(exercise, "latex", "en", answers=False)
    key = render_exercise(exercise, "latex", "en", answers=True)
    assert question.startswith(r"\documentclass[11pt,addpoints]{exam}")
    assert r"\printanswers" not in question and r"\printanswers" in key


def test_json_carries_answers_with_tolerances(exercise):
    out = json.loads(render_exercise(exercise, "json", "en", answers=True))
    assert {"kind", "seed", "data", "answers", "solution"} <= set(out)
    f = next(a for a in out["answers"] if a["name"] == "f")
    assert f["value"] == 6.0 and f["tolerance"] > 0


def test_chinese_sheet_is_chinese(exercise):
    text = render_exercise(exercise, "markdown", "zh", answers=True)
    assert text.startswith("# 计算图") and "参考答案" in text


def test_user_text_is_cached_and_the_same_as_the_escapers():
    from symgrad import escape
    from symgrad.render.printing import latex_text
    from symgrad.render.views.exercise import _escaped

    _escaped.cache_clear()
    text = "Ana & <Zoë> 50% $x$ | σ′"
    for _ in range(2):
        assert user_text(text, "latex") == latex_text(text, math_symbols=True)
        assert user_text(text, "markdown") == escape.markdown(text)
        assert user_text(text, "html") == user_text(text, "xml") == escape.html(text)
        assert user_text(text, "text") == text
    assert _escaped.cache_info().hits == 4 and _escaped.cache_info().misses == 4


def test_the_cached_markup_of_labels_and_notes_is_the_markup():
    from symgrad.render.views.exercise import _markup, _math, math

    for fmt in ("latex", "markdown", "html", "text"):
        for text in ("Forward pass, node by node:", "A $\\sigma(z)$ & 50% <b>", "$$ x^2 $$ then"):
            assert _markup(text, fmt) == markup(text, fmt)
            assert _markup(text, fmt) == markup(text, fmt)
        assert _math(r"\partial f / \partial x", fmt) == math(r"\partial f / \partial x", fmt)
