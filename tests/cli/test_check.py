"""`symgrad check`: exit statuses, report formats, --reveal, templates, hostile answer files."""

import json
import math
import re
import tomllib

import pytest
from click.testing import CliRunner
from support.lecture import AT, CIRCUIT, hand_answers

from symgrad.cli import cli

BASE = ["check", CIRCUIT, "--at", AT, "--granularity", "primitive"]


def run(*args):
    return CliRunner().invoke(cli, list(args))


def write_toml(path, answers: dict):
    path.write_text(
        "".join(
            f'"{k}" = {v!r}\n' if isinstance(v, float) else f'"{k}" = "{v}"\n'
            for k, v in answers.items()
        ),
        encoding="utf-8",
    )
    return str(path)


def check(path, *extra):
    return run(*BASE, "--answers", str(path), *extra)


def test_right_answers_exit_0(tmp_path):
    result = check(write_toml(tmp_path / "a.toml", hand_answers()))
    assert result.exit_code == 0, result.output
    verdicts = [
        line.split()[2]
        for line in result.output.splitlines()
        if line.startswith("  z_") or line.startswith("  df/")
    ]
    assert len(verdicts) == len(hand_answers()) and set(verdicts) == {"correct"}
    assert "Every answer is right." in result.output


def test_sign_at_z5_exits_1_names_z5_and_carries_later_nodes(tmp_path):
    result = check(write_toml(tmp_path / "a.toml", hand_answers(z5_sign=-1.0)))
    assert result.exit_code == 1, result.output
    rows = {
        line.split()[0]: line
        for line in result.output.splitlines()
        if line.startswith("  z_") or line.startswith("  df/")
    }
    assert "wrong (first wrong step)" in rows["z_5"] and "sign" in rows["z_5"]
    for name in ("z_6", "z_7", "z_8", "df/dz_7", "df/dz_6"):
        assert "correct given your earlier answers" in rows[name], rows[name]
    assert "First wrong step: z_5 = 1" in result.output
    assert "Check the sign." in result.output


