"""The fill-in circuit: the question sheet's slots are empty except for the given inputs, the
key's slots hold the derivation's numbers, and problems() finds boxes that touch."""

import copy

import pytest

from symgrad.exercises import make_exercise
from symgrad.render.views.blank_circuit import blank_circuit, problems


@pytest.fixture(scope="module")
def exercise():
    return make_exercise("graph", 3, "easy")  # f = x*y*max(z, x) at x=-2, y=3, z=-1


def test_question_slots_are_blank_except_the_given_inputs(exercise):
    picture = blank_circuit(exercise, filled=False)
    given = {s["text"] for s in picture["slots"] if s["kind"] == "value" and s["text"]}
    assert given <= {"-2", "3", "-1"}  # the point is given, nothing else
    others = [s for s in picture["slots"] if s["kind"] != "value"]
    assert [s["text"] for s in others if s["source"] == ("seed",)] == ["1"]  # ∂f/∂f = 1, given
    assert all(s["text"] == "" for s in others if s["source"] != ("seed",))


def test_key_slots_hold_the_hand_numbers(exercise):
    picture = blank_circuit(exercise, filled=True)
    texts = [s["text"] for s in picture["slots"]]
    assert all(texts), texts  # every slot filled in the key
    # by hand: u1 = x·y = -6, u2 = max(x, z) = -1 (z wins), f = u1·u2 = 6; backward:
    # ∂f/∂u1 = u2 = -1, ∂f/∂u2 = u1 = -6, x: -1·y = -3 and 0 (the max's losing branch),
    # y: -1·x = 2, z: -6; x forks, so its total -3 + 0 has a slot of its own
    edges = sorted(s["text"] for s in picture["slots"] if s["kind"] == "gradient")
    assert edges == sorted(["-3", "0", "2", "-6", "-1", "-6", "1"])
    assert [s["text"] for s in picture["slots"] if s["kind"] == "total"] == ["-3"]
    assert [s["text"] for s in picture["slots"] if s["source"] == ("output",)] == ["6"]


def test_a_good_picture_has_no_problems_and_a_planted_overlap_is_found(exercise):
    picture = blank_circuit(exercise, filled=False)
    assert problems(picture) == []
    broken = copy.deepcopy(picture)
    broken["slots"][1]["box"] = broken["nodes"][0]["box"]  # a slot on top of a node
    assert any("overlaps" in p for p in problems(broken))
