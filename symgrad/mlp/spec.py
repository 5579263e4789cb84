"""An MLP's description and its numbers: :class:`MLPSpec` (layer sizes, activations, output
unit, loss, λ) and :class:`MLPParams` (weights, biases, x, y), validated, read from a
``--params`` JSON file or built from lists.

Notation (DESIGN.md): ``W^{(k)}`` has shape ``(n_k, n_{k-1})``; files name the arrays
``W1, b1, ..., WL, bL, x, y``. Activations are the op records with ``activation=True``
(:func:`symgrad.ops.activations`); the output unit is one of :data:`OUTPUTS`.

>>> make_spec("3,4,3,2").hidden
('relu', 'relu')
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import SymgradError
from ..ops import activations

MAX_DEPTH = 8  # weight layers
MAX_WIDTH = 128  # units in any layer
MAX_PARAMS = 140_000  # weights + biases (8 layers of 128 units: 132,096)
MAX_ABS_VALUE = 1e6  # any parameter, input or target entry
MAX_PARAMS_BYTES = 8 * 1024 * 1024  # a --params file: 140,000 numbers need about 3.5 MB
MAX_BATCH = 32  # examples in a mini-batch (columns of X and Y): a batch worked by hand is small
OUTPUTS = ("linear", "sigmoid", "softmax")
LOSSES = ("ce", "mse")


@dataclass(frozen=True)
class MLPSpec:
    """A validated network description; build one with :func:`make_spec`."""

    layers: tuple[int, ...]
    hidden: tuple[str, ...]  # one activation per hidden layer
    output: str = "softmax"
    loss: str = "ce"
    l2: float = 0.0

    @property
    def depth(self) -> int:
        """Number of weight layers ``L``."""
        return len(self.layers) - 1

    @property
    def fused(self) -> bool:
        """Softmax or sigmoid output with cross-entropy: ``∇_{z^{(L)}} J = ŷ − y``."""
        return self.loss == "ce"

    def activation(self, k: int) -> str:
        """Activation name of layer ``k`` (1-based); the last layer uses ``output``."""
        return self.output if k == self.depth else self.hidden[k - 1]

    def shapes(self, batch: int | None = None) -> dict[str, tuple[int, ...]]:
        """Expected array shapes by parameter-file key, in file order: ``x`` and ``y`` for
        one example, ``X`` (n_0 × m) and ``Y`` (n_l × m) for a batch of ``m`` examples."""
        out: dict[str, tuple[int, ...]] = {}
        for k in range(1, self.depth + 1):
            out[f"W{k}"] = (self.layers[k], self.layers[k - 1])
            out[f"b{k}"] = (self.layers[k],)
        if batch is None:
            out["x"] = (self.layers[0],)
            out["y"] = (self.layers[-1],)
        else:
            out["X"] = (self.layers[0], batch)
            out["Y"] = (self.layers[-1], batch)
        return out

    @property
    def n_params(self) -> int:
        return sum(a * b + a for a, b in zip(self.layers[1:], self.layers[:-1]))

    def describe(self) -> str:
        acts = ",".join(self.hidden) if self.hidden else "-"
        lam = f"  λ={self.l2:g}" if self.l2 else ""
        return (
            f"MLP {'-'.join(map(str, self.layers))}  hidden {acts}  output {self.output}  "
            f"loss {self.loss}{lam}"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "layers": list(self.layers),
            "hidden": list(self.hidden),
            "output": self.output,
            "loss": self.loss,
            "l2": self.l2,
        }


def parse_layers(layers: str | Sequence[int]) -> tuple[int, ...]:
    """``"3,4,3,2"`` or ``[3, 4, 3, 2]`` -> ``(3, 4, 3, 2)``, checked against the limits."""
    if isinstance(layers, str):
        # "3,4,3,2", or the lecture's and symgrad's own "3-4-3-2" (a size is never negative)
        sep = "-" if "-" in layers and "," not in layers else ","
        parts = [p.strip() for p in layers.split(sep)]
        sizes = []
        for pos, part in enumerate(parts, 1):
            if not (part.isascii() and part.isdigit()) or len(part) > 6:  # not ١ or １
                raise SymgradError(f"layers: size {pos} must be a positive integer, got {part!r}")
            sizes.append(int(part))
    else:
        sizes = list(layers)
        for pos, size in enumerate(sizes, 1):
            if isinstance(size, bool) or not isinstance(size, (int, np.integer)):
                raise SymgradError(f"layers: size {pos} must be a positive integer, got {size!r}")
    if len(sizes) < 2:
        raise SymgradError(
            f"layers: need at least two sizes (input and output), "
            f"got {len(sizes)}: {','.join(map(str, sizes))}"
        )
    for pos, size in enumerate(sizes, 1):
        if size < 1:
            raise SymgradError(f"layers: size {pos} must be a positive integer, got {size}")
        if size > MAX_WIDTH:
            raise SymgradError(f"layers: size {pos} is {size}; the limit is {MAX_WIDTH} units")
    if len(sizes) - 1 > MAX_DEPTH:
        raise SymgradError(f"layers: {len(sizes) - 1} weight layers; the limit is {MAX_DEPTH}")
    n_params = sum(a * b + a for a, b in zip(sizes[1:], sizes[:-1]))
    if n_params > MAX_PARAMS:
        raise SymgradError(f"layers: {n_params} parameters; the limit is {MAX_PARAMS}")
    return tuple(int(s) for s in sizes)


def make_spec(
    layers: str | Sequence[int],
    hidden: str | Sequence[str] = "relu",
    output: str = "softmax",
    loss: str = "ce",
    l2: float = 0.0,
) -> MLPSpec:
    """Validate and build an :class:`MLPSpec`.

    ``hidden`` is one activation for every hidden layer or one per hidden layer
    (``"relu,tanh"`` or a list). Supported output/loss pairs: softmax or sigmoid with
    ``ce`` (fused gradient ŷ − y) and linear, sigmoid or softmax with ``mse``.

    >>> make_spec("3,4,3,2").hidden
    ('relu', 'relu')
    """
    sizes = parse_layers(layers)
    n_hidden = len(sizes) - 2
    names = [h.strip() for h in hidden.split(",")] if isinstance(hidden, str) else list(hidden)
    for name in names:
        if name not in activations():
            raise SymgradError(
                f"hidden: unknown activation {name!r} (known: {', '.join(activations())})"
            )
    if len(names) == 1:
        names = names * n_hidden
    elif len(names) != n_hidden:
        layers_word = "hidden layer" if n_hidden == 1 else "hidden layers"
        raise SymgradError(
            f"hidden: {len(names)} activations given for {n_hidden} "
            f"{layers_word} (give one for all, or one per hidden layer)"
        )
    if output not in OUTPUTS:
        raise SymgradError(f"output: unknown output unit {output!r} (known: {', '.join(OUTPUTS)})")
    if loss not in LOSSES:
        raise SymgradError(f"loss: unknown loss {loss!r} (known: {', '.join(LOSSES)})")
    if loss == "ce" and output == "linear":
        raise SymgradError(
            "loss: ce needs output softmax or sigmoid (ŷ must be a probability); "
            "use --loss mse with a linear output"
        )
    if output == "softmax" and sizes[-1] < 2:
        raise SymgradError(
            f"output: softmax needs at least 2 output units, got {sizes[-1]} (use sigmoid for one)"
        )
    if (
        isinstance(l2, bool)
        or not isinstance(l2, (int, float))
        or not math.isfinite(l2)
        or not 0 <= l2 <= MAX_ABS_VALUE
    ):
        raise SymgradError(f"l2: λ must be a number from 0 to {MAX_ABS_VALUE:g}, got {l2!r}")
    return MLPSpec(sizes, tuple(names), output, loss, float(l2))


# --------------------------------------------------------------------------- parameters


@dataclass(frozen=True)
class MLPParams:
    """Weights ``W[k-1]`` of shape ``(n_k, n_{k-1})``, biases, input ``x`` and target ``y``.

    For a mini-batch ``x`` is the matrix ``X`` (n_0 × m) and ``y`` the matrix ``Y``
    (n_l × m): column ``i`` is example ``i``.
    """

    weights: tuple[np.ndarray, ...]
    biases: tuple[np.ndarray, ...]
    x: np.ndarray
    y: np.ndarray

    @property
    def batch(self) -> int | None:
        """The number of examples ``m`` of a mini-batch; None for a single example."""
        return int(self.x.shape[1]) if self.x.ndim == 2 else None

    def as_dict(self) -> dict[str, np.ndarray]:
        """Arrays by parameter-file key (``W1, b1, ..., x, y``; ``X, Y`` for a batch)."""
        out: dict[str, np.ndarray] = {}
        for k, (w, b) in enumerate(zip(self.weights, self.biases), 1):
            out[f"W{k}"], out[f"b{k}"] = w, b
        if self.batch is None:
            out["x"], out["y"] = self.x, self.y
        else:
            out["X"], out["Y"] = self.x, self.y
        return out

    def to_json(self) -> dict[str, list[Any]]:
        return {key: value.tolist() for key, value in self.as_dict().items()}


def _nested_shape(key: str, value: Any) -> tuple[int, ...]:
    """Shape of a rectangular nested list of numbers, or a SymgradError naming ``key``."""
    if isinstance(value, (list, tuple)):
        if not value:
            return (0,)
        inner = [_nested_shape(key, v) for v in value]
        if any(s != inner[0] for s in inner):
            raise SymgradError(f"{key}: rows have different lengths (a ragged nested list)")
        return (len(value),) + inner[0]
    return ()


def _to_array(key: str, value: Any, shape: tuple[int, ...]) -> np.ndarray:
    want = f"expected shape {shape}"
    if not isinstance(value, list):
        raise SymgradError(
            f"{key}: {want} as a {'nested ' * (len(shape) > 1)}list of numbers, "
            f"got {type(value).__name__}"
        )
    got = _nested_shape(key, value)
    if got != shape:
        raise SymgradError(f"{key}: {want}, got {got}")
    flat = np.asarray(value, dtype=object).reshape(-1)
    for pos, item in enumerate(flat):
        if isinstance(item, bool) or not isinstance(item, (int, float)):
            where = np.unravel_index(pos, shape)
            raise SymgradError(f"{key}{list(map(int, where))}: expected a number, got {item!r}")
        if abs(item) > MAX_ABS_VALUE or not math.isfinite(item):  # a huge int overflows isfinite
            where = np.unravel_index(pos, shape)
            shown = (
                repr(item)
                if isinstance(item, float) or item.bit_length() <= 64
                else f"an integer of about {round(item.bit_length() * math.log10(2))} digits"
            )
            raise SymgradError(
                f"{key}{list(map(int, where))}: expected a finite number of "
                f"magnitude at most {MAX_ABS_VALUE:g}, got {shown}"
            )
    return np.array(value, dtype=float).reshape(shape)


def params_from_dict(spec: MLPSpec, data: Any) -> MLPParams:
    """Validate a parameter mapping (nested lists, as in a ``--params`` file)."""
    if not isinstance(data, dict):
        raise SymgradError(
            f"params: expected a JSON object with keys "
            f"{', '.join(spec.shapes())}, got {type(data).__name__}"
        )
    shapes = spec.shapes()
    for key, shape in shapes.items():
        if key not in data:
            raise SymgradError(f"{key}: missing key (expected shape {shape})")
    extra = sorted(set(data) - set(shapes))
    if extra:
        raise SymgradError(
            f"{extra[0]}: unexpected key for a {spec.depth}-layer network "
            f"(expected {', '.join(shapes)})"
        )
    arrays = {key: _to_array(key, data[key], shape) for key, shape in shapes.items()}
    _check_target(spec, arrays["y"])
    return MLPParams(
        tuple(arrays[f"W{k}"] for k in range(1, spec.depth + 1)),
        tuple(arrays[f"b{k}"] for k in range(1, spec.depth + 1)),
        arrays["x"],
        arrays["y"],
    )


def _check_target(spec: MLPSpec, y: np.ndarray) -> None:
    if spec.loss != "ce":
        return
    # name an offending entry (negatives first) before saying anything about the sum
    outside = np.concatenate([np.flatnonzero(y < 0), np.flatnonzero(y > 1)])
    if outside.size:
        i = int(outside[0])
        raise SymgradError(
            f"y: entries must lie in [0, 1] for cross-entropy, got {y[i]:g} at index {i}"
        )
    if spec.output == "softmax" and abs(y.sum() - 1.0) > 1e-9:
        raise SymgradError(
            f"y: cross-entropy with softmax needs a distribution (entries "
            f"≥ 0 summing to 1), shape {y.shape}; got sum {y.sum():g}"
        )
