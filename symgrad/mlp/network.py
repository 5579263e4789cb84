"""Multilayer perceptrons: the lecture's forward loop, backward loop and worked 3-4-3-2 network.

A :class:`MLPSpec` (layer sizes, activations, loss, λ) becomes a :class:`LayerGraph` whose
nodes are vectors and matrices (matmul, bias add, elementwise activation, softmax, loss,
L2 penalty), each carrying its own Jacobian-transpose (VJP) rule. One reverse pass over that
graph gives every gradient; the matrix-form derivation (:class:`MatrixStep` records, in the
lecture's notation) reads its values from that pass, so nothing is computed twice.

Notation (DESIGN.md): ``z^{(k)} = W^{(k)} h^{(k-1)} + b^{(k)}``, ``h^{(k)} = g(z^{(k)})``,
``h^{(0)} = x``, ``ŷ = h^{(L)}``, ``J = L + λΩ`` with ``Ω = ½ Σ_k ‖W^{(k)}‖_F²`` (weights only).
``W^{(k)}`` has shape ``(n_k, n_{k-1})``.

Index convention of the entry-level view: NumPy's. ``W[j, i]`` (row ``j``, column ``i``)
connects input unit ``i`` of layer ``k-1`` to output unit ``j`` of layer ``k``. The lecture
writes that entry ``w_{ij}`` (it displays W with ``w_{ij}`` in row ``j``, column ``i``), and so
does :func:`entry_gradient`: ``entry_gradient(result, k, i, j)`` is ``∂J/∂w_{ij}^{(k)}``, the
value ``gradients["Wk"][j-1, i-1]``; ``i`` and ``j`` are 1-based as in the lecture.

Derivative at a kink (ReLU at 0, hardtanh at ±1): 0. A pre-activation exactly at a kink is
reported in :attr:`MLPResult.kinks`; the numeric check skips entries whose difference stencil
straddles a kink (reported as ``skipped``), since no single derivative is right there.

Limits (bad input raises :class:`SymgradError`): at most :data:`MAX_DEPTH` weight layers,
:data:`MAX_WIDTH` units per layer and :data:`MAX_PARAMS` parameters. The scalar
computational-graph cross-check runs automatically only up to :data:`SCALAR_CHECK_LIMIT`
parameters (the lecture's 3-4-3-2 network has 39; [4,8,8,3] has 139).

>>> spec = make_spec("3,4,3,2", hidden="relu", output="softmax", loss="ce")
>>> result = run_mlp(spec, random_params(spec, seed=1))
>>> sorted(result.gradients)  # doctest: +ELLIPSIS
['W1', 'W2', 'W3', 'b1', 'b2', 'b3']
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from .errors import SymgradError

MAX_DEPTH = 8  # weight layers
MAX_WIDTH = 128  # units in any layer
MAX_PARAMS = 20_000  # weights + biases
SCALAR_CHECK_LIMIT = 200  # parameters; above this the scalar-graph cross-check is opt-in only
ENTRY_LIMIT = 1000  # parameters; the symbolic entry-level view refuses bigger networks
MAX_ABS_VALUE = 1e6  # any parameter, input or target entry
FD_STEP = 1e-4  # five-point central differences: truncation ~h⁴, rounding ~1e-12
CHECK_TOLERANCE = 1e-6
SCALE_FLOOR = 1e-4  # relative error = |a - n| / max(|a|, |n|, SCALE_FLOOR)
FD_CHUNK = 4096  # perturbed rows evaluated per NumPy call


# --------------------------------------------------------------------------- activations

def _sigmoid(z):
    return 0.5 * (1.0 + np.tanh(0.5 * z))  # σ(z) = (1 + tanh(z/2))/2: no overflow for any z


@dataclass(frozen=True)
class Activation:
    """One elementwise activation: its formula, its derivative and its kinks.

    ``latex``/``text`` are templates with ``{z}``; ``derivative_latex``/``derivative_text``
    may also use ``{h}`` (the activation's output).
    """

    name: str
    latex: str
    text: str
    derivative_latex: str
    derivative_text: str
    forward: Callable[[np.ndarray], np.ndarray]
    derivative: Callable[[np.ndarray, np.ndarray], np.ndarray]  # (z, h) -> g'(z)
    kinks: tuple[float, ...] = ()
    note: str = ""


ACTIVATIONS: dict[str, Activation] = {
    "linear": Activation(
        "linear", r"{z}", "{z}", r"1", "1",
        lambda z: z, lambda z, h: np.ones_like(z), note="passes g through unchanged"),
    "relu": Activation(
        "relu", r"\max(0, {z})", "max(0, {z})", r"\mathbb{{1}}[{z} > 0]", "1[{z} > 0]",
        lambda z: np.maximum(z, 0.0), lambda z, h: (z > 0).astype(float), kinks=(0.0,),
        note="gates g: units with z ≤ 0 pass nothing back (derivative 0 at the kink z = 0)"),
    "sigmoid": Activation(
        "sigmoid", r"\sigma({z})", "σ({z})", r"{h} \odot (1 - {h})", "{h} ⊙ (1 − {h})",
        _sigmoid, lambda z, h: h * (1.0 - h),
        note="σ' = σ(1 − σ) ≤ 1/4 and → 0 when |z| is large: saturation"),
    "tanh": Activation(
        "tanh", r"\tanh({z})", "tanh({z})", r"1 - {h} \odot {h}", "1 − {h}²",
        np.tanh, lambda z, h: 1.0 - h * h, note="tanh' = 1 − tanh² ≤ 1, saturates for large |z|"),
    "softplus": Activation(
        "softplus", r"\zeta({z}) = \log(1 + e^{{{z}}})", "log(1 + exp({z}))",
        r"\sigma({z})", "σ({z})",
        lambda z: np.logaddexp(0.0, z), lambda z, h: _sigmoid(z),
        note="a smooth ReLU; its derivative is the sigmoid"),
    "hardtanh": Activation(
        "hardtanh", r"\max(-1, \min(1, {z}))", "max(−1, min(1, {z}))",
        r"\mathbb{{1}}[|{z}| < 1]", "1[|{z}| < 1]",
        lambda z: np.clip(z, -1.0, 1.0), lambda z, h: (np.abs(z) < 1).astype(float),
        kinks=(-1.0, 1.0), note="passes g only where −1 < z < 1 (derivative 0 at the kinks ±1)"),
}
OUTPUTS = ("linear", "sigmoid", "softmax")
LOSSES = ("ce", "mse")


def _softmax(z: np.ndarray) -> np.ndarray:
    """Softmax over the last axis; subtracts the max before ``exp``."""
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _logsumexp(z: np.ndarray) -> np.ndarray:
    m = z.max(axis=-1, keepdims=True)
    return (m + np.log(np.exp(z - m).sum(axis=-1, keepdims=True)))[..., 0]


# --------------------------------------------------------------------------- spec

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

    def shapes(self) -> dict[str, tuple[int, ...]]:
        """Expected array shapes by parameter-file key, in file order."""
        out: dict[str, tuple[int, ...]] = {}
        for k in range(1, self.depth + 1):
            out[f"W{k}"] = (self.layers[k], self.layers[k - 1])
            out[f"b{k}"] = (self.layers[k],)
        out["x"] = (self.layers[0],)
        out["y"] = (self.layers[-1],)
        return out

    @property
    def n_params(self) -> int:
        return sum(a * b + a for a, b in zip(self.layers[1:], self.layers[:-1]))

    def describe(self) -> str:
        acts = ",".join(self.hidden) if self.hidden else "-"
        lam = f"  λ={self.l2:g}" if self.l2 else ""
        return (f"MLP {'-'.join(map(str, self.layers))}  hidden {acts}  output {self.output}  "
                f"loss {self.loss}{lam}")

    def to_dict(self) -> dict:
        return {"layers": list(self.layers), "hidden": list(self.hidden), "output": self.output,
                "loss": self.loss, "l2": self.l2}


def parse_layers(layers: str | Sequence[int]) -> tuple[int, ...]:
    """``"3,4,3,2"`` or ``[3, 4, 3, 2]`` -> ``(3, 4, 3, 2)``, checked against the limits."""
    if isinstance(layers, str):
        parts = [p.strip() for p in layers.split(",")]
        sizes = []
        for pos, part in enumerate(parts, 1):
            if not part.isdigit() or len(part) > 6:
                raise SymgradError(f"layers: size {pos} must be a positive integer, got {part!r}")
            sizes.append(int(part))
    else:
        sizes = list(layers)
        for pos, size in enumerate(sizes, 1):
            if isinstance(size, bool) or not isinstance(size, (int, np.integer)):
                raise SymgradError(f"layers: size {pos} must be a positive integer, got {size!r}")
    if len(sizes) < 2:
        raise SymgradError(f"layers: need at least two sizes (input and output), "
                           f"got {len(sizes)}: {','.join(map(str, sizes))}")
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


def make_spec(layers: str | Sequence[int], hidden: str | Sequence[str] = "relu",
              output: str = "softmax", loss: str = "ce", l2: float = 0.0) -> MLPSpec:
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
    known = ", ".join(sorted(ACTIVATIONS))
    for name in names:
        if name not in ACTIVATIONS:
            raise SymgradError(f"hidden: unknown activation {name!r} (known: {known})")
    if len(names) == 1:
        names = names * n_hidden
    elif len(names) != n_hidden:
        layers_word = "hidden layer" if n_hidden == 1 else "hidden layers"
        raise SymgradError(f"hidden: {len(names)} activations given for {n_hidden} "
                           f"{layers_word} (give one for all, or one per hidden layer)")
    if output not in OUTPUTS:
        raise SymgradError(f"output: unknown output unit {output!r} "
                           f"(known: {', '.join(OUTPUTS)})")
    if loss not in LOSSES:
        raise SymgradError(f"loss: unknown loss {loss!r} (known: {', '.join(LOSSES)})")
    if loss == "ce" and output == "linear":
        raise SymgradError("loss: ce needs output softmax or sigmoid (ŷ must be a probability); "
                           "use --loss mse with a linear output")
    if output == "softmax" and sizes[-1] < 2:
        raise SymgradError(f"output: softmax needs at least 2 output units, got {sizes[-1]} "
                           "(use sigmoid for one)")
    if isinstance(l2, bool) or not isinstance(l2, (int, float)) or not math.isfinite(l2) \
            or not 0 <= l2 <= MAX_ABS_VALUE:
        raise SymgradError(f"l2: λ must be a number from 0 to {MAX_ABS_VALUE:g}, got {l2!r}")
    return MLPSpec(sizes, tuple(names), output, loss, float(l2))


# --------------------------------------------------------------------------- parameters

@dataclass(frozen=True)
class MLPParams:
    """Weights ``W[k-1]`` of shape ``(n_k, n_{k-1})``, biases, input ``x`` and target ``y``."""

    weights: tuple[np.ndarray, ...]
    biases: tuple[np.ndarray, ...]
    x: np.ndarray
    y: np.ndarray

    def as_dict(self) -> dict[str, np.ndarray]:
        """Arrays by parameter-file key (``W1, b1, ..., x, y``)."""
        out: dict[str, np.ndarray] = {}
        for k, (w, b) in enumerate(zip(self.weights, self.biases), 1):
            out[f"W{k}"], out[f"b{k}"] = w, b
        out["x"], out["y"] = self.x, self.y
        return out

    def to_json(self) -> dict:
        return {key: value.tolist() for key, value in self.as_dict().items()}


def _nested_shape(key: str, value) -> tuple[int, ...]:
    """Shape of a rectangular nested list of numbers, or a SymgradError naming ``key``."""
    if isinstance(value, (list, tuple)):
        if not value:
            return (0,)
        inner = [_nested_shape(key, v) for v in value]
        if any(s != inner[0] for s in inner):
            raise SymgradError(f"{key}: rows have different lengths (a ragged nested list)")
        return (len(value),) + inner[0]
    return ()


def _to_array(key: str, value, shape: tuple[int, ...]) -> np.ndarray:
    want = f"expected shape {shape}"
    if not isinstance(value, list):
        raise SymgradError(f"{key}: {want} as a {'nested ' * (len(shape) > 1)}list of numbers, "
                           f"got {type(value).__name__}")
    got = _nested_shape(key, value)
    if got != shape:
        raise SymgradError(f"{key}: {want}, got {got}")
    flat = np.asarray(value, dtype=object).reshape(-1)
    for pos, item in enumerate(flat):
        if isinstance(item, bool) or not isinstance(item, (int, float)):
            where = np.unravel_index(pos, shape)
            raise SymgradError(f"{key}{list(map(int, where))}: expected a number, got {item!r}")
        if not math.isfinite(item) or abs(item) > MAX_ABS_VALUE:
            where = np.unravel_index(pos, shape)
            raise SymgradError(f"{key}{list(map(int, where))}: expected a finite number of "
                               f"magnitude at most {MAX_ABS_VALUE:g}, got {item!r}")
    return np.array(value, dtype=float).reshape(shape)


def params_from_dict(spec: MLPSpec, data) -> MLPParams:
    """Validate a parameter mapping (nested lists, as in a ``--params`` file)."""
    if not isinstance(data, dict):
        raise SymgradError(f"params: expected a JSON object with keys "
                           f"{', '.join(spec.shapes())}, got {type(data).__name__}")
    shapes = spec.shapes()
    for key, shape in shapes.items():
        if key not in data:
            raise SymgradError(f"{key}: missing key (expected shape {shape})")
    extra = sorted(set(data) - set(shapes))
    if extra:
        raise SymgradError(f"{extra[0]}: unexpected key for a {spec.depth}-layer network "
                           f"(expected {', '.join(shapes)})")
    arrays = {key: _to_array(key, data[key], shape) for key, shape in shapes.items()}
    _check_target(spec, arrays["y"])
    return MLPParams(tuple(arrays[f"W{k}"] for k in range(1, spec.depth + 1)),
                     tuple(arrays[f"b{k}"] for k in range(1, spec.depth + 1)),
                     arrays["x"], arrays["y"])


def _check_target(spec: MLPSpec, y: np.ndarray) -> None:
    if spec.loss != "ce":
        return
    # name an offending entry (negatives first) before saying anything about the sum
    outside = np.concatenate([np.flatnonzero(y < 0), np.flatnonzero(y > 1)])
    if outside.size:
        i = int(outside[0])
        raise SymgradError(f"y: entries must lie in [0, 1] for cross-entropy, "
                           f"got {y[i]:g} at index {i}")
    if spec.output == "softmax" and abs(y.sum() - 1.0) > 1e-9:
        raise SymgradError(f"y: cross-entropy with softmax needs a distribution (entries "
                           f"≥ 0 summing to 1), shape {y.shape}; got sum {y.sum():g}")


class _DuplicateKey(Exception):
    pass


def _unique_keys(pairs: list[tuple[str, object]]) -> dict:
    """``object_pairs_hook`` for :func:`json.loads`: a repeated key is an error, not "last wins"."""
    out: dict = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKey(key)
        out[key] = value
    return out


def load_params(spec: MLPSpec, path: str | Path) -> MLPParams:
    """Read and validate a ``--params`` JSON file (UTF-8, with or without a BOM)."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")  # editors on Windows add a BOM
    except (OSError, UnicodeDecodeError) as err:
        raise SymgradError(f"params: cannot read {path}: {err}") from None
    try:
        data = json.loads(text, object_pairs_hook=_unique_keys)
    except json.JSONDecodeError as err:
        raise SymgradError(f"params: {path} is not valid JSON (line {err.lineno}, "
                           f"column {err.colno}: {err.msg})") from None
    except _DuplicateKey as err:
        raise SymgradError(f"params: duplicate key {err.args[0]} in {path}") from None
    return params_from_dict(spec, data)


