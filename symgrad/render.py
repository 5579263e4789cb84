"""Format a Derivation for people and programs. All math is done before this point."""

from __future__ import annotations

import json

FORMATS = ("text", "json", "markdown", "latex", "dot")


def render(derivation, fmt: str = "text", lang: str = "en", fragment: bool = False) -> str:
    """The derivation as ``fmt`` text."""
    if fmt == "json":
        return json.dumps(derivation.to_dict(), indent=2, ensure_ascii=False) + "\n"
    if fmt == "text":
        return _text(derivation)
    from .errors import SymgradError

    raise SymgradError(f"format {fmt!r} is not available yet")


def number(x, digits: int = 6) -> str:
    """A float for people: up to ``digits`` significant digits, no trailing zeros, no -0."""
    if x is None:
        return "-"
    x = float(x)
    if x == 0:
        return "0"
    return f"{x:.{digits}g}"


def _text(d) -> str:
    lines = []
    names = {n.id: n.name for n in d.nodes}
    lines.append(f"f({', '.join(d.variables)}) = {d.expression}")
    lines.append(f"granularity: {d.granularity}")
    if d.point is not None:
        lines.append("at " + ", ".join(f"{k} = {v}" for k, v in d.point.items()))
    lines.append("")
    lines.append("Forward pass")
    rows = [("node", "op", "formula", "value")]
    for n in d.graph.op_nodes:
        rows.append((n.name, n.op, str(n.local_expr), number(d.value_of(n))))
    lines += _table(rows)
    lines.append("")
    lines.append("Backward pass: gradient += upstream x local")
    rows = [("edge", "upstream", "local", "local value", "product")]
    for s in d.steps:
        rows.append((f"{names[s.parent]} -> {names[s.child]}", number(s.upstream_value),
                     str(s.local), number(s.local_value), number(s.product_value)))
    lines += _table(rows)
    lines.append("")
    lines.append("Gradients")
    for g in d.gradients.values():
        expr = g.expr if g.expr is not None else g.node_expr
        value = "" if g.value is None else f" = {number(g.value, 10)}"
        lines.append(f"  df/d{g.name} = {expr}{value}")
    if d.value is not None:
        lines.append(f"  f = {number(d.value, 10)}")
    if d.check is not None:
        c = d.check
        verdict = {True: "passed", False: "FAILED", None: "inconclusive"}[c.passed]
        err = "" if c.max_rel_error is None else f", max relative error {c.max_rel_error:.1e}"
        lines.append("")
        lines.append(f"Check: {verdict}{err} ({c.method})")
        for v in c.variables:
            if v.status != "pass":
                lines.append(f"  {v.name}: {v.status} {v.reason}".rstrip())
    return "\n".join(lines) + "\n"


def _table(rows) -> list[str]:
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(rows[0]))]
    return ["  " + "  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
