"""Versions of a homework set: numbered (``v01``, ``v02``, ...) or one per student of a
roster CSV, each with a folder name that is safe on every file system.

>>> [v.folder for v in versions_from_count(3)]
['v01', 'v02', 'v03']
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import SymgradError, shown
from ..reading import read_text
from .spec import ID_RE, text_value

MAX_VERSIONS = 1000
MAX_ROSTER_BYTES = 1_000_000  # 1000 students of at most 140 characters, with room to spare
MAX_NAME = 100
ROOT_FILES = (
    "index.json",
    "moodle.xml",
    "all-questions.pdf",
    "all-keys.pdf",  # next to versions
    "answers-template.csv",
    "qti12.zip",
    "qti21.zip",
)
# Names Windows reserves for devices, with or without an extension ("con", "nul.txt", ...)
_RESERVED_RE = re.compile(r"(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?\Z", re.IGNORECASE)


@dataclass(frozen=True)
class Version:
    """One version of the set: ``key`` seeds it, ``folder`` names its output directory."""

    key: str
    folder: str
    label: str
    name: str | None = None


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
            raise SymgradError(
                f"version folders {seen[key]!r} and {v.folder!r} would be the "
                f"same folder on macOS and Windows (names must differ in more "
                f"than letter case)"
            )
        seen[key] = v.folder


def versions_from_count(count: object) -> list[Version]:
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_VERSIONS:
        raise SymgradError(
            f"--versions: expected a whole number from 1 to {MAX_VERSIONS}, got {shown(count)}"
        )
    width = max(2, len(str(count)))
    return [
        Version(f"version:{k}", f"v{k:0{width}d}", f"v{k:0{width}d}") for k in range(1, count + 1)
    ]


def versions_from_roster(path: str | Path) -> list[Version]:
    """Read a roster CSV with columns ``id`` and ``name`` (more columns are ignored)."""
    path = Path(path)
    where = str(path)
    text = read_text(path, MAX_ROSTER_BYTES, "roster")  # an endless file costs at most 1 MB
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration:
        raise SymgradError(f"{where}: empty file (expected a header with id and name)") from None
    except csv.Error as err:
        raise SymgradError(f"{where}: line 1: not valid CSV: {err}") from None
    columns = [h.strip().lower() for h in header]
    if "id" not in columns or "name" not in columns:
        raise SymgradError(
            f"{where}: line 1: expected a header with columns id and name, "
            f"got {', '.join(header) or 'nothing'}"
        )
    id_col, name_col = columns.index("id"), columns.index("name")
    out: list[Version] = []
    seen: dict[str, tuple[int, str]] = {}  # folder_key -> (line, id as written)
    try:
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(row) <= max(id_col, name_col):
                raise SymgradError(
                    f"{where}: line {line}: expected {len(header)} columns, got {len(row)}"
                )
            ident, name = row[id_col].strip(), row[name_col].strip()
            if not ID_RE.match(ident):
                raise SymgradError(
                    f"{where}: line {line}: id: expected letters, digits, _ . - "
                    f"(at most 40, starting with a letter or digit), got {shown(ident)}"
                )
            problem = folder_problem(ident)
            if problem:
                raise SymgradError(f"{where}: line {line}: id: {shown(ident)} {problem}")
            key = folder_key(ident)
            if key in seen:
                first_line, first = seen[key]
                why = (
                    f"already on line {first_line}"
                    if first == ident
                    else f"{first!r} on line {first_line} differs only in letter case, and "
                    f"folder names on macOS and Windows ignore case"
                )
                raise SymgradError(f"{where}: line {line}: id: duplicate id {shown(ident)} ({why})")
            seen[key] = (line, ident)
            text_value(f"{where}: line {line}: name", name, MAX_NAME)
            out.append(Version(f"student:{ident}", ident, ident, name))
            if len(out) > MAX_VERSIONS:
                raise SymgradError(f"{where}: more than {MAX_VERSIONS} students")
    except csv.Error as err:
        raise SymgradError(f"{where}: line {reader.line_num}: not valid CSV: {err}") from None
    if not out:
        raise SymgradError(f"{where}: no students (expected rows of id,name after the header)")
    return out
