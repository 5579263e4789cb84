"""Bounded reads: a file or standard input is read with a limit before anything parses it."""

import io
import os
import sys

import pytest

from symgrad.errors import SymgradError
from symgrad.reading import decode_text, read_stdin, read_text


def test_a_file_within_the_limit_is_read_and_a_bom_dropped(tmp_path):
    path = tmp_path / "spec.toml"
    path.write_bytes("\ufeffname = '张三'\n".encode())
    assert read_text(path, 100, "spec") == "name = '张三'\n"


def test_exactly_the_limit_is_accepted_one_more_byte_is_refused(tmp_path):
    path = tmp_path / "p.json"
    path.write_bytes(b"x" * 10)
    assert read_text(path, 10, "params") == "x" * 10
    path.write_bytes(b"x" * 11)
    with pytest.raises(SymgradError, match=r"^params: .*p\.json is larger than 10 bytes$"):
        read_text(path, 10, "params")


def test_an_endless_file_costs_at_most_the_limit(monkeypatch):
    sizes = []
    real_open = open

    class Endless(io.RawIOBase):
        def read(self, n=-1):
            sizes.append(n)
            return b"0" * (n if n >= 0 else 10**9)

    def fake_open(path, mode="r", *args, **kwargs):
        return Endless() if path == "/endless" else real_open(path, mode, *args, **kwargs)

    monkeypatch.setattr("builtins.open", fake_open)
    with pytest.raises(SymgradError, match="larger than 1000 bytes"):
        read_text("/endless", 1000, "roster")
    assert sizes == [1001]


def test_a_missing_file_and_a_folder_are_one_clear_line(tmp_path):
    with pytest.raises(SymgradError, match=r"^roster: cannot read .*nope\.csv: No such file"):
        read_text(tmp_path / "nope.csv", 100, "roster")
    with pytest.raises(SymgradError, match=r"^roster: cannot read .*: Is a directory"):
        read_text(tmp_path, 100, "roster")


def test_not_utf8_names_the_byte():
    with pytest.raises(SymgradError, match=r"answers: a\.csv is not UTF-8 text \(.* at byte 2\)"):
        decode_text(b"ok\xff", 10, "answers", "a.csv")


def test_stdin_is_bounded_too(monkeypatch):
    class Stdin:
        buffer = io.BytesIO(b"y" * 50)

    monkeypatch.setattr(sys, "stdin", Stdin())
    with pytest.raises(SymgradError, match="expression: standard input is larger than 20 bytes"):
        read_stdin(20, "expression")
    Stdin.buffer = io.BytesIO(b"x*y\n")
    assert read_stdin(20, "expression") == "x*y\n"


def test_a_text_only_stdin_is_read_with_the_same_bound(monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO("sin(x)" * 10))
    with pytest.raises(SymgradError, match="larger than 30 bytes"):
        read_stdin(30, "expression")
    monkeypatch.setattr(sys, "stdin", io.StringIO("sin(x)"))
    assert read_stdin(30, "expression") == "sin(x)"


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero on this system")
def test_dev_zero_is_refused_quickly():
    with pytest.raises(SymgradError, match="larger than 4096 bytes"):
        read_text("/dev/zero", 4096, "params")
