"""The check report view: a numeric gradient check as the templates show it.

Accepts a check object with ``to_dict()`` (``symgrad.check``) or a plain dict of the same
fields; rows come from ``rows`` (or, from older results, ``variables``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..numbers import error_tex, error_text, number

if TYPE_CHECKING:
    from ...check import CheckReport
    from ...schema import CheckJSON

VERDICTS = {True: "passed", False: "failed", None: "inconclusive"}
"""A check's ``passed`` as the key of its phrase: ``check_passed``, ``check_failed``, ..."""


def check_dict(check: CheckReport | dict | None) -> CheckJSON | dict | None:
    """The check's plain data (``to_dict()``), or ``check`` itself when it is a dict already."""
    if check is None or isinstance(check, dict):
        return check
    return check.to_dict()


def check_view(
    check: CheckReport | dict | None, names_tex: dict[str, str] | None = None
) -> dict | None:
    """Verdict, largest error, method and one row per checked variable, formatted."""
    data = check_dict(check)
    if data is None:
        return None
    names_tex = names_tex or {}
    rows = []
    for row in data.get("rows", data.get("variables", [])):
        rows.append(
            {
                "name": row["name"],
                "tex": names_tex.get(row["name"], row["name"]),
                "analytic": number(row["analytic"], 8),
                "numeric": number(row["numeric"], 8),
                "rel_error": error_text(row["rel_error"]),
                "rel_error_tex": error_tex(row["rel_error"]),
                "status": row["status"],
                "reason": row.get("reason", ""),
            }
        )
    return {
        "passed": VERDICTS[data["passed"]],
        "max_rel_error": error_text(data["max_rel_error"]),
        "max_rel_error_tex": error_tex(data["max_rel_error"]),
        "method": data["method"],
        "rows": rows,
        "kinks": list(data.get("kinks", [])),
    }
