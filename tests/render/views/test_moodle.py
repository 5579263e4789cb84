"""Moodle XML marks and question text (issue 11: honest marks, the Moodle acceptance).

The parser below follows Moodle's documented embedded-answers (cloze) syntax, not our
writer: a blank is ``{weight:NUMERICAL:=answer:tolerance#feedback~%50%answer:tol#fb}``,
``weight`` a whole number (empty means 1), alternatives separated by an unescaped ``~``.
On import Moodle sets a cloze question's mark to the sum of its blanks' weights (it does
not read ``<defaultgrade>`` for cloze), and a numerical question's mark to
``<defaultgrade>``. symgrad writes weights in hundredths of a point, so every question's
mark is 100 × its points.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import pytest
from conftest import ROOT

from symgrad.exercises.homework import build, load_spec, versions_from_count
from symgrad.render.views.exercise import phrases

BANK = ROOT / "bank" / "lecture3-2.toml"
SEED = 2024

BLANK = re.compile(r"\{([0-9]*):(NUMERICAL|NM):(.*?)(?<!\\)\}", re.DOTALL)
OPTION = re.compile(
    r"^(=|%(-?\d+(?:\.\d+)?)%)?(-?[0-9.eE+-]+)(?::(-?[0-9.eE+-]+))?"
    r"(?:#(.*))?$",
    re.DOTALL,
)


def blanks(question_text: str) -> list[dict]:
    """Every NUMERICAL blank of a cloze text: its weight and its options."""
    out = []
    for weight, _, body in BLANK.findall(question_text):
        options = []
        for option in re.split(r"(?<!\\)~", body):
            m = OPTION.match(option)
            assert m, option
            fraction = 100.0 if m[1] == "=" else float(m[2] or 0)
            options.append(
                {
                    "fraction": fraction,
                    "answer": float(m[3]),
                    "tolerance": float(m[4] or 0),
                    "feedback": m[5] or "",
                }
            )
        out.append({"weight": int(weight) if weight else 1, "options": options})
    return out


def test_blank_parser_by_hand():
    text = (
        r"<li>a = {250:NUMERICAL:=-0.75:0.015#Right~%50%0.75:0.015#Check the sign.}</li>"
        r"<li>b = {:NUMERICAL:=2:0.04#a \} brace}</li>"
    )
    found = blanks(text)
    assert [b["weight"] for b in found] == [250, 1]
    assert found[0]["options"][1] == {
        "fraction": 50.0,
        "answer": 0.75,
        "tolerance": 0.015,
        "feedback": "Check the sign.",
    }


def questions(xml_text: str):
    """(exercise id, question element) for every question, from its category."""
    category = None
    for q in ET.fromstring(xml_text):
        if q.get("type") == "category":
            category = q.find("category/text").text.rsplit("/", 1)[-1]
        else:
            yield category, q


@pytest.fixture(scope="module", params=["en", "zh"])
def moodle_set(request):
    spec = load_spec(BANK)
    files = build(
        spec, seed=SEED, versions=versions_from_count(8), formats=("moodle",), lang=request.param
    )
    return request.param, spec, files


def test_question_marks_are_the_spec_points(moodle_set):
    lang, spec, files = moodle_set
    points = {e.id: e.points for e in spec.exercises}
    seen = {e.id: 0 for e in spec.exercises}
    for ident, q in questions(files["moodle.xml"]):
        want = round(points[ident] * 100)
        grade = int(q.find("defaultgrade").text)
        assert grade == want, (ident, grade)
        if q.get("type") == "cloze":
            found = blanks(q.find("questiontext/text").text)
            assert len(found) >= 2
            assert sum(b["weight"] for b in found) == want, (ident, [b["weight"] for b in found])
            for b in found:
                assert sum(o["fraction"] == 100 for o in b["options"]) == 1
                assert all(o["tolerance"] > 0 for o in b["options"])
        else:
            assert q.get("type") == "numerical"
            assert not BLANK.search(q.find("questiontext/text").text)
        seen[ident] += 1
    assert set(seen.values()) == {8}


def test_blank_weights_match_answers_json(tmp_path):
    """The same set's answers.json marks, in hundredths, are the Moodle weights."""
    spec = load_spec(BANK)
    files = build(spec, seed=7, versions=versions_from_count(2), formats=("moodle", "json"))
    marks = [
        [round(a["marks"] * 100) for a in ex["answers"]]
        for v in ("v01", "v02")
        for ex in json.loads(files[f"{v}/answers.json"])["exercises"]
    ]
    by_version = {}
    for _ident, q in questions(files["moodle.xml"]):
        by_version.setdefault(q.find("name/text").text.split()[-1], []).append(
            [b["weight"] for b in blanks(q.find("questiontext/text").text)]
            or [int(q.find("defaultgrade").text)]
        )
    ids = [e.id for e in spec.exercises]
    weights = [by_version[v][i] for v in ("v01", "v02") for i in range(len(ids))]
    assert weights == marks


def test_question_text_has_the_precision_rule_and_no_secret(moodle_set):
    lang, spec, files = moodle_set
    rule = phrases(lang)["precision"]
    index = json.loads(files["index.json"])
    index_seeds = {str(SEED)} | {
        str(ex["seed"]) for v in index["versions"] for ex in v["exercises"]
    }
    assert len(index_seeds) > 8 * len(spec.exercises)
    text = files["moodle.xml"]
    for ident, q in questions(text):
        shown = q.find("questiontext/text").text
        feedback = q.find("generalfeedback/text").text or ""
        assert rule.replace("%", "") in shown.replace("%", "")
        for part in (shown, feedback):
            assert "symgrad" not in part.lower()
            assert "--seed" not in part and "seed" not in part.lower()
            for seed in index_seeds:
                assert not re.search(rf"(?<!\d){seed}(?!\d)", part), (ident, seed)
    assert "symgrad" not in text.lower()  # not even in names or categories here


def test_question_text_carries_the_instructions_escaped():
    from symgrad.exercises import make_exercise
    from symgrad.exercises.base import assign_marks
    from symgrad.render.views.exercise import exercise_context
    from symgrad.render.views.moodle import moodle_question

    ex = make_exercise("jacobian", 3, "medium")
    assign_marks(ex, 4)
    ctx = exercise_context(ex, "html", "zh", points="4", exercise_id="vec")
    xml = moodle_question(ctx, "zh", "v01", instructions="写出过程 <b>x</b> & 单位")
    text = ET.fromstring(xml).find("questiontext/text").text
    assert "写出过程 &lt;b&gt;x&lt;/b&gt; &amp; 单位" in text
    assert phrases("zh")["precision"] in text
    assert text.index("写出过程") < text.index(phrases("zh")["precision"]) < text.index("<ol>")
    assert sum(b["weight"] for b in blanks(text)) == 400
