"""`symgrad homework`: bad specs, counts, formats and rosters are exit 2 with one line and
nothing written; folders are never replaced without --force."""

from __future__ import annotations

import subprocess
import sys

import pytest
from support.homework import BANK, SMALL, run, write_spec

pytestmark = pytest.mark.slow  # builds homework sets (some in child processes)


BAD_SPECS = [
    ('title = "T"\n[[exercise]]\nid = "a"\nkind = "nope"\npoints = 1\n', "exercise[1].kind"),
    ('title = "T"\n[[exercise]]\nid = "a"\nkind = "mlp"\n', "exercise[1].points"),
    ('title = "T"\n[[exercise]]\nid = "a"\nkind = "mlp"\npoints = "four"\n', "exercise[1].points"),
    (
        'title = "T"\n[[exercise]]\nid = "a"\nkind = "mlp"\npoints = 1\ndifficulty = 3\n',
        "exercise[1].difficulty",
    ),
    (
        'title = "T"\n[[exercise]]\nid = "a"\nkind = "mlp"\npoints = 1\n'
        + '[[exercise]]\nid = "a"\nkind = "mlp"\npoints = 1\n',
        "exercise[2].id",
    ),
    (
        'title = "T"\n'
        + "".join(f'[[exercise]]\nid = "a{i}"\nkind = "mlp"\npoints = 1\n' for i in range(60)),
        "exercise:",
    ),
    ('title = "T"\n[[exercise]]\nid = "a"\nkind = "mlp"\npoints = 1e9\n', "exercise[1].points"),
    ('title = "T"\n[[exercise]]\nid = "a b"\nkind = "mlp"\npoints = 1\n', "exercise[1].id"),
    (
        'title = "T"\n[[exercise]]\nid = "a"\nkind = "mlp"\npoints = 1\ncolour = 1\n',
        "exercise[1].colour",
    ),
    ('[[exercise]]\nid = "a"\nkind = "mlp"\npoints = 1\n', "title"),
    ('title = "line\\nbreak"\n[[exercise]]\nid = "a"\nkind = "mlp"\npoints = 1\n', "title"),
    ('title = 5\n[[exercise]]\nid = "a"\nkind = "mlp"\npoints = 1\n', "title"),
    ('title = "T"\n', "exercise"),
    ('title = "T"\n[[exercise]\n', "not valid TOML"),
]


@pytest.mark.parametrize("body,key", BAD_SPECS)
def test_bad_spec_exits_2_names_file_and_key_and_writes_nothing(tmp_path, body, key):
    spec = write_spec(tmp_path / "bad.toml", body)
    out = tmp_path / "never"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "symgrad",
            "homework",
            str(spec),
            "--versions",
            "2",
            "--seed",
            "1",
            "--out",
            str(out),
            "--quiet",
        ],
        check=False,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("symgrad: error: ")
    assert str(spec) in lines[0] and key in lines[0]
    assert not out.exists()


@pytest.mark.parametrize(
    "args,message",
    [
        (["--versions", "100000"], "--versions"),
        (["--versions", "0"], "--versions"),
        (["--versions", "2", "--formats", "latex,pdf"], "--formats"),
    ],
)
def test_bad_counts_and_formats(tmp_path, args, message):
    out = tmp_path / "never"
    result = run("homework", BANK, "--seed", 1, "--out", out, *args)
    assert result.exit_code == 2 and not out.exists()


@pytest.mark.parametrize(
    "rows,message",
    [
        ("name\nAlice\n", "id and name"),
        ("id,name\nalice,A\nalice,B\n", "duplicate"),
        # folders A1/ and a1/ are one folder on macOS and Windows: name the row and both ids
        ("id,name\nA1,A\nb,B\na1,C\n", "line 4: id: duplicate id 'a1' ('A1' on line 2"),
        ("id,name\nx.,A\n", "'x.' must not end with '.'"),  # Windows drops the dot: x./ is x/
        ("id,name\nNul.txt,A\n", "reserved on Windows"),
        ("id,name\nIndex.JSON,A\n", "output file"),  # the folder would clash with index.json
        ("id,name\n../x,A\n", "id"),
        ("id,name\nalice,\n", "name"),
        ("id,name\n", "no students"),
    ],
)
def test_bad_roster(tmp_path, rows, message):
    roster = tmp_path / "r.csv"
    roster.write_text(rows, encoding="utf-8")
    out = tmp_path / "never"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "symgrad",
            "homework",
            str(BANK),
            "--roster",
            str(roster),
            "--seed",
            "1",
            "--out",
            str(out),
        ],
        check=False,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2 and message in proc.stderr and str(roster) in proc.stderr
    assert not out.exists()


def test_refuses_foreign_non_empty_folder_unless_forced(tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("teacher's notes")
    args = [
        "homework",
        write_spec(tmp_path / "s.toml", SMALL),
        "--versions",
        1,
        "--seed",
        1,
        "--out",
        out,
        "--quiet",
        "--formats",
        "json",
    ]
    result = run(*args)
    assert result.exit_code == 2 and not (out / "index.json").exists()
    assert run(*args, "--force").exit_code == 0
    assert (out / "index.json").exists() and (out / "notes.txt").exists()
    assert run(*args, "--force").exit_code == 0  # a rerun replaces the set only when forced


def test_second_run_without_force_changes_nothing(tmp_path):
    """A set written before (and a hand edit to one of its keys) survives a rerun that lacks
    --force byte for byte; the message names --force."""
    out = tmp_path / "hw"
    args = [
        "homework",
        BANK,
        "--versions",
        3,
        "--seed",
        1,
        "--out",
        out,
        "--quiet",
        "--formats",
        "markdown,latex,json,moodle",
    ]
    assert run(*args).exit_code == 0
    key = out / "v01" / "key.tex"
    key.write_text(key.read_text() + "% the teacher's correction\n")
    before = {p: p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
    for again in (args, [*args[:3], 30, "--seed", 2024, *args[6:]]):
        result = run(*again)
        assert result.exit_code == 2
        assert "--force" in result.output and "Traceback" not in result.output
        assert {p: p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hw"]  # no staging folder left


def test_spec_with_a_byte_order_mark_is_read(tmp_path):
    spec = tmp_path / "bom.toml"
    spec.write_bytes(b"\xef\xbb\xbf" + BANK.read_bytes())
    result = run(
        "homework",
        spec,
        "--versions",
        1,
        "--seed",
        1,
        "--out",
        tmp_path / "o",
        "--formats",
        "json",
        "--quiet",
    )
    assert result.exit_code == 0, result.output
