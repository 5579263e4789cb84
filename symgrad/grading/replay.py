"""Error carried forward: the worked solution recomputed from the learner's own answers.

:class:`Replay` walks the quantities in worked-solution order. Each node keeps a "learner's
world" value and gradient: the learner's answer where given, else the value recomputed from
the learner's world (which is the true value as long as nothing before it was wrong). It also
keeps whether that world value is "off" (wrong or carried, or computed from something off), so
an answer that matches only the recomputed value is "carried" when an input was off, and
"correct" when every input was right (the learner's own rounding).
"""

from __future__ import annotations

import math
from collections.abc import Collection
from typing import TYPE_CHECKING

import numpy as np

from .. import ops
from ..errors import SymgradError
from .equivalence import Formula, evaluate, exact_equal, numeric_equal, parse_formula, sample_points
from .judgement import Judgement, Quantity, close, verdict_of
from .mistakes import MISTAKES

if TYPE_CHECKING:
    from ..numpy_forms import FloatArray
    from .network import Solved

MAX_EXACT_NODES = 100  # larger graphs: formulas are judged at sample points only (no SymPy)


class Replay:
    """The learner's world of one derivation, filled in quantity by quantity."""

    def __init__(self, derivation: Solved):
        if derivation.values is None:
            raise SymgradError("checking answers needs a point: give --at NAME=VALUE,...")
        self.d = derivation
        self.graph = derivation.graph
        self.at_point = derivation.values
        self.value = [float(v) for v in derivation.values]  # leaves: the point, exactly
        self.value_off = [False] * len(self.graph.nodes)
        self.grad: dict[int, float] = {}
        self.grad_off: dict[int, bool] = {}
        self.users = self.graph.users()
        self.allowed = list(self.graph.variables) + [n.name for n in self.graph.op_nodes]
        self._samples: dict[str, FloatArray] | None = None

    # ------------------------------------------------------------------ judging
    def judge(self, q: Quantity, answer: float | str | None, where: str | None = None) -> Judgement:
        """The judgement of ``answer`` (None: unanswered) for ``q``; updates the world.
        ``where`` ("FILE:LINE") prefixes an error about the answer's formula."""
        if q.kind == "value":
            expected, off_inputs, context = self._forward(q.node)
        else:
            expected, off_inputs, context = self._backward(q.node)
        j = Judgement(q, answer, expected=expected)
        if answer is None:
            world, off = expected, off_inputs
        else:
            value = (
                answer
                if isinstance(answer, float)
                else parse_formula(answer, self.allowed, f"{where}: {q.name}" if where else q.name)
            )
            if isinstance(value, Formula):
                self._judge_formula(j, value)
            else:
                j.given = value
                verdict_of(j, off_inputs, context)
            given = j.given
            world = given if given is not None and math.isfinite(given) else expected
            off = j.verdict in ("wrong", "carried")
        if q.kind == "value":
            self.value[q.node], self.value_off[q.node] = world, off
        else:
            self.grad[q.node], self.grad_off[q.node] = world, off
        return j

    def _judge_formula(self, j: Judgement, formula: Formula) -> None:
        """A formula is right when it is equivalent to the true quantity (no carrying).

        A wrong formula is diagnosed only as a sign (equivalent to minus the truth): the other
        mistakes are recognised from numbers at one point, where a wrong formula can match
        one of them by coincidence.
        """
        q = j.quantity
        at = {n.name: self.at_point[n.id] for n in self.graph.nodes if n.op != "const"}
        with np.errstate(all="ignore"):
            j.given = float(evaluate(formula, at))
        j.expected = q.true  # judged against the truth, not carried forward
        samples = self._sample()
        truth = self._truth_at(q, samples)
        if exact_equal(formula, self._truth_expr(q), self.graph.substitution()):
            j.method, same = "exact", True
        elif len(truth):
            result = numeric_equal(formula, samples, truth)
            j.method, same = f"numeric ({result.points} points)", result.equivalent
        else:  # no clean point near this one: the checked point alone decides
            j.method, same = "at the point", close(j.given, q.true)
        j.verdict, j.credit = ("correct", 1.0) if same else ("wrong", 0.0)
        if not same and len(truth) and numeric_equal(formula, samples, -truth).equivalent:
            j.mistake, j.credit = "sign_flip", MISTAKES["sign_flip"].credit / 100

    # ------------------------------------------------------------------ recomputing
    def _forward(self, node_id: int) -> tuple[float, bool, dict]:
        node = self.graph.nodes[node_id]
        if node.is_leaf:
            return self.value[node_id], False, {}
        args = node.op_args([np.float64(self.value[i]) for i in node.inputs])
        if node.record.has_const:
            args = (*args[:-1], np.float64(args[-1]))
        with np.errstate(all="ignore"):
            value = float(node.record.numpy(*args))
        return value, any(self.value_off[i] for i in node.inputs), {}

    def _local(self, parent: int, k: int) -> float:
        node = self.graph.nodes[parent]
        args = node.op_args([np.float64(self.value[i]) for i in node.inputs])
        if node.record.has_const:
            args = (*args[:-1], np.float64(args[-1]))
        with np.errstate(all="ignore"):
            return float(ops.local_gradient_numpy(node.op, k)(*args))

    def _edges(self, node_id: int) -> list[tuple[int, int]]:
        """(user, input position) for every edge from ``node_id`` into a user."""
        out = []
        for user in dict.fromkeys(self.users[node_id]):
            for k, i in enumerate(self.graph.nodes[user].inputs):
                if i == node_id:
                    out.append((user, k))
        return out

    def _backward(self, node_id: int) -> tuple[float, bool, dict]:
        if node_id == self.graph.output:
            return 1.0, False, {}
        edges = self._edges(node_id)
        parts = [self.grad[p] * self._local(p, k) for p, k in edges]
        penalty: Collection[int] = getattr(self.d, "penalty", set())
        off = any(
            self.grad_off[p] or any(self.value_off[i] for i in self.graph.nodes[p].inputs)
            for p, _ in edges
        )
        expected = math.fsum(parts)
        context: dict = {"branches": parts} if len(parts) > 1 else {}
        if any(p in penalty for p, _ in edges):  # an MLP weight: the L2 term is no branch
            context = {"l2_term": sum(x for (p, _), x in zip(edges, parts) if p in penalty)}
            edges = [(p, k) for p, k in edges if p not in penalty]
        l2: float = getattr(self.d, "l2", 0.0)
        if node_id in getattr(self.d, "biases", ()) and l2:
            context["bias_l2_term"] = l2 * self.value[node_id]
        if len(edges) == 1:
            ((p, k),) = edges
            user = self.graph.nodes[p]
            context |= {
                "upstream": self.grad[p],
                "local": self._local(p, k),
                "wrong_locals": self._wrong_locals(p, k, node_id),
            }
            if user.op in ops.activations():
                context["value"] = self.value[p]
        return expected, off, context

    def _wrong_locals(self, parent: int, k: int, child: int) -> list[float]:
        """Local factors a learner may take instead of the right one: another input's partial
        (the operands of a product swapped), the gate's output, its input, 1 and 0."""
        node = self.graph.nodes[parent]
        out = [self._local(parent, j) for j in range(node.record.arity) if j != k]
        return out + [self.value[parent], self.value[child], 1.0]

    # ------------------------------------------------------------------ formulas
    def _truth_expr(self, q: Quantity):
        """The true quantity in the leaf variables (SymPy), or None when too large."""
        if q.kind == "value":
            return self.graph.leaf_exprs()[q.node]
        adjoint = self.d.backward.adjoints[q.node]
        if adjoint is None or len(self.graph.nodes) > MAX_EXACT_NODES:
            return None
        return adjoint.xreplace(self.graph.substitution())

    def _sample(self) -> dict[str, FloatArray]:
        if self._samples is None:
            point = {k: float(v) for k, v in (self.d.point or {}).items()}
            self._samples = sample_points(self.graph, point)
        return self._samples

    def _truth_at(self, q: Quantity, samples: dict) -> np.ndarray:
        """The true quantity at each sample point (gradients: one reverse pass per point)."""
        from ..backward import backward
        from ..graph import forward_values

        count = len(next(iter(samples.values()))) if samples else 0
        out = []
        for i in range(count):
            values = forward_values(
                self.graph, {v: float(samples[v][i]) for v in self.graph.variables}
            )
            if q.kind == "value":
                out.append(float(values[q.node]))
            else:
                out.append(backward(self.graph, values, symbolic=False).adjoint_value(q.node))
        return np.array(out, dtype=float)
