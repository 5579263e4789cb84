"""One module per result kind: each turns a result into the plain, formatted dict its
templates lay out (``context``) and, for JSON, into plain data (``data``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import TypeAlias

    from ...derivation import Derivation
    from ...grading.diagnose import Diagnosis
    from ...jacobian import VectorChainRule
    from ...mlp.result import MLPResult

    Result: TypeAlias = Derivation | MLPResult | VectorChainRule | Diagnosis
    """Every kind of result :func:`symgrad.render.render` shows."""
