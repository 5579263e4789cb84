"""symgrad's benchmark: every time is a ratio against a baseline measured in the same run.

    python benchmarks/run.py            # full run (a few minutes), writes BENCHMARKS.md
    python benchmarks/run.py --quick    # small sizes, one repeat: CI's smoke test

Each case runs as a fresh subprocess; the reported time is the median wall time of several
runs, and peak memory is the child's own ``ru_maxrss`` (``os.wait4``). The script never
asserts on time: it exits 1 only when a symgrad command itself fails.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIGMOID = "1/(1+exp(-(w0*x0+w1*x1+w2)))"
POINT = "w0=2,x0=-1,w1=-3,x1=-2,w2=-3"
MLP_SIZES = ["3,4,3,2", "4,8,8,3", "8,16,16,4", "16,32,32,8"]
MLP_SEED = 3
HOMEWORK_SPEC = "bank/lecture3-2.toml"
TARGETS = {"help": 2.5, "derive": 2.0, "mlp": 6.0, "homework": 15.0, "memory_mb": 500.0,
           "exponent": 1.2, "slowest": 12.0}
# The slowest accepted input of the fuzz corpus (tests/fuzz_corpus.txt, slow-sin-119):
# "a few seconds" is its goal, as a ratio to `import sympy` measured in the same run
SLOWEST = "sin(" * 119 + "x" + ")" * 119
SLOWEST_POINT = "x=0.5"


# --------------------------------------------------------------------------- running

@dataclass
class Run:
    seconds: float
    status: int  # exit status; None when killed at the timeout
    maxrss_mb: float
    stderr: str = ""


def run_once(cmd: list[str], timeout: float | None = None) -> Run:
    """Run ``cmd`` from the repository root; wall time, exit status and the child's peak RSS."""
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=err)
        timer = threading.Timer(timeout, proc.kill) if timeout else None
        if timer:
            timer.start()
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        if timer:
            timer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        message = err.read().decode(errors="replace")[-2000:]
    # ru_maxrss is in KiB on Linux, bytes on macOS
    rss = usage.ru_maxrss / (2**20 if sys.platform == "darwin" else 2**10)
    return Run(seconds, None if proc.returncode < 0 else proc.returncode, rss, message)


@dataclass
class Timing:
    label: str
    runs: list[Run] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.runs) and all(r.status == 0 for r in self.runs)

    @property
    def median(self) -> float:
        return statistics.median(r.seconds for r in self.runs)

    @property
    def peak_mb(self) -> float:
        return max(r.maxrss_mb for r in self.runs)


def measure(label: str, cmd: list[str], baseline: list[str], repeat: int,
            prepare=None) -> tuple[Timing, Timing]:
    """Median of ``repeat`` runs of ``cmd``, each right after one of ``baseline``, so that a
    machine busy with other work slows both alike. Stops at the first failure."""
    timing, base = Timing(label), Timing(" ".join(baseline[1:]))
    for _ in range(repeat):
        base.runs.append(run_once(baseline))
        if prepare:
            prepare()
        timing.runs.append(run_once(cmd))
        if timing.runs[-1].status != 0:
            break
    state = f"{timing.median:.3f} s" if timing.ok else f"FAILED ({timing.runs[-1].status})"
    print(f"  {label:<58} {state}   baseline {base.median:.3f} s", file=sys.stderr, flush=True)
    return timing, base


def symgrad_command() -> list[str]:
    """The installed console script next to this interpreter (no shell shims), else -m."""
    script = Path(sysconfig.get_path("scripts")) / ("symgrad.exe" if os.name == "nt" else "symgrad")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "symgrad"]


def python(code: str) -> list[str]:
    return [sys.executable, "-c", code]


def this_script(*args: str) -> list[str]:
    return [sys.executable, str(Path(__file__).resolve()), *args]


# --------------------------------------------------------------------------- in-process helpers

