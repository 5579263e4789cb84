"""The standing fuzz suite of issue 17: nothing lost, nothing hangs, nothing crashes.

Every run, in-process or a real child process, must keep the CLI's contract:

* exit status 0, 1 or 2 (never 3, never death by a signal, never a hang past its timeout);
* exit 2 prints exactly one ``symgrad: error:`` line; no ``Traceback`` on stderr, ever;
* the canary file (inside the test's scratch folder; the corpus has code-injection strings
  that try to create it) is never created;
* memory stays under 500 MB: child processes run with ``RLIMIT_AS`` = 500 MB, so a runaway
  allocation becomes a MemoryError, which must still be a clean exit 2;
* nothing in the scratch folder changes except the named output, and after a failed run
  (exit 2) not even that: an old output file stays byte-identical.

Parts:

* ``tests/fuzz_corpus.txt``: hostile and tricky command lines and files, one per line (the
  format is described at the top of that file), each a test with its own id. Entries marked
  ``proc`` run as a real ``python -m symgrad`` child, two at a time; the others in-process.
  Entries that fail today carry ``xfail=issue 17: ...`` and become strict xfails: the suite is
  green now and turns red (XPASS) when the fix lands, and then the mark is removed.
* hypothesis tests: random expressions, random option soups for every command, mutated spec,
  roster and params files (in-process, with click's CliRunner), and random expressions
  through the real CLI (child processes with the memory limit).
* output paths for every command that writes: existing file, symlink, dangling symlink,
  ``/dev/null``, a read-only mount, a full disk (a 64 kB tmpfs; stdout to it and to
  ``/dev/full``). Mounting needs root; without it those tests skip with the reason.

Example counts (derandomized, so CI is deterministic), default run / ``--fuzz-long``
(``tests/conftest.py``, 10x):

====================================  =========  ===========
test                                  default    --fuzz-long
====================================  =========  ===========
test_random_derive (in-process)       40         400
test_random_options (in-process)      120        1200
test_random_files (in-process)        60         600
test_random_subprocess (child)        4          40
====================================  =========  ===========

plus every corpus entry once (159 entries, 28 of them as children), and 40 output-path
tests. Wall time on a loaded 2-core machine: about 55-70 s.
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import re
import resource
import shlex
import shutil
import signal
import stat
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.disks import tmpfs
from support.lecture import JACOBIAN

from symgrad.cli import cli

pytestmark = pytest.mark.slow  # thousands of hypothesis examples and child processes

CORPUS_PATH = Path(__file__).with_name("fuzz_corpus.txt")
MEMORY_LIMIT = 500 * 2**20  # bytes of address space for every child
HANG_S = 60.0  # a child or an in-process run still going after this "hangs": a failure
IN_PROCESS_HANG_S = 30.0
PARALLEL = 2  # children of the corpus run at the same time
EXAMPLES = {"derive": 40, "options": 120, "files": 60, "subprocess": 4}

# ---------------------------------------------------------------------------------------
# valid inputs the corpus and the strategies start from

SPEC_TOML = """\
title = "Fuzz"
[[exercise]]
id = "act"
kind = "activation"
difficulty = "easy"
points = 2
"""
ROSTER_CSV = "id,name\ns1,Ann Lee\ns2,Bo\n"
PARAMS_JSON = json.dumps(
    {"W1": [[0.5, -0.25], [0.125, 1.0]], "b1": [0.0, 0.5], "x": [1.0, -1.0], "y": [1.0, 0.0]}
)  # for --layers 2,2
OLD_BYTES = b"old output: must survive every failed run\n"


def make_inputs(w: Path) -> dict[str, str]:
    """Write the valid inputs into ``w``; the placeholders of the corpus."""
    (w / "spec.toml").write_text(SPEC_TOML, encoding="utf-8")
    (w / "roster.csv").write_text(ROSTER_CSV, encoding="utf-8")
    (w / "params.json").write_text(PARAMS_JSON, encoding="utf-8")
    (w / "old.txt").write_bytes(OLD_BYTES)
    return {
        "{W}": str(w),
        "{CANARY}": str(w / "canary"),
        "{SPEC}": str(w / "spec.toml"),
        "{ROSTER}": str(w / "roster.csv"),
        "{PARAMS}": str(w / "params.json"),
        "{OLD}": str(w / "old.txt"),
    }


# ---------------------------------------------------------------------------------------
# running the CLI: in-process and as a child, both to one Outcome


@dataclass
class Outcome:
    args: list[str]
    status: int | None  # exit status; None if killed by a signal or for hanging
    stdout: str
    stderr: str
    seconds: float
    hung: bool = False
    signal: int | None = None
    maxrss_kb: int = 0
    exception: BaseException | None = None  # in-process: an exception that escaped the CLI

    @property
    def command(self) -> str:
        return "symgrad " + shlex.join(self.args)


class _Alarm(BaseException):
    """Raised by SIGALRM in an in-process run that takes too long."""


def run_inproc(
    args: list[str], stdin: bytes | None = None, timeout: float = IN_PROCESS_HANG_S
) -> Outcome:
    """``symgrad ARGS`` through click's CliRunner; a run past ``timeout`` is marked hung."""
    fired = []

    def on_alarm(signum, frame):
        fired.append(True)
        raise _Alarm()

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    start = time.monotonic()
    try:
        result = CliRunner().invoke(cli, args, input=stdin, catch_exceptions=True)
    except _Alarm:
        result = None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    seconds = time.monotonic() - start
    if result is None or fired:
        return Outcome(args, None, "", "" if result is None else result.stderr, seconds, hung=True)
    escaped = result.exception if not isinstance(result.exception, SystemExit) else None
    return Outcome(args, result.exit_code, result.stdout, result.stderr, seconds, exception=escaped)


