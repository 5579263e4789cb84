"""A point: ``--at NAME=VALUE,...`` (or a dict) as exact SymPy numbers.

Values may be decimals (``-1.5``, kept exact as 3/2), constant expressions (``1/2``,
``pi/4``) or numbers from Python and NumPy; digits are ASCII only.

>>> parse_assignments("w0=2, x0=-1.5, y=pi/4")
{'w0': 2, 'x0': -3/2, 'y': pi/4}
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping

import sympy

from .errors import SymgradError
from .parse import NAME_RE, parse

_DECIMAL = re.compile(r"-?[0-9]{1,15}(\.[0-9]{1,15})?")  # a plain number needs no parser


def parse_assignments(
    text: str | Mapping[str, object] | None, what: str = "--at"
) -> dict[str, sympy.Expr]:
    """``"w0=2, x0=-1"`` (or a dict) -> exact SymPy values; values may be ``1/2``, ``pi``..."""
    if text is None:
        return {}
    if not isinstance(text, (str, Mapping)):
        raise SymgradError(
            f"{what}: expected NAME=VALUE text or a dict of values, not {type(text).__name__}"
        )
    items: list[tuple[str, object]]
    if isinstance(text, Mapping):
        items = [(str(k), v) for k, v in text.items()]
    else:
        items = []
        parts = _top_level_parts(text)
        for part in parts:
            if not part.strip():
                if len(parts) == 1:  # --at "": no point
                    continue
                raise SymgradError(
                    f"{what}: expected NAME=VALUE between the commas, got {text.strip()!r}"
                )
            name, sep, written = part.partition("=")
            if not sep:
                if NAME_RE.fullmatch(part.strip()):
                    raise SymgradError(
                        f"{what}: {part.strip()} has no value (write {part.strip()}=VALUE)"
                    )
                raise SymgradError(f"{what}: expected NAME=VALUE, got {part.strip()!r}")
            items.append((name.strip(), written.strip()))
    point: dict[str, sympy.Expr] = {}
    for name, value in items:
        if not NAME_RE.match(name):
            raise SymgradError(f"{what}: invalid variable name {name!r}")
        if name in point:
            raise SymgradError(f"{what}: {name} is given twice")
        point[name] = _exact_number(value, f"{what} {name}")
    return point


def _top_level_parts(text: str) -> list[str]:
    """``text`` split at the commas outside parentheses (a value may be ``max(1, 2)``).

    >>> _top_level_parts("x=1, y=max(1,2),z")
    ['x=1', ' y=max(1,2)', 'z']
    """
    parts: list[str] = []
    depth = start = 0
    for i, char in enumerate(text):
        if char in "([":
            depth += 1
        elif char in ")]":
            depth = max(0, depth - 1)
        elif char == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts


def _exact_number(value: object, what: str) -> sympy.Expr:
    import numbers

    if getattr(value, "shape", None) == () and hasattr(value, "item"):  # a NumPy scalar
        value = value.item()
    if isinstance(value, bool):
        raise SymgradError(f"{what}: expected a number, got {value!r}")
    if isinstance(value, numbers.Integral) and not isinstance(value, int):
        value = int(value)
    elif isinstance(value, numbers.Real) and not isinstance(value, (float, sympy.Basic)):
        value = float(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise SymgradError(f"{what}: expected a finite number, got {value!r}")
        value = repr(value)
    if isinstance(value, int):
        value = str(value)
    if isinstance(value, sympy.Basic):
        exact = value
    elif isinstance(value, str) and _DECIMAL.fullmatch(value.strip()):
        exact = sympy.Rational(value.strip())
    elif isinstance(value, str):
        try:
            tree = parse(value)
        except SymgradError as err:
            raise SymgradError(f"{what}: {err}") from None
        if not tree.is_const:
            raise SymgradError(f"{what}: expected a number, got {value!r}")
        exact = tree.number
    else:
        raise SymgradError(f"{what}: expected a number, got {value!r}")
    if not (exact.is_real and exact.is_finite):
        raise SymgradError(f"{what}: expected a finite real number, got {value!r}")
    return exact
