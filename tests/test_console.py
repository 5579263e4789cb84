"""Terminal plumbing: one error line and its exit status for every kind of failure, stdout
writes that never lose bytes silently, ASCII-only numbers, the progress bar and the
reordering of a derive expression that starts with a minus sign."""

import io
import os
import sys

import click
import pytest
from click.testing import CliRunner

from symgrad import console
from symgrad.console import (
    AsciiFloat,
    AsciiInt,
    Progress,
    StdoutError,
    SymgradGroup,
    write_stdout,
)
from symgrad.errors import SymgradError


def group_raising(exc: BaseException) -> click.Group:
    @click.group(cls=SymgradGroup)
    @click.option("--debug", is_flag=True)
    def cli(debug):
        pass

    @cli.command()
    def boom():
        raise exc

    return cli


@pytest.mark.parametrize(
    "exc, status, words",
    [
        (SymgradError("x has no value\n(write x=VALUE)"), 2, "x has no value (write x=VALUE)"),
        (RecursionError("deep"), 2, "input too large or too deeply nested (RecursionError)"),
        (FileNotFoundError(2, "No such file or directory", "a.csv"), 2, "a.csv: No such file"),
        (KeyError("bug"), 3, "internal error: KeyError"),
    ],
)
def test_every_failure_is_one_line_and_its_status(exc, status, words):
    result = CliRunner().invoke(group_raising(exc), ["boom"])
    assert result.exit_code == status
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("symgrad: error: "), result.output
    assert words in lines[0]
    assert "Traceback" not in result.output


def test_debug_prints_the_traceback_and_keeps_the_status():
    result = CliRunner().invoke(group_raising(SymgradError("bad")), ["--debug", "boom"])
    assert result.exit_code == 2 and "Traceback" in result.output


def test_write_stdout_writes_every_byte_to_a_descriptor(tmp_path, monkeypatch):
    path = tmp_path / "out.txt"
    with open(path, "w", encoding="utf-8") as handle:
        monkeypatch.setattr(sys, "stdout", handle)
        write_stdout("张三 " * 10000)
        write_stdout(b"raw")
    assert path.read_text(encoding="utf-8") == "张三 " * 10000 + "raw"


def test_write_stdout_to_a_full_device_raises_stdout_error(monkeypatch):
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full on this system")
    with open("/dev/full", "w") as full:
        monkeypatch.setattr(sys, "stdout", full)
        with pytest.raises(StdoutError, match="cannot write to standard output"):
            write_stdout("x" * 100)


def test_write_stdout_without_a_descriptor_goes_through_click(monkeypatch):
    buffer = io.StringIO()
    monkeypatch.setattr(sys, "stdout", buffer)
    write_stdout("text")
    assert buffer.getvalue() == "text"


@pytest.mark.parametrize("typed", ["１２", "٣", "1_000"])
def test_numbers_must_be_written_with_ascii_digits(typed):
    with pytest.raises(click.BadParameter, match="digits 0-9"):
        AsciiInt().convert(typed, None, None)
    assert AsciiInt().convert("12", None, None) == 12
    assert AsciiFloat().convert("0.5", None, None) == 0.5


@pytest.mark.parametrize(
    "args, expected",
    [
        (["derive", "-log(p)", "--at", "p=0.5"], ["derive", "--at", "p=0.5", "--", "-log(p)"]),
        (["derive", "--", "-(a*b)", "--at", "a=1"], ["derive", "--at", "a=1", "--", "-(a*b)"]),
        (["derive", "-o", "f.txt", "x"], ["derive", "-o", "f.txt", "x"]),  # -o keeps its meaning
        (["mlp", "-x"], ["mlp", "-x"]),  # only derive takes an expression
    ],
)
def test_a_negated_expression_goes_last(args, expected):
    assert console._negated_expression_last(args) == expected


def test_progress_draws_only_on_a_terminal(monkeypatch):
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    err = Terminal()
    monkeypatch.setattr(sys, "stderr", err)
    with Progress(4, "versions", quiet=False) as bar:
        bar.update(2)
    assert "versions [" + "#" * 15 + "." * 15 + "] 2/4" in err.getvalue()
    assert err.getvalue().endswith("\n")
    quiet = Terminal()
    monkeypatch.setattr(sys, "stderr", quiet)
    with Progress(4, "versions", quiet=True) as bar:
        bar.update(4)
    assert quiet.getvalue() == ""