def _child_limits():  # preexec_fn: runs in the child between fork and exec
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    for key in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env[key] = "1"  # thread pools reserve address space; the limit is for symgrad
    env.pop("PYTHONFAULTHANDLER", None)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


class Child:
    """One ``python -m symgrad ARGS`` child with the memory limit, polled without threads."""

    def __init__(
        self,
        args: list[str],
        cwd: Path,
        io_dir: Path,
        stdin: str | None = None,
        stdout: str | None = None,
        timeout: float = HANG_S,
    ):
        self.args, self.timeout = args, timeout
        io_dir.mkdir(parents=True, exist_ok=True)
        self.out_path = Path(stdout) if stdout else io_dir / "stdout"
        self.err_path = io_dir / "stderr"
        stdin_file = open(stdin, "rb") if stdin else open(os.devnull, "rb")
        out_file = open(self.out_path, "wb")
        err_file = open(self.err_path, "wb")
        try:
            self.start = time.monotonic()
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "symgrad", *args],
                cwd=cwd,
                env=child_env(),
                stdin=stdin_file,
                stdout=out_file,
                stderr=err_file,
                preexec_fn=_child_limits,
                start_new_session=True,
            )
        finally:
            for f in (stdin_file, out_file, err_file):
                f.close()
        self.outcome: Outcome | None = None

    def poll(self) -> Outcome | None:
        if self.outcome is not None:
            return self.outcome
        pid, wstatus, usage = os.wait4(self.proc.pid, os.WNOHANG)
        seconds = time.monotonic() - self.start
        hung = False
        if pid == 0:
            if seconds < self.timeout:
                return None
            hung = True
            with _suppress_oserror():
                os.killpg(self.proc.pid, signal.SIGKILL)
            pid, wstatus, usage = os.wait4(self.proc.pid, 0)
        self.proc.returncode = os.waitstatus_to_exitcode(wstatus)  # reaped here, not by Popen
        with _suppress_oserror():  # grandchildren (homework --jobs) must not outlive the run
            os.killpg(self.proc.pid, signal.SIGKILL)
        code = self.proc.returncode
        err = self.err_path.read_bytes().decode("utf-8", "replace")
        out = b"" if self.out_path.is_char_device() else self.out_path.read_bytes()
        self.outcome = Outcome(
            self.args,
            None if hung or code < 0 else code,
            out.decode("utf-8", "replace"),
            err,
            seconds,
            hung=hung,
            signal=-code if code < 0 and not hung else None,
            maxrss_kb=usage.ru_maxrss,
        )
        return self.outcome

    def wait(self) -> Outcome:
        while (outcome := self.poll()) is None:
            time.sleep(0.02)
        return outcome


class _suppress_oserror:
    def __enter__(self):
        return self

    def __exit__(self, kind, value, tb):
        return kind is not None and issubclass(kind, OSError)


def run_child(args, cwd, io_dir, **kw) -> Outcome:
    return Child(args, cwd, io_dir, **kw).wait()


# ---------------------------------------------------------------------------------------
# the contract


ERROR_PREFIX = "symgrad: error:"


def assert_contract(o: Outcome, statuses=(0, 1, 2)) -> None:
    """The README's exit-status contract, for any run."""
    what = f"{o.command}\n--- stderr:\n{o.stderr[-2000:]}"
    assert not o.hung, f"hangs (still running after {o.seconds:.0f} s): {o.command}"
    assert o.signal is None, f"killed by signal {o.signal}: {what}"
    assert o.exception is None, f"exception escaped the CLI: {o.exception!r}: {o.command}"
    assert "Traceback" not in o.stderr, f"traceback: {what}"
    assert o.status in (0, 1, 2), f"exit {o.status}, never allowed: {what}"
    errors = [line for line in o.stderr.splitlines() if line.startswith(ERROR_PREFIX)]
    if o.status == 2:
        assert len(errors) == 1, f"exit 2 needs exactly one error line, got {len(errors)}: {what}"
        assert "internal error" not in errors[0], what
    else:
        assert not errors, f"an error line with exit {o.status}: {what}"
    assert o.maxrss_kb * 1024 < MEMORY_LIMIT, f"{o.maxrss_kb} kB resident: {o.command}"
    assert o.status in statuses, f"exit {o.status}, expected {statuses}: {what}"


