"""Homework sets: reproducible bytes, per-student numbers, keys that match, LaTeX that
compiles, Moodle XML that parses, and bad specs that stop before anything is written."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest
from conftest import ROOT, require_tool
from support.exercises import MOODLE_NUMBER, recompute
from support.homework import BANK, SMALL, run, tree, write_spec

pytestmark = pytest.mark.slow  # builds homework sets (some in child processes)

CLOZE = re.compile(r"\{\d+:NUMERICAL:([^{}]*)\}")


def test_the_bank_is_the_bank_folder_and_ships_as_symgrad_bank():
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert config["tool"]["setuptools"]["package-dir"]["symgrad.bank"] == "bank"
    assert BANK.parent == ROOT / "bank" and BANK.is_file()
    assert not (ROOT / "exercises").exists()  # "exercises" names the Python package only


def test_bank_covers_every_kind():
    import tomllib

    spec = tomllib.loads(BANK.read_text(encoding="utf-8"))
    from symgrad.exercises import KINDS

    assert {e["kind"] for e in spec["exercise"]} == set(KINDS)
    assert len(spec["exercise"]) >= 6
    assert "#" in BANK.read_text(encoding="utf-8")  # commented for teachers


def test_layout_and_answers_recomputed_from_displayed_values(tmp_path):
    out = tmp_path / "hw"
    result = run("homework", BANK, "--versions", 3, "--seed", 5, "--out", out, "--quiet")
    assert result.exit_code == 0, result.output
    names = set(tree(out))
    for v in ("v01", "v02", "v03"):
        for f in ("questions.tex", "key.tex", "questions.md", "key.md", "answers.json"):
            assert f"{v}/{f}" in names
    assert {"moodle.xml", "index.json", ".symgrad-output"} <= names
    for v in ("v01", "v02", "v03"):
        data = json.loads((out / v / "answers.json").read_text(encoding="utf-8"))
        assert data["seed"] == 5
        for ex in data["exercises"]:
            expected = recompute(ex["kind"], ex["question"])
            for a in ex["answers"]:
                assert abs(float(a["display"]) - expected[a["name"]]) <= a["tolerance"], (
                    v,
                    ex["id"],
                    a["name"],
                )
        questions = (out / v / "questions.tex").read_text(encoding="utf-8")
        key = (out / v / "key.tex").read_text(encoding="utf-8")
        assert "\\printanswers" in key and "\\printanswers" not in questions
        md = (out / v / "questions.md").read_text(encoding="utf-8")
        for sheet in (questions, md):  # a student's copy: nothing that rebuilds the key
            assert "symgrad" not in sheet.lower() and "seed" not in sheet.lower()
        for teachers in (key, (out / v / "key.md").read_text(encoding="utf-8")):
            assert "--seed 5" in teachers and "--versions 3" in teachers


def test_byte_identical_across_runs_hash_seeds_and_jobs(tmp_path):
    outputs = []
    for hash_seed, jobs in (("0", "1"), ("1", "2"), ("2", "1")):
        out = tmp_path / f"out{hash_seed}"
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        subprocess.run(
            [
                sys.executable,
                "-m",
                "symgrad",
                "homework",
                str(BANK),
                "--versions",
                "4",
                "--seed",
                "11",
                "--out",
                str(out),
                "--quiet",
                "--jobs",
                jobs,
            ],
            check=True,
            env=env,
            cwd=tmp_path,
        )
        outputs.append(tree(out))
    assert outputs[0] == outputs[1] == outputs[2]
    text = b"".join(outputs[0].values())
    assert not re.search(rb"20\d\d-\d\d-\d\d", text)  # no dates or timestamps


@pytest.mark.slow
def test_roster_students_get_different_numbers_and_names_are_escaped(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text(
        'id,name\nalice,"Alice & Bob <b>"\nbob,R\u00e9ka 50% $x_1$ \\ {}\n'
        "chen,\u9648\u5c0f\u660e\n",
        encoding="utf-8",
    )
    out = tmp_path / "hw"
    result = run(
        "homework",
        write_spec(tmp_path / "s.toml", SMALL),
        "--roster",
        roster,
        "--seed",
        3,
        "--out",
        out,
        "--quiet",
    )
    assert result.exit_code == 0, result.output
    answers = [
        json.loads((out / s / "answers.json").read_text(encoding="utf-8"))
        for s in ("alice", "bob", "chen")
    ]
    questions = [json.dumps([e["question"] for e in a["exercises"]]) for a in answers]
    assert len(set(questions)) == 3
    tex = (out / "bob" / "questions.tex").read_text(encoding="utf-8")
    # one TeX escaper (render.printing.latex_text): < > \ in math, as pdflatex's OT1 fonts need
    assert r"50\% \$x\_1\$ \ensuremath{\backslash} \{\}" in tex
    assert "Alice \\& Bob \\ensuremath{<}b\\ensuremath{>}" in (out / "alice" / "key.tex").read_text(
        encoding="utf-8"
    )
    assert "Alice &amp; Bob &lt;b&gt;" in (out / "alice" / "questions.md").read_text("utf-8")
    ET.parse(out / "moodle.xml")
    assert "<b>" not in (out / "moodle.xml").read_text(encoding="utf-8")


def test_adding_and_reordering_exercises_keeps_the_others(tmp_path):
    extra = SMALL.replace(
        'title = "T"\n', 'title = "T"\n[[exercise]]\nid = "new"\nkind = "jacobian"\npoints = 1\n'
    )
    swapped = 'title = "T"\n' + SMALL.split("\n", 1)[1].split("[[exercise]]")[2]
    swapped = (
        'title = "T"\n[[exercise]]'
        + SMALL.split("[[exercise]]")[2]
        + "[[exercise]]"
        + SMALL.split("[[exercise]]")[1]
    )
    found = []
    for n, body in enumerate((SMALL, extra, swapped)):
        out = tmp_path / f"o{n}"
        assert (
            run(
                "homework",
                write_spec(tmp_path / f"s{n}.toml", body),
                "--versions",
                2,
                "--seed",
                9,
                "--out",
                out,
                "--formats",
                "json",
                "--quiet",
            ).exit_code
            == 0
        )
        index = json.loads((out / "index.json").read_text(encoding="utf-8"))
        found.append(
            {
                (v["version"], e["id"]): e["question"]
                for v in index["versions"]
                for e in v["exercises"]
                if e["id"] != "new"
            }
        )
    assert found[0] == found[1] == found[2]


def test_moodle_xml_parses_and_numbers_match_moodle_pattern(tmp_path):
    out = tmp_path / "hw"
    assert (
        run(
            "homework",
            BANK,
            "--versions",
            3,
            "--seed",
            2,
            "--out",
            out,
            "--formats",
            "moodle",
            "--quiet",
        ).exit_code
        == 0
    )
    root = ET.parse(out / "moodle.xml").getroot()
    categories = [q for q in root if q.get("type") == "category"]
    assert len(categories) == 7  # one per exercise
    cloze = [q for q in root if q.get("type") == "cloze"]
    numerical = [q for q in root if q.get("type") == "numerical"]
    assert len(cloze) == 6 * 3 and len(numerical) == 3
    checked = 0
    for q in cloze:
        assert q.find("generalfeedback/text").text.strip()
        for body in CLOZE.findall(q.find("questiontext/text").text):
            for option in body.split("~"):
                value, tol = re.match(r"(?:=|%\d+%)([^:#]+):([^#]+)#", option).groups()
                assert MOODLE_NUMBER.match(value) and MOODLE_NUMBER.match(tol), option
                checked += 1
    for q in numerical:
        for answer in q.findall("answer"):
            assert MOODLE_NUMBER.match(answer.find("text").text)
            assert MOODLE_NUMBER.match(answer.find("tolerance").text)
            checked += 1
    assert checked > 100
    assert "%50%" in (out / "moodle.xml").read_text(encoding="utf-8")  # partial credit


@pytest.mark.slow
@pytest.mark.parametrize("lang,engine", [("en", "pdflatex"), ("zh", "xelatex")])
def test_bank_latex_compiles(tmp_path, lang, engine):
    require_tool(engine)
    from symgrad.render.tex import compile_pdf

    out = tmp_path / "hw"
    assert (
        run(
            "homework",
            BANK,
            "--versions",
            1,
            "--seed",
            4,
            "--out",
            out,
            "--formats",
            "latex",
            "--lang",
            lang,
            "--quiet",
        ).exit_code
        == 0
    )
    for name in ("questions", "key"):
        pdf = compile_pdf((out / "v01" / f"{name}.tex").read_text(encoding="utf-8"), engine)
        assert pdf.startswith(b"%PDF")


@pytest.mark.slow
def test_special_characters_in_titles_compile_and_parse(tmp_path):
    require_tool("pdflatex")
    from symgrad.render.tex import compile_pdf

    body = SMALL.replace('title = "T"', 'title = "Q&A: 100% of $x_1$ {#1} ~ ^ \\\\ <tag> ]]>"')
    body = body.replace("points = 2\n", 'points = 2\ntitle = "a_b & <c> ]]> #"\n')
    out = tmp_path / "hw"
    result = run(
        "homework",
        write_spec(tmp_path / "s.toml", body),
        "--versions",
        1,
        "--seed",
        1,
        "--out",
        out,
        "--quiet",
    )
    assert result.exit_code == 0, result.output
    compile_pdf((out / "v01" / "key.tex").read_text(encoding="utf-8"))
    ET.parse(out / "moodle.xml")


@pytest.mark.slow
def test_english_pdf_with_a_chinese_name_and_title_uses_xelatex(tmp_path):
    require_tool("xelatex", "pdftotext")
    roster = tmp_path / "roster.csv"
    roster.write_text("id,name\nzw,\u5f20\u4f1f\nbob,Bob\n", encoding="utf-8")
    spec = write_spec(tmp_path / "s.toml", SMALL.replace('title = "T"', 'title = "Quiz \u4e2d"'))
    out = tmp_path / "hw"
    result = run(
        "homework",
        spec,
        "--roster",
        roster,
        "--seed",
        1,
        "--out",
        out,
        "--formats",
        "latex",
        "--lang",
        "en",
        "--pdf",
        "--quiet",
    )
    assert result.exit_code == 0, result.output
    tex = (out / "zw" / "questions.tex").read_text(encoding="utf-8")
    assert r"\usepackage[scheme=plain]{ctex}" in tex and "Questions" in tex  # English headings
    for name in ("questions", "key"):
        text = subprocess.run(
            ["pdftotext", str(out / "zw" / f"{name}.pdf"), "-"],
            capture_output=True,
            check=True,
            text=True,
        ).stdout
        assert "\u5f20\u4f1f" in text and "\u4e2d" in text and "Student" in text
    assert "ctex" in (out / "bob" / "questions.tex").read_text(encoding="utf-8")  # title
    assert (out / "bob" / "questions.pdf").read_bytes().startswith(b"%PDF")


def test_version_folders_that_a_file_system_would_merge_are_refused(tmp_path):
    from symgrad.errors import SymgradError
    from symgrad.exercises.homework import Version, build, load_spec

    spec = load_spec(write_spec(tmp_path / "s.toml", SMALL))
    for folders, message in (
        (["A1", "a1"], "'A1' and 'a1'"),
        (["ok", "ok."], "end with '.'"),
        (["moodle.xml"], "output file"),
        (["com1"], "reserved"),
        (["qti12.zip"], "output file"),
        (["QTI21.ZIP"], "output file"),
        (["answers-template.csv"], "output file"),
    ):
        versions = [Version(f"student:{f}", f, f) for f in folders]
        with pytest.raises(SymgradError, match=re.escape(message)):
            build(spec, 1, versions, formats=("json",))
