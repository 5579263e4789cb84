"""Numeric checks of gradients: float64 central differences, vectorized, plus sympy.diff.

The check returns a :class:`CheckReport` that the renderers and the CLI both use. A point
within one step of a kink (relu at 0, max ties, ...) is *inconclusive*: finite differences
say nothing there, so it is never reported as a pass or a failure.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .check_report import TOLERANCE as TOLERANCE
from .check_report import CheckReport as CheckReport
from .check_report import CheckRow as CheckRow
from .check_report import finite_or_none
from .check_report import relative_error as relative_error
from .check_report import report as report
from .check_report import verdict as verdict

if TYPE_CHECKING:
    import sympy

    from .graph import Graph
    from .numpy_forms import FloatArray

FLOOR = 1e-8  # absolute difference (times max(1, |f|)) below what central differences resolve
UNSETTLED = 1e-3  # steps h and h/2 differing by more than this: the estimate has not converged
SYMPY_TOLERANCE = 1e-9  # against sympy.diff, which has no truncation error
SYMPY_FLOOR = 1e-3  # with that tolerance: differences below 1e-12 are rounding
STEP = float(np.finfo(float).eps) ** (1 / 3)  # ~6e-6, optimal for central differences
SYMPY_CHECK_LIMIT = 4000  # operations in the whole expression beyond which sympy.diff is skipped
# Estimated work of sympy.diff (see diff_cost) up to which derive runs it by default: about
# 0.1 s on the reference 2-core machine (the sigmoid circuit is 1,385 units, a sum of 30
# variables 1,315). The oracle's cost grows faster than the graph (n derivatives of the whole
# expression, each sorting deep products), so above the bound it is opt-in: pass a larger
# ``sympy_budget`` to check_graph / derive.
SYMPY_CHECK_BUDGET = 4000
DEPTH_WEIGHT = 20  # diff_cost: one unit of depth costs as much as 20 nodes visited
PIECEWISE_WEIGHT = 40  # graph_cost: the extra work of one max/min/relu/abs per level of depth
PRODUCT_WEIGHT = 8  # graph_cost: a factor of a product, per variable (SymPy sorts the factors)
SYMPY_DIGITS = (30, 60)  # the two working precisions of the sympy.diff oracle


def central_difference_points(x: FloatArray, h: FloatArray) -> FloatArray:
    """Rows: x, then x ± h_i e_i, then x ± (h_i/2) e_i for each i: shape (4n + 1, n)."""
    shifts = np.diag(h)
    return np.vstack([x[None, :], x + shifts, x - shifts, x + shifts / 2, x - shifts / 2])


def central_differences(f_rows: FloatArray, h: FloatArray) -> FloatArray:
    """Estimates from ``f`` at :func:`central_difference_points`, shape (3, n): the central
    difference with step h, with step h/2, and their Richardson extrapolation (error O(h⁴)
    instead of O(h²): it stays accurate for strongly curved functions such as exp(exp(x)))."""
    n = h.size
    plus, minus, half_plus, half_minus = (f_rows[1 + k * n : 1 + (k + 1) * n] for k in range(4))
    d1 = (plus - minus) / (2 * h)
    d2 = (half_plus - half_minus) / h
    return np.vstack([d1, d2, (4 * d2 - d1) / 3])


def step_sizes(x: FloatArray) -> FloatArray:
    """The central differences' step for each coordinate of ``x``: STEP·max(1, |x|)."""
    steps: FloatArray = STEP * np.maximum(1.0, np.abs(x))
    return steps


