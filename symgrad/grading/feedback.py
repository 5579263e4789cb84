"""What ``symgrad grade`` writes: ``grades.csv``, ``problems.csv`` and one feedback page per
student (Markdown, and LaTeX for a PDF), from the results of :mod:`.grade`.

Everything a student typed is data: in the CSV files a cell that a spreadsheet would read
as a formula (``=``, ``+``, ``-``, ``@``, a tab or a carriage return first) gets a leading
``'`` (:func:`csv_cell`), and on feedback pages it is escaped for Markdown or LaTeX.
The feedback shows every blank's correct value: it goes out after marking (a teacher's
choice, stated on the page).
"""

from __future__ import annotations

import csv
import io

from ..render.numbers import num
from .grade import HomeworkSet, Mark, StudentResult
from .responses import Problem

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(text: str) -> str:
    """``text`` safe in a spreadsheet: a leading ``'`` when it would start a formula.

    >>> csv_cell("=cmd|' /C calc'!A0"), csv_cell("ann")
    ("'=cmd|' /C calc'!A0", 'ann')
    """
    return "'" + text if text.startswith(FORMULA_START) else text


def _csv(rows: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerows(rows)
    return out.getvalue()


def grades_csv(hw: HomeworkSet, results: list[StudentResult]) -> str:
    """One row per student: student, version, total, then each exercise's score (2 decimals)."""
    rows = [["student", "version", "total"] + [csv_cell(e["id"]) for e in hw.exercises]]
    for r in results:
        scores = {ex.id: score for ex, _, score in r.exercises}
        rows.append(
            [csv_cell(r.student), csv_cell(r.version), f"{r.total:.2f}"]
            + [f"{scores.get(e['id'], 0.0):.2f}" for e in hw.exercises]
        )
    return _csv(rows)


def problems_csv(problems: list[Problem]) -> str:
    """``line,problem`` per problem of the responses file (the header alone when none)."""
    return _csv([["line", "problem"]] + [[str(p.line), csv_cell(p.message)] for p in problems])


def _points(x: float) -> str:
    return f"{x:.2f}".rstrip("0").rstrip(".")


def page_context(hw: HomeworkSet, result: StudentResult, fmt: str, lang: str) -> dict:
    """A feedback page's content, every text escaped for ``fmt`` (``markdown`` or ``latex``)."""
    from ..render.environment import strings
    from ..render.views.exercise import math, phrases_for, user_text
    from .mistakes import MISTAKES

    s = phrases_for(dict(strings(lang)["grade"]), fmt)

    def blank(m: Mark) -> dict:
        mistake = MISTAKES.get(m.diagnosis) if m.diagnosis else None
        return {
            "label": math(m.blank.label, fmt),
            "answer": _breakable(user_text(m.answer.strip(), fmt), fmt)
            if m.answer.strip()
            else s["no_answer"],
            "verdict": s[f"verdict_{m.verdict}"],
            "code": m.verdict,
            "diagnosis": user_text(mistake.label[lang], fmt) if mistake else "",
            "hint": user_text(mistake.hint[lang], fmt) if mistake else "",
            "carried": num(m.carried) if m.carried is not None else None,
            "credit": f"{_points(m.score)} / {_points(m.blank.marks)}",
            "correct": m.blank.display,
        }

    exercises = [
        {
            "number": n,
            "id": user_text(ex.id, fmt),
            "title": user_text(ex.title, fmt),
            "score": _points(score),
            "points": _points(ex.points),
            "blanks": [blank(m) for m in marks],
        }
        for n, (ex, marks, score) in enumerate(result.exercises, 1)
    ]
    return {
        "title": user_text(hw.title, fmt),
        "student": user_text(result.student, fmt),
        "student_name": user_text(hw.students.get(result.student, ""), fmt),
        "version": user_text(result.version, fmt),
        "total": _points(result.total),
        "points": _points(sum(e["points"] for e in hw.exercises)),
        "exercises": exercises,
        "s": s,
        "any_carried": any(
            m.verdict == "carried" for _, marks, _ in result.exercises for m in marks
        ),
    }


def feedback_markdown(hw: HomeworkSet, result: StudentResult, lang: str) -> str:
    """The student's feedback page as Markdown (math for KaTeX/MathJax)."""
    from ..render.environment import render_template

    return render_template("feedback.md.j2", **page_context(hw, result, "markdown", lang))


def feedback_latex(hw: HomeworkSet, result: StudentResult, lang: str) -> str:
    """The student's feedback page as a complete LaTeX document."""
    from ..render import COLOR_GRADIENT, COLOR_VALUE
    from ..render.environment import render_template
    from ..render.tex import tex_document

    body = render_template("feedback.tex.j2", **page_context(hw, result, "latex", lang))
    return tex_document(
        "document.tex.j2", lang, body=body, value_color=COLOR_VALUE, gradient_color=COLOR_GRADIENT
    )


def output_files(
    hw: HomeworkSet,
    results: list[StudentResult],
    problems: list[Problem],
    lang: str,
    pdf: bool = False,
) -> dict[str, str | bytes]:
    """Every file of the grades folder: ``{relative path: content}``."""
    files: dict[str, str | bytes] = {
        "grades.csv": grades_csv(hw, results),
        "problems.csv": problems_csv(problems),
    }
    for r in results:
        files[f"feedback/{r.student}.md"] = feedback_markdown(hw, r, lang)
        if pdf:
            from ..render.tex import compile_pdf, tex_engine

            source = feedback_latex(hw, r, lang)
            files[f"feedback/{r.student}.pdf"] = compile_pdf(
                source, tex_engine(source, lang), timeout=120
            )
    return files


def _breakable(text: str, fmt: str) -> str:
    """LaTeX: a long answer (0.2663110031972181) may break between digits in its narrow
    column instead of running into the next one. Only between digits and . , + - : a macro
    name (letters) is never split."""
    if fmt != "latex" or len(text) <= 10:
        return text
    import re

    return re.sub(r"([0-9.,+-])(?=[0-9.,+-])", r"\1\\allowbreak{}", text)