def random_params(spec: MLPSpec, seed: int) -> MLPParams:
    """Small teaching values from ``numpy.random.default_rng(seed)``, on a grid of tenths.

    Weights in [−0.9, 0.9], biases in [−0.5, 0.5], x in [−1, 1]; y one-hot for a softmax
    output, 0/1 labels for sigmoid with CE, tenths in [0, 1] (sigmoid) or [−1, 1] (linear)
    for MSE. Draws are repeated (deterministically) until no hidden pre-activation lies within
    0.01 of a kink and every ReLU/hardtanh layer passes gradient through at least half its
    units, so generated instances never sit on a kink and are not mostly zeros.
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise SymgradError(f"seed: expected an integer ≥ 0, got {seed!r}")
    rng = np.random.default_rng(int(seed))
    n = spec.layers
    for _ in range(100):
        weights = tuple(rng.integers(-9, 10, size=(n[k], n[k - 1])) / 10
                        for k in range(1, len(n)))
        biases = tuple(rng.integers(-5, 6, size=n[k]) / 10 for k in range(1, len(n)))
        x = rng.integers(-10, 11, size=n[0]) / 10
        if spec.output == "softmax":
            y = np.zeros(n[-1])
            y[rng.integers(n[-1])] = 1.0
        elif spec.output == "sigmoid" and spec.loss == "ce":
            y = rng.integers(0, 2, size=n[-1]).astype(float)
        elif spec.output == "sigmoid":
            y = rng.integers(0, 11, size=n[-1]) / 10
        else:
            y = rng.integers(-10, 11, size=n[-1]) / 10
        params = MLPParams(weights, biases, x, y)
        if teaching_flaw(spec, forward(spec, params), 0.01) is None:
            return params
    return params


def teaching_flaw(spec: MLPSpec, fwd: Forward, margin: float) -> str | None:
    """Why these forward values make a poor worked example, or None if they are fine.

    ``"kink"``: a hidden pre-activation lies within ``margin`` of a kink of its activation;
    ``"dead units"``: a ReLU/hardtanh layer passes gradient through fewer than half its units.
    The one rule for generated networks (:func:`random_params`, the ``mlp`` exercise kind).

    >>> spec = make_spec("2,2,2")
    >>> teaching_flaw(spec, forward(spec, random_params(spec, seed=0)), 0.01) is None
    True
    """
    if _near_kinks(spec, fwd, margin):
        return "kink"
    if _blocked_layer(spec, fwd):
        return "dead units"
    return None


def _blocked_layer(spec: MLPSpec, fwd: Forward) -> bool:
    """True if some ReLU/hardtanh layer passes gradient through fewer than half its units.

    A network whose units are mostly flat makes a poor worked example: most of its gradient
    entries are zero.
    """
    for k in range(1, spec.depth):
        act = ACTIVATIONS[spec.activation(k)]
        if act.kinks and np.mean(act.derivative(fwd.z[k - 1], fwd.h[k]) != 0) < 0.5:
            return True
    return False


# --------------------------------------------------------------------------- forward

@dataclass(frozen=True)
class Forward:
    """Forward values: ``z[k-1]`` is ``z^{(k)}``, ``h[k]`` is ``h^{(k)}`` (``h[0] = x``)."""

    z: tuple[np.ndarray, ...]
    h: tuple[np.ndarray, ...]
    data_loss: float
    penalty: float  # Ω = ½ Σ ‖W‖², not yet multiplied by λ
    loss: float  # J = L + λΩ

    @property
    def output(self) -> np.ndarray:
        return self.h[-1]


def _apply(name: str, z: np.ndarray) -> np.ndarray:
    return _softmax(z) if name == "softmax" else ACTIVATIONS[name].forward(z)


def _data_loss(spec: MLPSpec, z_out: np.ndarray, y_hat: np.ndarray, y: np.ndarray):
    """Loss over the last axis; CE is computed from ``z^{(L)}`` (log-sum-exp / softplus)."""
    if spec.loss == "mse":
        return 0.5 * ((y - y_hat) ** 2).sum(axis=-1)
    if spec.output == "softmax":  # −Σ y log softmax(z) = Σy · lse(z) − y·z
        return y.sum() * _logsumexp(z_out) - (z_out * y).sum(axis=-1)
    # −Σ [y log σ(z) + (1−y) log(1−σ(z))] = Σ [y ζ(−z) + (1−y) ζ(z)]
    return (y * np.logaddexp(0.0, -z_out) + (1 - y) * np.logaddexp(0.0, z_out)).sum(axis=-1)


def forward(spec: MLPSpec, params: MLPParams) -> Forward:
    """The lecture's forward loop, vectorized."""
    h = [params.x]
    zs = []
    for k in range(1, spec.depth + 1):
        z = params.weights[k - 1] @ h[-1] + params.biases[k - 1]
        zs.append(z)
        h.append(_apply(spec.activation(k), z))
    data_loss = float(_data_loss(spec, zs[-1], h[-1], params.y))
    penalty = 0.5 * float(sum((w * w).sum() for w in params.weights))
    return Forward(tuple(zs), tuple(h), data_loss, penalty, data_loss + spec.l2 * penalty)


