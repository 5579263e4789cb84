"""Reading a kind's pins: raw TOML values in, normalized options out, or one clear error.

Every error is one line naming the spec file, the exercise and the key
(``spec.toml: exercise[2].layers: ...``), as :class:`~symgrad.errors.SymgradError`.

>>> number("spec.toml: exercise[1]", "l2", 0.5, low=0)
0.5
>>> number("spec.toml: exercise[1]", "l2", True, low=0)
Traceback (most recent call last):
...
symgrad.errors.SymgradError: spec.toml: exercise[1].l2: expected a number, got True
"""

from __future__ import annotations

import math
from collections.abc import Collection

from ..errors import SymgradError, shown


def refuse(where: str, key: str, message: str) -> SymgradError:
    """The error for a wrong pin: ``{where}.{key}: message``."""
    return SymgradError(f"{where}.{key}: {message}")


def choice(where: str, key: str, value: object, allowed: Collection[str]) -> str:
    """``value`` if it is one of ``allowed`` (text)."""
    if not isinstance(value, str) or value not in allowed:
        raise refuse(where, key, f"expected one of {', '.join(allowed)}, got {shown(value)}")
    return value


def text(where: str, key: str, value: object, limit: int = 200) -> str:
    """Non-empty one-line text of at most ``limit`` characters."""
    if not isinstance(value, str):
        raise refuse(where, key, f"expected text, got {type(value).__name__} {shown(value)}")
    if not value.strip():
        raise refuse(where, key, "expected non-empty text")
    if len(value) > limit:
        raise refuse(where, key, f"expected at most {limit} characters, got {len(value)}")
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise refuse(where, key, "control characters (newlines, tabs, ...) are not allowed")
    return value


def number(
    where: str, key: str, value: object, low: float | None = None, high: float | None = None
) -> float:
    """A finite number (not a bool) within ``[low, high]``."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise refuse(where, key, f"expected a number, got {shown(value)}")
    if isinstance(value, int) and abs(value).bit_length() > 64 or not math.isfinite(value):
        raise refuse(where, key, f"expected a finite number, got {shown(value)}")
    if low is not None and value < low or high is not None and value > high:
        span = f"from {low:g} to {high:g}" if high is not None else f"at least {low:g}"
        raise refuse(where, key, f"expected a number {span}, got {shown(value)}")
    return float(value)


def texts(where: str, key: str, value: object, most: int, limit: int = 200) -> list[str]:
    """A list of texts (``["a", "b"]``), or one text split at its top-level commas."""
    from ..jacobian import split_top_level

    if isinstance(value, str):
        items = split_top_level(text(where, key, value, limit * most))
    elif isinstance(value, list):
        items = [text(where, f"{key}[{n}]", item, limit) for n, item in enumerate(value, 1)]
    else:
        raise refuse(
            where,
            key,
            f"expected text or a list of texts, got {type(value).__name__} {shown(value)}",
        )
    if not items or any(not item.strip() for item in items):
        raise refuse(where, key, "expected one or more non-empty expressions")
    if len(items) > most:
        raise refuse(where, key, f"expected at most {most}, got {len(items)}")
    return [item.strip() for item in items]


def sizes(where: str, key: str, value: object, most_layers: int, most_units: int) -> list[int]:
    """A list of positive integers (layer sizes), at most ``most_layers`` long."""
    if not isinstance(value, list) or not value:
        raise refuse(
            where, key, f"expected a list of layer sizes such as [3, 4, 3, 2], got {shown(value)}"
        )
    for n, item in enumerate(value, 1):
        if isinstance(item, bool) or not isinstance(item, int) or item < 1:
            raise refuse(where, key, f"size {n} must be a positive integer, got {shown(item)}")
        if item > most_units:
            raise refuse(
                where,
                key,
                f"size {n} is {item}; a hand exercise has at most {most_units} units per layer",
            )
    if len(value) > most_layers:
        raise refuse(
            where,
            key,
            f"{len(value)} layers; a hand exercise has at most "
            f"{most_layers} (input, hidden and output)",
        )
    return [int(item) for item in value]
