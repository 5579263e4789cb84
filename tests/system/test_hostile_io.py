"""Issue 17, part A: the CLI's contract under hostile I/O.

Nothing is lost (stdout that could not be written is exit 2, never exit 0 with a truncated
result), nothing grows without bound (every file is read with a limit), nothing is written
outside the named output, and bad numbers are bad input (exit 2), not internal errors.
"""

import json
import math
import os
import resource
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ROOT
from support.disks import tmpfs

from symgrad import files
from symgrad.cli import cli

pytestmark = pytest.mark.slow  # child processes under memory limits, tmpfs mounts

BANK = ROOT / "bank" / "lecture3-2.toml"
MEMORY_LIMIT = 500 * 1024 * 1024
# One derivation whose LaTeX is about 150 KB: far more than a pipe or a nearly full disk takes.
BIG = "+".join(f"sin(x{i})*x{i + 1}" for i in range(100))


def run(*args, input=None):
    return CliRunner().invoke(cli, list(args), input=input)


def limit_memory():
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def symgrad(*args, **kwargs) -> subprocess.CompletedProcess:
    """The CLI in a child process whose memory is capped at 500 MB."""
    kwargs.setdefault("stdout", subprocess.PIPE)
    kwargs.setdefault("stderr", subprocess.PIPE)
    return subprocess.run(
        [sys.executable, "-m", "symgrad", *map(str, args)],
        preexec_fn=limit_memory,
        timeout=120,
        **kwargs,
    )


def one_error_line(stderr: bytes) -> str:
    """The stderr of a bad-input exit: exactly one ``symgrad: error:`` line, no traceback."""
    text = stderr.decode()
    assert "Traceback" not in text and "Exception ignored" not in text, text
    lines = text.splitlines()
    assert len(lines) == 1 and lines[0].startswith("symgrad: error: "), text
    return lines[0]


# --- 1. standard output that cannot be written is exit 2, never exit 0 ----------------------


def test_stdout_to_dev_full_is_exit_2_with_one_line():
    with open("/dev/full", "wb") as full:
        done = symgrad("derive", "x*y", "--at", "x=1,y=2", stdout=full)
    assert done.returncode == 2
    assert "cannot write to standard output" in one_error_line(done.stderr)


