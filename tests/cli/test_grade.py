"""`symgrad grade` as a command: feedback pages (Markdown, PDF, Chinese) and exercise titles
(the class marked end to end: tests/grading/test_grade.py)."""

from __future__ import annotations

import csv
import json

import pytest
from click.testing import CliRunner

from symgrad.cli import cli


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.mark.slow
def test_feedback_pdf_and_chinese_page(tmp_path):
    from conftest import require_tool

    require_tool("pdflatex", "xelatex")
    spec = tmp_path / "spec.toml"
    spec.write_text('title = "T"\n[[exercise]]\nid = "sgd"\nkind = "gd_step"\npoints = 2\n')
    result = run(
        "homework",
        spec,
        "--versions",
        1,
        "--seed",
        2,
        "--out",
        tmp_path / "set",
        "--formats",
        "json",
        "--lang",
        "zh",
    )
    assert result.exit_code == 0, result.output
    rows = [["s09", "v01", "sgd", "dJ_dw1", "1"], ["s09", "v01", "sgd", "w1_new", "=1+1"]]
    out = tmp_path / "g"
    result = run(
        "grade",
        tmp_path / "set",
        write_rows(tmp_path / "r.csv", rows),
        "--out",
        out,
        "--pdf",
        "--lang",
        "zh",
    )
    assert result.exit_code == 1, result.output
    assert (out / "feedback" / "s09.pdf").read_bytes().startswith(b"%PDF")
    page = (out / "feedback" / "s09.md").read_text()
    assert "你的答案" in page and "未评分" in page and "Your answer" not in page


def test_feedback_names_each_exercise_by_its_title_when_the_spec_gives_none(tmp_path):
    spec = tmp_path / "plain.toml"
    spec.write_text(
        'title = "Set"\n[[exercise]]\nid = "q1"\nkind = "jacobian"\npoints = 2\n', encoding="utf-8"
    )
    assert (
        run(
            "homework",
            spec,
            "--versions",
            1,
            "--seed",
            3,
            "--out",
            tmp_path / "set",
            "--formats",
            "json",
        ).exit_code
        == 0
    )
    blanks = [a["name"] for a in key(tmp_path / "set", "v01")[0]["answers"]]
    responses = write_rows(tmp_path / "r.csv", [["v01", "v01", "q1", b, "1"] for b in blanks])
    result = run("grade", tmp_path / "set", responses, "--out", tmp_path / "g")
    assert result.exit_code == 0, result.output
    page = next((tmp_path / "g" / "feedback").glob("*.md")).read_text(encoding="utf-8")
    assert "Vector chain rule and Jacobian" in page


HEADER = ["student", "version", "exercise", "blank", "answer"]


def key(set_dir, student) -> list[dict]:
    return json.loads((set_dir / student / "answers.json").read_text())["exercises"]


def write_rows(path, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([HEADER] + rows)
    return path
