"""The derivation view: everything the ``derivation.*`` templates show, already formatted.

:func:`context` feeds the text, Markdown, LaTeX and DOT templates; :func:`data` is the JSON
(``Derivation.to_dict()`` with its LaTeX printed by the one printer, as the other formats).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..environment import strings
from ..layout import circuit
from ..numbers import TABLE_DIGITS, number, parenthesized, tex_number
from ..printing import (
    TexOf,
    gate_label,
    gate_text,
    partial,
    symbol_names,
    sympy_str,
    tex,
    text_expr,
)
from .check import check_view

if TYPE_CHECKING:
    import sympy

    from ...derivation import Derivation
    from ...schema import DerivationJSON

MAX_PICTURE_NODES = 60  # larger graphs get no TikZ picture (DOT still draws them)
MAX_EXACT_CHARS = 60  # an exact value longer than this (as LaTeX) is shown as a decimal only


def graph_tex(d: Derivation) -> TexOf:
    """LaTeX printing with this graph's symbol names (``x_1`` and ``x1`` must not look alike)."""
    names = symbol_names(node.symbol for node in d.graph.nodes if node.op != "const")

    def tex_of(expr: sympy.Basic, order: str | None = None) -> str:
        return tex(expr, order=order, symbol_names=names)

    return tex_of


def data(d: Derivation) -> DerivationJSON:
    """The JSON of a derivation: its plain data, gradients' ``latex`` from :func:`tex`."""
    out = d.to_dict()
    tex_of = graph_tex(d)
    for g in d.gradients.values():
        entry = out["gradient"][g.name]
        entry["latex"] = None if g.expr is None else tex_of(g.expr)
        # expressions by the one printer: 1[z > 0] and max(x, y), never Heaviside or Max
        entry["expr"] = None if g.expr is None else sympy_str(g.expr)
        if entry["node_expr"] is not None:
            entry["node_expr"] = sympy_str(g.node_expr)
    out["function"] = sympy_str(d.function)
    for node, row in zip(d.graph.nodes, out["nodes"]):
        if not node.is_leaf:
            row["expr"] = sympy_str(node.local_expr, order="none")
        if row["grad_expr"] is not None:
            row["grad_expr"] = sympy_str(d.backward.adjoints[node.id])
    seen: dict[int, int] = {}  # to_dict lists each parent's steps in the backward order
    for step in d.backward.steps:
        k = seen[step.parent] = seen.get(step.parent, -1) + 1
        out["nodes"][step.parent]["local"][k]["expr"] = sympy_str(step.local)
    return out


def _exact_latex(exact, value) -> str | None:
    """The exact value as LaTeX when it says more than the decimal (and is short enough)."""
    if exact is None:
        return None
    if getattr(exact, "is_Integer", False) or getattr(exact, "is_Float", False):
        return None
    if _unevaluated(exact):  # sigmoid(0) must read 1/2: a function of a number is no value
        return None
    text = tex(exact)
    if len(text) > MAX_EXACT_CHARS or text == number(value, TABLE_DIGITS):
        return None
    return text


def _unevaluated(exact) -> bool:
    """Whether an exact value still holds one of symgrad's own functions or a step (SymPy
    leaves them unevaluated where it cannot decide a sign): not a closed form to print."""
    import sympy

    from ... import ops

    own = [ops.sympy_function(op.name) for op in ops.OPS.values() if op.elementary]
    return bool(exact.atoms(sympy.Heaviside, sympy.Max, sympy.Min, *own)) if own else False


