"""The one circuit layout: where each node of a computational graph sits in the picture.

:func:`layout` gives positions; :func:`circuit` the picture's nodes and wires with their
labels, values and gradients (TikZ and Graphviz templates draw it).
"""

from __future__ import annotations

from .numbers import PICTURE_DIGITS, number
from .printing import gate_label, gate_text, tex

COLUMN_CM = (2.0, 2.6)  # horizontal distance between layers: squeezed down to the minimum
ROW_CM = 1.5  # vertical distance between input slots
MIN_GAP_CM = 1.3  # smallest vertical distance between two nodes of one column
LEAF_SHIFT_CM = 0.4  # leaves sit a little further left: their names are wider than a wire
PAGE_CM = (16.0, 21.0)  # largest picture (width, height) before it is scaled down


def layout(graph, column_cm: float | None = None, row_cm: float = ROW_CM,
           min_gap_cm: float = MIN_GAP_CM) -> tuple[dict[int, tuple[float, float]], float]:
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
    return {i: (column[i] * column_cm - (LEAF_SHIFT_CM if graph.nodes[i].is_leaf else 0.0), y[i])
            for i in y}, column_cm


def columns(graph) -> dict[int, int]:
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


def circuit(d, tex_of=tex) -> dict:
    """Nodes and wires of the circuit picture with positions, values and gradients
    (``tex_of``: LaTeX with the rendering's symbol names)."""
    graph = d.graph
    pos, step_x = layout(graph)
    has_point = d.values is not None
    steps = {}
    for step in d.steps:
        steps.setdefault((step.parent, step.child), []).append(step)
    users = graph.users()
    nodes, wires = [], []
    for node in graph.nodes:
        x, y = pos[node.id]
        grad = d.adjoint_of(node) if has_point and node.op != "const" else None
        nodes.append({
            "id": f"n{node.id}", "x": f"{x:.2f}", "y": f"{y:.2f}", "leaf": node.is_leaf,
            "const": node.op == "const",
            "label": tex_of(node.symbol) if node.op != "const" else tex(node.const),
            "label_text": node.name,
            "gate": "" if node.is_leaf else gate_label(node),
            "gate_text": "" if node.is_leaf else gate_text(node),
            "symbol": "" if node.is_leaf else tex_of(node.symbol),
            # a fork's total gradient is written at the node; its wires carry the parts
            "total": number(grad, PICTURE_DIGITS) if grad is not None and len(users[node.id]) > 1
            else None,
        })
    for node in graph.nodes:
        if node.is_leaf:
            continue
        seen: dict[int, int] = {}
        for k, child_id in enumerate(node.inputs):
            repeat = seen.get(child_id, 0)
            seen[child_id] = repeat + 1
            child = graph.nodes[child_id]
            part = steps.get((node.id, child_id), [])
            step = part[repeat] if repeat < len(part) else None
            x0, y0 = pos[child_id]
            x1, _ = pos[node.id]
            span = max(round((x1 - x0) / step_x), 1) if not child.is_leaf else 1
            # label in the first gap after the source; a fork's wires near their targets
            at = 0.42 / span if len(users[child_id]) == 1 else 1 - 0.5 / span
            wires.append({
                "source": f"n{child_id}", "target": f"n{node.id}",
                "value": number(d.value_of(child), PICTURE_DIGITS) if has_point else "",
                "gradient": "" if step is None or not has_point else
                number(step.product_value, PICTURE_DIGITS),
                "pos": f"{at:.2f}", "bend": 25 * repeat,
            })
    out = graph.nodes[graph.output]
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    width = max(xs) - min(xs) + step_x + 1.0
    height = max(ys) - min(ys) + 2.0
    scale = min(1.0, PAGE_CM[0] / width, PAGE_CM[1] / height)
    return {
        "nodes": nodes, "wires": wires, "scale": f"{scale:.3f}",
        "output": f"n{out.id}",
        "output_value": number(d.value, PICTURE_DIGITS) if has_point else "",
        "output_gradient": "1" if has_point else "",
        "has_point": has_point,
    }