def check_graph(
    graph: Graph,
    point: dict[str, float],
    analytic: dict[str, float],
    sympy_check: bool = True,
    sympy_budget: int | None = None,
) -> CheckReport:
    """Check ``analytic`` gradients of ``graph`` at ``point`` by central differences.

    All 4n+1 evaluations run as one vectorized forward pass. Each variable whose ±h step
    crosses a kink of any node (or starts exactly on one) is inconclusive. When the whole
    expression is small enough (estimated work at most ``sympy_budget``, default
    :data:`SYMPY_CHECK_BUDGET`), ``sympy.diff`` of it (with symgrad's activations rewritten
    into SymPy's elementary functions) is a second, independent oracle; the report's method
    says whether it ran. Everything else is linear in nodes × variables.
    """
    from .graph import forward_values
    from .ops import kink_numpy

    names = list(analytic)
    order = graph.variables
    x = np.array([point[v] for v in order], dtype=float)
    h = step_sizes(x)
    rows = central_difference_points(x, h)
    values = forward_values(graph, {v: rows[:, j] for j, v in enumerate(order)})
    f_rows = np.broadcast_to(values[graph.output], (rows.shape[0],)).astype(float)
    column = {v: j for j, v in enumerate(order)}
    position = [column[v] for v in names]
    estimates = central_differences(f_rows, h)[:, position]
    a = np.array([analytic[v] for v in names], dtype=float)
    numeric = np.where(np.isfinite(estimates[2]), estimates[2], estimates[0])  # Richardson

    inconclusive: dict[str, str] = {}
    kinks: list[str] = []
    n = len(order)
    wanted = set(names)
    for node in graph.op_nodes:
        tests = kink_numpy(node.op)
        if not tests:
            continue
        args = node.op_args([np.broadcast_to(values[i], (rows.shape[0],)) for i in node.inputs])
        if node.record.has_const:
            args = (*args[:-1], float(args[-1]))
        for test in tests:
            side = np.broadcast_to(np.sign(np.asarray(test(*args), dtype=float)), (rows.shape[0],))
            at_kink = side[0] == 0
            if at_kink:
                kinks.append(node.name)
                feeding = _variables_feeding(graph, node.id)
            # a step of variable j moves this node across its kink
            crosses = (side[1:].reshape(4, n) != side[0]).any(axis=0)
            for j in np.flatnonzero(crosses) if not at_kink else range(n):
                v = order[j]
                if v in wanted and (crosses[j] or v in feeding):
                    inconclusive.setdefault(
                        v,
                        f"{'at' if at_kink else 'within one step of'} the kink of "
                        f"{node.name} ({node.op})",
                    )
    for v, nmr in zip(names, numeric):
        if not np.isfinite(nmr) and v not in inconclusive:
            inconclusive[v] = "the function is not finite one step away (domain edge)"
    scale = float(abs(f_rows[0])) if np.isfinite(f_rows[0]) else 1.0
    floor = FLOOR * max(1.0, scale) / TOLERANCE
    # the estimates with steps h and h/2 must settle: where they do not (sin(x) at 1e20,
    # cos(x^3) at 1000: the function turns over within one step), a disagreement with the
    # analytic gradient says nothing about the gradient
    settle = relative_error(estimates[0], estimates[1], floor)
    disagree = relative_error(a, numeric, floor)
    for v, moved, off in zip(names, settle, disagree):
        if moved > UNSETTLED and not off <= TOLERANCE and v not in inconclusive:
            inconclusive[v] = (
                f"the central differences do not settle at this point (steps h "
                f"and h/2 differ by {moved:.0%})"
            )
    method = (
        f"central differences with Richardson extrapolation (float64, h = "
        f"{STEP:.1e}·max(1, |x|) and h/2)"
    )
    # below 1e-8·max(1, |f|) a difference is what central differences cannot resolve
    result = report(
        names,
        a,
        numeric,
        method,
        TOLERANCE,
        floor,
        inconclusive,
        sorted(set(kinks), key=kinks.index),
    )
    if sympy_check:
        _sympy_cross_check(
            graph, point, result, SYMPY_CHECK_BUDGET if sympy_budget is None else sympy_budget
        )
    return result


def _variables_feeding(graph: Graph, node_id: int) -> set[str]:
    """Names of the variables that node ``node_id`` depends on."""
    seen, stack, names = set[int](), [node_id], set[str]()
    while stack:
        i = stack.pop()
        if i in seen:
            continue
        seen.add(i)
        node = graph.nodes[i]
        if node.op == "var":
            names.add(node.name)
        stack.extend(node.inputs)
    return names


def _sympy_cross_check(
    graph: Graph, point: dict[str, float], result: CheckReport, budget: int = SYMPY_CHECK_BUDGET
) -> None:
    """Compare with ``sympy.diff`` of the whole expression, evaluated at the point.

    The derivatives are evaluated by substituting the point as high-precision SymPy Floats
    (:func:`_at_point`), never through ``lambdify``: NumPy code for the Piecewise terms of
    max/min/relu/abs made ``lambdify`` call ``simplify_logic`` (minutes for some 100-node
    inputs), broke on ``zoo`` in a branch not taken, and overflowed to nan at points such as
    sigmoid(-709). The oracle is a second opinion: when it cannot run in bounded time, or
    breaks down at the point (not finite, complex, precision lost), it says so in the
    method and in the row's reason, and never turns a row into a failure.
    """
    import sympy

    from .ops import elementary

    wanted = list(result.rows)
    if graph_cost(graph, len(wanted), budget) > budget:  # before SymPy builds anything
        result.method += skipped_too_large(budget)
        return
    try:
        whole = elementary(graph.leaf_expr(graph.output))
        if sympy.count_ops(whole) > SYMPY_CHECK_LIMIT:
            result.method += "; sympy.diff skipped (expression too large)"
            return
        if diff_cost(whole, len(wanted), budget) > budget:
            result.method += skipped_too_large(budget)
            return
        symbols = {v: graph.var_node(v).symbol for v in graph.variables}
        derivatives = [sympy.diff(whole, symbols[row.name]) for row in wanted]
        values = [_at_point(d, symbols, point) for d in derivatives]
    except RecursionError:
        result.method += "; sympy.diff skipped (expression too deep)"
        return
    except Exception as exc:  # noqa: BLE001 - SymPy's own limits: the oracle is not run
        result.method += f"; sympy.diff skipped (SymPy failed: {type(exc).__name__})"
        return
    broken = []
    for row, (value, why) in zip(wanted, values):
        if value is None:
            broken.append(row.name)
            note = f"sympy.diff of the whole expression not compared ({why})"
            row.reason = f"{row.reason}; {note}" if row.reason else note
            continue
        row.symbolic = finite_or_none(value)
        err = float(relative_error(row.analytic, value, SYMPY_FLOOR))
        row.symbolic_rel_error = finite_or_none(err)
        if row.status == "inconclusive":
            continue
        if not err <= SYMPY_TOLERANCE:
            row.status = "fail"
            row.reason = f"sympy.diff of the whole expression gives {value!r}"
        elif row.status == "fail":  # sin(x) at 1e20: a step of 6e14 sees nothing of sin'
            row.status = "inconclusive"
            row.reason = (
                "the central differences disagree, but sympy.diff of the whole "
                "expression agrees: the steps are too coarse for this point"
            )
    result.passed = verdict(result.rows)
    result.max_rel_error = max(
        (
            r.rel_error
            for r in result.rows
            if r.status != "inconclusive" and r.rel_error is not None
        ),
        default=None,
    )
    result.method += " + sympy.diff of the whole expression"
    if broken:
        result.method += f" (inconclusive for {', '.join(broken)}: see the rows' reasons)"


