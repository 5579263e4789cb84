"""symgrad.exercises.stress: a thousand seeds of every kind and difficulty pass the
independent oracle's checks (clean numbers, no kinks, fair answers)."""

from __future__ import annotations

import pytest

from symgrad.exercises import DIFFICULTIES, KINDS
from symgrad.exercises.stress import stress

pytestmark = pytest.mark.slow  # a thousand seeds per kind and difficulty

CASES = [(k, d) for k in KINDS for d in DIFFICULTIES]


@pytest.mark.parametrize("kind,difficulty", CASES)
def test_stress_1000_seeds(kind, difficulty):
    """Issue 5's acceptance: 1000 seeds per kind (here at every difficulty), 0 exceptions,
    0 kink hits, 0 zero answers, no duplicate among the first 100; ~50 s for all 18 cases."""
    report = stress(kind, 1000, difficulty)
    assert report.seeds == 1000 and report.ok, report.to_text()
    assert not report.exceptions, report.exceptions
    assert report.kink_hits == 0 and report.zero_answers == 0
    assert report.check_failures == 0 and report.nonfinite_answers == 0
    assert report.duplicates_first_100 == 0
