"""Wire routes of the box plan: a wire between neighbouring columns bends once in the gap, a
wire that skips columns runs on a lane clear of every cell it crosses."""

from symgrad.render.wire_routes import LANE_PX, route_wires, wire_points


def wire(source, target, y1, y2, x1=10.0, x2=290.0):
    return {"source": source, "target": target, "x1": x1, "y1": y1, "x2": x2, "y2": y2}


SPAN = {0: (0.0, 20.0), 1: (100.0, 140.0), 2: (200.0, 240.0), 3: (300.0, 340.0)}


def test_neighbouring_columns_need_no_lane():
    w = wire(0, 1, 50.0, 80.0, x2=100.0)
    assert route_wires([w], {0: 0, 1: 1}, SPAN, {}) == []
    points = wire_points(w)
    assert points[0] == (10.0, 50.0) and points[-1] == (100.0, 80.0)
    assert w["d"].startswith("M10.0,50.0 L20.0,50.0 C")


def test_a_long_wire_runs_clear_of_the_cells_it_crosses():
    bands = {1: [(40.0, 70.0)], 2: [(30.0, 90.0)]}
    w = wire(0, 3, 50.0, 60.0)
    (lane,) = route_wires([w], {0: 0, 3: 3}, SPAN, bands, top=4.0)
    assert all(not (top - 3 < lane < bottom + 3) for top, bottom in [(40, 70), (30, 90)])
    assert lane >= 4.0
    # every point of the wire inside the crossed columns lies on the lane
    inside = [(x, y) for x, y in wire_points(w) if 100.0 <= x <= 240.0]
    assert inside and all(abs(y - lane) < 1e-9 for _, y in inside)


def test_two_long_wires_keep_lanes_apart():
    bands = {1: [(40.0, 70.0)], 2: [(40.0, 70.0)]}
    lanes = route_wires(
        [wire(0, 3, 50.0, 50.0), wire(0, 3, 52.0, 52.0)], {0: 0, 3: 3}, SPAN, bands, top=4.0
    )
    assert abs(lanes[0] - lanes[1]) >= LANE_PX


def test_lanes_stay_below_top():
    bands = {1: [(0.0, 300.0)], 2: [(0.0, 300.0)]}
    (lane,) = route_wires([wire(0, 3, 5.0, 5.0)], {0: 0, 3: 3}, SPAN, bands, top=4.0)
    assert lane > 300.0