def skipped_too_large(budget: int) -> str:
    """The method's note when the sympy.diff oracle is over its bound (it is opt-in there)."""
    return (
        f"; sympy.diff skipped (too large to finish in bounded time: estimated work over "
        f"{budget} units; a larger sympy_budget runs it)"
    )


def graph_cost(graph: Graph, n_variables: int, budget: int | None = None) -> int:
    """:func:`diff_cost` estimated from the graph, before SymPy builds the whole expression.

    Building it is itself superlinear for max, min, relu, abs (SymPy simplifies their
    arguments: 2 s for a 119-node nest of them), so those nodes weigh PIECEWISE_WEIGHT more
    per level of depth. Chains of + or of × add no depth: SymPy flattens them; but each
    factor of a product costs PRODUCT_WEIGHT per variable (every derivative of a product
    builds and sorts a product of the other factors).
    """
    budget = SYMPY_CHECK_BUDGET if budget is None else budget
    flat = {"add": "add", "sub": "add", "mul": "mul"}
    size = cost = 0
    stack = [(graph.output, 1)]
    while stack:
        i, depth = stack.pop()
        node = graph.nodes[i]
        size += 1
        cost += n_variables + DEPTH_WEIGHT * depth
        if not node.is_leaf and node.record.kink_at:
            cost += PIECEWISE_WEIGHT * depth
        if node.op in ("mul", "div"):
            cost += PRODUCT_WEIGHT * n_variables
        if cost > budget:
            return cost
        for j in node.inputs:
            chained = flat.get(node.op) is not None and flat.get(graph.nodes[j].op) == flat.get(
                node.op
            )
            stack.append((j, depth if chained else depth + 1))
    return cost


def diff_cost(expr: sympy.Basic, n_variables: int, budget: int | None = None) -> int:
    """An estimate of the work of ``sympy.diff(expr, v)`` for ``n_variables`` variables.

    Each variable's derivative visits every node of the tree (``size``); a chain of nested
    functions makes products whose factors SymPy sorts by comparing deep subtrees (the sum
    of all nodes' depths). Measured on the reference 2-core machine, one unit is 5-45 µs:
    a sum of 300 variables is 90,300 units (4 s), 119 nested sin about 142,000 (6 s), 60
    nested sin 37,000 (1.2 s). The walk stops as soon as the budget is exceeded.
    """
    budget = SYMPY_CHECK_BUDGET if budget is None else budget
    size = depth_sum = 0
    stack = [(expr, 1)]
    while stack:
        node, depth = stack.pop()
        size += 1
        depth_sum += depth
        cost = n_variables * size + DEPTH_WEIGHT * depth_sum
        if cost > budget:
            return cost
        stack.extend((arg, depth + 1) for arg in node.args)
    return n_variables * size + DEPTH_WEIGHT * depth_sum


def _at_point(
    derivative: sympy.Expr, symbols: dict[str, sympy.Symbol], point: dict[str, float]
) -> tuple[float | None, str]:
    """``derivative`` at ``point``, evaluated twice with SymPy Floats (mpmath: no overflow at
    exp(710), no nan from inf/inf), at two precisions that must agree: (value, "") or
    (None, why the oracle breaks down here)."""
    import sympy

    found = []
    for digits in SYMPY_DIGITS:
        at = {s: sympy.Float(point[v], digits + 10) for v, s in symbols.items()}
        value = derivative.xreplace(at).evalf(digits)
        if value.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
            return None, f"it is {value} at this point"
        if not value.is_number:
            return None, "it does not evaluate to a number at this point"
        z = complex(value)
        if abs(z.imag) > 1e-20 * max(1.0, abs(z.real)):
            return None, "it is not real at this point"
        found.append(sympy.Float(sympy.re(value), digits))
    low, high = found
    if abs(low - high) > 1e-15 * max(abs(high), 1):
        return (
            None,
            f"its value changes with the working precision ({float(low)!r} at "
            f"{SYMPY_DIGITS[0]} digits, {float(high)!r} at {SYMPY_DIGITS[1]})",
        )
    value = float(high)
    if not np.isfinite(value):
        return None, "it is too large for float64 at this point"
    return value, ""
