"""The work ``benchmarks/run.py`` times in-process: derive families, the MLP and its baselines.

Each function runs in a child process of its own and returns plain numbers (JSON). Times are
medians over ``repeat`` runs after one warm-up run; SymPy's cache and symgrad's per-expression
cache are cleared before each run, so a repeat does the whole work again.
"""

from __future__ import annotations

import statistics
import time

DERIVE_FAMILIES = ("sum", "product", "sigmoid")
MLP_SEED = 3


def family(name: str, nodes: int) -> tuple[str, dict[str, float]]:
    """An expression of about ``nodes`` graph nodes and a point of moderate values.

    ``sum``: x1 + ... + xm; ``product``: x1 * ... * xm (2m − 1 nodes each); ``sigmoid``:
    sigmoid(w1*sigmoid(w2*...x...+b2)+b1), 5 nodes per level (Python's parser admits 199
    levels, so 996 nodes at most)."""
    if name in ("sum", "product"):
        m = max(2, (nodes + 1) // 2)
        names = [f"x{i}" for i in range(1, m + 1)]
        values = [
            (-1) ** i * 0.01 * i if name == "sum" else 1 + (-1) ** i * 0.001 * i
            for i in range(1, m + 1)
        ]
        return ("+" if name == "sum" else "*").join(names), dict(zip(names, values))
    levels = min(199, max(1, (nodes - 1) // 5))
    text, point = "x", {"x": 0.5}
    for k in range(levels, 0, -1):
        text = f"sigmoid(w{k}*{text}+b{k})"
    for k in range(1, levels + 1):
        point[f"w{k}"] = 1.5 if k % 2 else -1.2
        point[f"b{k}"] = 0.1 * (k % 3)
    return text, point


def _median_time(work, repeat: int, before=None) -> float:
    if before:
        before()
    work()  # warm-up: lazy imports, first compilations
    times = []
    for _ in range(repeat):
        if before:
            before()
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _clear_caches() -> None:
    from sympy.core.cache import clear_cache

    from symgrad import derivation

    clear_cache()
    derivation.structure.cache_clear()
    derivation._primitive_graph.cache_clear()


def derive_work(name: str, nodes: int, repeat: int) -> dict:
    """``derive`` at a point plus the text a user sees, for family ``name``."""
    from symgrad.derivation import derive
    from symgrad.render import render

    text, point = family(name, nodes)
    result = {}

    def work():
        d = derive(text, at=point)
        render(d, "text")
        result["nodes"] = len(d.graph.nodes)
        result["passed"] = d.check.passed

    result["seconds"] = _median_time(work, repeat, _clear_caches)
    return result


def sympy_baseline(nodes: int, repeat: int) -> dict:
    """The nested sigmoid of ``nodes`` nodes: symgrad's derive + text in-process, against
    SymPy doing the gradient directly: the whole expression, one ``sympy.diff`` per variable,
    one ``lambdify`` of the gradient, evaluated at the point."""
    import sympy

    from symgrad.derivation import derive
    from symgrad.render import render

    text, point = family("sigmoid", nodes)
    symbols = {k: sympy.Symbol(k, real=True) for k in point}
    levels = (len(point) - 1) // 2

    def by_sympy():
        f = symbols["x"]
        for k in range(levels, 0, -1):
            f = 1 / (1 + sympy.exp(-(symbols[f"w{k}"] * f + symbols[f"b{k}"])))
        grads = [sympy.diff(f, s) for s in symbols.values()]
        g = sympy.lambdify(list(symbols.values()), grads, "math")
        return g(*point.values())

    def by_symgrad():
        render(derive(text, at=point), "text")

    return {
        "sympy": _median_time(by_sympy, repeat, _clear_caches),
        "symgrad": _median_time(by_symgrad, repeat, _clear_caches),
        "nodes": nodes,
    }


def _hand(layers: str, seed: int = MLP_SEED):
    """A hand NumPy forward and backward pass (relu, softmax + cross-entropy) of the same
    network shape, with its own random values; returns the function timed."""
    import numpy as np

    n = [int(s) for s in layers.split(",")]
    rng = np.random.default_rng(seed)
    W = [rng.integers(-9, 10, size=(n[k], n[k - 1])) / 10 for k in range(1, len(n))]
    b = [rng.integers(-5, 6, size=n[k]) / 10 for k in range(1, len(n))]
    x = rng.integers(-10, 11, size=n[0]) / 10
    y = np.eye(n[-1])[0]

    def backprop():
        hs, zs, h = [x], [], x
        for k in range(len(W)):
            z = W[k] @ h + b[k]
            zs.append(z)
            h = np.maximum(z, 0) if k < len(W) - 1 else z
            hs.append(h)
        p = np.exp(zs[-1] - zs[-1].max())
        p /= p.sum()
        delta, grads = p - y, []
        for k in range(len(W) - 1, -1, -1):
            grads.append((np.outer(delta, hs[k]), delta))
            if k:
                delta = (W[k].T @ delta) * (zs[k - 1] > 0)
        return grads

    return backprop


def hand_backprop_script(layers: str) -> str:
    """Python code for a child process that runs the hand backprop once (the baseline
    process of ``symgrad mlp``: start-up, NumPy, the work)."""
    return (
        "import sys; sys.path.insert(0, 'benchmarks'); from workloads import _hand; "
        f"_hand({layers!r})()"
    )


def mlp_work(layers: str, repeat: int) -> dict:
    """In-process: the gradient part (``run_mlp(check=False)``), the check alone, and the
    hand NumPy backprop, for network ``layers``."""
    from symgrad.mlp import check_gradients, make_spec, random_params, run_mlp
    from symgrad.mlp.result import single_blas_thread

    spec = make_spec(layers)
    params = random_params(spec, MLP_SEED)
    result = run_mlp(spec, params, check=False, scalar_check=False)

    def check():
        with single_blas_thread():
            check_gradients(spec, params, result.gradients)

    return {
        "params": spec.n_params,
        "gradients": _median_time(
            lambda: run_mlp(spec, params, check=False, scalar_check=False), repeat
        ),
        "check": _median_time(check, repeat),
        "hand": _median_time(_hand(layers), repeat),
    }


def torch_work(layers: str, repeat: int = 5) -> dict | None:
    """The gradient part against PyTorch autograd on the same values, if torch is installed."""
    try:
        import torch  # type: ignore[import-not-found]
    except ImportError:
        return None
    import numpy as np

    from symgrad.mlp import make_spec, random_params, run_mlp

    spec = make_spec(layers)
    params = random_params(spec, MLP_SEED)
    W = [torch.tensor(w, requires_grad=True) for w in params.weights]
    b = [torch.tensor(v, requires_grad=True) for v in params.biases]
    x, y = torch.tensor(params.x), torch.tensor(params.y)

    def by_torch():
        for t in W + b:
            t.grad = None
        h = x
        for k in range(len(W)):
            z = W[k] @ h + b[k]
            h = torch.relu(z) if k < len(W) - 1 else z
        loss = -(y * torch.log_softmax(h, 0)).sum()
        loss.backward()

    theirs = _median_time(by_torch, repeat)
    ours = _median_time(lambda: run_mlp(spec, params, check=False, scalar_check=False), repeat)
    result = run_mlp(spec, params, check=False, scalar_check=False)
    agree = all(
        np.allclose(result.gradients[f"W{k + 1}"], W[k].grad.numpy(), rtol=1e-9, atol=1e-12)
        for k in range(len(W))
    )
    return {
        "symgrad": ours,
        "torch": theirs,
        "hand": _median_time(_hand(layers), repeat),
        "agree": bool(agree),
        "version": torch.__version__,
    }


def derive_phases(expr: str, at: str) -> dict:
    """Where a fresh ``symgrad derive EXPR --at AT`` process spends its time, phase by phase
    in the order the command meets them (each import timed where it first happens), with the
    garbage collector tuned as the ``symgrad`` entry point tunes it."""
    import gc

    from symgrad.__main__ import GC_YOUNG_THRESHOLD

    gc.set_threshold(GC_YOUNG_THRESHOLD, *gc.get_threshold()[1:])
    start = time.perf_counter()
    phases: dict[str, float] = {}

    def lap(name: str) -> None:
        nonlocal start
        now = time.perf_counter()
        phases[name] = now - start
        start = now

    import symgrad.cli  # noqa: F401  (click, the command table, the render package)

    lap("import symgrad.cli (click, commands, render package)")
    import sympy  # noqa: F401

    lap("import sympy")
    import numpy  # noqa: F401

    lap("import numpy")
    from symgrad.derivation import derive

    lap("import symgrad's math modules")
    d = derive(expr, at=at, check=False)
    lap("derive (parse, graph, forward and backward passes)")
    from symgrad.check import check_graph

    point = dict(d.point or {})
    analytic = {k: g.value for k, g in d.gradients.items() if g.value is not None}
    check_graph(d.graph, point, analytic, sympy_check=False)
    lap("central differences")
    check_graph(d.graph, point, analytic)
    lap("sympy.diff cross-check (cold SymPy), with central differences again")
    import jinja2  # noqa: F401

    lap("import jinja2")
    from symgrad.render import render

    render(d, "text")
    lap("render the text (view, template from the cache)")
    return phases


def derive_profile(name: str, nodes: int, entries: int = 8) -> list[list]:
    """The top functions by own time of one warm ``derive`` plus text rendering of family
    ``name`` at ``nodes`` nodes: ``[function, calls, own seconds, cumulative seconds]``."""
    import cProfile
    import os
    import pstats

    from symgrad.derivation import derive
    from symgrad.render import render

    text, point = family(name, nodes)
    render(derive(text, at=point), "text")  # warm-up
    _clear_caches()
    profile = cProfile.Profile()
    profile.enable()
    render(derive(text, at=point), "text")
    profile.disable()
    stats = pstats.Stats(profile).stats  # type: ignore[attr-defined]
    top = sorted(stats.items(), key=lambda item: item[1][2], reverse=True)[:entries]
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep
    rows = []
    for (filename, line, function), (_, calls, own, cumulative, _) in top:
        where = filename.replace(root, "").split("site-packages" + os.sep)[-1]
        rows.append([f"{where}:{line}({function})", calls, own, cumulative])
    return rows
