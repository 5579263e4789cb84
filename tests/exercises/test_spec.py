"""The spec's per-language texts, ``vary``, and the shipped Chinese spec (issue 11, point 3)."""

from pathlib import Path

import pytest
from conftest import ROOT

from symgrad.errors import SymgradError
from symgrad.exercises.homework import build, generate_version
from symgrad.exercises.spec import load_spec
from symgrad.exercises.versions import versions_from_count

BANK = ROOT / "bank"

TWO_LANGS = """
title.en = "Backprop quiz"
title.zh = "反向传播小测"
instructions = { en = "Show your work.", zh = "写出计算过程。" }

[[exercise]]
id = "act"
kind = "activation"
points = 2
title.en = "Derivatives"
title.zh = "导数"
"""


def spec_file(tmp_path, text: str) -> Path:
    path = tmp_path / "spec.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_titles_and_instructions_per_language(tmp_path):
    spec = load_spec(spec_file(tmp_path, TWO_LANGS))
    assert (spec.title_in("en"), spec.title_in("zh")) == ("Backprop quiz", "反向传播小测")
    assert spec.instructions_in("zh") == "写出计算过程。"
    assert spec.exercises[0].title_in("zh") == "导数"
    for lang, title, text in (
        ("en", "Derivatives", "Show your work."),
        ("zh", "导数", "写出计算过程。"),
    ):
        files = build(spec, 1, versions_from_count(1), ("markdown",), lang=lang)
        sheet = files["v01/questions.md"]
        assert title in sheet and text in sheet
        other = "导数" if lang == "en" else "Derivatives"
        assert other not in sheet


def test_one_text_serves_every_language(tmp_path):
    spec = load_spec(spec_file(tmp_path, TWO_LANGS.replace('title.zh = "导数"\n', "")))
    assert spec.exercises[0].title_in("zh") == "Derivatives"


@pytest.mark.parametrize(
    "change, message",
    [
        (('title.zh = "反向传播小测"', 'title.fr = "Quiz"'), r"title\.fr: unknown language"),
        (('title.zh = "导数"', 'title.zh = ""'), r"exercise\[1\]\.title\.zh: expected non-empty"),
        (("points = 2", 'points = 2\nvary = "everything"'), r"exercise\[1\]\.vary: expected"),
        (("points = 2", "points = 2\nvary = true"), r"exercise\[1\]\.vary: expected"),
        (
            ("points = 2", 'points = 2\ncolour = "red"'),
            r"exercise\[1\]\.colour: unknown key \(expected keys: .*vary.*kind activation",
        ),
    ],
)
def test_bad_texts_and_keys_are_clear_errors(tmp_path, change, message):
    path = spec_file(tmp_path, TWO_LANGS.replace(*change))
    with pytest.raises(SymgradError, match=message) as err:
        load_spec(path)
    assert str(err.value).startswith(str(path))


def test_the_chinese_spec_matches_the_english_one():
    en, zh = load_spec(BANK / "lecture3-2.toml"), load_spec(BANK / "lecture3-2.zh.toml")
    assert [(e.id, e.kind, e.difficulty, e.points, e.final_only) for e in en.exercises] == [
        (e.id, e.kind, e.difficulty, e.points, e.final_only) for e in zh.exercises
    ]
    ascii_only = [
        e.id for e in zh.exercises if e.title and all(ord(c) < 128 for c in e.title_in("zh"))
    ]
    assert ascii_only == [] and not zh.title_in("zh").isascii()


def test_vary_structure_draws_the_structure_per_version(tmp_path):
    """With vary = "structure" the versions of an activation exercise use several different
    activations; by default they all use one."""

    def activations(text):
        spec = load_spec(spec_file(tmp_path, text))
        return {generate_version(spec, 3, v)[0].data["function"] for v in versions_from_count(40)}

    varied = activations(TWO_LANGS.replace("points = 2", 'points = 2\nvary = "structure"'))
    fixed = activations(TWO_LANGS)
    assert len(varied) >= 3 and len(fixed) == 1


def test_a_network_file_named_in_a_spec_is_read_next_to_the_spec(tmp_path, monkeypatch):
    import json

    folder = tmp_path / "course"
    folder.mkdir()
    network = {
        "W1": [[0.5, -1.0], [1.5, 0.5], [-0.5, 1.0]],
        "b1": [0.5, -0.5, 0.5],
        "W2": [[1.0, -0.5, 0.5], [-1.0, 0.5, 1.5]],
        "b2": [0.0, 0.5],
        "x": [1.0, 2.0],
        "y": [0.0, 1.0],
    }
    (folder / "net.json").write_text(json.dumps(network), encoding="utf-8")
    path = folder / "spec.toml"
    path.write_text(
        'title = "t"\n[[exercise]]\nid = "m"\nkind = "mlp"\npoints = 4\n'
        'layers = [2, 3, 2]\nparams = "net.json"\n',
        encoding="utf-8",
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    spec = load_spec(path)
    assert generate_version(spec, 1, versions_from_count(1)[0])[0].data["x"] == [1.0, 2.0]
