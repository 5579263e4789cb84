"""The one error family symgrad raises for anything a user can get wrong."""

from __future__ import annotations

from types import FrameType
from typing import NoReturn

MAX_SHOWN = 40  # characters of a user's value quoted in a message


def shown(value: object) -> str:
    """A user's value quoted in an error message, at most :data:`MAX_SHOWN` characters.

    A huge integer is described, not printed (Python refuses to print one of more than 4300
    digits, and nobody wants to read one).

    >>> shown(10**5000), shown("x" * 50)
    ('an integer of 5001 digits', "'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...")
    """
    if isinstance(value, int) and not isinstance(value, bool) and abs(value).bit_length() > 128:
        return f"an integer of {int(abs(value).bit_length() * 0.30103) + 1} digits"
    text = repr(value)
    return text if len(text) <= MAX_SHOWN else text[: MAX_SHOWN - 3] + "..."


class SymgradError(ValueError):
    """Bad input: the CLI prints the message on one line and exits with status 2."""


class ParseError(SymgradError):
    """An expression that is not in symgrad's grammar; ``column`` is 1-based (0 if unknown)."""

    def __init__(self, message: str, column: int = 0, text: str | None = None) -> None:
        self.message = message
        self.column = column
        self.text = text
        where = f" (column {column})" if column else ""
        super().__init__(f"{message}{where}")


class Interrupted(BaseException):
    """Ctrl-C (SIGINT) on the command line; the CLI ends with "aborted" and exit status 130.

    It is not a ``KeyboardInterrupt``: CPython 3.11 sometimes ended the process by the signal
    itself (status -2) after symgrad had caught a KeyboardInterrupt and printed its message,
    because the interpreter remembers a KeyboardInterrupt that passed through some of its C
    paths. An exception of symgrad's own stays out of that bookkeeping.
    """


def raise_interrupted(signum: int | None = None, frame: FrameType | None = None) -> NoReturn:
    """The CLI's SIGINT handler."""
    raise Interrupted()
