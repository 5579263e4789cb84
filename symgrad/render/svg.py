"""The circuit and the network as SVG data: boxes from :func:`symgrad.render.layout.plan`,
texts and the stepping script's data (forward node by node, backward edge by edge).

Nothing here computes math: values, gradients and step products come from the Derivation
(or the MLP result); formulas are the one printer's LaTeX, turned into MathML by
:mod:`symgrad.render.html`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..backward import known
from .layout import GATE_R, LINE_PX, PAD, overlaps, plan, text_px
from .numbers import PICTURE_DIGITS, TABLE_DIGITS, number, tex_number
from .printing import gate_text, partial, tex

if TYPE_CHECKING:
    from ..derivation import Derivation
    from .printing import TexOf


def _signed(value: float, digits: int = PICTURE_DIGITS) -> str:
    """A number for a picture, with a real minus sign (−), as printed matter writes it."""
    return number(value, digits).replace("-", "\u2212")


def _factor(value: float) -> str:
    """A number in a LaTeX product or sum: negative numbers in parentheses."""
    text = tex_number(value)
    return f"({text})" if text.startswith("-") else text


def circuit_svg(d: Derivation, tex_of: TexOf) -> dict:
    """The circuit of Derivation ``d``: gates, labels and wires with pixel positions, and the
    stepping data (``steps``: forward then backward, each with its LaTeX and what it lights)."""
    graph = d.graph
    has_point = d.values is not None
    parts: dict[int, list[float]] = {}
    for step in d.steps:
        if step.product_value is not None:
            parts.setdefault(step.child, []).append(step.product_value)
    texts = {}
    for node in graph.nodes:
        const = node.op == "const"
        value = _signed(known(d.value_of(node))) if has_point else ""
        grad = ""
        if has_point and not const and node.id != graph.output:
            total = _signed(known(d.adjoint_of(node)))
            shares = parts.get(node.id, [])
            grad = (
                total
                if len(shares) < 2
                else f"\u03a3 = {total}"
                if len(shares) > 3
                else " + ".join(_signed(p) for p in shares).replace("+ \u2212", "\u2212 ")
                + f"\n= {total}"
            )
        elif has_point and node.id == graph.output:
            grad = "1"
        texts[node.id] = {
            "gate": node.name if node.is_leaf else gate_text(node).replace("-", "\u2212"),
            "name": "" if node.is_leaf else node.name,
            "value": "" if const else value,
            "gradient": grad,
        }
    geometry = plan(graph, texts)
    nodes = []
    for node in graph.nodes:
        g = geometry["nodes"][node.id]
        t = texts[node.id]
        nodes.append(
            {
                **g,
                "leaf": node.is_leaf,
                "const": node.op == "const",
                "gate": t["gate"],
                "name": t["name"],
                "value": t["value"],
                "output": node.id == graph.output,
                "gradient": t["gradient"].split("\n") if t["gradient"] else [],
                "r": GATE_R,
                "line": LINE_PX,
                "pad": PAD,
            }
        )
    for box in geometry["labels"]:  # what the stepping script shows from the start
        box["given"] = box["kind"] == "value" and graph.nodes[box["node"]].is_leaf
        box["seed"] = box["kind"] == "gradient" and box["node"] == graph.output
    wires = [{**w, "id": f"w{w['target']}-{w['index']}"} for w in geometry["wires"]]
    out = geometry["nodes"][graph.output]
    return {
        "width": geometry["width"] + text_px(" f "),
        "height": geometry["height"],
        "nodes": nodes,
        "wires": wires,
        "has_point": has_point,
        "output_end": out["out_x"] + GATE_R,
        "output_y": out["y"],
        "labels": geometry["labels"],
        "gates": geometry["gates"],
        "overlaps": len(overlaps(geometry["labels"] + geometry["gates"])),
        "steps": steps(d, tex_of) if has_point else [],
        "inspect": inspect(d, tex_of) if has_point else {},
    }


def steps(d: Derivation, tex_of: TexOf) -> list[dict]:
    """The stepping order: every op node forward (``z_3 = z_1 + z_2 = −2 + 6 = 4``), then
    every edge backward (upstream × local = product, with the running sum at a fork)."""
    graph = d.graph
    out = []
    for node in graph.op_nodes:
        names = {
            graph.nodes[i].symbol: _factor(known(d.value_of(graph.nodes[i])))
            for i in node.inputs
            if graph.nodes[i].op != "const"
        }
        with_numbers = tex(node.local_expr, order="none", symbol_names=names)
        latex = (
            f"{tex_of(node.symbol)} = {tex_of(node.local_expr, order='none')} = "
            f"{with_numbers} = {tex_number(known(d.value_of(node)))}"
        )
        out.append({"kind": "forward", "node": node.id, "latex": latex, "sum": "", "done": True})
    counts: dict[int, int] = {}
    for step in d.steps:
        counts[step.child] = counts.get(step.child, 0) + 1
    running: dict[int, list[float]] = {}
    seen: dict[tuple[int, int], int] = {}
    f_tex = "f"
    for step in d.steps:
        parent, child = graph.nodes[step.parent], graph.nodes[step.child]
        index = _edge_index(parent, step.child, seen)
        upstream = partial(f_tex, tex_of(parent.symbol))
        local = partial(tex_of(parent.symbol), tex_of(child.symbol))
        latex = (
            f"{upstream} \\cdot {local} = {_factor(known(step.upstream_value))} \\cdot "
            f"{_factor(known(step.local_value))} = {tex_number(known(step.product_value))}"
        )
        shares = running.setdefault(step.child, [])
        shares.append(known(step.product_value))
        total = ""
        if counts[step.child] > 1:
            lhs = partial(f_tex, tex_of(child.symbol))
            so_far = " + ".join(_factor(p) for p in shares)
            total = f"{lhs} = {so_far}" + (
                " = " + tex_number(sum(shares)) if len(shares) > 1 else ""
            )
        out.append(
            {
                "kind": "backward",
                "node": step.child,
                "parent": step.parent,
                "wire": f"w{step.parent}-{index}",
                "latex": latex,
                "sum": total,
                "done": len(shares) == counts[step.child],
            }
        )
    return out


def _edge_index(parent, child_id: int, seen: dict) -> int:
    """Which input of ``parent`` the step's edge is (``x*x`` has two edges from x)."""
    start = seen.get((parent.id, child_id), 0)
    positions = [k for k, i in enumerate(parent.inputs) if i == child_id]
    seen[(parent.id, child_id)] = start + 1
    return positions[min(start, len(positions) - 1)]


def inspect(d: Derivation, tex_of: TexOf) -> dict:
    """Per node, what a click shows: value, gradient and local derivatives (LaTeX)."""
    from sympy import sympify

    graph = d.graph
    out = {}
    for node in graph.nodes:
        if node.op == "const":
            continue
        lines = [
            f"{tex_of(node.symbol)} = {tex_number(d.value_of(node), TABLE_DIGITS)}",
            f"{partial('f', tex_of(node.symbol))} = {tex_number(d.adjoint_of(node), TABLE_DIGITS)}",
        ]
        for k, i in enumerate(node.inputs):
            child = graph.nodes[i]
            if child.op == "const":
                continue
            local = sympify(
                node.record.partials[k](*node.op_args([graph.nodes[j].symbol for j in node.inputs]))
            )
            lines.append(f"{partial(tex_of(node.symbol), tex_of(child.symbol))} = {tex_of(local)}")
        out[str(node.id)] = {"title": node.name, "latex": lines}
    return out
