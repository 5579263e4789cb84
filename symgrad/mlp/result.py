"""One MLP run: forward, backward, the matrix-form steps, kinks and the checks.

>>> from symgrad.mlp import make_spec, random_params
>>> spec = make_spec("3,4,3,2", hidden="relu", output="softmax", loss="ce")
>>> result = run_mlp(spec, random_params(spec, seed=1))
>>> sorted(result.gradients), result.check.passed, result.scalar_check.passed
(['W1', 'W2', 'W3', 'b1', 'b2', 'b3'], True, True)
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..check import CheckReport
from ..errors import SymgradError
from .batch import batch_pass
from .layer_graph import LayerGraph, backward, build_layer_graph, evaluate
from .network import Kink, forward, near_kinks
from .numeric import FULL_CHECK_LIMIT, check_gradients
from .scalar import SCALAR_CHECK_LIMIT, EntryGradient, entry_gradient, scalar_graph_check
from .spec import MLPParams, MLPSpec
from .steps import MatrixStep, matrix_steps


@dataclass
class MLPResult:
    """Everything ``symgrad mlp`` reports; the renderer shows :attr:`steps`."""

    spec: MLPSpec
    params: MLPParams
    graph: LayerGraph | None  # None for a mini-batch (the batch loops run on matrices)
    values: dict[str, Any]
    adjoints: dict[str, Any]
    gradients: dict[str, np.ndarray]
    steps: list[MatrixStep]
    kinks: list[Kink]
    check: CheckReport | None = None
    scalar_check: CheckReport | None = None
    entries: list[EntryGradient] = field(default_factory=list)

    @property
    def batch(self) -> int | None:
        """The number of examples ``m`` of a mini-batch; None for a single example."""
        return self.params.batch

    @property
    def loss(self) -> float:
        return float(self.values["J"])

    @property
    def output(self) -> np.ndarray:
        return np.asarray(self.values["yhat"])

    @property
    def forward_steps(self) -> list[MatrixStep]:
        return [s for s in self.steps if s.kind in ("forward", "loss")]

    @property
    def backward_steps(self) -> list[MatrixStep]:
        return [s for s in self.steps if s.kind not in ("forward", "loss")]

    @property
    def passed(self) -> bool | None:
        """False if a check that ran failed, None if one was inconclusive, else True."""
        verdicts = [c.passed for c in (self.check, self.scalar_check) if c is not None]
        return False if False in verdicts else None if None in verdicts else True

    def to_dict(self) -> dict[str, Any]:
        """Plain data: ``loss``, ``output``, ``gradients``, ``check`` and the details; a
        mini-batch adds ``batch`` (m), ``example_losses`` (each L_i) and ``shapes``."""
        out = {
            "spec": self.spec.to_dict(),
            "loss": self.loss,
            "data_loss": float(self.values["L"]),
            "output": self.output.tolist(),
            "gradients": {key: value.tolist() for key, value in self.gradients.items()},
            "check": self.check.to_dict() if self.check else None,
            "scalar_check": self.scalar_check.to_dict() if self.scalar_check else None,
            "kinks": [kink.to_dict() for kink in self.kinks],
            "params": self.params.to_json(),
        }
        if self.batch is not None:
            out["batch"] = self.batch
            out["example_losses"] = np.asarray(self.values["L_i"]).tolist()
            out["shapes"] = {key: list(np.shape(v)) for key, v in self.params.as_dict().items()}
        return out


def run_mlp(
    spec: MLPSpec,
    params: MLPParams,
    *,
    check: bool = True,
    scalar_check: bool | None = None,
    entries: Sequence[str] = (),
) -> MLPResult:
    """Forward, backward, derivation steps, kink report and numeric checks.

    ``scalar_check=None`` cross-checks against the scalar computational graph only when the
    network has at most :data:`SCALAR_CHECK_LIMIT` parameters; True forces it, False skips it.
    ``entries`` (e.g. ``["W2,1,3", "b1,2"]``) adds the entry-level view of those parameters.
    A mini-batch (``params.batch``) runs the batch loops (:mod:`.batch`) and is checked the
    same way on the mean loss; it has no entry-level view.
    """
    if entries and params.batch is not None:
        raise SymgradError(
            "entry: --entry writes one example's gradient as a scalar formula; with a batch "
            "the gradient is the mean of those over the examples: run --entry without --batch"
        )
    if spec.n_params <= FULL_CHECK_LIMIT:  # limiting threads costs more than it saves
        return _run(spec, params, check, scalar_check, entries)
    with single_blas_thread():  # many small products: BLAS threads cost 2-4x on 2 cores
        return _run(spec, params, check, scalar_check, entries)


def _run(
    spec: MLPSpec,
    params: MLPParams,
    check: bool,
    scalar_check: bool | None,
    entries: Sequence[str],
) -> MLPResult:
    """The body of :func:`run_mlp`."""
    graph: LayerGraph | None = None
    adjoints: dict[str, Any] = {}
    if params.batch is not None:
        values, gradients, steps = batch_pass(spec, params)
    else:
        graph = build_layer_graph(spec)
        values = evaluate(graph, params)
        adjoints = backward(graph, values)
        gradients = {}
        for k in range(1, spec.depth + 1):
            gradients[f"W{k}"] = np.asarray(adjoints[f"W{k}"], dtype=float)
            gradients[f"b{k}"] = np.asarray(adjoints[f"b{k}"], dtype=float)
        steps = matrix_steps(spec, values, adjoints)
    kinks = near_kinks(spec, forward(spec, params))
    result = MLPResult(spec, params, graph, values, adjoints, gradients, steps, kinks)
    if check:
        at = [k.name for k in kinks]
        result.check = check_gradients(spec, params, gradients, kinks=at)
    if scalar_check or (scalar_check is None and spec.n_params <= SCALAR_CHECK_LIMIT):
        result.scalar_check = scalar_graph_check(spec, params, gradients)
    result.entries = [entry_gradient(spec, params, adjoints, gradients, e) for e in entries]
    return result


def single_blas_thread() -> AbstractContextManager[Any]:
    """A context limiting BLAS to one thread where threadpoolctl is installed (else nothing):
    the MLP's products are small (at most 128 × 128 by a few rows), and splitting each across
    threads made ``symgrad mlp`` 2-4 times slower on 2 cores. Scoped to the run, so a
    notebook's own NumPy work keeps its threads."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # optional: the results are the same, only slower
        from contextlib import nullcontext

        return nullcontext()
    limits: AbstractContextManager[Any] = threadpool_limits(1, user_api="blas")
    return limits
