"""The error family: one line for the user, a quoted value never longer than MAX_SHOWN."""

import pytest

from symgrad.errors import (
    MAX_SHOWN,
    Interrupted,
    ParseError,
    SymgradError,
    raise_interrupted,
    shown,
)


def test_short_values_are_quoted_whole():
    assert shown("x+1") == "'x+1'"
    assert shown(3.5) == "3.5"
    assert shown(True) == "True"  # a bool is not described as an integer


def test_long_values_are_cut_to_the_limit():
    text = shown("é" * 100)
    assert len(text) == MAX_SHOWN and text.endswith("...") and text.startswith("'éé")


def test_huge_integers_are_described_not_printed():
    assert shown(10**5000) == "an integer of 5001 digits"
    assert shown(-(10**400)) == "an integer of 401 digits"
    assert shown(2**100) == repr(2**100)  # 128 bits or fewer: printed as it is


def test_parse_error_is_bad_input_with_its_column():
    err = ParseError("unexpected ')'", column=4, text="x+1)")
    assert isinstance(err, SymgradError) and isinstance(err, ValueError)
    assert str(err) == "unexpected ')' (column 4)"
    assert (err.message, err.column, err.text) == ("unexpected ')'", 4, "x+1)")
    assert str(ParseError("empty expression")) == "empty expression"


def test_interrupted_is_not_an_exception_a_handler_would_swallow():
    with pytest.raises(Interrupted):
        try:
            raise_interrupted(2, None)
        except Exception:  # noqa: BLE001  (what a careless handler would write)
            pytest.fail("Interrupted was caught as an Exception")
    assert not issubclass(Interrupted, KeyboardInterrupt)