def snapshot(root: Path) -> dict[str, tuple]:
    """Every entry under ``root`` (symlinks not followed) with its type and content hash."""
    out: dict[str, tuple] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            rel = str(path.relative_to(root))
            st_ = path.lstat()
            if stat.S_ISLNK(st_.st_mode):
                out[rel] = ("link", os.readlink(path))
            elif stat.S_ISDIR(st_.st_mode):
                out[rel] = ("dir",)
            elif stat.S_ISREG(st_.st_mode):
                out[rel] = ("file", hashlib.sha256(path.read_bytes()).hexdigest())
            else:
                out[rel] = ("other", stat.S_IFMT(st_.st_mode))
    return out


def assert_writes(
    o: Outcome, root: Path, before: dict, after: dict, allowed: list[str] = ()
) -> None:
    """Only the named outputs (paths relative to ``root``, with what is under them) changed,
    and nothing at all after a failed run (exit 2)."""
    changed = sorted(p for p in before.keys() | after.keys() if before.get(p) != after.get(p))
    changed = [p for p in changed if not p.startswith("canary")]  # reported on its own
    assert not (root / "canary").exists(), f"the canary was created: {o.command}"
    if o.status == 2 or o.status is None:
        assert not changed, f"a failed run changed {changed}: {o.command}\n{o.stderr}"
        return
    outside = [
        p for p in changed if not any(p == a or p.startswith(a.rstrip("/") + "/") for a in allowed)
    ]
    assert not outside, f"wrote outside the named output {list(allowed)}: {outside}: {o.command}"


# ---------------------------------------------------------------------------------------
# the corpus


@dataclass
class Entry:
    id: str
    args: list[str]
    line: int
    statuses: tuple[int, ...] = (0, 1, 2)
    proc: bool = False
    within: float | None = None
    stdin: str | None = None
    writes: list[str] = field(default_factory=list)
    stdout_re: str | None = None
    stderr_re: str | None = None
    stderr_not_re: str | None = None
    xfail: str | None = None


def _bytes_value(text: str, where: str) -> bytes:
    """A ``file`` line's value: bytes or str literals, joined by ``+``, repeated by ``* N``.
    Read with ``ast`` (nothing is evaluated); str literals are encoded as UTF-8."""

    def value(node):
        if isinstance(node, ast.Constant) and type(node.value) in (bytes, str, int):
            return node.value.encode("utf-8") if isinstance(node.value, str) else node.value
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mult)):
            left, right = value(node.left), value(node.right)
            if (
                isinstance(node.op, ast.Add)
                and isinstance(left, bytes)
                and isinstance(right, bytes)
            ):
                return left + right
            if (
                isinstance(node.op, ast.Mult)
                and isinstance(left, bytes)
                and isinstance(right, int)
                and 0 <= right <= 10**8
            ):
                return left * right
        raise ValueError(f"{where}: a file value is literals joined by + and * N: {text!r}")

    result = value(ast.parse(text, mode="eval").body)
    if not isinstance(result, bytes):
        raise ValueError(f"{where}: a file value must be bytes or text: {text!r}")
    return result


def load_corpus(path: Path = CORPUS_PATH) -> tuple[list[Entry], dict[str, bytes]]:
    entries: list[Entry] = []
    files: dict[str, bytes] = {}
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        where = f"{path.name}:{number}"
        if not line or line.startswith("#"):
            continue
        if line.startswith("file "):
            name, eq, value = line[5:].partition("=")
            assert eq and re.fullmatch(r"[\w.-]+", name.strip()), f"{where}: file NAME = VALUE"
            files[name.strip()] = _bytes_value(value.strip(), where)
            continue
        parts = line.split(" | ")
        assert len(parts) >= 3, f"{where}: expected ID | ARGS | EXPECT"
        ident, args_text, expect = parts[0].strip(), " | ".join(parts[1:-1]), parts[-1]
        assert re.fullmatch(r"[a-z0-9][a-z0-9.-]*", ident), f"{where}: bad id {ident!r}"
        assert ident not in {e.id for e in entries}, f"{where}: duplicate id {ident}"
        entry = Entry(ident, shlex.split(args_text), number)
        expect, _, entry.xfail = expect.partition("xfail=")
        entry.xfail = entry.xfail.strip() or None
        for token in expect.split():
            if token == "proc":
                entry.proc = True
            elif token.startswith("exit="):
                entry.statuses = tuple(int(s) for s in token[5:].split("|"))
            elif token.startswith("within="):
                entry.within = float(token[7:])
            elif token.startswith("stdin="):
                entry.stdin = token[6:]
            elif token.startswith("writes="):
                entry.writes.append(token[7:])
            elif token.startswith("stdout~"):
                entry.stdout_re = token[7:]
            elif token.startswith("stderr!~"):
                entry.stderr_not_re = token[8:]
            elif token.startswith("stderr~"):
                entry.stderr_re = token[7:]
            else:
                raise AssertionError(f"{where}: unknown expectation {token!r}")
        entries.append(entry)
    return entries, files