def mlp_work(layers: str, repeat: int) -> None:
    """Print the median in-process time of the mlp command's work (no start-up) as JSON."""
    from symgrad.mlp import make_spec, random_params, run_mlp
    from symgrad.render import render

    spec = make_spec(layers)
    params = random_params(spec, MLP_SEED)

    def work():
        render(run_mlp(spec, params, check=True, scalar_check=False), "json")

    work()  # warm: first calls pay lazy imports
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    print(json.dumps({"seconds": statistics.median(times), "params": spec.n_params}))


def naive_sympy(layers: str) -> None:
    """The baseline reverse mode avoids: the whole loss as one SymPy expression, diffed per
    parameter and evaluated at the same point as ``symgrad mlp --seed 3``; prints JSON."""
    import numpy as np
    import sympy

    from symgrad.mlp import make_spec, random_params, run_mlp

    spec = make_spec(layers)  # defaults: relu hidden, softmax output, cross-entropy
    params = random_params(spec, MLP_SEED)
    start = time.perf_counter()
    n = spec.layers
    x = sympy.symbols(f"x1:{n[0] + 1}", real=True)
    y = sympy.symbols(f"y1:{n[-1] + 1}", real=True)
    h, weights, point = list(x), [], {}
    for k in range(1, len(n)):
        W = sympy.Matrix([[sympy.Symbol(f"w{k}_{j}_{i}", real=True) for i in range(n[k - 1])]
                          for j in range(n[k])])
        b = sympy.Matrix([sympy.Symbol(f"b{k}_{j}", real=True) for j in range(n[k])])
        z = W * sympy.Matrix(h) + b
        h = [sympy.Max(0, zj) for zj in z] if k < len(n) - 1 else list(z)
        weights += list(W) + list(b)
        point.update(zip(W, params.weights[k - 1].reshape(-1)))
        point.update(zip(b, params.biases[k - 1]))
    total = sum(sympy.exp(zj) for zj in h)
    loss = -sum(yj * sympy.log(sympy.exp(zj) / total) for yj, zj in zip(y, h))
    point.update(zip(x, params.x))
    point.update(zip(y, params.y))
    at = {s: sympy.Float(float(v)) for s, v in point.items()}
    grads = [float(sympy.diff(loss, p).xreplace(at)) for p in weights]
    seconds = time.perf_counter() - start
    result = run_mlp(spec, params, check=False, scalar_check=False)
    ours = np.concatenate([np.concatenate([result.gradients[f"W{k}"].reshape(-1),
                                           result.gradients[f"b{k}"]])
                           for k in range(1, len(n))])
    agree = bool(np.allclose(ours, grads, rtol=1e-8, atol=1e-10))
    print(json.dumps({"seconds": seconds, "agree": agree}))


def last_json(cmd: list[str], timeout: float | None) -> dict | None:
    try:
        out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout,
                             check=False)
    except subprocess.TimeoutExpired:
        return None
    if out.returncode != 0:
        print(out.stderr[-2000:], file=sys.stderr)
        return None
    return json.loads(out.stdout.strip().splitlines()[-1])


def profile_top(args: list[str], entries: int = 8) -> list[str]:
    """Top entries (own time) of ``python -m cProfile -m symgrad ARGS``, paths shortened."""
    import pstats

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "profile"
        workdir = Path(tmp) / "work"
        args = [str(workdir) if a == "{tmp}" else a for a in args]
        run = subprocess.run([sys.executable, "-m", "cProfile", "-o", str(out), "-m", "symgrad",
                              *args], cwd=ROOT, capture_output=True, check=False)
        if run.returncode != 0 or not out.exists():
            return []
        stats = pstats.Stats(str(out)).stats
    rows = sorted(stats.items(), key=lambda item: item[1][2], reverse=True)[:entries]
    lines = []
    for (filename, line, name), (_, calls, own, cumulative, _) in rows:
        lines.append(f"| `{_short(filename)}:{line}({name})` | {calls} | {own:.3f} | "
                     f"{cumulative:.3f} |")
    return ["| function | calls | own (s) | cumulative (s) |", "|---|---:|---:|---:|", *lines]