@pytest.mark.parametrize(
    "args", [["derive", BIG, "--format", "latex", "--no-check"], ["kinds"], ["--help"]]
)
def test_stdout_pipe_closed_early_is_exit_2_without_traceback(args):
    """``symgrad ... | head`` where the reader is gone before symgrad writes."""
    child = subprocess.Popen(
        [sys.executable, "-m", "symgrad", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    child.stdout.close()  # the only reader: every write now fails with EPIPE
    stderr = child.stderr.read()
    assert child.wait(timeout=120) == 2
    assert one_error_line(stderr) == "symgrad: error: cannot write to standard output: Broken pipe"


@contextmanager
def tiny_tmpfs(tmp_path: Path, free: int):
    """A 64 KB tmpfs with about ``free`` bytes left, or a skip naming why it cannot be made."""
    mount = tmp_path / "tiny"
    mount.mkdir()
    with tmpfs(mount):
        (mount / "filler").write_bytes(b"\0" * (64 * 1024 - free))
        yield mount


def test_stdout_to_a_nearly_full_disk_is_exit_2(tmp_path):
    """The issue's case: 8,192 of 135,995 bytes written, no message, exit 0."""
    with tiny_tmpfs(tmp_path, free=8192) as disk, open(disk / "big.tex", "wb") as out:
        done = symgrad("derive", BIG, "--format", "latex", "--no-check", stdout=out)
    assert done.returncode == 2
    assert (
        one_error_line(done.stderr) == "symgrad: error: cannot write to standard output: "
        "No space left on device"
    )


def test_output_file_on_a_full_disk_keeps_the_old_file(tmp_path):
    with tiny_tmpfs(tmp_path, free=8192) as disk:
        (disk / "big.tex").write_text("old\n")
        done = symgrad(
            "derive", BIG, "--format", "latex", "--no-check", "-o", disk / "big.tex", "--force"
        )
        assert done.returncode == 2
        line = one_error_line(done.stderr)
        assert str(disk / "big.tex") in line and ".tmp" not in line
        assert (disk / "big.tex").read_text() == "old\n"
        assert sorted(p.name for p in disk.iterdir()) == ["big.tex", "filler"]


# --- 2. every file read is bounded --------------------------------------------------------


def refused_quickly(*args, what: str, limit: int) -> str:
    start = time.monotonic()
    done = symgrad(*args)
    assert done.returncode == 2
    assert time.monotonic() - start < 30
    line = one_error_line(done.stderr)
    assert f"is larger than {limit} bytes" in line and what in line, line
    return line


def test_endless_roster_is_refused_with_bounded_memory(tmp_path):
    refused_quickly(
        "homework",
        BANK,
        "--roster",
        "/dev/zero",
        "--seed",
        1,
        "--out",
        tmp_path / "hw",
        what="/dev/zero",
        limit=1_000_000,
    )
    assert not (tmp_path / "hw").exists()


def test_endless_spec_is_refused_with_bounded_memory(tmp_path):
    refused_quickly(
        "homework",
        "/dev/zero",
        "--versions",
        2,
        "--seed",
        1,
        "--out",
        tmp_path / "hw",
        what="/dev/zero",
        limit=1_000_000,
    )
    assert not (tmp_path / "hw").exists()


def test_endless_params_are_refused_with_bounded_memory():
    from symgrad.mlp.spec import MAX_PARAMS_BYTES

    refused_quickly(
        "mlp",
        "--layers",
        "3,4,3,2",
        "--params",
        "/dev/zero",
        what="/dev/zero",
        limit=MAX_PARAMS_BYTES,
    )


def test_50_mb_params_file_is_refused_with_bounded_memory(tmp_path):
    from symgrad.mlp.spec import MAX_PARAMS_BYTES

    params = tmp_path / "params.json"
    with open(params, "w") as handle:
        handle.write('{"W1": [' + "0.5, " * 10_000_000 + "0.5]}")  # 50 MB of valid JSON
    refused_quickly(
        "mlp", "--layers", "3,4,3,2", "--params", params, what="params.json", limit=MAX_PARAMS_BYTES
    )


def test_endless_stdin_expression_is_refused_with_bounded_memory():
    with open("/dev/zero", "rb") as zero:
        done = symgrad("derive", "-", stdin=zero)
    assert done.returncode == 2
    assert "standard input is larger than 100000 bytes" in one_error_line(done.stderr)


def test_stdin_expression_that_is_not_utf8_is_bad_input():
    result = run("derive", "-", input=b"x*\xff\xfe")
    assert result.exit_code == 2 and "not UTF-8" in result.output, result.output


def test_huge_marker_file_is_not_read_whole(tmp_path):
    out = tmp_path / "hw"
    out.mkdir()
    with open(out / files.MARKER_NAME, "wb") as marker:
        marker.truncate(files.MAX_MARKER_BYTES + 10)  # sparse: costs no disk
    (out / "v01.md").write_text("an earlier set")  # not empty: the marker is read
    with pytest.raises(files.SymgradError, match="larger than"):
        files.check_out_dir(out, force=False)


# --- 3. nothing is written outside --out ---------------------------------------------------


def test_dangling_symlink_as_out_is_refused(tmp_path):
    """``ln -s /nonexistent-target d; symgrad homework spec.toml --out d``."""
    target = tmp_path / "nonexistent-target"
    link = tmp_path / "d"
    link.symlink_to(target)
    result = run(
        "homework",
        str(BANK),
        "--versions",
        "1",
        "--seed",
        "1",
        "--out",
        str(link),
        "--quiet",
        "--formats",
        "json",
    )
    assert result.exit_code == 2, result.output
    assert "symbolic link" in result.output and "does not exist" in result.output
    assert not target.exists() and link.is_symlink()


def test_no_folder_is_created_through_a_dangling_symlink(tmp_path):
    target = tmp_path / "elsewhere"
    (tmp_path / "d").symlink_to(target)
    result = run(
        "homework",
        str(BANK),
        "--versions",
        "1",
        "--seed",
        "1",
        "--out",
        str(tmp_path / "d" / "sub"),
        "--quiet",
        "--formats",
        "json",
    )
    assert result.exit_code == 2, result.output
    assert "symbolic link" in result.output
    assert not target.exists()
    with pytest.raises(files.SymgradError, match="symbolic link"):
        files.prepare_out_dir(tmp_path / "d")
    assert not target.exists()


def test_symlink_loop_as_out_is_refused(tmp_path):
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    with pytest.raises(files.SymgradError, match="symbolic link"):
        files.check_out_dir(tmp_path / "loop", force=True)


def test_symlink_to_an_existing_folder_is_still_accepted(tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "link").symlink_to(real)
    result = run(
        "homework",
        str(BANK),
        "--versions",
        "1",
        "--seed",
        "1",
        "--out",
        str(tmp_path / "link"),
        "--quiet",
        "--formats",
        "json",
    )
    assert result.exit_code == 0, result.output
    assert (real / "index.json").is_file() and (tmp_path / "link").is_symlink()


def test_output_file_as_dangling_symlink_never_creates_its_target(tmp_path):
    target = tmp_path / "elsewhere" / "out.txt"
    link = tmp_path / "out.txt"
    link.symlink_to(target)
    assert run("derive", "x*y", "-o", str(link)).exit_code == 2  # an existing entry: refused
    assert run("derive", "x*y", "-o", str(link), "--force").exit_code == 0
    assert not target.parent.exists()  # the link itself was replaced, nothing written through it
    assert link.is_file() and not link.is_symlink()


def test_permission_error_names_the_users_path_not_the_temp_file(tmp_path, monkeypatch):
    def denied(*args, dir=None, prefix="", suffix="", **kwargs):
        raise PermissionError(13, "Permission denied", os.path.join(dir, prefix + "x1y2" + suffix))

    monkeypatch.setattr(files.tempfile, "mkstemp", denied)
    result = run("derive", "x*y", "-o", str(tmp_path / "out.txt"))
    assert result.exit_code == 2
    assert (
        result.output == f"symgrad: error: cannot read or write: {tmp_path / 'out.txt'}: "
        "Permission denied\n"
    )
    monkeypatch.setattr(files.tempfile, "mkdtemp", denied)
    result = run(
        "homework",
        str(BANK),
        "--versions",
        "1",
        "--seed",
        "1",
        "--out",
        str(tmp_path / "hw"),
        "--quiet",
        "--formats",
        "json",
    )
    assert result.exit_code == 2
    assert (
        result.output == f"symgrad: error: cannot read or write: {tmp_path / 'hw'}: "
        "Permission denied\n"
    )


def test_read_only_disk_names_the_users_path(tmp_path):
    mount = tmp_path / "ro"
    mount.mkdir()
    with tmpfs(mount, "ro,size=64k"):
        result = run("derive", "x*y", "-o", str(mount / "out.txt"))
    assert result.exit_code == 2
    assert (
        result.output == f"symgrad: error: cannot read or write: {mount / 'out.txt'}: "
        "Read-only file system\n"
    )


# --- 4. a 5000-digit integer in a params file ---------------------------------------------


def test_5000_digit_integer_in_params_is_bad_input(tmp_path):
    params = tmp_path / "params.json"
    params.write_text('{"W1": [[' + "9" * 5000 + ']], "b1": [0], "x": [1], "y": [1]}')
    result = run("mlp", "--layers", "1,1", "--output", "sigmoid", "--params", str(params))
    assert result.exit_code == 2, result.output
    assert result.output.startswith("symgrad: error: params: ")
    assert "more than 4300 digits" in result.output and result.output.count("\n") == 1


def test_huge_integer_in_params_from_python_is_bad_input():
    from symgrad.mlp import make_spec, params_from_dict

    spec = make_spec("1,1", output="sigmoid")
    with pytest.raises(files.SymgradError, match="magnitude at most"):
        params_from_dict(spec, {"W1": [[10**5000]], "b1": [0], "x": [1], "y": [1]})
    with pytest.raises(files.SymgradError, match="magnitude at most"):
        params_from_dict(spec, {"W1": [[10**400]], "b1": [0], "x": [1], "y": [1]})


# --- 6 (issue item 9). numbers are ASCII; --wrt "" is an error ----------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["homework", str(BANK), "--versions", "１", "--seed", "1", "--out", "never"],
        ["homework", str(BANK), "--versions", "2", "--seed", "١", "--out", "never"],
        ["mlp", "--layers", "٢,٢"],
        ["mlp", "--layers", "3,2", "--seed", "７"],
        ["exercise", "activation", "--seed", "٣"],
    ],
)
def test_non_ascii_digits_are_not_numbers(args, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert result.output.startswith("symgrad: error: ") and result.output.count("\n") == 1
    assert "digits 0-9" in result.output or "positive integer" in result.output
    assert not (tmp_path / "never").exists()


def test_empty_wrt_is_bad_input():
    result = run("derive", "x*y", "--at", "x=1,y=2", "--wrt", "")
    assert result.exit_code == 2, result.output
    assert result.output.startswith("symgrad: error: --wrt: ")
    assert run("derive", "x*y", "--wrt", "x,").exit_code == 2
    assert run("derive", "x*y", "--wrt", " y ").exit_code == 0


# --- 7 (issue item 6). expressions that start with "-" -------------------------------------


E = math.e


@pytest.mark.parametrize(
    "args",
    [
        ["derive", "-log(exp(z1)/(exp(z1)+exp(z2)))", "--at", "z1=1,z2=2", "--format", "json"],
        [
            "derive",
            "--",
            "-log(exp(z1)/(exp(z1)+exp(z2)))",
            "--at",
            "z1=1,z2=2",
            "--format",
            "json",
        ],
        [
            "derive",
            "--at",
            "z1=1,z2=2",
            "--format",
            "json",
            "--",
            "-log(exp(z1)/(exp(z1)+exp(z2)))",
        ],
    ],
)
def test_negated_log_softmax_has_the_right_values(args):
    result = run(*args)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["value"] == pytest.approx(math.log(1 + E), rel=1e-12)  # 1.3133
    assert data["gradient"]["z1"]["value"] == pytest.approx(-E / (1 + E), rel=1e-12)
    assert data["gradient"]["z2"]["value"] == pytest.approx(E / (1 + E), rel=1e-12)


def test_negated_logistic_loss_is_an_expression():
    expr = "-(y*log(sigmoid(w*x + b)) + (1 - y)*log(1 - sigmoid(w*x + b)))"
    result = run("derive", expr, "--at", "w=0.5,x=2,b=-1,y=1", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["value"] == pytest.approx(math.log(2), rel=1e-12)  # sigmoid(0) = 1/2
    assert data["gradient"]["w"]["value"] == pytest.approx(-0.5 * 2, rel=1e-12)  # (σ - y)·x
    assert data["gradient"]["b"]["value"] == pytest.approx(-0.5, rel=1e-12)


def test_double_dash_before_a_negated_expression():
    """``symgrad derive -- "-(a*b)" --at a=1,b=2``: was "unexpected extra arguments"."""
    result = run("derive", "--", "-(a*b)", "--at", "a=1,b=2", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["value"] == -2
    assert data["gradient"]["a"]["value"] == -2 and data["gradient"]["b"]["value"] == -1


def test_the_entry_point_tunes_the_collector_and_freezes_the_heap_on_the_way_out(
    monkeypatch, capsys
):
    """``symgrad`` (``__main__.main``) raises the young-generation threshold and freezes the
    heap when the command ends, error or not, so the interpreter's last collections skip it."""
    import gc

    from symgrad import __main__ as entry

    before = gc.get_threshold()
    try:
        for argv, status in ((["symgrad", "--version"], 0), (["symgrad", "derive", "x+"], 2)):
            gc.unfreeze()
            gc.set_threshold(*before)
            monkeypatch.setattr(sys, "argv", argv)
            code = 0
            try:
                entry.main()
            except SystemExit as exc:  # a failure exits; success returns
                code = exc.code
            assert code == status
            assert gc.get_threshold()[0] == entry.GC_YOUNG_THRESHOLD > before[0]
            assert gc.get_freeze_count() > 0
        assert "symgrad" in capsys.readouterr().out
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)


def test_a_file_written_by_the_command_line_is_whole_after_the_heap_is_frozen(tmp_path):
    """Freezing the heap at exit must not lose output: files are closed explicitly."""
    out = tmp_path / "d.json"
    args = ["derive", "x*y", "--at", "x=2,y=3", "--format", "json", "-o", str(out)]
    run = subprocess.run(
        [sys.executable, "-m", "symgrad", *args], capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stderr
    assert json.loads(out.read_text(encoding="utf-8"))["gradient"]["x"]["value"] == 3.0
