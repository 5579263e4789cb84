"""Node placement: columns by longest path, leaves just left of their first user, rows of a
tree drawing with nodes of one column at least the minimum gap apart."""

from symgrad.derivation import derive
from symgrad.render.placement import COLUMN_CM, MIN_GAP_CM, columns, layout


def graph_of(expr):
    return derive(expr).graph


def test_op_nodes_sit_one_column_right_of_their_deepest_input():
    g = graph_of("sigmoid(a*b) + c")
    column = columns(g)
    for node in g.nodes:
        if not node.is_leaf:
            assert column[node.id] == 1 + max(column[i] for i in node.inputs)
    # leaves sit one column left of their first user: c feeds the last gate directly
    by_name = {n.name: n.id for n in g.nodes if n.is_leaf}
    assert column[by_name["c"]] == column[g.output] - 1
    assert column[by_name["a"]] == 0


def test_positions_keep_columns_and_the_minimum_gap():
    g = graph_of("sigmoid(a*b + c*d) * tanh(a - d) + exp(b*c) / (1 + a^2) + max(c, d)")
    positions, column_cm = layout(g)
    assert COLUMN_CM[0] <= column_cm <= COLUMN_CM[1]
    column = columns(g)
    by_column: dict[int, list[float]] = {}
    for node_id, (x, y) in positions.items():
        shift = x - column[node_id] * column_cm
        assert shift == 0.0 or g.nodes[node_id].is_leaf  # only leaves shift left
        by_column.setdefault(column[node_id], []).append(y)
    for ys in by_column.values():
        ys.sort()
        assert all(b - a >= MIN_GAP_CM - 1e-9 for a, b in zip(ys, ys[1:]))


def test_a_chain_of_one_input_gates_runs_straight():
    g = graph_of("exp(tanh(sigmoid(x)))")
    positions, _ = layout(g)
    assert len({round(y, 9) for _, y in positions.values()}) == 1
