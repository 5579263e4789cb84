"""Interrupting a homework run midway leaves the previous output intact."""

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

BANK = Path(__file__).resolve().parent.parent / "bank" / "lecture3-2.toml"


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


def homework(out: Path, seed: int, versions: int, **kwargs):
    cmd = [sys.executable, "-m", "symgrad", "homework", str(BANK), "--versions", str(versions),
           "--seed", str(seed), "--out", str(out), "--quiet", "--formats", "markdown,json"]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kwargs)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL])
def test_interrupted_run_keeps_previous_output(tmp_path, sig):
    out = tmp_path / "hw"
    first = homework(out, seed=1, versions=2)
    assert first.wait(timeout=120) == 0, first.stderr.read().decode()
    before = snapshot(out)
    assert before
    # A long second run into the same folder, stopped while it is generating.
    second = homework(out, seed=2, versions=400)
    time.sleep(1.5)
    assert second.poll() is None, "the run finished before it could be interrupted"
    second.send_signal(sig)
    second.wait(timeout=60)
    assert second.returncode != 0
    if sig == signal.SIGINT:
        assert b"Traceback" not in second.stderr.read()
    assert snapshot(out) == before
    leftovers = [p.name for p in tmp_path.iterdir() if p.name != "hw"]
    if sig == signal.SIGINT:  # a clean stop removes its staging folder
        assert leftovers == []
    else:  # a killed process can leave only a hidden staging folder beside it
        assert all(name.startswith(".hw.symgrad-new-") for name in leftovers)
