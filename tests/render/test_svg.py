"""The circuit as SVG data: boxes inside the picture, and the stepping script's data
(forward node by node, then backward edge by edge) with CS231n's numbers for (x+y)*z at
x=-2, y=5, z=-4, worked out by hand: q = 3, f = -12, df/dq = -4, df/dx = df/dy = -4, df/dz = 3."""

import pytest

from symgrad.derivation import derive
from symgrad.render.svg import circuit_svg, inspect, steps
from symgrad.render.views.derivation import graph_tex


@pytest.fixture(scope="module")
def d():
    return derive("(x+y)*z", at="x=-2,y=5,z=-4")


def test_every_box_lies_inside_the_picture_and_none_overlap(d):
    svg = circuit_svg(d, graph_tex(d))
    assert svg["overlaps"] == 0  # the count of touching boxes
    for box in svg["gates"] + svg["labels"]:
        assert 0 <= box["x"] and box["x"] + box["w"] <= svg["width"]
        assert 0 <= box["y"] and box["y"] + box["h"] <= svg["height"]
    assert svg["has_point"] is True


def test_forward_steps_come_first_with_the_hand_values(d):
    s = steps(d, graph_tex(d))
    kinds = [step["kind"] for step in s]
    assert kinds == sorted(kinds, key=lambda k: k != "forward")  # all forward, then backward
    forward = [step["latex"] for step in s if step["kind"] == "forward"]
    assert forward[0].endswith("= 3") and forward[1].endswith("= -12")


def test_backward_steps_are_one_per_edge_with_the_hand_products(d):
    s = [step for step in steps(d, graph_tex(d)) if step["kind"] == "backward"]
    assert len(s) == sum(len(n.inputs) for n in d.graph.op_nodes)  # one per op input edge
    assert {step["latex"].rsplit("= ", 1)[1] for step in s} == {"-4", "3"}


def test_a_click_shows_value_and_gradient(d):
    shown = inspect(d, graph_tex(d))
    x = str(d.graph.var_node("x").id)
    z = str(d.graph.var_node("z").id)
    assert shown[x]["latex"] == ["x = -2", r"\frac{\partial f}{\partial x} = -4"]
    assert shown[z]["latex"][1].endswith("= 3")


def test_without_a_point_there_are_no_numbers():
    d = derive("(x+y)*z")
    svg = circuit_svg(d, graph_tex(d))
    assert svg["has_point"] is False
    assert not any("= -12" in step["latex"] for step in svg["steps"])
