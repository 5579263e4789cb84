"""The expression tree and what the parser allows: variable names, constants, the limits
and the refused syntax words, checked directly and through parse."""

import ast

import pytest
import sympy

from symgrad import expr, parse
from symgrad.errors import ParseError
from symgrad.expr import MAX_NAME, REFUSED, Expr, const, is_variable_name, var


def test_variable_names_exclude_functions_constants_literals_and_long_names():
    assert is_variable_name("x1") and is_variable_name("lambda")
    for name in ("exp", "ln", "pi", "e", "None", "1x", "x-y", "a" * (MAX_NAME + 1)):
        assert not is_variable_name(name), name
    assert is_variable_name("a" * MAX_NAME)


def test_var_refuses_what_the_grammar_would_not_read_as_a_variable():
    assert var("w") == Expr("var", name="w")
    with pytest.raises(ParseError, match="invalid variable name 'sigmoid'"):
        var("sigmoid")


def test_const_is_exact():
    assert const(0.1).number == sympy.Rational(1, 10)
    assert const("2.5").number == sympy.Rational(5, 2)
    assert const(3).number == 3 and const(3).is_const
    with pytest.raises(TypeError, match="not a constant"):
        _ = var("x").number


def test_column_is_not_part_of_equality():
    assert Expr("var", name="x", col=1) == Expr("var", name="x", col=7)


def test_refused_syntax_is_named_by_parse():
    assert REFUSED[ast.Lambda] == "lambda"
    with pytest.raises(ParseError, match="comparisons"):
        parse.parse("x < y")


def test_parse_re_exports_the_tree():
    for name in ("Expr", "var", "const", "is_variable_name", "NAME_RE", "FUNCTIONS", "MAX_DEPTH"):
        assert getattr(parse, name) is getattr(expr, name)
