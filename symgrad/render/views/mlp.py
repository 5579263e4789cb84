"""The MLP view: parameters, forward and backward steps, gradient matrices, the network
picture, as the ``mlp.*`` templates show them. JSON is ``MLPResult.to_dict()``."""

from __future__ import annotations

from ..environment import strings
from ..layout import PAGE_CM
from ..numbers import PICTURE_DIGITS, bmatrix, denoised, error_tex, error_text, number, \
    tex_number, text_matrix
from .check import VERDICTS

MAX_NETWORK_WIDTH = 12  # units per layer up to which the MLP picture is drawn


def data(result) -> dict:
    """The JSON of an MLP result: its own plain data."""
    return result.to_dict()


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


def _mlp_note_key(result, step) -> str | None:
    """Which ``[zh.mlp_notes]`` entry translates ``step.note``."""
    spec = result.spec
    if not step.note:
        return None
    if step.kind == "output":
        return f"fused_{spec.output}"
    if step.kind == "activation" and step.layer == spec.depth and not spec.fused:
        return f"mse_{spec.output}"
    if step.kind == "activation":
        return spec.activation(step.layer)
    if step.kind == "bias":
        return "l2_bias"
    return None


def solution_steps(result, lang: str = "en") -> list[dict]:
    """Every matrix-form step of ``result`` in order: its formula (LaTeX, without the value),
    its value (a NumPy array) and its teaching note in ``lang`` ("" when it has none)."""
    notes = strings(lang).get("mlp_notes")
    out = []
    for step in result.steps:
        key = _mlp_note_key(result, step)
        note = step.note if lang == "en" or key is None else notes.get(key, step.note)
        out.append({"latex": step.latex, "value": step.value, "note": note or ""})
    return out


