"""Interrupting a homework run midway leaves the previous output intact, ends with one line
and exit 130 on Ctrl-C, and never lets worker processes print tracebacks."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT

pytestmark = pytest.mark.slow  # homework runs in child processes, interrupted

BANK = ROOT / "bank" / "lecture3-2.toml"


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def homework(out: Path, seed: int, versions: int, jobs: int = 1, force: bool = False, **kwargs):
    cmd = [
        sys.executable,
        "-m",
        "symgrad",
        "homework",
        str(BANK),
        "--versions",
        str(versions),
        "--seed",
        str(seed),
        "--out",
        str(out),
        "--quiet",
        "--formats",
        "markdown,json",
        "--jobs",
        str(jobs),
        *(["--force"] if force else []),
    ]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kwargs)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL])
def test_interrupted_run_keeps_previous_output(tmp_path, sig):
    out = tmp_path / "hw"
    first = homework(out, seed=1, versions=2)
    assert first.wait(timeout=120) == 0, first.stderr.read().decode()
    before = snapshot(out)
    assert before
    # A long second run into the same folder, stopped while it is generating.
    second = homework(out, seed=2, versions=400, force=True)
    time.sleep(1.5)
    assert second.poll() is None, "the run finished before it could be interrupted"
    second.send_signal(sig)
    second.wait(timeout=60)
    assert second.returncode != 0
    if sig == signal.SIGINT:
        assert second.returncode == 130  # not death by the signal (-2)
        assert second.stderr.read() == b"symgrad: error: aborted\n"
    assert snapshot(out) == before
    leftovers = [p.name for p in tmp_path.iterdir() if p.name != "hw"]
    if sig == signal.SIGINT:  # a clean stop removes its staging folder
        assert leftovers == []
    else:  # a killed process can leave only a hidden staging folder beside it
        assert all(name.startswith(".hw.symgrad-new-") for name in leftovers)


def started(process, seconds=2.0):
    """Let ``process`` get into its work, and make sure it is still at it."""
    time.sleep(seconds)
    assert process.poll() is None, "the run finished before it could be interrupted"


def test_ctrl_c_on_a_parallel_run_is_one_line_and_exit_130(tmp_path):
    """Ctrl-C in a terminal sends SIGINT to the whole process group, workers included."""
    run = homework(tmp_path / "hw", seed=3, versions=400, jobs=2, start_new_session=True)
    started(run)
    os.killpg(run.pid, signal.SIGINT)
    _, stderr = run.communicate(timeout=60)  # EOF: the workers are gone as well
    assert run.returncode == 130
    assert stderr == b"symgrad: error: aborted\n"
    assert not (tmp_path / "hw").exists()
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_killed_parallel_run_leaves_no_worker_tracebacks(tmp_path, sig):
    """Workers whose parent died find the result pipe closed: no BrokenPipeError tracebacks."""
    run = homework(tmp_path / "hw", seed=4, versions=400, jobs=2)
    started(run)
    run.send_signal(sig)
    _, stderr = run.communicate(timeout=120)  # ends when the last worker closed stderr
    assert run.returncode == -sig
    assert stderr == b""
    assert not (tmp_path / "hw").exists()


def test_ctrl_c_at_any_moment_is_one_line_and_exit_130(tmp_path):
    """Interrupts spread over start-up (imports) and work. With Python's own SIGINT handling
    about one run in ten caught the KeyboardInterrupt, printed "aborted", and still ended by
    the signal (status -2): CPython 3.11 remembers a KeyboardInterrupt that passed through some
    of its C paths. symgrad's handler raises its own exception instead."""
    for i, delay in enumerate([0.6, 1.0, 1.3, 1.6, 2.0]):
        run = homework(tmp_path / f"hw{i}", seed=5, versions=400)
        time.sleep(delay)
        assert run.poll() is None, "the run finished before it could be interrupted"
        run.send_signal(signal.SIGINT)
        _, stderr = run.communicate(timeout=60)
        assert (run.returncode, stderr) == (130, b"symgrad: error: aborted\n"), delay
