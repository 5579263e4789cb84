"""The lecture's primitive functions f1–f6 in a primitive-granularity solution.

The lecture decomposes the sigmoid neuron into f1(x, w) = wx, f2(x, y) = x + y,
f3(x) = x + 1, f4(x) = −x, f5(x) = eˣ and f6(x) = 1/x, tabulates their derivatives, and
writes the neuron as one nested composition. :func:`lecture_view` does the same for any graph
at ``--granularity primitive``:

* every op node gets its function's name: the lecture's six keep f1–f6; any other primitive
  (log, sin, max, x^c, ...) gets the next number, f7, f8, ..., in the order the forward pass
  first meets it, so one solution never gives two functions one name;
* a table lists the functions used, each with its (partial) derivatives;
* the whole function is written as the nested composition of the fᵢ (up to
  :data:`MAX_NESTED` characters; a graph whose composition would be longer gets none).

>>> from symgrad.derivation import structure
>>> _, graph, _ = structure("1/(1+exp(-(w0*x0+w1*x1+w2)))", "primitive")
>>> lecture_view(graph)["nested_text"]
'f6(f3(f5(f4(f2(f2(f1(w0, x0), f1(w1, x1)), w2)))))'
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..printing import name_tex, tex, text_expr

if TYPE_CHECKING:
    from ...graph import Graph

# SymPy is imported inside the functions that build the table: render() asks lecture_of of
# every result, and an MLP's render (which never needs SymPy) must not pay for its import.

BREAK = r",\allowbreak "  # between arguments: where a long composition may break a line
MAX_NESTED = 600  # characters of the nested composition in text

# The lecture's table (op → number, arguments, formula and partials in text and LaTeX).
LECTURE = {
    "mul": (1, ("x", "w"), "wx", "wx", (("x", "w", "w"), ("w", "x", "x"))),
    "add": (2, ("x", "y"), "x + y", "x + y", (("x", "1", "1"), ("y", "1", "1"))),
    "addc": (3, ("x",), "x + {c}", "x + {c}", (("x", "1", "1"),)),
    "neg": (4, ("x",), "−x", "-x", (("x", "−1", "-1"),)),
    "exp": (5, ("x",), "e^x", "e^{x}", (("x", "e^x", "e^{x}"),)),
    "recip": (6, ("x",), "1/x", r"\frac{1}{x}", (("x", "−1/x^2", r"\frac{-1}{x^{2}}"),)),
}
ARGUMENTS = ("x", "y")


def lecture_of(result: object) -> dict | None:
    """:func:`lecture_view` of a derivation at primitive granularity; None for anything else."""
    if getattr(result, "granularity", None) != "primitive" or not hasattr(result, "graph"):
        return None
    return lecture_view(result.graph)


def lecture_view(graph: Graph) -> dict:
    """Names (node name → ``f1`` ...), the table of functions used and the nested form."""
    numbers: dict[str, int] = {}
    constants: dict[str, set] = {}
    for node in graph.op_nodes:  # forward order: first use decides the number
        if node.op not in numbers:
            numbers[node.op] = (
                LECTURE[node.op][0] if node.op in LECTURE else max([6, *numbers.values()]) + 1
            )
        if node.record.has_const:
            constants.setdefault(node.op, set()).add(node.const)
    names = {node.id: f"f{numbers[node.op]}" for node in graph.op_nodes}
    table = [
        _row(op, number, constants.get(op))
        for op, number in sorted(numbers.items(), key=lambda item: item[1])
    ]
    nested_text, nested_tex = _nested(graph, names)
    width = max((len(row["text"]) for row in table), default=0)
    for row in table:  # the text table's first column, padded
        row["text_padded"] = row["text"].ljust(width)
    return {
        "names": {graph.nodes[i].name: name for i, name in names.items()},
        "table": table,
        "nested_text": nested_text,
        "nested_tex": nested_tex,
    }


def _row(op: str, number: int, constants: set | None) -> dict:
    """One line of the table: ``f3(x) = x + 1``, df/dx = 1 (text and LaTeX)."""
    import sympy

    one = constants is not None and len(constants) == 1
    c = next(iter(constants)) if constants is not None and one else None
    if op in LECTURE:
        _, args, text, latex, partials = LECTURE[op]
        if c is not None and op == "addc" and sympy.sympify(c).is_negative:  # x + (-3) reads x − 3
            text, latex = f"x − {_const_text(-c)}", f"x - {tex(-c)}"
        text = text.replace("{c}", _const_text(c) if one else "c")
        latex = latex.replace("{c}", tex(c) if one else "c")
        rows = [(wrt, d_text, d_tex) for wrt, d_text, d_tex in partials]
    else:
        from ... import ops

        record = ops.get(op)
        args = ARGUMENTS[: record.arity]
        symbols = [sympy.Symbol(a, real=True) for a in args]
        extra = (c if one else sympy.Symbol("c"),) if record.has_const else ()
        formula = record.forward(*symbols, *extra)
        text, latex = _plain(formula), tex(formula)
        rows = [
            (a, _plain(p(*symbols, *extra)), tex(p(*symbols, *extra)))
            for a, p in zip(args, record.partials)
        ]
    name = f"f{number}"
    several = len(args) > 1
    d = r"\partial" if several else "d"
    return {
        "name": name,
        "op": op,
        "text": f"{name}({', '.join(args)}) = {text}",
        "tex": rf"f_{{{number}}}({', '.join(args)}) = {latex}",
        "derivatives_text": [
            f"{'∂' if several else 'd'}f/{'∂' if several else 'd'}{a} = {dt}" for a, dt, _ in rows
        ],
        "derivatives_tex": [rf"\frac{{{d} f}}{{{d} {a}}} = {dx}" for a, _, dx in rows],
        "constants": None if constants is None or one else sorted(map(str, constants)),
    }


def _const_text(c) -> str:
    import sympy

    return str(c) if sympy.sympify(c).is_Integer else f"({c})"


def _plain(expr) -> str:
    """Text of a derivative, with steps as indicators: ``1[x > 0]``, never ``Heaviside``."""
    import sympy

    steps = {
        h: sympy.Symbol(f"1[{h.args[0]} {'>=' if len(h.args) > 1 and h.args[1] == 1 else '>'} 0]")
        for h in expr.atoms(sympy.Heaviside)
    }
    text = text_expr(expr.xreplace(steps) if steps else expr)
    return text.replace(">=", "≥").replace("Max(", "max(").replace("Min(", "min(")


def _nested(graph, names: dict[int, str]) -> tuple[str | None, str | None]:
    """The whole function as nested fᵢ calls, or (None, None) when longer than
    :data:`MAX_NESTED` (shared sub-graphs repeat, so the length is counted before joining)."""
    length: dict[int, int] = {}
    for node in graph.nodes:
        if node.is_leaf:
            length[node.id] = len(node.name)
        else:
            length[node.id] = len(names[node.id]) + 2 + sum(length[i] + 2 for i in node.inputs)
        if length[node.id] > 4 * MAX_NESTED:
            length[node.id] = 4 * MAX_NESTED  # saturate: no huge integers either
    if length[graph.output] > MAX_NESTED:
        return None, None
    text: dict[int, str] = {}
    latex: dict[int, str] = {}
    for node in graph.nodes:
        if node.is_leaf:
            text[node.id] = node.name
            latex[node.id] = name_tex(node.name) if node.op == "var" else tex(node.symbol)
        else:
            number = names[node.id][1:]
            text[node.id] = f"{names[node.id]}({', '.join(text[i] for i in node.inputs)})"
            # plain parentheses and \allowbreak: inline math may break a long composition
            inputs = BREAK.join(latex[i] for i in node.inputs)
            latex[node.id] = rf"f_{{{number}}}({inputs})"
    return text[graph.output], latex[graph.output]
