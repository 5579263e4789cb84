"""symgrad: derive, check and explain backpropagation step by step.

>>> import symgrad
>>> d = symgrad.derive("(x+y)*z", at="x=-2,y=5,z=-4")
>>> d.gradients["z"].value
3.0
"""

__all__ = ["derive", "Derivation", "SymgradError", "ParseError"]

from .errors import ParseError, SymgradError


def __getattr__(name: str) -> object:  # lazy: `symgrad --help` must not load SymPy
    if name == "__version__":  # read when asked: importlib.metadata costs 25 ms at start-up
        from importlib.metadata import PackageNotFoundError, version

        try:  # the one place the number lives is pyproject.toml; installed metadata carries it
            return version("symgrad")
        except PackageNotFoundError:  # a source tree that was never installed
            return "0+unknown"
    if name in ("derive", "Derivation"):
        from . import derivation, render  # noqa: F401  (render: a Derivation's notebook display)

        return getattr(derivation, name)
    raise AttributeError(f"module 'symgrad' has no attribute {name!r}")
