"""The circuit a student fills in (CS231n style): a slot above each wire for the forward
value, one below for the gradient; the key is the same picture with the slots filled.

:func:`blank_circuit` places the exercise's computational graph (columns and rows from
:mod:`..layout`), then gives every wire a horizontal *lane* right after its source, where
its two slots sit, and routes it to its target; a lane is the first height, starting at the
source's own, where neither the wire nor its slots touch a gate, a name or another slot.
:func:`problems` checks a finished picture the same way (tests use it over many seeds).

>>> from symgrad.exercises import make_exercise
>>> picture = blank_circuit(make_exercise("graph", 3, "easy"), filled=False)
>>> problems(picture), [s["text"] for s in picture["slots"] if s["kind"] == "gradient" and s["text"]]
([], ['1'])
"""

from __future__ import annotations

from ...exercises.base import Exercise
from .. import COLOR_GRADIENT, COLOR_VALUE
from ..layout import columns, layout
from ..numbers import num
from ..printing import gate_label, gate_text, tex

SLOT_W, SLOT_H = 1.3, 0.46  # a slot: room for a handwritten "-0.1966" (cm, before scaling)
SLOT_OFFSET = 0.08  # gap between a wire and its slots
LANE_STEP = 0.3  # candidate lanes are this far apart
AFTER_SOURCE = 0.35  # from a source's right edge to its wire's first slot
BEFORE_TARGET = 0.3  # from where a wire turns to its target to the target column's edge
TURN_CM = 0.15  # the inputs of one gate turn this far apart
PORT_CM = 0.24  # and enter it this far apart
GAP = SLOT_W + 0.05 + AFTER_SOURCE + BEFORE_TARGET + 2 * TURN_CM  # between two columns
ATTEMPTS = ((1.6, 0.2), (2.2, 0.2), (3.0, 0.2), (1.6, 0.0), (2.2, 0.0), (3.0, 0.0))
"""(distance between rows, room kept free right of a name) tried in turn, best first."""
OUTPUT_CM = 2.0  # length of the output wire
MARGIN = 0.06  # boxes closer than this count as touching
TEXT_WIDTH_CM = 16.0  # pictures wider than this are scaled down
MAX_LANES = 60
NAME_GAP = 0.05  # between a gate and its name above it


def _radius(node) -> float:
    """A gate's radius (cm), wide enough for its label (``tanh``, ``1/x``, ``×3``)."""
    text = gate_text(node).replace("^", "")
    return max(0.4, 0.1 + 0.09 * len(text))


def _half_width(label: str) -> float:
    """Half the width of a leaf's name or constant, estimated from its characters."""
    return 0.12 + 0.09 * len(label)


def blank_circuit(exercise: Exercise, filled: bool) -> dict:
    """The fill-in circuit of a ``graph`` exercise: ``filled=False`` for the question sheet
    (only the leaves' given values and the output's seed gradient 1 are printed),
    ``filled=True`` for the key (every value and gradient, as the answers show them).

    The placement depends on the graph alone: it is worked out once per graph shape
    (:func:`_geometry`) and shared by the question and the key (the filling moves nothing)
    and by every version of a set that varies only the numbers."""
    return _filled(_geometry(exercise.derivation), exercise.derivation, filled)


GEOMETRIES: dict = {}  # placed pictures by graph shape (_shape), at most MAX_GEOMETRIES
MAX_GEOMETRIES = 256


def _shape(graph) -> tuple:
    """Everything of a graph the placement reads: ops, inputs, constants, names, output."""
    return (
        graph.output,
        tuple((n.op, tuple(n.inputs), str(n.const), n.name, str(n.symbol)) for n in graph.nodes),
    )


def _geometry(d) -> dict:
    """The picture without texts at the first spacing of :data:`ATTEMPTS` that is legible
    (:func:`problems`); a crowded graph is drawn again with more room."""
    key = _shape(d.graph)
    found = GEOMETRIES.get(key)
    if found is not None:
        return found
    picture = None
    for row, name_reach in ATTEMPTS:
        try:
            picture = _picture(d, row, name_reach)
        except NoLane:
            continue
        if not problems(picture):
            break
    if picture is None:
        raise NoLane("no legible circuit")  # never seen over the seeds the tests sweep
    if len(GEOMETRIES) >= MAX_GEOMETRIES:
        GEOMETRIES.clear()
    GEOMETRIES[key] = picture
    return picture


