"""Identical bytes for identical inputs, across runs and PYTHONHASHSEED values."""

import os
import subprocess
import sys

import pytest
from conftest import SIGMOID_CIRCUIT, SIGMOID_POINT

pytestmark = pytest.mark.slow  # child processes under several hash seeds

COMMANDS = {
    "derive-json": [
        "derive",
        SIGMOID_CIRCUIT,
        "--at",
        SIGMOID_POINT,
        "--format",
        "json",
        "--granularity",
        "primitive",
    ],
    "derive-markdown": [
        "derive",
        "max(a*b, c) + exp(a)*c",
        "--at",
        "a=1,b=2,c=3",
        "--format",
        "markdown",
    ],
    "derive-latex": [
        "derive",
        SIGMOID_CIRCUIT,
        "--at",
        SIGMOID_POINT,
        "--format",
        "latex",
        "--lang",
        "zh",
    ],
    "derive-dot": ["derive", "x*y + sin(x*y)", "--at", "x=1,y=2", "--format", "dot"],
    "mlp-json": ["mlp", "--layers", "3,4,3,2", "--seed", "3", "--format", "json"],
    "mlp-markdown": [
        "mlp",
        "--layers",
        "2,3,2",
        "--hidden",
        "tanh",
        "--output",
        "sigmoid",
        "--loss",
        "ce",
        "--l2",
        "0.1",
        "--seed",
        "5",
        "--format",
        "markdown",
    ],
}


@pytest.mark.parametrize("name", list(COMMANDS))
def test_same_bytes_across_hash_seeds(name):
    outputs = set()
    for hash_seed in ("0", "1", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        proc = subprocess.run(
            [sys.executable, "-m", "symgrad", *COMMANDS[name]],
            capture_output=True,
            env=env,
            timeout=120,
        )
        assert proc.returncode == 0, proc.stderr.decode()
        outputs.add(proc.stdout)
    assert len(outputs) == 1
