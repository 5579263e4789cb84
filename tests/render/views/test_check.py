"""The numeric check as the templates show it: verdict words, formatted errors, one row per
variable, and the kink reason, for a right, a wrong and an inconclusive gradient."""

import pytest

from symgrad.derivation import derive
from symgrad.render.views.check import check_dict, check_view


def test_a_kink_is_inconclusive_with_its_reason():
    view = check_view(derive("relu(x)*y", at="x=0,y=2").check)
    assert view["passed"] == "inconclusive" and view["kinks"] == ["z_1"]
    rows = {row["name"]: row for row in view["rows"]}
    assert rows["x"]["status"] == "inconclusive" and "kink" in rows["x"]["reason"]
    assert rows["y"]["status"] == "pass" and rows["y"]["reason"] == ""


def test_a_passing_check_shows_small_errors():
    view = check_view(derive("x*y + sin(x)", at="x=0.5,y=2").check)
    assert view["passed"] == "passed"
    for row in view["rows"]:
        assert row["status"] == "pass"
        assert float(row["rel_error"]) < 1e-6
        assert float(row["analytic"]) == pytest.approx(float(row["numeric"]), rel=1e-3)


def test_a_failing_check_says_so():
    failing = {
        "passed": False,
        "max_rel_error": 0.5,
        "method": "central differences",
        "rows": [
            {"name": "x", "analytic": 1.0, "numeric": 2.0, "rel_error": 0.5, "status": "fail"}
        ],
        "kinks": [],
    }
    view = check_view(failing)
    assert view["passed"] == "failed" and view["max_rel_error_tex"] == "0.5"
    assert view["rows"][0]["status"] == "fail" and view["rows"][0]["rel_error"] == "5.0e-01"
    assert check_dict(failing) is failing
