"""The one circuit layout: where each node of a computational graph sits in the picture.

* :func:`columns` and :func:`layout`: each node's column (longest path) and row order (a tree
  drawing from the output), shared by every picture;
* :func:`circuit`: the TikZ (cm) and Graphviz (points, for ``neato -n2``) pictures, drawn
  from :func:`plan` like the HTML SVG;
* :func:`plan`: on the same columns and row order, boxes in pixels for every gate, node name,
  value (above the output wire) and gradient (below it), and each wire's path. Each node owns
  a cell; cells of a column are stacked apart and columns are disjoint, so no label meets a
  label or a gate, and wires bend only between columns or run on free lanes, so no wire
  crosses a gate or a label (:func:`overlaps` and :func:`wire_points` are the tests' measures).
  The HTML SVG draws it as is; a picture in cm divides by :data:`PX_PER_CM`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypedDict

from .numbers import PICTURE_DIGITS, number
from .printing import TexOf, gate_label, gate_text, tex

if TYPE_CHECKING:
    from ..derivation import Derivation
    from ..graph import Graph

COLUMN_CM = (2.0, 2.6)  # horizontal distance between layers: squeezed down to the minimum
ROW_CM = 1.5  # vertical distance between input slots
MIN_GAP_CM = 1.3  # smallest vertical distance between two nodes of one column
LEAF_SHIFT_CM = 0.4  # leaves sit a little further left: their names are wider than a wire
PAGE_CM = (16.0, 21.0)  # largest picture (width, height) before it is scaled down
TURNED_CM = (23.0, 16.0)  # largest picture turned sideways (its width runs up the page)


def layout(
    graph: Graph,
    column_cm: float | None = None,
    row_cm: float = ROW_CM,
    min_gap_cm: float = MIN_GAP_CM,
) -> tuple[dict[int, tuple[float, float]], float]:
    """(x, y) in cm for every node, and the column width: columns by longest path, rows
    like a tree drawing (rows ``row_cm`` apart, nodes of a column at least ``min_gap_cm``).

    Columns are ``column_cm`` apart (default: as wide as fits the page, within
    :data:`COLUMN_CM`). Op nodes sit one column right of their deepest input; leaves sit just left of their
    first user. Rows: leaves take slots in the order a depth-first walk from the output meets
    them, an op node sits at the mean height of its inputs (so chains of one-input gates run
    straight), and nodes of one column are pushed apart to at least :data:`MIN_GAP_CM`.
    """
    column = columns(graph)
    if column_cm is None:
        count = max(column.values()) + 2  # + the output wire
        column_cm = min(COLUMN_CM[1], max(COLUMN_CM[0], PAGE_CM[0] / count))
    y: dict[int, float] = {}
    slot = 0
    stack = [(graph.output, False)]
    while stack:  # post-order, inputs in the order written
        node_id, expanded = stack.pop()
        if node_id in y:
            continue
        node = graph.nodes[node_id]
        if node.is_leaf:
            y[node_id] = -slot * row_cm
            slot += 1
        elif expanded:
            y[node_id] = sum(y[i] for i in node.inputs) / len(node.inputs)
        else:
            stack.append((node_id, True))
            stack.extend((i, False) for i in reversed(node.inputs) if i not in y)
    by_column: dict[int, list[int]] = {}
    for node_id in y:
        by_column.setdefault(column[node_id], []).append(node_id)
    for ids in by_column.values():
        ids.sort(key=lambda i: (-y[i], i))
        for above, below in zip(ids, ids[1:]):
            if y[above] - y[below] < min_gap_cm:
                y[below] = y[above] - min_gap_cm
    return {
        i: (column[i] * column_cm - (LEAF_SHIFT_CM if graph.nodes[i].is_leaf else 0.0), y[i])
        for i in y
    }, column_cm


def columns(graph: Graph) -> dict[int, int]:
    """The column of every node: op nodes one right of their deepest input, leaves just
    left of their first user."""
    users = graph.users()
    column: dict[int, int] = {}
    for node in graph.nodes:
        column[node.id] = 0 if node.is_leaf else 1 + max(column[i] for i in node.inputs)
    for node in graph.nodes:
        if node.is_leaf and users[node.id]:
            column[node.id] = max(0, min(column[u] for u in users[node.id]) - 1)
    return column


def circuit(d: Derivation, tex_of: TexOf = tex) -> dict:
    """The TikZ and Graphviz pictures of Derivation ``d``, drawn from :func:`plan`: gates,
    names, values (above each output wire), gradients (below it) and wire paths, in cm for
    TikZ (y up) and in points for Graphviz (``neato -n2``); ``tex_of``: LaTeX names."""
    graph, has_point = d.graph, d.values is not None
    parts: dict[int, list[float]] = {}
    for step in d.steps:
        if step.product_value is not None:
            parts.setdefault(step.child, []).append(step.product_value)
    texts, tex_labels = {}, {}
    for node in graph.nodes:
        const = node.op == "const"
        grad = "1" if has_point and node.id == graph.output else ""
        if has_point and not const and not grad:
            total, shares = number(d.adjoint_of(node), PICTURE_DIGITS), parts.get(node.id, [])
            grad = (
                total
                if len(shares) < 2
                else f"\u03a3 = {total}"
                if len(shares) > 3
                else " + ".join(number(p, PICTURE_DIGITS) for p in shares).replace("+ -", "- ")
                + f"\n= {total}"
            )
        texts[node.id] = {
            "gate": node.name if node.is_leaf else gate_text(node),
            "name": "" if node.is_leaf else node.name,
            "gradient": grad,
            "value": number(d.value_of(node), PICTURE_DIGITS) if has_point and not const else "",
        }
        tex_labels[node.id] = {
            "gate": (tex_of(node.symbol) if not const else tex(node.const))
            if node.is_leaf
            else gate_label(node),
            "name": "" if node.is_leaf else tex_of(node.symbol),
        }
    g = plan(graph, texts)
    width, height = g["width"] + text_px(" f "), g["height"]

    def cm(x: float, y: float) -> str:
        return f"({x / PX_PER_CM:.3f},{-y / PX_PER_CM:.3f})"

    def pt(x: float, y: float) -> str:
        return f"{x * PT_PER_PX:.1f},{(height - y) * PT_PER_PX:.1f}"

    gates = []
    for box in g["gates"]:
        n, node = g["nodes"][box["node"]], graph.nodes[box["node"]]
        cx, cy = box["x"] + box["w"] / 2, box["y"] + box["h"] / 2
        gates.append(
            {
                "id": f"n{node.id}",
                "leaf": node.is_leaf,
                "at": cm(cx, cy),
                "pos": pt(cx, cy),
                "corner": cm(box["x"], box["y"]),
                "opposite": cm(box["x"] + box["w"], box["y"] + box["h"]),
                "w": f"{box['w'] * PT_PER_PX / 72:.3f}",
                "h": f"{box['h'] * PT_PER_PX / 72:.3f}",
                "label": tex_labels[node.id]["gate"],
                "text": texts[node.id]["gate"],
                "stub": (cm(n["stub_x"], n["y"]), cm(n["out_x"], n["y"])),
                "stub_pt": (pt(n["stub_x"], n["y"]), pt(n["out_x"], n["y"])),
                "output": node.id == graph.output,
            }
        )
    labels = []
    for k, box in enumerate(g["labels"]):
        t, i = texts[box["node"]], box["node"]
        text = (
            t["name"]
            if box["kind"] == "name"
            else t["value"]
            if box["kind"] == "value"
            else t["gradient"].split("\n")[
                sum(b["node"] == i and b["kind"] == "gradient" for b in g["labels"][:k])
            ]
        )
        latex = (
            tex_labels[i]["name"] if box["kind"] == "name" else text.replace("\u03a3", "\\Sigma")
        )
        cx, cy = box["x"] + box["w"] / 2, box["y"] + box["h"] / 2
        labels.append(
            {
                "id": f"l{k}",
                "kind": box["kind"],
                "node": f"n{i}",
                "text": text,
                "tex": latex,
                "at": cm(cx, cy),
                "pos": pt(cx, cy),
            }
        )
    wires = []
    for w in g["wires"]:
        start = w["pieces"][0][1]
        path, spline = cm(*start), [start]
        for piece in w["pieces"]:
            if piece[0] == "L":
                (ax, ay), (bx, by) = piece[1], piece[2]
                path += " -- " + cm(bx, by)
                spline += [
                    (ax + (bx - ax) / 3, ay + (by - ay) / 3),
                    (ax + 2 * (bx - ax) / 3, ay + 2 * (by - ay) / 3),
                    (bx, by),
                ]
            else:
                path += " .. controls {} and {} .. {}".format(*(cm(*q) for q in piece[2:]))
                spline += list(piece[2:])
        tip = spline[-1]  # Graphviz draws the arrow head from the spline's end to the tip
        spline[-6:] = [
            (min(x, tip[0] - ARROW_PX), y) if y == tip[1] else (x, y) for x, y in spline[-6:]
        ]
        wires.append(
            {
                "source": f"n{w['source']}",
                "target": f"n{w['target']}",
                "path": path,
                "pos": f"e,{pt(*tip)} " + " ".join(pt(*q) for q in spline),
            }
        )
    out = g["nodes"][graph.output]
    w_cm, h_cm = width / PX_PER_CM, height / PX_PER_CM
    scale = min(1.0, PAGE_CM[0] / w_cm, PAGE_CM[1] / h_cm)
    turned = min(1.0, TURNED_CM[0] / w_cm, TURNED_CM[1] / h_cm)  # a wide picture turns 90°
    rotate = scale < 0.5 and turned > 1.2 * scale  # upright while it stays readable
    return {
        "gates": gates,
        "labels": labels,
        "wires": wires,
        "rotate": rotate,
        "scale": f"{max(scale, turned) if rotate else scale:.3f}",
        "size": cm(width, height),
        "has_point": has_point,
        "f_at": cm(out["out_x"] + text_px(" f ") / 2, out["y"]),
        "f_pos": pt(out["out_x"] + text_px(" f ") / 2, out["y"]),
        "box_pt": f"0,0,{width * PT_PER_PX:.1f},{height * PT_PER_PX:.1f}",
    }


# --- The box plan: node and label boxes in pixels, for the SVG (and for every picture that
# wants labels that cannot overlap). Each node owns a cell: its gate (or leaf name), its name
# above the gate, and a short output wire (stub) right of the gate carrying the value above and
# the gradient below. Cells of one column are stacked without overlap and columns are
# disjoint, so no label can meet another label or a gate; the geometric test checks it.

FONT_PX = 12  # label font size; labels use a monospace font so widths are known
CHAR_PX = 7.3  # advance of one monospace character at FONT_PX (DejaVu Sans Mono: 0.6 em)
LINE_PX = 16  # height of one label line
GATE_R = 17  # gate radius (a pill when the op's text is wider than the circle)
PAD = 4  # space between a gate, its stub labels and the cell edge
GAP_PX = 34  # horizontal room between two columns, where the wires run
PX_PER_CM = 40  # the tree drawing's rows (cm) become desired heights (px)
CELL_GAP = 10  # vertical room between two cells of a column: a lane for long wires
LANE_PX = 5  # smallest distance between two long wires running side by side
PT_PER_PX = 0.75  # Graphviz points per plan pixel (a CSS pixel)
ARROW_PX = 8  # length of a Graphviz arrow head, in plan pixels


def text_px(text: str) -> float:
    """Width in pixels of ``text`` in the label font."""
    return len(text) * CHAR_PX


def _box(x: float, y: float, w: float, h: float, kind: str, node: int) -> dict:
    return {
        "x": round(x, 1),
        "y": round(y, 1),
        "w": round(w, 1),
        "h": round(h, 1),
        "kind": kind,
        "node": node,
    }


class _Cell(TypedDict):
    """The measured parts of one node's cell in :func:`plan` (pixels)."""

    gate_w: float
    stub: float
    name_w: float
    top: float
    bottom: float
    lines: list[str]


