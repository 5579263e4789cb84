"""symgrad: derive, check and explain backpropagation step by step.

>>> import symgrad
>>> d = symgrad.derive("(x+y)*z", at="x=-2,y=5,z=-4")
>>> d.gradients["z"].value
3.0
"""

from importlib.metadata import PackageNotFoundError, version

try:  # the one place the number lives is pyproject.toml; installed metadata carries it here
    __version__ = version("symgrad")
except PackageNotFoundError:  # a source tree that was never installed
    __version__ = "0+unknown"

__all__ = ["derive", "Derivation", "SymgradError", "ParseError"]

from .errors import ParseError, SymgradError


def __getattr__(name):  # lazy: `import symgrad` (and `symgrad --help`) must not load SymPy
    if name in ("derive", "Derivation"):
        from . import derivation, render  # noqa: F401  (render: a Derivation's notebook display)

        return getattr(derivation, name)
    raise AttributeError(f"module 'symgrad' has no attribute {name!r}")
