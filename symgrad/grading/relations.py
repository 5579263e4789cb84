"""Error carried forward between the blanks of one homework exercise.

A later blank of an exercise is often computed from earlier ones: ``∂L/∂z = ŷ − y`` from
the student's ``ŷ``, ``∇ₓz = Jᵀ ∇_y z`` from their Jacobian entries, ``w_new = w − η ∂J/∂w``
from their gradient. :func:`carried_values` recomputes each such blank from the student's
own earlier answers and the question (answers.json), so that a student whose only slip is
upstream is marked "correct given your earlier answers" downstream: a wrong upstream value
costs once.

One relation per exercise kind, each derived from the kind's module in
:mod:`symgrad.exercises` (the formulas its generator and worked solution use). Fed the true
earlier values, every relation gives the true later value (tests/test_grade.py checks this
on many seeds per kind). Kind ``graph`` has none: its blanks (``f`` and each input's
∂f/∂x) are each computed from the question, never from one another.

>>> q = {"variant": "linear_mse", "inputs": {"w1": 1.0, "h1": 2.0, "w2": 1.0, "h2": 1.0,
...      "b": 0.0}, "y": 1.0}
>>> carried_values("output_loss", q, {"y_hat": 4.0, "L": 4.5, "dL_dz": 2.0, "dL_dw1": 4.0})
{'L': 4.5, 'dL_dz': 3.0, 'dL_dw1': 4.0}
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import lru_cache

Values = dict[str, float]


def carried_values(kind: str, question: dict, values: Values) -> Values:
    """Each dependent blank's expected value, recomputed from ``values``.

    ``values`` maps every blank of the exercise to a number: the student's own answer where
    they gave a number, the true value elsewhere. Blanks no earlier blank determines (and
    every blank of a kind without a relation) are absent from the result.
    """
    relation = RELATIONS.get(kind)
    if relation is None:
        return {}
    try:
        out = relation(question, values)
    except (ArithmeticError, ValueError):
        return {}  # a student's number outside a formula's domain (log of a negative ŷ)
    return {name: float(v) for name, v in out.items() if name in values and math.isfinite(v)}


# --------------------------------------------------------------------------- activation


def _activation(q: dict, v: Values) -> Values:
    """∂L/∂p = Σₙ uₙ g′(zₙ) ∂zₙ/∂p with the student's zₙ (exercises/activation.py)."""
    from .. import ops

    slope = ops.local_gradient_numpy(q["function"], 0)
    examples = q["examples"]
    zs = [v.get(f"z{n}") for n in range(1, len(examples) + 1)]
    if any(z is None for z in zs):
        return {}
    local = [e["upstream"] * float(slope(z)) for e, z in zip(examples, zs)]
    factor = {"w1": "x1", "w2": "x2", "b": None}
    return {
        f"dL_d{p}": sum(g * (e[x] if x else 1.0) for g, e in zip(local, examples))
        for p, x in factor.items()
    }


# --------------------------------------------------------------------------- output_loss


def _output_loss(q: dict, v: Values) -> Values:
    """The variants of exercises/output_loss.py: L and ∂L/∂z from ŷ, then ∂L/∂w from ∂L/∂z."""
    variant, y = q["variant"], q["y"]
    if variant == "softmax_ce":
        c = y.index(1.0)
        y_hat = v["y_hat_true"]
        return {"L": -math.log(y_hat), f"dL_dz{c + 1}": y_hat - 1.0}
    inputs = q["inputs"]
    y_hat = v["y_hat"]
    if variant == "sigmoid_mse":
        out = {"sigma_prime": y_hat * (1 - y_hat), "dLce_dz": y_hat - y}
        if "sigma_prime" in v:
            out["dLmse_dz"] = (y_hat - y) * v["sigma_prime"]
        for kind in ("mse", "ce"):
            if f"dL{kind}_dz" in v:
                out[f"dL{kind}_dw1"] = v[f"dL{kind}_dz"] * inputs["h1"]
        return out
    if variant == "sigmoid_ce":
        loss = -(y * math.log(y_hat) + (1 - y) * math.log(1 - y_hat)) if 0 < y_hat < 1 else math.nan
    else:  # linear_mse
        loss = 0.5 * (y_hat - y) ** 2
    out = {"L": loss, "dL_dz": y_hat - y}
    grad = v.get("dL_dz", y_hat - y)
    for name, other in (("w1", "h1"), ("h1", "w1"), ("w2", "h2")):
        out[f"dL_d{name}"] = grad * inputs[other]
    return out


# --------------------------------------------------------------------------- jacobian


@lru_cache(maxsize=256)
def _gradient_at(expr: str, point: tuple) -> dict:
    """∂expr/∂name at ``point`` (pairs of name and value), by the library's reverse pass."""
    from ..exercises.chain import derive_at

    d = derive_at(expr, dict(point))
    return {name: g.value for name, g in d.gradients.items()}