# --------------------------------------------------------------------------- kinks

@dataclass(frozen=True)
class Kink:
    """A hidden pre-activation ``z^{(layer)}_{unit}`` (1-based unit) exactly at a kink."""

    layer: int
    unit: int
    z: float
    activation: str

    def to_dict(self) -> dict:
        return {"layer": self.layer, "unit": self.unit, "z": self.z,
                "activation": self.activation, "derivative_used": 0.0}

    def describe(self) -> str:
        return (f"z^({self.layer})_{self.unit} = {self.z:g} is at the kink of {self.activation}; "
                "derivative taken as 0")


def _near_kinks(spec: MLPSpec, fwd: Forward, tol: float = 0.0) -> list[Kink]:
    found = []
    for k in range(1, spec.depth):
        act = ACTIVATIONS[spec.activation(k)]
        for point in act.kinks:
            for j in np.flatnonzero(np.abs(fwd.z[k - 1] - point) <= tol):
                found.append(Kink(k, int(j) + 1, float(fwd.z[k - 1][j]), act.name))
    return sorted(found, key=lambda kink: (kink.layer, kink.unit))


# --------------------------------------------------------------------------- layer graph

@dataclass(frozen=True)
class LayerNode:
    """A vector/matrix node: its op, inputs, shape, formula and Jacobian-transpose rules.

    ``vjp(inputs, out, g)`` returns one gradient per input (None for inputs that need none);
    ``vjp_latex[i]`` is that rule in the lecture's notation, with ``\\mathbf{g}`` the
    gradient arriving at this node.
    """

    id: str
    op: str
    inputs: tuple[str, ...]
    shape: tuple[int, ...]
    latex: str
    text: str
    forward: Callable | None = None
    vjp: Callable | None = None
    vjp_latex: tuple[str, ...] = ()
    layer: int | None = None

    def to_dict(self) -> dict:
        return {"id": self.id, "op": self.op, "inputs": list(self.inputs),
                "shape": list(self.shape), "latex": self.latex, "text": self.text,
                "vjp": list(self.vjp_latex), "layer": self.layer}