CORPUS, CORPUS_FILES = load_corpus()
FILE_RE = re.compile(r"\{FILE:([\w.-]+)\}")


class Prepared:
    """An entry's scratch folder: ``w`` (cwd, inputs, canary, outputs) and ``io`` (stdout,
    stderr), with the command line's placeholders filled in."""

    def __init__(self, entry: Entry, base: Path):
        self.entry, self.w = entry, base / "w"
        self.w.mkdir(parents=True)
        self.io = base / "io"
        subst = make_inputs(self.w)
        wanted = set(FILE_RE.findall(" ".join(entry.args + [entry.stdin or ""])))
        for name in wanted:
            content = CORPUS_FILES[name]
            for key, value in subst.items():
                content = content.replace(key.encode(), value.encode())
            (self.w / name).write_bytes(content)
            subst[f"{{FILE:{name}}}"] = str(self.w / name)

        def fill(text: str) -> str:
            for key, value in subst.items():
                text = text.replace(key, value)
            assert "{" not in text or not re.search(r"\{[A-Z]+(:[\w.-]+)?\}", text), text
            return text

        self.args = [fill(a) for a in entry.args]
        self.stdin = fill(entry.stdin) if entry.stdin else None
        self.writes = [str(Path(fill(p)).relative_to(self.w)) for p in entry.writes]
        self.before = snapshot(self.w)

    def start(self) -> Child:
        return Child(
            self.args, self.w, self.io, stdin=self.stdin, timeout=self.entry.within or HANG_S
        )

    def run_inproc(self) -> Outcome:
        data = Path(self.stdin).read_bytes() if self.stdin else None
        return run_inproc(self.args, data, timeout=self.entry.within or IN_PROCESS_HANG_S)

    def check(self, o: Outcome) -> None:
        e = self.entry
        assert_contract(o, e.statuses)
        if e.within is not None:
            assert o.seconds <= e.within, f"took {o.seconds:.1f} s > {e.within} s: {o.command}"
        if e.stdout_re:
            assert re.search(e.stdout_re, o.stdout), f"stdout !~ {e.stdout_re}: {o.stdout[:2000]}"
        if e.stderr_re:
            assert re.search(e.stderr_re, o.stderr), f"stderr !~ {e.stderr_re}: {o.stderr}"
        if e.stderr_not_re:
            assert not re.search(e.stderr_not_re, o.stderr), (
                f"stderr ~ {e.stderr_not_re}: {o.stderr}"
            )
        assert_writes(o, self.w, self.before, snapshot(self.w), self.writes)


def _corpus_params():
    for e in CORPUS:
        marks = [pytest.mark.xfail(strict=True, reason=e.xfail)] if e.xfail else []
        yield pytest.param(e, id=e.id, marks=marks)


@pytest.fixture(scope="module")
def child_outcomes(request, tmp_path_factory):
    """Run the selected ``proc`` corpus entries, ``PARALLEL`` children at a time (no threads:
    one loop polls them), before the first of their tests asserts."""
    selected = {
        item.callspec.id
        for item in request.session.items
        if getattr(item, "originalname", None) == "test_corpus" and hasattr(item, "callspec")
    }
    pending = [e for e in CORPUS if e.proc and e.id in selected]
    pending.sort(key=lambda e: -(e.within or 0))  # the slow ones first, while others run
    prepared: dict[str, Prepared] = {}
    outcomes: dict[str, Outcome] = {}
    running: dict[str, Child] = {}
    while pending or running:
        while pending and len(running) < PARALLEL:
            e = pending.pop(0)
            prepared[e.id] = Prepared(e, tmp_path_factory.mktemp(f"corpus-{e.id}"))
            running[e.id] = prepared[e.id].start()
        for ident, child in list(running.items()):
            if child.poll() is not None:
                outcomes[ident] = child.outcome
                del running[ident]
        time.sleep(0.02)
    return prepared, outcomes


@pytest.mark.parametrize("entry", list(_corpus_params()))
def test_corpus(entry: Entry, child_outcomes, tmp_path):
    """One corpus entry keeps the contract and its own expectations."""
    if entry.proc:
        prepared, outcomes = child_outcomes
        prepared[entry.id].check(outcomes[entry.id])
    else:
        prepared = Prepared(entry, tmp_path)
        prepared.check(prepared.run_inproc())


