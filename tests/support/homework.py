"""Building homework sets in tests: the bank's spec, a small two-exercise spec, the CLI runner and
a folder read back as bytes (shared by tests/cli/test_homework.py and
tests/exercises/test_homework.py)."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner, Result
from conftest import ROOT

from symgrad.cli import cli

BANK = ROOT / "bank" / "lecture3-2.toml"

SMALL = """title = "T"
[[exercise]]
id = "a"
kind = "activation"
points = 2
[[exercise]]
id = "g"
kind = "gd_step"
points = 3
"""


def run(*args: object) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args])


def tree(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def write_spec(path: Path, body: str) -> Path:
    path.write_text(body, encoding="utf-8")
    return path
