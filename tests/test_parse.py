"""The safe parser: structure as written, grammar, limits, columns."""

import pytest
import sympy

from symgrad.errors import ParseError
from symgrad.parse import MAX_DEPTH, parse


@pytest.mark.parametrize(
    "text, tree",
    [
        ("-(a+b)", "neg(add(Var(a), Var(b)))"),
        ("a+b+c", "add(add(Var(a), Var(b)), Var(c))"),
        ("1/x", "div(Const(1), Var(x))"),
        ("x+1", "add(Var(x), Const(1))"),
        ("x^2", "pow(Var(x), Const(2))"),
        ("x**y^2", "pow(Var(x), pow(Var(y), Const(2)))"),
        ("x^2*y", "mul(pow(Var(x), Const(2)), Var(y))"),
        ("ln(x)", "log(Var(x))"),
        ("max(x, 0)", "max(Var(x), Const(0))"),
        ("  +x - -3 ", "sub(Var(x), Const(-3))"),
        ("2*pi*x", "mul(Const(2*pi), Var(x))"),
        ("e^x", "pow(Const(e), Var(x))"),
    ],
)
def test_structure_is_kept_as_written(text, tree):
    assert repr(parse(text)) == tree


def test_decimal_literals_are_exact():
    assert parse("0.1").value == sympy.Rational(1, 10)


@pytest.mark.parametrize(
    "text, column, words",
    [
        ("x + foo(y)", 5, "unknown function"),
        ("x.real", 1, "attribute"),
        ("exp(x, y)", 1, "takes 1 argument"),
        ("max(x)", 1, "takes 2 arguments"),
        ("x +* y", 4, "two operators in a row"),
        ("a + ｘ", 5, "non-ASCII"),
        ("x − y", 3, "non-ASCII"),
        ("'abc'", 1, "strings"),
        ("x[0]", 1, "subscripts"),
        ("lambda: 1", 1, "lambda"),
        ("x < 1", 1, "comparisons"),
        ("x // 2", 1, "'//'"),
        ("exp(x=1)", 1, "keyword"),
        ("1/0", 1, "undefined"),
        ("y + log(0)", 5, "undefined"),
        ("9**9**9**9", 4, "too large"),
        ("x**100000", 1, "too large"),
        ("", 0, "empty"),
        ("x\ny", 2, "one expression"),
    ],
)
def test_errors_name_the_problem_and_column(text, column, words):
    with pytest.raises(ParseError) as info:
        parse(text)
    assert words in str(info.value)
    assert info.value.column == column


def test_limits():
    with pytest.raises(ParseError, match="characters long"):
        parse("x+" * 5000 + "x")
    with pytest.raises(ParseError):
        parse("(" * 300 + "x" + ")" * 300)
    deep = "x"
    for _ in range(MAX_DEPTH + 5):  # Python's parser stops at 200 nested parentheses
        deep = f"exp({deep})"
    with pytest.raises(ParseError):
        parse(deep)
    with pytest.raises(ParseError, match="nested too deeply"):
        parse("-" * (MAX_DEPTH + 5) + "x")
    assert parse("-" * (MAX_DEPTH - 1) + "x").op == "neg"
    with pytest.raises(ParseError, match="digits"):
        parse("1" * 400)
    with pytest.raises(ParseError, match="out of range"):
        parse("1e999")


def test_names_that_are_functions_or_invalid_are_refused():
    with pytest.raises(ParseError, match="is a function"):
        parse("exp + 1")
    with pytest.raises(ParseError):
        parse("_x + 1")
    with pytest.raises(ParseError, match="literal True"):
        parse("True*x")


def test_python_keywords_are_variables_where_python_would_not_parse_them():
    """`lambda` is the usual name of the L2 weight (issue 17); keyword syntax that does
    parse keeps its own message."""
    assert repr(parse("lambda")) == "Var(lambda)"
    assert repr(parse("lambda*x + in")) == "add(mul(Var(lambda), Var(x)), Var(in))"
    with pytest.raises(ParseError, match="lambda not allowed"):
        parse("lambda x: 1")
    with pytest.raises(ParseError, match="conditionals"):
        parse("x if y else z")
    with pytest.raises(ParseError, match="invalid name '_0'"):  # no clash with placeholders
        parse("_0*lambda")
    with pytest.raises(ParseError, match=r"column 8"):
        parse("lambda*(x+")


def test_constant_activations_fold_to_their_value():
    assert repr(parse("relu(cos(2))*x")) == "mul(Const(0), Var(x))"
    assert repr(parse("(1) / (1.5 + (-(relu(cos(2))))^2)*x")) == "mul(Const(2/3), Var(x))"
    assert repr(parse("hardtanh(3) + x")) == "add(Const(1), Var(x))"


def test_constant_zero_to_the_zero_is_one():
    """Decided (issue 17): 0**0 folds to 1 as in SymPy and NumPy; derive refuses x**y at
    (0, 0), where the derivative is not finite (tests/test_reliability_core.py)."""
    assert repr(parse("0**0*x")) == "mul(Const(1), Var(x))"
