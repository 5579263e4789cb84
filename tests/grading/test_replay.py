"""Error carried forward, quantity by quantity, on CS231n's (x+y)*z at x=-2, y=5, z=-4
(q = x+y = 3, f = q*z = -12; df/dq = z = -4, df/dz = q = 3, df/dx = df/dy = -4 by hand)."""

import pytest

from symgrad.derivation import derive
from symgrad.errors import SymgradError
from symgrad.grading.judgement import Quantity
from symgrad.grading.replay import Replay


@pytest.fixture
def world():
    d = derive("(x+y)*z", at="x=-2,y=5,z=-4")
    q, f = d.graph.op_nodes
    nodes = {"q": q.id, "f": f.id, **{v: d.graph.var_node(v).id for v in "xyz"}}
    return Replay(d), nodes


def value(name, node, true):
    return Quantity(name, "value", node, true)


def grad(name, node, true):
    return Quantity(f"df/d{name}", "gradient", node, true)


def test_right_answers_are_correct(world):
    replay, n = world
    assert replay.judge(value("q", n["q"], 3.0), 3.0).verdict == "correct"
    assert replay.judge(value("f", n["f"], -12.0), -12.0).verdict == "correct"
    replay.judge(grad("f", n["f"], 1.0), 1.0)
    assert replay.judge(grad("q", n["q"], -4.0), -4.0).verdict == "correct"
    assert replay.judge(grad("z", n["z"], 3.0), 3.0).verdict == "correct"


def test_a_wrong_value_is_carried_into_what_follows_from_it(world):
    replay, n = world
    first = replay.judge(value("q", n["q"], 3.0), 4.0)
    assert (first.verdict, first.credit) == ("wrong", 0.0)
    later = replay.judge(value("f", n["f"], -12.0), -16.0)  # 4 * -4: right from their q
    assert (later.verdict, later.expected, later.credit) == ("carried", -16.0, 1.0)
    replay.judge(grad("f", n["f"], 1.0), None)
    dz = replay.judge(grad("z", n["z"], 3.0), 4.0)  # df/dz = their q
    assert dz.verdict == "carried" and dz.expected == 4.0


def test_the_true_value_after_a_slip_is_still_correct(world):
    replay, n = world
    replay.judge(value("q", n["q"], 3.0), 4.0)
    j = replay.judge(value("f", n["f"], -12.0), -12.0)  # true, though not from their q
    assert (j.verdict, j.credit, j.expected) == ("correct", 1.0, -16.0)
    wrong = replay.judge(grad("f", n["f"], 1.0), 2.0)
    assert wrong.verdict == "wrong" and wrong.credit < 1


def test_an_unanswered_quantity_takes_the_learners_world(world):
    replay, n = world
    replay.judge(value("q", n["q"], 3.0), 4.0)
    skipped = replay.judge(value("f", n["f"], -12.0), None)
    assert skipped.verdict == "unanswered" and skipped.expected == -16.0


def test_formulas_are_judged_exactly_or_at_points(world):
    replay, n = world
    for name in ("f", "q"):
        replay.judge(grad(name, n[name], 1.0 if name == "f" else -4.0), None)
    right = replay.judge(grad("y", n["y"], -4.0), "z")
    assert (right.verdict, right.method) == ("correct", "exact")
    flipped = replay.judge(grad("x", n["x"], -4.0), "-z")
    assert flipped.verdict == "wrong" and flipped.mistake == "sign_flip"


def test_a_derivation_without_a_point_cannot_be_replayed():
    with pytest.raises(SymgradError, match="needs a point"):
        Replay(derive("x*y"))
