"""Expression rewriting: walks that visit shared sub-trees once without recursion, lowering to
the lecture's primitives, fusing patterns into gates, and pattern matching. The numbers of a
rewritten tree are checked against the written one by plain evaluation."""

import math

import pytest

from symgrad import ops
from symgrad.parse import Expr, parse
from symgrad.rewriting import fuse, lower, match, rewrite, walk

PRIMITIVE_OPS = {"var", "const", "add", "addc", "mul", "mulc", "neg", "exp", "recip", "div"}


def evaluate(e, values: dict[str, float]) -> float:
    """The tree's value by plain math (an oracle independent of the op records)."""
    import numpy as np

    done = {}
    for node in walk(e):
        if node.op == "var":
            done[id(node)] = values[node.name]
        elif node.op == "const":
            done[id(node)] = float(node.number)
        else:
            args = [done[id(a)] for a in node.args]
            record = ops.get(node.op)
            extra = [float(node.number)] if record.has_const else []
            done[id(node)] = float(record.numpy(*map(np.float64, args), *extra))
    return done[id(e)]


def test_walk_is_post_order_and_visits_shared_subtrees_once():
    x = parse("x")
    shared = Expr("exp", (x,))
    root = Expr("mul", (Expr("add", (shared, x)), shared))  # one exp object used twice
    order = list(walk(root))
    assert [e.op for e in order] == ["var", "exp", "add", "mul"]
    assert len(order) == len({id(e) for e in order})
    calls = []
    rewrite(root, lambda e: calls.append(e.op) or e)
    assert calls == ["var", "exp", "add", "mul"]  # a shared sub-tree is rewritten once


def test_walk_and_rewrite_of_a_very_deep_tree_do_not_recurse():
    e = parse("x")
    for _ in range(5000):  # deeper than Python's recursion limit; built directly (the parser
        e = Expr("neg", (e,))  # stops at its nesting limit first)
    assert sum(1 for _ in walk(e)) == 5001
    assert rewrite(e, fuse) is e  # nothing to fuse: the same tree back, no copy
    assert evaluate(e, {"x": 2.0}) == 2.0  # an even number of negations


def test_sigmoid_lowers_to_f1_to_f6_and_keeps_its_value():
    written = parse("sigmoid(w*x+b)")
    lowered = rewrite(written, lower)
    assert "sigmoid" not in {n.op for n in walk(lowered)}
    assert {"neg", "exp"} <= {n.op for n in walk(lowered)}
    values = {"w": 2.0, "x": -1.0, "b": 0.5}
    assert evaluate(lowered, values) == pytest.approx(1 / (1 + math.exp(1.5)), rel=1e-14)


@pytest.mark.parametrize("written", ["1/(1+exp(-z))", "1/(exp(-z)+1)"])
def test_the_written_sigmoid_fuses_into_one_gate_either_way_round(written):
    fused = rewrite(parse(written), fuse)
    assert fused.op == "sigmoid" and fused.args[0].name == "z"


def test_fuse_leaves_a_near_miss_alone():
    near = rewrite(parse("1/(2+exp(-z))"), fuse)
    assert near.op != "sigmoid" and "sigmoid" not in {n.op for n in walk(near)}


def test_lowering_then_fusing_gives_the_gate_back():
    lowered = rewrite(parse("sigmoid(z)"), lower)
    assert rewrite(lowered, fuse).op == "sigmoid"


def test_match_binds_placeholders_and_respects_commutativity():
    bound = match(parse("a+b"), parse("y+x"))
    assert bound is not None and {k: v.name for k, v in bound.items()} == {"y": "a", "x": "b"}
    assert match(parse("a*b"), parse("x+y")) is None
    bound = match(parse("exp(-q)"), parse("exp(-x)"))
    assert bound is not None and bound["x"].name == "q"
    assert match(parse("exp(-q)*exp(-r)"), parse("exp(-x)*exp(-x)")) is None  # x bound twice
