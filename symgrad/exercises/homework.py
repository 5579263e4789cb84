"""Homework sets: a TOML spec → per-version question sheets, answer keys, JSON and Moodle XML.

>>> spec = load_spec("bank/lecture3-2.toml")  # doctest: +SKIP
>>> files = build(spec, seed=1, versions=versions_from_count(2))  # doctest: +SKIP
>>> sorted(files)[:2]  # doctest: +SKIP
['index.json', 'moodle.xml']

Every exercise of every version draws from its own generator, seeded by
``exercise_seed(master seed, exercise id, version key)``: adding, removing or reordering
exercises, or adding students, never changes the numbers of the others.
"""

from __future__ import annotations

import csv
import io
import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import SymgradError
from ..render import HOMEWORK_FORMATS as FORMATS
from .base import DIFFICULTIES, exercise_seed

MAX_EXERCISES = 50
MAX_VERSIONS = 1000
MAX_POINTS = 1000
MAX_TITLE = 200
MAX_NAME = 100
MAX_SEED = 2**63 - 1
ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,39}\Z")
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")
ROOT_FILES = ("index.json", "moodle.xml")  # written next to the version folders
# Names Windows reserves for devices, with or without an extension ("con", "nul.txt", ...)
_RESERVED_RE = re.compile(r"(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?\Z", re.IGNORECASE)
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


@dataclass(frozen=True)
class Version:
    """One version of the set: ``key`` seeds it, ``folder`` names its output directory."""

    key: str
    folder: str
    label: str
    name: str | None = None


# --------------------------------------------------------------------------- spec

def _text(where: str, value, limit: int = MAX_TITLE) -> str:
    if not isinstance(value, str):
        raise SymgradError(f"{where}: expected text, got {type(value).__name__} {value!r}")
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
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise SymgradError(f"{where}: cannot read: {err.strerror or err}") from None
    if len(raw) > 1_000_000:
        raise SymgradError(f"{where}: spec file is larger than 1 MB")
    try:
        data = tomllib.loads(raw.decode("utf-8-sig"))  # a BOM from Windows editors is fine
    except UnicodeDecodeError:
        raise SymgradError(f"{where}: expected UTF-8 text") from None
    except tomllib.TOMLDecodeError as err:
        raise SymgradError(f"{where}: not valid TOML: {err}") from None
    for key in data:
        if key not in TOP_KEYS:
            raise SymgradError(f"{where}: {key}: unknown key (expected keys: "
                               f"{', '.join(TOP_KEYS)})")
    if "title" not in data:
        raise SymgradError(f"{where}: title: missing (expected {TOP_KEYS['title']})")
    title = _text(f"{where}: title", data["title"])
    instructions = None
    if "instructions" in data:
        instructions = _text(f"{where}: instructions", data["instructions"], 2000)
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
                               f"letter or digit; got {ident!r}")
        if ident in seen:
            raise SymgradError(f"{here}.id: duplicate id {ident!r} (ids must be unique)")
        seen.add(ident)
        kind = item["kind"]
        if not isinstance(kind, str) or kind not in KINDS:
            raise SymgradError(f"{here}.kind: unknown kind {kind!r} (expected one of: "
                               f"{', '.join(KINDS)})")
        difficulty = item.get("difficulty", "medium")
        if difficulty not in DIFFICULTIES:
            raise SymgradError(f"{here}.difficulty: expected one of {', '.join(DIFFICULTIES)}, "
                               f"got {difficulty!r}")
        points = item["points"]
        if isinstance(points, bool) or not isinstance(points, (int, float)) \
                or not 0 < points <= MAX_POINTS or round(points, 2) != points:
            raise SymgradError(f"{here}.points: expected a number greater than 0 and at most "
                               f"{MAX_POINTS} with at most 2 decimals, got {points!r}")
        ex_title = None
        if "title" in item:
            ex_title = _text(f"{here}.title", item["title"])
        final_only = item.get("final_only", False)
        if not isinstance(final_only, bool):
            raise SymgradError(f"{here}.final_only: expected true or false, got {final_only!r}")
        exercises.append(ExerciseSpec(ident, kind, difficulty, points, ex_title, final_only))
    return HomeworkSpec(where, title, tuple(exercises), instructions)


# --------------------------------------------------------------------------- versions

def folder_key(folder: str) -> str:
    """What a file system may reduce a folder name to when comparing names.

    macOS (APFS/HFS+, by default) and Windows (NTFS) ignore letter case, and Windows drops
    trailing dots and spaces, so two folders whose keys are equal are the same folder there.
    """
    return folder.rstrip(". ").casefold()


def folder_problem(folder: str) -> str | None:
    """Why ``folder`` cannot name a version folder on every file system, or ``None``."""
    if folder != folder.rstrip(". "):
        return "must not end with '.' (Windows drops trailing dots from folder names)"
    if _RESERVED_RE.match(folder):
        return "is a device name reserved on Windows (con, prn, aux, nul, com1, lpt1, ...)"
    if folder_key(folder) in ROOT_FILES:
        return f"is the name of an output file ({', '.join(ROOT_FILES)})"
    return None


