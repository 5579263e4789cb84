"""Reading a derivation for exercises: significant figures, the rounded student's pass, the
common mistakes' wrong answers, kink distances and the worked-solution lines, against numbers
worked out by hand."""

from __future__ import annotations

import math

import pytest

from symgrad.derivation import derive
from symgrad.exercises import make_exercise
from symgrad.exercises.chain import (
    kink_distance,
    mistakes,
    numbers_at,
    rounded_pass,
    significant,
    solution_lines,
)


def test_rounded_pass_is_exact_with_many_digits():
    """The student model itself: with 15 figures it is the derivation's own numbers."""
    for seed in range(10):
        ex = make_exercise("graph", seed, "hard")
        values, adjoint = rounded_pass(ex.derivation, 15)
        assert math.isclose(values[ex.derivation.graph.output], ex.derivation.value, rel_tol=1e-12)
        for g in ex.derivation.gradients.values():
            node = ex.derivation.graph.var_node(g.name)
            assert math.isclose(adjoint[node.id], g.value, rel_tol=1e-9, abs_tol=1e-12)


@pytest.mark.parametrize(
    "x, digits, rounded",
    [(0.196611, 3, 0.197), (-1234.5, 2, -1200.0), (0.0, 3, 0.0), (9.996, 3, 10.0)],
)
def test_significant_figures(x, digits, rounded):
    assert significant(x, digits) == pytest.approx(rounded, rel=1e-12)


def test_common_mistakes_of_relu_y_plus_x_by_hand():
    """f = relu(x)*y + x at x = 0.5, y = 2: df/dx = y·1 + 1 = 3."""
    d = derive("relu(x)*y + x", at="x=0.5,y=2")
    found = dict(mistakes(d, "x"))
    assert found["sign_flip"] == -3.0
    assert found["missed_branch"] == 1.0  # only the direct path x -> +
    assert found["value_not_derivative"] == 2.0  # relu(x) = 0.5 in place of relu′ = 1: 0.5·2 + 1
    assert 3.0 not in found.values()  # no mistake gives the right answer


def test_kink_distance_is_the_smallest_kink_expression():
    assert kink_distance(derive("relu(x)*y + x", at="x=0.5,y=2")) == 0.5
    assert kink_distance(derive("relu(x-0.25)", at="x=0.5")) == 0.25
    assert kink_distance(derive("x*y", at="x=1,y=2")) == float("inf")


def test_solution_lines_go_forward_node_by_node_with_values():
    lines = solution_lines(derive("relu(x)*y + x", at="x=0.5,y=2"), "f")
    maths = [line["math"] for line in lines]
    assert maths[1].endswith("= 0.5") and maths[2].endswith("= 1") and maths[3].endswith("= 1.5")
    assert lines[0]["note"]["en"].startswith("Forward pass")


def test_numbers_at_a_displayed_point():
    assert numbers_at("x*y", {"x": 2, "y": 3}, "written") == (6.0, {"x": 3.0, "y": 2.0})
