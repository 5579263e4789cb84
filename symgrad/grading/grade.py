"""Marking a class: a homework set (``homework --out SET``) and its responses CSV → per-blank
verdicts, diagnoses and credit for every student.

Marking follows the key and Moodle: a blank is right when the answer is within the blank's
absolute tolerance of its value as displayed (answers.json ``display``, ``tolerance``), as
Moodle's cloze compares, and earns the blank's ``marks``. A wrong answer is diagnosed:

1. *carried*: it is right given the student's own earlier answers of the exercise
   (:mod:`.relations`), within the blank's tolerance or 2 % of the recomputed value,
   whichever is wider. Full credit: an upstream slip costs once (Moodle cannot do this).
2. an answers.json ``alternative`` (the mistakes Moodle offers as partial credit): its
   mistake, and its ``fraction`` percent of the marks, exactly as in Moodle.
3. :func:`symgrad.grading.mistakes.classify` without context (rounding, sign): a
   diagnosis only, **no credit**, so every blank that is not carried scores what Moodle
   would give it.

An empty answer scores 0 ("empty"); an answer that is not a number, or a blank answered
twice, scores 0 ("malformed") and is a :class:`~.responses.Problem`. Scores are rounded to
hundredths per exercise; a student's total is the sum of the rounded exercise scores.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from ..errors import SymgradError
from ..reading import read_text
from .relations import carried_values
from .responses import Problem, Response, parse_number

MAX_INDEX_BYTES = 200_000_000  # index.json of 1000 versions
MAX_ANSWERS_BYTES = 5_000_000  # one version's answers.json
CARRIED_RELATIVE = 0.02
VERDICTS = ("correct", "carried", "wrong", "empty", "malformed")


@dataclass
class Blank:
    """One blank of one version's exercise, as answers.json has it."""

    name: str
    label: str  # inline LaTeX
    value: float  # as displayed (what Moodle compares with)
    display: str
    tol: float
    marks: float
    alternatives: list[dict]


@dataclass
class Exercise:
    """One exercise of one version: its blanks and the question data relations read."""

    id: str
    kind: str
    title: str
    points: float
    question: dict
    blanks: list[Blank]


@dataclass
class HomeworkSet:
    """What grading reads of a set: its title, exercises and versions (folder → exercises)."""

    title: str
    lang: str
    exercises: list[dict]  # index.json's: id, points, title
    versions: dict[str, list[Exercise]]
    students: dict[str, str]  # roster sets: student id (= folder) → name; else empty

    @property
    def roster(self) -> bool:
        return bool(self.students)


@dataclass
class Mark:
    """A marked blank: the verdict, the answer as typed, diagnosis and score."""

    blank: Blank
    verdict: str
    answer: str = ""
    number: float | None = None
    carried: float | None = None  # the value expected from the student's own answers
    diagnosis: str | None = None  # a mistake's name (mistakes.MISTAKES)
    credit: int = 0  # percent of the blank's marks
    score: float = 0.0


@dataclass
class StudentResult:
    student: str
    version: str
    exercises: list[tuple[Exercise, list[Mark], float]] = field(default_factory=list)

    @property
    def total(self) -> float:
        return round2(sum(score for _, _, score in self.exercises))


