"""The JSON objects of ``derive --format json`` and of a gradient check, as TypedDicts.

They are the CLI contract written as types: :meth:`symgrad.derivation.Derivation.to_dict`
and :meth:`symgrad.check.CheckReport.to_dict` build them, and mypy checks that every key is
there with the type it promises. Nothing here runs; importing it costs nothing.
"""

from __future__ import annotations

from typing import TypedDict


class CheckRowJSON(TypedDict):
    """One checked quantity (a :class:`symgrad.check.CheckRow`)."""

    name: str
    analytic: float
    numeric: float | None
    rel_error: float | None
    status: str  # 'pass', 'fail' or 'inconclusive'
    reason: str
    symbolic: float | None
    symbolic_rel_error: float | None


class CheckJSON(TypedDict):
    """A gradient check's report."""

    passed: bool | None
    max_rel_error: float | None
    tolerance: float
    method: str
    kinks: list[str]
    inconclusive: list[str]
    rows: list[CheckRowJSON]


class LocalJSON(TypedDict):
    """One local derivative of a node with respect to one of its inputs."""

    input: str
    expr: str | None
    value: float | None


class NodeJSON(TypedDict):
    """One node of the computational graph."""

    id: str
    op: str
    inputs: list[str]
    const: str | None
    expr: str
    value: float | None
    grad: float | None
    grad_expr: str | None
    local: list[LocalJSON]


class GradientJSON(TypedDict):
    """∂f/∂v for one variable: in the variables, in node symbols, at the point."""

    expr: str | None
    latex: str | None
    node_expr: str | None
    value: float | None


class DerivationJSON(TypedDict):
    """``symgrad derive --format json``."""

    expression: str
    granularity: str
    variables: list[str]
    wrt: list[str]
    point: dict[str, float] | None
    value: float | None
    function: str | None
    gradient: dict[str, GradientJSON]
    nodes: list[NodeJSON]
    check: CheckJSON | None
