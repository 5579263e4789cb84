"""A homework spec: the TOML file's title, instructions and exercises, read and validated.

Every error names the file, the key and the rule, and nothing is written before the whole
spec is valid.

>>> load_spec("bank/lecture3-2.toml").exercises[0].kind  # doctest: +SKIP
'activation'
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from ..errors import SymgradError, shown
from ..reading import read_text
from .base import DIFFICULTIES

MAX_SPEC_BYTES = 1_000_000
MAX_EXERCISES = 50
MAX_POINTS = 1000
MAX_TITLE = 200
ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,39}\Z")
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")
TOP_KEYS = {"title": "text", "instructions": "text", "exercise": "an array of tables [[exercise]]"}
EXERCISE_KEYS = {"id": "an id (letters, digits, _ . -; at most 40)",
                 "kind": "an exercise kind", "difficulty": "easy, medium or hard",
                 "points": "a positive number", "title": "text",
                 "final_only": "true or false"}


@dataclass(frozen=True)
class ExerciseSpec:
    id: str
    kind: str
    difficulty: str
    points: float
    title: str | None = None
    final_only: bool = False


@dataclass(frozen=True)
class HomeworkSpec:
    path: str
    title: str
    exercises: tuple[ExerciseSpec, ...]
    instructions: str | None = None


def text_value(where: str, value, limit: int = MAX_TITLE) -> str:
    """``value`` if it is one line of non-empty text of at most ``limit`` characters."""
    if not isinstance(value, str):
        raise SymgradError(f"{where}: expected text, got {type(value).__name__} {shown(value)}")
    if not value.strip():
        raise SymgradError(f"{where}: expected non-empty text")
    if len(value) > limit:
        raise SymgradError(f"{where}: expected at most {limit} characters, got {len(value)}")
    if _CONTROL_RE.search(value):
        raise SymgradError(f"{where}: control characters (newlines, tabs, ...) are not allowed")
    return value


def load_spec(path: str | Path) -> HomeworkSpec:
    """Read and validate a homework spec; every error names the file, the key and the rule."""
    from . import KINDS

    path = Path(path)
    where = str(path)
    text = read_text(path, MAX_SPEC_BYTES, "spec")  # an endless file costs at most 1 MB
    try:
        data = tomllib.loads(text)
    except RecursionError:
        raise SymgradError(f"{where}: not valid TOML: nested too deeply") from None
    except tomllib.TOMLDecodeError as err:
        raise SymgradError(f"{where}: not valid TOML: {err}") from None
    except ValueError as err:  # an integer of more than 4300 digits
        raise SymgradError(f"{where}: a number is too long ({err.args[0].split(':')[0]})") \
            from None
    for key in data:
        if key not in TOP_KEYS:
            raise SymgradError(f"{where}: {key}: unknown key (expected keys: "
                               f"{', '.join(TOP_KEYS)})")
    if "title" not in data:
        raise SymgradError(f"{where}: title: missing (expected {TOP_KEYS['title']})")
    title = text_value(f"{where}: title", data["title"])
    instructions = None
    if "instructions" in data:
        instructions = text_value(f"{where}: instructions", data["instructions"], 2000)
    items = data.get("exercise")
    if items is None:
        raise SymgradError(f"{where}: exercise: missing (expected {TOP_KEYS['exercise']})")
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise SymgradError(f"{where}: exercise: expected {TOP_KEYS['exercise']}")
    if not items:
        raise SymgradError(f"{where}: exercise: expected at least one [[exercise]]")
    if len(items) > MAX_EXERCISES:
        raise SymgradError(f"{where}: exercise: expected at most {MAX_EXERCISES} exercises, "
                           f"got {len(items)}")
    exercises, seen = [], set()
    for n, item in enumerate(items, 1):
        here = f"{where}: exercise[{n}]"
        for key in item:
            if key not in EXERCISE_KEYS:
                raise SymgradError(f"{here}.{key}: unknown key (expected keys: "
                                   f"{', '.join(EXERCISE_KEYS)})")
        for key in ("id", "kind", "points"):
            if key not in item:
                raise SymgradError(f"{here}.{key}: missing (expected {EXERCISE_KEYS[key]})")
        ident = item["id"]
        if not isinstance(ident, str) or not ID_RE.match(ident):
            raise SymgradError(f"{here}.id: expected {EXERCISE_KEYS['id']}, starting with a "
                               f"letter or digit; got {shown(ident)}")
        if ident in seen:
            raise SymgradError(f"{here}.id: duplicate id {shown(ident)} (ids must be unique)")
        seen.add(ident)
        kind = item["kind"]
        if not isinstance(kind, str) or kind not in KINDS:
            raise SymgradError(f"{here}.kind: unknown kind {shown(kind)} (expected one of: "
                               f"{', '.join(KINDS)})")
        difficulty = item.get("difficulty", "medium")
        if difficulty not in DIFFICULTIES:
            raise SymgradError(f"{here}.difficulty: expected one of {', '.join(DIFFICULTIES)}, "
                               f"got {shown(difficulty)}")
        points = item["points"]
        if isinstance(points, bool) or not isinstance(points, (int, float)) \
                or not 0 < points <= MAX_POINTS or round(points, 2) != points:
            raise SymgradError(f"{here}.points: expected a number greater than 0 and at most "
                               f"{MAX_POINTS} with at most 2 decimals, got {shown(points)}")
        ex_title = None
        if "title" in item:
            ex_title = text_value(f"{here}.title", item["title"])
        final_only = item.get("final_only", False)
        if not isinstance(final_only, bool):
            raise SymgradError(f"{here}.final_only: expected true or false, got {shown(final_only)}")
        exercises.append(ExerciseSpec(ident, kind, difficulty, points, ex_title, final_only))
    return HomeworkSpec(where, title, tuple(exercises), instructions)

