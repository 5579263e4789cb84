"""On CI (CI=true) a test that needs TeX, Graphviz, poppler or Chromium never skips.

Outside CI such a test skips with the reason when the tool is missing; on CI the same call
fails, so a CI machine without the tool cannot pass by skipping. Every test module reaches
these tools through conftest's ``require_tool`` or ``skip_or_fail``, never a skip of its own.
"""

import ast
import re

import pytest
from conftest import ROOT, require_tool, skip_or_fail

TOOLS = {
    "pdflatex",
    "xelatex",
    "lualatex",
    "latexmk",
    "kpsewhich",
    "dot",
    "neato",
    "pdftotext",
    "pdftoppm",
    "chromium",
    "chromium-browser",
    "chromedriver",
}
MISSING = "symgrad-no-such-tool-anywhere"


def outcome(call, *args) -> tuple[str, str]:
    """("fail" | "skip" | "pass", message) of ``call(*args)``, caught here so that a skip
    inside the helper is a result to assert on, not a skip of this test."""
    try:
        call(*args)
    except pytest.fail.Exception as e:
        return "fail", str(e)
    except pytest.skip.Exception as e:
        return "skip", str(e)
    return "pass", ""


@pytest.mark.parametrize("value", ["true", "1", "yes", "TRUE"])
def test_a_missing_tool_fails_on_ci(monkeypatch, value):
    monkeypatch.setenv("CI", value)
    status, message = outcome(require_tool, MISSING)
    assert status == "fail" and MISSING in message
    status, message = outcome(skip_or_fail, "needs chromium")
    assert status == "fail" and "chromium" in message


@pytest.mark.parametrize("value", [None, "", "false", "0"])
def test_a_missing_tool_skips_elsewhere(monkeypatch, value):
    if value is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", value)
    status, message = outcome(require_tool, MISSING)
    assert status == "skip" and MISSING in message


def test_a_present_tool_neither_skips_nor_fails(monkeypatch):
    monkeypatch.setenv("CI", "true")
    assert outcome(require_tool, "sh") == ("pass", "")  # POSIX: always there


def own_skips(tree: ast.AST) -> list[int]:
    """Lines of a module that skip by themselves: ``pytest.skip(...)``, ``skipif(...)``,
    ``importorskip(...)``, wherever they occur."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in ("skip", "skipif", "importorskip"):
                found.append(node.lineno)
    return found


def tool_mentions(text: str) -> set[str]:
    """The tools a module looks up itself (``shutil.which("dot")``) or runs (``["dot", ...``)."""
    looked_up = re.findall(r"which\(\s*[\"']([\w.-]+)[\"']", text)
    run = re.findall(r"\[\s*[\"']([\w.-]+)[\"']\s*,", text)
    return (set(looked_up) | set(run)) & TOOLS


def test_no_test_module_skips_on_a_missing_tool_by_itself():
    offenders = []
    for path in sorted((ROOT / "tests").rglob("*.py")):
        if path.name == "conftest.py":
            continue
        text = path.read_text(encoding="utf-8")
        tools = tool_mentions(text)
        if not tools:
            continue
        skips = own_skips(ast.parse(text))
        if skips:
            where = path.relative_to(ROOT).as_posix()
            offenders.append(f"{where} (uses {sorted(tools)}; skips itself at lines {skips})")
    assert not offenders, (
        "use conftest.require_tool / skip_or_fail (they fail on CI) instead of skipping:\n  "
        + "\n  ".join(offenders)
    )


def test_the_scan_finds_a_module_that_skips_by_itself():
    planted = (
        "import shutil, subprocess, pytest\n"
        "@pytest.mark.skipif(shutil.which('dot') is None, reason='no dot')\n"
        "def test_x():\n"
        "    subprocess.run(['dot', '-Tsvg'])\n"
    )
    assert tool_mentions(planted) == {"dot"}
    assert own_skips(ast.parse(planted)) == [2]
    assert tool_mentions("subprocess.run(['ls', '-l'])") == set()