def round2(x: float) -> float:
    """Hundredths, halves rounded up (0.125 → 0.13), as a teacher rounds."""
    return float(Decimal(repr(x)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


# --------------------------------------------------------------------------- reading the set


def _json(path: Path, limit: int, what: str) -> dict:
    text = read_text(path, limit, what)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise SymgradError(
            f"{what}: {path}: line {err.lineno}: not valid JSON: {err.msg}"
        ) from None
    if not isinstance(data, dict):
        raise SymgradError(f"{what}: {path}: expected a JSON object")
    return data


def _exercise(entry: dict, where: str) -> Exercise:
    try:
        blanks = [
            Blank(
                a["name"],
                a["label"],
                float(a["display"]),
                a["display"],
                float(a["tolerance_display"]),
                float(a["marks"]),
                list(a.get("alternatives") or []),
            )
            for a in entry["answers"]
        ]
        return Exercise(
            entry["id"],
            entry["kind"],
            entry.get("title") or entry["id"],
            float(entry["points"]),
            entry["question"],
            blanks,
        )
    except (KeyError, TypeError, ValueError) as err:
        raise SymgradError(
            f"{where}: not a homework answers file ({type(err).__name__}: {err})"
        ) from None


def load_set(set_dir: str | Path) -> HomeworkSet:
    """Read ``SET_DIR/index.json`` and each version's ``answers.json`` (each bounded); a set
    built without the json format is read from index.json alone."""
    set_dir = Path(set_dir)
    index_path = set_dir / "index.json"
    if not index_path.is_file():
        raise SymgradError(
            f"SET_DIR: {set_dir} has no index.json (expected a folder written by symgrad homework)"
        )
    index = _json(index_path, MAX_INDEX_BYTES, "SET_DIR")
    try:
        exercises = [
            {"id": e["id"], "points": float(e["points"]), "title": e.get("title") or e["id"]}
            for e in index["exercises"]
        ]
        summaries = index["versions"]
        titles = {e["id"]: e["title"] for e in exercises}
        versions, students = {}, {}
        for summary in summaries:
            folder = summary["folder"]
            answers_path = set_dir / folder / "answers.json"
            source = (
                _json(answers_path, MAX_ANSWERS_BYTES, "SET_DIR")
                if answers_path.is_file()
                else summary
            )
            if "answers" not in (source["exercises"] or [{}])[0]:
                raise SymgradError(
                    f"SET_DIR: version {folder} has no answers.json (build the "
                    f"set with --formats including json)"
                )
            versions[folder] = [
                _exercise({**e, "title": titles.get(e["id"])}, str(answers_path))
                for e in source["exercises"]
            ]
            if summary.get("student"):
                students[folder] = summary["student"]
        return HomeworkSet(
            index.get("title") or "", index.get("lang") or "en", exercises, versions, students
        )
    except (KeyError, TypeError, IndexError) as err:
        raise SymgradError(
            f"SET_DIR: {index_path}: not a homework index ({type(err).__name__}: {err})"
        ) from None


# --------------------------------------------------------------------------- marking


def _close(x: float, value: float, tol: float) -> bool:
    return abs(x - value) <= tol * (1 + 1e-9) + 1e-12  # float noise never flips a verdict


def mark_exercise(ex: Exercise, answers: dict[str, str], malformed: set[str]) -> list[Mark]:
    """Mark every blank of ``ex`` from the student's ``answers`` (blank → text as typed);
    blanks in ``malformed`` score 0 whatever they hold."""
    from .mistakes import classify

    numbers: dict[str, float] = {}
    for b in ex.blanks:
        text = answers.get(b.name, "")
        if b.name not in malformed and text.strip():
            try:
                numbers[b.name] = parse_number(text)
            except ValueError:
                malformed = malformed | {b.name}
    values = {b.name: numbers.get(b.name, b.value) for b in ex.blanks}
    carried = carried_values(ex.kind, ex.question, values)
    marks = []
    for b in ex.blanks:
        m = Mark(b, "empty", answers.get(b.name, ""))
        x = numbers.get(b.name)
        if b.name in malformed:
            m.verdict = "malformed"
        elif x is not None:
            m.number = x
            expected = carried.get(b.name)
            if _close(x, b.value, b.tol):
                m.verdict, m.credit = "correct", 100
            elif (
                expected is not None
                and not _close(expected, b.value, b.tol)
                and _close(x, expected, max(b.tol, CARRIED_RELATIVE * abs(expected)))
            ):
                m.verdict, m.credit, m.carried = "carried", 100, expected
            else:
                m.verdict = "wrong"
                alt = next(
                    (a for a in b.alternatives if _close(x, float(a["display"]), b.tol)), None
                )
                if alt is not None:
                    m.diagnosis, m.credit = alt["mistake"], int(alt["fraction"])
                else:
                    m.diagnosis = classify(x, b.value, b.tol)
        m.score = b.marks * m.credit / 100
        marks.append(m)
    return marks


def _student_key(row: Response, hw: HomeworkSet) -> tuple[str, str] | str:
    """``(student, version folder)`` of a row, or the reason it names nobody."""
    from ..exercises.spec import ID_RE
    from ..exercises.versions import folder_problem

    student, version = row.student, row.version
    if hw.roster:
        student = student or version
        if student not in hw.versions:
            return f"unknown student {student[:40]!r} (not on the set's roster)"
        if version and version != student:
            return f"version {version[:40]!r} is not student {student!r}'s (their version is {student})"
        return student, student
    if version not in hw.versions:
        return (
            f"unknown version {version[:40]!r} (the set has {', '.join(list(hw.versions)[:3])}"
            f"{', ...' if len(hw.versions) > 3 else ''})"
            if version
            else "no version given"
        )
    student = student or version
    if not ID_RE.match(student) or folder_problem(student):
        return (
            f"student id {student[:40]!r}: expected letters, digits, _ . - (at most 40, "
            f"starting with a letter or digit)"
        )
    return student, version


def grade_class(
    hw: HomeworkSet, rows: list[Response], problems: list[Problem]
) -> list[StudentResult]:
    """Mark every student who has a row (and, for a roster set, every roster student).

    Rows naming no known student, exercise or blank, and second answers to a blank, are
    added to ``problems`` (a repeated blank then scores 0, as malformed).
    """
    from ..exercises.versions import folder_key

    blanks = {
        folder: {e.id: {b.name for b in e.blanks} for e in exercises}
        for folder, exercises in hw.versions.items()
    }  # blanks may differ per version
    answers: dict[str, dict] = {s: {} for s in hw.students}
    version_of = {s: s for s in hw.students}
    first_line: dict[tuple, int] = {}
    spelled: dict[str, str] = {folder_key(s): s for s in hw.students}
    malformed: dict[str, set] = {}
    for row in rows:
        key = _student_key(row, hw)
        if isinstance(key, str):
            problems.append(Problem(row.line, key))
            continue
        student, version = key
        if spelled.setdefault(folder_key(student), student) != student:
            problems.append(
                Problem(
                    row.line,
                    f"student {student!r} differs from "
                    f"{spelled[folder_key(student)]!r} only in letter case",
                )
            )
            continue
        if version_of.setdefault(student, version) != version:
            problems.append(
                Problem(
                    row.line,
                    f"student {student!r} is already marked on "
                    f"version {version_of[student]}, not {version}",
                )
            )
            continue
        if row.exercise not in blanks[version]:
            problems.append(Problem(row.line, f"unknown exercise {row.exercise[:40]!r}"))
            continue
        if row.blank not in blanks[version][row.exercise]:
            problems.append(
                Problem(
                    row.line,
                    f"exercise {row.exercise}: no blank {row.blank[:40]!r} in version {version}",
                )
            )
            continue
        where = (student, row.exercise, row.blank)
        if where in first_line:
            problems.append(
                Problem(
                    row.line,
                    f"{student}, {row.exercise}, {row.blank}: answered "
                    f"again (first on line {first_line[where]}); the "
                    f"blank scores 0 until one row is removed",
                )
            )
            malformed.setdefault(student, set()).add((row.exercise, row.blank))
            continue
        first_line[where] = row.line
        if row.answer.strip():
            try:
                parse_number(row.answer)
            except ValueError as err:
                problems.append(
                    Problem(
                        row.line,
                        f"{student}, {row.exercise}, {row.blank}: {err}: {row.answer[:40]!r}",
                    )
                )
        answers.setdefault(student, {})[(row.exercise, row.blank)] = row.answer
    results = []
    for student in sorted(answers, key=lambda s: (folder_key(s), s)):
        result = StudentResult(student, version_of[student])
        bad = malformed.get(student, set())
        for ex in hw.versions[result.version]:
            given = {name: text for (eid, name), text in answers[student].items() if eid == ex.id}
            marks = mark_exercise(ex, given, {name for eid, name in bad if eid == ex.id})
            result.exercises.append((ex, marks, round2(sum(m.score for m in marks))))
        results.append(result)
    problems.sort(key=lambda p: p.line)
    return results