@dataclass(frozen=True)
class LayerGraph:
    """Nodes in topological order (leaves first); ``output`` is the objective ``J``."""

    nodes: tuple[LayerNode, ...]
    output: str = "J"

    def __getitem__(self, node_id: str) -> LayerNode:
        return self._index[node_id]

    @property
    def _index(self) -> dict[str, LayerNode]:
        return {node.id: node for node in self.nodes}

    def to_dict(self) -> dict:
        return {"nodes": [node.to_dict() for node in self.nodes], "output": self.output}


def _vec(name: str, k: int | None = None, transpose: bool = False) -> str:
    """LaTeX of a bold symbol with an optional layer superscript: ``\\mathbf{z}^{(2)}``.

    ``transpose`` puts ``\\top`` inside the same superscript (``\\mathbf{h}^{(1)\\top}``).
    """
    bold = {"yhat": r"\hat{\mathbf{y}}"}.get(name, rf"\mathbf{{{name}}}")
    top = r"\top" if transpose else ""
    if k is None:
        return f"{bold}^{top}" if transpose else bold
    return rf"{bold}^{{({k}){top}}}"


def _h_latex(k: int, transpose: bool = False) -> str:
    return _vec("x", transpose=transpose) if k == 0 else _vec("h", k, transpose)


def _h_text(k: int) -> str:
    return "x" if k == 0 else f"h^({k})"


def _h_id(k: int) -> str:
    return "x" if k == 0 else f"h{k}"


def build_layer_graph(spec: MLPSpec) -> LayerGraph:
    """The network as matmul → bias add → activation nodes per layer, then loss and ``J``.

    With cross-entropy the loss node reads ``z^{(L)}`` directly (fused, stable log-sum-exp),
    so its rule is ``ŷ − y``; ``ŷ`` still appears as a node for display.
    """
    L = spec.depth
    nodes: list[LayerNode] = [LayerNode("x", "input", (), (spec.layers[0],), _vec("x"), "x")]
    for k in range(1, L + 1):
        nodes.append(LayerNode(f"W{k}", "param", (), (spec.layers[k], spec.layers[k - 1]),
                               _vec("W", k), f"W^({k})", layer=k))
        nodes.append(LayerNode(f"b{k}", "param", (), (spec.layers[k],), _vec("b", k),
                               f"b^({k})", layer=k))
    nodes.append(LayerNode("y", "target", (), (spec.layers[-1],), _vec("y"), "y"))
    for k in range(1, L + 1):
        n = (spec.layers[k],)
        h_prev = _h_id(k - 1)
        nodes.append(LayerNode(
            f"u{k}", "matmul", (f"W{k}", h_prev), n,
            rf"{_vec('W', k)} {_h_latex(k - 1)}", f"W^({k}) {_h_text(k - 1)}",
            forward=lambda w, h: w @ h,
            vjp=lambda ins, out, g: (np.outer(g, ins[1]), ins[0].T @ g),
            vjp_latex=(rf"\mathbf{{g}}\, {_h_latex(k - 1, True)}",
                       rf"{_vec('W', k, True)} \mathbf{{g}}"), layer=k))
        nodes.append(LayerNode(
            f"z{k}", "bias_add", (f"u{k}", f"b{k}"), n,
            rf"{_vec('W', k)} {_h_latex(k - 1)} + {_vec('b', k)}",
            f"W^({k}) {_h_text(k - 1)} + b^({k})",
            forward=lambda u, b: u + b, vjp=lambda ins, out, g: (g, g),
            vjp_latex=(r"\mathbf{g}", r"\mathbf{g}"), layer=k))
        act = spec.activation(k)
        out_id = "yhat" if k == L else f"h{k}"
        z_tex = _vec("z", k)
        if act == "softmax":
            nodes.append(LayerNode(
                out_id, "softmax", (f"z{k}",), n, rf"\operatorname{{softmax}}({z_tex})",
                f"softmax(z^({k}))", forward=_softmax,
                vjp=lambda ins, out, g: (out * (g - out @ g),),
                vjp_latex=(r"(\operatorname{diag}(\hat{\mathbf{y}}) - \hat{\mathbf{y}}"
                           r"\hat{\mathbf{y}}^\top)\,\mathbf{g}",), layer=k))
        else:
            rec = ACTIVATIONS[act]
            h_tex = _vec("yhat") if k == L else _vec("h", k)
            nodes.append(LayerNode(
                out_id, act, (f"z{k}",), n, rec.latex.format(z=z_tex),
                rec.text.format(z=f"z^({k})"), forward=rec.forward,
                vjp=lambda ins, out, g, rec=rec: (g * rec.derivative(ins[0], out),),
                vjp_latex=(r"\mathbf{g} \odot "
                           + _paren(rec.derivative_latex.format(z=z_tex, h=h_tex)),),
                layer=k))
    z_L = f"z{L}"
    if spec.loss == "mse":
        nodes.append(LayerNode(
            "L", "mse", ("yhat", "y"), (), r"\tfrac12 \|\mathbf{y} - \hat{\mathbf{y}}\|^2",
            "½‖y − ŷ‖²", forward=lambda yh, y: 0.5 * float(((y - yh) ** 2).sum()),
            vjp=lambda ins, out, g: (g * (ins[0] - ins[1]), None),
            vjp_latex=(r"\hat{\mathbf{y}} - \mathbf{y}", "")))
    else:
        link = _softmax if spec.output == "softmax" else _sigmoid
        latex = (r"-\sum_i y_i \log \hat{y}_i" if spec.output == "softmax" else
                 r"-\sum_i \left(y_i \log \hat{y}_i + (1 - y_i)\log(1 - \hat{y}_i)\right)")
        nodes.append(LayerNode(
            "L", f"{spec.output}_cross_entropy", (z_L, "y"), (), latex,
            "−Σ y log ŷ" if spec.output == "softmax" else "−Σ (y log ŷ + (1 − y) log(1 − ŷ))",
            forward=lambda z, y: float(_data_loss(spec, z, None, y)),
            vjp=lambda ins, out, g: (g * (link(ins[0]) - ins[1]), None),
            vjp_latex=(r"\hat{\mathbf{y}} - \mathbf{y}", ""), layer=L))
    weight_ids = tuple(f"W{k}" for k in range(1, L + 1))
    if spec.l2:
        nodes.append(LayerNode(
            "Omega", "l2", weight_ids, (), r"\tfrac12 \sum_k \|\mathbf{W}^{(k)}\|_F^2",
            "½ Σ_k ‖W^(k)‖²", forward=lambda *ws: 0.5 * float(sum((w * w).sum() for w in ws)),
            vjp=lambda ins, out, g: tuple(g * w for w in ins),
            vjp_latex=tuple(rf"\mathbf{{g}}\,{_vec('W', k)}" for k in range(1, L + 1))))
        lam = spec.l2
        nodes.append(LayerNode(
            "J", "objective", ("L", "Omega"), (), r"L + \lambda \Omega", "L + λΩ",
            forward=lambda loss, omega: loss + lam * omega,
            vjp=lambda ins, out, g: (g, lam * g), vjp_latex=("g", r"\lambda g")))
    else:
        nodes.append(LayerNode("J", "objective", ("L",), (), "L", "L",
                               forward=lambda loss: loss, vjp=lambda ins, out, g: (g,),
                               vjp_latex=("g",)))
    return LayerGraph(tuple(nodes))


