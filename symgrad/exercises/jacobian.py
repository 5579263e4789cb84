"""Kind ``jacobian``: the vector chain rule ∇ₓz = (∂y/∂x)ᵀ ∇_y z.

``y = g(x)`` maps ℝᵐ to ℝⁿ, ``z = f(y)`` is a scalar. Random systems (n = 2): easy
``y = W x`` and ``z = y₁ y₂``; medium (m = 2) and hard (m = 3) nonlinear components such as
``y₁ = a x₁ x₂``, whose Jacobian entries the student derives. The functions come from the
``structure`` generator (one draw), the point from ``rng``; a spec may pin ``y`` and ``z``
(and ``x``, ``at``). Every version asks the same blanks (easy: y, ∇_y z, ∇ₓz; otherwise
∇_y z, the Jacobian and ∇ₓz), and none is 0 or ±1. Every number comes from
:func:`symgrad.jacobian.vector_chain_rule` (a reverse pass per ``y_j`` for its Jacobian row,
one over ``z`` for ∇_y z, and one over the composite ``z(x)`` that checks ∇ₓz).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from ..errors import SymgradError
from .base import (
    Answer,
    Exercise,
    Kind,
    Rejected,
    add_alternatives,
    clean,
    clean_draws_common,
    grid,
    num,
    rejection,
)
from .chain import numbers_at
from .fair import make_fair, near_guess
from .jacobian_text import TITLE, prompt_text, solution_text
from .pin_values import refuse, text, texts

if TYPE_CHECKING:
    from numpy.random import Generator

# Component templates: {a}, {b}, {c} are coefficients; x1..x3 the inputs.
FORMS = {
    2: (
        "{a}*x1*x2",
        "{a}*x1 + {b}*x2^2",
        "{a}*x1^2 + {b}*x2",
        "{a}*x1*x2 + {b}*x2",
        "{a}*x1 + {b}*x1*x2",
    ),
    3: (
        "{a}*x1*x2 + {b}*x3",
        "{a}*x1 + {b}*x2*x3",
        "{a}*x1*x3 + {b}*x2^2",
        "{a}*x1^2 + {b}*x2 + {c}*x3",
        "{a}*x2 + {b}*x1*x3",
    ),
}
OUTER = ("y1*y2", "y1^2 + {a}*y2", "{a}*y1 + y2^2")
COEFFICIENTS = (-3, -2, 2, 3)  # never ±1: a constant Jacobian entry must not be a guess
RANGE = 3  # inputs lie in [-RANGE, RANGE]: integers when easy, halves otherwise
MAX_OUTPUTS = 3  # pinned systems, worked by hand
MAX_INPUTS = 3
MAX_OPERATIONS = 12  # per pinned expression
MAX_GRADIENT = 200
STRUCTURE_TRIES = 500
VALIDATION_TRIES = 60
VALIDATION_HITS = 3


_SYMPY_CHECKED: set = set()  # systems whose chain rule sympy.diff has checked in this process


@dataclass(frozen=True)
class System:
    """The structure of a Jacobian exercise; ``fixed`` names blanks equal at every point."""

    ys: tuple[str, ...]
    z: str
    xs: tuple[str, ...]
    step: float
    fixed: frozenset = frozenset()


def generate(
    rng: Generator,
    difficulty: str,
    options: dict | None = None,
    structure: Generator | None = None,
) -> Exercise:
    """One vector-chain-rule exercise: the functions from ``structure``, the point from ``rng``."""
    options = options or {}
    structure = rng if structure is None else structure
    ys = tuple(options["y"]) if "y" in options else None
    xs = tuple(options["x"]) if "x" in options else None
    system = choose_system(difficulty, ys, options.get("z"), xs, int(structure.integers(2**63)))
    if "at" in options:
        return exercise_at(difficulty, system, dict(options["at"]), strict=False)

    def draw() -> Exercise:
        x = draw_point(rng, system)
        exercise_at(difficulty, system, x, final=False)  # cheap: rejects most draws
        return exercise_at(difficulty, system, x)  # the numbers, from the library

    return rejection(draw, f"jacobian {difficulty}")


def draw_point(rng: Generator, system: System) -> dict[str, float]:
    return {name: grid(rng, -RANGE, RANGE, system.step, nonzero=True) for name in system.xs}


def _numbers(system: System, x: dict, final: bool):
    """y, ∂y/∂x, ∇_y z and ∇ₓz at ``x``: from the vector chain rule (``final``), or from one
    reverse pass per component (cheap: the structures are cached) while drawing points.

    The chain rule's ∇ₓz is checked at every point against a reverse pass over the composed
    ``z(g(x))``, and that one by central differences; ``sympy.diff`` of the whole composed
    expression, the costly third opinion (2 ms of the 4 ms per exercise), is asked the
    first time a process builds an exercise of a system (:data:`_SYMPY_CHECKED`): the
    versions of a set share their system and differ only in the point."""
    if final:
        from ..jacobian import vector_chain_rule

        first = system not in _SYMPY_CHECKED
        rule = vector_chain_rule(
            list(system.ys), system.z, at=x, x=list(system.xs), sympy_check=first
        )
        if rule.check is not None and rule.check.passed is False:
            raise RuntimeError("vector chain rule disagrees with the composite derivation")
        if first:
            if len(_SYMPY_CHECKED) >= 1024:  # a long-running server: bounded
                _SYMPY_CHECKED.clear()
            _SYMPY_CHECKED.add(system)
        return (
            rule,
            np.asarray(rule.y_values, dtype=float),
            rule.jacobian_value,
            np.asarray(rule.grad_y_value, dtype=float),
            rule.grad_x_value,
        )
    n, m = len(system.ys), len(system.xs)
    y_values, J = np.zeros(n), np.zeros((n, m))
    for j, expr in enumerate(system.ys):
        y_values[j], grads = numbers_at(expr, x)
        for i, name in enumerate(system.xs):
            if name in grads:
                J[j, i] = grads[name]
    names = [f"y{j + 1}" for j in range(n)]
    _, grads = numbers_at(system.z, dict(zip(names, map(float, y_values))))
    g_y = np.array([grads.get(name, 0.0) for name in names])
    return None, y_values, J, g_y, J.T @ g_y


def exercise_at(
    difficulty: str, system: System, x: dict, strict: bool = True, final: bool = True
) -> Exercise:
    """The exercise at the point ``x``; ``strict`` rejects unclean numbers and guessable
    blanks (except ``system.fixed``); without ``final`` only the answers are built."""
    rule, y_values, J, g_y, g_x = _numbers(system, x, final)
    n, m = J.shape
    if strict and any(abs(v - float(num(v))) > 1e-12 for v in y_values):
        raise Rejected("y not exact")  # y shown rounded must equal y exactly
    answers = []
    if difficulty == "easy":
        answers += [Answer(f"y{j + 1}", f"y_{j + 1}", y_values[j]) for j in range(n)]
    answers += [
        Answer(f"dz_dy{j + 1}", rf"\partial z / \partial y_{j + 1}", g_y[j]) for j in range(n)
    ]
    if difficulty != "easy":
        answers += [
            Answer(f"J{j + 1}{i + 1}", rf"\partial y_{j + 1} / \partial x_{i + 1}", J[j, i])
            for j in range(n)
            for i in range(m)
        ]
    for i in range(m):
        answers.append(
            add_alternatives(
                Answer(f"dz_dx{i + 1}", rf"\partial z / \partial x_{i + 1}", g_x[i]),
                [
                    ("sign_flip", -g_x[i]),
                    ("missing_upstream", J[:, i].sum()),
                    ("missed_branch", J[0, i] * g_y[0]),
                ],
            )
        )
    if strict:
        for a in answers:
            if a.name not in system.fixed:
                clean(a.value, a.name)
                if near_guess(a.value, 0.1 * abs(a.value)) or abs(a.value) > MAX_GRADIENT:
                    raise Rejected(f"{a.name} is near 0 or ±1, or too large")
    data = {"y": list(system.ys), "z": system.z, "x": x}
    exercise = make_fair(
        Exercise(
            "jacobian", difficulty, TITLE, data, {}, answers, [], rule, {"kink_distance": math.inf}
        ),
        system.fixed,
        strict,
    )
    if final:
        exercise.prompt = prompt_text(system.ys, system.z, system.xs, x)
        exercise.solution = solution_text(y_values, J, g_y, g_x)
    return exercise


# --------------------------------------------------------------------------- structure


@lru_cache(maxsize=256)
def choose_system(
    difficulty: str, ys: tuple | None, z: str | None, xs: tuple | None, seed: int
) -> System:
    """The functions of an exercise, from ``seed`` alone; a random system is kept when its
    clean points are common, so every version of a set can use it."""
    private = np.random.default_rng(seed)
    step = 1.0 if difficulty == "easy" else 0.5
    if ys is not None:
        system = pinned_system(ys, z, xs, step)
        if not _clean_points_common(difficulty, system, private):
            raise SymgradError(
                f"jacobian: y = {', '.join(ys)}, z = {z}: no clean point with "
                f"inputs from {-RANGE} to {RANGE}; pin `at` as well"
            )
        return system
    for _ in range(STRUCTURE_TRIES):
        system = _random_system(private, difficulty, step)
        if _clean_points_common(difficulty, system, private):
            return system
    raise RuntimeError(f"jacobian {difficulty}: no system with clean points")


def _clean_points_common(difficulty: str, system: System, private) -> bool:
    return clean_draws_common(
        lambda: exercise_at(difficulty, system, draw_point(private, system), final=False),
        VALIDATION_TRIES,
        VALIDATION_HITS,
    )


def _coef(rng) -> int:
    return int(COEFFICIENTS[int(rng.integers(len(COEFFICIENTS)))])


def _fill(template: str, rng) -> str:
    text_ = template.format(a=_coef(rng), b=_coef(rng), c=_coef(rng)).replace("+ -", "- ")
    return re.sub(r"(?<![\w.])1\*", "", text_)  # 1*x1 -> x1, -1*x1 -> -x1


def _random_system(private, difficulty: str, step: float) -> System:
    m = 3 if difficulty == "hard" else 2
    xs = tuple(f"x{i + 1}" for i in range(m))
    if difficulty == "easy":  # y = W x (J is not asked: W is given)
        W = grid(private, -3, 3, 1.0, nonzero=True, size=2 * m).reshape(2, m)
        ys = tuple(
            _fill(" + ".join(f"{int(W[j, i])}*x{i + 1}" for i in range(m)), private)
            for j in range(2)
        )
        return System(ys, "y1*y2", xs, step)
    forms = FORMS[m]
    picks = private.choice(len(forms), size=2, replace=False)
    ys = tuple(_fill(forms[int(p)], private) for p in picks)
    return System(ys, _fill(OUTER[int(private.integers(len(OUTER)))], private), xs, step)


@lru_cache(maxsize=64)
def pinned_system(ys: tuple, z: str, xs: tuple | None, step: float = 1.0) -> System:
    """A spec's system; blanks that are the same number at every point are exempt from the
    value rules (a linear component's Jacobian entries, a zero entry)."""
    from ..jacobian import vector_chain_rule

    rule = vector_chain_rule(list(ys), z, x=None if xs is None else list(xs))
    n, m = rule.shape
    fixed = {
        f"J{j + 1}{i + 1}" for j in range(n) for i in range(m) if rule.jacobian[j, i].is_number
    }
    fixed |= {f"dz_dy{j + 1}" for j in range(n) if rule.grad_y[j].is_number}
    fixed |= {f"dz_dx{i + 1}" for i in range(m) if rule.grad_x[i].is_number}
    return System(tuple(ys), z, tuple(rule.x), step, frozenset(fixed))


# --------------------------------------------------------------------------- pins

OPTIONS_HELP = {
    "y": f'the components of y = g(x): a list such as ["x1*x2", "x2 + x3"] (at most '
    f"{MAX_OUTPUTS}; at most {MAX_INPUTS} inputs)",
    "z": "z = f(y) in y1, y2, ... (needs y)",
    "x": 'the inputs in order, e.g. ["x1", "x2"] (default: order of appearance)',
    "at": 'a fixed point, e.g. "x1=1,x2=2" (every version gets it)',
}


def check_options(raw: dict, where: str) -> dict:
    """The ``jacobian`` pins, checked: ``y`` and ``z`` together, optional ``x`` and ``at``."""
    from ..jacobian import vector_chain_rule
    from ..point import parse_assignments

    if not raw:
        return {}
    for key in ("z", "x", "at", "y"):
        if key in raw and ("y" not in raw or "z" not in raw):
            other = "z" if key == "y" else "y"
            raise refuse(where, key, f"needs {other} too (pin y and z together)")
    ys = texts(where, "y", raw["y"], MAX_OUTPUTS)
    z = text(where, "z", raw["z"])
    xs = texts(where, "x", raw["x"], MAX_INPUTS, 40) if "x" in raw else None
    try:
        rule = vector_chain_rule(ys, z, x=xs)
    except SymgradError as err:
        raise _rekeyed(err, where) from None
    if len(rule.x) > MAX_INPUTS:
        raise refuse(
            where,
            "y",
            f"{len(rule.x)} inputs ({', '.join(rule.x)}); a hand exercise has at most {MAX_INPUTS}",
        )
    _check_size(ys, z, where)
    out: dict[str, object] = {"y": ys, "z": z, "x": list(rule.x)}
    if "at" not in raw:
        try:
            choose_system("easy", tuple(ys), z, tuple(rule.x), 0)
        except SymgradError:
            raise refuse(
                where,
                "y",
                f"no clean point with integer inputs from {-RANGE} to "
                f"{RANGE} (no answer 0 or ±1 where it varies); pin `at` "
                "as well",
            ) from None
        return out
    if not isinstance(raw["at"], (str, dict)):
        raise refuse(
            where,
            "at",
            f'expected NAME=VALUE text such as "x1=1,x2=2", got {type(raw["at"]).__name__}',
        )
    point = parse_assignments(raw["at"], f"{where}.at")
    try:
        vector_chain_rule(ys, z, at=point, x=list(rule.x))
    except SymgradError as err:
        raise _rekeyed(err, where) from None
    values: dict[str, float] = {}
    for name in rule.x:
        value = float(point[name])
        if abs(value) > 1000 or float(num(value)) != value:
            raise refuse(
                where,
                "at",
                f"{name} = {point[name]} cannot be shown exactly; give a "
                "number of at most 4 significant figures, at most 1000",
            )
        values[name] = value
    out["at"] = values
    return out


def _check_size(ys: list[str], z: str, where: str) -> None:
    from ..derivation import structure

    for key, expr in [("y", e) for e in ys] + [("z", z)]:
        operations = len(structure(expr)[1].op_nodes)
        if operations > MAX_OPERATIONS:
            raise refuse(
                where,
                key,
                f"{expr!r} has {operations} operations; a hand exercise "
                f"has at most {MAX_OPERATIONS}",
            )


def _rekeyed(err: SymgradError, where: str) -> SymgradError:
    """The library's ``--y: ...`` message as ``{where}.y: ...``."""
    message = str(err)
    match = re.match(r"--(y|z|x|at)\b[:\s]*", message)
    key = match.group(1) if match else "y"
    return refuse(where, key, message[match.end() :] if match else message)


KIND = Kind(
    "jacobian",
    "vector chain rule: Jacobian of y = g(x) and ∇x z = (∂y/∂x)ᵀ ∇y z",
    generate,
    OPTIONS_HELP,
    check_options,
)