def test_corpus_is_well_formed():
    ids = [e.id for e in CORPUS]
    assert len(ids) == len(set(ids)) and len(ids) >= 40
    used = {name for e in CORPUS for name in FILE_RE.findall(" ".join(e.args + [e.stdin or ""]))}
    assert used <= set(CORPUS_FILES), used - set(CORPUS_FILES)
    assert set(CORPUS_FILES) <= used, f"files no entry uses: {set(CORPUS_FILES) - used}"
    assert any("{CANARY}" in " ".join(e.args) for e in CORPUS)
    assert all(e.xfail.startswith("issue 17") for e in CORPUS if e.xfail)


# ---------------------------------------------------------------------------------------
# hypothesis: random expressions, option soups and files (in-process)

SMOOTH = ("exp", "log", "ln", "sqrt", "sin", "cos", "tanh", "sigmoid", "softplus", "swish")
PIECEWISE = ("relu", "hardtanh", "abs", "leaky_relu", "elu")  # and max, min
CONSTANTS = ("1", "2", "0.5", "3", "pi", "e", "0", "10", "1e-3", "(1/3)")
VALUES = ("-2", "-1.5", "-1", "-0.5", "0", "0.3", "0.5", "1", "1.17", "2", "3", "1/2", "pi/4")


def _expressions():
    names = st.sampled_from(("x", "y", "z"))
    leaf = names | names | names | st.sampled_from(CONSTANTS)

    def extend(inner):
        return (
            st.tuples(st.sampled_from(SMOOTH + PIECEWISE), inner).map("{0[0]}({0[1]})".format)
            | st.tuples(inner, st.sampled_from("+-*/^") | st.just("**"), inner).map(
                "({0[0]}){0[1]}({0[2]})".format
            )
            | st.tuples(st.sampled_from(("max", "min")), inner, inner).map(
                "{0[0]}({0[1]}, {0[2]})".format
            )
            | inner.map("-({})".format)
        )

    return st.recursive(leaf, extend, max_leaves=6).filter(
        lambda e: re.search(r"\b[xyz]\b", e) and re.search(r"[-+*/^(]", e)
    )  # something to derive


@st.composite
def derive_args(draw):
    expr = draw(_expressions())
    values = list(VALUES)  # |x| <= 3: issue 17 item 5 (and the corpus) covers extreme points
    at = ",".join(f"{v}={draw(st.sampled_from(values))}" for v in ("x", "y", "z"))
    args = [
        "derive",
        expr,
        "--at",
        at,
        "--granularity",
        draw(st.sampled_from(("written", "primitive", "gate"))),
    ]
    args += draw(
        st.sampled_from(
            (
                [],
                ["--format", "json"],
                ["--format", "markdown"],
                ["--format", "latex"],
                ["--format", "dot"],
                ["--lang", "zh"],
                ["--format", "latex", "--fragment"],
            )
        )
    )
    if draw(st.booleans()):
        args += ["--wrt", draw(st.sampled_from(("x", "y,x", "z", "w", "x,x")))]
    return args


def fuzz_settings(name: str, factor: int) -> settings:
    """Hypothesis settings of the fuzz test ``name``: its example count times ``factor``
    (``--fuzz-long``), the same examples in every run, no example database."""
    return settings(
        max_examples=EXAMPLES[name] * factor,
        deadline=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
        database=None,
    )


def event(label: str, _seen: dict = {}) -> None:  # noqa: B006 - a tally per test, printed
    """Count the exit statuses a random test produced (shown with ``pytest -s``)."""
    _seen.setdefault(label.split(":")[0] if ":" in label else "", Counter())[label] += 1


def tally(test: str) -> Counter:
    """What ``event`` counted so far, printed with the test's example count."""
    counts = Counter()
    for counter in event.__defaults__[0].values():
        counts.update(counter)
    print(f"\n{test}: {sum(counts.values())} runs: {dict(sorted(counts.items()))}")
    event.__defaults__[0].clear()
    return counts


def test_random_derive(fuzz_factor):
    """Random expressions at random points, every granularity and format: the contract."""

    @fuzz_settings("derive", fuzz_factor)
    @given(derive_args())
    def run(args):
        o = run_inproc(args)
        event(f"exit {o.status}")
        assert_contract(o)
        if o.status == 0 and "--format" in args and args[args.index("--format") + 1] == "json":
            json.loads(o.stdout)

    run()
    counts = tally("test_random_derive")
    assert counts["exit 0"] >= EXAMPLES["derive"] * fuzz_factor // 3, counts  # real work


