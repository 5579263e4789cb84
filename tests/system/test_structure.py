"""The package's shape, read from its source: no import cycles, small modules, one
``relative_error``, a ``--help`` that loads neither SymPy nor NumPy, and a test module for
every module (tests/ mirrors symgrad/)."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

from conftest import ROOT

PACKAGE = ROOT / "symgrad"
MAX_LINES = 400
TESTS = ROOT / "tests"
# Modules whose tests live elsewhere, and where. Keep this short: a module with code of its
# own gets a test module of its own.
COVERED_ELSEWHERE = {
    # the `python -m symgrad` entry point: every subprocess test in tests/cli and tests/system
    # runs it (exit statuses, Ctrl-C, broken pipes)
    "symgrad.__main__": "tests/system/test_hostile_io.py",
}


def module_files() -> dict[str, Path]:
    """``{"symgrad.check": .../check.py, "symgrad.exercises": .../exercises/__init__.py}``."""
    modules = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        modules[".".join(parts)] = path
    return modules


def _resolve(name: str, modules) -> str | None:
    """The module ``name`` refers to: itself, or the longest prefix that is a module."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def import_edges(modules: dict[str, Path]) -> dict[str, dict[str, int]]:
    """``{importer: {imported: line}}`` for every import of a symgrad module, at any depth
    (inside functions too). Imports of the top-level package ``symgrad`` itself are left out:
    importing any submodule runs it anyway."""
    edges: dict[str, dict[str, int]] = {name: {} for name in modules}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            targets = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                    base = f"{base}.{node.module}" if node.module else base
                else:
                    base = node.module or ""
                # `from . import x` imports the module symgrad.x when there is one
                targets = [
                    f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
                    for alias in node.names
                ]
            for target in targets:
                found = _resolve(target, modules) if target.split(".")[0] == "symgrad" else None
                if found and found not in ("symgrad", name):
                    edges[name].setdefault(found, node.lineno)
    return edges


def import_cycles(edges: dict[str, dict[str, int]]) -> list[list[str]]:
    """One cycle (``[a, b, ..., a]``) per strongly connected group of modules (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return [_cycle_in(group, edges) for group in groups]


def _cycle_in(group: list[str], edges) -> list[str]:
    """A shortest cycle through the group's first module, staying inside the group."""
    start, members = group[0], set(group)
    paths = {start: [start]}
    queue = [start]
    for v in queue:  # breadth first
        for w in sorted(edges[v]):
            if w == start:
                return paths[v] + [start]
            if w in members and w not in paths:
                paths[w] = paths[v] + [w]
                queue.append(w)
    raise AssertionError(f"no cycle in the strongly connected group {group}")


def _describe(cycle: list[str], edges, modules) -> str:
    hops = [
        f"{a} imports {b} ({modules[a].relative_to(ROOT).as_posix()}:{edges[a][b]})"
        for a, b in zip(cycle, cycle[1:])
    ]
    return " -> ".join(cycle) + "\n    " + "\n    ".join(hops)


def test_the_cycle_finder_finds_a_planted_cycle():
    edges = {"a": {"b": 1}, "b": {"c": 1}, "c": {"a": 1, "d": 1}, "d": {}, "e": {"d": 1}}
    assert import_cycles(edges) == [["a", "b", "c", "a"]]
    assert import_cycles({"a": {"b": 1}, "b": {}}) == []


def test_the_import_graph_finds_symgrads_own_imports():
    """The graph builder itself: it must see relative, absolute and function-level imports."""
    edges = import_edges(module_files())
    assert "symgrad.check" in edges["symgrad.derivation"]  # from .check import ...
    assert "symgrad.errors" in edges["symgrad.cli_mlp"]  # `from .errors import` inside a function
    assert "symgrad" not in {m for targets in edges.values() for m in targets}


def test_no_import_cycles():
    modules = module_files()
    edges = import_edges(modules)
    found = [_describe(cycle, edges, modules) for cycle in import_cycles(edges)]
    assert not found, (
        "import cycles (one per group of modules importing each other):\n  " + "\n  ".join(found)
    )


def test_no_module_over_400_lines():
    too_long = {}
    for _name, path in module_files().items():
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_LINES:
            too_long[path.relative_to(ROOT).as_posix()] = lines
    assert not too_long, f"modules over {MAX_LINES} lines: {too_long}"


def test_exactly_one_relative_error():
    pattern = re.compile(r"^\s*(async\s+)?def\s+relative_error\b", re.MULTILINE)
    found = []
    for path in module_files().values():
        text = path.read_text(encoding="utf-8")
        for match in pattern.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            found.append(f"{path.relative_to(ROOT).as_posix()}:{line}")
    assert len(found) == 1, f"`def relative_error` found {len(found)} times: {found}"


