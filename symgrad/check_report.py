"""What every gradient check reports: one :class:`CheckRow` per checked quantity, gathered
into a :class:`CheckReport` by :func:`report` with its :func:`verdict`, and the one
:func:`relative_error` they are measured with. The numeric passes that produce them are
:mod:`symgrad.check`'s (which re-exports these names).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, cast

import numpy as np

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

    from .numpy_forms import FloatArray
    from .schema import CheckJSON, CheckRowJSON

TOLERANCE = 1e-6  # relative error that passes
TINY = 1e-300  # the smallest scale relative_error divides by


def relative_error(a: ArrayLike, b: ArrayLike, floor: float = 0.0) -> FloatArray:
    """``|a − b| / max(|a|, |b|, floor)``, elementwise: the one relative error of every check.

    ``floor`` is the size below which a difference is rounding, not disagreement (a true
    zero next to a numeric 1e-12); 0 means none. Two zeros agree exactly.

    >>> float(relative_error(1.0, 1.1)), float(relative_error(0.0, 1e-12, floor=1e-6))
    (0.09090909090909098, 1e-06)
    """
    x, y = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    scale = np.maximum(np.maximum(np.abs(x), np.abs(y)), max(floor, TINY))
    with np.errstate(invalid="ignore"):
        error: FloatArray = np.abs(x - y) / scale
    return error


@dataclass
class CheckRow:
    """The check of one quantity (a variable's gradient, an MLP parameter entry)."""

    name: str
    analytic: float
    numeric: float | None  # the oracle's value: a finite difference, a second reverse pass
    rel_error: float | None
    status: str  # 'pass', 'fail' or 'inconclusive'
    reason: str = ""
    symbolic: float | None = None  # sympy.diff of the whole expression, where it ran
    symbolic_rel_error: float | None = None


@dataclass
class CheckReport:
    """The outcome of any gradient check: ``passed`` is False if a row failed, None if one is
    inconclusive (at a kink, at a domain edge) and none failed, True if all passed.

    ``max_rel_error`` is the largest :func:`relative_error` over the decided rows (None if
    there are none); a row passes when it is at most ``tolerance``.
    """

    passed: bool | None
    max_rel_error: float | None
    tolerance: float
    method: str
    rows: list[CheckRow] = field(default_factory=list)
    kinks: list[str] = field(default_factory=list)  # nodes or units exactly at a kink

    @property
    def inconclusive(self) -> list[str]:
        """The names of the rows that could not be decided."""
        return [row.name for row in self.rows if row.status == "inconclusive"]

    def to_dict(self) -> CheckJSON:
        """The report as JSON data."""
        return {
            "passed": self.passed,
            "max_rel_error": self.max_rel_error,
            "tolerance": self.tolerance,
            "method": self.method,
            "kinks": list(self.kinks),
            "inconclusive": self.inconclusive,
            "rows": [cast("CheckRowJSON", asdict(r)) for r in self.rows],
        }


def report(
    names: Sequence[str],
    analytic: ArrayLike,
    numeric: ArrayLike,
    method: str,
    tolerance: float = TOLERANCE,
    floor: float = 0.0,
    inconclusive: dict[str, str] | None = None,
    kinks: Iterable[str] = (),
) -> CheckReport:
    """Compare ``analytic`` with ``numeric`` row by row into a :class:`CheckReport`.

    ``inconclusive`` maps a name to the reason it cannot be decided (a kink, a domain edge);
    a row whose numeric value is not finite is inconclusive too.
    """
    inconclusive = inconclusive or {}
    errors = relative_error(analytic, numeric, floor)
    rows = []
    for name, a, n, err in zip(names, np.ravel(analytic), np.ravel(numeric), np.ravel(errors)):
        reason = inconclusive.get(name)
        if reason is None and not np.isfinite(n):
            reason = "the oracle's value is not finite (domain edge)"
        if reason is not None:
            rows.append(
                CheckRow(
                    name, float(a), finite_or_none(n), finite_or_none(err), "inconclusive", reason
                )
            )
        else:
            ok = bool(err <= tolerance)
            rows.append(CheckRow(name, float(a), float(n), float(err), "pass" if ok else "fail"))
    decided = [r.rel_error for r in rows if r.status != "inconclusive" and r.rel_error is not None]
    return CheckReport(
        verdict(rows), max(decided, default=None), tolerance, method, rows, list(kinks)
    )


def verdict(rows: list[CheckRow]) -> bool | None:
    """False if any row failed; None if any could not be decided; else True."""
    if any(r.status == "fail" for r in rows):
        return False
    if any(r.status == "inconclusive" for r in rows):
        return None
    return True


def finite_or_none(x: float | None) -> float | None:
    """``x`` as a float, or None if it is missing or not finite (NaN, ±inf)."""
    return None if x is None or not np.isfinite(x) else float(x)
