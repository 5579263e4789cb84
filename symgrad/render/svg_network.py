"""The MLP drawn unit by unit as SVG data, and its stepping (one step per matrix-form line).

Units sit in columns (one per layer); each unit's output is written above it and ∂J/∂z of
the unit below it, as the TikZ and DOT pictures of :func:`network_picture` show them (a
mini-batch: ∂J/∂b of the unit below, nothing above). Label boxes are returned so a test can check that none overlap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .layout import LINE_PX, PAGE_CM, overlaps, text_px
from .numbers import PICTURE_DIGITS, denoised, number

if TYPE_CHECKING:
    from ..mlp.result import MLPResult

UNIT_R = 20
COLUMN_PX = 190
ROW_PX = 2 * UNIT_R + 2 * LINE_PX + 16
MARGIN = 30


def network_svg(result: MLPResult, view: dict[str, Any]) -> dict[str, Any]:
    """Units, edges and labels with pixel positions; steps for the stepping script."""
    network = view["network"]
    tallest = max(len(layer["units"]) for layer in network["layers"])
    units, labels, edges = [], [], []
    centre: dict[str, tuple[float, float]] = {}
    for layer in network["layers"]:
        k = layer["k"]
        count = len(layer["units"])
        top = MARGIN + LINE_PX + 10 + (tallest - count) * ROW_PX / 2
        for j, unit in enumerate(layer["units"]):
            cx, cy = MARGIN + 40 + k * COLUMN_PX, top + UNIT_R + LINE_PX + j * ROW_PX
            centre[unit["id"]] = (cx, cy)
            value = unit["value"].replace("-", "\u2212")
            grad = unit["gradient"].replace("-", "\u2212")
            units.append(
                {
                    "id": unit["id"],
                    "layer": k,
                    "cx": cx,
                    "cy": cy,
                    "r": UNIT_R,
                    "name": unit["name_text"],
                    "value": value,
                    "gradient": grad,
                    "value_y": cy - UNIT_R - 5,
                    "gradient_y": cy + UNIT_R + 13,
                }
            )
            labels.append(
                {
                    "x": cx - text_px(value) / 2,
                    "y": cy - UNIT_R - LINE_PX - 1,
                    "w": text_px(value),
                    "h": LINE_PX,
                    "kind": "value",
                    "node": unit["id"],
                }
            )
            if grad:
                labels.append(
                    {
                        "x": cx - text_px(grad) / 2,
                        "y": cy + UNIT_R + 1,
                        "w": text_px(grad),
                        "h": LINE_PX,
                        "kind": "gradient",
                        "node": unit["id"],
                    }
                )
    for a, b in network["edge_ids"]:
        (x1, y1), (x2, y2) = centre[a], centre[b]
        edges.append(
            {
                "x1": x1 + UNIT_R,
                "y1": y1,
                "x2": x2 - UNIT_R,
                "y2": y2,
                "layer": int(b.split("x")[0][1:]),
            }
        )
    heads = [
        {
            "x": MARGIN + 40 + layer["k"] * COLUMN_PX,
            "k": layer["k"],
            "activation": layer["activation"],
        }
        for layer in network["layers"]
    ]
    gates = [
        {
            "x": u["cx"] - UNIT_R,
            "y": u["cy"] - UNIT_R,
            "w": 2 * UNIT_R,
            "h": 2 * UNIT_R,
            "kind": "unit",
            "node": u["id"],
        }
        for u in units
    ]
    width = MARGIN * 2 + 80 + (len(network["layers"]) - 1) * COLUMN_PX
    height = MARGIN * 2 + LINE_PX + 10 + tallest * ROW_PX
    return {
        "width": width,
        "height": height,
        "units": units,
        "edges": edges,
        "heads": heads,
        "labels": labels,
        "gates": gates,
        "overlaps": len(overlaps(labels + gates)),
        "steps": _steps(view),
        "inspect": _inspect(units),
    }


def _steps(view: dict) -> list[dict]:
    """One step per line of the matrix-form solution: the formula, its numbers, its value."""
    out = []
    depth = view["depth"]
    for st in view["forward"] + view["backward"]:
        layer = depth if st["layer"] is None else st["layer"]  # the loss: at the output
        latex = (
            st["latex"] + (f" = {st['operands']}" if st["operands"] else "") + f" = {st['value']}"
        )
        forward = st["kind"] in ("forward", "loss")
        out.append(
            {
                "kind": "forward" if forward else "backward",
                "node": f"L{layer}",
                "layer": layer,
                "latex": latex,
                "sum": "",
                "edges": bool(st["operands"]),  # a product with W: the weights light up
                # g ← W^(k)ᵀ g gives the gradient of layer k−1's units: they light up
                "units": layer - 1 if st["kind"] == "propagate" else layer,
                "done": st["kind"] in ("output", "activation"),
            }
        )
    return out


def _inspect(units: list[dict]) -> dict:
    """What a click on a unit shows: its output and, for layers after the input, ∂J/∂z."""
    from markupsafe import escape

    out = {}
    for u in units:
        lines = [f"{escape(u['name'])} = {escape(u['value'])}"]
        if u["gradient"]:
            lines.append(f"∂J/∂z = {escape(u['gradient'])}")
        out[u["id"]] = {"title": u["name"], "html": lines}
    return out


NETWORK_COLUMN_CM = 3.4
NETWORK_ROW_CM = 1.6


def network_picture(result: MLPResult) -> dict[str, Any]:
    """The MLP drawn unit by unit: each unit's output above, ∂J/∂z of the unit below (a
    mini-batch: ∂J/∂b of the unit below, nothing above)."""
    spec = result.spec
    grads = {}
    for step in result.backward_steps:
        if step.kind in ("output", "activation"):
            grads[step.layer] = denoised(step.value)  # the last per layer is ∇_{z^{(k)}} J
    if result.batch is not None:  # per unit: ∂J/∂b_j = (1/m) Σ_i G_ji (no single value)
        grads = {k: denoised(result.gradients[f"b{k}"]) for k in range(1, spec.depth + 1)}
    layers: list[dict[str, Any]] = []
    tallest = max(spec.layers)
    for k, width in enumerate(spec.layers):
        values = (
            result.params.x if k == 0 else result.values["yhat" if k == spec.depth else f"h{k}"]
        )
        top = (tallest - width) * NETWORK_ROW_CM / 2
        units: list[dict[str, str]] = []
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
    picture_width = spec.depth * NETWORK_COLUMN_CM + 3.0
    scale = min(1.0, PAGE_CM[0] / picture_width, PAGE_CM[1] / height)
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
