"""The ``mlp`` kind's pins and network shapes: which network an exercise uses.

Pins: ``layers``, ``hidden``, ``output``, ``loss``, ``l2`` and ``params`` (a fixed network
file, as ``symgrad mlp --params`` reads it). :func:`resolve` fills what a spec leaves open
from a shape of the difficulty, so the check and the generator agree on every default.

>>> resolve({"output": "linear"}, ((2, 3, 1), "relu", "sigmoid"))
((2, 3, 1), ('relu',), 'linear', 'mse', 0.0)
"""

from __future__ import annotations

from ..errors import SymgradError
from ..ops import activations
from .pin_values import choice, number, refuse, sizes, text

SHAPES: dict[str, list[tuple[tuple[int, ...], str, str]]] = {
    "easy": [((2, 2, 2), "relu", "softmax")],
    "medium": [
        ((2, 3, 2), "relu", "softmax"),
        ((3, 3, 2), "sigmoid", "softmax"),
        ((2, 3, 2), "tanh", "softmax"),
        ((3, 2, 1), "relu", "sigmoid"),
        ((2, 3, 1), "sigmoid", "sigmoid"),
    ],
    "hard": [((3, 4, 3, 2), "relu", "softmax")],
}
OUTPUTS = ("softmax", "sigmoid", "linear")
LOSSES = ("ce", "mse")
MAX_LAYERS = 5  # input, up to three hidden layers, output: worked by hand
MAX_UNITS = 5
MAX_L2 = 1.0
HIDDEN = tuple(a for a in activations() if a != "linear")

OPTIONS_HELP = {
    "layers": f"layer sizes, input to output, e.g. [3, 4, 3, 2] (at least one hidden layer; "
    f"at most {MAX_LAYERS} layers of at most {MAX_UNITS} units)",
    "hidden": f"the hidden activation ({', '.join(HIDDEN)}), or a list of one per hidden "
    "layer (with layers)",
    "output": f"the output unit: {', '.join(OUTPUTS)}",
    "loss": "ce (cross-entropy; softmax or sigmoid output) or mse",
    "l2": f"the L2 weight λ, from 0 to {MAX_L2:g} (J = L + λ/2 Σ‖W‖²)",
    "params": "a network file (JSON: W1, b1, ..., x, y, as symgrad mlp --params reads it; "
    "needs layers; a relative path is read from the spec's folder): every version "
    "gets these numbers",
}


def resolve(
    options: dict, shape: tuple[tuple[int, ...], str | tuple[str, ...], str]
) -> tuple[tuple[int, ...], tuple[str, ...], str, str, float]:
    """``(layers, hidden per layer, output, loss, l2)``: the pins, else the shape's values."""
    layers, hidden, output = shape
    layers = tuple(options.get("layers", layers))
    hidden = options.get("hidden", hidden)
    hidden = (hidden,) * (len(layers) - 2) if isinstance(hidden, str) else tuple(hidden)
    if "output" in options:
        output = options["output"]
    elif options.get("loss") == "ce" and output == "linear" or "layers" in options:
        output = "softmax" if layers[-1] >= 2 else "sigmoid"
    loss = options.get("loss", "mse" if output == "linear" else "ce")
    return layers, hidden, output, loss, float(options.get("l2", 0.0))


def shapes_for(difficulty: str, options: dict) -> list:
    """The difficulty's shapes that fit the pins (a softmax output needs two units)."""
    if "layers" in options or "params" in options:
        return [(tuple(options["layers"]), "relu", "softmax")]
    fits = [
        s for s in SHAPES[difficulty] if not (options.get("output") == "softmax" and s[0][-1] < 2)
    ]
    return fits or [((2, 3, 2), "relu", "softmax")]


def check_options(raw: dict, where: str) -> dict:
    """The ``mlp`` pins, checked and normalized (lists of numbers, names)."""
    from ..mlp import make_spec

    out: dict = {}
    if "layers" in raw:
        out["layers"] = sizes(where, "layers", raw["layers"], MAX_LAYERS, MAX_UNITS)
        if len(out["layers"]) < 3:
            raise refuse(
                where,
                "layers",
                "needs at least one hidden layer (input, hidden, output), e.g. [2, 3, 2]",
            )
    if "hidden" in raw:
        value = raw["hidden"]
        if isinstance(value, list):
            if "layers" not in out:
                raise refuse(where, "hidden", "a list of activations needs layers too")
            out["hidden"] = [choice(where, "hidden", v, HIDDEN) for v in value]
            if len(value) != len(out["layers"]) - 2:
                raise refuse(
                    where,
                    "hidden",
                    f"{len(value)} activations for {len(out['layers']) - 2} hidden layers",
                )
        else:
            out["hidden"] = choice(where, "hidden", value, HIDDEN)
    if "output" in raw:
        out["output"] = choice(where, "output", raw["output"], OUTPUTS)
    if "loss" in raw:
        out["loss"] = choice(where, "loss", raw["loss"], LOSSES)
    if "l2" in raw:
        out["l2"] = number(where, "l2", raw["l2"], 0.0, MAX_L2)
    if out.get("loss") == "ce" and out.get("output") == "linear":
        raise refuse(
            where,
            "loss",
            "ce needs output softmax or sigmoid (ŷ must be a "
            'probability); use loss = "mse" with a linear output',
        )
    for shape in [(tuple(out["layers"]), "relu", "softmax")] if "layers" in out else []:
        layers, hidden, output, loss, l2 = resolve(out, shape)
        try:
            make_spec(list(layers), list(hidden), output, loss, l2)
        except SymgradError as err:
            key, _, message = str(err).partition(": ")
            raise refuse(where, key if key in OPTIONS_HELP else "layers", message) from None
    if "params" in raw:
        out.update(_params(raw["params"], where, out))
    return out


def _params(raw, where: str, out: dict) -> dict:
    """Read the network file once (bounded, as ``--params``); its numbers become pins."""
    from ..mlp import load_params, make_spec

    path = text(where, "params", raw, 1000)
    if "layers" not in out:
        raise refuse(
            where, "params", "a network file needs layers too (e.g. layers = [3, 4, 3, 2])"
        )
    layers, hidden, output, loss, l2 = resolve(out, (tuple(out["layers"]), "relu", "softmax"))
    try:
        params = load_params(make_spec(list(layers), list(hidden), output, loss, l2), path)
    except SymgradError as err:
        raise refuse(where, "params", f"{path}: {err}") from None
    return {"params": path, "network": params.to_json()}