def plan(graph: Graph, texts: dict[int, dict[str, str]]) -> dict:
    """Pixel geometry of the circuit: per node its gate box, name, value and gradient label
    boxes, and the wires between them.

    ``texts[node_id]`` gives ``gate`` (text in the gate; leaves: their name), ``name`` (shown
    above an op's gate, "" for none), ``value`` (above the output wire) and ``gradient``
    (below it; may hold several lines separated by newlines). Columns and row order come
    from :func:`columns` and :func:`layout`, the same as the TikZ and DOT pictures.
    """
    column = columns(graph)
    tree, _ = layout(graph)
    cells: dict[int, _Cell] = {}
    for node in graph.nodes:
        t = texts[node.id]
        gate_w = text_px(t["gate"]) + (2 * PAD if node.is_leaf else 14)
        gate_w = gate_w if node.is_leaf else max(2 * GATE_R, gate_w)
        grad_lines = [line for line in t["gradient"].split("\n") if line]
        stub = max([text_px(t["value"])] + [text_px(g) for g in grad_lines]) + 2 * PAD
        name_w = text_px(t["name"]) if t["name"] else 0.0
        top = GATE_R + (LINE_PX + 2 if t["name"] else 0)
        top = max(top, LINE_PX + PAD) + PAD
        bottom = max(GATE_R, len(grad_lines) * LINE_PX + PAD) + PAD
        cells[node.id] = {
            "gate_w": gate_w,
            "stub": max(stub, 24.0),
            "name_w": name_w,
            "top": top,
            "bottom": bottom,
            "lines": grad_lines,
        }
    by_column: dict[int, list[int]] = {}
    for node in graph.nodes:
        by_column.setdefault(column[node.id], []).append(node.id)
    x0: dict[int, float] = {}
    y: dict[int, float] = {}
    span: dict[int, tuple[float, float]] = {}  # column -> (left, right) in pixels
    left: float = PAD
    for c in sorted(by_column):
        ids = by_column[c]
        width = max(max(cells[i]["gate_w"], cells[i]["name_w"]) + cells[i]["stub"] for i in ids)
        for i in ids:
            x0[i] = left
        desired: dict[int, float] = {}
        for i in ids:
            node = graph.nodes[i]
            desired[i] = (
                -tree[i][1] * PX_PER_CM
                if node.is_leaf
                else sum(y[j] for j in node.inputs) / len(node.inputs)
            )
        ids.sort(key=lambda i: (desired[i], i))
        placed: list[int] = []
        for i in ids:
            want = desired[i]
            if placed:
                want = max(
                    want, y[placed[-1]] + cells[placed[-1]]["bottom"] + CELL_GAP + cells[i]["top"]
                )
            y[i] = want
            placed.append(i)
        shift = sum(desired[i] - y[i] for i in ids) / len(ids)
        for i in ids:
            y[i] += shift
        span[c] = (left, left + width)
        left += width + GAP_PX
    top_edge = min(y[i] - cells[i]["top"] for i in y)
    nodes, labels, gates = {}, [], []
    for node in graph.nodes:
        i, cell, t = node.id, cells[node.id], texts[node.id]
        cy = y[i] - top_edge + PAD
        gx = x0[i] + max(0.0, (cell["name_w"] - cell["gate_w"]) / 2)
        gate = _box(
            gx, cy - GATE_R, cell["gate_w"], 2 * GATE_R, "leaf" if node.is_leaf else "gate", i
        )
        gates.append(gate)
        stub_x = gx + cell["gate_w"]
        nodes[i] = {
            "id": i,
            "x": gate["x"],
            "y": round(cy, 1),
            "cx": round(gx + cell["gate_w"] / 2, 1),
            "w": gate["w"],
            "stub_x": round(stub_x, 1),
            "out_x": round(stub_x + cell["stub"], 1),
        }
        if t["name"]:
            labels.append(
                _box(
                    gx + cell["gate_w"] / 2 - cell["name_w"] / 2,
                    cy - GATE_R - 2 - LINE_PX,
                    cell["name_w"],
                    LINE_PX,
                    "name",
                    i,
                )
            )
        if t["value"]:
            labels.append(
                _box(stub_x + PAD, cy - LINE_PX - 1, text_px(t["value"]), LINE_PX, "value", i)
            )
        for k, line in enumerate(cell["lines"]):
            labels.append(
                _box(stub_x + PAD, cy + 1 + k * LINE_PX, text_px(line), LINE_PX, "gradient", i)
            )
    wires = []
    for node in graph.nodes:
        count = len(node.inputs)
        # ports from top to bottom in the order of the sources' heights: wires do not cross
        port = {
            k: p
            for p, k in enumerate(
                sorted(range(count), key=lambda k: (nodes[node.inputs[k]]["y"], k))
            )
        }
        for k, j in enumerate(node.inputs):
            spread = GATE_R * 0.8 / max(count - 1, 1)
            end_y = nodes[node.id]["y"] + (port[k] - (count - 1) / 2) * spread
            wires.append(
                {
                    "source": j,
                    "target": node.id,
                    "index": k,
                    "x1": nodes[j]["out_x"],
                    "y1": nodes[j]["y"],
                    "x2": nodes[node.id]["x"] - 1,
                    "y2": round(end_y, 1),
                }
            )
    bands: dict[int, list[tuple[float, float]]] = {}
    for node in graph.nodes:
        cy = nodes[node.id]["y"]
        bands.setdefault(column[node.id], []).append(
            (cy - cells[node.id]["top"], cy + cells[node.id]["bottom"])
        )
    lanes = _route(wires, column, span, bands)
    width = max(n["out_x"] for n in nodes.values()) + GAP_PX
    height = max([b["y"] + b["h"] for b in gates + labels] + lanes) + PAD + LINE_PX
    return {
        "nodes": nodes,
        "labels": labels,
        "gates": gates,
        "wires": wires,
        "width": round(width, 1),
        "height": round(height, 1),
    }


