"""The check report view (``symgrad check``): a learner's answers, their verdicts and hints.

:func:`context` feeds ``templates/check.{txt,md}.j2``; :func:`data` is the JSON. Neither shows
a true or recomputed value unless the diagnosis was made with ``reveal`` set: a student who
checks a homework must not read the key off the report (JSON included).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..environment import strings
from ..numbers import number

if TYPE_CHECKING:
    from ...grading.diagnose import Diagnosis

DIGITS = 6  # a learner's own number, shown back as typed (to 6 significant figures)


def _answer_text(j) -> str:
    return j.answer if isinstance(j.answer, str) else number(j.answer, DIGITS)


def _mistake(name: str | None) -> dict | None:
    if name is None:
        return None
    from ...grading.mistakes import MISTAKES

    m = MISTAKES[name]
    return {"name": m.name, "label": dict(m.label), "credit": m.credit, "hint": dict(m.hint)}


def data(diagnosis: Diagnosis) -> dict:
    """The JSON of a check: every quantity's verdict, mistake and credit (values: reveal)."""
    from ...grading.judgement import ABSOLUTE, RELATIVE

    first = diagnosis.first_wrong
    rows = []
    for j in diagnosis.judgements:
        row = {
            "name": j.name,
            "kind": j.quantity.kind,
            "answer": j.answer,
            "verdict": j.verdict,
            "first_wrong": j is first,
            "mistake": _mistake(j.mistake),
            "credit": j.credit,
            "method": j.method or None,
        }
        if diagnosis.reveal:
            row["true"] = j.quantity.true
            row["expected_from_your_answers"] = j.expected
        rows.append(row)
    return {
        "expression": diagnosis.expression,
        "granularity": diagnosis.granularity,
        "point": diagnosis.point,
        "aliases": diagnosis.aliases,
        "tolerance": {"relative": RELATIVE, "absolute": ABSOLUTE},
        "revealed": diagnosis.reveal,
        "all_correct": diagnosis.all_correct,
        "score": diagnosis.score,
        "answered": len(diagnosis.answered),
        "first_wrong": None if first is None else first.name,
        "quantities": rows,
    }


def context(diagnosis: Diagnosis, lang: str) -> dict:
    """Rows of answered quantities (verdict phrase, diagnosis label, credit), the first wrong
    step with its hint, the score and the unanswered names, in ``lang``."""
    s = strings(lang)["grading"]
    first = diagnosis.first_wrong
    rows = []
    for j in diagnosis.answered:
        verdict = s["verdict_" + j.verdict]
        if j.method:
            verdict += s["formula_note"]
        rows.append(
            {
                "name": j.name,
                "answer": _answer_text(j),
                "verdict": verdict,
                "first": j is first,
                "credit": number(j.credit, 3),
                "mistake": j.mistake and diagnosis_label(j.mistake, lang),
                "true": number(j.quantity.true, DIGITS),
                "expected": "" if j.expected is None else number(j.expected, DIGITS),
            }
        )
    hint = None
    if first is not None:
        hint = {
            "name": first.name,
            "answer": _answer_text(first),
            "mistake": diagnosis_label(first.mistake, lang) if first.mistake else s["no_diagnosis"],
            "hint": _hint(first.mistake, lang) if first.mistake else s["no_diagnosis_hint"],
        }
    network = diagnosis.granularity == "scalar"  # an MLP: the expression is its description
    return {
        "expression": diagnosis.expression,
        "granularity": diagnosis.granularity,
        "heading": diagnosis.expression if network else f"f = {diagnosis.expression}",
        "point": [{"name": k, "value": number(v, DIGITS)} for k, v in diagnosis.point.items()],
        "rows": rows,
        "first": hint,
        "reveal": diagnosis.reveal,
        "score": number(diagnosis.score, 4),
        "answered": len(diagnosis.answered),
        "unanswered": [j.name for j in diagnosis.judgements if j.verdict == "unanswered"],
        "carried": sum(j.verdict == "carried" for j in diagnosis.judgements),
        "all_correct": diagnosis.all_correct,
    }


def diagnosis_label(name: str, lang: str) -> str:
    from ...grading.mistakes import MISTAKES

    return MISTAKES[name].label[lang]


def _hint(name: str, lang: str) -> str:
    from ...grading.mistakes import MISTAKES

    return MISTAKES[name].hint[lang]