def _short(filename: str) -> str:
    """A path without this machine's directories: relative to the repo, site-packages or stdlib."""
    for base in (str(ROOT), sysconfig.get_path("purelib"), sysconfig.get_path("platlib"),
                 sysconfig.get_path("stdlib")):
        if filename.startswith(base + os.sep):
            return filename[len(base) + 1:]
    return Path(filename).name if os.path.isabs(filename) else filename


def fit_exponent(sizes: list[float], times: list[float]) -> float:
    """Least-squares slope of log(time) against log(size)."""
    lx, ly = [math.log(s) for s in sizes], [math.log(t) for t in times]
    mx, my = statistics.mean(lx), statistics.mean(ly)
    return sum((a - mx) * (b - my) for a, b in zip(lx, ly)) / sum((a - mx) ** 2 for a in lx)


# --------------------------------------------------------------------------- the benchmark

@dataclass
class Row:
    case: str
    timing: Timing | None
    baseline: Timing
    target: float | None
    note: str = ""
    args: tuple[str, ...] = ()  # symgrad's arguments, for profiling a missed target

    @property
    def ratio(self) -> float | None:
        if self.timing is None or not self.timing.ok or not self.baseline.ok:
            return None
        return self.timing.median / self.baseline.median

    @property
    def met(self) -> str:
        if self.ratio is None or self.target is None:
            return "–"
        return "yes" if self.ratio <= self.target else "no"


def benchmark(repeat: int, quick: bool) -> dict:
    sg = symgrad_command()
    rows: list[Row] = []
    click_, sympy_, both = (python("import click"), python("import sympy"),
                            python("import sympy, numpy"))
    t, base = measure("symgrad --help", sg + ["--help"], click_, repeat)
    rows.append(Row("(a) `symgrad --help` / `import click`", t, base, TARGETS["help"],
                    args=("--help",)))
    derive = ("derive", SIGMOID, "--at", POINT)
    t, base = measure("symgrad derive <sigmoid circuit> --at ...", sg + list(derive), sympy_,
                      repeat)
    rows.append(Row("(b) `symgrad derive` sigmoid circuit / `import sympy`", t, base,
                    TARGETS["derive"], args=derive))

    sizes = MLP_SIZES[:2] if quick else MLP_SIZES
    mlp_rows, work, naive = [], [], []
    naive_timeout = 10.0 if quick else 60.0
    naive_gave_up = False
    for layers in sizes:
        args = ("mlp", "--layers", layers, "--seed", str(MLP_SEED), "--format", "json")
        t, base = measure(f"symgrad mlp --layers {layers} --seed 3 --format json",
                          sg + list(args), both, repeat)
        target = TARGETS["mlp"] if layers == MLP_SIZES[-1] else None
        rows.append(Row(f"(c) `symgrad mlp --layers {layers}` / `import sympy, numpy`", t, base,
                        target, args=args))
        mlp_rows.append((layers, t))
        work.append(last_json(this_script("--mlp-work", layers, "--repeat", str(repeat)), 120))
        if naive_gave_up or (quick and layers != sizes[0]):
            naive.append(None)
            continue
        n = last_json(this_script("--naive-sympy", layers), naive_timeout)
        state = "timed out" if n is None else f"{n['seconds']:.3f} s"
        print(f"  {'naive SymPy diff of the flattened loss ' + layers:<58} {state}",
              file=sys.stderr, flush=True)
        naive.append(n)
        naive_gave_up = n is None

    exponent = None
    if all(work) and len(work) >= 2:
        exponent = fit_exponent([w["params"] for w in work], [w["seconds"] for w in work])

    versions = "10" if quick else "100"
    out = Path(tempfile.mkdtemp(prefix="symgrad-bench-"))
    hw_args = ("homework", HOMEWORK_SPEC, "--versions", versions, "--seed", "1", "--out",
               "{tmp}", "--quiet")
    hw_cmd = sg + [str(out / "hw") if a == "{tmp}" else a for a in hw_args]
    hw, base = measure(f"symgrad homework ... --versions {versions}", hw_cmd, sympy_,
                       max(1, min(repeat, 3)),  # the slowest case: at most three runs
                       prepare=lambda: shutil.rmtree(out / "hw", ignore_errors=True))
    shutil.rmtree(out, ignore_errors=True)
    hw_note = "" if hw.ok else "not available (" + (hw.runs[-1].stderr.strip().splitlines()
                                                    or ["failed"])[-1][:120] + ")"
    rows.append(Row(f"(d) `symgrad homework` {versions} versions / `import sympy`",
                    hw if hw.ok else None, base, TARGETS["homework"], hw_note, hw_args))

    slow = ("derive", SLOWEST, "--at", SLOWEST_POINT)
    t, base = measure("symgrad derive <119 nested sin> --at x=0.5", sg + list(slow), sympy_,
                      max(1, min(repeat, 3)))
    rows.append(Row("(e) `symgrad derive` 119 nested sin, the slowest accepted input of the "
                    "fuzz corpus / `import sympy`", t, base, TARGETS["slowest"], args=slow))

    failures = [row.case for row in rows if row.timing is not None and not row.timing.ok]
    symgrad_runs = [r.timing for r in rows if r.timing is not None and r.timing.ok]
    largest = max(symgrad_runs, key=lambda t: t.peak_mb, default=None)
    gaps = {row.case: profile_top(list(row.args)) for row in rows if row.met == "no"}
    return {"rows": rows, "gaps": gaps, "mlp": mlp_rows, "work": work, "naive": naive,
            "sizes": sizes, "exponent": exponent, "largest": largest, "failures": failures,
            "naive_timeout": naive_timeout, "repeat": repeat, "quick": quick}


