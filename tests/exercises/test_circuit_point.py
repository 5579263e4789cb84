"""One ``graph`` exercise at a given point: the blanks f and ∂f/∂v, with CS231n's numbers
for (x+y)*z at x=-2, y=5, z=-4 (by hand: f = -12, ∂f/∂x = ∂f/∂y = z = -4, ∂f/∂z = 3)."""

import pytest

from symgrad.exercises import circuit_shapes as shapes
from symgrad.exercises.circuit_point import exercise_at


def test_exercise_at_a_pinned_circuit_and_point():
    circuit = shapes.pinned_circuit("(x+y)*z", "written")
    ex = exercise_at("easy", circuit, {"x": -2.0, "y": 5.0, "z": -4.0}, strict=False)
    got = {a.name: a.value for a in ex.answers}
    assert got == {"f": -12.0, "df_dx": -4.0, "df_dy": -4.0, "df_dz": 3.0}  # CS231n's numbers


def test_a_point_on_a_kink_is_refused_when_strict_and_accepted_off_it():
    from symgrad.exercises.base import Rejected

    circuit = shapes.pinned_circuit("relu(x)*y", "written")
    with pytest.raises(Rejected):
        exercise_at("easy", circuit, {"x": 0.0, "y": 2.0}, strict=True)  # relu at 0 (f = 0 too)
    loose = exercise_at("easy", circuit, {"x": 1.5, "y": 2.0}, strict=False)
    assert {a.name: a.value for a in loose.answers} == {"f": 3.0, "df_dx": 2.0, "df_dy": 1.5}