def test_gradient_sign_slip_exits_1_with_its_diagnosis(tmp_path):
    result = check(write_toml(tmp_path / "a.toml", hand_answers(dz5_sign=-1.0)), "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert data["first_wrong"] == "df/dz_5"
    rows = {q["name"]: q for q in data["quantities"]}
    assert rows["df/dz_5"]["mistake"]["name"] == "sign_flip"
    assert rows["df/dz_5"]["mistake"]["label"]["en"] == "sign"
    assert rows["df/dw0"]["verdict"] == "carried"


TRUE_DW1 = ("-0.393", "0.393224")


@pytest.mark.parametrize("fmt", ["text", "markdown", "json", "html"])
def test_no_true_value_without_reveal(tmp_path, fmt):
    answers = {"df/dw1": 5.0, "z_1": -2.0}  # wrong (undiagnosed); the rest unanswered
    path = write_toml(tmp_path / "a.toml", answers)
    hidden = check(path, "--format", fmt)
    assert hidden.exit_code == 1
    for secret in TRUE_DW1 + ("0.7311", "0.731059", "0.19661", "0.196612", "-0.589"):
        assert secret not in hidden.output, (fmt, secret)
    if fmt == "json":
        assert all(
            "true" not in q and "expected_from_your_answers" not in q
            for q in json.loads(hidden.output)["quantities"]
        )
    shown = check(path, "--format", fmt, "--reveal")
    assert any(secret in shown.output for secret in TRUE_DW1), shown.output


def test_carried_answers_exit_1_and_all_correct_formula_exits_0(tmp_path):
    path = write_toml(
        tmp_path / "a.toml", {"df/dw0": "x0*exp(-(w0*x0+w1*x1+w2))/(1+exp(-(w0*x0+w1*x1+w2)))^2"}
    )
    assert check(path).exit_code == 0
    path = write_toml(tmp_path / "b.toml", {"df/dw0": "2*x0*z_8*(1-z_8)"})
    result = check(path)
    assert result.exit_code == 1 and "wrong" in result.output
    carried = {k: v for k, v in hand_answers(z5_sign=-1.0).items() if k in ("z_5", "z_6")}
    carried["z_5"] = -1.0  # the right z_5, but z_6 from +1: wrong; from the right z_5: fine
    assert check(write_toml(tmp_path / "c.toml", carried)).exit_code == 1


def test_no_answers_exits_1(tmp_path):
    path = tmp_path / "a.toml"
    path.write_text('"z_1" = ""\n', encoding="utf-8")
    result = check(path)
    assert result.exit_code == 1 and "No answers were given." in result.output


@pytest.mark.parametrize("fmt", ["toml", "json", "csv"])
def test_template_lists_every_quantity_without_answers_and_round_trips(tmp_path, fmt):
    out = tmp_path / f"answers.{fmt}"
    result = run("check", "--template", CIRCUIT, "--granularity", "primitive", "-o", str(out))
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    for secret in ("0.7311", "0.1966", "0.3932", "0.5898", "1.368", "0.3679"):
        assert secret not in text
    hand = hand_answers()
    names = [n for n in hand if n != "df/dz_8"]
    positions = [text.index(f'{n}"' if fmt != "csv" else f"\n{n},") for n in names]
    assert positions == sorted(positions)  # the worked solution's order
    if fmt == "toml":
        assert set(tomllib.loads(text)) == set(names)
        filled = text
        for n in names:
            filled = filled.replace(f'"{n}" = ""', f'"{n}" = {hand[n]!r}')
    elif fmt == "json":
        filled = json.dumps({n: hand[n] for n in json.loads(text)})
    else:
        filled = "".join(
            f"{line}{hand[line[:-1]]!r}\n" if line[:-1] in hand else line + "\n"
            for line in text.splitlines()
        )
    out.write_text(filled, encoding="utf-8")
    result = check(out)
    assert result.exit_code == 0, result.output
    assert run("check", "--template", CIRCUIT, "-o", str(out)).exit_code == 2  # no --force


def test_template_in_chinese_and_to_stdout():
    result = run("check", "--template", CIRCUIT, "--lang", "zh")
    assert result.exit_code == 0 and "前向传播" in result.output and '"z_1" = ""' in result.output


# ------------------------------------------------------------------ bad input: exit 2


def one_line_error(result, *needles):
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    for needle in needles:
        assert needle in lines[0], lines[0]
    assert "Traceback" not in result.output


def test_unknown_name_lists_valid_names_and_suggests(tmp_path):
    path = tmp_path / "a.toml"
    path.write_text('"z_1" = -2\n"df/dw9" = 1\n', encoding="utf-8")
    one_line_error(check(path), "a.toml:2", "df/dw9", "did you mean 'df/dw", "valid:", "z_8")


@pytest.mark.parametrize(
    "name, content, needles",
    [
        ("a.csv", "name,answer\nz_1,-2\nz_1,-2\n", ["a.csv:3", "twice"]),
        ("a.json", '{"z_1": -2,\n "z_1": -2}', ["a.json:", "twice"]),
        ("a.toml", '"z_1" = -2\n"z_1" = -2\n', ["a.toml", "line 2"]),
        ("a.json", '{"z_1": -2,\n "z_2": }', ["a.json:2:", "not valid JSON"]),
        ("a.toml", '"z_1" = \n', ["a.toml", "line 1"]),
        ("a.csv", "z_1,-2,3\n", ["a.csv:1", "expected 2 columns"]),
        ("a.json", '{"z_1": NaN}', ["a.json", "NaN"]),
        ("a.json", '{"z_1": 1e999}', ["a.json", "not a finite number"]),
        ("a.json", '{"z_1": {"x": 1}}', ["a.json", "z_1"]),
        ("a.json", '{"z_1": true}', ["a.json", "boolean"]),
        ("a.json", "[1, 2]", ["a.json", "object"]),
        (
            "a.toml",
            "\"df/dw0\" = \"__import__('os').system('touch pwned')\"\n",
            ["a.toml", "df/dw0", "formula"],
        ),
        ("a.csv", "df/dw0,lambda: 1\n", ["df/dw0", "formula"]),
        ("a.txt", "z_1 = 1\n", ["a.txt", ".toml, .json or .csv"]),
    ],
)
def test_bad_answer_files_are_one_line_errors(tmp_path, monkeypatch, name, content, needles):
    monkeypatch.chdir(tmp_path)
    (tmp_path / name).write_text(content, encoding="utf-8")
    one_line_error(check(name), *needles)
    assert not (tmp_path / "pwned").exists()


@pytest.mark.parametrize(
    "name, data",
    [
        ("huge.toml", b'"z_1" = -2\n' + b"#" * 2_000_000),
        ("binary.json", bytes(range(256)) * 10),
        ("badutf8.csv", b"z_1,\xff\xfe-2\n"),
        ("nested.json", b"[" * 200_000 + b"]" * 200_000),
        ("deep.json", b'{"a":' * 100_000 + b"1" + b"}" * 100_000),
        ("wide.csv", b"z_1" + b",1" * 400_000 + b"\n"),
        ("wider.csv", b"z_1" + b"," * 1_000_000 + b"\n"),
        ("nul.toml", b'"z_1" = -2\x00\n'),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_hostile_answer_files_exit_2_naming_the_file(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    one_line_error(check(path), name)


def test_missing_answers_file_and_missing_point(tmp_path):
    one_line_error(check(tmp_path / "none.toml"), "none.toml")
    path = write_toml(tmp_path / "a.toml", {"z_1": -2.0})
    one_line_error(run("check", CIRCUIT, "--answers", path), "--at")
    one_line_error(run("check", CIRCUIT, "--at", AT), "--answers")


# ------------------------------------------------------------------ languages

ENGLISH_WORDS = re.compile(r"\b[A-Za-z]{3,}(?:\s+[A-Za-z]{2,}){2,}")


def test_chinese_report_has_no_english_sentence(tmp_path):
    path = write_toml(tmp_path / "a.toml", hand_answers(z5_sign=-1.0) | {"df/dw1": 5.0})
    for fmt in ("text", "markdown"):
        for extra in ([], ["--reveal"]):
            result = check(path, "--lang", "zh", "--format", fmt, *extra)
            assert result.exit_code == 1
            found = ENGLISH_WORDS.findall(result.output)
            assert not found, (fmt, found)
            assert "第一个错误步骤" in result.output and "符号" in result.output
    english = check(path)
    assert ENGLISH_WORDS.search(english.output)  # the pattern does find English


def test_markdown_report_escapes_formulas(tmp_path):
    path = write_toml(tmp_path / "a.toml", {"df/dw0": "x0*z_8*(1-z_8)"})
    result = check(path, "--format", "markdown")
    assert result.exit_code == 0
    assert r"x0\*z\_8\*(1-z\_8)" in result.output
    assert "| df/dw0 |" in result.output


def test_json_report_credit_and_score(tmp_path):
    answers = hand_answers(z5_sign=-1.0)
    result = check(write_toml(tmp_path / "a.toml", answers), "--format", "json")
    data = json.loads(result.output)
    assert data["answered"] == len(answers)
    assert math.isclose(data["score"], len(answers) - 0.5)
    assert data["revealed"] is False and data["all_correct"] is False


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_html_report_is_a_page_with_the_verdicts(tmp_path, lang):
    out = tmp_path / "report.html"
    result = run(
        *BASE,
        "--answers",
        write_toml(tmp_path / "a.toml", hand_answers(z5_sign=-1.0)),
        "-o",
        str(out),
        "--lang",
        lang,
    )
    assert result.exit_code == 1, result.output
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and 'class="sg-diagnosis"' in page
    row = re.search(r'<tr class="sg-first"><td><code>(.*?)</code>', page)
    assert row and row.group(1) == "z_5"
    carried = {"en": "correct given your earlier answers", "zh": "按你前面的答案计算是正确的"}[lang]
    assert page.count(carried) >= 5
    assert re.search(r"https?://(?!www\.w3\.org)", page) is None
