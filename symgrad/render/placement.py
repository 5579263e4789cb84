"""Node placement of the circuit: each node's column (longest path) and its (x, y) in cm, a
tree drawing from the output. Every picture (TikZ, Graphviz, the HTML SVG's box plan in
:mod:`symgrad.render.layout`) starts from these."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
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
