"""homework --formats qti12,qti21: the packages parse, list every item, and carry the same
values, tolerances and marks as answers.json; nothing in them lets a student rebuild the key.

No IMS XSD for QTI 1.2 or 2.1 installs from PyPI (the QTI packages there ship none), so the
packages are checked against the structure Canvas and QTI 2.1 readers rely on, not an XSD.
"""

from __future__ import annotations

import json
import zipfile

import pytest
from click.testing import CliRunner

from symgrad.cli import cli

etree = pytest.importorskip("lxml.etree")

SPEC = "bank/lecture3-2.toml"
Q12 = "{http://www.imsglobal.org/xsd/ims_qtiasiv1p2}"
Q21 = "{http://www.imsglobal.org/xsd/imsqti_v2p1}"
CP = "{http://www.imsglobal.org/xsd/imscp_v1p1}"


def build(out, *extra):
    result = CliRunner().invoke(
        cli,
        [
            "homework",
            SPEC,
            "--versions",
            "3",
            "--seed",
            "987654321987",
            "--out",
            str(out),
            "--formats",
            "json,qti12,qti21",
            *extra,
        ],
    )
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def qti_set(tmp_path_factory):
    return build(tmp_path_factory.mktemp("qti") / "set")


def entries(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name) for name in z.namelist()}


def keys(set_dir) -> list[list[dict]]:
    index = json.loads((set_dir / "index.json").read_text())
    return [
        json.loads((set_dir / v["folder"] / "answers.json").read_text())["exercises"]
        for v in index["versions"]
    ]


def test_qti21_items_match_answers_json(qti_set):
    files = entries(qti_set / "qti21.zip")
    manifest = etree.fromstring(files["imsmanifest.xml"])
    listed = {f.get("href") for f in manifest.iter(f"{CP}file")}
    assert listed == set(files) - {"imsmanifest.xml"}  # every item and test, nothing else
    for v, exercises in enumerate(keys(qti_set), 1):
        for e, ex in enumerate(exercises, 1):
            item = etree.fromstring(files[f"items/V{v:04d}E{e:02d}.xml"])
            declared = item.findall(f"{Q21}responseDeclaration")
            assert [d.get("baseType") for d in declared] == ["float"] * len(ex["answers"])
            assert len(item.findall(f".//{Q21}textEntryInteraction")) == len(ex["answers"])
            conditions = item.findall(f"{Q21}responseProcessing/{Q21}responseCondition")
            score = 0.0
            for a, d, c in zip(ex["answers"], declared, conditions):
                assert float(d.find(f".//{Q21}value").text) == float(a["display"])
                equal = c.find(f"{Q21}responseIf/{Q21}equal")
                assert equal.get("toleranceMode") == "absolute"
                assert [float(t) for t in equal.get("tolerance").split()] == [
                    float(a["tolerance_display"])
                ] * 2
                marks = float(c.find(f"{Q21}responseIf//{Q21}baseValue").text)
                assert marks == pytest.approx(a["marks"])
                score += marks
                alts = c.findall(f"{Q21}responseElseIf")
                assert len(alts) == len(a["alternatives"])
                for alt, el in zip(a["alternatives"], alts):
                    values = [float(b.text) for b in el.iter(f"{Q21}baseValue")]
                    assert values == pytest.approx(
                        [float(alt["display"]), a["marks"] * alt["fraction"] / 100]
                    )
            assert score == pytest.approx(ex["points"])
            maxscore = item.find(f"{Q21}outcomeDeclaration[@identifier='MAXSCORE']//{Q21}value")
            assert float(maxscore.text) == pytest.approx(ex["points"])


