"""Exercises and homework sheets as text, Markdown, LaTeX (exam class), Moodle XML and JSON.

Exercise text is ours: sentences with inline math ``$...$`` and display math ``$$...$$``.
:func:`markup` turns it into each format (math kept as LaTeX for KaTeX/MathJax/TeX, text
parts escaped for the format). User text (titles, student names) is escaped with
:func:`user_text`, never trusted. An exercise arrives as an object (``symgrad.exercises``)
and is only read here: its answers, mistakes' feedback and solution lines.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import TYPE_CHECKING

from ... import escape
from ...grading.mistakes import MISTAKES
from ..environment import render_template, strings
from ..numbers import num
from ..printing import latex_text, plain_math
from ..tex import tex_document

if TYPE_CHECKING:
    from ...exercises.base import Exercise

MARK_UNIT = 0.01  # marks are shared in hundredths of a point (Moodle weights are integers)


def phrases(lang: str) -> dict[str, str]:
    """The sheet phrases of ``lang`` (``[lang.homework]`` in ``templates/strings.toml``)."""
    return dict(strings(lang)["homework"])


def phrases_for(table: dict, fmt: str) -> dict:
    """The phrase table escaped for ``fmt`` (``1%`` must not start a LaTeX comment)."""
    return {k: user_text(v, fmt) if fmt in ("latex", "html") else v for k, v in table.items()}


def user_text(text: str, fmt: str) -> str:
    """Escape a teacher's or student's text (or one of our phrases) for ``fmt``.

    Cached per ``(text, fmt)``: a set repeats the same phrases, feedback and sentences
    between its numbers in every version.

    >>> user_text("50% & <b>", "html"), user_text("50% & <b>", "text")
    ('50% &amp; &lt;b&gt;', '50% & <b>')
    """
    return _escaped(text, fmt) if fmt in ("latex", "markdown", "html", "xml") else text


@lru_cache(maxsize=4096)
def _escaped(text: str, fmt: str) -> str:
    if fmt == "latex":
        return latex_text(text, math_symbols=True)
    if fmt == "markdown":
        return escape.markdown(text)
    if fmt in ("html", "xml"):
        return escape.html(text)
    raise ValueError(fmt)


# --------------------------------------------------------------------------- markup

_MATH = re.compile(r"\$\$(.+?)\$\$|\$(.+?)\$", re.DOTALL)


def markup(text: str, fmt: str) -> str:
    """Our ``$``-markup in ``fmt``: ``latex``, ``markdown``, ``html`` or ``text``."""
    if fmt == "text":
        return "\n".join(
            plain_math(part) if i % 2 == 0 else f"\n    {plain_math(part)}\n"
            for i, part in enumerate(re.split(r"\$\$(.+?)\$\$", text, flags=re.DOTALL))
            if part.strip()
        )
    out, pos = [], 0
    for m in _MATH.finditer(text):
        out.append(_text_part(text[pos : m.start()], fmt))
        display, inline = m.group(1), m.group(2)
        out.append(_math_part(display if display is not None else inline, fmt, display is not None))
        pos = m.end()
    out.append(_text_part(text[pos:], fmt))
    return "".join(out)


def _text_part(text: str, fmt: str) -> str:
    """Our own sentences: escaped for LaTeX and HTML; Markdown needs nothing."""
    return text if fmt == "markdown" else user_text(text, fmt)


def _math_part(math: str, fmt: str, display: bool) -> str:
    math = math.strip()
    if fmt == "latex":
        return rf"\[ {math} \]" if display else f"${math}$"
    if fmt == "html":
        return rf"\[ {escape.html(math)} \]" if display else rf"\( {escape.html(math)} \)"
    return f"\n\n$$ {math} $$\n\n" if display else f"${math}$"


def math(text: str, fmt: str, display: bool = False) -> str:
    """A bare LaTeX math snippet (answer label, solution line) in ``fmt``."""
    if fmt == "text":
        return plain_math(text)
    return _math_part(text, fmt, display).strip()


# --------------------------------------------------------------------------- contexts

# The same for every version of a set (titles, answer labels, solution notes): made once.
_markup = lru_cache(maxsize=4096)(markup)
_math = lru_cache(maxsize=4096)(math)


def exercise_context(
    exercise: Exercise,
    fmt: str,
    lang: str,
    number: int = 1,
    title: str | None = None,
    points: str | None = None,
    exercise_id: str | None = None,
) -> dict:
    """Everything a template needs about one exercise, already formatted for ``fmt``.

    ``title`` (user text from a spec) is escaped here; ours is formatted as markup. The
    exercise's seed is not in it: sheets and Moodle questions are built from this context.
    """
    own_title = exercise.title[lang]
    if title is None:
        shown_title = _markup(own_title, fmt) if fmt != "latex" else user_text(own_title, fmt)
    else:
        shown_title = user_text(title, fmt)
    answers = []
    for a in exercise.answers:
        answers.append(
            {
                "name": a.name,
                "label": _math(a.label, fmt),
                "raw_label": a.label,
                "value": a.display,
                "tolerance": num(a.tol),
                "weight": a.weight,
                "marks": None if a.marks is None else f"{a.marks:g}",
                "mark_units": None if a.marks is None else round(a.marks / MARK_UNIT),
                "alternatives": [_alternative(alt, fmt, lang) for alt in a.alternatives],
            }
        )
    solution = []
    for line in exercise.solution:
        note = (line.get("note") or {}).get(lang)
        solution.append(
            {
                "math": math(line["math"], fmt, display=True) if line["math"] else "",
                "note": "" if not note else _markup(note, fmt),  # our sentences, $math$ allowed
            }
        )
    context = {
        "number": number,
        "id": exercise_id or exercise.kind,
        "title": shown_title,
        "points": points,
        "kind": exercise.kind,
        "difficulty": exercise.difficulty,
        "prompt": markup(exercise.prompt[lang], fmt),
        "answers": answers,
        "solution": solution,
    }
    return context


def _alternative(alt, fmt: str, lang: str) -> dict:
    """A mistake's answer: its value, credit and feedback (plain, and formatted for ``fmt``)."""
    feedback = MISTAKES[alt.mistake].hint[lang]  # as alt.to_dict(lang)["feedback"]
    return {
        "value": num(alt.value),
        "fraction": alt.fraction,
        "mistake": alt.mistake,
        "feedback": feedback if fmt == "markdown" else user_text(feedback, fmt),
        "feedback_plain": feedback,
    }


