"""Multilayer perceptrons: the lecture's forward loop, backward loop and worked 3-4-3-2 network.

* :mod:`.spec`: the network's description and numbers (:func:`make_spec`,
  :func:`load_params`, :func:`params_from_dict`);
* :mod:`.network`: the forward loop, the layer graph with its VJP rules, the reverse pass and
  the matrix-form steps, math only;
* :mod:`.numeric`: the finite-difference check; :mod:`.scalar`: the same network as a scalar
  computational graph (a second check, and entry-level gradients);
* :mod:`.steps`: the loops' lines; :mod:`.batch`: the same loops on a mini-batch (the
  columns of X and Y), J the mean loss; :mod:`.params_file`: ``--params`` files;
* :mod:`.result`: :func:`run_mlp`, which does all of that once.

Notation (DESIGN.md): ``z^{(k)} = W^{(k)} h^{(k-1)} + b^{(k)}``, ``h^{(k)} = g(z^{(k)})``,
``h^{(0)} = x``, ``ŷ = h^{(L)}``, ``J = L + λΩ`` with ``Ω = ½ Σ_k ‖W^{(k)}‖_F²`` (weights only).

>>> spec = make_spec("3,4,3,2", hidden="relu", output="softmax", loss="ce")
>>> sorted(run_mlp(spec, random_params(spec, seed=1)).gradients)
['W1', 'W2', 'W3', 'b1', 'b2', 'b3']
"""

from .batch import batch_pass
from .layer_graph import LayerGraph, LayerNode, build_layer_graph
from .network import Forward, Kink, forward, random_params, teaching_flaw
from .numeric import CHECK_TOLERANCE, FD_STEP, check_gradients, numeric_gradients
from .params_file import load_params, params_from_dict
from .result import MLPResult, run_mlp
from .scalar import (
    ENTRY_LIMIT,
    SCALAR_CHECK_LIMIT,
    EntryGradient,
    build_scalar_graph,
    entry_gradient,
    parse_entry,
    scalar_graph_check,
)
from .spec import (
    LOSSES,
    MAX_BATCH,
    MAX_DEPTH,
    MAX_PARAMS,
    MAX_WIDTH,
    OUTPUTS,
    MLPParams,
    MLPSpec,
    make_spec,
    parse_layers,
)
from .steps import MatrixStep

__all__ = [
    "CHECK_TOLERANCE",
    "ENTRY_LIMIT",
    "FD_STEP",
    "LOSSES",
    "MAX_BATCH",
    "MAX_DEPTH",
    "MAX_PARAMS",
    "MAX_WIDTH",
    "OUTPUTS",
    "SCALAR_CHECK_LIMIT",
    "EntryGradient",
    "Forward",
    "Kink",
    "LayerGraph",
    "LayerNode",
    "MLPParams",
    "MLPResult",
    "MLPSpec",
    "MatrixStep",
    "batch_pass",
    "build_layer_graph",
    "build_scalar_graph",
    "check_gradients",
    "entry_gradient",
    "forward",
    "load_params",
    "make_spec",
    "numeric_gradients",
    "params_from_dict",
    "parse_entry",
    "parse_layers",
    "random_params",
    "run_mlp",
    "scalar_graph_check",
    "teaching_flaw",
]
