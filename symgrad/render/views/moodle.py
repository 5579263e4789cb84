"""Homework as Moodle XML: one cloze question per exercise, grouped in one category per
exercise id. The question text is what a student sees; it is built from the same exercise
context (made for ``html``) as the sheets.
"""

from __future__ import annotations

import re

from ..environment import render_template
from .exercise import phrases, phrases_for, user_text


def moodle_question(ex: dict, lang: str, version: str, student: str | None = None) -> str:
    """One ``<question>`` of Moodle XML from an exercise context made for ``html``."""
    table = phrases(lang)
    return render_template("homework.xml.j2", part="question", ex=ex,
                           version=user_text(version, "html"),
                           student=user_text(student, "html") if student else None,
                           s=phrases_for(table, "html"), cloze=cloze_answer,
                           correct=table["correct"], lang=lang)


def moodle_quiz(categories: list[dict]) -> str:
    """The Moodle XML file: one category (``path``) per exercise with its ``questions``."""
    return render_template("homework.xml.j2", part="quiz", categories=categories)


def cloze_text(text: str) -> str:
    """Text inside a Moodle cloze feedback: HTML-safe, and ``} # ~ / " \\`` escaped."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return re.sub(r'([\\}#~/"])', r"\\\1", text)


def cloze_answer(answer: dict, correct: str) -> str:
    """``{1:NUMERICAL:=v:tol#ok~%50%alt:tol#why}`` for one answer (numbers as displayed)."""
    parts = [f"={answer['value']}:{answer['tolerance']}#{cloze_text(correct)}"]
    for alt in answer["alternatives"]:
        parts.append(f"%{alt['fraction']}%{alt['value']}:{answer['tolerance']}"
                     f"#{cloze_text(alt['feedback_plain'])}")
    return "{1:NUMERICAL:" + "~".join(parts) + "}"
