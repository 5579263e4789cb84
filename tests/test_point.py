"""A point (``--at NAME=VALUE,...`` or a dict) as exact numbers, and its messages."""

import re

import numpy as np
import pytest
import sympy
from click.testing import CliRunner

from symgrad import derive
from symgrad.cli import cli
from symgrad.errors import SymgradError
from symgrad.point import parse_assignments


@pytest.mark.parametrize(
    "at, words",
    [
        ("x=1", "no value for y"),
        ("x=1,x=2,y=1", "twice"),
        ("x=foo(1),y=2", "unknown function"),
        ("x=y,y=1", "expected a number"),
        ("x", "x has no value"),
        ("1", "NAME=VALUE"),
    ],
)
def test_bad_points(at, words):
    with pytest.raises(SymgradError, match=words):
        derive("x*y", at=at)


def test_point_outside_domain_is_bad_input():
    with pytest.raises(SymgradError, match="not a finite"):
        derive("log(x)", at="x=-1")


@pytest.mark.parametrize(
    "at,words",
    [
        ("x=1,y", "y has no value (write y=VALUE)"),
        ("x=1, y ,z=2", "y has no value"),
        ("x=1,2", "expected NAME=VALUE, got '2'"),
    ],
)
def test_point_messages(at, words):
    result = CliRunner().invoke(cli, ["derive", "x*y*z", "--at", at])
    assert result.exit_code == 2
    assert words in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_point_value_may_hold_a_comma_inside_parentheses():
    result = CliRunner().invoke(
        cli, ["derive", "x*y", "--at", "x=max(1,2),y=3", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    assert '"value": 6' in result.output.replace(".0", "")


def test_decimals_stay_exact_and_constants_are_evaluated_exactly():
    point = parse_assignments("w0=2, x0=-1.5, y=pi/4, q=1/3")
    assert point == {
        "w0": sympy.Integer(2),
        "x0": sympy.Rational(-3, 2),
        "y": sympy.pi / 4,
        "q": sympy.Rational(1, 3),
    }
    assert parse_assignments("x=0.1")["x"] == sympy.Rational(1, 10)  # not 0.1000000000000000055


def test_a_dict_of_python_and_numpy_numbers():
    point = parse_assignments({"a": 3, "b": 0.25, "c": np.float64(-2.0), "d": np.int64(7)})
    assert point == {"a": 3, "b": sympy.Rational(1, 4), "c": -2, "d": 7}
    assert parse_assignments(None) == {} and parse_assignments("") == {}


@pytest.mark.parametrize(
    "given, words",
    [
        ({"x": True}, "expected a number, got True"),
        ({"x": float("nan")}, "expected a finite number"),
        ({"x": float("inf")}, "expected a finite number"),
        ({"1x": 1}, "invalid variable name '1x'"),
        ("x=1,,y=2", "expected NAME=VALUE between the commas"),
        ("x=١", "x"),  # Arabic-Indic digit: ASCII digits only
        (42, "expected NAME=VALUE text or a dict of values, not int"),
    ],
)
def test_bad_points_name_what_is_wrong(given, words):
    with pytest.raises(SymgradError, match=re.escape(words)):
        parse_assignments(given)


def test_the_option_name_is_in_the_message():
    with pytest.raises(SymgradError, match=r"^--params x: expected a number"):
        parse_assignments("x=y", what="--params")