def overlaps(boxes: list[dict], margin: float = 0.0) -> list[tuple[dict, dict]]:
    """Every pair of boxes that intersect (closer than ``margin``); the layout test's measure."""
    found = []
    ordered = sorted(boxes, key=lambda b: b["x"])
    for n, a in enumerate(ordered):
        for b in ordered[n + 1 :]:
            if b["x"] >= a["x"] + a["w"] + margin:
                break
            if (
                a["y"] < b["y"] + b["h"] + margin
                and b["y"] < a["y"] + a["h"] + margin
                and a["x"] < b["x"] + b["w"] + margin
            ):
                found.append((a, b))
    return found


def _route(wires: list[dict], column: dict, span: dict, bands: dict) -> list[float]:
    """Give each wire its path (``pieces`` and SVG ``d``); returns the heights of the lanes.

    A wire leaves its source's cell horizontally to the column's right edge, bends only in
    the empty gaps between columns, and enters its target's cell horizontally at its port.
    A wire that skips columns runs through them on a lane: a height that lies in no cell of
    any column it crosses (cells are stacked with :data:`CELL_GAP` between them) and not
    within :data:`LANE_PX` of another lane there. So no wire crosses a gate or a label.
    """
    used: list[tuple[float, float, float]] = []
    for w in wires:
        cs, ct = column[w["source"]], column[w["target"]]
        x1, y1, x2, y2 = w["x1"], w["y1"], w["x2"], w["y2"]
        xa, xd = span[cs][1], min(span[ct][0], x2)
        if ct - cs <= 1:
            middle = (xa + xd) / 2
            pieces = [
                ("L", (x1, y1), (xa, y1)),
                ("C", (xa, y1), (middle, y1), (middle, y2), (xd, y2)),
                ("L", (xd, y2), (x2, y2)),
            ]
        else:
            xb, xc = span[cs + 1][0], span[ct - 1][1]
            crossed = [band for c in range(cs + 1, ct) for band in bands.get(c, [])]
            lane = _lane(y1, y2, crossed, [u for u in used if u[1] < xc and xb < u[2]])
            used.append((lane, xb, xc))
            m1, m2 = (xa + xb) / 2, (xc + xd) / 2
            pieces = [
                ("L", (x1, y1), (xa, y1)),
                ("C", (xa, y1), (m1, y1), (m1, lane), (xb, lane)),
                ("L", (xb, lane), (xc, lane)),
                ("C", (xc, lane), (m2, lane), (m2, y2), (xd, y2)),
                ("L", (xd, y2), (x2, y2)),
            ]
        w["pieces"] = pieces
        w["d"] = f"M{x1:.1f},{y1:.1f} " + " ".join(
            "L{:.1f},{:.1f}".format(*p[2])
            if p[0] == "L"
            else "C{:.1f},{:.1f} {:.1f},{:.1f} {:.1f},{:.1f}".format(*p[2], *p[3], *p[4])
            for p in pieces
        )
    return [u[0] for u in used]


