"""A homework spec: the TOML file's title, instructions and exercises, read and validated.

Every error names the file, the key and the rule, and nothing is written before the whole
spec is valid.

>>> load_spec("bank/lecture3-2.toml").exercises[0].kind  # doctest: +SKIP
'activation'
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
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
TEXT = 'text, or one text per language (title.en = "...", title.zh = "...")'
TOP_KEYS = {"title": TEXT, "instructions": TEXT, "exercise": "an array of tables [[exercise]]"}
EXERCISE_KEYS = {
    "id": "an id (letters, digits, _ . -; at most 40)",
    "kind": "an exercise kind",
    "difficulty": "easy, medium or hard",
    "points": "a positive number",
    "title": TEXT,
    "final_only": "true or false",
    "vary": '"numbers" (every version: the same structure, new numbers) or "structure"',
}
VARY = ("numbers", "structure")
TEXT_LANGS = ("en", "zh")


@dataclass(frozen=True)
class ExerciseSpec:
    id: str
    kind: str
    difficulty: str
    points: float
    title: dict[str, str] | None = None  # language -> text
    final_only: bool = False
    vary: str = "numbers"
    options: dict = field(default_factory=dict)  # the kind's pins, checked

    def title_in(self, lang: str) -> str | None:
        return in_language(self.title, lang)


@dataclass(frozen=True)
class HomeworkSpec:
    path: str
    title: dict[str, str]
    exercises: tuple[ExerciseSpec, ...]
    instructions: dict[str, str] | None = None

    def title_in(self, lang: str) -> str:
        return in_language(self.title, lang) or ""

    def instructions_in(self, lang: str) -> str | None:
        return in_language(self.instructions, lang)


def in_language(texts: dict[str, str] | None, lang: str) -> str | None:
    """The text for ``lang``; a spec that gives one language only is used for every language."""
    if not texts:
        return None
    return texts.get(lang) or texts.get("en") or next(iter(texts.values()))


def texts_value(where: str, value: object, limit: int = MAX_TITLE) -> dict[str, str]:
    """A text for every language (``"..."``) or one per language (``{en = "...", zh = "..."}``)."""
    if isinstance(value, dict):
        if not value:
            raise SymgradError(f"{where}: expected at least one language ({', '.join(TEXT_LANGS)})")
        for lang in value:
            if lang not in TEXT_LANGS:
                raise SymgradError(
                    f"{where}.{lang}: unknown language (expected: {', '.join(TEXT_LANGS)})"
                )
        return {lang: text_value(f"{where}.{lang}", text, limit) for lang, text in value.items()}
    return {"any": text_value(where, value, limit)}


def text_value(where: str, value: object, limit: int = MAX_TITLE) -> str:
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
        raise SymgradError(f"{where}: a number is too long ({err.args[0].split(':')[0]})") from None
    for key in data:
        if key not in TOP_KEYS:
            raise SymgradError(
                f"{where}: {key}: unknown key (expected keys: {', '.join(TOP_KEYS)})"
            )
    if "title" not in data:
        raise SymgradError(f"{where}: title: missing (expected {TOP_KEYS['title']})")
    title = texts_value(f"{where}: title", data["title"])
    instructions = None
    if "instructions" in data:
        instructions = texts_value(f"{where}: instructions", data["instructions"], 2000)
    items = data.get("exercise")
    if items is None:
        raise SymgradError(f"{where}: exercise: missing (expected {TOP_KEYS['exercise']})")
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise SymgradError(f"{where}: exercise: expected {TOP_KEYS['exercise']}")
    if not items:
        raise SymgradError(f"{where}: exercise: expected at least one [[exercise]]")
    if len(items) > MAX_EXERCISES:
        raise SymgradError(
            f"{where}: exercise: expected at most {MAX_EXERCISES} exercises, got {len(items)}"
        )
    exercises, seen = [], set()
    for n, item in enumerate(items, 1):
        here = f"{where}: exercise[{n}]"
        for key in ("id", "kind", "points"):
            if key not in item:
                raise SymgradError(f"{here}.{key}: missing (expected {EXERCISE_KEYS[key]})")
        ident = item["id"]
        if not isinstance(ident, str) or not ID_RE.match(ident):
            raise SymgradError(
                f"{here}.id: expected {EXERCISE_KEYS['id']}, starting with a "
                f"letter or digit; got {shown(ident)}"
            )
        if ident in seen:
            raise SymgradError(f"{here}.id: duplicate id {shown(ident)} (ids must be unique)")
        seen.add(ident)
        kind = item["kind"]
        if not isinstance(kind, str) or kind not in KINDS:
            raise SymgradError(
                f"{here}.kind: unknown kind {shown(kind)} (expected one of: {', '.join(KINDS)})"
            )
        kind_entry = KINDS[kind]
        options = {key: value for key, value in item.items() if key in kind_entry.options_help}
        for key in item:
            if key not in EXERCISE_KEYS and key not in options:
                own = (
                    f"; kind {kind} also takes: {', '.join(kind_entry.options_help)}"
                    if kind_entry.options_help
                    else f"; kind {kind} takes no other keys"
                )
                raise SymgradError(
                    f"{here}.{key}: unknown key (expected keys: {', '.join(EXERCISE_KEYS)}{own})"
                )
        for key in kind_entry.file_options:  # a file named in a spec is found next to it
            if isinstance(options.get(key), str) and not Path(options[key]).is_absolute():
                options[key] = str(path.parent / options[key])
        options = kind_entry.check_options(options, here)
        vary = item.get("vary", "numbers")
        if vary not in VARY:
            raise SymgradError(f"{here}.vary: expected {EXERCISE_KEYS['vary']}, got {shown(vary)}")
        difficulty = item.get("difficulty", "medium")
        if difficulty not in DIFFICULTIES:
            raise SymgradError(
                f"{here}.difficulty: expected one of {', '.join(DIFFICULTIES)}, "
                f"got {shown(difficulty)}"
            )
        points = item["points"]
        if (
            isinstance(points, bool)
            or not isinstance(points, (int, float))
            or not 0 < points <= MAX_POINTS
            or round(points, 2) != points
        ):
            raise SymgradError(
                f"{here}.points: expected a number greater than 0 and at most "
                f"{MAX_POINTS} with at most 2 decimals, got {shown(points)}"
            )
        ex_title = None
        if "title" in item:
            ex_title = texts_value(f"{here}.title", item["title"])
        final_only = item.get("final_only", False)
        if not isinstance(final_only, bool):
            raise SymgradError(
                f"{here}.final_only: expected true or false, got {shown(final_only)}"
            )
        exercises.append(
            ExerciseSpec(ident, kind, difficulty, points, ex_title, final_only, vary, options)
        )
    return HomeworkSpec(where, title, tuple(exercises), instructions)
