"""One ``graph`` exercise at a given point of a circuit (a :class:`.circuit_shapes.Circuit`):
the blanks (f and ∂f/∂v for every input v), their mistakes, the prompt and the worked
solution. :mod:`.circuit_shapes` calls it to validate a circuit, :mod:`.circuit` to build
the exercise.
"""

from __future__ import annotations

import math
from typing import Protocol

from ..backward import known
from .base import Answer, Exercise, Rejected, add_alternatives, both, clean, name_tex, num
from .chain import derive_at, kink_distance, mistakes, require_clean, solution_lines
from .fair import make_fair, near_guess

LEVEL = {
    "written": both("one node per operation as written", "每个运算（按书写）一个节点"),
    "primitive": both(
        "the lecture's primitives f1–f6 (x·y, x+y, x+c, −x, eˣ, 1/x; max, log, powers)",
        "讲义中的基本函数 f1–f6（x·y、x+y、x+c、−x、eˣ、1/x；以及 max、log、幂）",
    ),
    "gate": both(
        "fused gates where a pattern is recognised (e.g. one σ gate)",
        "可识别的模式合并为一个门（例如一个 σ 门）",
    ),
}

TITLE = both("Computational graph: forward and backward", "计算图：前向与反向传播")


class Circuit(Protocol):
    """What an exercise reads of a :class:`.circuit_shapes.Circuit` (named here by its
    fields: circuit_shapes imports this module)."""

    @property
    def text(self) -> str: ...

    @property
    def latex(self) -> str: ...

    @property
    def names(self) -> tuple[str, ...]: ...

    @property
    def granularity(self) -> str: ...

    @property
    def family(self) -> str: ...

    @property
    def fixed(self) -> frozenset[str]: ...


def exercise_at(
    difficulty: str, circuit: Circuit, values: dict[str, float], strict: bool = True
) -> Exercise:
    """The exercise at ``values``: f and ∂f/∂v for every input v.

    ``strict`` rejects (:class:`~.base.Rejected`) a point near a kink or pole, a saturated
    unit, and a blank that is (near) 0, huge, or ±1; blanks in ``circuit.fixed`` (the same at
    every point: a pinned expression's constant gradient) are exempt from the value rules.
    """
    if strict:  # the same tests on numbers alone first: most draws end here
        _numbers(circuit, values)
    d = derive_at(circuit.text, values, granularity=circuit.granularity)
    distance = require_clean(d) if strict else kink_distance(d)
    grads = d.gradient_values()
    raw = {"f": known(d.value)} | {f"df_d{n}": grads[n] for n in circuit.names}
    if strict:
        _screen(circuit, raw)
    answers = [Answer("f", "f", raw["f"])]
    for name in circuit.names:
        answers.append(
            add_alternatives(
                Answer(
                    f"df_d{name}", rf"\partial f / \partial {name_tex(name)}", raw[f"df_d{name}"]
                ),
                mistakes(d, name),
            )
        )
    data = {
        "expression": circuit.text,
        "granularity": circuit.granularity,
        "family": circuit.family,
        "point": values,
    }
    exercise = make_fair(
        Exercise("graph", difficulty, TITLE, data, {}, answers, [], d, {"kink_distance": distance}),
        circuit.fixed,
        strict,
    )
    exercise.prompt = _prompt(circuit, values)  # after the checks: the costly part
    exercise.solution = solution_lines(d)
    return exercise


def _numbers(circuit, values: dict) -> None:
    """The tests of a strict :func:`exercise_at` on the numbers alone (one NumPy forward
    pass, then the reverse pass only if the node values pass): the same values
    :func:`derive_at` would give, without building a derivation; a rejected draw used to
    pay for one (10 draws per hard exercise)."""
    from types import SimpleNamespace

    from ..backward import backward
    from ..derivation import structure
    from ..graph import forward_values

    graph = structure(circuit.text, circuit.granularity)[1]
    floats = {name: float(num(values[name])) for name in graph.variables}
    node_values = forward_values(graph, floats)
    if not all(map(math.isfinite, node_values)):
        raise Rejected("outside the domain")
    require_clean(SimpleNamespace(graph=graph, values=node_values))
    reverse = backward(graph, node_values, symbolic=False)
    _screen(
        circuit,
        {"f": float(node_values[graph.output])}
        | {f"df_d{n}": reverse.adjoint_value(graph.var_node(n).id) for n in circuit.names},
    )


def _screen(circuit, raw: dict) -> None:
    """Reject a blank that is (near) 0, huge or ±1 (blanks in ``circuit.fixed`` exempt)."""
    for name, value in raw.items():
        if name not in circuit.fixed:
            clean(value, name)
            if near_guess(value, 0.1 * abs(value)):
                raise Rejected(f"{name} is near 0 or ±1")


def _prompt(circuit, values: dict) -> dict[str, str]:
    given = ", ".join(f"${name_tex(k)} = {num(v)}$" for k, v in values.items())
    level = LEVEL[circuit.granularity]
    args = ", ".join(name_tex(n) for n in circuit.names)
    return both(
        f"$$f({args}) = {circuit.latex}$$ Draw the computational graph of $f$ with "
        f"{level['en']}. At {given}, run the forward pass and then backpropagate to get every "
        "partial derivative.",
        f"$$f({args}) = {circuit.latex}$$ 画出 $f$ 的计算图（{level['zh']}）。在 {given} 处先做"
        "前向传播，再反向传播求出每个偏导数。",
    )