def _lane(y1: float, y2: float, crossed: list, used: list) -> float:
    """The free height nearest to both ends of a long wire (see :func:`_route`)."""
    margin = 3.0

    def free(y: float) -> bool:
        return (
            y >= PAD
            and all(not (top - margin < y < bottom + margin) for top, bottom in crossed)
            and all(abs(y - u[0]) >= LANE_PX for u in used)
        )

    candidates = [y1, y2]
    for top, bottom in crossed:
        for k in range(4):
            candidates += [top - margin - 1 - k * LANE_PX, bottom + margin + 1 + k * LANE_PX]
    best = [y for y in candidates if free(y)]
    if best:
        return min(best, key=lambda y: (abs(y - y1) + abs(y - y2), y))
    y = max([b for _, b in crossed] + [y1, y2]) + margin + 1
    while not free(y):
        y += LANE_PX
    return y


def wire_points(wire: dict, per_piece: int = 16) -> list[tuple[float, float]]:
    """Points along a wire's path (for the geometric tests)."""
    points = []
    for piece in wire["pieces"]:
        for k in range(per_piece + 1):
            t = k / per_piece
            if piece[0] == "L":
                (ax, ay), (bx, by) = piece[1], piece[2]
                points.append((ax + (bx - ax) * t, ay + (by - ay) * t))
            else:
                p0, p1, p2, p3 = piece[1:]
                c = [(1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t**2, t**3]
                points.append(
                    (
                        sum(ci * p[0] for ci, p in zip(c, (p0, p1, p2, p3))),
                        sum(ci * p[1] for ci, p in zip(c, (p0, p1, p2, p3))),
                    )
                )
    return points
