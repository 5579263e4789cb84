"""The check report: rows decided against the tolerance, inconclusive rows kept apart, the
verdict, the JSON form, and the one relative error."""

import math

import numpy as np

from symgrad import check
from symgrad.check_report import (
    TOLERANCE,
    CheckRow,
    finite_or_none,
    relative_error,
    report,
    verdict,
)


def test_relative_error_is_symmetric_and_floored():
    assert float(relative_error(1.0, 1.1)) == float(relative_error(1.1, 1.0))
    assert math.isclose(float(relative_error(1.0, 1.1)), 0.1 / 1.1)
    assert float(relative_error(0.0, 0.0)) == 0.0
    assert float(relative_error(0.0, 1e-12)) == 1.0  # no floor: a true zero vs rounding
    assert float(relative_error(0.0, 1e-12, floor=1e-6)) < 1e-5


def test_report_passes_within_tolerance_and_fails_beyond():
    r = report(["a", "b"], [1.0, 2.0], [1.0 + 1e-9, 2.0], "fd")
    assert r.passed is True and [row.status for row in r.rows] == ["pass", "pass"]
    r = report(["a", "b"], [1.0, 2.0], [1.0, 2.0 * (1 + 10 * TOLERANCE)], "fd")
    assert r.passed is False and r.rows[1].status == "fail"
    assert math.isclose(r.max_rel_error, 10 * TOLERANCE / (1 + 10 * TOLERANCE))


def test_inconclusive_rows_are_neither_pass_nor_fail():
    r = report(["a", "b"], [1.0, 5.0], [1.0, 7.0], "fd", inconclusive={"b": "at a kink"})
    assert r.passed is None and r.inconclusive == ["b"]
    assert r.max_rel_error == 0.0  # the undecided row does not count
    r = report(["a"], [1.0], [np.nan], "fd")
    assert r.passed is None and "not finite" in r.rows[0].reason


def test_a_failure_outweighs_an_inconclusive_row():
    rows = [CheckRow("a", 1, 2, 0.5, "fail"), CheckRow("b", 1, None, None, "inconclusive")]
    assert verdict(rows) is False
    assert verdict(rows[1:]) is None
    assert verdict([]) is True


def test_to_dict_carries_rows_and_kinks():
    r = report(["x"], [3.0], [3.0], "fd", kinks=["relu_1"])
    data = r.to_dict()
    assert data["passed"] is True and data["kinks"] == ["relu_1"]
    assert data["rows"][0]["name"] == "x" and data["rows"][0]["status"] == "pass"


def test_finite_or_none():
    assert finite_or_none(None) is None and finite_or_none(float("inf")) is None
    assert finite_or_none(np.float64(2.5)) == 2.5


def test_check_re_exports_the_report():
    for name in ("CheckReport", "CheckRow", "relative_error", "report", "verdict", "TOLERANCE"):
        assert getattr(check, name) is getattr(
            __import__("symgrad.check_report").check_report, name
        )
