"""symgrad.schema: the TypedDicts of the JSON that ``derive`` and the checks print are what
they print (walked against real output), and the walk itself finds each kind of mismatch."""

from __future__ import annotations

import json
import types
from typing import TypedDict, Union, get_args, get_origin, get_type_hints, is_typeddict

from symgrad.derivation import derive
from symgrad.render import render
from symgrad.schema import CheckJSON, DerivationJSON


def schema_mismatches(value: object, hint: object, where: str = "$") -> list[str]:
    """Where JSON-like ``value`` differs from the type ``hint`` (a TypedDict, list, dict,
    union or scalar): missing or extra keys, and values of the wrong kind."""
    if is_typeddict(hint):
        if not isinstance(value, dict):
            return [f"{where}: {type(value).__name__}, not an object"]
        hints = get_type_hints(hint)
        found = (
            []
            if set(value) == set(hints)
            else [f"{where}: keys {sorted(value)} != {sorted(hints)}"]
        )
        for key in [k for k in hints if k in value]:  # the TypedDict's order, not a set's
            found += schema_mismatches(value[key], hints[key], f"{where}.{key}")
        return found
    origin, args = get_origin(hint), get_args(hint)
    if origin in (Union, types.UnionType):
        if value is None and type(None) in args:
            return []
        tries = [schema_mismatches(value, a, where) for a in args if a is not type(None)]
        return [] if any(not t for t in tries) else tries[0]
    if origin is list:
        if not isinstance(value, list):
            return [f"{where}: {type(value).__name__}, not a list"]
        return [
            m for i, v in enumerate(value) for m in schema_mismatches(v, args[0], f"{where}[{i}]")
        ]
    if origin is dict:
        if not isinstance(value, dict):
            return [f"{where}: {type(value).__name__}, not an object"]
        return [
            m for k, v in value.items() for m in schema_mismatches(v, args[1], f"{where}[{k!r}]")
        ]
    kinds = {float: (int, float), int: (int,), str: (str,), bool: (bool,)}[hint]
    ok = isinstance(value, kinds) and (hint is bool or not isinstance(value, bool))
    return [] if ok else [f"{where}: {value!r} is not {hint.__name__}"]


def test_the_json_schema_is_what_derive_prints():
    """symgrad.schema's TypedDicts against real output: a derivation at a point (with its
    check, a fork, a constant and a kink) and one without a point."""
    at_point = derive("relu(x)*y + max(x, y) + 3", at="x=0,y=2")
    assert at_point.check is not None and at_point.check.kinks  # a row's reason, None values
    for d in (at_point, derive("x*y + exp(x)")):
        assert schema_mismatches(d.to_dict(), DerivationJSON) == []
        assert schema_mismatches(json.loads(render(d, "json")), DerivationJSON) == []


class _Inner(TypedDict):
    n: float
    tag: str | None


class _Outer(TypedDict):
    items: list[_Inner]
    by_name: dict[str, _Inner]
    flag: bool


def test_the_schema_check_finds_missing_extra_and_wrong_values():
    good = {
        "items": [{"n": 1, "tag": None}],
        "by_name": {"a": {"n": 2.5, "tag": "t"}},
        "flag": True,
    }
    assert schema_mismatches(good, _Outer) == []
    assert schema_mismatches({**good, "extra": 1}, _Outer) != []
    assert schema_mismatches({"items": [], "by_name": {}}, _Outer) != []
    assert schema_mismatches({**good, "items": [{"n": "1", "tag": None}]}, _Outer) == [
        "$.items[0].n: '1' is not float"
    ]
    assert schema_mismatches({**good, "flag": 1}, _Outer) == ["$.flag: 1 is not bool"]
    assert schema_mismatches({**good, "by_name": {"a": {"n": True, "tag": 3}}}, _Outer) == [
        "$.by_name['a'].n: True is not float",
        "$.by_name['a'].tag: 3 is not str",
    ]


def test_a_failed_check_report_matches_its_schema():
    """A report with a failed row (a wrong gradient) has every key, numbers where decided."""
    from symgrad.check import check_graph
    from symgrad.graph import build_graph
    from symgrad.parse import parse

    graph = build_graph(parse("x*y"))
    report = check_graph(graph, {"x": 2.0, "y": 3.0}, {"x": 3.0, "y": 99.0})
    assert report.passed is False
    assert schema_mismatches(report.to_dict(), CheckJSON) == []
