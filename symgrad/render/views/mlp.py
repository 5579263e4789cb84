"""The MLP view: parameters, forward and backward steps, gradient matrices, the network
picture, as the ``mlp.*`` templates show them. JSON is ``MLPResult.to_dict()`` plus the
steps as they read (:mod:`.mlp_steps`) and the entry-level formulas."""

from __future__ import annotations

from ..environment import strings
from ..layout import PAGE_CM
from ..numbers import PICTURE_DIGITS, bmatrix, denoised, number, tex_number, text_matrix
from ..printing import fill, tex
from .check import check_view
from .mlp_steps import step_lines

MAX_NETWORK_WIDTH = 12  # units per layer up to which the MLP picture is drawn


def data(result) -> dict:
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


def entry_view(entry, depth: int | str = "l") -> dict:
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


def solution_steps(result, lang: str = "en") -> list[dict]:
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


def context(result, lang: str) -> dict:
    """The MLP templates' view: parameters, forward and backward steps, gradient matrices."""
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

    def operands(step) -> str:
        """The step's right-hand side with the numbers in place (no arithmetic)."""
        k = step.layer
        if step.kind == "forward" and step.node == f"z{k}":
            ones = r" \mathbf{1}^\top" if batch else ""
            return (
                f"{bmatrix(params[f'W{k}'])} {bmatrix(h_before(k))} + "
                f"{bmatrix(params[f'b{k}'])}{ones}"
            )
        if step.kind == "weight":
            reg = f" + {tex_number(spec.l2)} {bmatrix(params[f'W{k}'])}" if spec.l2 else ""
            if batch:
                return rf"\tfrac{{1}}{{{batch}}} {bmatrix(g_of_layer[k])} {bmatrix(h_before(k).T)}{reg}"
            return f"{bmatrix(g_of_layer[k])} {bmatrix([h_before(k)])}{reg}"
        if step.kind == "bias" and batch:
            return rf"\tfrac{{1}}{{{batch}}} {bmatrix(g_of_layer[k])} \mathbf{{1}}"
        if step.kind == "propagate":
            return f"{bmatrix(params[f'W{k}'].T)} {bmatrix(g_of_layer[k])}"
        if step.kind == "activation" and k + 1 in g_down and gprimes.get(k) is not None:
            return rf"{bmatrix(g_down[k + 1])} \odot {bmatrix(gprimes[k])}"
        return ""

    def gprime_of(k: int):
        """g′(z^(k)) as numbers; None for softmax, whose Jacobian is not a vector."""
        from ...mlp.network import derivative

        if spec.activation(k) == "softmax":
            return None
        out = result.values["yhat" if k == spec.depth else f"h{k}"]
        return derivative(spec.activation(k), result.values[f"z{k}"], out)

    g_down = {s.layer: s.value for s in result.backward_steps if s.kind == "propagate"}
    gprimes = {
        s.layer: gprime_of(s.layer) for s in result.backward_steps if s.kind == "activation"
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
            "aligned": _aligned(line["latex"]),
            "text": line["text"],
            "value": bmatrix(value),
            "value_lines": text_matrix(value),
            "shape": _shape_tex(step.shape),
            "shape_text": _shape_text(step.shape),
            "scalar": not step.shape,
            "expanded": line["expanded"],
            "note": notes[line["note"]] if line["note"] else "",
            "operands": operands(step),
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
        "network": _network(result),
        # a batch: every unit holds m values; the picture (one value per unit) is left out
        "draw_network": max(spec.layers) <= MAX_NETWORK_WIDTH and not batch,
    }


def _param_tex(key: str) -> str:
    """``W2`` → ``\\nabla_{\\mathbf{W}^{(2)}} J``."""
    return rf"\nabla_{{\mathbf{{{key[0]}}}^{{({key[1:]})}}}} J"


NETWORK_COLUMN_CM = 3.4
NETWORK_ROW_CM = 1.6


def _network(result) -> dict:
    """The MLP drawn unit by unit: each unit's output above, ∂J/∂z of the unit below."""
    spec = result.spec
    grads = {}
    for step in result.backward_steps:
        if step.kind in ("output", "activation"):
            grads[step.layer] = denoised(step.value)  # the last per layer is ∇_{z^{(k)}} J
    if result.batch is not None:  # per unit: ∂J/∂b_j = (1/m) Σ_i G_ji (no single value)
        grads = {k: denoised(result.gradients[f"b{k}"]) for k in range(1, spec.depth + 1)}
    layers = []
    tallest = max(spec.layers)
    for k, width in enumerate(spec.layers):
        values = (
            result.params.x if k == 0 else result.values["yhat" if k == spec.depth else f"h{k}"]
        )
        top = (tallest - width) * NETWORK_ROW_CM / 2
        units = []
        for j in range(width):
            if k == 0:
                name = rf"x_{{{j + 1}}}"
            elif k == spec.depth:
                name = rf"\hat{{y}}_{{{j + 1}}}"
            else:
                name = rf"h^{{({k})}}_{{{j + 1}}}"
            units.append(
                {
                    "id": f"u{k}x{j}",
                    "x": f"{k * NETWORK_COLUMN_CM:.2f}",
                    "y": f"{-(top + j * NETWORK_ROW_CM):.2f}",
                    "name": name,
                    "name_text": "x" + str(j + 1)
                    if k == 0
                    else (f"yhat{j + 1}" if k == spec.depth else f"h{k}_{j + 1}"),
                    "value": "" if result.batch else number(values[j], PICTURE_DIGITS),
                    "gradient": "" if k == 0 else number(grads[k][j], PICTURE_DIGITS),
                }
            )
        activation = "" if k == 0 else spec.activation(k)
        layers.append(
            {
                "k": k,
                "units": units,
                "activation": activation,
                "x": f"{k * NETWORK_COLUMN_CM:.2f}",
                "top": f"{NETWORK_ROW_CM * 0.9:.2f}",
            }
        )
    edges = [
        (a["x"], a["y"], b["x"], b["y"])
        for left, right in zip(layers, layers[1:])
        for a in left["units"]
        for b in right["units"]
    ]
    height = tallest * NETWORK_ROW_CM + 1.5
    width = spec.depth * NETWORK_COLUMN_CM + 3.0
    scale = min(1.0, PAGE_CM[0] / width, PAGE_CM[1] / height)
    edge_ids = [
        (a["id"], b["id"])
        for left, right in zip(layers, layers[1:])
        for a in left["units"]
        for b in right["units"]
    ]
    return {
        "layers": layers,
        "edges": edges,
        "edge_ids": edge_ids,
        "scale": f"{scale:.3f}",
        "bottom": f"{-(tallest * NETWORK_ROW_CM):.2f}",
    }