def test_qti12_items_match_answers_json(qti_set):
    files = entries(qti_set / "qti12.zip")
    manifest = etree.fromstring(files["imsmanifest.xml"])
    resources = manifest.findall(f".//{CP}resource")
    assert {r.get("href") for r in resources} == set(files) - {"imsmanifest.xml"}
    assert {r.get("type") for r in resources} == {"imsqti_xmlv1p2"}
    for v, exercises in enumerate(keys(qti_set), 1):
        root = etree.fromstring(files[f"V{v:04d}/V{v:04d}.xml"])
        numerical = [
            i
            for i in root.iter(f"{Q12}item")
            if i.find(f".//{Q12}fieldentry").text == "numerical_question"
        ]
        blanks = [a for ex in exercises for a in ex["answers"]]
        assert len(numerical) == len(blanks)
        for a, item in zip(blanks, numerical):
            fields = [f.text for f in item.iter(f"{Q12}fieldentry")]
            assert float(fields[1]) == pytest.approx(a["marks"])  # points_possible
            low = float(item.find(f".//{Q12}vargte").text)
            high = float(item.find(f".//{Q12}varlte").text)
            value, tol = float(a["display"]), float(a["tolerance_display"])
            assert float(item.find(f".//{Q12}varequal").text) == value
            assert (low, high) == pytest.approx((value - tol, value + tol))


def test_packages_hold_no_seed_and_no_command(qti_set):
    index = json.loads((qti_set / "index.json").read_text())
    seeds = {str(index["seed"])} | {str(e["seed"]) for v in keys(qti_set) for e in v}
    for name in ("qti12.zip", "qti21.zip"):
        for entry, data in entries(qti_set / name).items():
            text = data.decode("utf-8")
            assert "symgrad" not in text.lower() and "--seed" not in text, entry
            assert not any(seed in text for seed in seeds), entry


def test_packages_are_byte_identical_across_runs(qti_set, tmp_path):
    again = build(tmp_path / "again")
    for name in ("qti12.zip", "qti21.zip"):
        assert (again / name).read_bytes() == (qti_set / name).read_bytes()
        with zipfile.ZipFile(again / name) as z:
            assert z.namelist() == sorted(z.namelist())
            assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
            assert all(not i.filename.startswith(("/", "..")) for i in z.infolist())


def test_hostile_title_and_student_names_stay_data(tmp_path):
    spec = tmp_path / "spec.toml"
    spec.write_text(
        'title = "A ]]> <b>&amp; \\" title"\ninstructions = "<script>x</script>"\n'
        '[[exercise]]\nid = "e1"\nkind = "gd_step"\npoints = 2\n'
    )
    roster = tmp_path / "roster.csv"
    roster.write_text('id,name\nann,"Ann ]]><i>x</i> & co"\n')
    result = CliRunner().invoke(
        cli,
        [
            "homework",
            str(spec),
            "--roster",
            str(roster),
            "--seed",
            "1",
            "--out",
            str(tmp_path / "s"),
            "--formats",
            "qti12,qti21",
        ],
    )
    assert result.exit_code == 0, result.output
    for name in ("qti12.zip", "qti21.zip"):
        for entry, data in entries(tmp_path / "s" / name).items():
            root = etree.fromstring(data)
            assert not list(root.iter("{*}script", "{*}b", "{*}i", "script", "b", "i")), entry


def test_packages_from_shared_contexts_are_the_packages_made_alone():
    """qti_files makes the packaging contexts once for both packages: each package is then
    byte for byte what it is when made on its own (QTI 1.2's added keys change nothing)."""
    from symgrad.exercises import make_exercise
    from symgrad.render.views.exercise import exercise_context
    from symgrad.render.views.qti import _versions, qti12_package, qti21_package

    items = [
        exercise_context(make_exercise(kind, seed, "medium"), "html", "en", n, None, "2", kind)
        for n, (kind, seed) in enumerate([("graph", 3), ("mlp", 4), ("jacobian", 5)], 1)
    ]
    versions = [
        {"label": "A", "student": None, "items": items},
        {"label": "B", "student": "Zoë <b>", "items": items},
    ]
    alone = [make("T & co", versions, "en", "Show work") for make in (qti12_package, qti21_package)]
    built = _versions(versions, "en", "Show work")
    shared = [
        make("T & co", versions, "en", "Show work", built)
        for make in (qti12_package, qti21_package)
    ]
    assert shared == alone
    assert shared[0] != shared[1]
