"""Error messages that teach: what a syntax error most likely means, and "did you mean".

>>> syntax_hint("2x+1", "invalid decimal literal", 1)
('a number is followed by a name: write 2*x for a product', 2)
>>> did_you_mean("sigmod", ["sigmoid", "softplus", "sin"])
'sigmoid'
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

_NUMBER_THEN_NAME = re.compile(r"(?<![A-Za-z0-9_.])([0-9]+(?:\.[0-9]*)?)([A-Za-z_][A-Za-z0-9_]*)")
_OPERAND_END = re.compile(r"[A-Za-z0-9_.)]\s*$")
_OPERAND_START = re.compile(r"\s*[A-Za-z0-9_.(]")
_TRAILING_OPERATOR = re.compile(r"(\*\*|[-+*/^])\s*$")
OPERATORS = "+*/^"  # '-' may start an operand


def did_you_mean(name: str, known: Iterable[str]) -> str | None:
    """The known name closest to ``name`` (a likely typo), or None."""
    close = difflib.get_close_matches(name.lower(), sorted(known), n=1, cutoff=0.6)
    return close[0] if close else None


def syntax_hint(text: str, message: str, col: int) -> tuple[str, int]:
    """A plainer message and a better 1-based column for Python's syntax error ``message``
    at ``col`` (0 when Python gives none) in ``text``."""
    stripped = text.rstrip()
    if message.startswith("invalid decimal literal"):
        matches = list(_NUMBER_THEN_NAME.finditer(text))
        near = [m for m in matches if m.start() < col <= m.end() + 1] or matches
        if near:
            number, name = near[0].groups()
            return (
                f"a number is followed by a name: write {number}*{name} for a product",
                near[0].start(2) + 1,
            )
        return "a number is followed by a name: write * for a product", max(col, 1)
    if col <= 0 or col > len(stripped):
        last = _TRAILING_OPERATOR.search(stripped)
        after = repr(last.group().strip()) if last else repr(stripped[-1:] or "?")
        return (
            f"the expression ends too early: something is missing after {after}",
            len(stripped) + 1,
        )
    before = text[: col - 1].rstrip()
    if (
        message == "invalid syntax"
        and _OPERAND_END.search(before)
        and _OPERAND_START.match(text[col - 1 :])
    ):
        return "two operands with no operator between them: write * for a product", col
    if (
        message == "invalid syntax"
        and before
        and before[-1] in OPERATORS
        and text[col - 1] in OPERATORS
    ):
        return (
            f"two operators in a row: an operand is missing between {before[-1]!r} and "
            f"{text[col - 1]!r}",
            col,
        )
    return f"syntax error: {message}", col
