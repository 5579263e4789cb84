"""Reading a Derivation for exercises: mistakes, kink distances, worked-solution lines.

Nothing here recomputes the math of a derivation; it re-reads its recorded steps (the
mistake answers replay those steps with one rule broken) and prints them.
"""

from __future__ import annotations

import math
from functools import lru_cache


from ..errors import SymgradError
from .base import KINK_MARGIN, Rejected, line, num, paren

# Functions whose derivative students confuse with their value (σ for σ′, tanh for 1 − tanh²).
_VALUE_FOR_DERIVATIVE = ("sigmoid", "tanh")


def replay(derivation, local=None) -> dict[int, float]:
    """Adjoint values from the recorded steps; ``local(step)`` may override a local gradient."""
    adjoint = {derivation.graph.output: 1.0}
    for step in derivation.steps:  # recorded parent by parent, outputs first
        value = step.local_value if local is None else local(step)
        adjoint[step.child] = adjoint.get(step.child, 0.0) + adjoint.get(step.parent, 0.0) * value
    return adjoint


def mistakes(derivation, name: str) -> list[tuple[str, float]]:
    """Wrong answers for ∂f/∂name that common mistakes give, found from the derivation."""
    graph = derivation.graph
    node = graph.var_node(name)
    right = derivation.gradients[name].value
    out = [("sign_flip", -right)]
    into = [s for s in derivation.steps if s.child == node.id]
    if len(into) == 1 and abs(into[0].upstream_value) != 1.0:
        out.append(("missing_upstream", into[0].local_value))
    elif len(into) > 1:
        out.append(("missed_branch", into[0].product_value))
    if any(graph.nodes[s.parent].op in _VALUE_FOR_DERIVATIVE for s in derivation.steps):
        def value_instead(step):
            parent = graph.nodes[step.parent]
            if parent.op in _VALUE_FOR_DERIVATIVE:
                return derivation.value_of(parent)
            return step.local_value
        out.append(("value_not_derivative", replay(derivation, value_instead).get(node.id, 0.0)))
    return out


def kink_distance(derivation) -> float:
    """Smallest |kink expression| over the graph's nodes at the point (inf if no kinks)."""
    from ..ops import kink_numpy

    best = math.inf
    for node in derivation.graph.op_nodes:
        functions = kink_numpy(node.op)
        if not functions:
            continue
        args = [derivation.values[i] for i in node.inputs]
        if node.record.has_const:
            args.append(float(node.const))
        for f in functions:
            best = min(best, abs(float(f(*args))))
    return best


def require_clean(derivation, margin: float = KINK_MARGIN, saturate: float = 3.0) -> float:
    """Reject kinks within ``margin`` and saturated sigmoid/tanh inputs; return kink distance."""
    distance = kink_distance(derivation)
    if distance < margin:
        raise Rejected("kink")
    for node in derivation.graph.op_nodes:
        first, last = derivation.values[node.inputs[0]], derivation.values[node.inputs[-1]]
        if node.op in ("sigmoid", "tanh", "exp") and abs(first) > saturate:
            raise Rejected("saturation")
        if node.op in ("recip", "div", "log") and abs(last) < 0.5:
            raise Rejected("near a pole")
    for value in derivation.values:
        if not math.isfinite(float(value)) or abs(float(value)) > 50:
            raise Rejected("overflow")
    return distance


@lru_cache(maxsize=8192)
def tex(expr) -> str:
    """The renderer's LaTeX for an expression (cached: node symbols repeat across versions)."""
    try:
        from ..render import tex as shared  # prints Heaviside as an indicator, as the solutions do
    except ImportError:
        import sympy

        return sympy.latex(expr)
    return shared(expr).replace(r"\mathbb{1}", r"\mathbf{1}")  # no blackboard 1 in amssymb


def factor(expr) -> str:
    """LaTeX of a factor in a product: parenthesized when it is a sum or starts with a sign."""
    text = tex(expr)
    return rf"\left({text}\right)" if text.startswith("-") or " + " in text or " - " in text \
        else text


def partial(f: str, x: str) -> str:
    return rf"\frac{{\partial {f}}}{{\partial {x}}}"


