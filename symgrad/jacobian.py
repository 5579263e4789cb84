"""The lecture's vector chain rule: ``y = g(x)``, ``z = f(y)``, ``∇_x z = (∂y/∂x)ᵀ ∇_y z``.

Each row of the Jacobian ``∂y/∂x`` (shape n×m: n outputs, m inputs) is one reverse pass over
the graph of ``y_j`` (reverse mode computes a Jacobian one output at a time); ``∇_y z`` is one
reverse pass over ``z``. The product is checked against a reverse pass over the composed
expression ``z(g(x))`` (and that one against central differences).

>>> rule = vector_chain_rule("x1*x2, x2+x3", "y1*y2", at="x1=1,x2=2,x3=3")
>>> rule.jacobian_value.tolist(), rule.grad_x_value.tolist()
([[2.0, 1.0, 0.0], [0.0, 1.0, 1.0]], [10.0, 7.0, 2.0])
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np
import sympy

from .check import CheckReport, relative_error, report, verdict
from .derivation import derive
from .errors import SymgradError
from .parse import is_variable_name, parse
from .point import parse_assignments
from .rewriting import rewrite, walk

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

MAX_OUTPUTS = 20  # expressions in y = g(x)
MAX_INPUTS = 20  # variables in x
TOLERANCE = 1e-9  # chain-rule product vs the composed expression's own reverse pass
AGREEMENT = 1e-14  # an absolute difference below this is rounding, not disagreement
METHOD = "reverse pass over the composed expression z(g(x))"  # the report's method, as data


def split_top_level(text: str) -> list[str]:
    """``"x1*x2, max(x2, x3)"`` → ``["x1*x2", "max(x2, x3)"]``: commas outside parentheses."""
    parts: list[str] = []
    current: list[str] = []
    depth = 0
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(ch)
    parts.append("".join(current).strip())
    return parts


@dataclass
class VectorChainRule:
    """Everything the lecture's example shows, symbolic and (with a point) numeric."""

    x: list[str]
    y_names: list[str]
    y_texts: list[str]
    z_text: str
    jacobian: sympy.Matrix  # n×m, in the x variables
    grad_y: sympy.Matrix  # n×1, in the y variables
    point: dict | None = None  # exact values of x
    y_values: np.ndarray | None = None
    jacobian_value: np.ndarray | None = None
    grad_y_value: np.ndarray | None = None
    grad_x_value: np.ndarray | None = None
    direct_value: np.ndarray | None = None  # reverse pass over z(g(x)) itself
    check: CheckReport | None = None  # the product against the composed expression

    @property
    def grad_x(self) -> sympy.Matrix:
        """``(∂y/∂x)ᵀ ∇_y z``, in x and y symbols (no simplification)."""
        return self.jacobian.T * self.grad_y

    @property
    def shape(self) -> tuple[int, int]:
        return (len(self.y_names), len(self.x))

    def to_dict(self) -> dict:
        """Plain data: expressions as text, values as lists (the renderer adds LaTeX)."""
        n, m = self.shape
        return {
            "x": self.x,
            "y": [{"name": name, "expr": text} for name, text in zip(self.y_names, self.y_texts)],
            "z": self.z_text,
            "point": None if self.point is None else {k: str(v) for k, v in self.point.items()},
            "jacobian": {
                "shape": [n, m],
                "expr": [[str(self.jacobian[j, i]) for i in range(m)] for j in range(n)],
                "value": _list(self.jacobian_value),
            },
            "grad_y": {"expr": [str(e) for e in self.grad_y], "value": _list(self.grad_y_value)},
            "grad_x": {"expr": [str(e) for e in self.grad_x], "value": _list(self.grad_x_value)},
            "y_values": _list(self.y_values),
            "check": None if self.check is None else self.check.to_dict(),
        }


def _list(a):
    return None if a is None else np.asarray(a, dtype=float).tolist()