def _paren_text(template: str, k: int) -> str:
    text = template.format(z=f"z^({k})", h=f"h^({k})")
    return f"({text})" if " " in text and not text.startswith("1[") else text


def _paren(latex: str) -> str:
    return latex if latex.replace("\\", "").isalnum() or latex.startswith(r"\mathbb") \
        or latex.startswith(r"\sigma") else rf"\left({latex}\right)"


def evaluate(graph: LayerGraph, params: MLPParams) -> dict[str, np.ndarray | float]:
    """Forward values of every node of the layer graph."""
    values: dict[str, object] = dict(params.as_dict())
    for node in graph.nodes:
        if node.forward is not None:
            values[node.id] = node.forward(*(values[i] for i in node.inputs))
    return values


def backward(graph: LayerGraph, values: dict) -> dict[str, np.ndarray | float]:
    """Reverse pass: each node's VJP rule adds into its inputs' adjoints (``+=`` at forks)."""
    adjoints: dict[str, object] = {graph.output: 1.0}
    for node in reversed(graph.nodes):
        if node.vjp is None or node.id not in adjoints:
            continue
        grads = node.vjp([values[i] for i in node.inputs], values[node.id], adjoints[node.id])
        for input_id, grad in zip(node.inputs, grads):
            if grad is not None:
                adjoints[input_id] = adjoints[input_id] + grad if input_id in adjoints else grad
    return adjoints


# --------------------------------------------------------------------------- derivation steps

@dataclass(frozen=True)
class MatrixStep:
    """One line of the matrix-form derivation: label, formula (LaTeX and text), value.

    ``kind`` is one of ``forward``, ``loss``, ``output`` (first g), ``activation``
    (g ← g ⊙ g'(z)), ``bias``, ``weight``, ``propagate`` (g ← Wᵀ g). ``expanded`` is the
    whole chain written out, as in the lecture's per-layer formulas.
    """

    label: str
    latex: str
    text: str
    value: np.ndarray
    kind: str
    layer: int | None = None
    expanded: str = ""
    note: str = ""

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(np.shape(self.value))

    def to_dict(self) -> dict:
        return {"label": self.label, "latex": self.latex, "text": self.text,
                "value": np.asarray(self.value).tolist(), "shape": list(self.shape),
                "kind": self.kind, "layer": self.layer, "expanded": self.expanded,
                "note": self.note}


def _forward_steps(spec: MLPSpec, graph: LayerGraph, values: dict) -> list[MatrixStep]:
    steps = []
    for k in range(1, spec.depth + 1):
        z = graph[f"z{k}"]
        steps.append(MatrixStep(f"layer {k}: pre-activation", rf"{_vec('z', k)} = {z.latex}",
                                f"z^({k}) = {z.text}", values[z.id], "forward", k))
        out = graph["yhat" if k == spec.depth else f"h{k}"]
        lhs, lhs_text = ((_vec("yhat"), "ŷ") if k == spec.depth else (_vec("h", k), f"h^({k})"))
        steps.append(MatrixStep(f"layer {k}: {out.op}", f"{lhs} = {out.latex}",
                                f"{lhs_text} = {out.text}", values[out.id], "forward", k))
    loss = graph["L"]
    steps.append(MatrixStep("loss", f"L = {loss.latex}", f"L = {loss.text}",
                            np.float64(values["L"]), "loss"))
    if spec.l2:
        steps.append(MatrixStep("penalty", rf"\Omega = {graph['Omega'].latex}",
                                f"Ω = {graph['Omega'].text}", np.float64(values["Omega"]),
                                "loss"))
        steps.append(MatrixStep("objective", rf"J = L + \lambda\Omega,\ \lambda = {spec.l2:g}",
                                f"J = L + λΩ, λ = {spec.l2:g}", np.float64(values["J"]),
                                "loss"))
    else:
        steps.append(MatrixStep("objective", "J = L", "J = L", np.float64(values["J"]), "loss"))
    return steps


def _backward_steps(spec: MLPSpec, graph: LayerGraph, adjoints: dict) -> list[MatrixStep]:
    """The lecture's backward loop, one record per line, values read from the reverse pass."""
    L = spec.depth
    g = r"\mathbf{g}"
    residual = rf"{_vec('yhat')} - {_vec('y')}"
    steps: list[MatrixStep] = []
    if spec.fused:
        name = "softmax" if spec.output == "softmax" else "sigmoid"
        chain = rf"\left({residual}\right)"
        steps.append(MatrixStep(
            f"output gradient ({name} + cross-entropy, fused)",
            rf"{g} \leftarrow \nabla_{{{_vec('z', L)}}} J = {residual}",
            f"g ← ∇_z^({L}) J = ŷ − y", adjoints[f"z{L}"], "output", L, chain,
            note=f"{name} and cross-entropy cancel: no {name}' factor, no saturation"))
    else:
        chain = rf"\left({residual}\right)"
        steps.append(MatrixStep(
            "output gradient (MSE)", rf"{g} \leftarrow \nabla_{{{_vec('yhat')}}} J = {residual}",
            "g ← ∇_ŷ J = ŷ − y", adjoints["yhat"], "output", L, chain))
        out_node = graph["yhat"]
        rule = out_node.vjp_latex[0]
        chain = rule.replace(r"\mathbf{g}", chain)
        note = {"sigmoid": "MSE through a sigmoid output: the factor ŷ ⊙ (1 − ŷ) ≤ 1/4 "
                           "shrinks g, and → 0 when the sigmoid saturates (|z| large)",
                "softmax": "MSE through softmax: the softmax Jacobian multiplies g and "
                           "shrinks it when the softmax saturates",
                "linear": "linear output: g'(z) = 1"}[spec.output]
        steps.append(MatrixStep(
            f"layer {L}: through the {spec.output} output",
            rf"{g} \leftarrow \nabla_{{{_vec('z', L)}}} J = {rule}",
            f"g ← ∇_z^({L}) J", adjoints[f"z{L}"], "activation", L, chain, note=note))
    for k in range(L, 0, -1):
        if k < L:
            rule = graph[f"h{k}"].vjp_latex[0]
            chain = chain + r" \odot " + rule.split(r"\odot ", 1)[1]
            rec = ACTIVATIONS[spec.activation(k)]
            steps.append(MatrixStep(
                f"layer {k}: through {rec.name}",
                rf"{g} \leftarrow \nabla_{{{_vec('z', k)}}} J = {g} \odot g'({_vec('z', k)}) = "
                + rule, f"g ← ∇_z^({k}) J = g ⊙ {_paren_text(rec.derivative_text, k)}",
                adjoints[f"z{k}"], "activation", k, chain, note=rec.note))
        steps.append(MatrixStep(
            f"layer {k}: ∇b^({k})", rf"\nabla_{{{_vec('b', k)}}} J = {g}",
            f"∇_b^({k}) J = g", adjoints[f"b{k}"], "bias", k, chain,
            note="the L2 penalty covers weights only" if spec.l2 else ""))
        reg = rf" + \lambda {_vec('W', k)}" if spec.l2 else ""
        steps.append(MatrixStep(
            f"layer {k}: ∇W^({k})",
            rf"\nabla_{{{_vec('W', k)}}} J = {g}\, {_h_latex(k - 1, True)}{reg}",
            f"∇_W^({k}) J = g {_h_text(k - 1)}ᵀ" + (f" + λW^({k})" if spec.l2 else ""),
            adjoints[f"W{k}"], "weight", k, rf"{chain}\, {_h_latex(k - 1, True)}{reg}"))
        if k > 1:
            chain = _vec("W", k, True) + (rf" \left[{chain}\right]" if r"\odot" in chain
                                          else f" {chain}")
            steps.append(MatrixStep(
                f"layer {k}: back to h^({k - 1})",
                rf"{g} \leftarrow \nabla_{{{_vec('h', k - 1)}}} J = {_vec('W', k, True)} {g}",
                f"g ← ∇_h^({k - 1}) J = W^({k})ᵀ g", adjoints[f"h{k - 1}"], "propagate", k,
                chain))
    return steps