def check_folders(versions: list[Version]) -> None:
    """Refuse version folders that would collide with each other or with an output file."""
    seen: dict[str, str] = {}
    for v in versions:
        problem = folder_problem(v.folder)
        if problem:
            raise SymgradError(f"version folder {v.folder!r} {problem}")
        key = folder_key(v.folder)
        if key in seen:
            raise SymgradError(f"version folders {seen[key]!r} and {v.folder!r} would be the "
                               f"same folder on macOS and Windows (names must differ in more "
                               f"than letter case)")
        seen[key] = v.folder


def versions_from_count(count) -> list[Version]:
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_VERSIONS:
        raise SymgradError(f"--versions: expected a whole number from 1 to {MAX_VERSIONS}, "
                           f"got {count!r}")
    width = max(2, len(str(count)))
    return [Version(f"version:{k}", f"v{k:0{width}d}", f"v{k:0{width}d}")
            for k in range(1, count + 1)]


def versions_from_roster(path: str | Path) -> list[Version]:
    """Read a roster CSV with columns ``id`` and ``name`` (more columns are ignored)."""
    path = Path(path)
    where = str(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as err:
        raise SymgradError(f"{where}: cannot read: {err.strerror or err}") from None
    except UnicodeDecodeError:
        raise SymgradError(f"{where}: expected UTF-8 text") from None
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration:
        raise SymgradError(f"{where}: empty file (expected a header with id and name)") from None
    except csv.Error as err:
        raise SymgradError(f"{where}: line 1: not valid CSV: {err}") from None
    columns = [h.strip().lower() for h in header]
    if "id" not in columns or "name" not in columns:
        raise SymgradError(f"{where}: line 1: expected a header with columns id and name, "
                           f"got {', '.join(header) or 'nothing'}")
    id_col, name_col = columns.index("id"), columns.index("name")
    out: list[Version] = []
    seen: dict[str, tuple[int, str]] = {}  # folder_key -> (line, id as written)
    try:
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(row) <= max(id_col, name_col):
                raise SymgradError(f"{where}: line {line}: expected {len(header)} columns, "
                                   f"got {len(row)}")
            ident, name = row[id_col].strip(), row[name_col].strip()
            if not ID_RE.match(ident):
                raise SymgradError(f"{where}: line {line}: id: expected letters, digits, _ . - "
                                   f"(at most 40, starting with a letter or digit), got {ident!r}")
            problem = folder_problem(ident)
            if problem:
                raise SymgradError(f"{where}: line {line}: id: {ident!r} {problem}")
            key = folder_key(ident)
            if key in seen:
                first_line, first = seen[key]
                why = (f"already on line {first_line}" if first == ident else
                       f"{first!r} on line {first_line} differs only in letter case, and "
                       f"folder names on macOS and Windows ignore case")
                raise SymgradError(f"{where}: line {line}: id: duplicate id {ident!r} ({why})")
            seen[key] = (line, ident)
            _text(f"{where}: line {line}: name", name, MAX_NAME)
            out.append(Version(f"student:{ident}", ident, ident, name))
            if len(out) > MAX_VERSIONS:
                raise SymgradError(f"{where}: more than {MAX_VERSIONS} students")
    except csv.Error as err:
        raise SymgradError(f"{where}: line {reader.line_num}: not valid CSV: {err}") from None
    if not out:
        raise SymgradError(f"{where}: no students (expected rows of id,name after the header)")
    return out


def parse_formats(text: str) -> tuple[str, ...]:
    names = [f.strip() for f in text.split(",") if f.strip()]
    for name in names:
        if name not in FORMATS:
            raise SymgradError(f"--formats: unknown format {name!r} (expected a comma-separated "
                               f"list of: {', '.join(FORMATS)})")
    if not names:
        raise SymgradError(f"--formats: expected at least one of {', '.join(FORMATS)}")
    return tuple(f for f in FORMATS if f in names)


def check_seed(seed) -> int:
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= MAX_SEED:
        raise SymgradError(f"--seed: expected a whole number from 0 to {MAX_SEED}, got {seed!r}")
    return seed


# --------------------------------------------------------------------------- building

@dataclass
class Job:
    """Everything a worker needs to build one version (picklable)."""

    spec: HomeworkSpec
    seed: int
    version: Version
    formats: tuple[str, ...]
    lang: str
    pdf: bool = False


@dataclass
class VersionOutput:
    files: dict[str, str | bytes] = field(default_factory=dict)
    moodle: list[str] = field(default_factory=list)  # one <question> per exercise
    summary: dict = field(default_factory=dict)


def generate_version(spec: HomeworkSpec, seed: int, version: Version) -> list:
    """The exercises of one version, each from its own derived seed."""
    from . import make_exercise

    exercises = []
    for ex_spec in spec.exercises:
        ex = make_exercise(ex_spec.kind, exercise_seed(seed, ex_spec.id, version.key),
                           ex_spec.difficulty)
        if ex_spec.final_only:
            ex.answers = ex.answers[-1:]
        exercises.append(ex)
    return exercises


def _points(p) -> str:
    return str(int(p)) if float(p).is_integer() else f"{p:g}"


def regenerate_command(ex_spec: ExerciseSpec, seed: int) -> str:
    return f"symgrad exercise {ex_spec.kind} --seed {seed} --difficulty {ex_spec.difficulty}"


def build_version(job: Job) -> VersionOutput:
    """All files of one version (and its Moodle questions); a pure function of ``job``."""
    from ..render.views import exercise as view

    spec, version, lang = job.spec, job.version, job.lang
    exercises = generate_version(spec, job.seed, version)
    out = VersionOutput()
    folder = version.folder

    def items(fmt: str) -> list[dict]:
        return [view.exercise_context(ex, fmt, lang, n, ex_spec.title, _points(ex_spec.points),
                                      ex_spec.id, regenerate_command(ex_spec, ex.seed))
                for n, (ex_spec, ex) in enumerate(zip(spec.exercises, exercises), 1)]

    def sheet(fmt: str) -> dict:
        return view.sheet_context(fmt, spec.title, items(fmt), spec.instructions, version.label,
                                  version.name, job.seed,
                                  _points(sum(e.points for e in spec.exercises)))

    for fmt, suffix in (("latex", "tex"), ("markdown", "md")):
        if fmt not in job.formats:
            continue
        ctx = sheet(fmt)
        for name, answers in (("questions", False), ("key", True)):
            text = view.render_sheet(ctx, fmt, lang, answers)
            out.files[f"{folder}/{name}.{suffix}"] = text
            if job.pdf and fmt == "latex":
                from ..render.tex import compile_pdf, tex_engine

                engine = tex_engine(text, lang)  # English with, e.g., 张伟 needs xelatex
                out.files[f"{folder}/{name}.pdf"] = compile_pdf(text, engine=engine, timeout=120)
    summary = {
        "version": version.label, "folder": folder, "student": version.name,
        "seed": job.seed,
        "exercises": [{
            "id": ex_spec.id, "kind": ex.kind, "difficulty": ex.difficulty,
            "points": ex_spec.points, "seed": ex.seed,
            "regenerate": regenerate_command(ex_spec, ex.seed),
            "question": ex.data, "prompt": ex.prompt[lang],
            "answers": [a.to_dict(lang) for a in ex.answers],
        } for ex_spec, ex in zip(spec.exercises, exercises)],
    }
    out.summary = summary
    if "json" in job.formats:
        out.files[f"{folder}/answers.json"] = json.dumps(
            {"title": spec.title, **summary}, indent=2, ensure_ascii=False) + "\n"
    if "moodle" in job.formats:
        out.moodle = [view.moodle_question(ctx, lang, version.label, version.name)
                      for ctx in items("html")]
    return out


def build(spec: HomeworkSpec, seed: int, versions: list[Version], formats=FORMATS,
          lang: str = "en", pdf: bool = False, jobs: int = 1, progress=None) -> dict:
    """Every output file of the set as ``{relative path: content}``; same input → same bytes.

    ``jobs > 1`` builds versions in worker processes; results are collected in version order,
    so the output is identical to ``jobs = 1``. ``progress(n)`` is called after each version.
    """
    from ..render.views.exercise import moodle_quiz

    check_folders(versions)
    work = [Job(spec, seed, v, tuple(formats), lang, pdf) for v in versions]
    results: list[VersionOutput] = []
    if jobs > 1 and len(work) > 1:
        import multiprocessing

        ctx = multiprocessing.get_context("spawn" if _threads_unsafe() else "fork")
        with ctx.Pool(min(jobs, len(work))) as pool:
            for result in pool.imap(build_version, work, chunksize=max(1, len(work) // (8 * jobs))):
                results.append(result)
                if progress:
                    progress(1)
    else:
        for job in work:
            results.append(build_version(job))
            if progress:
                progress(1)
    files: dict[str, str | bytes] = {}
    for result in results:
        files.update(result.files)
    if "moodle" in formats:
        categories = []
        for i, ex_spec in enumerate(spec.exercises):
            categories.append({
                "path": _category(spec.title, ex_spec.id),
                "questions": [r.moodle[i] for r in results],
            })
        files["moodle.xml"] = moodle_quiz(categories)
    index = {
        "title": spec.title, "spec": Path(spec.path).name, "seed": seed, "lang": lang,
        "formats": list(formats),
        "exercises": [{"id": e.id, "kind": e.kind, "difficulty": e.difficulty,
                       "points": e.points, "title": e.title} for e in spec.exercises],
        "versions": [r.summary for r in results],
    }
    files["index.json"] = json.dumps(index, indent=2, ensure_ascii=False) + "\n"
    return files


def _threads_unsafe() -> bool:
    import sys

    return sys.platform != "linux"


def _category(title: str, ident: str) -> str:
    from .. import escape

    safe = title.replace("/", "//")  # Moodle: a single / separates categories
    return escape.xml(f"$course$/top/{safe}/{ident}")
