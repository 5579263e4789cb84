"""A corpus of circuits from 5 to 40 nodes for the layout tests: the lecture's, issue 17's
and random graphs (built once, at import)."""

import random

from symgrad.derivation import derive
from symgrad.errors import SymgradError

LECTURE = ("1/(1+exp(-(w0*x0+w1*x1+w2)))", "w0=2,x0=-1,w1=-3,x1=-2,w2=-3")
ISSUE_17 = ("sigmoid(w1*x1+w2*x2+b)*log(x1) + tanh(x2)^2 - x1/x2", "w1=0.5,x1=2,w2=-1,x2=3,b=0.1")

UNARY = ["exp({})", "tanh({})", "sigmoid({})", "sin({})", "({})^2", "-({})", "({}+1)"]
BINARY = ["({} + {})", "({} * {})", "({} - {})"]


def random_expression(rng: random.Random, size: int, names: list[str]) -> str:
    """A random expression of about ``size`` operations over ``names`` (reused: forks)."""
    if size <= 0:
        return rng.choice(names)
    if rng.random() < 0.35:
        return rng.choice(UNARY).format(random_expression(rng, size - 1, names))
    left = rng.randint(0, size - 1)
    return rng.choice(BINARY).format(
        random_expression(rng, left, names), random_expression(rng, size - 1 - left, names)
    )


def corpus() -> list[tuple[str, str, str]]:
    """(expression, point, granularity): the lecture's, the issue's and 40 random graphs."""
    cases = [
        (*LECTURE, "written"),
        (*LECTURE, "primitive"),
        (*ISSUE_17, "written"),
        (*ISSUE_17, "primitive"),
    ]
    rng = random.Random(13)
    for size in range(2, 34):
        for _ in range(2):
            names = ["a", "b", "c", "x", "y"][: rng.randint(2, 5)]
            expr = random_expression(rng, size, names)
            point = ",".join(f"{n}={rng.choice([-2, -1, 0.5, 1, 2, 3])}" for n in names)
            cases.append((expr, point, "written"))
    return cases


def _derivations():
    out = []
    for expr, at, granularity in corpus():
        try:
            d = derive(expr, at=at, granularity=granularity)
        except SymgradError:  # a random point outside the domain (exp overflow): skip it
            continue
        if 5 <= len(d.graph.nodes) <= 40:
            out.append(d)
    return out


DERIVATIONS = _derivations()