# hostile option values: unicode digits, huge numbers, empty strings, negative counts
HOSTILE_VALUES = (
    "",
    " ",
    "0",
    "-1",
    "-0",
    "1",
    "2",
    "3,3",
    "１",
    "٢",
    "٢,٢",
    "1e999",
    "nan",
    "inf",
    "-inf",
    "9" * 40,
    "-" + "9" * 40,
    "0x10",
    "1_000",
    "２,２",
    "1.5",
    "x",
    "x=1",
    "=",
    ",",
    "a,b",
    "\u200b",
    "--",
    "-",
    "--help",
    "None",
    "é",
    "\x1b[31m",
    "W1,1,1",
    "b1,1",
    "relu",
    "softmax",
    "ce",
    "json",
    "zh",
)
OPTIONS = {
    "derive": ["--at", "--wrt", "--granularity", "--format", "--lang", "--title", "-o"],
    "mlp": [
        "--layers",
        "--hidden",
        "--output",
        "--loss",
        "--l2",
        "--seed",
        "--entry",
        "--format",
        "--lang",
        "--title",
    ],
    "jacobian": ["--y", "--z", "--x", "--y-names", "--at", "--format", "--lang"],
    "exercise": ["--seed", "--difficulty", "--format", "--lang"],
    "stress": ["-n", "--difficulty", "--start", "--format"],
    "homework": ["--versions", "--seed", "--formats", "--lang", "--jobs", "--roster"],
    "kinds": [],
}
FLAGS = {
    "derive": ["--no-check", "--fragment", "--force"],
    "mlp": ["--no-check", "--no-scalar-check", "--fragment"],
    "jacobian": ["--force"],
    "exercise": ["--answers"],
    "stress": ["--no-check"],
    "homework": ["--force"],
    "kinds": [],
}
BASE = {  # a valid start that the random options then change
    "derive": ["derive", "x*y+sin(x)", "--at", "x=1,y=2"],
    "mlp": ["mlp", "--layers", "2,3,2", "--seed", "1"],
    "jacobian": [*JACOBIAN],
    "exercise": ["exercise", "activation"],
    "stress": ["stress", "activation", "-n", "1", "--quiet"],
    "homework": [
        "homework",
        "{SPEC}",
        "--versions",
        "1",
        "--seed",
        "1",
        "--out",
        "{W}/hw",
        "--quiet",
        "--formats",
        "json",
    ],
    "kinds": ["kinds"],
}


@st.composite
def option_soup(draw):
    command = draw(st.sampled_from(sorted(BASE)))
    args = list(BASE[command])
    for _ in range(draw(st.integers(0, 3))):
        choice = draw(st.integers(0, 9))
        if choice < 6 and OPTIONS[command]:
            option = draw(st.sampled_from(OPTIONS[command]))
            value = draw(st.sampled_from(HOSTILE_VALUES) | st.text(max_size=12))
            if option == "-o":
                value = "{W}/out.txt"
            if option == "--jobs" and value.strip().isdigit() and value.strip() not in "01":
                value = "1"  # more workers only cost time here; the corpus has --jobs 0
            if command == "stress" and option == "-n" and value not in ("", "0", "-1"):
                value = draw(st.sampled_from(("0", "-1", "１", "1e999", "", "1")))  # stay tiny
            args += [option, value]
        elif choice < 8 and FLAGS[command]:
            args.append(draw(st.sampled_from(FLAGS[command])))
        else:  # an unknown option or a stray argument
            args.append(
                draw(
                    st.sampled_from(
                        ("--bogus", "-q", "--formats=", "--at=x=1", "extra", "--debug", "--", "-x")
                    )
                )
            )
    return command, args


def test_random_options(fuzz_factor, tmp_path_factory):
    """Every command with random and hostile option values, unknown options and flags."""

    @fuzz_settings("options", fuzz_factor)
    @given(option_soup())
    def run(soup):
        command, args = soup
        w = tmp_path_factory.mktemp("options")
        subst = make_inputs(w)
        args = [a.replace("{W}", str(w)).replace("{SPEC}", subst["{SPEC}"]) for a in args]
        before = snapshot(w)
        o = run_inproc(args)
        event(f"{command}: exit {o.status}")
        if "--debug" in args and o.status == 2:
            o.stderr = re.sub(r"(?s)Traceback.*?(?=^symgrad: error:)", "", o.stderr, flags=re.M)
        assert_contract(o)
        assert_writes(o, w, before, snapshot(w), ["out.txt", "hw"])
        shutil.rmtree(w, ignore_errors=True)

    run()
    counts = tally("test_random_options")
    assert sum(v for k, v in counts.items() if k.endswith("exit 0")) >= 5, counts


VALID_FILES = {
    "spec": SPEC_TOML.encode(),
    "roster": ROSTER_CSV.encode(),
    "params": PARAMS_JSON.encode(),
}


@st.composite
def mutated_file(draw):
    """A valid spec, roster or params file, cut, spliced, duplicated or salted with bytes."""
    kind = draw(st.sampled_from(sorted(VALID_FILES)))
    data = VALID_FILES[kind]
    for _ in range(draw(st.integers(1, 3))):
        i = draw(st.integers(0, len(data)))
        j = draw(st.integers(i, len(data)))
        how = draw(st.integers(0, 5))
        if how == 0:
            data = data[:i]
        elif how == 1:
            data = data[:i] + draw(st.binary(max_size=8)) + data[j:]
        elif how == 2:
            data = data[:i] + data[i:j] * draw(st.integers(2, 50)) + data[j:]
        elif how == 3:
            data = (
                data[:i]
                + draw(
                    st.sampled_from(
                        (
                            b"\xef\xbb\xbf",
                            b"\x00",
                            b'"',
                            b"[",
                            b"{",
                            b"9" * 5000,
                            b"\r\n",
                            b"NaN",
                            b"1e999",
                            b"\xff",
                            b"[[exercise]]\n",
                            b"\n,,,\n",
                            b"-1",
                        )
                    )
                )
                + data[j:]
            )
        elif how == 4:
            data = data[:i] + draw(st.text(max_size=8)).encode() + data[j:]
        else:
            data = data[:i] + data[j:]
    return kind, data


