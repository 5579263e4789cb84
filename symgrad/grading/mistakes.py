"""The one table of named backpropagation mistakes, and the detectors that recognise them.

A :class:`Mistake` is what a wrong answer is diagnosed as: a stable ``name``, a short
``label`` shown to people, the ``credit`` (percent of a blank's marks) a homework
alternative of that kind earns, and a one-sentence ``hint``. Exercise kinds offer these as
Moodle partial-credit alternatives; ``symgrad check`` and ``symgrad grade`` name them.

:func:`classify` tells which mistake explains a wrong number. Detectors are tried in the
order of :data:`ORDER`, and the first that explains the answer wins:

1. ``rounding``: the answer is right to about 3 significant figures. Tried first because a
   number that close to the right one is far likelier rounded than wrong by a rule that
   happens to land near the answer (an upstream factor of 1.004 would otherwise be "missing").
2. ``sign_flip``: needs no context, and −answer is the commonest slip of all.
3. ``value_not_derivative``, ``missed_branch``, ``missing_upstream``: each replays one
   broken chain-rule step from the numbers the context gives, most specific first (the
   activation's value and a branch's share are rarer coincidences than the local factor).
4. ``no_regularization``, ``bias_regularized``: the L2 bookkeeping of a loss.
5. ``wrong_local``: the widest net (upstream times some other candidate factor), so last.

>>> classify(-0.2, 0.2, 1e-4)
'sign_flip'
>>> classify(0.2, 0.2, 1e-4) is None
True
>>> classify(0.2011, 0.2, 1e-4)
'rounding'
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from itertools import combinations

ROUNDING_RELATIVE = 0.01  # within 1 % of the answer (and outside tol): rounded, not wrong
MAX_BRANCHES = 12  # partial sums are tried over at most this many branches (2^12 subsets)


@dataclass(frozen=True)
class Mistake:
    """A named mistake: ``label`` and ``hint`` map a language ("en", "zh") to text."""

    name: str
    label: dict
    credit: int
    hint: dict


def _mistake(name: str, credit: int, label: tuple[str, str], hint: tuple[str, str]) -> Mistake:
    return Mistake(name, {"en": label[0], "zh": label[1]}, credit, {"en": hint[0], "zh": hint[1]})


MISTAKES: dict[str, Mistake] = {
    m.name: m
    for m in (
        _mistake("sign_flip", 50, ("sign", "符号"), ("Check the sign.", "请检查符号。")),
        _mistake(
            "missing_upstream",
            50,
            ("missing upstream factor", "漏乘上游梯度"),
            (
                "You used the local gradient alone: multiply by the upstream gradient "
                "(chain rule).",
                "只用了局部梯度：还要乘以上游梯度（链式法则）。",
            ),
        ),
        _mistake(
            "value_not_derivative",
            25,
            ("value for derivative (σ for σ′)", "用函数值代替导数"),
            (
                "You used the activation's value where its derivative belongs "
                "(for example σ instead of σ′ = σ(1 − σ)).",
                "把激活函数的值当成了导数（例如用了 σ 而不是 σ′ = σ(1 − σ)）。",
            ),
        ),
        _mistake(
            "missed_branch",
            50,
            ("forgotten fork sum", "漏加分支"),
            (
                "The variable is used more than once: add the gradients of all branches.",
                "该变量被多次使用：要把所有分支的梯度相加。",
            ),
        ),
        _mistake(
            "no_regularization",
            50,
            ("L2 term missing", "漏掉正则项"),
            ("You forgot the L2 term λw in the gradient.", "梯度中漏掉了 L2 正则项 λw。"),
        ),
        _mistake(
            "bias_regularized",
            50,
            ("bias regularized", "偏置被正则化"),
            (
                "The L2 penalty covers the weights only, not the bias.",
                "L2 正则只作用于权重，不作用于偏置。",
            ),
        ),
        _mistake(
            "wrong_local",
            25,
            ("wrong local derivative", "局部导数错误"),
            (
                "The upstream gradient is right, but the local derivative of this step is not: "
                "differentiate the node's operation again.",
                "上游梯度正确，但这一步的局部导数不对：请重新对该节点的运算求导。",
            ),
        ),
        _mistake(
            "rounding",
            75,
            ("rounding", "舍入"),
            (
                "Close, but rounded too early or too coarsely: carry 4 significant figures.",
                "很接近，但舍入过早或过粗：请保留 4 位有效数字。",
            ),
        ),
    )
}


def near(given: float, predicted: float, expected: float, tol: float) -> bool:
    """``given`` within ``tol`` of ``predicted``, the tolerance scaled up with |predicted|.

    ``tol`` is absolute for ``expected``; a predicted wrong value ten times larger gets ten
    times the tolerance, so a 4-significant-figure wrong answer still matches its prediction.
    """
    scale = max(1.0, abs(predicted) / abs(expected)) if expected else 1.0
    return abs(given - predicted) <= tol * scale


def _rounding(given, expected, tol, ctx):
    band = ctx.get("rounding_band", ROUNDING_RELATIVE * abs(expected))
    return tol < abs(given - expected) <= band


def _sign(given, expected, tol, ctx):
    return near(given, -expected, expected, tol)


def _value_for_derivative(given, expected, tol, ctx):
    value = ctx.get("value")
    if value is None:
        return False
    upstream = ctx.get("upstream", 1.0)
    return near(given, upstream * value, expected, tol)


def _branch(given, expected, tol, ctx):
    branches = list(ctx.get("branches") or ())[:MAX_BRANCHES]
    for size in range(1, len(branches)):
        for subset in combinations(branches, size):
            if near(given, sum(subset), expected, tol):
                return True
    return False


def _upstream(given, expected, tol, ctx):
    local = ctx.get("local")
    return local is not None and near(given, local, expected, tol)


def _no_regularization(given, expected, tol, ctx):
    term = ctx.get("l2_term")
    return bool(term) and near(given, expected - term, expected, tol)


def _bias_regularized(given, expected, tol, ctx):
    term = ctx.get("bias_l2_term")
    return bool(term) and near(given, expected + term, expected, tol)


def _wrong_local(given, expected, tol, ctx):
    upstream, local = ctx.get("upstream"), ctx.get("local")
    if upstream is None:
        return False
    for factor in ctx.get("wrong_locals") or ():
        if local is not None and near(upstream * factor, upstream * local, expected, tol):
            continue  # the same as the true local derivative: not a mistake
        if near(given, upstream * factor, expected, tol):
            return True
    return False


Detector = Callable[[float, float, float, dict], bool]
DETECTORS: dict[str, Detector] = {
    "rounding": _rounding,
    "sign_flip": _sign,
    "value_not_derivative": _value_for_derivative,
    "missed_branch": _branch,
    "missing_upstream": _upstream,
    "no_regularization": _no_regularization,
    "bias_regularized": _bias_regularized,
    "wrong_local": _wrong_local,
}
ORDER: tuple[str, ...] = tuple(DETECTORS)


def classify(given: float, expected: float, tol: float, **context: object) -> str | None:
    """The name of the first mistake (in :data:`ORDER`) that explains ``given``, else None.

    ``tol`` is the absolute tolerance of ``expected``; a ``given`` within it is right (None).
    ``context`` holds what the detectors replay, all optional:

    - ``upstream``: the gradient arriving from above; ``local``: the true local derivative;
    - ``value``: an activation's value where its derivative belongs (σ for σ′), times
      ``upstream`` when that is given;
    - ``branches``: each branch's contribution at a fork (a subset's sum is a forgotten one);
    - ``l2_term``: λw, missing from a weight's gradient; ``bias_l2_term``: λb, wrongly added
      to a bias's gradient;
    - ``wrong_locals``: local factors a learner may take instead of the true one (the other
      operand of a product, the node's own value, 1, ...), each times ``upstream``;
    - ``rounding_band``: absolute band for "rounding" (default 1 % of ``expected``).

    >>> classify(0.5, 0.25, 1e-4, upstream=0.5, local=0.5)
    'missing_upstream'
    >>> classify(3.0, 5.0, 1e-3, branches=[3.0, 2.0])
    'missed_branch'
    """
    if not _finite(given, expected, tol) or abs(given - expected) <= tol:
        return None
    for name in ORDER:
        if DETECTORS[name](given, expected, tol, context):
            return name
    return None


def _finite(*numbers: float) -> bool:
    return all(isinstance(x, (int, float)) and x == x and abs(x) != float("inf") for x in numbers)
