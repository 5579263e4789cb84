"""A learner's answer file (TOML, JSON or CSV): read bounded, every error one line naming the
file and, where known, the line; unknown and repeated names refused."""

import pytest

from symgrad.errors import SymgradError
from symgrad.grading.answers import MAX_BYTES, answer_format, normalized, read_answers

VALID = ["z_1", "df/dx", "df/dy"]


def test_numbers_formulas_and_empty_answers():
    assert normalized(" 1.5 ", "z_1") == 1.5
    assert normalized(2, "z_1") == 2.0
    assert normalized("", "z_1") is None
    assert normalized("2*x", "z_1") == "2*x"  # a formula stays text, for the parser later


def test_format_by_option_or_extension():
    assert answer_format("a.TOML", None) == "toml"
    assert answer_format("a.txt", "csv") == "csv"
    with pytest.raises(SymgradError, match="name the file .toml, .json or .csv"):
        answer_format("a.txt", None)


@pytest.mark.parametrize(
    "name, text",
    [
        ("a.toml", '"z_1" = 6\n"df/dx" = "y"\n"df/dy" = ""\n'),
        ("a.json", '{"z_1": 6, "df/dx": "y", "df/dy": ""}'),
        ("a.csv", "name,answer\n# a comment line\nz_1,6\ndf/dx,y\ndf/dy,\n"),
    ],
)
def test_the_three_formats_read_the_same_answers(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    answers, where = read_answers(str(path), VALID)
    assert answers == {"z_1": 6.0, "df/dx": "y"}
    assert set(where) >= {"z_1", "df/dx"} and all(str(path) in w for w in where.values())


@pytest.mark.parametrize(
    "name, text, words",
    [
        ("a.toml", '"z_9" = 1\n', "z_9"),  # unknown name
        ("a.csv", "name,answer\nz_1,1\nz_1,2\n", "twice"),
        ("a.json", '{"z_1": {"nested": 1}}', "z_1"),
        ("a.toml", '"z_1" = \n', "a.toml"),  # a TOML syntax error names the file
        ("a.csv", "name,answer\nz_1,1\x002\n", "NUL"),
    ],
)
def test_bad_files_are_one_line_errors_naming_the_file(tmp_path, name, text, words):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SymgradError) as info:
        read_answers(str(path), VALID)
    message = str(info.value)
    assert "\n" not in message and words in message and str(tmp_path) in message


def test_an_unknown_name_suggests_the_closest_valid_one(tmp_path):
    path = tmp_path / "a.toml"
    path.write_text('"df/dz" = 1\n', encoding="utf-8")
    with pytest.raises(SymgradError, match=r"df/dx|df/dy"):
        read_answers(str(path), VALID)


def test_a_file_over_the_limit_is_refused_before_parsing(tmp_path):
    path = tmp_path / "a.csv"
    path.write_bytes(b"name,answer\n" + b"z_1,1\n" * (MAX_BYTES // 6 + 10))
    with pytest.raises(SymgradError, match=f"larger than {MAX_BYTES} bytes"):
        read_answers(str(path), VALID)
