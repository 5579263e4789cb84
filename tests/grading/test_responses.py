"""The responses CSV is untrusted: huge, binary, endless lines, NUL bytes, formulas.
Each bad line is a problem naming its line; the other lines are still read; an unusable
file is one clear error (exit 2 through the CLI, see tests/test_grade.py)."""

from __future__ import annotations

import os

import pytest

from symgrad.errors import SymgradError
from symgrad.grading.responses import (
    MAX_LINE_BYTES,
    answers_template,
    parse_number,
    read_responses,
)

HEADER = b"student,version,exercise,blank,answer\n"
ROW = b"ann,,mlp,J,0.69\n"


def write(tmp_path, data: bytes):
    path = tmp_path / "r.csv"
    path.write_bytes(data)
    return path


def test_good_rows_are_read_with_their_lines(tmp_path):
    rows, problems = read_responses(write(tmp_path, HEADER + ROW + b"\n" + b"bob,v01,mlp,J,\n"))
    assert problems == []
    assert [(r.line, r.student, r.version, r.answer) for r in rows] == [
        (2, "ann", "", "0.69"),
        (4, "bob", "v01", ""),
    ]


@pytest.mark.parametrize(
    "header, needle",
    [
        (b"student,exercise,blank\n", "no column answer"),
        (b"exercise,blank,answer\n", "student or version"),
        (b"student,exercise,blank,answer,answer\n", "repeated"),
        (b"student,exercise,blank,answr\n", "'answr'"),
        (b"\xff\xfe\x00binary\n", "not UTF-8"),
        (b"", "empty file"),
    ],
)
def test_an_unusable_header_is_one_clear_error(tmp_path, header, needle):
    with pytest.raises(SymgradError, match=needle):
        read_responses(write(tmp_path, header + ROW if header else b"\n\n"))


def test_a_file_over_the_limit_is_refused_before_reading(tmp_path):
    path = tmp_path / "huge.csv"
    with open(path, "wb") as f:
        f.write(HEADER)
        f.truncate(25_000_000)  # sparse: 25 MB of NUL bytes
    with pytest.raises(SymgradError, match="larger than 20000000 bytes"):
        read_responses(path)


def test_an_endless_stream_costs_at_most_the_limit(tmp_path):
    path = write(tmp_path, HEADER + ROW * 1000)
    with pytest.raises(SymgradError, match="larger than 5000 bytes"):
        read_responses(path, limit=5000)
    if os.path.exists("/dev/zero"):
        with pytest.raises(SymgradError):
            read_responses("/dev/zero", limit=100_000)


def test_bad_lines_are_problems_and_the_others_are_read(tmp_path):
    million = b"," * 1_000_000 + b"\n"  # a 10^6-column line
    data = (
        HEADER
        + ROW
        + million
        + b"bob,,mlp,J,\x00\n"
        + b"cat,,mlp,J,\xff\xfe\n"
        + b"dan,,mlp\n"
        + b'eve,,mlp,J,"unclosed\n'
        + b"fay,,mlp,J,1\n"
    )
    rows, problems = read_responses(write(tmp_path, data))
    messages = {p.line: p.message for p in problems}
    assert f"longer than {MAX_LINE_BYTES}" in messages[3]
    assert "NUL" in messages[4] and "not UTF-8" in messages[5] and "expected 5 cells" in messages[6]
    assert [r.student for r in rows] == ["ann", "eve"]
    # an unclosed quote runs to the end of the file, as CSV says: one answer, not a number
    assert rows[1].answer.startswith("unclosed") and rows[1].line == 8
    with pytest.raises(ValueError):
        parse_number(rows[1].answer)


def test_random_binary_never_crashes(tmp_path):
    import random

    rng = random.Random(3)
    for _ in range(30):
        junk = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 3000)))
        try:
            read_responses(write(tmp_path, HEADER + junk))
        except SymgradError:
            pass


@pytest.mark.parametrize(
    "text, value",
    [
        ("0.5", 0.5),
        ("-1.5e-2", -0.015),
        (".5", 0.5),
        ("−2", -2.0),
        ("3/4", 0.75),
        (" 7 ", 7.0),
        ("1e3", 1000.0),
    ],
)
def test_numbers(text, value):
    assert parse_number(text) == value


@pytest.mark.parametrize(
    "text",
    [
        "1.2.3",
        "=1+1",
        "=cmd|' /C calc'!A0",
        "1e999",
        "nan",
        "inf",
        "1/0",
        "2*3",
        "__import__('os')",
        "0x10",
        "1,5",
        "",
        "1" * 200,
    ],
)
def test_not_numbers_are_refused_and_never_evaluated(text):
    with pytest.raises(ValueError):
        parse_number(text)


def test_answers_template_has_every_blank_and_no_answer_or_seed():
    versions = [
        {
            "folder": "v01",
            "student": None,
            "seed": 123456789,
            "exercises": [
                {
                    "id": "e1",
                    "seed": 987654321,
                    "answers": [{"name": "a", "value": 0.25}, {"name": "b", "value": 7.5}],
                }
            ],
        },
        {
            "folder": "ann",
            "student": "Ann",
            "exercises": [{"id": "e1", "answers": [{"name": "a", "value": 0.5}]}],
        },
    ]
    text = answers_template(versions)
    assert text.splitlines() == [
        "student,version,exercise,blank,answer",
        ",v01,e1,a,",
        ",v01,e1,b,",
        "ann,ann,e1,a,",
    ]
    assert not any(s in text for s in ("0.25", "7.5", "123456789", "987654321"))
