r"""How the MLP's matrix-form steps read, in the lecture's notation (LaTeX and plain text).

:func:`symgrad.mlp.steps.matrix_steps` says which quantity each line computes; here each
line gets its label, its formula (``\mathbf{g} \leftarrow \mathbf{g} \odot g'(\mathbf{z})``),
the whole chain written out (``expanded``) and the key of its teaching note
(``[*.mlp_notes]`` in the strings file). An activation's derivative is its op record's
``derivative_tex`` / ``derivative_text``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ... import ops

if TYPE_CHECKING:
    from ...mlp.result import MLPResult
    from ...mlp.spec import MLPSpec
    from ...mlp.steps import MatrixStep

G = r"\mathbf{g}"


def vec(name: str, k: int | None = None, transpose: bool = False) -> str:
    """LaTeX of a bold symbol with an optional layer superscript: ``\\mathbf{z}^{(2)}``.

    ``transpose`` puts ``\\top`` inside the same superscript (``\\mathbf{h}^{(1)\\top}``).
    """
    bold = {"yhat": r"\hat{\mathbf{y}}", "Yhat": r"\hat{\mathbf{Y}}"}.get(
        name, rf"\mathbf{{{name}}}"
    )
    top = r"\top" if transpose else ""
    if k is None:
        return f"{bold}^{top}" if transpose else bold
    return rf"{bold}^{{({k}){top}}}"


def h_tex(k: int, transpose: bool = False) -> str:
    """``h^{(k)}`` (``x`` for k = 0)."""
    return vec("x", transpose=transpose) if k == 0 else vec("h", k, transpose)


def h_text(k: int) -> str:
    return "x" if k == 0 else f"h^({k})"


def _output_tex(spec, k: int) -> tuple[str, str]:
    return (vec("yhat"), "ŷ") if k == spec.depth else (vec("h", k), f"h^({k})")


def activation_forms(spec: MLPSpec, k: int, z: str = "z") -> tuple[str, str]:
    """``g(z^{(k)})`` of layer ``k`` in LaTeX and text (``z="Z"``: a batch's ``g(Z^{(k)})``)."""
    name = spec.activation(k)
    z_tex, z_text = vec(z, k), f"{z}^({k})"
    if name == "softmax":
        return rf"\operatorname{{softmax}}({z_tex})", f"softmax({z_text})"
    op = ops.get(name)
    if not op.tex:  # linear: g(z) = z
        return z_tex, z_text
    return f"{op.tex}({z_tex})", f"{op.text}({z_text})"


def _paren(latex: str) -> str:
    r"""``latex`` as a factor after ``⊙``: parenthesized unless it is one symbol, indicator or
    function value (``\sigma(z)``, ``e^{...}``); a sum is always parenthesized."""
    one_term = " + " not in latex and " - " not in latex
    simple = (
        latex.replace("\\", "").isalnum()
        or one_term
        and latex.startswith((r"\mathbb", r"\sigma", "e^"))
    )
    return latex if simple else rf"\left({latex}\right)"


def _paren_text(text: str) -> str:
    """``text`` as a factor after ``⊙``: parenthesized when it is a sum or a product."""
    return f"({text})" if any(op in text for op in (" + ", " − ", " - ", " ⊙ ")) else text


def derivative_rule(spec: MLPSpec, k: int) -> tuple[str, str]:
    r"""Layer ``k``'s rule ``g ⊙ g'(z)`` (softmax: its Jacobian times g), LaTeX and text."""
    name = spec.activation(k)
    if name == "softmax":
        return (
            r"(\operatorname{diag}(\hat{\mathbf{y}}) - \hat{\mathbf{y}}"
            r"\hat{\mathbf{y}}^\top)\,\mathbf{g}",
            "(diag(ŷ) − ŷŷᵀ) g",
        )
    op = ops.get(name)
    out_tex, out_text = _output_tex(spec, k)
    latex = op.derivative_tex.format(z=vec("z", k), h=out_tex)
    text = op.derivative_text.format(z=f"z^({k})", h=out_text)
    return rf"{G} \odot " + _paren(latex), f"g ⊙ {_paren_text(text)}"


def _loss_forms(spec) -> tuple[str, str]:
    if spec.loss == "mse":
        return r"\tfrac12 \|\mathbf{y} - \hat{\mathbf{y}}\|^2", "½‖y − ŷ‖²"
    if spec.output == "softmax":
        return r"-\sum_i y_i \log \hat{y}_i", "−Σ y log ŷ"
    return (
        r"-\sum_i \left(y_i \log \hat{y}_i + (1 - y_i)\log(1 - \hat{y}_i)\right)",
        "−Σ (y log ŷ + (1 − y) log(1 − ŷ))",
    )


def forward_line(spec: MLPSpec, step: MatrixStep) -> dict[str, str]:
    """A forward or loss step: label, LaTeX, text."""
    k = spec.depth if step.layer is None else step.layer  # the loss: at the output
    if step.node.startswith("z"):
        return {
            "label": f"layer {k}: pre-activation",
            "latex": rf"{vec('z', k)} = {vec('W', k)} {h_tex(k - 1)} + {vec('b', k)}",
            "text": f"z^({k}) = W^({k}) {h_text(k - 1)} + b^({k})",
        }
    if step.kind == "forward":
        lhs, lhs_text = _output_tex(spec, k)
        rhs, rhs_text = activation_forms(spec, k)
        return {
            "label": f"layer {k}: {spec.activation(k)}",
            "latex": f"{lhs} = {rhs}",
            "text": f"{lhs_text} = {rhs_text}",
        }
    if step.node == "L":
        latex, text = _loss_forms(spec)
        return {"label": "loss", "latex": f"L = {latex}", "text": f"L = {text}"}
    if step.node == "Omega":
        return {
            "label": "penalty",
            "latex": r"\Omega = \tfrac12 \sum_k \|\mathbf{W}^{(k)}\|_F^2",
            "text": "Ω = ½ Σ_k ‖W^(k)‖²",
        }
    if spec.l2:
        lam = f"{spec.l2:g}"
        return {
            "label": "objective",
            "latex": rf"J = L + \lambda\Omega,\ \lambda = {lam}",
            "text": f"J = L + λΩ, λ = {lam}",
        }
    return {"label": "objective", "latex": "J = L", "text": "J = L"}


def backward_lines(spec: MLPSpec, steps: Sequence[MatrixStep]) -> list[dict[str, str]]:
    """The backward steps in order, each with label, LaTeX, text, ``expanded`` and note key."""
    L = spec.depth
    residual = rf"{vec('yhat')} - {vec('y')}"
    chain = rf"\left({residual}\right)"
    lines = []
    for step in steps:
        k = spec.depth if step.layer is None else step.layer  # the loss: at the output
        if step.kind == "output" and spec.fused:
            name = spec.output
            line = {
                "label": f"output gradient ({name} + cross-entropy, fused)",
                "latex": rf"{G} \leftarrow \nabla_{{{vec('z', L)}}} J = {residual}",
                "text": f"g ← ∇_z^({L}) J = ŷ − y",
                "note": f"fused_{name}",
            }
        elif step.kind == "output":
            line = {
                "label": "output gradient (MSE)",
                "latex": rf"{G} \leftarrow \nabla_{{{vec('yhat')}}} J = {residual}",
                "text": "g ← ∇_ŷ J = ŷ − y",
                "note": "",
            }
        elif step.kind == "activation":
            rule, rule_text = derivative_rule(spec, k)
            if k == L:  # MSE through the output unit
                chain = rule.replace(G, chain)
                line = {
                    "label": f"layer {L}: through the {spec.output} output",
                    "latex": rf"{G} \leftarrow \nabla_{{{vec('z', L)}}} J = {rule}",
                    "text": f"g ← ∇_z^({L}) J",
                    "note": f"mse_{spec.output}",
                }
            else:
                chain = chain + r" \odot " + rule.split(r"\odot ", 1)[1]
                line = {
                    "label": f"layer {k}: through {spec.activation(k)}",
                    "latex": rf"{G} \leftarrow \nabla_{{{vec('z', k)}}} J = {G} \odot "
                    rf"g'({vec('z', k)}) = {rule}",
                    "text": f"g ← ∇_z^({k}) J = {rule_text}",
                    "note": spec.activation(k),
                }
        elif step.kind == "bias":
            line = {
                "label": f"layer {k}: ∇b^({k})",
                "latex": rf"\nabla_{{{vec('b', k)}}} J = {G}",
                "text": f"∇_b^({k}) J = g",
                "note": "l2_bias" if spec.l2 else "",
            }
        elif step.kind == "weight":
            reg = rf" + \lambda {vec('W', k)}" if spec.l2 else ""
            line = {
                "label": f"layer {k}: ∇W^({k})",
                "latex": rf"\nabla_{{{vec('W', k)}}} J = {G}\, {h_tex(k - 1, True)}{reg}",
                "text": f"∇_W^({k}) J = g {h_text(k - 1)}ᵀ" + (f" + λW^({k})" if spec.l2 else ""),
                "note": "",
                "expanded": rf"{chain}\, {h_tex(k - 1, True)}{reg}",
            }
        else:  # propagate
            chain = vec("W", k, True) + (
                rf" \left[{chain}\right]" if r"\odot" in chain else f" {chain}"
            )
            line = {
                "label": f"layer {k}: back to h^({k - 1})",
                "latex": rf"{G} \leftarrow \nabla_{{{vec('h', k - 1)}}} J = "
                rf"{vec('W', k, True)} {G}",
                "text": f"g ← ∇_h^({k - 1}) J = W^({k})ᵀ g",
                "note": "",
            }
        line.setdefault("expanded", chain)
        lines.append(line)
    return lines


def step_lines(result: MLPResult) -> list[dict[str, str]]:
    """Every step of ``result.steps`` as ``{label, latex, text, expanded, note}`` (``note`` is
    the key of its teaching note, "" for none); a mini-batch reads in its matrix form."""
    spec = result.spec
    if result.batch is not None:
        return batch_lines(spec, result.steps)
    lines = [{**forward_line(spec, s), "expanded": "", "note": ""} for s in result.forward_steps]
    return lines + backward_lines(spec, result.backward_steps)


# --------------------------------------------------------------------------- mini-batches
ONE_T = r"\mathbf{1}^\top"
GB = r"\mathbf{G}"


def batch_h(k: int, transpose: bool = False) -> tuple[str, str]:
    """``H^{(k)}`` of a batch (``X`` for k = 0) in LaTeX and text."""
    if k == 0:
        return vec("X", transpose=transpose), "X" + ("ᵀ" if transpose else "")
    return vec("H", k, transpose), f"H^({k})" + ("ᵀ" if transpose else "")


def _batch_out(spec, k: int) -> tuple[str, str]:
    return (vec("Yhat"), "Ŷ") if k == spec.depth else batch_h(k)


def _batch_losses(spec) -> tuple[str, str]:
    """One example's loss ``L_i`` over column ``i`` of Y and Ŷ."""
    if spec.loss == "mse":
        return (
            r"\tfrac12 \|\mathbf{y}_i - \hat{\mathbf{y}}_i\|^2",
            "½‖y_i − ŷ_i‖²",
        )
    if spec.output == "softmax":
        return r"-\sum_j Y_{ji} \log \hat{Y}_{ji}", "−Σ_j Y_ji log Ŷ_ji"
    return (
        r"-\sum_j \left(Y_{ji} \log \hat{Y}_{ji} + (1 - Y_{ji})\log(1 - \hat{Y}_{ji})\right)",
        "−Σ_j (Y_ji log Ŷ_ji + (1 − Y_ji) log(1 − Ŷ_ji))",
    )


def _batch_forward(spec, step) -> dict:
    k = spec.depth if step.layer is None else step.layer  # the loss: at the output
    if step.kind == "forward" and step.node.startswith("z"):
        h, h_text = batch_h(k - 1)
        return {
            "label": f"layer {k}: pre-activation",
            "latex": rf"{vec('Z', k)} = {vec('W', k)} {h} + {vec('b', k)} {ONE_T}",
            "text": f"Z^({k}) = W^({k}) {h_text} + b^({k}) 1ᵀ",
        }
    if step.kind == "forward":
        lhs, lhs_text = _batch_out(spec, k)
        rhs, rhs_text = activation_forms(spec, k, "Z")
        return {
            "label": f"layer {k}: {spec.activation(k)}",
            "latex": f"{lhs} = {rhs}",
            "text": f"{lhs_text} = {rhs_text}",
        }
    if step.node == "L_i":
        latex, text = _batch_losses(spec)
        return {"label": "example losses", "latex": f"L_i = {latex}", "text": f"L_i = {text}"}
    if step.node == "L":
        return {
            "label": "loss",
            "latex": r"L = \frac{1}{m} \sum_{i=1}^{m} L_i",
            "text": "L = (1/m) Σ_i L_i",
        }
    return forward_line(spec, step)  # Ω and J read as for one example


def _batch_backward(spec, step) -> dict:
    L = spec.depth
    k = L if step.layer is None else step.layer
    if step.kind == "output":
        wrt = vec("z", L) if spec.fused else vec("yhat")
        wrt_text = f"z^({L})" if spec.fused else "ŷ"
        head = "fused" if spec.fused else "MSE"
        return {
            "label": f"output gradient ({spec.output} + {head})",
            "latex": rf"{GB} \leftarrow \left[\nabla_{{{wrt}_i}} L_i\right]_{{i=1}}^{{m}} = "
            rf"{vec('Yhat')} - {vec('Y')}",
            "text": f"G ← [∇_{wrt_text}_i L_i]_i = Ŷ − Y",
            "note": f"fused_{spec.output}" if spec.fused else "",
        }
    if step.kind == "activation":
        name = spec.activation(k)
        note = f"mse_{spec.output}" if k == L else name
        if name == "softmax":
            rule = r"\left[(\operatorname{diag}(\hat{\mathbf{y}}_i) - \hat{\mathbf{y}}_i\hat{\mathbf{y}}_i^\top)\,\mathbf{g}_i\right]_{i=1}^{m}"
            return {
                "label": f"layer {k}: through the softmax output",
                "latex": rf"{GB} \leftarrow {rule}",
                "text": "G ← [(diag(ŷ_i) − ŷ_i ŷ_iᵀ) g_i]_i",
                "note": note,
            }
        op = ops.get(name)
        out, out_text = _batch_out(spec, k)
        latex = op.derivative_tex.format(z=vec("Z", k), h=out)
        text = op.derivative_text.format(z=f"Z^({k})", h=out_text)
        return {
            "label": f"layer {k}: through {name}",
            "latex": rf"{GB} \leftarrow {GB} \odot g'({vec('Z', k)}) = {GB} \odot {_paren(latex)}",
            "text": f"G ← G ⊙ g′(Z^({k})) = G ⊙ {_paren_text(text)}",
            "note": note,
        }
    if step.kind == "bias":
        return {
            "label": f"layer {k}: ∇b^({k})",
            "latex": rf"\nabla_{{{vec('b', k)}}} J = \tfrac{{1}}{{m}} {GB} \mathbf{{1}}",
            "text": f"∇_b^({k}) J = (1/m) G 1",
            "note": "l2_bias" if spec.l2 else "",
        }
    if step.kind == "weight":
        h, h_text = batch_h(k - 1, transpose=True)
        reg = rf" + \lambda {vec('W', k)}" if spec.l2 else ""
        return {
            "label": f"layer {k}: ∇W^({k})",
            "latex": rf"\nabla_{{{vec('W', k)}}} J = \tfrac{{1}}{{m}} {GB} {h}{reg}",
            "text": f"∇_W^({k}) J = (1/m) G {h_text}" + (f" + λW^({k})" if spec.l2 else ""),
            "note": "",
        }
    return {  # propagate
        "label": f"layer {k}: back to H^({k - 1})",
        "latex": rf"{GB} \leftarrow {vec('W', k, True)} {GB}",
        "text": f"G ← W^({k})ᵀ G",
        "note": "",
    }


def batch_lines(spec: MLPSpec, steps: Sequence[MatrixStep]) -> list[dict[str, str]]:
    """The steps of a mini-batch in the batch form (``Z = W H + b 1ᵀ``, ``G``,
    ``∇W = (1/m) G Hᵀ``, ``∇b = (1/m) G 1``), as :func:`step_lines` returns them."""
    lines = []
    for step in steps:
        if step.kind in ("forward", "loss"):
            lines.append({**_batch_forward(spec, step), "expanded": "", "note": ""})
        else:
            lines.append({**_batch_backward(spec, step), "expanded": ""})
    return lines
