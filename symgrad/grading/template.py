"""The answer file a learner fills in (``symgrad check --template``): every quantity of the
worked solution, in its order, with comments saying what each is; no answer, no value.

TOML (default) carries the comments; CSV keeps them as ``#`` lines (the reader skips them);
JSON has no comments, only the names.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from .diagnose import quantities

if TYPE_CHECKING:
    from .network import Solved


def template(derivation: Solved, fmt: str = "toml", lang: str = "en") -> str:
    """The empty answer file for ``derivation`` as ``fmt`` (toml, json or csv).

    >>> from symgrad.derivation import derive
    >>> print(template(derive("x*y", at="x=2,y=3"), "csv").split("name,answer")[1])
    <BLANKLINE>
    z_1,
    df/dy,
    df/dx,
    <BLANKLINE>
    """
    from ..render.environment import strings

    s = strings(lang)["grading"]
    found, _ = quantities(derivation, need_values=False)
    output = derivation.graph.output
    graph = derivation.graph
    users = graph.users()
    lines: list[tuple[str, str]] = []  # (name, comment)
    for q in found:
        if q.kind == "gradient" and q.node == output:
            continue  # df/df = 1: nothing to compute
        node = graph.nodes[q.node]
        if q.kind == "value":
            lines.append((q.name, f"{node.name} = {_text(node.local_expr)}"))
        else:
            used_by = ", ".join(dict.fromkeys(graph.nodes[u].name for u in users[q.node]))
            lines.append((q.name, f"{node.name} -> {used_by}"))
    point = ", ".join(f"{k} = {v}" for k, v in (derivation.point or {}).items()) or "-"
    head = [
        s["template_intro"],
        f"f = {derivation.expression}",
        s["template_setting"].format(granularity=derivation.granularity, point=point),
    ]
    if fmt == "json":
        return json.dumps({name: "" for name, _ in lines}, indent=2) + "\n"
    if fmt == "csv":
        return (
            "".join(f"# {h}\n" for h in head)
            + "name,answer\n"
            + "".join(f"{name},\n" for name, _ in lines)
        )
    out = [f"# {h}" for h in head]
    forward = True
    out += ["", f"# {s['template_forward']}"]
    for name, comment in lines:
        if forward and name.startswith("df/d"):
            forward = False
            out += ["", f"# {s['template_backward']}"]
        out.append(f'{json.dumps(name)} = ""  # {comment}')
    return "\n".join(out) + "\n"


def _text(expr) -> str:
    import sympy

    return sympy.sstr(expr, order="none")
