"""``symgrad stress``: generate many seeds of one kind and report what went wrong.

After R/exams' ``stresstest_exercise``: exceptions, the range of every answer, duplicate
questions, kink hits, (near-)zero or non-finite answers, an independent numeric check
of the derivation behind each exercise, and fairness: whether typing one constant (1, 0 or
−1) in every blank pays (:func:`~.base.guessing_score`), and whether every seed asks the
same blanks with the same weights.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..render.numbers import number
from .base import KINK_MARGIN, MIN_ANSWER, guessing_score
from .fair import guessable

if TYPE_CHECKING:
    from collections.abc import Callable

    from .base import Exercise

DUPLICATE_WINDOW = 100  # "no duplicate among the first 100 versions"
MAX_GUESSING = 0.05  # a kind whose mean guessing score is above this fails


@dataclass
class StressReport:
    kind: str
    difficulty: str
    seeds: int
    exceptions: Counter = field(default_factory=Counter)
    ranges: dict = field(default_factory=dict)  # answer name -> [min, max, count]
    duplicates: int = 0  # seeds whose question repeats an earlier seed's
    duplicates_first_100: int = 0
    kink_hits: int = 0  # kink argument closer than KINK_MARGIN
    zero_answers: int = 0  # |answer| < MIN_ANSWER
    nonfinite_answers: int = 0
    check_failures: int = 0  # independent numeric check disagrees with the key
    min_kink_distance: float = math.inf
    guessing_total: float = 0.0  # sum of guessing scores over the generated exercises
    guessing_max: float = 0.0
    generated: int = 0  # exercises generated without an exception
    all_guessable: int = 0  # exercises whose every answer is 0, 1 or -1
    layouts: Counter = field(default_factory=Counter)  # (blank names... , weights) -> seeds

    @property
    def guessing_mean(self) -> float:
        return self.guessing_total / self.generated if self.generated else 0.0

    @property
    def blank_counts(self) -> list[int]:
        return sorted({len(layout) for layout in self.layouts})

    @property
    def ok(self) -> bool:
        return not (
            self.exceptions
            or self.kink_hits
            or self.zero_answers
            or self.nonfinite_answers
            or self.check_failures
            or self.duplicates_first_100
            or self.guessing_mean > MAX_GUESSING
            or self.all_guessable
            or len(self.blank_counts) > 1
            or len(self.weight_sets) > 1
        )

    @property
    def weight_sets(self) -> list[tuple[float, ...]]:
        return sorted({tuple(weight for _, weight in layout) for layout in self.layouts})

    def to_dict(self) -> dict:
        return {
            "kind": self.kind,
            "difficulty": self.difficulty,
            "seeds": self.seeds,
            "ok": self.ok,
            "exceptions": dict(sorted(self.exceptions.items())),
            "duplicates": self.duplicates,
            "duplicates_first_100": self.duplicates_first_100,
            "kink_hits": self.kink_hits,
            "zero_answers": self.zero_answers,
            "nonfinite_answers": self.nonfinite_answers,
            "check_failures": self.check_failures,
            "min_kink_distance": None
            if math.isinf(self.min_kink_distance)
            else self.min_kink_distance,
            "guessing": {
                "mean": self.guessing_mean,
                "max": self.guessing_max,
                "limit": MAX_GUESSING,
                "all_answers_guessable": self.all_guessable,
            },
            "blank_counts": self.blank_counts,
            "weight_sets": len(self.weight_sets),
            "answers": {
                name: {"min": lo, "max": hi, "count": n}
                for name, (lo, hi, n) in sorted(self.ranges.items())
            },
        }

    def to_text(self) -> str:
        lines = [
            f"stress {self.kind} ({self.difficulty}): {self.seeds} seeds — "
            + ("OK" if self.ok else "PROBLEMS FOUND"),
            "",
        ]
        kink = "none" if math.isinf(self.min_kink_distance) else number(self.min_kink_distance)
        rows = [
            ("exceptions", sum(self.exceptions.values())),
            ("duplicate questions", self.duplicates),
            (f"duplicates among first {DUPLICATE_WINDOW}", self.duplicates_first_100),
            (f"kink hits (closer than {number(KINK_MARGIN)})", self.kink_hits),
            ("smallest kink distance", kink),
            (f"zero answers (|a| < {number(MIN_ANSWER)})", self.zero_answers),
            ("non-finite answers", self.nonfinite_answers),
            ("numeric check failures", self.check_failures),
            (
                f"guessing score, mean (limit {number(100 * MAX_GUESSING)} %)",
                f"{100 * self.guessing_mean:.1f} %",
            ),
            ("guessing score, max", f"{100 * self.guessing_max:.1f} %"),
            ("every answer 0, 1 or -1", self.all_guessable),
            ("blanks per exercise", ", ".join(map(str, self.blank_counts)) or "-"),
            ("different weight lists", len(self.weight_sets)),
        ]
        width = max(len(r[0]) for r in rows)
        lines += [f"  {name:<{width}}  {value}" for name, value in rows]
        for message, count in sorted(self.exceptions.items()):
            lines.append(f"    {count} × {message}")
        lines += ["", "  answer            count        min        max"]
        for name, (lo, hi, n) in sorted(self.ranges.items()):
            lines.append(f"  {name:<16} {n:>6} {number(lo, 4):>10} {number(hi, 4):>10}")
        return "\n".join(lines) + "\n"


def independent_check(exercise: Exercise) -> bool:
    """Finite differences on the derivation (or MLP) behind the exercise agree with the key."""
    import numpy as np

    # a Derivation, a VectorChainRule or an MLP result, told apart by its attributes
    d: Any = exercise.derivation
    if d is None:
        return True
    if hasattr(d, "graph") and hasattr(d, "gradients") and hasattr(d, "point"):
        from ..check import check_graph

        point = {k: float(v) for k, v in d.point.items()}
        result = check_graph(
            d.graph, point, {k: g.value for k, g in d.gradients.items()}, sympy_check=False
        )  # vectorized central differences only: fast
        return result.passed is not False
    if hasattr(d, "grad_x_value"):  # a VectorChainRule: its product against z(g(x)) directly
        return d.check is None or d.check.passed is not False
    if hasattr(d, "spec") and hasattr(d, "params"):
        from ..mlp import run_mlp

        checked = run_mlp(d.spec, d.params, check=True, scalar_check=False)  # finite differences
        return (
            checked.check is not None
            and checked.check.passed is not False
            and all(
                np.allclose(checked.gradients[k], g, rtol=1e-12, atol=1e-12)
                for k, g in d.gradients.items()
            )
        )
    return True


def stress(
    kind: str,
    n: int = 1000,
    difficulty: str = "medium",
    start: int = 0,
    check: bool = True,
    progress: Callable[[int], object] | None = None,
) -> StressReport:
    """Generate seeds ``start .. start+n-1`` of ``kind`` and collect a :class:`StressReport`.

    No SymPy work per seed beyond what generating the exercise needs: the independent check
    is float64 central differences only. 1000 seeds take about 1-12 s per kind and
    difficulty in one process (the ``graph`` kind at ``hard`` is the slowest).
    """
    from . import make_exercise

    report = StressReport(kind, difficulty, n)
    seen: set[str] = set()
    for i, seed in enumerate(range(start, start + n)):
        if progress:
            progress(1)
        try:
            ex = make_exercise(kind, seed, difficulty)
        except Exception as err:  # noqa: BLE001 - counting them is the point
            report.exceptions[f"{type(err).__name__}: {err}"] += 1
            continue
        fp = ex.fingerprint()
        if fp in seen:
            report.duplicates += 1
            if i < DUPLICATE_WINDOW:
                report.duplicates_first_100 += 1
        seen.add(fp)
        distance = ex.diagnostics.get("kink_distance", math.inf)
        report.min_kink_distance = min(report.min_kink_distance, distance)
        if distance < KINK_MARGIN:
            report.kink_hits += 1
        report.generated += 1
        score = guessing_score(ex)
        report.guessing_total += score
        report.guessing_max = max(report.guessing_max, score)
        report.all_guessable += all(guessable(a) for a in ex.answers)
        report.layouts[tuple((a.name, a.weight) for a in ex.answers)] += 1
        for a in ex.answers:
            if not math.isfinite(a.value):
                report.nonfinite_answers += 1
                continue
            if abs(a.value) < MIN_ANSWER:
                report.zero_answers += 1
            lo, hi, count = report.ranges.get(a.name, (math.inf, -math.inf, 0))
            report.ranges[a.name] = [min(lo, a.value), max(hi, a.value), count + 1]
        if check:
            try:
                import numpy as np

                with np.errstate(all="ignore"):
                    passed = independent_check(ex)
            except Exception as err:  # noqa: BLE001 - a crash in the checker, not the exercise
                report.exceptions[f"check: {type(err).__name__}: {err}"] += 1
                continue
            if not passed:
                report.check_failures += 1
    return report
