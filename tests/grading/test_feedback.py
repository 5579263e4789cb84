"""What `symgrad grade` writes is safe to open: CSV cells that a spreadsheet would run as a
formula are defused, and problems.csv lists each problem with its line."""

from __future__ import annotations

import pytest

from symgrad.grading.feedback import csv_cell, problems_csv


def test_formulas_in_csv_output_are_defused():
    for formula in ("=1+1", "+1", "-1+2", "@SUM(A1)", "\tx", "\r=x"):
        assert csv_cell(formula).startswith("'")
    assert csv_cell("ann") == "ann"
    assert "'=HYPERLINK" in problems_csv([type("P", (), {"line": 3, "message": "=HYPERLINK(x)"})()])


def test_problems_csv_lists_line_and_problem_and_is_a_header_alone_when_clean():
    import csv
    import io

    problem = type("P", (), {"line": 7, "message": 'bad number "1.2.3", ok'})()
    rows = list(csv.reader(io.StringIO(problems_csv([problem]))))
    assert rows == [["line", "problem"], ["7", 'bad number "1.2.3", ok']]
    assert list(csv.reader(io.StringIO(problems_csv([])))) == [["line", "problem"]]


@pytest.mark.parametrize("safe", ["ann", "1.5", "0.25", "Zhang San", "张三"])
def test_ordinary_cells_are_left_alone(safe):
    assert csv_cell(safe) == safe
