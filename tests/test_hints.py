"""Messages that teach (issue 14, item 8): each common slip gets its own message, the right
column, and "did you mean" for function names."""

import pytest

from symgrad.errors import SymgradError
from symgrad.hints import did_you_mean, syntax_hint
from symgrad.parse import parse


def error_of(text: str) -> str:
    with pytest.raises(SymgradError) as info:
        parse(text)
    return str(info.value)


@pytest.mark.parametrize(
    "text,words,column",
    [
        ("2x+1", "write 2*x for a product", 2),
        ("y + 3x", "write 3*x for a product", 6),
        ("2.5w", "write 2.5*w for a product", 4),
        ("x +", "ends too early: something is missing after '+'", 4),
        ("x**", "something is missing after '**'", 4),
        ("exp(-x) -  ", "something is missing after '-'", 10),
        ("x y", "two operands with no operator between them", 3),
        ("sigmoid(x) w", "two operands with no operator between them", 12),
        ("x*/y", "two operators in a row: an operand is missing between '*' and '/'", 3),
        ("x + * y", "between '+' and '*'", 5),
        ("(x+1", "'(' was never closed", 1),
        ("1/(1+exp(-x)))", "unmatched ')'", 14),
        ("sigmod(x)", "did you mean sigmoid?", 1),
        ("x + tanhh(x)", "did you mean tanh?", 5),
        ("Relu(x)", "did you mean relu?", 1),
        ("(x)(y)", "for a product write x*(...)", 1),
    ],
)
def test_message_and_column(text, words, column):
    message = error_of(text)
    assert words in message
    assert message.endswith(f"(column {column})"), message


def test_no_guess_for_a_name_far_from_every_function():
    assert "did you mean" not in error_of("qqqq(x)")


def test_did_you_mean_and_syntax_hint_directly():
    assert did_you_mean("SIGMOD", ["sigmoid", "softplus", "sin"]) == "sigmoid"
    assert did_you_mean("zzzz", ["sigmoid", "softplus"]) is None
    assert syntax_hint("2x+1", "invalid decimal literal", 1) == (
        "a number is followed by a name: write 2*x for a product",
        2,
    )
    message, column = syntax_hint("x +", "invalid syntax", 0)
    assert "missing after '+'" in message and column == 4
