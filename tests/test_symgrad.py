"""The package itself: one version number (pyproject.toml) that `symgrad --version`,
``symgrad.__version__`` and CHANGELOG.md's newest release all show, and a lazy ``import
symgrad`` (no SymPy, no NumPy until a derivation is asked for)."""

import re
import subprocess
import sys
import tomllib

import pytest
from click.testing import CliRunner
from conftest import ROOT

import symgrad

RELEASE = re.compile(r"^## \[(\d+\.\d+\.\d+)\] - (\d{4}-\d{2}-\d{2})$", re.M)


def pyproject_version() -> str:
    with open(ROOT / "pyproject.toml", "rb") as f:
        return tomllib.load(f)["project"]["version"]


def newest_release(changelog: str) -> str:
    """The version of the first ``## [X.Y.Z] - YYYY-MM-DD`` heading (Keep a Changelog)."""
    found = RELEASE.search(changelog)
    assert found, "CHANGELOG.md has no '## [X.Y.Z] - YYYY-MM-DD' release heading"
    return found.group(1)


def test_version_is_the_same_everywhere():
    from symgrad.cli import cli

    number = pyproject_version()
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0, result.output
    assert result.output == f"symgrad {number}\n", (
        f"`symgrad --version` says {result.output!r}, pyproject.toml {number!r}: "
        'reinstall (pip install -e ".[test]") after changing the version'
    )
    assert symgrad.__version__ == number
    assert newest_release((ROOT / "CHANGELOG.md").read_text(encoding="utf-8")) == number


def test_newest_release_reads_the_first_release_heading_only():
    text = "# Changelog\n\n## [Unreleased]\n\n## [1.10.0] - 2027-01-02\n\n## [1.9.9] - 2026-05-01\n"
    assert newest_release(text) == "1.10.0"
    with pytest.raises(AssertionError):
        newest_release("## [Unreleased]\n## 0.3.0\n")  # not the Keep a Changelog form


def test_changelog_keeps_an_unreleased_section_above_the_releases():
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    headings = re.findall(r"^## \[([^\]]+)\]", text, re.M)
    assert headings[0] == "Unreleased" and headings[1] == pyproject_version(), headings


def run_python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60
    )


@pytest.mark.slow
def test_version_without_installed_metadata_is_unknown_not_a_second_number():
    code = (
        "import importlib.metadata as m\n"
        "def missing(name):\n"
        "    raise m.PackageNotFoundError(name)\n"
        "m.version = missing\n"
        "import symgrad\n"
        "print(symgrad.__version__)\n"
    )
    proc = run_python(code)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "0+unknown\n"
    source = (ROOT / "symgrad" / "__init__.py").read_text(encoding="utf-8")
    assert pyproject_version() not in source, "the version number is written in symgrad/__init__.py"


@pytest.mark.slow
@pytest.mark.parametrize("args", [["--version"], ["--help"]])
def test_version_and_help_load_neither_sympy_nor_numpy(args):
    code = (
        "import sys\n"
        "from symgrad.cli import cli\n"
        "try:\n"
        f"    cli.main({args!r}, prog_name='symgrad')\n"
        "except SystemExit as e:\n"
        "    assert e.code == 0, e.code\n"
        "print(sorted(m for m in ('sympy', 'numpy') if m in sys.modules))\n"
    )
    proc = run_python(code)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().endswith("[]"), proc.stdout


@pytest.mark.slow
def test_import_is_lazy_and_derive_is_reachable():
    proc = run_python(
        "import sys, symgrad\n"
        "print('sympy' in sys.modules, 'numpy' in sys.modules)\n"
        "d = symgrad.derive('x*y', at='x=3,y=-2')\n"
        "print(d.gradients['x'].value, d.gradients['y'].value)\n"
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == ["False False", "-2.0 3.0"]
    with pytest.raises(AttributeError, match="no attribute 'nothing_here'"):
        symgrad.nothing_here  # noqa: B018