def sheet_context(
    fmt: str,
    title: str,
    exercises: list[dict],
    instructions: str | None = None,
    version: str | None = None,
    student: str | None = None,
    seed: int | None = None,
    total: str | None = None,
    recipe: str | None = None,
) -> dict:
    """A question sheet (or key) around exercise contexts; its user text escaped for ``fmt``.

    ``seed`` and ``recipe`` (the command that rebuilds the set) belong on keys only.
    """
    if recipe is not None and fmt != "markdown":
        recipe = user_text(recipe, fmt)
    return {
        "title": user_text(title, fmt),
        "instructions": user_text(instructions, fmt) if instructions else None,
        "version": user_text(version, fmt) if version else None,
        "student": user_text(student, fmt) if student else None,
        "seed": seed,
        "recipe": recipe,
        "exercises": exercises,
        "total": total,
    }


# --------------------------------------------------------------------------- documents


def render_sheet(sheet: dict, fmt: str, lang: str, answers: bool) -> str:
    """A sheet as ``latex`` (a complete exam-class document) or ``markdown``."""
    s = phrases_for(phrases(lang), fmt)
    if fmt == "latex":
        return tex_document("homework.tex.j2", sheet=sheet, s=s, answers=answers, lang=lang)
    return render_template("homework.md.j2", sheet=sheet, s=s, answers=answers, lang=lang)


def render_exercise(exercise: Exercise, fmt: str, lang: str = "en", answers: bool = False) -> str:
    """One exercise (``symgrad exercise``) as text, markdown, latex or json."""
    if fmt == "json":
        return (
            json.dumps(
                exercise.to_dict(lang, answers=True), indent=2, ensure_ascii=False, sort_keys=False
            )
            + "\n"
        )
    ctx = exercise_context(exercise, fmt, lang)
    if fmt == "text":
        ctx["seed"] = exercise.seed  # the teacher's own command: its seed is no secret to them
        return render_template("homework.txt.j2", ex=ctx, s=phrases(lang), answers=answers)
    sheet = sheet_context(fmt, exercise.title[lang], [ctx])
    return render_sheet(sheet, fmt, lang, answers)
