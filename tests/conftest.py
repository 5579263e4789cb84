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
