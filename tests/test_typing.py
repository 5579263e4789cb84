"""Types: every public function in symgrad/ is annotated, and mypy passes on the package.

mypy's configuration is ``[tool.mypy]`` in pyproject.toml: normal mode for the package, the
``--strict`` flag family for the math core (ops, parse, graph, backward, check, derivation,
mlp). The annotation walk is quick; the mypy runs are marked slow.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from conftest import ROOT

PACKAGE = ROOT / "symgrad"
# the math core (plus every mlp module); op_record, expr, check_report and derivation_record
# are parts of ops, parse, check and derivation split off to keep modules under 400 lines
STRICT = [
    "ops",
    "op_record",
    "parse",
    "expr",
    "graph",
    "backward",
    "check",
    "check_report",
    "derivation",
    "derivation_record",
]


def unannotated(source: str) -> list[str]:
    """``name(what is missing)`` for each public function of ``source`` that lacks an
    annotation: a parameter's (``self``/``cls`` of a method excepted) or the return's
    (``__init__`` excepted; it has no leading-underscore-free name anyway).

    Public: a module-level or class-level ``def`` whose name has no leading underscore, in a
    class at any depth; functions nested in functions are not part of any interface."""
    found: list[str] = []

    def visit(body: list[ast.stmt], owner: str) -> None:
        for node in body:
            if isinstance(node, ast.ClassDef):
                visit(node.body, f"{owner}{node.name}.")
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                if node.name.startswith("_"):
                    continue
                missing = _missing(node, method=bool(owner))
                if missing:
                    found.append(f"{owner}{node.name}({', '.join(missing)}) line {node.lineno}")

    visit(ast.parse(source).body, "")
    return found


def _missing(fn: ast.FunctionDef | ast.AsyncFunctionDef, method: bool) -> list[str]:
    args = fn.args
    params = [*args.posonlyargs, *args.args]
    static = any(isinstance(d, ast.Name) and d.id == "staticmethod" for d in fn.decorator_list)
    if method and not static and params and params[0].arg in ("self", "cls"):
        params = params[1:]
    missing = [p.arg for p in [*params, *args.kwonlyargs] if p.annotation is None]
    missing += [f"*{v.arg}" for v in (args.vararg, args.kwarg) if v and v.annotation is None]
    if fn.returns is None:
        missing.append("return")
    return missing


def test_every_public_function_in_symgrad_is_annotated():
    problems = {
        path.relative_to(ROOT).as_posix(): found
        for path in sorted(PACKAGE.rglob("*.py"))
        if (found := unannotated(path.read_text(encoding="utf-8")))
    }
    assert not problems, "public functions without annotations:\n" + "\n".join(
        f"  {path}: {item}" for path, items in problems.items() for item in items
    )


def test_the_walk_finds_each_kind_of_missing_annotation():
    source = """
def typed(x: int, *args: str, flag: bool = False, **kw: object) -> int: ...
def no_return(x: int): ...
def no_param(x, y: int) -> int: ...
def no_star(*args, **kwargs) -> None: ...
def no_keyword(*, key) -> None: ...
def _private(x): ...
async def fetch(url) -> None: ...
class Thing:
    def method(self, x: int) -> int: ...
    def untyped_method(self, x) -> int: ...
    @classmethod
    def make(cls) -> "Thing": ...
    @staticmethod
    def helper(self) -> None: ...
    def _hidden(self, x): ...
    class Inner:
        def deep(self): ...
class _Private:
    def visible(self, x) -> None: ...
def outer() -> None:
    def nested(x): ...
"""
    assert unannotated(source) == [
        "no_return(return) line 3",
        "no_param(x) line 4",
        "no_star(*args, *kwargs) line 5",
        "no_keyword(key) line 6",
        "fetch(url) line 8",
        "Thing.untyped_method(x) line 11",
        "Thing.helper(self) line 15",
        "Thing.Inner.deep(return) line 18",
        "_Private.visible(x) line 20",
    ]


def test_the_package_ships_its_types():
    """PEP 561: ``py.typed`` in the package and in its package data, so the annotations of an
    installed symgrad reach its users' type checkers."""
    assert (PACKAGE / "py.typed").is_file()
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "py.typed" in config["tool"]["setuptools"]["package-data"]["symgrad"]


def _mypy(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mypy", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.mark.slow
def test_mypy_passes_on_the_package():
    """Plain ``mypy`` (files and flags from pyproject.toml) finds nothing."""
    run = _mypy()
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Success: no issues found" in run.stdout


@pytest.mark.slow
def test_mypy_is_strict_on_the_math_core_only(tmp_path: Path):
    """The same unannotated function, added (as a shadow file: nothing in the tree changes)
    to each module of the math core, is an error there; added to a module outside the core,
    it is accepted (normal mode)."""
    probe = "\n\ndef typing_probe(x):\n    return x\n"
    core = [PACKAGE / f"{name}.py" for name in STRICT] + sorted((PACKAGE / "mlp").glob("*.py"))
    outside = [PACKAGE / "hints.py", PACKAGE / "render" / "printing.py"]
    args: list[str] = []
    for path in core + outside:
        shadow = tmp_path / path.relative_to(PACKAGE).as_posix().replace("/", "__")
        shadow.write_text(path.read_text(encoding="utf-8") + probe, encoding="utf-8")
        args += ["--shadow-file", path.relative_to(ROOT).as_posix(), str(shadow)]
    run = _mypy(*args)
    flagged = set(re.findall(r"^(\S+\.py):\d+: error: Function is missing", run.stdout, re.M))
    for path in core:
        assert path.relative_to(ROOT).as_posix() in flagged, run.stdout
    for path in outside:
        assert path.relative_to(ROOT).as_posix() not in flagged, run.stdout