def test_random_files(fuzz_factor, tmp_path_factory):
    """Mutated spec, roster and params files: refused cleanly or used, never a crash."""

    @fuzz_settings("files", fuzz_factor)
    @given(mutated_file())
    def run(case):
        kind, data = case
        w = tmp_path_factory.mktemp("files")
        subst = make_inputs(w)
        path = w / f"fuzzed.{kind}"
        path.write_bytes(data)
        out = str(w / "hw")
        args = {
            "spec": [
                "homework",
                str(path),
                "--versions",
                "1",
                "--seed",
                "3",
                "--out",
                out,
                "--quiet",
                "--formats",
                "json",
            ],
            "roster": [
                "homework",
                subst["{SPEC}"],
                "--roster",
                str(path),
                "--seed",
                "3",
                "--out",
                out,
                "--quiet",
                "--formats",
                "json",
            ],
            "params": ["mlp", "--layers", "2,2", "--params", str(path)],
        }[kind]
        before = snapshot(w)
        o = run_inproc(args)
        event(f"{kind}: exit {o.status}")
        assert_contract(o)
        assert_writes(o, w, before, snapshot(w), ["hw"])
        shutil.rmtree(w, ignore_errors=True)

    run()
    tally("test_random_files")


def test_random_subprocess(fuzz_factor, tmp_path_factory):
    """Random expressions through the real CLI on standard input (derive -), with the memory
    limit of every child."""

    @fuzz_settings("subprocess", fuzz_factor)
    @given(derive_args())
    def run(args):
        base = tmp_path_factory.mktemp("child")
        w = base / "w"
        w.mkdir()
        make_inputs(w)
        (base / "expr.txt").write_text(args[1], encoding="utf-8")
        before = snapshot(w)
        o = run_child([args[0], "-", *args[2:]], w, base / "io", stdin=str(base / "expr.txt"))
        event(f"exit {o.status}")
        assert_contract(o)
        assert_writes(o, w, before, snapshot(w))

    run()
    tally("test_random_subprocess")


# ---------------------------------------------------------------------------------------
# output paths: every command that writes a file or a folder

WRITERS = {  # command line with {OUT} for the named output
    "derive": ["derive", "x*y+sin(x)", "--at", "x=1,y=2", "-o", "{OUT}"],
    "mlp": ["mlp", "--layers", "2,2", "--seed", "1", "-o", "{OUT}"],
    "jacobian": [
        *JACOBIAN,
        "-o",
        "{OUT}",
    ],
    "homework": [
        "homework",
        "{SPEC}",
        "--versions",
        "1",
        "--seed",
        "1",
        "--out",
        "{OUT}",
        "--quiet",
        "--formats",
        "json",
    ],
}


def _writer(command: str, w: Path, out: str) -> list[str]:
    subst = make_inputs(w)
    return [a.replace("{OUT}", out).replace("{SPEC}", subst["{SPEC}"]) for a in WRITERS[command]]


def _run_writer(command, w, out, extra=(), inproc=True) -> tuple[Outcome, dict, dict]:
    args = _writer(command, w, out) + list(extra)
    before = snapshot(w)
    o = run_inproc(args) if inproc else run_child(args, w, w.parent / "io")
    return o, before, snapshot(w)


@pytest.mark.parametrize("command", sorted(WRITERS))
def test_existing_output_is_refused_and_kept(command, tmp_path):
    w = tmp_path / "w"
    w.mkdir()
    target = w / "old.txt"
    o, before, after = _run_writer(command, w, str(target))
    assert_contract(o, (2,))
    assert target.read_bytes() == OLD_BYTES
    assert_writes(o, w, before, after)


@pytest.mark.parametrize("command", sorted(WRITERS))
def test_symlink_output(command, tmp_path):
    """A symlink to an existing file is an existing output: refused, link and file kept."""
    w = tmp_path / "w"
    w.mkdir()
    (w / "link").symlink_to(w / "old.txt")
    o, before, after = _run_writer(command, w, str(w / "link"))
    assert_contract(o, (2,))
    assert (w / "link").is_symlink() and (w / "old.txt").read_bytes() == OLD_BYTES
    assert_writes(o, w, before, after)


