"""The one circuit layout: where each node of a computational graph sits in the picture.

* :func:`columns` and :func:`layout` (:mod:`symgrad.render.placement`, re-exported here): each
  node's column (longest path) and row order (a tree drawing from the output), shared by every
  picture;
* :func:`circuit`: the TikZ (cm) and Graphviz (points, for ``neato -n2``) pictures, drawn
  from :func:`plan` like the HTML SVG;
* :func:`plan`: on the same columns and row order, boxes in pixels for every gate, node name,
  value (above the output wire) and gradient (below it), and each wire's path. Each node owns
  a cell; cells of a column are stacked apart and columns are disjoint, so no label meets a
  label or a gate, and wires bend only between columns or run on free lanes, so no wire
  crosses a gate or a label (:func:`overlaps` and :func:`wire_points` are the tests' measures;
  the wires' paths are :mod:`symgrad.render.wire_routes`').
  The HTML SVG draws it as is; a picture in cm divides by :data:`PX_PER_CM`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypedDict

from .numbers import PICTURE_DIGITS, number

# re-exported: the pictures and tests import node placement and wire helpers from here
from .placement import MIN_GAP_CM, PAGE_CM, TURNED_CM, columns, layout  # noqa: F401
from .printing import TexOf, gate_label, gate_text, tex
from .wire_routes import route_wires, wire_points  # noqa: F401

if TYPE_CHECKING:
    from ..derivation import Derivation
    from ..graph import Graph


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
    gradient_lines: dict[int, int] = {}  # a node's gradient labels so far: its next line
    for k, box in enumerate(g["labels"]):
        t, i = texts[box["node"]], box["node"]
        if box["kind"] == "gradient":
            line = gradient_lines[i] = gradient_lines.get(i, -1) + 1
        text = (
            t["name"]
            if box["kind"] == "name"
            else t["value"]
            if box["kind"] == "value"
            else t["gradient"].split("\n")[line]
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
    lanes = route_wires(wires, column, span, bands, top=PAD)
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