def _filled(geometry: dict, d, filled: bool) -> dict:
    """A copy of ``geometry`` whose slots show this derivation's numbers: all of them when
    ``filled``, else only the leaves' given values and the output's seed gradient 1."""
    graph = d.graph

    def shown(value) -> str:
        return "" if value is None else num(value)

    steps: dict = {}
    for step in d.steps:
        steps.setdefault((step.parent, step.child), []).append(step)

    def text(source: tuple) -> str:
        what, *ids = source
        if what == "total":
            return shown(d.adjoint_of(graph.nodes[ids[0]])) if filled else ""
        if what == "value":
            given = graph.nodes[ids[0]].is_leaf
            return shown(d.value_of(graph.nodes[ids[0]])) if filled or given else ""
        if what == "gradient":
            parent, child, repeat = ids
            part = steps.get((parent, child), [])
            step = part[repeat] if repeat < len(part) else None
            return shown(step.product_value) if (filled and step is not None) else ""
        if what == "output":
            return shown(d.value) if filled else ""
        return "1"  # the output's seed gradient

    slots = [{**slot, "text": text(slot["source"])} for slot in geometry["slots"]]
    return {**geometry, "nodes": [dict(n) for n in geometry["nodes"]], "slots": slots}


class NoLane(Exception):
    """No lane is free for a wire at this spacing."""


def _picture(d, row: float, name_reach: float) -> dict:
    graph = d.graph
    from .derivation import graph_tex

    tex_of, column = graph_tex(d), columns(graph)
    pos, _ = layout(graph, column_cm=1.0, row_cm=row, min_gap_cm=row)
    users = graph.users()

    nodes = {}
    for node in graph.nodes:
        leaf = node.is_leaf
        label = tex(node.const) if node.op == "const" else tex_of(node.symbol)
        text = node.name if node.op != "const" else str(node.const)
        half = _half_width(text) if leaf else _radius(node)
        nodes[node.id] = {
            "id": f"n{node.id}",
            "leaf": leaf,
            "half": half,
            "y": pos[node.id][1],
            "label": label,
            "gate": "" if leaf else gate_label(node),
            "symbol": "" if leaf else tex_of(node.symbol),
            "column": column[node.id],
        }
    right = {}  # x of each column's right edge, for leaves (their names end there)
    x = 0.0
    for c in range(max(column.values()) + 1):
        members = [n for n in nodes.values() if n["column"] == c]
        enter = max((n["half"] for n in members if not n["leaf"]), default=0.0)
        if c:
            x += enter
        for n in members:
            n["entry"] = x - enter  # wires turn toward their gate left of this
            n["x"] = x if not n["leaf"] else x + 0.4 - n["half"]  # names end where gates do
        right[c] = max([n["x"] + n["half"] for n in members] + [x + 0.4])
        x = right[c] + GAP
    for n in nodes.values():
        top = 0.32 if n["leaf"] else n["half"] + 0.32  # a gate's name sits above it
        bottom = 0.26 if n["leaf"] else n["half"]
        reach = name_reach if n["leaf"] else 0.0  # another wire turning by a name reads as its
        n["box"] = (n["x"] - n["half"], n["y"] - bottom, n["x"] + n["half"] + reach, n["y"] + top)
    obstacles = [(n["box"], node_id) for node_id, n in nodes.items()]  # (box, owner)
    for node in graph.op_nodes:  # where a gate's inputs come in: no other wire runs there
        n, reach = nodes[node.id], PORT_CM * (len(node.inputs) - 1) / 2 + 0.1
        obstacles.append(
            (
                (
                    n["entry"] - BEFORE_TARGET - TURN_CM - 0.05,
                    n["y"] - reach,
                    n["x"] - n["half"],
                    n["y"] + reach,
                ),
                ("entry", node.id),
            )
        )

    slots = []
    for node in graph.nodes:  # a fork's total gradient: left of a name, under a gate
        if len(users[node.id]) > 1 and node.op != "const":
            n = nodes[node.id]
            box = (
                _box(n["box"][0] - 0.1 - SLOT_W / 2, n["y"])
                if n["leaf"]
                else _box(n["box"][2] - SLOT_W / 2, n["box"][1] - 0.08 - SLOT_H / 2)
            )
            slots.append(_slot(box, "total", ("total", node.id)))

    lines: list[tuple] = []  # placed wires' segments, for the lanes of later wires
    wires = []
    order = sorted(
        ((child, node.id, k) for node in graph.op_nodes for k, child in enumerate(node.inputs)),
        key=lambda w: (column[w[0]], -nodes[w[0]]["y"], column[w[1]], w[2]),
    )
    taken: dict = {}
    for child, parent, k in order:
        repeat = taken.get((parent, child), 0)
        taken[(parent, child)] = repeat + 1
        source, target = nodes[child], nodes[parent]
        const = graph.nodes[child].op == "const"
        inputs = graph.nodes[parent].inputs
        rank = sorted(range(len(inputs)), key=lambda i: (-nodes[inputs[i]]["y"], i)).index(k)
        wire = _route(source, target, child, parent, rank, len(inputs), obstacles, lines, slots)
        slots.append(_slot(wire["value_box"], "value", ("value", child)))
        if not const:
            slots.append(
                _slot(wire["gradient_box"], "gradient", ("gradient", parent, child, repeat))
            )
        wires.append({"points": [f"({px:.2f},{py:.2f})" for px, py in wire["points"]]})

    out = nodes[graph.output]
    start = (out["x"] + out["half"], out["y"])
    end = (start[0] + OUTPUT_CM, out["y"])
    x0 = start[0] + AFTER_SOURCE
    slots.append(
        _slot(
            _box(x0 + SLOT_W / 2, out["y"] + SLOT_OFFSET + SLOT_H / 2),
            "value",
            ("output",),
        )
    )
    slots.append(
        _slot(_box(x0 + SLOT_W / 2, out["y"] - SLOT_OFFSET - SLOT_H / 2), "gradient", ("seed",))
    )
    wires.append({"points": [f"({start[0]:.2f},{start[1]:.2f})", f"({end[0]:.2f},{end[1]:.2f})"]})
    lines.append(((start, end), graph.output, None))
    boxes = [n["box"] for n in nodes.values()] + [s["box"] for s in slots]
    width = max(b[2] for b in boxes) + 0.5 - min(b[0] for b in boxes)
    return {
        "nodes": [
            {
                **n,
                "x": f"{n['x']:.2f}",
                "y": f"{n['y']:.2f}",
                "radius": f"{n['half']:.2f}",
                "name_y": f"{n['y'] + n['half'] + NAME_GAP:.2f}",  # a gate's name sits on it
            }
            for n in nodes.values()
        ],
        "wires": wires,
        "slots": slots,
        "lines": lines,
        "output": {"x": f"{end[0] + 0.1:.2f}", "y": f"{end[1]:.2f}"},
        "scale": f"{min(1.0, TEXT_WIDTH_CM / width):.3f}",
        "value_color": COLOR_VALUE,
        "gradient_color": COLOR_GRADIENT,
    }


