"""A network's numbers as a teacher writes them: a ``--params`` JSON file or a mapping, for
one example (``x``, ``y``) or a mini-batch of ``m`` examples (``X``, ``Y`` or ``labels``).

A batch file holds ``W1, b1, ..., Wl, bl`` as for one example, plus

* ``X``: n_0 rows (one per input unit) and m columns (one per example), the lecture's
  layout; a 1-input network may give the m inputs as a flat list;
* ``Y``: n_l rows and m columns, each column the target of its example (one-hot for a
  softmax output with cross-entropy); a 1-output network may give a flat list of m targets;
* or, instead of ``Y``, ``labels``: the class of each example, numbered 1..n_l as the
  output units ŷ_1, ..., ŷ_{n_l} are (softmax output only); symgrad makes the one-hot Y.

>>> from symgrad.mlp.spec import make_spec
>>> spec = make_spec("2,2")
>>> data = {"W1": [[1, 0], [0, 1]], "b1": [0, 0], "X": [[1, 2, 3], [4, 5, 6]], "labels": [1, 2, 2]}
>>> params_from_dict(spec, data).y.tolist()
[[1.0, 0.0, 0.0], [0.0, 1.0, 1.0]]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import SymgradError
from ..reading import read_text
from . import spec as single
from .spec import MAX_BATCH, MAX_PARAMS_BYTES, MLPParams, MLPSpec

BATCH_KEYS = ("X", "Y", "labels")


def params_from_dict(spec: MLPSpec, data: Any, batch: int | None = None) -> MLPParams:
    """Validate a parameter mapping (nested lists, as in a ``--params`` file): one example
    (keys ``x``, ``y``) or a mini-batch (``X`` with ``Y`` or ``labels``). ``batch`` is the
    number of examples the caller asked for (``--batch``): a batch file must hold as many."""
    if isinstance(data, dict) and any(key in data for key in BATCH_KEYS):
        return _batch_from_dict(spec, data, batch)
    if batch is not None:
        raise SymgradError(
            f"params: --batch {batch} needs X (n_0 × m) and Y (or labels) in the file, not x and y"
        )
    return single.params_from_dict(spec, data)


def _columns(key: str, value: Any, rows: int) -> tuple[int, int]:
    """The shape ``(rows, m)`` a batch array ``key`` has, or one clear error."""
    if not isinstance(value, list):
        raise SymgradError(
            f"{key}: expected a nested list with {rows} rows and one column per example, "
            f"got {type(value).__name__}"
        )
    shape = single._nested_shape(key, value)
    if len(shape) == 1 and rows == 1:  # one unit: a flat list of the m examples' values
        shape = (1, shape[0])
    if len(shape) != 2:
        raise SymgradError(
            f"{key}: expected {rows} rows (one per unit) and one column per example, "
            f"got shape {shape}"
        )
    if shape[0] != rows:
        hint = "; it looks like one example per row: transpose it" if shape[1] == rows else ""
        raise SymgradError(
            f"{key}: expected {rows} rows (one per unit) and one column per example, "
            f"got shape {shape}{hint}"
        )
    if shape[1] == 0:
        raise SymgradError(f"{key}: a batch needs at least one example (m ≥ 1), got 0 columns")
    if shape[1] > MAX_BATCH:
        raise SymgradError(f"{key}: {shape[1]} examples; the limit is m = {MAX_BATCH}")
    return shape


def _batch_from_dict(spec: MLPSpec, data: dict[str, Any], batch: int | None) -> MLPParams:
    """The batch form of :func:`params_from_dict`."""
    for key in ("x", "y"):
        if key in data:
            raise SymgradError(
                f"{key}: a batch file gives X and Y (or labels), not {key}: "
                "use one form or the other"
            )
    if "X" not in data:
        raise SymgradError(
            f"X: missing key (expected {spec.layers[0]} rows, one column per example)"
        )
    if ("Y" in data) == ("labels" in data):
        raise SymgradError("Y: give exactly one of Y (targets as columns) and labels (classes)")
    n_in, n_out = spec.layers[0], spec.layers[-1]
    m = _columns("X", data["X"], n_in)[1]
    if batch is not None and m != batch:
        raise SymgradError(f"X: {m} columns (examples), but --batch asks for {batch}")
    if "labels" in data:
        y = _labels(spec, data["labels"], m)
    else:
        m_y = _columns("Y", data["Y"], n_out)[1]
        if m_y != m:
            raise SymgradError(f"Y: {m_y} columns (examples), but X has {m}")
        y = single._to_array("Y", _as_rows(data["Y"], n_out), (n_out, m))
    shapes = spec.shapes(m)
    keep = {key: value for key, value in data.items() if key not in ("X", "Y", "labels")}
    extra = sorted(set(keep) - set(shapes))
    if extra:
        raise SymgradError(
            f"{extra[0]}: unexpected key for a {spec.depth}-layer network "
            f"(expected {', '.join(shapes)} or labels)"
        )
    arrays = {}
    for key, shape in shapes.items():
        if key in ("X", "Y"):
            continue
        if key not in keep:
            raise SymgradError(f"{key}: missing key (expected shape {shape})")
        arrays[key] = single._to_array(key, keep[key], shape)
    x = single._to_array("X", _as_rows(data["X"], n_in), (n_in, m))
    for i in range(m):
        _check_column(spec, y[:, i], i)
    return MLPParams(
        tuple(arrays[f"W{k}"] for k in range(1, spec.depth + 1)),
        tuple(arrays[f"b{k}"] for k in range(1, spec.depth + 1)),
        x,
        y,
    )


def _as_rows(value: list[Any], rows: int) -> list[Any]:
    """A flat list of m values (one unit) as the one-row nested list."""
    return [value] if rows == 1 and value and not isinstance(value[0], list) else value


def _labels(spec: MLPSpec, labels: Any, m: int) -> np.ndarray:
    """One-hot ``Y`` (n_l × m) from class numbers 1..n_l."""
    n_out = spec.layers[-1]
    if spec.output != "softmax":
        raise SymgradError(
            f"labels: class labels need a softmax output (this one is {spec.output}); "
            "give the targets as Y"
        )
    if not isinstance(labels, list):
        raise SymgradError(
            f"labels: expected a list of m class numbers, got {type(labels).__name__}"
        )
    if len(labels) != m:
        raise SymgradError(f"labels: {len(labels)} labels, but X has {m} columns (examples)")
    y = np.zeros((n_out, m))
    for i, label in enumerate(labels):
        if isinstance(label, bool) or not isinstance(label, int) or not 1 <= label <= n_out:
            raise SymgradError(
                f"labels[{i}]: expected a class number from 1 to {n_out} "
                f"(ŷ_1 … ŷ_{n_out}), got {label!r}"
            )
        y[label - 1, i] = 1.0
    return y


def _check_column(spec: MLPSpec, y: np.ndarray, i: int) -> None:
    """:func:`symgrad.mlp.spec._check_target` for column ``i`` of Y, named as such."""
    try:
        single._check_target(spec, y)
    except SymgradError as err:
        raise SymgradError(f"Y column {i + 1} (example {i + 1}): {str(err)[3:]}") from None


class _DuplicateKey(Exception):
    pass


def _unique_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
    """``object_pairs_hook`` for :func:`json.loads`: a repeated key is an error, not "last wins"."""
    out: dict[str, object] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKey(key)
        out[key] = value
    return out


def load_params(spec: MLPSpec, path: str | Path, batch: int | None = None) -> MLPParams:
    """Read and validate a ``--params`` JSON file (UTF-8, with or without a BOM): one example
    or a mini-batch (see the module docstring); ``batch`` as in :func:`params_from_dict`."""
    text = read_text(path, MAX_PARAMS_BYTES, "params")
    try:
        data = json.loads(text, object_pairs_hook=_unique_keys)
    except json.JSONDecodeError as err:
        raise SymgradError(
            f"params: {path} is not valid JSON (line {err.lineno}, column {err.colno}: {err.msg})"
        ) from None
    except _DuplicateKey as err:
        raise SymgradError(f"params: duplicate key {err.args[0]} in {path}") from None
    except RecursionError:
        raise SymgradError(f"params: {path} is nested too deeply") from None
    except ValueError:  # json refuses integers of more than sys.get_int_max_str_digits()
        raise SymgradError(
            f"params: {path} has an integer of more than "
            f"{sys.get_int_max_str_digits()} digits; numbers must have "
            f"magnitude at most {single.MAX_ABS_VALUE:g}"
        ) from None
    return params_from_dict(spec, data, batch)
