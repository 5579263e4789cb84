"""The lecture's sigmoid circuit at primitive granularity, every quantity by hand (math
only) and by sympy.diff of the whole expression: the oracle of the diagnosis tests."""

import math

import sympy

from symgrad.derivation import derive

CIRCUIT = "1/(1+exp(-(w0*x0+w1*x1+w2)))"
POINT = dict(w0=2.0, x0=-1.0, w1=-3.0, x1=-2.0, w2=-3.0)
AT = ",".join(f"{k}={v:g}" for k, v in POINT.items())
JACOBIAN = ("jacobian", "--y", "x1*x2, x2+x3", "--z", "y1*y2", "--at", "x1=1,x2=2,x3=3")
"""The vector chain rule example the command tests run: y = (x1 x2, x2 + x3), z = y1 y2."""


def lecture():
    return derive(CIRCUIT, at=AT, granularity="primitive")


def hand_answers(z5_sign: float = 1.0, dz5_sign: float = 1.0) -> dict:
    """Every quantity of the primitive lecture circuit by hand (math only), optionally with
    the learner's sign slip at z_5 (forward) or at df/dz_5 (backward) carried through."""
    w0, x0, w1, x1, w2 = POINT.values()
    z1, z2 = w0 * x0, w1 * x1
    z3 = z1 + z2
    z4 = z3 + w2
    z5 = -z4 * z5_sign
    z6 = math.exp(z5)
    z7 = z6 + 1
    z8 = 1 / z7
    g7 = -1 / z7**2
    g6 = g7
    g5 = g6 * math.exp(z5) * dz5_sign
    g4 = -g5
    g3 = g2 = g1 = gw2 = g4
    return {
        "z_1": z1,
        "z_2": z2,
        "z_3": z3,
        "z_4": z4,
        "z_5": z5,
        "z_6": z6,
        "z_7": z7,
        "z_8": z8,
        "df/dz_8": 1.0,
        "df/dz_7": g7,
        "df/dz_6": g6,
        "df/dz_5": g5,
        "df/dz_4": g4,
        "df/dw2": gw2,
        "df/dz_3": g3,
        "df/dz_2": g2,
        "df/dx1": g2 * w1,
        "df/dw1": g2 * x1,
        "df/dz_1": g1,
        "df/dx0": g1 * w0,
        "df/dw0": g1 * x0,
    }


def sympy_gradients() -> dict:
    symbols = sympy.symbols("w0 x0 w1 x1 w2")
    f = 1 / (1 + sympy.exp(-(symbols[0] * symbols[1] + symbols[2] * symbols[3] + symbols[4])))
    at = dict(zip(symbols, POINT.values()))
    return {f"df/d{s}": float(sympy.diff(f, s).subs(at)) for s in symbols}