def _jacobian(q: dict, v: Values) -> Values:
    """∂z/∂y at the student's y (easy), and ∂z/∂xᵢ = Σⱼ Jⱼᵢ ∂z/∂yⱼ with the student's J
    and ∂z/∂y (exercises/jacobian.py)."""
    ys, xs = q["y"], list(q["x"])
    out: Values = {}
    if all(f"y{j + 1}" in v for j in range(len(ys))):
        point = tuple((f"y{j + 1}", v[f"y{j + 1}"]) for j in range(len(ys)))
        grads = _gradient_at(q["z"], point)
        out.update({f"dz_dy{j + 1}": grads.get(f"y{j + 1}", 0.0) for j in range(len(ys))})
    x_point = tuple((name, float(q["x"][name])) for name in xs)
    for i, name in enumerate(xs):
        total = 0.0
        for j, expr in enumerate(ys):
            entry = v.get(f"J{j + 1}{i + 1}")
            if entry is None:
                entry = _gradient_at(expr, x_point).get(name, 0.0)
            total += entry * v[f"dz_dy{j + 1}"]
        out[f"dz_dx{i + 1}"] = total
    return out


# --------------------------------------------------------------------------- gd_step


def _gd_step(q: dict, v: Values) -> Values:
    """w₁_new = w₁ − η ∂J/∂w₁; the other new weights and b from the student's ∂L/∂z, read
    off their ∂J/∂w₁ = ∂L/∂z · x₁ + λw₁ (exercises/gradient_step.py)."""
    values, eta, lam = q["values"], q["eta"], q["lambda"]
    grad_w1 = v["dJ_dw1"]
    dz = (grad_w1 - lam * values["w1"]) / values["x1"]  # x1 is never 0
    out = {"w1_new": values["w1"] - eta * grad_w1, "b_new": values["b"] - eta * dz}
    k = 2
    while f"w{k}" in values:
        w = values[f"w{k}"]
        out[f"w{k}_new"] = w - eta * (dz * values[f"x{k}"] + lam * w)
        k += 1
    return out


# --------------------------------------------------------------------------- mlp


def _mlp(q: dict, v: Values) -> Values:
    """Backpropagation from the student's ŷⱼ and ∂J/∂b^(L)ᵢ (true values elsewhere), with
    the true forward pass: ∇b = g, ∇W = g hᵀ + λW, g ← (Wᵀ g) ⊙ g′(z) (exercises/network.py,
    whose blank ``dw{k}_{ij}`` is the lecture's w_ij: input i → unit j, row j, column i)."""
    import numpy as np

    from ..mlp.network import activate, derivative, softmax

    depth = len(q["layers"]) - 1
    hidden = q["hidden"] if isinstance(q["hidden"], list) else [q["hidden"]] * (depth - 1)
    W = [np.asarray(q[f"W{k}"], dtype=float) for k in range(1, depth + 1)]
    b = [np.asarray(q[f"b{k}"], dtype=float) for k in range(1, depth + 1)]
    h = [np.asarray(q["x"], dtype=float)]
    zs = []
    for k in range(depth):
        zs.append(W[k] @ h[-1] + b[k])
        if k < depth - 1:
            h.append(activate(hidden[k], zs[-1]))
    z_out, y = zs[-1], np.asarray(q["y"], dtype=float)
    output, loss, lam = q["output"], q["loss"], q["l2"]
    y_hat = (
        softmax(z_out)
        if output == "softmax"
        else 1 / (1 + np.exp(-z_out))
        if output == "sigmoid"
        else z_out.copy()
    )
    for name, value in v.items():  # the student's ŷⱼ
        if name.startswith("yhat"):
            j = int(name[4:]) - 1
            y_hat[j] = value
            if output == "softmax" and len(y_hat) == 2:
                y_hat[1 - j] = 1.0 - value
    if loss == "ce" or output == "linear":
        g = y_hat - y
    elif output == "sigmoid":
        g = (y_hat - y) * y_hat * (1 - y_hat)
    else:  # softmax + mse: the softmax Jacobian applied to ŷ − y
        d = y_hat - y
        g = y_hat * (d - y_hat @ d)
    out: Values = {}
    for k in range(depth, 0, -1):
        for name, value in v.items():  # ∂J/∂b^(k)ᵢ from below, then the student's replaces gᵢ
            if name.startswith(f"db{k}_"):
                i = int(name.split("_")[1]) - 1
                out[name] = float(g[i])
                g[i] = value
        for name in v:
            sub = name.split("_")[1] if name.startswith(f"dw{k}_") else ""
            if len(sub) == 2:  # the lecture's w_ij, input i → unit j: dw3_21 is row 1, column 2
                c, r = int(sub[0]) - 1, int(sub[1]) - 1
                out[name] = float(g[r] * h[k - 1][c] + lam * W[k - 1][r, c])
        if k > 1:
            z = zs[k - 2]
            g = (W[k - 1].T @ g) * derivative(hidden[k - 2], z, activate(hidden[k - 2], z))
    return out


RELATIONS: dict[str, Callable[[dict, Values], Values]] = {
    "activation": _activation,
    "output_loss": _output_loss,
    "jacobian": _jacobian,
    "gd_step": _gd_step,
    "mlp": _mlp,
}
"""Kinds with blanks computed from other blanks. ``graph`` has none (see the module's text)."""
