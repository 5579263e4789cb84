"""Kind ``graph``: forward and backward pass through the computational graph of a function.

The structure (the function, its granularity) comes from a family, drawn once per exercise
from the ``structure`` generator; the point from ``rng``. Families (:mod:`.circuit_shapes`):
``random`` (easy: depth 2 with +, −, ×, max; medium: depth 3 adding exp, σ, tanh, relu,
squares; hard: depth 4 adding 1/x and log, at the lecture's primitive granularity f1–f6 or
with fused gates), ``sigmoid-neuron`` (the lecture's ``σ(w0 x0 + w1 x1 + w2)``) and
``cs231n`` (small circuits of CS231n's notes). A spec may pin ``expression`` (and ``at``).

Every version asks the same blanks: the value f and ∂f/∂v for every input v (three inputs
for ``random`` and ``cs231n``, five for the neuron). No blank is 0 or ±1, so a blind guess
scores nothing. Every gradient comes from :func:`symgrad.derivation.derive`.
"""

from __future__ import annotations

from ..render.printing import name_tex
from .base import Answer, Exercise, Kind, Rejected, add_alternatives, both, clean, num, rejection
from .chain import derive_at, kink_distance, mistakes, require_clean, solution_lines
from .circuit_shapes import FAMILIES, Circuit, check_options, choose_circuit, draw_point
from .fair import make_fair, near_guess

LEVEL = {"written": both("one node per operation as written", "每个运算（按书写）一个节点"),
         "primitive": both("the lecture's primitives f1–f6 (x·y, x+y, x+c, −x, eˣ, 1/x; "
                           "max, log, powers)",
                           "讲义中的基本函数 f1–f6（x·y、x+y、x+c、−x、eˣ、1/x；以及 max、log、幂）"),
         "gate": both("fused gates where a pattern is recognised (e.g. one σ gate)",
                      "可识别的模式合并为一个门（例如一个 σ 门）")}

TITLE = both("Computational graph: forward and backward", "计算图：前向与反向传播")


def generate(rng, difficulty: str, options: dict | None = None, structure=None) -> Exercise:
    """One circuit exercise: the circuit from ``structure`` (one draw), the point from ``rng``."""
    options = options or {}
    structure = rng if structure is None else structure
    circuit = choose_circuit(difficulty, options.get("family", "random"),
                             options.get("granularity"), options.get("expression"),
                             int(structure.integers(2**63)))
    if "at" in options:  # pinned: the teacher's point, as given
        return exercise_at(difficulty, circuit, dict(options["at"]), strict=False)
    return rejection(lambda: exercise_at(difficulty, circuit, draw_point(rng, circuit)),
                     f"graph {difficulty}")


def exercise_at(difficulty: str, circuit: Circuit, values: dict, strict: bool = True) -> Exercise:
    """The exercise at ``values``: f and ∂f/∂v for every input v.

    ``strict`` rejects (:class:`~.base.Rejected`) a point near a kink or pole, a saturated
    unit, and a blank that is (near) 0, huge, or ±1; blanks in ``circuit.fixed`` (the same at
    every point: a pinned expression's constant gradient) are exempt from the value rules.
    """
    d = derive_at(circuit.text, values, granularity=circuit.granularity)
    distance = require_clean(d) if strict else kink_distance(d)
    raw = {"f": d.value} | {f"df_d{n}": d.gradients[n].value for n in circuit.names}
    if strict:
        for name, value in raw.items():
            if name not in circuit.fixed:
                clean(value, name)
                if near_guess(value, 0.1 * abs(value)):  # before the costly part
                    raise Rejected(f"{name} is near 0 or ±1")
    answers = [Answer("f", "f", raw["f"])]
    for name in circuit.names:
        answers.append(add_alternatives(
            Answer(f"df_d{name}", rf"\partial f / \partial {name_tex(name)}",
                   raw[f"df_d{name}"]), mistakes(d, name)))
    data = {"expression": circuit.text, "granularity": circuit.granularity,
            "family": circuit.family, "point": values}
    exercise = make_fair(Exercise("graph", difficulty, TITLE, data, {}, answers, [], d,
                                  {"kink_distance": distance}), circuit.fixed, strict)
    exercise.prompt = _prompt(circuit, values)  # after the checks: the costly part
    exercise.solution = solution_lines(d)
    return exercise


def _prompt(circuit: Circuit, values: dict) -> dict[str, str]:
    given = ", ".join(f"${name_tex(k)} = {num(v)}$" for k, v in values.items())
    level = LEVEL[circuit.granularity]
    args = ", ".join(name_tex(n) for n in circuit.names)
    return both(
        f"$$f({args}) = {circuit.latex}$$ Draw the computational graph of $f$ with "
        f"{level['en']}. At {given}, run the forward pass and then backpropagate to get every "
        "partial derivative.",
        f"$$f({args}) = {circuit.latex}$$ 画出 $f$ 的计算图（{level['zh']}）。在 {given} 处先做"
        "前向传播，再反向传播求出每个偏导数。")


OPTIONS_HELP = {
    "family": f"a circuit family: {', '.join(FAMILIES)} (default random)",
    "granularity": "written, primitive or gate (default: written; hard draws primitive or "
                   "gate)",
    "expression": "a fixed function, e.g. \"(x + y)*z\" (every version gets it)",
    "at": "the fixed point of a pinned expression, e.g. \"x=1,y=-2,z=3\" (every version "
          "gets it)",
}

KIND = Kind("graph", "forward and backward pass through the computational graph of a "
            "composite function (written, primitive f1–f6 or gate granularity)", generate,
            OPTIONS_HELP, check_options)
