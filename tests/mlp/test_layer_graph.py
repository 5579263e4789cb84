"""The layer graph: vector nodes with VJP rules, and a derivation that does not grow with
the width."""

from __future__ import annotations

import numpy as np

from symgrad.mlp import (
    build_layer_graph,
    make_spec,
    random_params,
    run_mlp,
)
from symgrad.render.views.mlp_steps import step_lines


def test_layer_graph_has_vector_nodes_with_vjp_rules():
    graph = build_layer_graph(make_spec("3,4,3,2", l2=0.1))
    ops = [n.op for n in graph.nodes if n.vjp is not None]
    assert ops == ["matmul", "bias_add", "relu"] * 2 + [
        "matmul",
        "bias_add",
        "softmax",
        "softmax_cross_entropy",
        "l2",
        "objective",
    ]
    assert graph["u2"].shape == (3,) and graph["W2"].shape == (3, 4)
    w, h = np.arange(12.0).reshape(3, 4), np.arange(4.0)
    g = np.array([1.0, -2.0, 0.5])
    dw, dh = graph["u2"].vjp([w, h], w @ h, g)  # ∇W = g hᵀ, ∇h = Wᵀ g
    np.testing.assert_array_equal(dw, np.outer(g, h))
    np.testing.assert_array_equal(dh, w.T @ g)
    assert graph["L"].inputs == ("z3", "y")  # fused: the loss reads z^{(L)}


def test_matrix_derivation_does_not_grow_with_width():
    small = run_mlp(make_spec("3,4,3,2"), random_params(make_spec("3,4,3,2"), 1), check=False)
    wide_spec = make_spec("30,40,30,20")
    wide = run_mlp(wide_spec, random_params(wide_spec, 1), check=False, scalar_check=False)
    assert step_lines(small) == step_lines(wide)
    assert all(s.shape == np.shape(s.value) for s in wide.steps)
