"""Homework sets: a TOML spec → per-version question sheets, answer keys, JSON and Moodle XML.

>>> spec = load_spec("bank/lecture3-2.toml")  # doctest: +SKIP
>>> files = build(spec, seed=1, versions=versions_from_count(2))  # doctest: +SKIP
>>> sorted(files)[:2]  # doctest: +SKIP
['index.json', 'moodle.xml']

Every exercise of every version draws from its own generator, seeded by
``exercise_seed(master seed, exercise id, version key)``: adding, removing or reordering
exercises, or adding students, never changes the numbers of the others. The spec is read by
:mod:`.spec`, the versions come from :mod:`.versions`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import SymgradError
from ..render import HOMEWORK_FORMATS as FORMATS
from .base import assign_marks, exercise_seed
from .spec import ExerciseSpec, HomeworkSpec, load_spec
from .versions import Version, check_folders, versions_from_count, versions_from_roster

if TYPE_CHECKING:
    from .base import Exercise

MAX_SEED = 2**63 - 1
STRUCTURE = "structure"  # the version key of the seed shared by all versions (vary = "numbers")


def parse_formats(text: str) -> tuple[str, ...]:
    names = [f.strip() for f in text.split(",") if f.strip()]
    for name in names:
        if name not in FORMATS:
            raise SymgradError(
                f"--formats: unknown format {name!r} (expected a comma-separated "
                f"list of: {', '.join(FORMATS)})"
            )
    if not names:
        raise SymgradError(f"--formats: expected at least one of {', '.join(FORMATS)}")
    return tuple(f for f in FORMATS if f in names)


def check_seed(seed: object) -> int:
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= MAX_SEED:
        raise SymgradError(f"--seed: expected a whole number from 0 to {MAX_SEED}, got {seed!r}")
    return seed


def random_seed() -> int:
    """A master seed nobody can guess (the operating system's randomness)."""
    import secrets

    return secrets.randbelow(MAX_SEED + 1)


def recipe(
    spec_path: object,
    seed: int,
    versions: int | None = None,
    roster: object = None,
    lang: str = "en",
) -> str:
    """The command that rebuilds the set: printed in the keys and index.json only."""
    import shlex

    source = f"--versions {versions}" if roster is None else f"--roster {shlex.quote(str(roster))}"
    return (
        f"symgrad homework {shlex.quote(str(spec_path))} {source} --seed {seed}"
        f"{'' if lang == 'en' else ' --lang ' + lang} --out DIR"
    )


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
    recipe: str | None = None


@dataclass
class VersionOutput:
    files: dict[str, str | bytes] = field(default_factory=dict)
    moodle: list[str] = field(default_factory=list)  # one <question> per exercise
    summary: dict = field(default_factory=dict)
    sheets: dict = field(default_factory=dict)  # LaTeX sheet contexts, for all-*.pdf
    lms: list[dict] = field(default_factory=list)  # exercise contexts for QTI (html)


# --------------------------------------------------------------------------- paper

ROOM_CM = {
    "activation": 0.8,
    "output_loss": 1.0,
    "graph": 0.6,
    "jacobian": 1.2,
    "mlp": 0.7,
    "gd_step": 1.0,
}  # working space per blank on a question sheet
ROOM_LIMITS_CM = (2.5, 8.0)


def paper_extras(exercise: Exercise) -> dict:
    """What a printed sheet adds to an exercise: room for working and, for a graph
    exercise, its fill-in circuit (blank for the sheet, filled for the key)."""
    from ..render.views.blank_circuit import blank_circuit

    low, high = ROOM_LIMITS_CM
    room = min(high, max(low, ROOM_CM.get(exercise.kind, 1.2) * len(exercise.answers)))
    extras: dict[str, Any] = {"room": f"{room:.1f}", "circuit": None, "circuit_key": None}
    if exercise.kind == "graph" and exercise.derivation is not None:
        extras["circuit"] = blank_circuit(exercise, filled=False)
        extras["circuit_key"] = blank_circuit(exercise, filled=True)
    return extras


def generate_version(spec: HomeworkSpec, seed: int, version: Version) -> list:
    """The exercises of one version, each from its own derived seed."""
    from . import make_exercise

    exercises = []
    for ex_spec in spec.exercises:
        structure = (
            exercise_seed(seed, ex_spec.id, STRUCTURE) if ex_spec.vary == "numbers" else None
        )
        ex = make_exercise(
            ex_spec.kind,
            exercise_seed(seed, ex_spec.id, version.key),
            ex_spec.difficulty,
            ex_spec.options,
            structure,
        )
        if ex_spec.final_only:
            ex.answers = ex.answers[-1:]
        assign_marks(ex, ex_spec.points)
        exercises.append(ex)
    return exercises


def _points(p) -> str:
    return str(int(p)) if float(p).is_integer() else f"{p:g}"


def build_version(job: Job) -> VersionOutput:
    """All files of one version (and its Moodle questions); a pure function of ``job``."""
    from ..render.views import exercise as view
    from ..render.views import moodle

    spec, version, lang = job.spec, job.version, job.lang
    exercises = generate_version(spec, job.seed, version)
    out = VersionOutput()
    folder = version.folder

    built: dict[str, list[dict]] = {}

    def items(fmt: str) -> list[dict]:
        """The exercises' contexts in ``fmt``, made once per version (the questions and the
        key share them; the fill-in circuits are the costly part); each caller gets copies."""
        if fmt not in built:
            made = [
                view.exercise_context(
                    ex, fmt, lang, n, ex_spec.title_in(lang), _points(ex_spec.points), ex_spec.id
                )
                for n, (ex_spec, ex) in enumerate(zip(spec.exercises, exercises), 1)
            ]
            if fmt == "latex":  # paper: room for working, fill-in circuits
                for item, ex in zip(made, exercises):
                    item.update(paper_extras(ex))
            built[fmt] = made
        return [dict(item) for item in built[fmt]]

    def sheet(fmt: str, answers: bool) -> dict:
        # Only the key (the teacher's copy) says how to rebuild the set: a sheet that showed
        # the seed would let a student print the key.
        secret: dict[str, Any] = {"seed": job.seed, "recipe": job.recipe} if answers else {}
        return view.sheet_context(
            fmt,
            spec.title_in(lang),
            items(fmt),
            spec.instructions_in(lang),
            version.label,
            version.name,
            total=_points(sum(e.points for e in spec.exercises)),
            **secret,
        )

    for fmt, suffix in (("latex", "tex"), ("markdown", "md")):
        if fmt not in job.formats:
            continue
        for name, answers in (("questions", False), ("key", True)):
            context = sheet(fmt, answers)
            text = view.render_sheet(context, fmt, lang, answers)
            if job.pdf and fmt == "latex":  # for the class's two PDFs (homework_pdf.py)
                out.sheets[name] = context
            out.files[f"{folder}/{name}.{suffix}"] = text
    summary = {
        "version": version.label,
        "folder": folder,
        "student": version.name,
        "seed": job.seed,
        "regenerate": job.recipe,
        "exercises": [
            {
                "id": ex_spec.id,
                "kind": ex.kind,
                "difficulty": ex.difficulty,
                "title": ex_spec.title_in(lang) or ex.title[lang],  # the spec's, else the kind's
                "points": ex_spec.points,
                "seed": ex.seed,
                "question": ex.data,
                "prompt": ex.prompt[lang],
                "answers": [a.to_dict(lang) for a in ex.answers],
            }
            for ex_spec, ex in zip(spec.exercises, exercises)
        ],
    }
    out.summary = summary
    if "json" in job.formats:
        out.files[f"{folder}/answers.json"] = compact_json(
            {"title": spec.title_in(lang), **summary}, "exercises"
        )  # one exercise per line: the C encoder (indent=2 was 5 % of a set's time)
    if "moodle" in job.formats:
        out.moodle = [
            moodle.moodle_question(
                ctx, lang, version.label, version.name, instructions=spec.instructions_in(lang)
            )
            for ctx in items("html")
        ]
    if {"qti12", "qti21"} & set(job.formats):
        out.lms = items("html")
    return out


def build(
    spec: HomeworkSpec,
    seed: int,
    versions: list[Version],
    formats: Sequence[str] = FORMATS,
    lang: str = "en",
    pdf: bool = False,
    jobs: int = 1,
    progress: Callable[[int], object] | None = None,
    recipe: str | None = None,
) -> dict:
    """Every output file of the set as ``{relative path: content}``; same input → same bytes.

    The seed and ``recipe`` (the command that rebuilds the set, see :func:`recipe`) go into
    the keys, answers.json and index.json: the teacher's files. Question sheets and Moodle
    question text carry neither.

    ``jobs > 1`` builds versions in worker processes; results are collected in version order,
    so the output is identical to ``jobs = 1``. ``progress(n)`` is called after each version.
    """
    from ..grading.responses import answers_template
    from ..render.views.moodle import moodle_quiz
    from ..render.views.qti import qti_files

    check_folders(versions)
    work = [Job(spec, seed, v, tuple(formats), lang, pdf, recipe) for v in versions]
    results: list[VersionOutput] = []
    # the first version in this process: its caches (parsed structures, printed symbols,
    # chosen circuits) are then warm in every forked worker instead of cold in each
    first = 1 if jobs > 1 and len(work) > 2 else len(work)
    for job in work[:first]:
        results.append(build_version(job))
        if progress:
            progress(1)
    if work[first:]:
        import multiprocessing

        rest = work[first:]
        ctx = multiprocessing.get_context("spawn" if _threads_unsafe() else "fork")
        with ctx.Pool(min(jobs, len(rest)), initializer=_quiet_worker) as pool:
            for result in pool.imap(build_version, rest, chunksize=max(1, len(rest) // (8 * jobs))):
                results.append(result)
                if progress:
                    progress(1)
    files: dict[str, str | bytes] = {}
    for result in results:
        files.update(result.files)
    pdf_pages = {}
    if pdf and "latex" in formats:
        from .homework_pdf import compile_pdfs

        sheets = [r.sheets for r in results]
        pdf_pages = compile_pdfs(files, sheets, [v.folder for v in versions], lang, jobs)
    if "moodle" in formats:
        categories = []
        for i, ex_spec in enumerate(spec.exercises):
            categories.append(
                {
                    "path": _category(spec.title_in(lang), ex_spec.id),
                    "questions": [r.moodle[i] for r in results],
                }
            )
        files["moodle.xml"] = moodle_quiz(categories)
    files.update(
        qti_files(formats, spec.title_in(lang), versions, results, lang, spec.instructions_in(lang))
    )
    files["answers-template.csv"] = answers_template([r.summary for r in results])
    index = {
        "title": spec.title_in(lang),
        "spec": Path(spec.path).name,
        "seed": seed,
        "regenerate": recipe,
        "lang": lang,
        "formats": list(formats),
        "exercises": [
            {
                "id": e.id,
                "kind": e.kind,
                "difficulty": e.difficulty,
                "points": e.points,
                "title": e.title_in(lang) or results[0].summary["exercises"][i]["title"],
                "vary": e.vary,
                "options": e.options,
            }
            for i, e in enumerate(spec.exercises)
        ],
        "versions": [r.summary for r in results],
    }
    if pdf_pages:  # first and last page of each version in all-questions.pdf, all-keys.pdf
        index["pdf_pages"] = pdf_pages
    files["index.json"] = compact_json(index, "versions")
    return files


def compact_json(data: dict, rows: str) -> str:
    """``data`` as JSON without indentation, so the C encoder writes it (indented JSON is
    encoded in pure Python: 8 % of a 100-version set's time), with each entry of the list
    ``data[rows]`` on its own line: small, fast, and still readable line by line."""
    head = {k: v for k, v in data.items() if k != rows}
    lines = [json.dumps(row, ensure_ascii=False, separators=(",", ":")) for row in data[rows]]
    body = json.dumps(head, ensure_ascii=False, separators=(",", ":"))[:-1]
    joined = ",\n".join(lines)
    return f'{body}{"," if head else ""}"{rows}":[\n{joined}\n]}}\n'


def _quiet_worker() -> None:
    """Set up a worker process: Ctrl-C is the parent's to handle (it stops the pool, whose
    SIGTERM then ends the worker silently), and a worker whose parent was killed drops its
    result without printing a BrokenPipeError traceback. Errors inside a job still reach the
    parent, which reports them."""
    import os
    import signal
    import sys

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    sys.stderr = open(os.devnull, "w", encoding="utf-8")  # kept open for the worker's life


def _threads_unsafe() -> bool:
    import sys

    return sys.platform != "linux"


def _category(title: str, ident: str) -> str:
    from .. import escape

    safe = title.replace("/", "//")  # Moodle: a single / separates categories
    return escape.xml(f"$course$/top/{safe}/{ident}")


__all__ = [
    "ExerciseSpec",
    "HomeworkSpec",
    "Version",
    "build",
    "build_version",
    "check_seed",
    "random_seed",
    "recipe",
    "load_spec",
    "parse_formats",
    "versions_from_count",
    "versions_from_roster",
]
