"""The circuit layout's box plan: label boxes (value above the wire, gradient below, node
name) never intersect each other or a gate, on a corpus of graphs from 5 to 40 nodes."""

import pytest
from support.circuits import DERIVATIONS, ISSUE_17, LECTURE

from symgrad.derivation import derive
from symgrad.render.layout import overlaps, plan, wire_points
from symgrad.render.svg import circuit_svg
from symgrad.render.views.derivation import graph_tex


def test_corpus_spans_5_to_40_nodes():
    sizes = sorted(len(d.graph.nodes) for d in DERIVATIONS)
    assert sizes[0] <= 6 and sizes[-1] >= 36, sizes
    assert len(DERIVATIONS) >= 30


@pytest.mark.parametrize("d", DERIVATIONS, ids=lambda d: f"{len(d.graph.nodes)}-nodes")
def test_no_label_meets_a_label_or_a_gate(d):
    svg = circuit_svg(d, graph_tex(d))
    boxes = svg["labels"] + svg["gates"]
    assert overlaps(boxes) == []
    kinds = {b["kind"] for b in svg["labels"]}
    assert {"value", "gradient", "name"} <= kinds
    # every op node has a value and a gradient label; every box lies inside the picture
    assert sum(b["kind"] == "value" for b in svg["labels"]) >= len(d.graph.op_nodes)
    for b in boxes:
        assert 0 <= b["x"] and b["x"] + b["w"] <= svg["width"]
        assert 0 <= b["y"] and b["y"] + b["h"] <= svg["height"]


def crossings(svg) -> list:
    """(wire, box) pairs where a wire's path runs inside a label or a gate."""
    boxes = svg["labels"] + svg["gates"]
    found = []
    for wire in svg["wires"]:
        for x, y in wire_points(wire):
            for b in boxes:
                if (
                    b["x"] + 0.5 < x < b["x"] + b["w"] - 0.5
                    and b["y"] + 0.5 < y < b["y"] + b["h"] - 0.5
                ):
                    found.append((wire["id"], b["kind"], b["node"]))
    return found


@pytest.mark.slow
@pytest.mark.parametrize("d", DERIVATIONS, ids=lambda d: f"{len(d.graph.nodes)}-nodes")
def test_no_wire_runs_through_a_label_or_a_gate(d):
    assert crossings(circuit_svg(d, graph_tex(d))) == []


def test_crossings_can_be_found():
    """The wire measure can fail: a straight wire drawn through the picture's gates."""
    d = derive(*ISSUE_17)
    svg = circuit_svg(d, graph_tex(d))
    first, last = svg["gates"][0], svg["gates"][-1]
    straight = {"id": "x", "pieces": [("L", (0, first["y"] + 5), (svg["width"], last["y"] + 5))]}
    assert crossings({**svg, "wires": [straight]}) != []


def test_values_above_and_gradients_below_their_wire():
    d = derive(*LECTURE)
    svg = circuit_svg(d, graph_tex(d))
    for node in svg["nodes"]:
        for box in svg["labels"]:
            if box["node"] != node["id"]:
                continue
            if box["kind"] == "value":
                assert box["y"] + box["h"] <= node["y"]
            if box["kind"] == "gradient":
                assert box["y"] >= node["y"]


def test_overlaps_finds_intersecting_boxes():
    """The measure can fail: two boxes that share an area, and two that only touch."""
    a = {"x": 0, "y": 0, "w": 10, "h": 10}
    assert overlaps([a, {"x": 9, "y": 9, "w": 5, "h": 5}]) != []
    assert overlaps([a, {"x": 10, "y": 0, "w": 5, "h": 5}]) == []
    assert overlaps([a, {"x": 3, "y": -20, "w": 2, "h": 40}]) != []


def test_columns_follow_the_graph():
    """Every wire runs left to right: a node's input ends left of its gate."""
    for d in DERIVATIONS[:10]:
        texts = {
            n.id: {"gate": n.name, "name": "", "value": "1", "gradient": "2"} for n in d.graph.nodes
        }
        geometry = plan(d.graph, texts)
        for wire in geometry["wires"]:
            assert wire["x1"] < wire["x2"]
