"""Expression-tree rewriting: the walks every module shares and the two rewrites a
granularity applies, both read from the op records.

* :func:`lower` writes a composite op in the lecture's primitives (``sigmoid(z)`` becomes
  ``1/(exp(-z)+1)``), for ``--granularity primitive``;
* :func:`fuse` turns a written pattern into one gate (``1/(1+exp(-z))`` becomes
  ``sigmoid(z)``), for ``--granularity gate``.

Walks are iterative and visit a shared sub-tree once: deep expressions cannot overflow the
stack, and repeated sub-expressions are rewritten once.

>>> from symgrad.parse import parse
>>> rewrite(parse("1/(1+exp(-z))"), fuse).op
'sigmoid'
>>> [e.op for e in walk(rewrite(parse("sigmoid(z)"), lower))]
['const', 'var', 'neg', 'exp', 'const', 'add', 'div']
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import cache

from . import ops
from .parse import Expr, const


def walk(root: Expr) -> Iterator[Expr]:
    """Post-order over the distinct sub-expressions of ``root``, without recursion."""
    seen: set[int] = set()
    stack = [(root, False)]
    while stack:
        e, expanded = stack.pop()
        if expanded:
            yield e
            continue
        if id(e) in seen:
            continue
        seen.add(id(e))
        stack.append((e, True))
        stack.extend((a, False) for a in reversed(e.args) if id(a) not in seen)


def rewrite(root: Expr, rule: Callable[[Expr], Expr]) -> Expr:
    """Apply ``rule`` bottom-up to every sub-expression of ``root``."""
    done: dict[int, Expr] = {}
    for e in walk(root):
        args = tuple(done[id(a)] for a in e.args)
        new = (
            e
            if args == e.args and all(a is b for a, b in zip(args, e.args))
            else Expr(e.op, args, e.name, e.value, e.col)
        )
        done[id(e)] = rule(new)
    return done[id(root)]


def _is(e: Expr, value) -> bool:
    return e.is_const and e.value == value


COMMUTATIVE = ("add", "mul", "max", "min")  # written either way round in a pattern


def lower(e: Expr) -> Expr:
    """Rewrite one node into the lecture's primitives (f1–f6 plus log, pow, max, ...), by its
    op record: ``lower`` writes a composite op in primitives; ``spellings`` are other ways to
    write a primitive (``x^-1`` is ``1/x``)."""
    for record in ops.OPS.values():
        for pattern in record.spellings:
            bound = match(e, _template(pattern))
            if bound is not None:
                return _fill(_template(record.sympy), bound)
    own = ops.OPS.get(e.op)
    if own is None or not own.lower:
        return e
    args = dict(zip(ops.ARGUMENTS, e.args))
    if _fill(_template(own.lower), args) == e:  # already primitive: 1/y stays 1/y
        return e
    return _fill(_lowered_template(e.op), args)


def fuse(e: Expr) -> Expr:
    """Fuse a pattern ending at this node into one gate, by the op records' ``fuses``."""
    for name, _record in ops.OPS.items():
        for pattern in _fused_patterns(name):
            bound = match(e, pattern)
            if bound is not None and set(bound) == {"x"}:
                return Expr(name, (bound["x"],), col=e.col)
    return e


@cache
def _template(text: str) -> Expr:
    """A record's formula, parsed as an expression over the placeholders x and y."""
    from .parse import parse

    return parse(text)


@cache
def _lowered_template(name: str) -> Expr:
    """Op ``name``'s lowering, itself lowered all the way (swish → x·σ(x) → x/(e^(−x)+1))."""
    return rewrite(_template(ops.get(name).lower), lower)


@cache
def _fused_patterns(name: str) -> tuple[Expr, ...]:
    """Op ``name``'s patterns with the other ops' patterns already fused: fusion runs bottom
    up, so by the time a node is seen its inputs are gates (elu's max(0, x) is a relu)."""
    others = [other for other in ops.OPS if other != name]
    return tuple(
        rewrite(_template(p), lambda e: _fuse_with(e, others)) for p in ops.get(name).fuses
    )


def _fuse_with(e: Expr, names: list[str]) -> Expr:
    """``e`` fused by the written patterns of ops ``names`` (one level: enough for patterns
    built from other gates' patterns)."""
    for name in names:
        for pattern in map(_template, ops.get(name).fuses):
            bound = match(e, pattern)
            if bound is not None and set(bound) == {"x"}:
                return Expr(name, (bound["x"],), col=e.col)
    return e


def match(e: Expr, pattern: Expr, bound: dict | None = None) -> dict | None:
    """The placeholders of ``pattern`` (x, y) bound to sub-expressions of ``e``, or None.

    Constants must be equal; a placeholder used twice must be bound to equal sub-trees;
    add, mul, max and min match either way round.
    """
    bound = {} if bound is None else bound
    if pattern.op == "var":
        if pattern.name in bound:
            return bound if bound[pattern.name] == e else None
        return {**bound, pattern.name: e}
    if pattern.is_const:
        return bound if e.is_const and e.value == pattern.value else None
    if e.op != pattern.op or len(e.args) != len(pattern.args):
        return None
    orders = [e.args]
    if e.op in COMMUTATIVE:
        orders.append(e.args[::-1])
    for args in orders:
        result: dict | None = bound
        for a, p in zip(args, pattern.args):
            result = match(a, p, result)
            if result is None:
                break
        if result is not None:
            return result
    return None


def _fill(template: Expr, bound: dict) -> Expr:
    """``template`` with its placeholders replaced, folding operations on constants only
    (x − 3 lowered is x + (−3), not x + neg(3)) and 1·e to e."""
    done: dict[int, Expr] = {}
    for t in walk(template):
        if t.op == "var":
            done[id(t)] = bound.get(t.name, t)
            continue
        args = tuple(done[id(a)] for a in t.args)
        if args and all(a.is_const for a in args):
            done[id(t)] = const(ops.get(t.op).forward(*(a.value for a in args)))
        elif t.op == "mul" and _is(args[0], 1):
            done[id(t)] = args[1]
        else:
            done[id(t)] = Expr(t.op, args, t.name, t.value)
    return done[id(template)]
