"""The generated reference pages cover what the code has: every function, limit, spec key,
kind pin and JSON key (docs/_ext/reference.py)."""

from __future__ import annotations

import importlib.util
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "docs" / "_ext"))

if importlib.util.find_spec("sphinx") is None:  # the extension logs through Sphinx
    from conftest import skip_or_fail

    skip_or_fail("sphinx not installed (pip install -e '.[docs]')")

import reference  # noqa: E402


def test_the_expression_page_lists_every_function_and_limit() -> None:
    from symgrad import expr, ops

    page = reference.expressions_page()
    for name in ops.functions():
        assert f"`{name}`" in page, name
    for name in ops.activations():
        assert f"`{name}`" in page
    limits = reference.limits(expr)
    assert {n for n, _, _ in limits} == {n for n in vars(expr) if n.startswith("MAX_")}
    for name, value, what in limits:
        assert what, f"{name} has no description"
        assert f"| `{name}` | {value:,} |" in page


def test_every_limit_needs_a_description(monkeypatch: pytest.MonkeyPatch) -> None:
    """A limit with neither a comment in the source nor an entry in the table is a warning."""
    from symgrad import expr

    warned: list[str] = []
    monkeypatch.setattr(reference.logger, "warning", warned.append)
    monkeypatch.setattr(reference, "LIMIT_TEXT", {})
    reference.limits(expr)
    assert any("MAX_NAME" in w for w in warned)  # MAX_NAME's line has no comment


def test_the_spec_page_lists_every_key_and_pin() -> None:
    from symgrad.exercises import KINDS, spec

    page = reference.spec_page()
    for key in (*spec.TOP_KEYS, *spec.EXERCISE_KEYS):
        assert f"| `{key}` |" in page
    for name, kind in KINDS.items():
        assert f'`kind = "{name}"`' in page
        for key in kind.options_help:
            assert f"| `{key}` |" in page


def test_key_paths_lists_nested_keys_with_types() -> None:
    paths = reference.key_paths({"a": [{"b": 1, "c": None}, {"b": 2.5}], "d": "x"})
    assert paths == {
        "a": {"array"},
        "a[]": {"object"},
        "a[].b": {"number"},
        "a[].c": {"null"},
        "d": {"string"},
    }


def test_undescribed_names_a_missing_key() -> None:
    outputs = {"derive": (["symgrad derive ..."], [{"value": 1, "nodes": []}])}
    assert reference.undescribed(outputs, {"derive": {"value": "f"}}) == ["derive: nodes"]
    assert reference.undescribed(outputs, {"derive": {"value": "f", "nodes": "n"}}) == []


@pytest.mark.slow
def test_the_json_key_table_describes_every_key_produced(tmp_path: Path) -> None:
    outputs = reference.json_outputs(tmp_path)
    table = reference.descriptions(ROOT / "docs")
    assert reference.undescribed(outputs, table) == []
    assert {"derive", "mlp", "jacobian", "check", "exercise", "stress"} <= set(outputs)
    # and nothing in the table describes a key no output has any more
    for name, described in table.items():
        produced = {key for value in outputs[name][1] for key in value}
        assert set(described) <= produced, f"{name}: {set(described) - produced}"


def test_the_json_key_table_is_valid_toml() -> None:
    with open(ROOT / "docs" / "reference" / "json_keys.toml", "rb") as f:
        table = tomllib.load(f)
    assert all(isinstance(v, str) and v for keys in table.values() for v in keys.values())