def solution_lines(derivation, f: str = "f") -> list[dict]:
    """Forward values node by node, then one chain-rule line per edge, as the lecture does."""
    graph = derivation.graph
    out = [line("", "Forward pass, node by node:", "前向传播（逐个节点）：")]
    for node in graph.op_nodes:
        out.append(line(rf"{tex(node.symbol)} = {tex(node.local_expr)} = "
                        f"{num(derivation.value_of(node))}"))
    out.append(line("",
                    f"Backward pass: start from ∂{f}/∂{f} = 1; every edge adds "
                    "upstream × local to its input.",
                    f"反向传播：从 ∂{f}/∂{f} = 1 开始；每条边把 上游梯度 × 局部梯度 加到它的输入上。"))
    for step in derivation.steps:
        parent, child = graph.nodes[step.parent], graph.nodes[step.child]
        out.append(line(
            rf"{partial(f, tex(child.symbol))} \mathrel{{+}}= {partial(f, tex(parent.symbol))}"
            rf"\cdot {factor(step.local)} = {paren(step.upstream_value)} \cdot "
            rf"{paren(step.local_value)} = {num(step.product_value)}"))
    for g in derivation.gradients.values():
        out.append(line(rf"{partial(f, tex(graph.var_node(g.name).symbol))} = {num(g.value)}"))
    return out


# --------------------------------------------------------------------------- printing trees

_PREC = {"add": 1, "sub": 1, "mul": 2, "div": 2, "neg": 3, "pow": 4}
_FUNC_TEX = {"exp": r"\exp", "log": r"\log", "sin": r"\sin", "cos": r"\cos", "tanh": r"\tanh",
             "sigmoid": r"\sigma", "relu": r"\operatorname{relu}", "softplus": r"\zeta",
             "hardtanh": r"\operatorname{hardtanh}", "max": r"\max", "min": r"\min"}


def expr_text(e) -> str:
    """Our Expr tree as parseable text, with only the parentheses it needs."""
    return _print(e, text=True)


def expr_latex(e) -> str:
    """Our Expr tree as LaTeX, keeping the structure as written (SymPy would reorder it)."""
    return _print(e, text=False)


def _print(e, text: bool) -> str:
    op = e.op
    if op == "var":
        return e.name if text or len(e.name) == 1 else _sub_name(e.name)
    if op == "const":
        return e.name if e.name else num(float(e.value))
    args = e.args
    if op in _PREC:
        p = _PREC[op]

        def child(a, right=False):
            s = _print(a, text)
            q = _PREC.get(a.op, 9)
            if a.op == "const" and float(a.value) < 0:
                q = 3
            if q < p or (right and q == p and op in ("sub", "div")) or (op == "pow" and q <= p):
                return f"({s})" if text else rf"\left({s}\right)"
            return s
        if op == "neg":
            return "-" + child(args[0], True)
        if op == "pow":
            return f"{child(args[0])}^{_print(args[1], text)}" if text else \
                f"{child(args[0])}^{{{_print(args[1], text)}}}"
        if op == "div" and not text:
            return rf"\frac{{{_print(args[0], text)}}}{{{_print(args[1], text)}}}"
        left, right = child(args[0]), child(args[1], True)
        if op == "mul" and not text:  # juxtapose (3 x_1, w x) unless a number follows
            return left + (r" \cdot " if right[0].isdigit() or right[0] == "-" else " ") + right
        sym = {"add": " + ", "sub": " - ", "mul": "*", "div": "/"}[op]
        return left + sym + right
    inner = ", ".join(_print(a, text) for a in args)
    if text:
        return f"{op}({inner})"
    if op == "abs":
        return rf"\left|{inner}\right|"
    if op == "sqrt":
        return rf"\sqrt{{{inner}}}"
    return rf"{_FUNC_TEX[op]}\left({inner}\right)"


def _sub_name(name: str) -> str:
    head, tail = name[0], name[1:].lstrip("_")
    return f"{head}_{{{tail}}}" if tail else head


# --------------------------------------------------------------------------- fast derive

def derive_at(expr: str, point: dict, wrt=None, granularity: str = "written"):
    """:func:`symgrad.derivation.derive` at ``point`` (as displayed), without the check.

    The symbolic part is built once per expression (:func:`symgrad.derivation.structure`), so
    evaluating one exercise's function at many points costs only NumPy work. ``point`` may
    hold extra names; only the function's variables are used. Raises :class:`Rejected` when
    the point is outside the function's domain.
    """
    from ..derivation import derive, structure

    variables = structure(expr, granularity)[1].variables
    try:
        return derive(expr, at={name: num(point[name]) for name in variables}, wrt=wrt,
                      granularity=granularity, check=False)
    except SymgradError as err:
        raise Rejected(str(err)) from None