def vector_chain_rule(
    y: str | Sequence[str],
    z: str,
    at: str | Mapping[str, object] | None = None,
    x: str | Sequence[str] | None = None,
    y_names: str | Sequence[str] | None = None,
    sympy_check: bool = True,
) -> VectorChainRule:
    """Jacobian ``∂y/∂x`` and ``∇_x z = (∂y/∂x)ᵀ ∇_y z`` for ``y = g(x)``, ``z = f(y)``.

    ``y``: the expressions of ``g`` (a comma list or a sequence); they are named
    ``y1, ..., yn`` (or ``y_names``) and ``z`` is written in those names. ``x`` fixes the input
    order (default: order of first appearance). ``at``: ``"x1=1,x2=2"`` or a dict; without it
    the result is symbolic only. The product is checked against a reverse pass over the
    composed ``z(g(x))``, itself checked by central differences and, unless ``sympy_check``
    is False, by ``sympy.diff`` of the whole composed expression (the report's method says
    which ran).
    """
    texts = [t for item in ([y] if isinstance(y, str) else list(y)) for t in split_top_level(item)]
    if not texts or any(not t for t in texts):
        raise SymgradError("--y: expected one or more expressions separated by commas")
    if len(texts) > MAX_OUTPUTS:
        raise SymgradError(f"--y: {len(texts)} expressions; the limit is {MAX_OUTPUTS}")
    names = _names(y_names, len(texts))
    trees = [_parse(t, f"--y expression {j} ({names[j - 1]})") for j, t in enumerate(texts, 1)]
    z_tree = _parse(z, "--z")
    used = []
    for tree in trees:
        for v in _variables(tree):
            if v not in used:
                used.append(v)
    inputs = _inputs(x, used)
    clash = sorted(set(inputs) & set(names))
    if clash:
        raise SymgradError(
            f"--y: the names {', '.join(clash)} are used both as inputs x and "
            "as outputs y; rename the inputs or pass --y-names"
        )
    z_vars = _variables(z_tree)
    stray = [v for v in z_vars if v not in names]
    if stray:
        raise SymgradError(f"--z: z may only use {', '.join(names)}; got {', '.join(stray)}")

    point = parse_assignments(at) or None if at else None
    if point is not None:
        missing = [v for v in inputs if v not in point]
        unknown = [v for v in point if v not in inputs]
        if missing:
            raise SymgradError(f"--at: no value for {', '.join(missing)}")
        if unknown:
            raise SymgradError(
                f"--at: {', '.join(unknown)} is not an input (inputs: {', '.join(inputs)})"
            )

    n, m = len(texts), len(inputs)
    jac = sympy.zeros(n, m)
    jac_value, y_values = np.zeros((n, m)), np.zeros(n)  # kept only with a point
    for j, tree in enumerate(trees):
        value, grads = _reverse_pass(tree, point, texts[j])
        if point is not None:
            y_values[j] = value
        for name, (expr, grad_value) in grads.items():
            i = inputs.index(name)
            jac[j, i] = expr
            if point is not None:
                jac_value[j, i] = grad_value

    grad_y = sympy.zeros(n, 1)
    grad_y_value = np.zeros(n)
    z_at = (
        None
        if point is None
        else {v: sympy.Rational(repr(float(y_values[names.index(v)]))) for v in z_vars}
    )
    for name, (expr, grad_value) in _reverse_pass(z_tree, z_at, z)[1].items():
        j = names.index(name)
        grad_y[j] = expr
        if point is not None:
            grad_y_value[j] = grad_value

    if point is None:
        return VectorChainRule(inputs, names, texts, z, jac, grad_y, None, None, None, None)
    rule = VectorChainRule(
        inputs, names, texts, z, jac, grad_y, point, y_values, jac_value, grad_y_value
    )
    if point is not None:
        rule.grad_x_value = chain_product(jac_value, grad_y_value)
        rule.direct_value, rule.check = _direct_check(
            trees,
            names,
            z_tree,
            inputs,
            point,
            rule.grad_x_value,
            _composed_text(tuple(texts), tuple(names), z),
            sympy_check,
        )
    return rule


def _variables(tree) -> list[str]:
    """Variable names in order of first appearance."""
    return list(dict.fromkeys(e.name for e in walk(tree) if e.op == "var" and e.name is not None))


def _reverse_pass(tree, point, text: str | None = None):
    """``(value, {name: (gradient expr, gradient value)})`` of one expression by ``derive``.

    ``text``, when given, is text that parses to ``tree``: derive then reuses the graph and
    the symbolic reverse pass it built for that text (:func:`symgrad.derivation.structure`),
    which matters when an exercise evaluates one system at many points.
    A lone variable or constant has no operation for ``derive`` to run through; its
    gradient is 1 (or nothing), written here directly.
    """
    if tree.op == "var":
        value = None if point is None else float(point[tree.name])
        return value, {tree.name: (sympy.Integer(1), 1.0)}
    if tree.is_const:
        return float(tree.value), {}
    at = None if point is None else {v: point[v] for v in _variables(tree)}
    d = derive(tree if text is None else text, at=at, check=False)
    grads = {
        name: (g.expr if g.expr is not None else g.node_expr, g.value)
        for name, g in d.gradients.items()
    }
    return d.value, grads


def _parse(text: str, what: str):
    try:
        return _parsed(text)
    except SymgradError as err:
        raise SymgradError(f"{what}: {err}") from None


@lru_cache(maxsize=256)
def _parsed(text: str):
    """:func:`symgrad.parse.parse`, once per text (trees are immutable)."""
    return parse(text)


@lru_cache(maxsize=256)
def _composed_text(texts: Sequence[str], names: Sequence[str], z: str) -> str | None:
    """``z`` with each name ``y_j`` replaced by ``(text_j)``: text for ``z(g(x))`` that
    parses to the tree :func:`_composed_gradient` composes (checked here; None when it does
    not, e.g. over the length limit), so its derivation's structure is built once.

    >>> _composed_text(("x1*x2", "x2+x3"), ("y1", "y2"), "y1*y2 + y1")
    '(x1*x2)*(x2+x3) + (x1*x2)'
    """
    by_name = dict(zip(names, texts))
    text = re.sub(
        r"[A-Za-z_][A-Za-z_0-9]*", lambda m: f"({by_name[m[0]]})" if m[0] in by_name else m[0], z
    )
    trees = {name: _parsed(t) for name, t in by_name.items()}
    try:
        same = parse(text) == rewrite(
            _parsed(z), lambda e: trees.get(e.name or "", e) if e.op == "var" else e
        )
    except SymgradError:
        return None
    return text if same else None


