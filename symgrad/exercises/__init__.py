"""Randomized, reproducible exercises: one module per kind, and the registry.

>>> from symgrad.exercises import make_exercise
>>> ex = make_exercise("activation", seed=7, difficulty="easy")
>>> ex.kind, ex.seed
('activation', 7)
"""

from __future__ import annotations

from . import activation, circuit, gradient_step, jacobian, network, output_loss
from .base import DIFFICULTIES, Exercise, Kind, exercise_seed, rng_for

KINDS: dict[str, Kind] = {
    "activation": activation.KIND,
    "output_loss": output_loss.KIND,
    "graph": circuit.KIND,
    "jacobian": jacobian.KIND,
    "mlp": network.KIND,
    "gd_step": gradient_step.KIND,
}


def get_kind(name: str) -> Kind:
    """The registry entry for ``name``, or one clear error listing the kinds."""
    from ..errors import SymgradError

    try:
        return KINDS[name]
    except KeyError:
        raise SymgradError(
            f"unknown exercise kind {name!r} (expected one of: {', '.join(KINDS)})"
        ) from None


def make_exercise(
    kind: str,
    seed: int,
    difficulty: str = "medium",
    options: dict | None = None,
    structure_seed: int | None = None,
) -> Exercise:
    """Generate exercise ``kind`` from ``numpy.random.default_rng(seed)``.

    ``options`` are checked pins of the kind (see :class:`~.base.Kind`). With
    ``structure_seed`` the structure is drawn from its own generator, so exercises that share
    it differ in their numbers only; without it the structure is drawn from ``seed`` too.
    """
    from ..errors import SymgradError

    if difficulty not in DIFFICULTIES:
        raise SymgradError(
            f"unknown difficulty {difficulty!r} (expected one of: {', '.join(DIFFICULTIES)})"
        )
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise SymgradError(f"seed: expected an integer >= 0, got {seed!r}")
    rng = rng_for(seed)
    structure = rng if structure_seed is None else rng_for(structure_seed)
    exercise = get_kind(kind).generate(rng, difficulty, dict(options or {}), structure)
    exercise.seed = seed
    return exercise


__all__ = [
    "DIFFICULTIES",
    "KINDS",
    "Exercise",
    "Kind",
    "exercise_seed",
    "get_kind",
    "make_exercise",
]
