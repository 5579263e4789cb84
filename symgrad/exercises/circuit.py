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

from typing import TYPE_CHECKING

from .base import Exercise, Kind, rejection
from .circuit_point import exercise_at
from .circuit_shapes import FAMILIES, check_options, choose_circuit, draw_point

if TYPE_CHECKING:
    from numpy.random import Generator


def generate(
    rng: Generator,
    difficulty: str,
    options: dict | None = None,
    structure: Generator | None = None,
) -> Exercise:
    """One circuit exercise: the circuit from ``structure`` (one draw), the point from ``rng``."""
    options = options or {}
    structure = rng if structure is None else structure
    circuit = choose_circuit(
        difficulty,
        options.get("family", "random"),
        options.get("granularity"),
        options.get("expression"),
        int(structure.integers(2**63)),
    )
    if "at" in options:  # pinned: the teacher's point, as given
        return exercise_at(difficulty, circuit, dict(options["at"]), strict=False)
    return rejection(
        lambda: exercise_at(difficulty, circuit, draw_point(rng, circuit)), f"graph {difficulty}"
    )


OPTIONS_HELP = {
    "family": f"a circuit family: {', '.join(FAMILIES)} (default random)",
    "granularity": "written, primitive or gate (default: written; hard draws primitive or gate)",
    "expression": 'a fixed function, e.g. "(x + y)*z" (every version gets it)',
    "at": 'the fixed point of a pinned expression, e.g. "x=1,y=-2,z=3" (every version gets it)',
}

KIND = Kind(
    "graph",
    "forward and backward pass through the computational graph of a "
    "composite function (written, primitive f1–f6 or gate granularity)",
    generate,
    OPTIONS_HELP,
    check_options,
)
