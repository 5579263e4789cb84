"""An MLP result as the diagnosis engine sees it: its scalar computational graph.

The network drawn unit by unit (:func:`symgrad.mlp.scalar.build_scalar_graph`: every
``z{k}_{j}``, ``h{k}_{j}``, ``yhat_{j}``, the loss ``L`` and, with λ, ``J``) is an ordinary
graph, so error carried forward works on it exactly as on a derivation: a learner's ``z2_1``
comes from their own ``h1_*``, their ``dJ/dw2_1_1`` from their own ``dJ/dz2_1`` and ``h1_1``.

Answerable names are the lecture's (1-based, ``w{k}_{i}_{j}`` connects input ``i`` to unit
``j``): the values of named units and the loss, and ``dJ/d`` of those and of every weight and
bias. The graph's unnamed helper nodes (products, partial sums, exp of a softmax) are
recomputed from the learner's world but not asked. The L2 penalty's edges are known, so a
weight gradient without λw is "L2 term missing" and a bias gradient with λb added is "bias
regularized", not a forgotten fork sum.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol, SupportsFloat

if TYPE_CHECKING:
    from ..backward import Backward
    from ..graph import Graph
    from ..mlp.result import MLPResult
    from ..numpy_forms import Floats

HELPER = "t_"  # unnamed nodes of the scalar graph (GraphBuilder("t") in symgrad.mlp.scalar)


class Solved(Protocol):
    """What the diagnosis engine reads of a solved graph: a Derivation or a ScalarNetwork."""

    @property
    def expression(self) -> str: ...

    @property
    def graph(self) -> Graph: ...

    @property
    def values(self) -> Sequence[Floats] | None: ...

    @property
    def backward(self) -> Backward: ...

    @property
    def point(self) -> Mapping[str, SupportsFloat] | None: ...

    @property
    def granularity(self) -> str: ...


@dataclass
class ScalarNetwork:
    """The shape of a :class:`~symgrad.derivation.Derivation` that :mod:`.diagnose` reads."""

    expression: str
    graph: Graph
    values: list[float]
    backward: Backward
    point: dict[str, float]
    granularity: str = "scalar"
    gradient_prefix: str = "dJ/d"
    answerable: set[int] = field(default_factory=set)  # node ids whose value/gradient is asked
    penalty: set[int] = field(default_factory=set)  # node ids of the L2 penalty's squares
    biases: set[int] = field(default_factory=set)  # leaf ids of the biases
    l2: float = 0.0


def scalar_network(result: MLPResult) -> ScalarNetwork:
    """The scalar graph of an MLP result, its values and numeric reverse pass."""
    import numpy as np

    from ..backward import backward
    from ..graph import forward_values
    from ..mlp.scalar import _scalar_leaf_values, build_scalar_graph

    spec, params = result.spec, result.params
    graph = build_scalar_graph(spec)
    leaves = _scalar_leaf_values(spec, params)
    with np.errstate(all="ignore"):
        values = [float(v) for v in forward_values(graph, leaves)]
        numeric = backward(graph, values, symbolic=False)
    answerable = {
        n.id
        for n in graph.nodes
        if n.op != "const"
        and (
            n.op == "var" and n.name[:1] in "wb" or n.op != "var" and not n.name.startswith(HELPER)
        )
    }
    answerable.add(graph.output)
    penalty = (
        {
            n.id
            for n in graph.nodes
            if n.op == "powc"
            and graph.nodes[n.inputs[0]].op == "var"
            and graph.nodes[n.inputs[0]].name.startswith("w")
        }
        if spec.l2
        else set()
    )
    biases = {n.id for n in graph.nodes if n.op == "var" and n.name.startswith("b")}
    layers = "-".join(map(str, spec.layers))
    name = (
        f"MLP {layers}: {', '.join(dict.fromkeys(spec.hidden))} / {spec.output} / "
        f"{spec.loss}" + (f", λ = {spec.l2:g}" if spec.l2 else "")
    )
    return ScalarNetwork(
        name,
        graph,
        values,
        numeric,
        leaves,
        answerable=answerable,
        penalty=penalty,
        biases=biases,
        l2=float(spec.l2 or 0.0),
    )