def context(d: Derivation, lang: str) -> dict:
    """Everything the derivation templates show, formatted; no math happens in templates."""
    graph = d.graph
    op_notes = strings(lang).get("op_notes", {})
    exact = d.exact_values() if d.point is not None else None
    has_point = d.values is not None
    tex_of = graph_tex(d)
    precise = d.precise_values() if has_point else None  # float64 may round to 0.0

    def name_tex(node) -> str:
        return tex_of(node.symbol) if node.op != "const" else tex_of(node.const)

    def value_of(node):
        return precise[node.id] if has_point else None

    def show(value, expr) -> str:
        """A number at the point; without a point, the expression in node symbols (``expr``
        is a function: an adjoint is built only where it is printed)."""
        if has_point:
            return number(value, TABLE_DIGITS)
        shown = expr()
        return shown if isinstance(shown, _Verbatim) else text_expr(shown)

    def show_tex(value, expr) -> str:
        if has_point:
            return tex_number(value)
        shown = expr()
        return shown if isinstance(shown, _Verbatim) else tex_of(shown)

    by_child: dict[int, list] = {}
    for step in d.steps:
        by_child.setdefault(step.child, []).append(step)

    def chain_tex(node) -> str:
        """∂f/∂node as its chain-rule steps, Σ ∂f/∂parent · ∂parent/∂node: the node-symbol
        form printed where the written-out adjoint is too long to read."""
        return " + ".join(
            rf"{partial(f_tex, name_tex(graph.nodes[s.parent]))} \cdot "
            rf"{_factor(tex_of(s.local))}"
            for s in by_child[node.id]
        )

    def chain_text(node) -> str:
        return " + ".join(
            f"df/d{graph.nodes[s.parent].name} * {_factor(text_expr(s.local))}"
            for s in by_child[node.id]
        )

    def adjoint(node, text: bool = False):
        """A function giving ∂f/∂node in node symbols, or its chain-rule form if too long."""
        if d.readable(node):
            return lambda: d.backward.adjoints[node.id]
        return lambda: _Verbatim(chain_text(node) if text else chain_tex(node))

    def product(step, text: bool = False):
        """A function giving a step's product in node symbols or, when the parent's adjoint
        is too long to print, ∂f/∂parent times the local partial."""
        parent = graph.nodes[step.parent]
        if d.readable(parent):
            return lambda: step.product
        if text:
            return lambda: _Verbatim(f"df/d{parent.name} * {_factor(text_expr(step.local))}")
        return lambda: _Verbatim(
            rf"{partial(f_tex, name_tex(parent))} \cdot "
            rf"{_factor(tex_of(step.local))}"
        )

    out = graph.nodes[graph.output]
    f_tex = "f"
    nodes = []
    for node in graph.op_nodes:
        value = value_of(node)
        nodes.append(
            {
                "name": node.name,
                "tex": name_tex(node),
                "op": node.op,
                "gate": gate_label(node),
                "gate_text": gate_text(node),
                # as written: b - a, not -a + b (SymPy's printers sort unless told not to)
                "formula": tex_of(node.local_expr, order="none"),
                "formula_text": text_expr(node.local_expr, order="none"),
                "value": value,
                "value_text": number(value, TABLE_DIGITS),
                "value_tex": tex_number(value) if has_point else "",
                "exact": _exact_latex(exact[node.id], value) if exact else None,
                "exact_text": text_expr(exact[node.id])
                if exact and _exact_latex(exact[node.id], value)
                else None,
                "is_output": node.id == graph.output,
            }
        )

    backward = []
    for node in reversed(graph.nodes):
        if node.op == "const":
            continue
        grad = d.adjoint_of(node) if has_point else None
        contributions = []
        for step in by_child.get(node.id, []):
            parent = graph.nodes[step.parent]
            contributions.append(
                {
                    "parent": parent.name,
                    "parent_tex": name_tex(parent),
                    "upstream_tex": partial(f_tex, name_tex(parent)),
                    "upstream_text": f"df/d{parent.name}",
                    "upstream": show(step.upstream_value, adjoint(parent, text=True)),
                    "upstream_value_tex": show_tex(step.upstream_value, adjoint(parent)),
                    "local_tex": partial(name_tex(parent), name_tex(node)),
                    "local_text": f"d{parent.name}/d{node.name}",
                    "local_expr": tex_of(step.local),
                    "local_expr_text": text_expr(step.local),
                    "local": show(step.local_value, lambda step=step: step.local),
                    "local_value_tex": show_tex(step.local_value, lambda step=step: step.local),
                    "local_same": not has_point
                    or str(step.local) == number(step.local_value, TABLE_DIGITS),
                    "product": show(step.product_value, product(step, text=True)),
                    "product_tex": show_tex(step.product_value, product(step)),
                }
            )
        backward.append(
            {
                "name": node.name,
                "tex": name_tex(node),
                "leaf": node.is_leaf,
                "seed": node.id == graph.output,
                "value": number(value_of(node), TABLE_DIGITS),
                "value_tex": tex_number(value_of(node)) if has_point else "",
                "grad": show(grad, adjoint(node, text=True)),
                "grad_tex": show_tex(grad, adjoint(node)),
                "lhs_tex": partial(f_tex, name_tex(node)),
                "lhs_text": f"df/d{node.name}",
                "contributions": contributions,
                "fork": len(contributions) > 1,
                "sum_tex": " + ".join(parenthesized(c["product_tex"]) for c in contributions),
                "sum_text": " + ".join(parenthesized(c["product"]) for c in contributions),
            }
        )

    gradients = []
    for g in d.gradients.values():
        var = graph.var_node(g.name)
        gradients.append(
            {
                "name": g.name,
                "tex": tex_of(graph.var_node(g.name).symbol),
                "lhs_tex": partial(f_tex, tex_of(graph.var_node(g.name).symbol)),
                "node_expr": tex_of(g.node_expr) if g.readable else chain_tex(var),
                "node_expr_text": text_expr(g.node_expr) if g.readable else chain_text(var),
                "expr": None if g.expr is None else tex_of(g.expr),
                "expr_text": None if g.expr is None else text_expr(g.expr),
                "same": g.expr is not None and g.expr == g.node_expr,
                "value": number(g.value, TABLE_DIGITS),
                "value_tex": "" if g.value is None else tex_number(g.value),
                "value_full": number(g.value, 10),
            }
        )

    notes, seen = [], set()
    for node in reversed(graph.op_nodes):  # the order the backward pass meets them
        if node.op in seen:
            continue
        seen.add(node.op)
        note = op_notes.get(node.record.note, node.record.note)
        notes.append(
            {"op": node.op, "gate": gate_label(node), "gate_text": gate_text(node), "note": note}
        )

    point = []
    if d.point is not None:
        for name, value in d.point.items():
            point.append(
                {
                    "name": name,
                    "tex": tex_of(graph.var_node(name).symbol),
                    "value_tex": tex_of(value),
                    "value_text": str(value),
                }
            )

    return {
        "expression": d.expression,
        "function_tex": tex_of(d.function),
        "function_text": text_expr(d.function),
        "variables": list(d.variables),
        "variables_tex": ", ".join(tex_of(graph.var_node(v).symbol) for v in d.variables),
        "granularity": d.granularity,
        "point": point,
        "has_point": has_point,
        "value": number(value_of(out), TABLE_DIGITS),
        "value_tex": tex_number(value_of(out)) if has_point else "",
        "value_full": number(value_of(out), 10),
        "output": out.name,
        "output_tex": tex_of(out.symbol),
        "nodes": nodes,
        "backward": backward,
        "forks": [row for row in backward if row["fork"]],
        "gradients": gradients,
        "check": check_view(d.check, {v: tex_of(graph.var_node(v).symbol) for v in d.variables}),
        "notes": notes,
        "circuit": circuit(d, tex_of),
        "draw_circuit": len(graph.nodes) <= MAX_PICTURE_NODES,
    }


class _Verbatim(str):
    """Text already printed (a chain-rule form): the printers pass it through unchanged."""


def _factor(text: str) -> str:
    """A printed expression as a factor of a product: parenthesized when it is a sum or starts
    with a sign."""
    return f"({text})" if text.startswith("-") or " + " in text or " - " in text else text
