"""A class's PDFs from two compiles: each version's sheet and key are cut from the
all-versions documents, hold exactly that version's pages and numbers, and the sheet no
answer; the fill-in circuit placed once per graph shape still shows each version's numbers.

Nothing here is timed (BENCHMARKS.md is, from benchmarks/run.py)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from symgrad.errors import SymgradError
from symgrad.exercises import make_exercise
from symgrad.exercises.homework import build, load_spec, versions_from_count
from symgrad.render.environment import template_file
from symgrad.render.views import blank_circuit as circuit

BANK = Path(__file__).resolve().parents[2] / "bank" / "lecture3-2.toml"
VERSIONS = 3


@pytest.fixture(scope="module")
def class_set():
    from conftest import require_tool

    require_tool("pdflatex", "pdftotext")
    return build(
        load_spec(BANK), 5, versions_from_count(VERSIONS), ("latex", "json"), pdf=True, jobs=2
    )  # two parts per document: the parts are joined and the ranges carried over


def pages_text(pdf: bytes) -> list[str]:
    from support.pdf import pdf_text

    return pdf_text(pdf).split("\f")[:-1]


def test_each_version_pdf_is_its_own_page_range_of_the_class_documents(class_set):
    index = json.loads(class_set["index.json"])
    for document, single in (("all-questions.pdf", "questions"), ("all-keys.pdf", "key")):
        whole = pages_text(class_set[document])
        ranges = list(index["pdf_pages"][document].values())
        assert ranges[0][0] == 1 and ranges[-1][1] == len(whole)  # every page, in order
        assert all(b[0] == a[1] + 1 for a, b in zip(ranges, ranges[1:]))
        for folder, (first, last) in index["pdf_pages"][document].items():
            own = pages_text(class_set[f"{folder}/{single}.pdf"])
            assert own == whole[first - 1 : last], (document, folder)
            for page in own:  # every page's footer names this version and no other
                named = set(re.findall(r"version (v\d\d)", page, re.IGNORECASE))
                assert named == {folder}, (document, folder, named)


def test_each_key_holds_its_own_answers_and_each_sheet_none(class_set):
    folders = [f"v{i:02d}" for i in range(1, VERSIONS + 1)]
    answers = {
        f: {
            a["display"]
            for ex in json.loads(class_set[f"{f}/answers.json"])["exercises"]
            for a in ex["answers"]
            if len(a["display"].lstrip("-")) >= 5  # long enough not to appear by chance
        }
        for f in folders
    }
    for folder in folders:
        key = " ".join(pages_text(class_set[f"{folder}/key.pdf"]))
        sheet = " ".join(pages_text(class_set[f"{folder}/questions.pdf"]))
        own = answers[folder]
        assert own and all(value in key for value in own), folder
        assert not [v for v in own if v in sheet], folder  # the sheet holds no answer
        assert "Answer key" not in sheet and "Answer key" in key


def test_the_sheets_need_no_second_latex_run():
    """One engine run is enough only while the template prints no cross-reference."""
    source = template_file("homework.tex.j2").read_text(encoding="utf-8")
    for command in ("ref", "pageref", "numpoints", "numquestions", "totalpoints", "pointsof"):
        assert not re.search(rf"\\{command}\b", source), command
    for command in ("gradetable", "pointtable", "combinedgradetable", "tableofcontents"):
        assert f"\\{command}" not in source, command


def test_a_page_range_outside_the_pdf_is_refused(class_set):
    from symgrad.render.tex import cut_pages

    pdf = class_set["v01/key.pdf"]
    with pytest.raises(SymgradError, match="not in a PDF"):
        cut_pages(pdf, [(1, 999)])
    assert len(cut_pages(pdf, [(1, 1), (2, 2)])) == 2


def test_one_placement_per_graph_shape_and_each_version_keeps_its_numbers():
    """Two versions of one structure share the placement, never the numbers."""
    circuit.GEOMETRIES.clear()
    a = make_exercise("graph", 11, "medium", structure_seed=99)
    b = make_exercise("graph", 12, "medium", structure_seed=99)
    assert circuit._shape(a.derivation.graph) == circuit._shape(b.derivation.graph)
    pictures = [circuit.blank_circuit(e, filled) for e in (a, b) for filled in (False, True)]
    assert len(circuit.GEOMETRIES) == 1
    assert {p["lines"] is pictures[0]["lines"] for p in pictures} == {True}
    for exercise, key in ((a, pictures[1]), (b, pictures[3])):
        shown = {s["text"] for s in key["slots"]}
        expected = {a_.display for a_ in exercise.answers}
        assert expected <= shown, expected - shown
    assert [s["text"] for s in pictures[1]["slots"]] != [s["text"] for s in pictures[3]["slots"]]
    # the question sheet shows only the leaves' given values and the seed 1, per version
    for exercise, sheet in ((a, pictures[0]), (b, pictures[2])):
        graph = exercise.derivation.graph
        given = {circuit.num(v) for v in exercise.data["point"].values()}
        given |= {circuit.num(float(n.const)) for n in graph.nodes if n.op == "const"}
        texts = {s["text"] for s in sheet["slots"]} - {"", "1"}
        assert texts and texts <= given, (texts, given)
