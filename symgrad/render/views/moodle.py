"""Homework as Moodle XML: one cloze question per exercise, grouped in one category per
exercise id. The question text is what a student sees; it is built from the same exercise
context (made for ``html``) as the sheets, with the set's instructions and the precision
rule, and never a seed or a command.

Marks. Moodle reads a cloze question's mark as the sum of its blanks' weights, and a weight
is a whole number (``{2:NUMERICAL:...}``; the XML import ignores ``<defaultgrade>`` for
cloze). So a blank's weight is its marks in hundredths of a point
(:data:`~.exercise.MARK_UNIT`): every question's Moodle mark is 100 × its points, exactly,
and the questions of a quiz weigh what the spec says. Set the quiz's maximum grade to the
set's total. A one-blank question (``numerical``) gets the same 100 × points as its
``<defaultgrade>``.
"""

from __future__ import annotations

import re

from ..environment import render_template
from .exercise import phrases, phrases_for, user_text


def moodle_question(
    ex: dict, lang: str, version: str, student: str | None = None, instructions: str | None = None
) -> str:
    """One ``<question>`` of Moodle XML from an exercise context made for ``html``.

    ``instructions`` are the set's (the teacher's text, escaped here); the precision rule
    of ``lang`` follows them.
    """
    table = phrases(lang)
    return render_template(
        "homework.xml.j2",
        part="question",
        ex=ex,
        version=user_text(version, "html"),
        student=user_text(student, "html") if student else None,
        instructions=user_text(instructions, "html") if instructions else None,
        s=phrases_for(table, "html"),
        cloze=cloze_answer,
        correct=table["correct"],
        grade=question_grade(ex),
        lang=lang,
    )


def moodle_quiz(categories: list[dict]) -> str:
    """The Moodle XML file: one category (``path``) per exercise with its ``questions``."""
    return render_template("homework.xml.j2", part="quiz", categories=categories)


def blank_weight(answer: dict) -> int:
    """A blank's cloze weight: its marks in hundredths (1 when no marks were assigned)."""
    units = answer.get("mark_units")
    return 1 if units is None else int(units)


def question_grade(ex: dict) -> int:
    """The question's mark in Moodle: the sum of its blanks' weights."""
    return sum(blank_weight(a) for a in ex["answers"])


def cloze_text(text: str) -> str:
    """Text inside a Moodle cloze feedback: HTML-safe, and ``} # ~ / " \\`` escaped."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return re.sub(r'([\\}#~/"])', r"\\\1", text)


def cloze_answer(answer: dict, correct: str) -> str:
    """``{w:NUMERICAL:=v:tol#ok~%50%alt:tol#why}`` for one answer (numbers as displayed),
    ``w`` its weight (:func:`blank_weight`)."""
    parts = [f"={answer['value']}:{answer['tolerance']}#{cloze_text(correct)}"]
    for alt in answer["alternatives"]:
        parts.append(
            f"%{alt['fraction']}%{alt['value']}:{answer['tolerance']}"
            f"#{cloze_text(alt['feedback_plain'])}"
        )
    return f"{{{blank_weight(answer)}:NUMERICAL:" + "~".join(parts) + "}"
