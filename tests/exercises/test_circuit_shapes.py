"""The circuits of the ``graph`` kind: drawn from the seed alone, the lecture's family, and
pins checked with one clear error each."""

import pytest

from symgrad.errors import SymgradError
from symgrad.exercises import circuit_shapes as shapes


def test_the_circuit_comes_from_the_seed_alone():
    first = shapes.choose_circuit("medium", None, None, None, 5)
    assert shapes.choose_circuit("medium", None, None, None, 5) == first
    others = {shapes.choose_circuit("medium", None, None, None, s).text for s in range(20)}
    assert len(others) > 5  # different seeds, different circuits


def test_the_lecture_family_is_the_sigmoid_neuron():
    c = shapes.choose_circuit("medium", "sigmoid-neuron", "primitive", None, 1)
    assert c.granularity == "primitive" and "exp" in c.text
    assert set(c.names) == {"w0", "x0", "w1", "x1", "w2"}


@pytest.mark.parametrize(
    "raw, words",
    [
        ({"family": "nope"}, "expected one of random, sigmoid-neuron, cs231n"),
        ({"granularity": "x"}, "expected one of written, primitive, gate"),
        ({"at": "x=1"}, "a point needs a pinned expression"),
        ({"expression": "eval(1)"}, "unknown function 'eval'"),
    ],
)
def test_bad_pins_are_one_clear_error(raw, words):
    with pytest.raises(SymgradError, match=words):
        shapes.check_options(raw, "exercise g")
