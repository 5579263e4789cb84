"""Reading a class's answers: the long-format responses CSV that ``symgrad grade`` marks.

One row per answered blank, with the header ``student,version,exercise,blank,answer``
(the file ``homework`` writes as ``answers-template.csv``). The file is untrusted: it is
read as a stream, with a bound on its size (:data:`MAX_BYTES`) and on each line
(:data:`MAX_LINE_BYTES`), so a huge, endless or binary file costs at most the bound. A
missing file, a file over the bound or a wrong header is unusable (:class:`SymgradError`);
a bad line (not UTF-8, a NUL byte, too long, the wrong number of cells, invalid CSV) is a
:class:`Problem` naming its line, and the other lines are still read. Answers are kept as
text: nothing here interprets them (see :func:`parse_number`).

>>> parse_number(" -1.5e-2 "), parse_number("3/4"), parse_number("−2")
(-0.015, 0.75, -2.0)
"""

from __future__ import annotations

import csv
import math
import os
import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import SymgradError

MAX_BYTES = 20_000_000  # 1000 students × 60 blanks × 300 bytes, with room to spare
MAX_LINE_BYTES = 4_000  # one row: five short cells
MAX_ANSWER = 100  # characters of one answer
COLUMNS = ("student", "version", "exercise", "blank", "answer")
_NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d{1,3})?"
_NUMBER_RE = re.compile(rf"({_NUMBER})(?:\s*/\s*({_NUMBER}))?\Z")
_MINUS = str.maketrans({"−": "-", "–": "-", "＋": "+", "－": "-", "．": "."})


@dataclass(frozen=True)
class Response:
    """One row: who (student and/or version), which blank, and the answer as typed."""

    line: int
    student: str
    version: str
    exercise: str
    blank: str
    answer: str


@dataclass(frozen=True)
class Problem:
    """A row that could not be used, or a marking problem, at ``line`` of the file."""

    line: int
    message: str


def parse_number(text: str) -> float:
    """The number a student typed: a decimal (``-1.5``, ``2e-3``, ``.5``) or a fraction of
    two (``3/4``); a Unicode minus and full-width signs are read as ASCII. Anything else
    raises :class:`ValueError` with the reason; nothing is evaluated.

    >>> parse_number("=1+1")
    Traceback (most recent call last):
    ...
    ValueError: not a number
    """
    text = text.strip().translate(_MINUS).replace(" ", "")
    if len(text) > MAX_ANSWER:
        raise ValueError(f"longer than {MAX_ANSWER} characters")
    m = _NUMBER_RE.match(text)
    if not m:
        raise ValueError("not a number")
    value = float(m.group(1))
    if m.group(2) is not None:
        denominator = float(m.group(2))
        if denominator == 0:
            raise ValueError("division by zero")
        value /= denominator
    if not math.isfinite(value):
        raise ValueError("not a finite number")
    return value


class _Lines:
    """Physical lines of a binary stream as text, bounded; bad lines become problems."""

    def __init__(self, handle, where: str, limit: int, problems: list[Problem]):
        self.handle, self.where, self.limit, self.problems = handle, where, limit, problems
        self.line = 0
        self.read = 0

    def _take(self, size: int) -> bytes:
        data = self.handle.readline(size)
        self.read += len(data)
        if self.read > self.limit:
            raise SymgradError(f"{self.where}: larger than {self.limit} bytes")
        return data

    def __iter__(self):
        while True:
            raw = self._take(MAX_LINE_BYTES + 1)
            if not raw:
                return
            self.line += 1
            if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
                while raw and not raw.endswith(b"\n"):  # skip the rest of the line
                    raw = self._take(65536)
                self.problems.append(
                    Problem(self.line, f"line longer than {MAX_LINE_BYTES} bytes: skipped")
                )
                continue
            try:
                text = raw.decode("utf-8-sig" if self.line == 1 else "utf-8")
            except UnicodeDecodeError as err:
                self.problems.append(
                    Problem(
                        self.line, f"not UTF-8 text ({err.reason} at byte {err.start}): skipped"
                    )
                )
                continue
            if "\x00" in text:
                self.problems.append(Problem(self.line, "contains a NUL byte: skipped"))
                continue
            yield text


def _header(row: list[str], where: str) -> dict[str, int]:
    names = [cell.strip().lower() for cell in row]
    unknown = [n for n in names if n not in COLUMNS]
    expected = ",".join(COLUMNS)
    if unknown or len(set(names)) != len(names):
        what = f"unknown column {unknown[0]!r}" if unknown else "a repeated column"
        raise SymgradError(f"{where}: line 1: {what} (expected the header {expected})")
    missing = [n for n in ("exercise", "blank", "answer") if n not in names]
    if missing or not {"student", "version"} & set(names):
        need = missing[0] if missing else "student or version"
        raise SymgradError(f"{where}: line 1: no column {need} (expected the header {expected})")
    return {name: i for i, name in enumerate(names)}


def read_responses(
    path: str | os.PathLike[str], limit: int = MAX_BYTES
) -> tuple[list[Response], list[Problem]]:
    """The rows of a responses CSV and the problems of its unusable lines.

    Raises :class:`SymgradError` (one line naming the file) when the file cannot be read,
    is larger than ``limit`` bytes or has no valid header.
    """
    where = str(path)
    problems: list[Problem] = []
    rows: list[Response] = []
    try:
        handle = open(path, "rb")
    except OSError as err:
        raise SymgradError(f"responses: cannot read {where}: {err.strerror or err}") from None
    with handle:
        if Path(path).is_file() and os.fstat(handle.fileno()).st_size > limit:
            raise SymgradError(f"responses: {where} is larger than {limit} bytes")
        lines = _Lines(handle, where, limit, problems)
        reader = csv.reader(iter(lines))
        columns = None
        while True:
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as err:
                if columns is None:
                    raise SymgradError(
                        f"{where}: line {lines.line}: not valid CSV: {err}"
                    ) from None
                problems.append(Problem(lines.line, f"not valid CSV ({err}): skipped"))
                continue
            if columns is None:
                if not any(cell.strip() for cell in row):
                    continue
                if problems:  # the header line itself was unreadable
                    raise SymgradError(f"{where}: line {problems[0].line}: {problems[0].message}")
                columns = _header(row, where)
                continue
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(columns):
                problems.append(
                    Problem(lines.line, f"expected {len(columns)} cells, got {len(row)}: skipped")
                )
                continue
            cell = {name: row[i].strip() for name, i in columns.items()}
            rows.append(
                Response(
                    lines.line,
                    cell.get("student", ""),
                    cell.get("version", ""),
                    cell["exercise"],
                    cell["blank"],
                    cell["answer"],
                )
            )
    if columns is None:
        raise SymgradError(f"{where}: empty file (expected the header {','.join(COLUMNS)})")
    return rows, problems


def answers_template(versions: list[dict]) -> str:
    """``answers-template.csv`` of a set: the header and one row per (version, exercise,
    blank) with ``answer`` empty; a roster set's rows name the student too. It holds blank
    ids only: no answer, no seed (it is the teacher's file, next to index.json).

    ``versions``: each version's summary (``folder``, ``student``, ``exercises`` with
    ``id`` and ``answers`` with ``name``), as :func:`symgrad.exercises.homework.build`
    makes it.
    """
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for v in versions:
        student = v["folder"] if v.get("student") else ""
        for ex in v["exercises"]:
            for blank in ex["answers"]:
                writer.writerow([student, v["folder"], ex["id"], blank["name"], ""])
    return out.getvalue()