# --------------------------------------------------------------------------- reporting

def machine() -> list[str]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = json.loads(subprocess.run(
        python("import json, numpy, sympy, click, jinja2; print(json.dumps([numpy.__version__, "
               "sympy.__version__, click.__version__, jinja2.__version__]))"),
        capture_output=True, text=True, check=True).stdout)
    return [f"CPU: {cpu}, {os.cpu_count()} logical cores; {platform.system()} "
            f"{platform.machine()}",
            f"Python {platform.python_version()}, NumPy {versions[0]}, SymPy {versions[1]}, "
            f"click {versions[2]}, Jinja2 {versions[3]}"]


def _s(t: Timing | None) -> str:
    return "–" if t is None or not t.ok else f"{t.median:.3f}"


def table(report: dict) -> list[str]:
    lines = ["| case | symgrad (s) | baseline (s) | ratio | target | met |",
             "|---|---:|---:|---:|---:|:---:|"]
    for row in report["rows"]:
        ratio = "–" if row.ratio is None else f"{row.ratio:.2f}×"
        target = "–" if row.target is None else f"≤ {row.target:g}×"
        symgrad = row.note or _s(row.timing)
        lines.append(f"| {row.case} | {symgrad} | {_s(row.baseline)} | {ratio} | {target} | "
                     f"{row.met} |")
    largest = report["largest"]
    if largest is None:
        return lines
    mem_ok = "yes" if largest.peak_mb <= TARGETS["memory_mb"] else "no"
    lines.append(f"| (f) peak memory (largest: {largest.label}) | {largest.peak_mb:.0f} MB | – | "
                 f"– | ≤ {TARGETS['memory_mb']:g} MB | {mem_ok} |")
    return lines