def _box(cx: float, cy: float) -> tuple[float, float, float, float]:
    return (cx - SLOT_W / 2, cy - SLOT_H / 2, cx + SLOT_W / 2, cy + SLOT_H / 2)


def _slot(box, kind: str, source: tuple) -> dict:
    """A slot at ``box``; ``source`` says which number it shows (:func:`_filled`)."""
    return {
        "box": box,
        "kind": kind,
        "source": source,
        "text": "",
        "x": f"{(box[0] + box[2]) / 2:.2f}",
        "y": f"{(box[1] + box[3]) / 2:.2f}",
        "w": f"{SLOT_W:.2f}",
        "h": f"{SLOT_H:.2f}",
    }


def _route(source, target, child, parent, rank, arity, obstacles, lines, slots) -> dict:
    """The first lane, nearest the source's height, where this wire and its two slots are
    clear of every node (but its own ends), every slot and every wire placed before.

    A wire runs along its lane, turns down or up left of its target's column (inputs of one
    gate at different distances) and enters the gate at its own port."""
    ys = source["y"]
    port = target["y"] + PORT_CM * ((arity - 1) / 2 - rank)  # the highest source, the top port
    start = (source["x"] + source["half"], ys)
    end = (target["x"] - (target["half"] ** 2 - (port - target["y"]) ** 2) ** 0.5, port)
    x_slot = start[0] + AFTER_SOURCE
    x_turn = target["entry"] - BEFORE_TARGET + TURN_CM * (min(rank, 2) - 1)
    toward = 1 if port > ys else -1  # try the side of the target first
    for k in range(MAX_LANES):
        lane = ys + LANE_STEP * ((k + 1) // 2) * (toward if k % 2 else -toward)
        points = [start] if lane == ys else [start, (start[0] + 0.1, ys), (x_slot - 0.05, lane)]
        if lane != port:
            points += [(x_turn, lane), (x_turn, port)]
        points.append(end)
        value_box = _box(x_slot + SLOT_W / 2, lane + SLOT_OFFSET + SLOT_H / 2)
        gradient_box = _box(x_slot + SLOT_W / 2, lane - SLOT_OFFSET - SLOT_H / 2)
        segments = list(zip(points, points[1:]))
        if not _blocked(
            segments, (value_box, gradient_box), child, parent, obstacles, lines, slots
        ):
            lines.extend((seg, child, parent) for seg in segments)
            return {"points": points, "value_box": value_box, "gradient_box": gradient_box}
    raise NoLane(f"no lane for the wire z{child} -> z{parent}")


def _blocked(segments, boxes, child, parent, obstacles, lines, slots) -> str | None:
    """Why a wire (its segments and slot boxes) cannot take this lane, or ``None``."""
    for box, owner in obstacles:
        if any(_overlap(box, b) for b in boxes):
            return f"a slot touches z{owner}"  # a node or where a gate's inputs come in
        for i, seg in enumerate(segments):
            ends = {child} if i <= 1 else set()  # leaving the source, and turning to a lane
            if i >= len(segments) - 2:  # turning toward the target, and entering it
                ends.add(parent)
            whose = owner
            if isinstance(owner, tuple):  # a gate's entry: wires may cross it, not run in it
                whose = owner[1] if seg[0][1] == seg[1][1] else parent
            if whose not in ends and _crosses(seg, box):
                return f"segment {i} crosses z{whose}"
    for slot in slots:
        if any(_overlap(slot["box"], b) for b in boxes):
            return "a slot touches a slot"
        if any(_crosses(seg, slot["box"]) for seg in segments):
            return "the wire crosses a slot"
    for seg, source, target in lines:
        if any(_crosses(seg, b) for b in boxes):
            return f"the wire z{source}->z{target} crosses a slot"
        for mine in segments:  # two wires running along each other read as one (but a fork's)
            if _parallel_close(seg, mine) and not (source == child and seg[0] == mine[0]):
                return f"runs along z{source}->z{target}"
    return None


def _overlap(a, b, margin: float = MARGIN) -> bool:
    return (
        a[0] < b[2] + margin
        and b[0] < a[2] + margin
        and a[1] < b[3] + margin
        and b[1] < a[3] + margin
    )


def _crosses(seg, box, margin: float = MARGIN) -> bool:
    """Whether a segment passes through a box grown by ``margin`` (Liang–Barsky clipping)."""
    (x0, y0), (x1, y1) = seg
    dx, dy = x1 - x0, y1 - y0
    lo, hi = 0.0, 1.0
    for p, q in (
        (-dx, x0 - (box[0] - margin)),
        (dx, box[2] + margin - x0),
        (-dy, y0 - (box[1] - margin)),
        (dy, box[3] + margin - y0),
    ):
        if p == 0:
            if q < 0:
                return False
            continue
        t = q / p
        if p < 0:
            lo = max(lo, t)
        else:
            hi = min(hi, t)
        if lo > hi:
            return False
    return True


def _parallel_close(a, b, distance: float = 0.2) -> bool:
    """Two horizontal segments closer than ``distance`` that overlap in x."""
    (ax0, ay0), (ax1, ay1) = a
    (bx0, by0), (bx1, by1) = b
    if ay0 != ay1 or by0 != by1 or abs(ay0 - by0) >= distance:
        return False
    return min(ax0, ax1) < max(bx0, bx1) and min(bx0, bx1) < max(ax0, ax1)


def problems(picture: dict) -> list[str]:
    """What makes a picture hard to read: boxes (gates, names, slots) that touch, a wire
    through a box that is not its own end. Empty for a good picture."""
    found = []
    named = [(n["box"], n["id"]) for n in picture["nodes"]] + [
        (s["box"], f"{s['kind']} slot at ({s['x']}, {s['y']})") for s in picture["slots"]
    ]
    for i, (a, name_a) in enumerate(named):
        for b, name_b in named[i + 1 :]:
            if _overlap(a, b, 0.0):
                found.append(f"{name_a} overlaps {name_b}")
    for seg, child, parent in picture["lines"]:
        for n in picture["nodes"]:
            own = n["id"] in (f"n{child}", f"n{parent}")
            if not own and _crosses(seg, n["box"], 0.0):
                found.append(f"wire z{child}->z{parent} crosses {n['id']}")
        for s in picture["slots"]:
            if _crosses(seg, s["box"], 0.0):
                found.append(f"wire z{child}->z{parent} crosses a {s['kind']} slot")
    return found