def _names(y_names, n: int) -> list[str]:
    if y_names is None:
        return [f"y{j}" for j in range(1, n + 1)]
    names = [s.strip() for s in y_names.split(",")] if isinstance(y_names, str) else list(y_names)
    if len(names) != n or len(set(names)) != n or not all(map(is_variable_name, names)):
        raise SymgradError(
            f"--y-names: expected {n} distinct variable names (not a function, "
            f"constant or keyword), got {','.join(names)!r}"
        )
    return names


def _inputs(x, used: list[str]) -> list[str]:
    if x is None or x == "":
        if not used:
            raise SymgradError("--y: the expressions use no variables; nothing to differentiate")
        names = used
    else:
        names = [s.strip() for s in x.split(",")] if isinstance(x, str) else list(x)
        bad = [s for s in names if not is_variable_name(s)]
        if bad or len(set(names)) != len(names):
            raise SymgradError(f"--x: expected distinct variable names, got {','.join(names)!r}")
        missing = [v for v in used if v not in names]
        if missing:
            raise SymgradError(f"--x: the expressions also use {', '.join(missing)}")
    if len(names) > MAX_INPUTS:
        raise SymgradError(f"--x: {len(names)} inputs; the limit is {MAX_INPUTS}")
    return names


def chain_product(jacobian_value: np.ndarray, grad_y_value: np.ndarray) -> np.ndarray:
    """``(∂y/∂x)ᵀ ∇_y z``: the lecture's product, one entry of ∇ₓz per input."""
    return jacobian_value.T @ grad_y_value


def _composed_gradient(
    trees, names, z_tree, inputs, point, text: str | None = None, sympy_check: bool = True
):
    """∇ₓz by one reverse pass over ``z(g(x))`` composed as one expression, and that pass's
    own check (None for a lone variable or constant, which has no operation to check).
    ``text``: :func:`_composed_text`, when it parses to the composed tree."""
    by_name = dict(zip(names, trees))
    composed = rewrite(z_tree, lambda e: by_name[e.name] if e.op == "var" else e)
    direct = np.zeros(len(inputs))
    if composed.op == "var" or composed.is_const:
        for name, (_, value) in _reverse_pass(composed, point)[1].items():
            direct[inputs.index(name)] = value
        return direct, None
    d = derive(
        composed if text is None else text,
        at={v: point[v] for v in _variables(composed)},
        sympy_check=sympy_check,
    )
    for name, grad in d.gradients.items():
        direct[inputs.index(name)] = grad.value
    return direct, d.check


def _direct_check(
    trees,
    names,
    z_tree,
    inputs,
    point,
    chain_value,
    text: str | None = None,
    sympy_check: bool = True,
):
    """``(∇ₓz of the composed expression, the CheckReport of chain_value against it)``."""
    direct, oracle_check = _composed_gradient(
        trees, names, z_tree, inputs, point, text, sympy_check
    )
    return direct, check_chain_product(inputs, chain_value, direct, oracle_check)


def check_chain_product(
    inputs: Sequence[str],
    product: ArrayLike,
    oracle: ArrayLike,
    oracle_check: CheckReport | None = None,
) -> CheckReport:
    """Compare the chain-rule product with the composed expression's reverse pass, per input.

    The oracle's own check (``oracle_check``, central differences of ``z(g(x))``) decides
    the rest: an input it could not decide (a kink, a domain edge) is inconclusive; one it
    failed is a failure, shown against the estimate the oracle failed.

    >>> check_chain_product(["a", "b"], [1.0, 2.0], [1.0, 2.0 + 1e-6]).passed
    False
    """
    method = METHOD if oracle_check is None else f"{METHOD}; {oracle_check.method}"
    own = {} if oracle_check is None else {row.name: row for row in oracle_check.rows}
    inconclusive = {
        v: own[v].reason for v in inputs if v in own and own[v].status == "inconclusive"
    }
    result = report(
        list(inputs),
        product,
        oracle,
        method,
        TOLERANCE,
        AGREEMENT / TOLERANCE,
        inconclusive,
        [] if oracle_check is None else oracle_check.kinks,
    )
    for row in result.rows:
        failed = own.get(row.name)
        # show the estimate it failed (a failed row always has one)
        if failed is not None and failed.status == "fail" and failed.numeric is not None:
            row.numeric, row.reason, row.status = failed.numeric, failed.reason, "fail"
            row.rel_error = float(relative_error(row.analytic, failed.numeric))
    result.passed = verdict(result.rows)
    return result