def growth(report: dict) -> list[str]:
    lines = ["| layers | parameters | `symgrad mlp` (s) | in-process work (ms) | peak MB | "
             "naive SymPy (s) | naive / symgrad |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for (layers, t), w, n in zip(report["mlp"], report["work"], report["naive"]):
        params = w["params"] if w else "?"
        work = f"{1000 * w['seconds']:.1f}" if w else "–"
        if n is None:
            naive, speedup = f"> {report['naive_timeout']:g} (not run or timed out)", "–"
        else:
            naive = f"{n['seconds']:.2f}" + ("" if n["agree"] else " (disagrees!)")
            speedup = f"{n['seconds'] / t.median:.0f}×" if t.ok else "–"
        lines.append(f"| [{layers}] | {params} | {_s(t)} | {work} | "
                     f"{t.peak_mb:.0f} | {naive} | {speedup} |")
    exp = report["exponent"]
    met = "–" if exp is None else ("met" if exp <= TARGETS["exponent"] else "not met")
    lines += ["", f"Fitted growth exponent of the work against the number of parameters: "
              f"**{'–' if exp is None else f'{exp:.2f}'}** (goal ≤ {TARGETS['exponent']:g}: "
              f"{met})."]
    return lines


def markdown(report: dict) -> str:
    mode = "quick mode (`--quick`)" if report["quick"] else "full run"
    lines = ["# symgrad benchmarks", "",
             f"Written by `python benchmarks/run.py` ({mode}, median of {report['repeat']} "
             f"runs per case, each a fresh process). Every time is compared with a baseline "
             f"measured in the same run (each run right after a baseline run), so the ratios carry over between machines better "
             f"than the seconds.", "", "## Machine", ""]
    lines += [f"- {line}" for line in machine()]
    lines += ["", "## Targets", ""] + table(report)
    lines += ["", "## MLP growth, and the flattened-loss baseline", "",
              "`symgrad mlp --layers L --seed 3 --format json` (all gradients plus the "
              "finite-difference check; networks of at most 200 parameters are also "
              "cross-checked on the scalar graph, which imports SymPy). *In-process work* is "
              "`run_mlp(..., check=True, scalar_check=False)` plus the JSON output, timed after "
              "a warm-up, so the same work at every size. *Naive SymPy* builds the whole loss "
              "as one SymPy expression and calls `sympy.diff` once per parameter, evaluated at "
              "the same point (timed without start-up, in a subprocess with a "
              f"{report['naive_timeout']:g} s limit; its gradients are compared with symgrad's).",
              ""]
    lines += growth(report)
    for case, top in report["gaps"].items():
        lines += ["", f"## Missed: {case}", "", "Top entries by own time of one run under "
                  "`python -m cProfile -m symgrad ...` (start-up included):", "", *top]
    lines += ["", "Commands: (a) `symgrad --help`; (b) `symgrad derive "
              f"\"{SIGMOID}\" --at {POINT}`; (d) `symgrad homework {HOMEWORK_SPEC} --versions N "
              "--seed 1 --out DIR --quiet` (LaTeX, Markdown, Moodle XML and JSON; no PDF); "
              "(e) `symgrad derive \"sin(sin(...sin(x)...))\" --at x=0.5` (119 nested). "
              "Peak memory is each child's `ru_maxrss`.", ""]
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="Small sizes and one repeat (CI smoke test; asserts nothing).")
    parser.add_argument("--no-write", action="store_true", help="Do not write BENCHMARKS.md.")
    parser.add_argument("--repeat", type=int, help="Runs per case (default 5, quick 1).")
    parser.add_argument("--mlp-work", metavar="LAYERS", help=argparse.SUPPRESS)
    parser.add_argument("--naive-sympy", metavar="LAYERS", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    repeat = args.repeat or (1 if args.quick else 5)
    if args.mlp_work:
        mlp_work(args.mlp_work, repeat)
        return 0
    if args.naive_sympy:
        naive_sympy(args.naive_sympy)
        return 0
    report = benchmark(repeat, args.quick)
    text = markdown(report)
    print(text)
    if not args.no_write:
        (ROOT / "BENCHMARKS.md").write_text(text, encoding="utf-8")
        print("wrote BENCHMARKS.md", file=sys.stderr)
    if report["failures"]:
        print("failed: " + "; ".join(report["failures"]), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
