"""Shared test helpers. The layout mirrors the package (tests/system/test_structure.py checks
that every module has its test module):

* ``tests/test_<module>.py`` for ``symgrad/<module>.py``; ``tests/<package>/test_<module>.py``
  for ``symgrad/<package>/<module>.py`` (a package's ``__init__``: ``test_<package>.py``);
* ``tests/cli/test_<command>.py`` for each command; ``tests/system/`` for what crosses
  modules (hostile input, fuzz, determinism, browser, paper, leaks, the package's shape);
* ``tests/support/``: oracles and corpora several test modules share (no tests there).

Test modules are imported with ``--import-mode=importlib`` (pyproject.toml), so two folders
may both hold a ``test_check.py``; ``tests/`` is on the path, so ``from conftest import ...``
and ``from support.lecture import ...`` work from any folder. Tests marked ``slow`` (TeX,
browser, fuzz, child processes, homework builds, seed sweeps) are left out by
``pytest -m "not slow"``; CI runs everything.
"""

import os
import shutil
from pathlib import Path

import numpy as np
import pytest


def in_ci() -> bool:
    """True on CI (``CI`` set to anything but empty, 0, false or no), read at call time."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


IN_CI = in_ci()
ROOT = Path(__file__).resolve().parent.parent  # the repository: bank/, templates/, symgrad/


def skip_or_fail(reason: str) -> None:
    """Skip outside CI; on CI (tests/system/test_ci_tools.py) a test that needs TeX, Graphviz,
    poppler or Chromium never skips: what it needs missing is a failure."""
    if in_ci():
        pytest.fail(f"CI must have what this test needs (see .ci/run): {reason}")
    pytest.skip(reason)


def require_tool(*names: str) -> None:
    """Skip outside CI when a tool is missing; in CI a missing tool is a failure."""
    missing = [n for n in names if shutil.which(n) is None]
    if missing:
        skip_or_fail(f"{', '.join(missing)} not installed")


SIGMOID_CIRCUIT = "1/(1+exp(-(w0*x0+w1*x1+w2)))"
SIGMOID_POINT = "w0=2,x0=-1,w1=-3,x1=-2,w2=-3"


def pytest_addoption(parser):
    parser.addoption(
        "--fuzz-long",
        action="store_true",
        default=False,
        help="tests/system/test_fuzz.py: run 10x as many hypothesis examples (issue 17)",
    )


@pytest.fixture(scope="session")
def fuzz_factor(request) -> int:
    """How many times the default example counts of tests/system/test_fuzz.py to run (--fuzz-long)."""
    return 10 if request.config.getoption("--fuzz-long") else 1


def hand_mlp(data: dict, use_value: bool = False):
    """The lecture's loops in plain NumPy for an exercise's network (hidden relu, sigmoid or
    tanh; softmax or sigmoid output with cross-entropy): ``(h values, {W1, b1, ...})``.
    ``use_value`` puts g(z) where g′(z) belongs (the σ-for-σ′ mistake)."""
    g_act, dg_act = {
        "relu": (lambda z: np.maximum(z, 0), lambda z, h: (z > 0) * 1.0),
        "sigmoid": (lambda z: 1 / (1 + np.exp(-z)), lambda z, h: h * (1 - h)),
        "tanh": (np.tanh, lambda z, h: 1 - h * h),
    }[data["hidden"]]
    L = len(data["layers"]) - 1
    W = [np.array(data[f"W{k}"]) for k in range(1, L + 1)]
    b = [np.array(data[f"b{k}"]) for k in range(1, L + 1)]
    hs, zs = [np.array(data["x"])], []
    for k in range(L):
        z = W[k] @ hs[-1] + b[k]
        zs.append(z)
        if k < L - 1:
            hs.append(g_act(z))
        elif data["output"] == "softmax":
            hs.append(np.exp(z) / np.exp(z).sum())
        else:
            hs.append(1 / (1 + np.exp(-z)))
    g = hs[-1] - np.array(data["y"])
    grads = {}
    for k in range(L, 0, -1):
        if k < L:
            g = g * (hs[k] if use_value else dg_act(zs[k - 1], hs[k]))
        grads[f"b{k}"], grads[f"W{k}"] = g, np.outer(g, hs[k - 1])
        g = W[k - 1].T @ g
    return hs, grads
