"""symgrad grade: a synthetic class of 30 students marked against a real homework set, and
error carried forward (grading/relations.py) against the kinds' own answers and hand formulas.
"""

from __future__ import annotations

import csv
import io
import json
import random

import pytest
from click.testing import CliRunner

from symgrad.cli import cli
from symgrad.grading.grade import grade_class, load_set, mark_exercise
from symgrad.grading.responses import read_responses

pytestmark = pytest.mark.slow  # builds a 30-student homework set and marks a class

SPEC = "bank/lecture3-2.toml"
STUDENTS = [f"s{n:02d}" for n in range(1, 31)]
HEADER = ["student", "version", "exercise", "blank", "answer"]


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.fixture(scope="module")
def homework_set(tmp_path_factory):
    """A real set: the lecture's spec, one version per student of a 30-student roster."""
    root = tmp_path_factory.mktemp("class")
    roster = root / "roster.csv"
    roster.write_text("id,name\n" + "".join(f"{s},Student {s}\n" for s in STUDENTS))
    result = run(
        "homework",
        SPEC,
        "--roster",
        roster,
        "--seed",
        11,
        "--out",
        root / "set",
        "--formats",
        "json",
    )
    assert result.exit_code == 0, result.output
    return root / "set"


def key(set_dir, student) -> list[dict]:
    return json.loads((set_dir / student / "answers.json").read_text())["exercises"]