# --------------------------------------------------------------------------- numeric check

@dataclass(frozen=True)
class GradientCheck:
    """Central-difference check of every gradient entry.

    ``passed`` is True when every entry agrees, False when a checked entry disagrees, and None
    (inconclusive) when all checked entries agree but some were skipped at a kink.
    """

    passed: bool | None
    max_rel_error: float
    method: str
    tolerance: float = CHECK_TOLERANCE
    skipped: tuple[str, ...] = ()  # entries whose stencil straddles a kink

    def to_dict(self) -> dict:
        return {"passed": self.passed, "max_rel_error": self.max_rel_error,
                "method": self.method, "tolerance": self.tolerance,
                "skipped": list(self.skipped)}


def _tail(spec: MLPSpec, params: MLPParams, k: int, Z: np.ndarray):
    """Data loss for a batch of pre-activations ``Z`` at layer ``k`` (rows), plus kink sides.

    Returns ``(loss per row, sides)``; ``sides`` is a (rows, m) array of signs of every hidden
    pre-activation from layer ``k`` on relative to each of its kinks.
    """
    sides = []
    for m in range(k, spec.depth + 1):
        act = spec.activation(m)
        if m < spec.depth:
            for point in ACTIVATIONS[act].kinks:
                sides.append(np.sign(Z - point))
            H = _apply(act, Z)
            Z = H @ params.weights[m].T + params.biases[m]
    loss = _data_loss(spec, Z, _apply(spec.output, Z) if spec.loss == "mse" else None,
                      params.y)
    side = np.concatenate(sides, axis=1) if sides else np.zeros((len(Z), 0))
    return loss, side


