"""Reading what a user gives: every file and standard input is read with a bound of
``limit + 1`` bytes before anything parses it, so an endless or huge input costs at most
``limit`` (``/dev/zero`` as a roster, a 50 MB params file)."""

from __future__ import annotations

import os

from .errors import SymgradError


def read_text(path: str | os.PathLike[str], limit: int, what: str) -> str:
    """A UTF-8 text file (a BOM is dropped), refused before it is read whole if it is larger
    than ``limit`` bytes: an endless file (``/dev/zero``, a FIFO) costs at most ``limit``.

    >>> read_text("/dev/zero", 10, "params")
    Traceback (most recent call last):
    ...
    symgrad.errors.SymgradError: params: /dev/zero is larger than 10 bytes
    """
    try:
        with open(path, "rb") as handle:
            data = handle.read(limit + 1)
    except OSError as err:
        raise SymgradError(f"{what}: cannot read {path}: {err.strerror or err}") from None
    return decode_text(data, limit, what, str(path))


def read_stdin(limit: int, what: str) -> str:
    """Standard input as UTF-8 text, reading at most ``limit + 1`` bytes (see :func:`read_text`)."""
    import sys

    stream = getattr(sys.stdin, "buffer", None)
    if stream is None:  # stdin replaced by a text-only stream (tests)
        text = sys.stdin.read(limit + 1) if sys.stdin is not None else ""
        return decode_text(text.encode("utf-8", "surrogateescape"), limit, what, "standard input")
    try:
        data = stream.read(limit + 1)
    except OSError as err:
        raise SymgradError(f"{what}: cannot read standard input: {err.strerror or err}") from None
    return decode_text(data, limit, what, "standard input")


def decode_text(data: bytes, limit: int, what: str, name: str) -> str:
    """``data`` (read with a bound of ``limit + 1`` bytes) as text, or an error naming ``name``."""
    if len(data) > limit:
        raise SymgradError(f"{what}: {name} is larger than {limit} bytes")
    try:
        return data.decode("utf-8-sig")  # editors on Windows add a BOM
    except UnicodeDecodeError as err:
        raise SymgradError(
            f"{what}: {name} is not UTF-8 text ({err.reason} at byte {err.start})"
        ) from None