def write_rows(path, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([HEADER] + rows)
    return path


def far_wrong(value: float, n: int) -> str:
    """A number no tolerance or mistake comes near, and far from the other blanks' (a
    carried value computed from them)."""
    return f"{(n + 2) * 1013.7 + 37.3 * abs(value):.4f}"


def grades(out) -> dict[str, dict]:
    with open(out / "grades.csv", encoding="utf-8") as f:
        return {row["student"]: row for row in csv.DictReader(f)}


# --------------------------------------------------------------------------- the class


@pytest.fixture(scope="module")
def marked(homework_set, tmp_path_factory):
    """Answers typed from answers.json for 30 students, marked by the CLI."""
    rng = random.Random(4)
    rows, expected = [], {}
    for s in STUDENTS:
        total = 0.0
        for ex in key(homework_set, s):
            for n, a in enumerate(ex["answers"]):
                answer = a["display"]
                if s == "s02":  # all wrong
                    answer = far_wrong(a["value"], n)
                elif s >= "s10":  # noise: right, far wrong or empty
                    answer = rng.choice([a["display"], far_wrong(a["value"], n), ""])
                elif s == "s04" and ex["id"] == "circuit" and n == 1:
                    answer = ""  # one empty blank
                elif s == "s05" and ex["id"] == "output" and n == 0:
                    answer = "1.2.3"  # a malformed number
                elif s == "s06" and ex["id"] == "activation" and n == 0:
                    answer = "=cmd|' /C calc'!A0"  # formula injection
                if answer == a["display"] and s not in ("s04", "s05", "s06"):
                    total += a["marks"]
                rows.append([s, s, ex["id"], a["name"], answer])
        expected[s] = total
    responses = write_rows(tmp_path_factory.mktemp("responses") / "answers.csv", rows)
    out = tmp_path_factory.mktemp("grades") / "out"
    result = run("grade", homework_set, responses, "--out", out)
    return result, out, expected, rows


def test_all_right_scores_full_points_and_all_wrong_scores_0(marked, homework_set):
    result, out, _, _ = marked
    g = grades(out)
    points = sum(
        e["points"] for e in json.loads((homework_set / "index.json").read_text())["exercises"]
    )
    assert float(g["s01"]["total"]) == pytest.approx(points)
    assert float(g["s02"]["total"]) == 0
    page = (out / "feedback" / "s02.md").read_text()
    assert "✓" not in page and page.count("✗ wrong") > 20


def test_noise_students_score_exactly_their_right_blanks(marked):
    _, out, expected, _ = marked
    g = grades(out)
    for s in STUDENTS[9:]:
        assert float(g[s]["total"]) == pytest.approx(expected[s], abs=0.011 * 7), s


def test_an_empty_blank_loses_only_its_marks(marked, homework_set):
    _, out, _, _ = marked
    circuit = next(e for e in key(homework_set, "s04") if e["id"] == "circuit")
    assert float(grades(out)["s04"]["circuit"]) == pytest.approx(
        circuit["points"] - circuit["answers"][1]["marks"]
    )
    assert "| ✗ empty |" in (out / "feedback" / "s04.md").read_text()


def test_a_malformed_number_is_named_with_its_line_and_others_are_graded(marked, homework_set):
    result, out, _, rows = marked
    assert result.exit_code == 1  # graded, but some rows had problems
    line = 2 + next(i for i, r in enumerate(rows) if r[4] == "1.2.3")
    assert f"line {line}: s05, output, " in result.output and "not a number" in result.output
    problems = (out / "problems.csv").read_text()
    assert f"{line}," in problems
    output = next(e for e in key(homework_set, "s05") if e["id"] == "output")
    g = grades(out)
    assert float(g["s05"]["output"]) == pytest.approx(
        output["points"] - output["answers"][0]["marks"]
    )
    assert float(g["s01"]["total"]) > 0 and len(g) == 30


def test_formula_injection_is_never_evaluated_and_is_escaped(marked):
    result, out, _, _ = marked
    page = (out / "feedback" / "s06.md").read_text()
    assert "not a number" in page and "=cmd\\|" in page  # the table pipe is escaped
    for text in ((out / "grades.csv").read_text(), (out / "problems.csv").read_text()):
        for row in csv.reader(io.StringIO(text)):
            assert not any(cell.startswith(("=", "+", "-", "@")) for cell in row), row


def test_one_early_slip_loses_only_that_blank(homework_set, tmp_path):
    """gd_step: a wrong ∂J/∂w₁ (not one of Moodle's mistakes) and the new weights computed by
    hand from it: only ∂J/∂w₁'s marks are lost; the rest is 'carried'."""
    sgd = next(e for e in key(homework_set, "s03") if e["id"] == "sgd")
    q = sgd["question"]
    v, eta, lam = q["values"], q["eta"], q["lambda"]
    slip = sgd["answers"][0]["value"] + 0.75
    dz = (slip - lam * v["w1"]) / v["x1"]  # the student's own ∂L/∂z
    mine = {"dJ_dw1": slip, "w1_new": v["w1"] - eta * slip, "b_new": v["b"] - eta * dz}
    for k in (2, 3):
        if f"w{k}" in v:
            mine[f"w{k}_new"] = v[f"w{k}"] - eta * (dz * v[f"x{k}"] + lam * v[f"w{k}"])
    rows = [["s03", "", "sgd", name, f"{value:.5g}"] for name, value in mine.items()]
    out = tmp_path / "g"
    result = run("grade", homework_set, write_rows(tmp_path / "r.csv", rows), "--out", out)
    assert result.exit_code == 0, result.output
    assert float(grades(out)["s03"]["sgd"]) == pytest.approx(
        sgd["points"] - sgd["answers"][0]["marks"]
    )
    page = (out / "feedback" / "s03.md").read_text()
    assert page.count("correct given your earlier answers (") == len(mine) - 1


def test_a_planted_slip_without_its_consequences_is_wrong_downstream(homework_set):
    """The same slip, but the later blanks copied from the key: they are 'correct'; and later
    blanks that follow neither the key nor the slip are 'wrong' (the relation can fail)."""
    hw = load_set(homework_set)
    sgd = next(e for e in hw.versions["s03"] if e.id == "sgd")
    answers = {b.name: b.display for b in sgd.blanks}
    answers["dJ_dw1"] = str(sgd.blanks[0].value + 0.75)
    verdicts = [m.verdict for m in mark_exercise(sgd, answers, set())]
    assert verdicts == ["wrong"] + ["correct"] * (len(sgd.blanks) - 1)
    answers = {b.name: str(b.value + 0.5) for b in sgd.blanks}
    assert all(m.verdict == "wrong" for m in mark_exercise(sgd, answers, set()))


def test_moodles_partial_credit_mistakes_score_their_fraction(homework_set):
    hw = load_set(homework_set)
    for ex in hw.versions["s07"]:
        for b in ex.blanks:
            for alt in b.alternatives:
                [m] = [
                    m for m in mark_exercise(ex, {b.name: str(alt["value"])}, set()) if m.blank is b
                ]
                if m.verdict == "carried":
                    continue  # carried outranks a mistake: full marks
                assert (m.verdict, m.diagnosis, m.credit) == (
                    "wrong",
                    alt["mistake"],
                    alt["fraction"],
                )
                assert m.score == pytest.approx(b.marks * alt["fraction"] / 100)


def test_a_classified_mistake_gets_a_diagnosis_and_no_credit(homework_set):
    hw = load_set(homework_set)
    ex = next(e for e in hw.versions["s08"] if e.id == "circuit")
    b = ex.blanks[0]  # f: no alternatives
    [m, *_] = mark_exercise(ex, {b.name: str(-b.value)}, set())
    assert (m.verdict, m.diagnosis, m.credit, m.score) == ("wrong", "sign_flip", 0, 0)


def test_roster_students_without_rows_score_0_and_unknown_ones_are_problems(homework_set):
    hw = load_set(homework_set)
    rows, problems = read_responses_text(
        "student,exercise,blank,answer\ns01,mlp,J,1\nnobody,mlp,J,1\ns01,nope,J,1\ns01,mlp,zz,1\n"
    )
    results = grade_class(hw, rows, problems)
    assert len(results) == 30 and all(r.total == 0 for r in results)
    assert [p.line for p in problems] == [3, 4, 5]
    assert "unknown student" in problems[0].message


def read_responses_text(text):
    import tempfile
    from pathlib import Path

    path = Path(tempfile.mkdtemp()) / "r.csv"
    path.write_text(text, encoding="utf-8")
    return read_responses(path)


def test_grades_are_never_replaced_without_force_and_never_replace_the_set(homework_set, tmp_path):
    responses = write_rows(tmp_path / "r.csv", [["s01", "", "mlp", "J", "1"]])
    assert run("grade", homework_set, responses).exit_code == 0  # default SET_DIR/grades
    again = run("grade", homework_set, responses)
    assert again.exit_code == 2 and "--force" in again.output
    assert run("grade", homework_set, responses, "--force").exit_code == 0
    for bad in (homework_set, homework_set / "s01", homework_set.parent):
        result = run("grade", homework_set, responses, "--out", bad, "--force")
        assert result.exit_code == 2, bad
    assert (homework_set / "index.json").is_file() and (
        homework_set / "s01" / "answers.json"
    ).is_file()


def test_bad_header_is_unusable_input(homework_set, tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("student,exercise,blank,answr\ns01,mlp,J,1\n")
    result = run("grade", homework_set, path, "--out", tmp_path / "o")
    assert result.exit_code == 2 and "line 1" in result.output and "answr" in result.output
    assert not (tmp_path / "o").exists()


# --------------------------------------------------------------------------- relations


def test_a_numbered_set_takes_student_ids_from_the_rows(tmp_path):
    result = run(
        "homework",
        SPEC,
        "--versions",
        2,
        "--seed",
        3,
        "--out",
        tmp_path / "set",
        "--formats",
        "json",
    )
    assert result.exit_code == 0, result.output
    rows = [
        ["ann", "v01", "sgd", "dJ_dw1", "1"],
        ["bob", "v02", "sgd", "dJ_dw1", "1"],
        ["ann", "v02", "sgd", "w1_new", "1"],
        ["", "v02", "mlp", "J", "1"],
        ["=x", "v01", "mlp", "J", "1"],
        ["cat", "", "mlp", "J", "1"],
    ]
    out = tmp_path / "g"
    result = run("grade", tmp_path / "set", write_rows(tmp_path / "r.csv", rows), "--out", out)
    assert result.exit_code == 1
    assert set(grades(out)) == {"ann", "bob", "v02"}
    assert grades(out)["bob"]["version"] == "v02"
    assert "line 4: student 'ann' is already marked on version v01" in result.output
    assert "line 6: student id '=x'" in result.output and "line 7: no version" in result.output


def test_a_huge_responses_file_is_refused_and_nothing_is_written(homework_set, tmp_path):
    path = tmp_path / "huge.csv"
    with open(path, "wb") as f:
        f.write(b"student,exercise,blank,answer\n")
        f.truncate(30_000_000)
    result = run("grade", homework_set, path, "--out", tmp_path / "o")
    assert result.exit_code == 2 and "larger than" in result.output
    assert not (tmp_path / "o").exists()


def test_a_long_answer_may_break_in_the_pdf_column_and_macros_stay_whole():
    from symgrad.grading.feedback import _breakable

    assert _breakable("0.2663110031972181", "latex").count(r"\allowbreak{}") == 17
    assert _breakable("0.2663110031972181", "markdown") == "0.2663110031972181"
    assert _breakable(r"\textbackslash{}input1234567", "latex").startswith(r"\textbackslash{}input")
