"""Versions of a homework set: numbered or from a roster, folder names safe on every file
system, collisions refused."""

import pytest

from symgrad.errors import SymgradError
from symgrad.exercises.versions import (
    check_folders,
    folder_key,
    folder_problem,
    versions_from_count,
    versions_from_roster,
)


def test_numbered_versions():
    assert [v.folder for v in versions_from_count(3)] == ["v01", "v02", "v03"]
    assert versions_from_count(120)[-1].folder == "v120"
    assert len({v.key for v in versions_from_count(50)}) == 50


def test_roster_versions_are_one_per_student(tmp_path):
    roster = tmp_path / "r.csv"
    roster.write_text("id,name,email\nann,Ann Lee,a@x\nzs-01,张三,\n", encoding="utf-8")
    versions = versions_from_roster(roster)
    assert [(v.folder, v.name) for v in versions] == [("ann", "Ann Lee"), ("zs-01", "张三")]


@pytest.mark.parametrize(
    "text, words",
    [
        ("", "empty file"),
        ("student,name\nann,Ann\n", "expected a header with columns id and name"),
        ("id,name\nann\n", "line 2: expected 2 columns, got 1"),
        ("id,name\nAnn,A\nann,B\n", "duplicate"),
        ("id,name\n张三,A\n", "line 2: id: expected letters, digits"),  # a folder name
    ],
)
def test_bad_rosters_name_the_line(tmp_path, text, words):
    roster = tmp_path / "r.csv"
    roster.write_text(text, encoding="utf-8")
    with pytest.raises(SymgradError, match=words):
        versions_from_roster(roster)


def test_folder_names_a_file_system_would_refuse_or_merge():
    assert "reserved on Windows" in folder_problem("con")
    assert "reserved on Windows" in folder_problem("LPT1")
    assert folder_problem("ann") is None and folder_problem("Zoë") is None
    assert folder_key("Ann") == folder_key("ann")
    with pytest.raises(SymgradError, match="would be the same folder on macOS and Windows"):
        check_folders(versions_from_count(2) + versions_from_count(1))
