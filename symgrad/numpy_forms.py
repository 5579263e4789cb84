"""The NumPy side of the op records: overflow-free forms, and NumPy loaded only when used.

``np`` here stands for NumPy until NumPy is first needed, so that importing the op records
(``symgrad --help`` lists the activations) loads no NumPy.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import ArrayLike, NDArray

    FloatArray = NDArray[np.float64]
    Floats = float | FloatArray  # a float64 scalar (np.float64 is a float) or array


class _LazyNumPy:
    """``np`` until NumPy is first needed: ``symgrad --help`` (which lists the activations
    of these records) loads no NumPy. The first attribute looked up imports NumPy and puts the
    real module in its place."""

    def __getattr__(self, name: str) -> Any:
        import numpy

        globals()["np"] = numpy
        value = getattr(numpy, name)
        setattr(self, name, value)  # modules that imported this stand-in look it up once
        return value


if not TYPE_CHECKING:  # the checker sees NumPy itself (imported above)
    np = _LazyNumPy()


def ufunc(name: str) -> Callable[..., Floats]:
    """NumPy's ``name`` (``np.add``, ...), looked up when first called."""

    def call(*args: ArrayLike) -> Floats:
        result: Floats = getattr(np, name)(*args)
        return result

    call.__name__ = name
    return call


def np_sigmoid(x: ArrayLike) -> Floats:
    """Overflow-free logistic sigmoid."""
    x = np.asarray(x, dtype=float)
    z = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + z), z / (1 + z))


def np_softplus(x: ArrayLike) -> Floats:
    """Overflow-free log(1 + e^x)."""
    x = np.asarray(x, dtype=float)
    return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))


def np_pow(x: ArrayLike, y: ArrayLike) -> Floats:
    """x**y in floating point."""
    return np.power(np.asarray(x, dtype=float), y)


def np_elu(x: ArrayLike) -> Floats:
    """e^x − 1 below zero, x above."""
    x = np.asarray(x, dtype=float)
    return np.where(x > 0, x, np.expm1(np.minimum(x, 0.0)))


def np_step(x: ArrayLike, below: float = 0.0) -> Floats:
    """1 where x > 0, else ``below`` (the derivative at a kink is the left one)."""
    return np.where(np.asarray(x, dtype=float) > 0, 1.0, below)


def np_swish_derivative(z: ArrayLike, h: Floats) -> Floats:
    """The derivative of x·σ(x) from z and h = swish(z)."""
    s = np_sigmoid(z)
    return s + h * (1.0 - s)
