"""Blanks a blind guess cannot fill: no answer, and no partial-credit answer, is 0 or ±1.

:func:`~symgrad.exercises.base.guessing_score` types one constant (1, 0 or −1) in every
blank. A generated exercise whose blanks avoid these values (within the blank's tolerance)
scores 0 that way; an alternative equal to one of them is not offered, since a guess would
collect its partial credit.

>>> from symgrad.exercises.base import Answer
>>> guessable(Answer("a", "a", -1.0004))
True
>>> guessable(Answer("a", "a", 0.75))
False
"""

from __future__ import annotations

from collections.abc import Collection

from .base import GUESSES, Answer, Exercise, Rejected


def near_guess(value: float, tol: float) -> bool:
    """Whether typing 1, 0 or −1 would be marked as ``value`` at tolerance ``tol``."""
    return any(abs(float(value) - guess) <= tol for guess in GUESSES)


def guessable(answer: Answer) -> bool:
    return near_guess(answer.value, answer.tol)


def without_guessable_alternatives(answer: Answer) -> Answer:
    """Drop the mistakes' answers that a blind guess of 1, 0 or −1 would hit (also from the
    candidates the alternatives are chosen from, so they stay dropped)."""
    if hasattr(answer, "candidates"):
        answer.candidates = [
            (mistake, value)
            for mistake, value in answer.candidates
            if not near_guess(value, answer.tol)
        ]
    answer.alternatives = [
        alt for alt in answer.alternatives if not near_guess(alt.value, answer.tol)
    ]
    return answer


def make_fair(exercise: Exercise, exempt: Collection[str] = (), strict: bool = True) -> Exercise:
    """Reject the draw (``strict``) when a blank other than those named in ``exempt`` is
    0 or ±1 at its final tolerance; drop every guessable alternative."""
    if strict:
        require_unguessable(exercise.answers, exempt)
    for answer in exercise.answers:
        without_guessable_alternatives(answer)
    return exercise


def require_unguessable(answers: list[Answer], exempt: Collection[str] = ()) -> None:
    """Reject the draw when a blank (other than those named in ``exempt``) is 0 or ±1."""
    for answer in answers:
        if answer.name not in exempt and guessable(answer):
            raise Rejected(f"{answer.name} is 0 or ±1: a blind guess")