@pytest.mark.parametrize("command", sorted(WRITERS))
def test_dangling_symlink_output(command, tmp_path):
    """A dangling symlink as the output is refused; nothing appears at its target (issue 17
    item 3: homework created the link's target and wrote the set there)."""
    w = tmp_path / "w"
    w.mkdir()
    (w / "dangling").symlink_to(w / "elsewhere" / "target")
    o, before, after = _run_writer(command, w, str(w / "dangling"))
    assert not (w / "elsewhere").exists(), f"wrote at the link's target: {o.command}"
    assert_contract(o, (2,))
    assert_writes(o, w, before, after)


@pytest.mark.parametrize("command", sorted(WRITERS))
@pytest.mark.parametrize("force", [False, True], ids=["", "force"])
def test_special_file_output(command, force, tmp_path):
    """``/dev/null`` (a character device) as the output is refused, with or without --force."""
    w = tmp_path / "w"
    w.mkdir()
    o, before, after = _run_writer(command, w, os.devnull, ["--force"] if force else [])
    assert_contract(o, (2,))
    assert Path(os.devnull).is_char_device()
    assert_writes(o, w, before, after)


@pytest.mark.parametrize("command", sorted(WRITERS))
def test_new_output_is_the_only_write(command, tmp_path):
    """The positive case: a new output is written, and nothing else is."""
    w = tmp_path / "w"
    w.mkdir()
    o, before, after = _run_writer(command, w, str(w / "new"))
    assert_contract(o, (0,))
    assert (w / "new").exists()
    assert_writes(o, w, before, after, ["new"])


@pytest.fixture
def small_mount(tmp_path):
    """A 64 kB tmpfs in the test's folder (root only); unmounted afterwards."""
    mount = tmp_path / "w" / "mnt"
    mount.mkdir(parents=True)
    with tmpfs(mount):
        yield mount


def _fill(mount: Path, leave: int = 2048) -> None:
    with open(mount / "filler", "wb") as f:
        try:
            f.write(b"\0" * (64 * 1024 - leave))
            f.flush()
        except OSError:
            pass


BIG = "+".join(f"sin(x{i})*exp(x{i})" for i in range(30))  # > 64 kB as LaTeX
BIG_AT = ",".join(f"x{i}=0.{i + 1}" for i in range(30))


@pytest.mark.parametrize("command", sorted(WRITERS))
def test_full_disk_output(command, small_mount):
    """``-o``/``--out`` on a full disk: exit 2, one line, no partial or temp file left."""
    w = small_mount.parent
    make_inputs(w)
    _fill(small_mount)
    args = _writer(command, w, str(small_mount / "out"))
    if command == "derive":
        args = [
            "derive",
            BIG,
            "--at",
            BIG_AT,
            "--format",
            "latex",
            "--no-check",
            "-o",
            str(small_mount / "out"),
        ]
    listing = sorted(p.name for p in small_mount.iterdir())
    o = run_child(args, w, w.parent / "io")
    assert_contract(o, (2,))
    assert sorted(p.name for p in small_mount.iterdir()) == listing, "a partial file is left"


def test_full_disk_stdout(small_mount):
    """``symgrad derive BIG --format latex > file`` on a nearly full disk must not exit 0
    (issue 17 item 1: it wrote 8 kB of the result and exited 0)."""
    w = small_mount.parent
    _fill(small_mount)
    o = run_child(
        ["derive", BIG, "--at", BIG_AT, "--format", "latex", "--no-check"],
        w,
        w.parent / "io",
        stdout=str(small_mount / "stdout.tex"),
    )
    assert_contract(o, (2,))


@pytest.mark.parametrize("command", ["derive", "mlp", "jacobian", "exercise", "kinds"])
def test_stdout_dev_full(command, tmp_path):
    """Standard output to ``/dev/full``: exit 2 with one line, never a silent exit 0."""
    w = tmp_path / "w"
    w.mkdir()
    args = {"exercise": ["exercise", "graph", "--answers"], "kinds": ["kinds"]}.get(command)
    if args is None:
        args = [a for a in _writer(command, w, "-") if a not in ("-o", "-")]
    o = run_child(args, w, tmp_path / "io", stdout="/dev/full")
    assert_contract(o, (2,))


@pytest.mark.parametrize("command", sorted(WRITERS))
def test_read_only_output_folder(command, tmp_path):
    """An output in a folder that cannot be written: exit 2 with one line, nothing written.
    As root a chmod is no obstacle, so a read-only tmpfs is mounted (skipped without root)."""
    w = tmp_path / "w"
    ro = w / "ro"
    ro.mkdir(parents=True)
    if os.geteuid() == 0:
        with tmpfs(ro, "ro,size=64k"):
            o, before, after = _run_writer(command, w, str(ro / "out"))
    else:
        ro.chmod(0o555)
        try:
            o, before, after = _run_writer(command, w, str(ro / "out"))
        finally:
            ro.chmod(0o755)
    assert_contract(o, (2,))
    assert_writes(o, w, before, after)