def context(result, lang: str) -> dict:
    """The MLP templates' view: parameters, forward and backward steps, gradient matrices."""
    spec = result.spec
    notes_zh = strings(lang).get("mlp_notes")
    params = result.params.as_dict()

    g_of_layer = {s.layer: s.value for s in result.backward_steps if s.kind == "bias"}

    def h_before(k: int):
        return params["x"] if k == 1 else result.values[f"h{k - 1}"]

    def operands(step) -> str:
        """The step's right-hand side with the numbers in place (no arithmetic)."""
        k = step.layer
        if step.kind == "forward" and step.latex.startswith(r"\mathbf{z}"):
            return (f"{bmatrix(params[f'W{k}'])} {bmatrix(h_before(k))} + "
                    f"{bmatrix(params[f'b{k}'])}")
        if step.kind == "weight":
            reg = f" + {tex_number(spec.l2)} {bmatrix(params[f'W{k}'])}" if spec.l2 else ""
            return f"{bmatrix(g_of_layer[k])} {bmatrix([h_before(k)])}{reg}"
        if step.kind == "propagate":
            return f"{bmatrix(params[f'W{k}'].T)} {bmatrix(g_of_layer[k])}"
        return ""

    def step_view(step) -> dict:
        key = _mlp_note_key(result, step)
        note = step.note if lang == "en" or key is None else notes_zh.get(key, step.note)
        value = step.value
        return {"label": step.label, "kind": step.kind, "layer": step.layer,
                "latex": step.latex, "aligned": _aligned(step.latex), "text": step.text,
                "value": bmatrix(value),
                "value_lines": text_matrix(value), "shape": _shape_tex(step.shape),
                "shape_text": _shape_text(step.shape), "scalar": not step.shape,
                "expanded": step.expanded, "note": note, "operands": operands(step)}

    given = []
    for k in range(1, spec.depth + 1):
        w, b = params[f"W{k}"], params[f"b{k}"]
        given.append({"layer": k, "W": bmatrix(w), "b": bmatrix(b),
                      "W_lines": text_matrix(w), "b_lines": text_matrix(b),
                      "W_shape": _shape_tex(w.shape), "b_shape": _shape_tex(b.shape),
                      "W_shape_text": _shape_text(w.shape), "b_shape_text": _shape_text(b.shape)})
    gradients = []
    for key, value in result.gradients.items():
        gradients.append({"key": key, "tex": _param_tex(key), "value": bmatrix(value),
                          "lines": text_matrix(value), "shape": _shape_tex(value.shape),
                          "shape_text": _shape_text(value.shape)})
    check = None
    if result.check is not None:
        check = {"passed": VERDICTS[result.check.passed],
                 "max_rel_error": error_text(result.check.max_rel_error),
                 "max_rel_error_tex": error_tex(result.check.max_rel_error),
                 "method": result.check.method, "skipped": list(result.check.skipped)}
    scalar = None
    if result.scalar_check:
        sc = result.scalar_check
        scalar = {"passed": "passed" if sc["passed"] else "failed",
                  "max_rel_error": error_text(sc["max_rel_error"]),
                  "max_rel_error_tex": error_tex(sc["max_rel_error"]),
                  "method": sc["method"]}
    return {
        "layers": "-".join(map(str, spec.layers)),
        "hidden": ", ".join(spec.hidden) if spec.hidden else "-",
        "output": spec.output, "loss": spec.loss, "l2": number(spec.l2),
        "has_l2": bool(spec.l2), "depth": spec.depth,
        "x": bmatrix(params["x"]), "y": bmatrix(params["y"]),
        "x_lines": text_matrix(params["x"]), "y_lines": text_matrix(params["y"]),
        "x_shape": _shape_tex(params["x"].shape), "y_shape": _shape_tex(params["y"].shape),
        "given": given,
        "forward": [step_view(s) for s in result.forward_steps],
        "backward": [step_view(s) for s in result.backward_steps],
        "gradients": gradients,
        "loss_value": number(result.loss, 6), "loss_tex": tex_number(result.loss, 6),
        "check": check, "scalar_check": scalar,
        "kinks": [k.describe() for k in result.kinks],
        "entries": [{"latex": e["latex"], "text": e["text"],
                     "value": number(e["value"], 6)} for e in result.entries],
        "network": _network(result),
        "draw_network": max(spec.layers) <= MAX_NETWORK_WIDTH,
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
    layers = []
    tallest = max(spec.layers)
    for k, width in enumerate(spec.layers):
        values = result.params.x if k == 0 else \
            result.values["yhat" if k == spec.depth else f"h{k}"]
        top = (tallest - width) * NETWORK_ROW_CM / 2
        units = []
        for j in range(width):
            if k == 0:
                name = rf"x_{{{j + 1}}}"
            elif k == spec.depth:
                name = rf"\hat{{y}}_{{{j + 1}}}"
            else:
                name = rf"h^{{({k})}}_{{{j + 1}}}"
            units.append({
                "id": f"u{k}x{j}", "x": f"{k * NETWORK_COLUMN_CM:.2f}",
                "y": f"{-(top + j * NETWORK_ROW_CM):.2f}", "name": name,
                "name_text": "x" + str(j + 1) if k == 0 else
                (f"yhat{j + 1}" if k == spec.depth else f"h{k}_{j + 1}"),
                "value": number(values[j], PICTURE_DIGITS),
                "gradient": "" if k == 0 else number(grads[k][j], PICTURE_DIGITS),
            })
        activation = "" if k == 0 else spec.activation(k)
        layers.append({"k": k, "units": units, "activation": activation,
                       "x": f"{k * NETWORK_COLUMN_CM:.2f}",
                       "top": f"{NETWORK_ROW_CM * 0.9:.2f}"})
    edges = [(a["x"], a["y"], b["x"], b["y"]) for left, right in zip(layers, layers[1:])
             for a in left["units"] for b in right["units"]]
    height = tallest * NETWORK_ROW_CM + 1.5
    width = spec.depth * NETWORK_COLUMN_CM + 3.0
    scale = min(1.0, PAGE_CM[0] / width, PAGE_CM[1] / height)
    edge_ids = [(a["id"], b["id"]) for left, right in zip(layers, layers[1:])
                for a in left["units"] for b in right["units"]]
    return {"layers": layers, "edges": edges, "edge_ids": edge_ids, "scale": f"{scale:.3f}",
            "bottom": f"{-(tallest * NETWORK_ROW_CM):.2f}"}
