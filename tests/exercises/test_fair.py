"""Blanks a blind guess cannot fill: 0, 1 and -1 are refused as answers (and as the answers
of partial-credit mistakes), unless a blank is exempt."""

import pytest

from symgrad.exercises.base import Alternative, Answer, Rejected
from symgrad.exercises.fair import near_guess, require_unguessable, without_guessable_alternatives


@pytest.mark.parametrize(
    "value, tol, guessed",
    [
        (1.0004, 1e-3, True),
        (-1.0, 1e-3, True),
        (0.0005, 1e-3, True),
        (0.5, 1e-3, False),
        (1.01, 1e-3, False),
        (-0.998, 1e-3, False),
    ],
)
def test_near_guess_is_within_tolerance_of_0_or_plus_minus_1(value, tol, guessed):
    assert near_guess(value, tol) is guessed


def test_a_guessable_blank_rejects_the_draw_unless_exempt():
    answers = [Answer("a", "a", 0.25, 1e-3), Answer("b", "b", -1.0, 1e-3)]
    with pytest.raises(Rejected, match="b is 0 or ±1"):
        require_unguessable(answers)
    require_unguessable(answers, exempt={"b"})  # a blank that is -1 at every point
    require_unguessable(answers[:1])


def test_mistake_answers_a_guess_would_hit_are_dropped():
    answer = Answer("a", "a", 0.25, 1e-3)
    answer.alternatives = [Alternative("sign", -0.25, 50), Alternative("forgot", 1.0, 50)]
    answer.candidates = [("sign", -0.25), ("zero", 0.0)]
    kept = without_guessable_alternatives(answer)
    assert [a.mistake for a in kept.alternatives] == ["sign"]
    assert kept.candidates == [("sign", -0.25)]