def numeric_gradients(spec: MLPSpec, params: MLPParams, step: float = FD_STEP):
    """Five-point central differences of ``J`` for every weight and bias, vectorized.

    All perturbations of layer ``k`` form one batch: changing ``W^{(k)}_{ji}`` by ``δ`` changes
    ``z^{(k)}_j`` by ``δ h^{(k-1)}_i`` and nothing below, so each batch row starts from the
    unperturbed ``z^{(k)}`` and runs the rest of the network. Returns ``(grads, straddles)``:
    gradients by key and a boolean mask per key marking entries whose stencil crosses a kink:
    some perturbed row puts a hidden pre-activation on another side of one of its kinks (below,
    at or above) than the unperturbed point does. A unit sitting at a kink thus only blocks the
    parameters that actually move it.
    """
    fwd = forward(spec, params)
    offsets = np.array([-2.0, -1.0, 1.0, 2.0]) * step
    weights = np.array([1.0, -8.0, 8.0, -1.0]) / (12.0 * step)
    grads, straddles = {}, {}
    for k in range(1, spec.depth + 1):
        n_out, n_in = spec.layers[k], spec.layers[k - 1]
        h_prev = fwd.h[k - 1]
        # direction of each parameter in z^{(k)}: W rows first (row-major), then b
        direction = np.zeros((n_out * n_in + n_out, n_out))
        rows = np.arange(n_out * n_in)
        direction[rows, rows // n_in] = np.tile(h_prev, n_out)
        direction[n_out * n_in + np.arange(n_out), np.arange(n_out)] = 1.0
        w_flat = np.concatenate([params.weights[k - 1].reshape(-1), np.zeros(n_out)])
        is_w = np.concatenate([np.ones(n_out * n_in), np.zeros(n_out)])
        total = np.zeros(len(direction))
        crossed = np.zeros(len(direction), dtype=bool)
        _, base_side = _tail(spec, params, k, fwd.z[k - 1][None, :])
        for off, coef in zip(offsets, weights):
            values, sides = [], []
            for start in range(0, len(direction), FD_CHUNK):
                block = direction[start:start + FD_CHUNK]
                loss, side = _tail(spec, params, k, fwd.z[k - 1] + off * block)
                values.append(loss)
                sides.append(side)
            loss = np.concatenate(values)
            side = np.concatenate(sides)
            # λΩ changes by λ((w+δ)² − w²)/2 for a weight entry; biases carry no penalty
            loss = loss + spec.l2 * is_w * (w_flat * off + 0.5 * off * off)
            total += coef * loss
            crossed |= np.any(side != base_side, axis=1)
        grads[f"W{k}"] = total[:n_out * n_in].reshape(n_out, n_in)
        grads[f"b{k}"] = total[n_out * n_in:]
        straddles[f"W{k}"] = crossed[:n_out * n_in].reshape(n_out, n_in)
        straddles[f"b{k}"] = crossed[n_out * n_in:]
    return grads, straddles


def relative_error(analytic: np.ndarray, numeric: np.ndarray,
                   objective: float = 1.0) -> np.ndarray:
    """``|a − n| / max(|a|, |n|, SCALE_FLOOR · max(1, |J|))`` entrywise.

    The floor grows with the objective J because the rounding error of a finite difference
    does (about ε|J|/h): a gradient of 1e-40 next to J = 1e6 is not a measurable disagreement.
    """
    floor = SCALE_FLOOR * max(1.0, abs(float(objective)))
    scale = np.maximum(np.maximum(np.abs(analytic), np.abs(numeric)), floor)
    return np.abs(analytic - numeric) / scale


def check_gradients(spec: MLPSpec, params: MLPParams, gradients: dict[str, np.ndarray],
                    tolerance: float = CHECK_TOLERANCE) -> GradientCheck:
    """Compare ``gradients`` with :func:`numeric_gradients`; kink-straddling entries skipped.

    Any skipped entry makes an otherwise passing check inconclusive (``passed`` is None).
    """
    numeric, straddles = numeric_gradients(spec, params)
    objective = forward(spec, params).loss
    worst, skipped = 0.0, []
    for key, value in numeric.items():
        err = relative_error(gradients[key], value, objective)
        mask = straddles[key]
        for index in zip(*np.nonzero(mask)):
            skipped.append(f"{key}{list(map(int, index))}")
        if np.any(~mask):
            worst = max(worst, float(err[~mask].max()))
    method = (f"five-point central differences, h = {FD_STEP:g}, vectorized per layer; "
              f"relative error |a − n| / max(|a|, |n|, {SCALE_FLOOR:g}·max(1, |J|))")
    passed = None if skipped and worst <= tolerance else worst <= tolerance
    return GradientCheck(passed, worst, method, tolerance, tuple(skipped))


# --------------------------------------------------------------------------- result

@dataclass
class MLPResult:
    """Everything ``symgrad mlp`` reports; renderers template :attr:`steps`."""

    spec: MLPSpec
    params: MLPParams
    graph: LayerGraph
    values: dict
    adjoints: dict
    gradients: dict[str, np.ndarray]
    steps: list[MatrixStep]
    kinks: list[Kink]
    check: GradientCheck | None = None
    scalar_check: dict | None = None
    entries: list[dict] = field(default_factory=list)

    @property
    def loss(self) -> float:
        return float(self.values["J"])

    @property
    def output(self) -> np.ndarray:
        return self.values["yhat"]

    @property
    def forward_steps(self) -> list[MatrixStep]:
        return [s for s in self.steps if s.kind in ("forward", "loss")]

    @property
    def backward_steps(self) -> list[MatrixStep]:
        return [s for s in self.steps if s.kind not in ("forward", "loss")]

    def to_dict(self) -> dict:
        """JSON-ready: ``loss``, ``output``, ``gradients``, ``check`` plus details."""
        return {
            "spec": self.spec.to_dict(),
            "loss": self.loss,
            "data_loss": float(self.values["L"]),
            "output": self.output.tolist(),
            "gradients": {key: value.tolist() for key, value in self.gradients.items()},
            "check": self.check.to_dict() if self.check else None,
            "scalar_check": self.scalar_check,
            "kinks": [kink.to_dict() for kink in self.kinks],
            "forward": {s.label: np.asarray(s.value).tolist() for s in self.forward_steps},
            "steps": [s.to_dict() for s in self.steps],
            "entries": self.entries,
            "params": self.params.to_json(),
        }

    def to_text(self, lang: str = "en") -> str:
        """Plain-text report (forward values, loss, backward steps, gradients, kinks, checks)."""
        from .render import render

        return render(self, "text", lang=lang)


def run_mlp(spec: MLPSpec, params: MLPParams, *, check: bool = True,
            scalar_check: bool | None = None, entries: Sequence[str] = ()) -> MLPResult:
    """Forward, backward, derivation steps, kink report and numeric check.

    ``scalar_check=None`` cross-checks against the scalar computational graph only when the
    network has at most :data:`SCALAR_CHECK_LIMIT` parameters; True forces it, False skips it.
    ``entries`` (e.g. ``["W2,1,3", "b1,2"]``) adds the entry-level view of those parameters.
    """
    graph = build_layer_graph(spec)
    values = evaluate(graph, params)
    adjoints = backward(graph, values)
    gradients = {}
    for k in range(1, spec.depth + 1):
        gradients[f"W{k}"] = np.asarray(adjoints[f"W{k}"], dtype=float)
        gradients[f"b{k}"] = np.asarray(adjoints[f"b{k}"], dtype=float)
    steps = _forward_steps(spec, graph, values) + _backward_steps(spec, graph, adjoints)
    result = MLPResult(spec, params, graph, values, adjoints, gradients, steps,
                       _near_kinks(spec, forward(spec, params)))
    if check:
        result.check = check_gradients(spec, params, gradients)
    if scalar_check or (scalar_check is None and spec.n_params <= SCALAR_CHECK_LIMIT):
        result.scalar_check = scalar_graph_check(result)
    result.entries = [entry_gradient(result, entry) for entry in entries]
    return result


# --------------------------------------------------------------------------- scalar graph

def _scalar_name(kind: str, k: int | None, *idx: int) -> str:
    """Leaf/node names of the scalar graph: ``w2_1_3`` is w_{13}^{(2)} (input 1 → unit 3)."""
    return f"{kind}{'' if k is None else k}_" + "_".join(map(str, idx))


def build_scalar_graph(spec: MLPSpec, seeded: bool = False):
    """The same network as a scalar computational graph, built node by node.

    Leaves: ``x_i``, ``w{k}_{i}_{j}`` (lecture's ``w_{ij}^{(k)}``, NumPy ``W{k}[j-1, i-1]``),
    ``b{k}_{j}``, ``y_j``. Named nodes: ``z{k}_{j}``, ``h{k}_{j}``, ``yhat_j``. With
    ``seeded=True`` the loss is replaced by ``Σ_j delta_j z^{(L)}_j`` where the leaves
    ``delta_j`` stand for ``∂J/∂z^{(L)}_j`` (``ŷ_j − y_j`` for the fused losses): its
    gradients are exactly ``∂J/∂θ`` (the vector chain rule), written as the lecture writes
    them. Without it the loss is built from exp, log, div, ... as a student would draw it.
    """
    from .graph import GraphBuilder

    b = GraphBuilder("t")
    n, L = spec.layers, spec.depth
    h = [b.variable(_scalar_name("x", None, i)) for i in range(1, n[0] + 1)]
    weights = []
    for k in range(1, L + 1):
        z = []
        for j in range(1, n[k] + 1):
            acc = None
            for i in range(1, n[k - 1] + 1):
                w = b.variable(_scalar_name("w", k, i, j))
                weights.append(w)
                term = b.op("mul", (w, h[i - 1]))
                acc = term if acc is None else b.op("add", (acc, term))
            z.append(b.op("add", (acc, b.variable(_scalar_name("b", k, j))),
                          label=_scalar_name("z", k, j)))
        act = spec.activation(k)
        if k == L and seeded:
            h = z
            break
        names = [_scalar_name("yhat", None, j) if k == L else _scalar_name("h", k, j)
                 for j in range(1, n[k] + 1)]
        if act == "linear":
            h = z
        elif act == "softmax":
            e = [b.op("exp", (zj,)) for zj in z]
            total = e[0]
            for ej in e[1:]:
                total = b.op("add", (total, ej))
            h = [b.op("div", (ej, total), label=name) for ej, name in zip(e, names)]
        else:
            h = [b.op(act, (zj,), label=name) for zj, name in zip(z, names)]
    ys = [b.variable(_scalar_name("y", None, j)) for j in range(1, n[L] + 1)]
    if seeded:
        terms = [b.op("mul", (b.variable(_scalar_name("delta", None, j)), h[j - 1]))
                 for j in range(1, n[L] + 1)]
    elif spec.loss == "mse":
        terms = [b.op("powc", (b.op("sub", (yj, hj)),), 2) for yj, hj in zip(ys, h)]
    elif spec.output == "softmax":
        terms = [b.op("mul", (yj, b.op("log", (hj,)))) for yj, hj in zip(ys, h)]
    else:
        one = b.constant(1)
        terms = [b.op("add", (b.op("mul", (yj, b.op("log", (hj,)))),
                              b.op("mul", (b.op("sub", (one, yj)),
                                           b.op("log", (b.op("sub", (one, hj)),))))))
                 for yj, hj in zip(ys, h)]
    total = terms[0]
    for term in terms[1:]:
        total = b.op("add", (total, term))
    if not seeded:
        total = b.op("mulc", (total,), sympy_rational(0.5) if spec.loss == "mse" else -1,
                     label="L")
    if spec.l2:
        squares = [b.op("powc", (w,), 2) for w in weights]
        omega = squares[0]
        for sq in squares[1:]:
            omega = b.op("add", (omega, sq))
        total = b.op("add", (total, b.op("mulc", (omega,), sympy_rational(spec.l2 / 2))),
                     label="J")
    return b.finish(total)


def sympy_rational(value: float):
    """The exact decimal a float was written as (0.1 → 1/10), for graph constants."""
    import sympy

    return sympy.Rational(repr(float(value)))


def _scalar_leaf_values(spec: MLPSpec, params: MLPParams, delta=None) -> dict[str, float]:
    values = {}
    for i, v in enumerate(params.x, 1):
        values[_scalar_name("x", None, i)] = float(v)
    for j, v in enumerate(params.y, 1):
        values[_scalar_name("y", None, j)] = float(v)
    for k, (w, bias) in enumerate(zip(params.weights, params.biases), 1):
        for (j, i), v in np.ndenumerate(w):
            values[_scalar_name("w", k, i + 1, j + 1)] = float(v)
        for j, v in enumerate(bias, 1):
            values[_scalar_name("b", k, j)] = float(v)
    if delta is not None:
        for j, v in enumerate(delta, 1):
            values[_scalar_name("delta", None, j)] = float(v)
    return values


def scalar_graph_check(result: MLPResult, tolerance: float = 1e-8) -> dict:
    """Cross-check every gradient against the scalar computational graph (numeric adjoints).

    The scalar graph is the whole network drawn unit by unit, loss included (softmax as exp,
    sum and divide, cross-entropy as log and multiply), run through symgrad's generic
    reverse pass. Only for nets up to :data:`SCALAR_CHECK_LIMIT` parameters by default.
    """
    from .backward import backward as scalar_backward
    from .graph import forward_values

    spec = result.spec
    graph = build_scalar_graph(spec)
    leaves = _scalar_leaf_values(spec, result.params)
    with np.errstate(all="ignore"):
        values = forward_values(graph, leaves)
        adjoint_values = scalar_backward(graph, values, symbolic=False).adjoint_values
    by_name = {node.name: adjoint_values[node.id] for node in graph.nodes if node.op == "var"}
    worst = 0.0
    for k in range(1, spec.depth + 1):
        w = np.array([[by_name[_scalar_name("w", k, i, j)]
                       for i in range(1, spec.layers[k - 1] + 1)]
                      for j in range(1, spec.layers[k] + 1)], dtype=float)
        bias = np.array([by_name[_scalar_name("b", k, j)] for j in range(1, spec.layers[k] + 1)],
                        dtype=float)
        worst = max(worst, float(relative_error(result.gradients[f"W{k}"], w).max()),
                    float(relative_error(result.gradients[f"b{k}"], bias).max()))
    ok = bool(np.isfinite(worst) and worst <= tolerance)
    return {"passed": ok, "max_rel_error": worst, "tolerance": tolerance,
            "method": f"reverse pass over the scalar computational graph "
                      f"({len(graph.nodes)} nodes)"}


# --------------------------------------------------------------------------- entry-level view

def parse_entry(text: str, spec: MLPSpec) -> tuple[str, int, int, int]:
    """``"W2,1,3"`` → ``("W", 2, 1, 3)`` (∂J/∂w_{13}^{(2)}), ``"b2,3"`` → ``("b", 2, 0, 3)``."""
    parts = [p.strip() for p in str(text).split(",")]
    head = parts[0] if parts else ""
    kind, layer = head[:1].upper(), head[1:]
    want = "W<k>,i,j (input i to unit j) or b<k>,j"
    if kind not in ("W", "B") or not layer.isdigit() or not all(p.isdigit() for p in parts[1:]) \
            or len(parts) != (3 if kind == "W" else 2):
        raise SymgradError(f"entry: expected {want}, got {text!r}")
    k = int(layer)
    if not 1 <= k <= spec.depth:
        raise SymgradError(f"entry: layer {k} out of range 1..{spec.depth}")
    idx = [int(p) for p in parts[1:]]
    if kind == "W":
        i, j = idx
        if not (1 <= i <= spec.layers[k - 1] and 1 <= j <= spec.layers[k]):
            raise SymgradError(f"entry: W{k} has i in 1..{spec.layers[k - 1]} and j in "
                               f"1..{spec.layers[k]}, got i={i}, j={j}")
        return "W", k, i, j
    (j,) = idx
    if not 1 <= j <= spec.layers[k]:
        raise SymgradError(f"entry: b{k} has j in 1..{spec.layers[k]}, got {j}")
    return "b", k, 0, j


def _scalar_latex_name(name: str) -> str:
    """``w2_1_3`` → ``w^{(2)}_{13}``, ``z1_4`` → ``z^{(1)}_{4}``, ``delta_2`` → ``\\delta_{2}``."""
    head, *idx = name.split("_")
    sep = "," if any(len(i) > 1 for i in idx) else ""
    sub = "{" + sep.join(idx) + "}"
    base = head.rstrip("0123456789")
    layer = head[len(base):]
    base = {"delta": r"\delta", "yhat": r"\hat{y}"}.get(base, base)
    return f"{base}^{{({layer})}}_{sub}" if layer else f"{base}_{sub}"


def entry_gradient(result: MLPResult, entry: str) -> dict:
    """``∂J/∂w_{ij}^{(k)}`` (or ``∂J/∂b_j^{(k)}``) as a scalar expression, node by node.

    Built on the seeded scalar graph (see :func:`build_scalar_graph`) with symgrad's reverse
    pass, so the expression is in node symbols, like the lecture's explicit formulas:
    ``δ_j = ∂J/∂z_j^{(L)}`` (``ŷ_j − y_j`` for softmax/sigmoid with cross-entropy),
    ``z``, ``h`` and ``w`` entries, and ``𝟙[z > 0]`` for ReLU gates. Index convention: ``i`` is
    the input unit (layer k−1), ``j`` the unit of layer k; the value is ``W{k}[j-1, i-1]``.
    """
    import sympy

    from .backward import backward as scalar_backward
    from .graph import forward_values
    from .ops import sympy_function

    spec = result.spec
    kind, k, i, j = parse_entry(entry, spec)
    if spec.n_params > ENTRY_LIMIT:
        raise SymgradError(f"entry: the entry-level view is limited to networks of at most "
                           f"{ENTRY_LIMIT} parameters (this one has {spec.n_params})")
    graph = build_scalar_graph(spec, seeded=True)
    name = _scalar_name("w", k, i, j) if kind == "W" else _scalar_name("b", k, j)
    var = graph.var_node(name)
    grad = scalar_backward(graph, None, symbolic=True).adjoints[var.id]
    # readable: σ(z) → h, tanh(z) → h where h is that node's own symbol
    swaps = {}
    for node in graph.nodes:
        if node.op in ("sigmoid", "tanh") and node.inputs:
            z_sym = graph.nodes[node.inputs[0]].symbol
            func = sympy_function("sigmoid") if node.op == "sigmoid" else sympy.tanh
            swaps[func(z_sym)] = node.symbol
    grad = grad.xreplace(swaps) if swaps else grad
    # numeric value at the point: node values of the seeded graph, δ from the reverse pass
    leaves = _scalar_leaf_values(spec, result.params, result.adjoints[f"z{spec.depth}"])
    values = forward_values(graph, leaves)
    point = {node.symbol: sympy.Float(float(values[node.id]))
             for node in graph.nodes if node.op != "const" and node.symbol in grad.free_symbols}
    value = float(grad.xreplace(point))  # Heaviside(0.0, 0) is 0: the kink convention
    names = {node.symbol: _scalar_latex_name(node.name) for node in graph.nodes
             if node.op != "const" and not node.name.startswith("t_")}
    indicators = {}
    for hv in grad.atoms(sympy.Heaviside):
        arg = hv.args[0]
        dummy = sympy.Symbol(f"1[{arg} > 0]", real=True)
        indicators[hv] = dummy
        names[dummy] = rf"\mathbb{{1}}[{sympy.latex(arg, symbol_names=names)} > 0]"
    shown = grad.xreplace(indicators)
    latex = sympy.latex(shown, symbol_names=names)
    lhs = (rf"\frac{{\partial J}}{{\partial w^{{({k})}}_{{{i}{j}}}}}" if kind == "W" and i < 10
           and j < 10 else rf"\frac{{\partial J}}{{\partial {_scalar_latex_name(name)}}}")
    delta_note = (r"\delta_j = \hat{y}_j - y_j" if spec.fused else
                  r"\delta_j = \partial J / \partial z^{(L)}_j")
    key = f"W{k}" if kind == "W" else f"b{k}"
    matrix_value = float(result.gradients[key][(j - 1, i - 1) if kind == "W" else j - 1])
    return {"entry": entry, "param": key, "index": [j - 1, i - 1] if kind == "W" else [j - 1],
            "latex": f"{lhs} = {latex}", "expr": str(shown), "delta": delta_note,
            "value": value, "matrix_value": matrix_value,
            "text": f"∂J/∂{name} = {shown}  = {value:.6g}   ({delta_note.replace(chr(92), '')})"}
