"""The MLP view: parameters, forward and backward steps, gradient matrices, the network
picture, as the ``mlp.*`` templates show them. JSON is ``MLPResult.to_dict()`` plus the
steps as they read (:mod:`.mlp_steps`) and the entry-level formulas."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..environment import strings
from ..numbers import bmatrix, number, tex_number, text_matrix
from ..printing import fill, tex
from ..svg_network import network_picture
from .check import check_view
from .mlp_steps import step_lines

if TYPE_CHECKING:
    from ...mlp.result import MLPResult
    from ...mlp.scalar import EntryGradient

MAX_NETWORK_WIDTH = 12  # units per layer up to which the MLP picture is drawn


def data(result: MLPResult) -> dict[str, Any]:
    """The JSON of an MLP result: its plain data, the steps with their formulas (LaTeX and
    text), values and shapes, and the entry-level gradients."""
    import numpy as np

    out = result.to_dict()
    lines = step_lines(result)
    en_notes = strings("en")["mlp_notes"]
    out["forward"] = {
        line["label"]: np.asarray(step.value).tolist()
        for line, step in zip(lines, result.forward_steps)
    }
    out["steps"] = [
        {
            "label": line["label"],
            "latex": line["latex"],
            "text": line["text"],
            "value": np.asarray(step.value).tolist(),
            "shape": list(step.shape),
            "kind": step.kind,
            "layer": step.layer,
            "expanded": line["expanded"],
            "note": en_notes[line["note"]] if line["note"] else "",
        }
        for line, step in zip(lines, result.steps)
    ]
    out["entries"] = [entry_view(e, result.spec.depth) for e in result.entries]
    return out


def scalar_tex(name: str) -> str:
    r"""A scalar-graph name in LaTeX: ``w2_1_3`` → ``w^{(2)}_{13}``, ``delta_2`` → ``\delta_{2}``."""
    head, *idx = name.split("_")
    sub = "{" + ("," if any(len(i) > 1 for i in idx) else "").join(idx) + "}"
    base = head.rstrip("0123456789")
    layer = head[len(base) :]
    base = {"delta": r"\delta", "yhat": r"\hat{y}"}.get(base, base)
    return f"{base}^{{({layer})}}_{sub}" if layer else f"{base}_{sub}"


def scalar_text(name: str) -> str:
    """A scalar-graph name as plain text in the lecture's notation: ``w2_1_3`` → ``w^(2)_13``
    (input 1 → unit 3 of layer 2), ``delta_2`` → ``δ_2``, ``yhat_1`` → ``ŷ_1``."""
    head, *idx = name.split("_")
    sub = ("," if any(len(i) > 1 for i in idx) else "").join(idx)
    base = head.rstrip("0123456789")
    layer = head[len(base) :]
    base = {"delta": "δ", "yhat": "ŷ"}.get(base, base)
    return f"{base}^({layer})_{sub}" if layer else f"{base}_{sub}"


def entry_view(entry: EntryGradient, depth: int | str = "l") -> dict[str, Any]:
    """One entry-level gradient as LaTeX and text, through the one printer."""
    import sympy

    names = {symbol: scalar_tex(name) for symbol, name in entry.names.items()}

    def plain(namer) -> str:
        shown = entry.expr.xreplace(
            {symbol: sympy.Symbol(namer(name), real=True) for symbol, name in entry.names.items()}
        )
        text = str(shown)
        for step in shown.atoms(sympy.Heaviside):  # 1[z1_1 > 0], as the LaTeX shows it
            text = text.replace(str(step), f"1[{step.args[0]} > 0]")
        return text

    text = plain(scalar_text)  # the lecture's w^(k)_ij, δ_j: for people
    k, i, j = entry.layer, entry.i, entry.j
    wrt = (
        rf"w^{{({k})}}_{{{i}{j}}}"
        if entry.kind == "W" and i < 10 and j < 10
        else scalar_tex(f"w{k}_{i}_{j}" if entry.kind == "W" else f"b{k}_{j}")
    )
    delta = (
        r"\delta_j = \hat{y}_j - y_j"
        if entry.fused
        else rf"\delta_j = \partial J / \partial z^{{({depth})}}_j"
    )
    name = scalar_text(f"w{k}_{i}_{j}" if entry.kind == "W" else f"b{k}_{j}")
    return {
        "entry": entry.entry,
        "param": entry.param,
        "index": entry.index,
        "latex": rf"\frac{{\partial J}}{{\partial {wrt}}} = {tex(entry.expr, symbol_names=names)}",
        "expr": plain(str),
        "delta": delta,
        "value": entry.value,  # expr: graph names
        "matrix_value": entry.matrix_value,
        "text": f"∂J/∂{name} = {text}  = {entry.value:.6g}   ({_delta_text(delta)})",
    }


def _delta_text(delta: str) -> str:
    """``\\delta_j = \\hat{y}_j - y_j`` as plain text: ``δ_j = ŷ_j − y_j``."""
    for tex_form, plain in (
        (r"\delta", "δ"),
        (r"\hat{y}", "ŷ"),
        (r"\partial ", "∂"),
        (" - ", " − "),
    ):
        delta = delta.replace(tex_form, plain)
    return delta.replace("{", "").replace("}", "")


def _aligned(latex: str) -> str:
    """``a = b = c`` → ``a &= b = c`` for an align environment (at the first ``=``)."""
    head, sep, tail = latex.partition(" = ")
    return f"{head} &= {tail}" if sep else f"& {latex}"


def _shape_tex(shape: tuple) -> str:
    if not shape:
        return r"\mathbb{R}"
    return r"\mathbb{R}^{" + r" \times ".join(str(n) for n in shape) + "}"


def _shape_text(shape: tuple) -> str:
    return "scalar" if not shape else " x ".join(str(n) for n in shape)


def solution_steps(result: MLPResult, lang: str = "en") -> list[dict[str, Any]]:
    """Every matrix-form step of ``result`` in order: its formula (LaTeX, without the value),
    its value (a NumPy array) and its teaching note in ``lang`` ("" when it has none)."""
    notes = strings(lang)["mlp_notes"]
    return [
        {
            "latex": line["latex"],
            "value": step.value,
            "note": notes[line["note"]] if line["note"] else "",
        }
        for line, step in zip(step_lines(result), result.steps)
    ]


def context(result: MLPResult, lang: str) -> dict[str, Any]:
    """The MLP templates' view: parameters, forward and backward steps, gradient matrices."""
    import numpy as np

    spec = result.spec
    notes = strings(lang)["mlp_notes"]
    params = result.params.as_dict()
    batch = result.batch
    # g (a batch: G) as the bias and weight steps of layer k use it: its last value there
    g_of_layer = {
        s.layer: s.value for s in result.backward_steps if s.kind in ("output", "activation")
    }

    def h_before(k: int):
        return result.params.x if k == 1 else result.values[f"h{k - 1}"]

    def operands(step) -> list[str]:
        """The step's right-hand side with the numbers in place (no arithmetic): one piece
        for one example; a batch's factors packed into the lines of a LaTeX page."""
        if batch:
            return _pack(batch_factors(step))
        k = step.layer
        if step.kind == "forward" and step.node == f"z{k}":
            return [
                f"{bmatrix(params[f'W{k}'])} {bmatrix(h_before(k))} + {bmatrix(params[f'b{k}'])}"
            ]
        if step.kind == "weight":
            reg = f" + {tex_number(spec.l2)} {bmatrix(params[f'W{k}'])}" if spec.l2 else ""
            return [f"{bmatrix(g_of_layer[k])} {bmatrix([h_before(k)])}{reg}"]
        if step.kind == "propagate":
            return [f"{bmatrix(params[f'W{k}'].T)} {bmatrix(g_of_layer[k])}"]
        if step.kind == "activation" and k + 1 in g_down and gprimes.get(k) is not None:
            return [rf"{bmatrix(g_down[k + 1])} \odot {bmatrix(gprimes[k])}"]
        return []

    def batch_factors(step) -> list[tuple[str, str, int]]:
        """A batch step's right-hand side as (operator, factor, columns) triples."""
        k = step.layer

        def mat(value) -> tuple[str, int]:
            return bmatrix(value), int(np.shape(value)[-1]) if np.ndim(value) == 2 else 1

        mean = ("", rf"\tfrac{{1}}{{{batch}}}", 0)
        if step.kind == "forward" and step.node == f"z{k}":
            W, H, b = mat(params[f"W{k}"]), mat(h_before(k)), mat(params[f"b{k}"])
            return [("", *W), ("", *H), ("+", rf"{b[0]} \mathbf{{1}}^\top", b[1])]
        if step.kind == "weight":
            out = [mean, ("", *mat(g_of_layer[k])), ("", *mat(h_before(k).T))]
            if spec.l2:
                W = mat(params[f"W{k}"])
                out.append(("+", f"{tex_number(spec.l2)} {W[0]}", W[1]))
            return out
        if step.kind == "bias":
            return [mean, ("", *mat(g_of_layer[k])), ("", r"\mathbf{1}", 0)]
        if step.kind == "propagate":
            return [("", *mat(params[f"W{k}"].T)), ("", *mat(g_of_layer[k]))]
        if step.kind == "activation" and k + 1 in g_down and gprimes.get(k) is not None:
            return [("", *mat(g_down[k + 1])), (r"\odot", *mat(gprimes[k]))]
        return []

    def gprime_of(k: int):
        """g′(z^(k)) as numbers; None for softmax, whose Jacobian is not a vector."""
        from ...mlp.network import derivative

        if spec.activation(k) == "softmax":
            return None
        out = result.values["yhat" if k == spec.depth else f"h{k}"]
        return derivative(spec.activation(k), result.values[f"z{k}"], out)

    g_down = {s.layer: s.value for s in result.backward_steps if s.kind == "propagate"}
    gprimes = {
        s.layer: gprime_of(s.layer)
        for s in result.backward_steps
        if s.kind == "activation" and s.layer is not None
    }  # the numbers g ⊙ g′(z) multiplies by

    def step_view(step, line) -> dict:
        value = step.value if step.node != "L_i" else step.value[None, :]  # a row: L_1 … L_m
        gprime = gprimes.get(step.layer) if step.kind == "activation" else None
        return {
            "gprime_lines": [] if gprime is None else text_matrix(gprime),
            "gprime_text": "" if gprime is None else f"g′({'Z' if batch else 'z'}^({step.layer}))",
            "label": line["label"],
            "kind": step.kind,
            "layer": step.layer,
            "latex": line["latex"],
            # a batch aligns at the left edge: its wide matrices get the whole line
            "aligned": f"& {line['latex']}" if batch else _aligned(line["latex"]),
            "text": line["text"],
            "value": bmatrix(value),
            "value_lines": text_matrix(value),
            "shape": _shape_tex(step.shape),
            "shape_text": _shape_text(step.shape),
            "scalar": not step.shape,
            "expanded": line["expanded"],
            "note": notes[line["note"]] if line["note"] else "",
            "operands": " ".join(operands(step)),
            "operand_lines": operands(step),
        }

    views = [step_view(step, line) for step, line in zip(result.steps, step_lines(result))]
    given = []
    for k in range(1, spec.depth + 1):
        w, b = params[f"W{k}"], params[f"b{k}"]
        given.append(
            {
                "layer": k,
                "W": bmatrix(w),
                "b": bmatrix(b),
                "W_lines": text_matrix(w),
                "b_lines": text_matrix(b),
                "W_shape": _shape_tex(w.shape),
                "b_shape": _shape_tex(b.shape),
                "W_shape_text": _shape_text(w.shape),
                "b_shape_text": _shape_text(b.shape),
            }
        )
    gradients = []
    for key, value in result.gradients.items():
        gradients.append(
            {
                "key": key,
                "tex": _param_tex(key),
                "value": bmatrix(value),
                "lines": text_matrix(value),
                "shape": _shape_tex(value.shape),
                "shape_text": _shape_text(value.shape),
            }
        )
    check, scalar = check_view(result.check), check_view(result.scalar_check)
    if check is not None:
        check["skipped"] = [row["name"] for row in check["rows"] if row["status"] == "inconclusive"]
    kink_phrase = strings(lang)["mlp_kink"]
    x_name, y_name = ("X", "Y") if batch else ("x", "y")
    return {
        "batch": batch,
        "suffix": "_batch" if batch else "",
        "x_name": x_name,
        "y_name": y_name,
        "x_tex": rf"\mathbf{{{x_name}}}",
        "y_tex": rf"\mathbf{{{y_name}}}",
        "layers": "-".join(map(str, spec.layers)),
        "hidden": ", ".join(spec.hidden) if spec.hidden else "-",
        "output": spec.output,
        "loss": spec.loss,
        "l2": number(spec.l2),
        "has_l2": bool(spec.l2),
        "depth": spec.depth,
        "x": bmatrix(result.params.x),
        "y": bmatrix(result.params.y),
        "x_lines": text_matrix(result.params.x),
        "y_lines": text_matrix(result.params.y),
        "x_shape": _shape_tex(result.params.x.shape),
        "y_shape": _shape_tex(result.params.y.shape),
        "x_shape_text": _shape_text(result.params.x.shape),
        "y_shape_text": _shape_text(result.params.y.shape),
        "given": given,
        "forward": [v for v in views if v["kind"] in ("forward", "loss")],
        "backward": [v for v in views if v["kind"] not in ("forward", "loss")],
        "gradients": gradients,
        "loss_value": number(result.loss, 6),
        "loss_tex": tex_number(result.loss, 6),
        "check": check,
        "scalar_check": scalar,
        "kinks": [
            fill(
                kink_phrase,
                z=k.name,
                value=f"{k.z:g}",
                activation=k.activation,
                derivative=f"{k.derivative_used:g}",
            )
            for k in result.kinks
        ],
        "entries": [
            {"latex": e["latex"], "text": e["text"], "value": number(e["value"], 6)}
            for e in (entry_view(e, spec.depth) for e in result.entries)
        ],
        "network": network_picture(result),
        # a batch: every unit holds m values; the picture (one value per unit) is left out
        "draw_network": max(spec.layers) <= MAX_NETWORK_WIDTH and not batch,
    }


LINE_COLUMNS = 10  # matrix columns of numbers a LaTeX line holds (\small, 3pt column gaps)


def _pack(factors: list[tuple[str, str, int]]) -> list[str]:
    """Factors ``(operator, latex, columns)`` in lines of at most :data:`LINE_COLUMNS` columns
    (a factor wider than that gets its own line); a product continued on a new line gets a
    ``\\cdot``."""
    lines: list[list[str]] = []
    width = 0
    for op, latex, columns in factors:
        if lines and width + columns > LINE_COLUMNS and width > 0:
            lines.append([op or r"\cdot", latex])
            width = columns
        elif lines:
            lines[-1] += [op, latex] if op else [latex]
            width += columns
        else:
            lines.append([latex])
            width = columns
    return [" ".join(line) for line in lines]


def _param_tex(key: str) -> str:
    """``W2`` → ``\\nabla_{\\mathbf{W}^{(2)}} J``."""
    return rf"\nabla_{{\mathbf{{{key[0]}}}^{{({key[1:]})}}}} J"
