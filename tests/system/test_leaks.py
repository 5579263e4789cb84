"""Nothing a student receives lets them rebuild the key (issue 11, point 1).

Question sheets (LaTeX, Markdown) and Moodle question text carry no master seed, no exercise
seed, no command and not the name of the tool; the teacher's files (keys, answers.json,
index.json) carry the recipe that rebuilds the set.
"""

import json
import re
import xml.etree.ElementTree as ET

import pytest
from conftest import ROOT

from symgrad.exercises.homework import build, random_seed, recipe
from symgrad.exercises.spec import load_spec
from symgrad.exercises.versions import versions_from_count

pytestmark = pytest.mark.slow  # builds homework sets in both languages

BANK = ROOT / "bank" / "lecture3-2.toml"
SEED = 918273645501


@pytest.fixture(scope="module", params=["en", "zh"])
def built(request):
    lang = request.param
    spec = load_spec(BANK)
    how = recipe(BANK.name, SEED, 30, None, lang)
    files = build(
        spec,
        SEED,
        versions_from_count(30),
        ("latex", "markdown", "json", "moodle"),
        lang=lang,
        recipe=how,
    )
    return lang, how, files


def secrets_of(files) -> set[str]:
    index = json.loads(files["index.json"])
    found = {str(index["seed"])}
    for version in index["versions"]:
        found.update(str(ex["seed"]) for ex in version["exercises"])
    return found


def leaks(text: str, secrets: set[str]) -> list[str]:
    numbers = set(re.findall(r"\d+", text))
    return sorted(s for s in secrets if s in numbers) + (
        ["symgrad"] if "symgrad" in text.lower() else []
    )


def moodle_student_text(xml: str) -> list[str]:
    """What a student can see of each question: its name, text and general feedback."""
    root = ET.fromstring(xml)
    out = []
    for q in root.iter("question"):
        if q.get("type") == "category":
            continue
        out.append(
            " ".join(
                el.findtext("text") or ""
                for tag in ("name", "questiontext", "generalfeedback")
                for el in q.iter(tag)
            )
        )
    return out


def test_secrets_are_many_and_recorded(built):
    _, _, files = built
    secrets = secrets_of(files)
    assert str(SEED) in secrets and len(secrets) > 100  # 30 versions x 7 exercises + master


def test_no_sheet_or_moodle_question_reveals_a_seed_or_the_tool(built):
    lang, _, files = built
    secrets = secrets_of(files)
    sheets = {
        name: text
        for name, text in files.items()
        if name.endswith(("questions.tex", "questions.md"))
    }
    assert len(sheets) == 60
    for name, text in sheets.items():
        assert leaks(text, secrets) == [], (lang, name)
    questions = moodle_student_text(files["moodle.xml"])
    assert len(questions) == 30 * 7
    for text in questions:
        assert leaks(text, secrets) == [], lang


def test_the_teachers_files_hold_the_recipe(built):
    lang, how, files = built
    assert f"--seed {SEED}" in how and "--versions 30" in how
    index = json.loads(files["index.json"])
    assert index["seed"] == SEED and index["regenerate"] == how
    for v in range(1, 31):
        for name in (f"v{v:02d}/key.tex", f"v{v:02d}/key.md"):
            assert f"--seed {SEED}" in files[name], name
        answers = json.loads(files[f"v{v:02d}/answers.json"])
        assert answers["regenerate"] == how and answers["seed"] == SEED


def test_the_recipe_rebuilds_the_keys_byte_for_byte(built, tmp_path):
    """The recipe is a working command, not a description."""
    import shlex

    from click.testing import CliRunner

    from symgrad.cli import cli

    lang, how, files = built
    args = shlex.split(how)[1:]
    args[args.index(BANK.name)] = str(BANK)
    args[args.index("DIR")] = str(tmp_path / "again")
    result = CliRunner().invoke(cli, [*args, "--quiet", "--formats", "latex,markdown,json,moodle"])
    assert result.exit_code == 0, result.output
    for v in (1, 17, 30):
        name = f"v{v:02d}/key.tex"
        rebuilt = (tmp_path / "again" / name).read_text(encoding="utf-8")
        assert rebuilt.replace(str(BANK), BANK.name) == files[name]


def test_without_a_seed_a_secret_one_is_drawn():
    seeds = {random_seed() for _ in range(5)}
    assert len(seeds) == 5 and all(0 <= s < 2**63 for s in seeds)


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_no_pdf_a_student_receives_reveals_a_seed_or_the_tool(tmp_path, lang):
    """The text of the PDFs (pdftotext), for each version and for the whole class."""
    import subprocess

    from conftest import require_tool

    require_tool("pdflatex", "xelatex", "pdftotext")
    spec = load_spec(BANK)
    files = build(
        spec,
        SEED,
        versions_from_count(2),
        ("latex", "json"),
        lang=lang,
        pdf=True,
        recipe=recipe(BANK.name, SEED, 2, None, lang),
    )
    secrets = secrets_of(files)
    student = sorted(n for n in files if n.endswith(("questions.pdf", "all-questions.pdf")))
    assert student == ["all-questions.pdf", "v01/questions.pdf", "v02/questions.pdf"]
    for name in [*student, "all-keys.pdf"]:
        path = tmp_path / name.replace("/", "-")
        path.write_bytes(files[name])
        text = subprocess.run(
            ["pdftotext", str(path), "-"], check=True, capture_output=True, text=True
        ).stdout
        found = leaks(text.replace("\n", " "), secrets)
        if name == "all-keys.pdf":  # the teacher's copy carries the recipe: the check sees it
            assert str(SEED) in found
        else:
            assert found == [], (lang, name)
