"""Reading a learner's answer file: TOML, JSON or CSV (by extension), untrusted input.

The file is read with a bound (:data:`MAX_BYTES`) before anything parses it; every error is
one line naming the file, and the line and column where the decoder knows them. Names are
the ones ``derive`` prints (``z_3``, ``df/dz_3``, ``df/dw0``, ``f``); an unknown name is an
error listing the valid ones (and the closest); a name given twice is an error.

An answer is a number (TOML/JSON numbers, or a string of ASCII decimal digits such as
``"-0.1966"`` or ``"1.2e-3"``) or a formula (any other string, read later by the
expression parser, never run). An empty string leaves the quantity unanswered.
"""

from __future__ import annotations

import difflib
import math
import re

from ..errors import SymgradError

MAX_BYTES = 1_000_000
MAX_ROWS = 10_000  # CSV rows (a circuit has at most a few hundred quantities)
MAX_FIELD = 8_000  # characters in one answer (the expression parser's limit)
MAX_JSON_DEPTH = 2  # one object of scalars: a nested answer is an error
FORMATS = {".toml": "toml", ".json": "json", ".csv": "csv"}
DECIMAL = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?\Z")


def normalized(answer: object, where: str) -> float | str | None:
    """A number as a float, a formula as its text, None for an empty string.

    >>> normalized("-0.25", "z_1"), normalized(3, "z_1"), normalized(" x0*2 ", "z_1")
    (-0.25, 3.0, 'x0*2')
    >>> normalized(True, "z_1")
    Traceback (most recent call last):
    ...
    symgrad.errors.SymgradError: z_1: expected a number or a formula, got a boolean
    """
    if isinstance(answer, bool) or not isinstance(answer, (int, float, str)):
        kind = {bool: "a boolean", dict: "a table", list: "a list"}.get(
            type(answer), type(answer).__name__
        )
        raise SymgradError(f"{where}: expected a number or a formula, got {kind}")
    if isinstance(answer, str):
        text = answer.strip()
        if not text:
            return None
        if len(text) > MAX_FIELD:
            raise SymgradError(f"{where}: the answer is longer than {MAX_FIELD} characters")
        if not DECIMAL.match(text):
            return text
        answer = text
    try:
        value = float(answer)
    except OverflowError:
        value = math.inf
    if not math.isfinite(value):
        raise SymgradError(f"{where}: {str(answer)[:40]} is not a finite number")
    return value


def answer_format(path: str, fmt: str | None = None) -> str:
    """``toml``, ``json`` or ``csv``, from ``fmt`` or the file's extension."""
    import os

    if fmt is not None:
        return fmt
    found = FORMATS.get(os.path.splitext(str(path))[1].lower())
    if found is None:
        raise SymgradError(f"--answers {path}: name the file .toml, .json or .csv")
    return found


def read_answers(path: str, valid: list[str]) -> tuple[dict[str, float | str], dict[str, str]]:
    """The answers in ``path`` (name -> number or formula), checked against ``valid`` names,
    and where each was read (name -> ``FILE:LINE``, for later errors about its formula)."""
    from ..reading import read_text

    fmt = answer_format(path)
    text = read_text(path, MAX_BYTES, "--answers")
    if "\x00" in text:
        raise SymgradError(f"{path}: not a text file (it contains NUL bytes)")
    rows = {"toml": _toml, "json": _json, "csv": _csv}[fmt](text, path)
    out: dict[str, float | str] = {}
    where_of: dict[str, str] = {}
    for name, raw, line in rows:
        where = f"{path}:{line}" if line else f"{path}"
        if not isinstance(name, str) or name not in valid:
            raise SymgradError(
                f"{where}: unknown name {str(name)[:60]!r}"
                f"{_did_you_mean(name, valid)} (valid: {', '.join(valid)})"
            )
        if name in out:
            raise SymgradError(f"{where}: {name} is given twice")
        value = normalized(raw, f"{where}: {name}")
        if value is not None:
            out[name], where_of[name] = value, where
    return out, where_of


def _did_you_mean(name, valid: list[str]) -> str:
    close = difflib.get_close_matches(str(name)[:60], valid, n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


def _line_of(text: str, key: str) -> int | None:
    """The line where ``key`` first appears quoted (or bare), for error messages."""
    for number, line in enumerate(text.splitlines(), 1):
        if f'"{key}"' in line or f"'{key}'" in line or line.lstrip().startswith(key):
            return number
    return None


def _toml(text: str, path: str) -> list[tuple]:
    import tomllib

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise SymgradError(f"{path}: not valid TOML: {err}") from None
    except RecursionError:
        raise SymgradError(f"{path}: not valid TOML: nested too deeply") from None
    return [(k, v, _line_of(text, k)) for k, v in data.items()]


def _json(text: str, path: str) -> list[tuple]:
    import json

    def pairs(items):
        return items  # keep duplicates: they are reported with their line

    def no_constant(name):
        raise ValueError(f"{name} is not a number")

    try:
        data = json.loads(text, object_pairs_hook=pairs, parse_constant=no_constant)
    except json.JSONDecodeError as err:
        raise SymgradError(f"{path}:{err.lineno}:{err.colno}: not valid JSON: {err.msg}") from None
    except ValueError as err:
        raise SymgradError(f"{path}: not valid JSON: {err}") from None
    except RecursionError:
        raise SymgradError(f"{path}: not valid JSON: nested too deeply") from None
    if not isinstance(data, list) or any(not isinstance(p, tuple) for p in data):
        raise SymgradError(f"{path}: expected one JSON object of name: answer pairs")
    return [(k, v, _line_of(text, k)) for k, v in data]


def _csv(text: str, path: str) -> list[tuple]:
    import csv

    out: list[tuple] = []
    header = False  # the optional first row name,answer
    reader = csv.reader(text.splitlines())
    try:
        for row in reader:
            line = reader.line_num
            if line > MAX_ROWS:
                raise SymgradError(f"{path}: more than {MAX_ROWS} lines")
            if not row or all(not cell.strip() for cell in row) or row[0].lstrip().startswith("#"):
                continue  # blank lines and comments (the template's)
            if len(row) != 2:
                raise SymgradError(
                    f"{path}:{line}: expected 2 columns (name,answer), got {len(row)}"
                )
            name, answer = (cell.strip() for cell in row)
            if not out and not header and (name.lower(), answer.lower()) == ("name", "answer"):
                header = True
                continue
            out.append((name, answer, line))
    except csv.Error as err:
        raise SymgradError(f"{path}:{reader.line_num}: not valid CSV: {err}") from None
    return out
