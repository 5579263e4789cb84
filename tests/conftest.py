import os
import shutil

import pytest

IN_CI = bool(os.environ.get("CI"))


def require_tool(*names):
    """Skip outside CI when a tool is missing; in CI a missing tool is a failure."""
    missing = [n for n in names if shutil.which(n) is None]
    if missing:
        if IN_CI:
            pytest.fail(f"CI must have {', '.join(missing)} installed (see .ci/run)")
        pytest.skip(f"{', '.join(missing)} not installed")


SIGMOID_CIRCUIT = "1/(1+exp(-(w0*x0+w1*x1+w2)))"
SIGMOID_POINT = "w0=2,x0=-1,w1=-3,x1=-2,w2=-3"


def pytest_addoption(parser):
    parser.addoption("--fuzz-long", action="store_true", default=False,
                     help="tests/test_fuzz.py: run 10x as many hypothesis examples (issue 17)")


@pytest.fixture(scope="session")
def fuzz_factor(request) -> int:
    """How many times the default example counts of tests/test_fuzz.py to run (--fuzz-long)."""
    return 10 if request.config.getoption("--fuzz-long") else 1