def _import_chain(lines: list[tuple[int, str]], i: int) -> list[str]:
    """The modules whose import led to line ``i`` of ``-X importtime`` output (children are
    printed before their parent, indented one level deeper)."""
    depth, chain = lines[i][0], [lines[i][1]]
    for d, name in lines[i + 1 :]:
        if d < depth:
            chain.append(name)
            depth = d
    return chain[::-1]


def test_help_imports_neither_sympy_nor_numpy():
    env = dict(
        os.environ,
        PYTHONPATH=os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]),
    )
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "symgrad", "--help"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
    )
    assert proc.returncode == 0 and "Usage" in proc.stdout, proc.stdout + proc.stderr
    lines = []
    for line in proc.stderr.splitlines():
        match = re.match(r"import time:\s+\d+ \|\s+\d+ \|( *)(\S+)", line)
        if match:
            lines.append((len(match.group(1)) // 2, match.group(2)))
    assert lines, "no -X importtime output: " + proc.stderr[:500]
    heavy = {}
    for i, (_, name) in enumerate(lines):
        top = name.split(".")[0]
        if top in ("sympy", "numpy") and top not in heavy:
            chain = _import_chain(lines, i)
            first = next(k for k, m in enumerate(chain) if m.split(".")[0] == top)
            heavy[top] = " -> ".join(chain[: first + 1])
    assert not heavy, f"`symgrad --help` imports {sorted(heavy)}: " + "; ".join(heavy.values())


def expected_test_file(name: str, path: Path) -> Path:
    """Where the tests of module ``name`` live: symgrad/X.py in tests/test_X.py, a command
    module symgrad/cli_X.py in tests/cli/test_X.py, symgrad/P/X.py in tests/P/test_X.py and a
    package symgrad/P/__init__.py in tests/P/test_P.py (symgrad itself: tests/test_symgrad.py).
    """
    parts = name.split(".")[1:]
    if not parts:
        return TESTS / "test_symgrad.py"
    if path.name == "__init__.py":
        return TESTS.joinpath(*parts, f"test_{parts[-1]}.py")
    if len(parts) == 1 and parts[0].startswith("cli_"):
        return TESTS / "cli" / f"test_{parts[0].removeprefix('cli_')}.py"
    return TESTS.joinpath(*parts[:-1], f"test_{parts[-1]}.py")


def defines_something(path: Path) -> bool:
    """A module needs tests when it defines a function, a class or a value of its own; a
    package ``__init__`` that only imports and re-exports does not."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    own = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Assign, ast.AnnAssign)
    return any(
        isinstance(node, own)
        and not (isinstance(node, ast.Assign) and node.targets[0].id == "__all__")
        for node in tree.body
        if not isinstance(node, ast.Assign) or isinstance(node.targets[0], ast.Name)
    )


def missing_test_modules(modules: dict[str, Path]) -> list[str]:
    """``symgrad.X -> tests/.../test_X.py`` for every module without its test module."""
    missing = []
    for name, path in sorted(modules.items()):
        if name in COVERED_ELSEWHERE or not defines_something(path):
            continue
        expected = expected_test_file(name, path)
        if not expected.is_file():
            missing.append(f"{name} -> {expected.relative_to(ROOT).as_posix()}")
    return missing


def test_every_module_has_a_test_module():
    missing = missing_test_modules(module_files())
    assert not missing, "modules without a test module:\n  " + "\n  ".join(missing)


def test_the_mirror_rule_finds_a_module_without_tests(tmp_path):
    """The check can fail: a planted module with a function and no test module is reported;
    a re-exporting __init__ is not; the exemptions name files that exist."""
    planted = tmp_path / "brand_new.py"
    planted.write_text("def f():\n    return 1\n", encoding="utf-8")
    reexport = tmp_path / "__init__.py"
    reexport.write_text('"""Docs."""\n\nfrom .x import f\n\n__all__ = ["f"]\n', encoding="utf-8")
    found = missing_test_modules({"symgrad.brand_new": planted, "symgrad.views": reexport})
    assert found == ["symgrad.brand_new -> tests/test_brand_new.py"]
    assert (
        expected_test_file("symgrad.cli_grade", PACKAGE / "cli_grade.py")
        == TESTS / "cli/test_grade.py"
    )
    assert expected_test_file("symgrad.render", PACKAGE / "render/__init__.py") == (
        TESTS / "render/test_render.py"
    )
    assert expected_test_file("symgrad.render.views.qti", PACKAGE / "render/views/qti.py") == (
        TESTS / "render/views/test_qti.py"
    )
    for name, where in COVERED_ELSEWHERE.items():
        assert name in module_files() and (ROOT / where).is_file(), (name, where)
