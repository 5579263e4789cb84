"""The "How to extend" page's diffs still apply and still work, end to end.

Each diff in docs/extend/ is applied with ``git apply`` to a copy of the package, and the new
op, activation, format or exercise kind is run through the command line of that copy and
checked against an independent oracle (``sympy.diff``, a hand NumPy backward pass, docutils).
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import sympy

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
DIFFS = ROOT / "docs" / "extend"


@pytest.fixture(autouse=True)
def tools() -> None:
    """git applies the diffs; docutils (with the docs extra) checks the rst format."""
    from conftest import require_tool, skip_or_fail

    require_tool("git")
    if importlib.util.find_spec("docutils") is None:
        skip_or_fail("docutils not installed (pip install -e '.[docs]')")


def patched(tmp_path: Path, diff: str) -> Path:
    """A copy of symgrad (package, templates, bank) with ``diff`` applied; its root."""
    src = tmp_path / "src"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("symgrad", "templates", "bank"):
        shutil.copytree(ROOT / name, src / name, ignore=ignore)
    done = subprocess.run(
        ["git", "apply", "--verbose", str(DIFFS / diff)],
        cwd=src,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, f"{diff} no longer applies:\n{done.stderr}"
    # the copy's templates and bank as the package's own (what a wheel installs), so that the
    # copy never reads the checkout's templates through the editable install
    (src / "symgrad" / "templates").symlink_to(src / "templates", target_is_directory=True)
    (src / "symgrad" / "bank").symlink_to(src / "bank", target_is_directory=True)
    return src


def symgrad(src: Path, *args: str, status: int = 0) -> str:
    env = {**os.environ, "PYTHONPATH": str(src)}
    done = subprocess.run(
        [sys.executable, "-m", "symgrad", *args],
        cwd=src.parent,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert done.returncode == status, f"symgrad {' '.join(args)}: {done.stderr}"
    return done.stdout


def gradients(src: Path, expr: str, at: str) -> dict[str, float]:
    data = json.loads(symgrad(src, "derive", expr, "--at", at, "--format", "json"))
    assert data["check"]["passed"] is True
    return {name: g["value"] for name, g in data["gradient"].items()}


def sympy_gradients(expr: sympy.Expr, point: dict[str, float]) -> dict[str, float]:
    """The oracle: SymPy differentiates the whole expression and evaluates it."""
    subs = {sympy.Symbol(k, real=True): sympy.Rational(str(v)) for k, v in point.items()}
    return {
        k: float(sympy.diff(expr, sympy.Symbol(k, real=True)).subs(subs).evalf(30)) for k in point
    }


def test_the_diffs_are_unknown_to_the_unpatched_package(tmp_path: Path) -> None:
    """Without a diff none of its additions exist, so the tests below test the diffs."""
    src = tmp_path / "src"
    for name in ("symgrad", "templates", "bank"):
        shutil.copytree(ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__"))
    (src / "symgrad" / "templates").symlink_to(src / "templates", target_is_directory=True)
    symgrad(src, "derive", "atan(x)", "--at", "x=1", status=2)
    symgrad(src, "derive", "softsign(x)", "--at", "x=1", status=2)
    symgrad(src, "derive", "x", "--at", "x=1", "--format", "rst", status=2)
    symgrad(src, "exercise", "composition", status=2)


def test_op_diff_adds_atan(tmp_path: Path) -> None:
    src = patched(tmp_path, "op.diff")
    point = {"x": 0.5, "y": 2.0}
    got = gradients(src, "atan(x*y)", "x=0.5,y=2")
    x, y = sympy.symbols("x y", real=True)
    want = sympy_gradients(sympy.atan(x * y), point)
    assert got == pytest.approx(want, rel=1e-12)
    # every granularity, and a composite use, agree with the oracle too
    for granularity in ("primitive", "gate"):
        data = json.loads(
            symgrad(
                src,
                "derive",
                "atan(x*y)",
                "--at",
                "x=0.5,y=2",
                "--granularity",
                granularity,
                "--format",
                "json",
            )
        )
        assert {k: g["value"] for k, g in data["gradient"].items()} == pytest.approx(want)
    got = gradients(src, "exp(atan(x))/y", "x=-1.5,y=3")
    want = sympy_gradients(sympy.exp(sympy.atan(x)) / y, {"x": -1.5, "y": 3.0})
    assert got == pytest.approx(want, rel=1e-12)
    assert "arctan" in symgrad(src, "derive", "atan(x)", "--at", "x=1", "--lang", "zh")


def _hand_backward(params: dict, act, act_prime) -> dict[str, np.ndarray]:
    """A hand NumPy backward pass of an MLP with softmax + cross-entropy."""
    x, y = np.array(params["x"], float), np.array(params["y"], float)
    layers = len([k for k in params if k.startswith("W")])
    hs, zs = [x], []
    for k in range(1, layers + 1):
        z = np.array(params[f"W{k}"]) @ hs[-1] + np.array(params[f"b{k}"])
        zs.append(z)
        if k < layers:
            hs.append(act(z))
    e = np.exp(zs[-1] - zs[-1].max())
    g = e / e.sum() - y
    out = {}
    for k in range(layers, 0, -1):
        out[f"b{k}"] = g
        out[f"W{k}"] = np.outer(g, hs[k - 1])
        if k > 1:
            g = (np.array(params[f"W{k}"]).T @ g) * act_prime(zs[k - 2])
    return out


def test_activation_diff_adds_softsign(tmp_path: Path) -> None:
    src = patched(tmp_path, "activation.diff")
    x, y = sympy.symbols("x y", real=True)
    got = gradients(src, "softsign(x*y)", "x=0.5,y=3")
    want = sympy_gradients(x * y / (1 + sympy.Abs(x * y)), {"x": 0.5, "y": 3.0})
    assert got == pytest.approx(want, rel=1e-12)
    got = gradients(src, "softsign(x*y)", "x=-2,y=0.75")
    want = sympy_gradients(x * y / (1 + sympy.Abs(x * y)), {"x": -2.0, "y": 0.75})
    assert got == pytest.approx(want, rel=1e-12)

    assert "softsign" in symgrad(src, "mlp", "--help")
    rng = np.random.default_rng(5)
    params = {
        "W1": rng.normal(size=(4, 3)).round(2).tolist(),
        "b1": rng.normal(size=4).round(2).tolist(),
        "W2": rng.normal(size=(2, 4)).round(2).tolist(),
        "b2": rng.normal(size=2).round(2).tolist(),
        "x": [0.5, -1.0, 2.0],
        "y": [0.0, 1.0],
    }
    (src.parent / "net.json").write_text(json.dumps(params))
    data = json.loads(
        symgrad(
            src,
            "mlp",
            "--layers",
            "3,4,2",
            "--hidden",
            "softsign",
            "--params",
            "net.json",
            "--format",
            "json",
        )
    )
    assert data["check"]["passed"] is True
    hand = _hand_backward(params, lambda z: z / (1 + np.abs(z)), lambda z: 1 / (1 + np.abs(z)) ** 2)
    for name, value in hand.items():
        assert np.allclose(np.array(data["gradients"][name]), value, rtol=1e-10), name

    code = (
        "from symgrad.exercises import KINDS, make_exercise\n"
        "kind = KINDS['activation']\n"
        "pins = kind.check_options({'activation': 'softsign'}, 'spec')\n"
        "print(make_exercise('activation', 3, options=pins).data['function'])\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(src)},
        cwd=src.parent,
    )
    assert done.stdout.strip() == "softsign", done.stderr


def _docutils_messages(text: str) -> list[str]:
    import docutils.core  # type: ignore[import-untyped]

    messages: list[str] = []

    class Collect:
        def write(self, line: str) -> None:
            messages.append(line)

        def flush(self) -> None:
            pass

    docutils.core.publish_doctree(
        text,
        settings_overrides={"report_level": 2, "halt_level": 5, "warning_stream": Collect()},
    )
    return [m for m in messages if m.strip()]


def test_format_diff_adds_rst(tmp_path: Path) -> None:
    src = patched(tmp_path, "format.diff")
    expr, at = "1/(1+exp(-(w0*x0+w1*x1+w2)))", "w0=2,x0=-1,w1=-3,x1=-2,w2=-3"
    for granularity in ("written", "primitive", "gate"):
        text = symgrad(
            src, "derive", expr, "--at", at, "--granularity", granularity, "--format", "rst"
        )
        assert _docutils_messages(text) == [], granularity
        assert "-0.1966" in text and ".. math::" in text and ".. list-table::" in text
    symgrad(src, "mlp", "--layers", "3,4,3,2", "--seed", "1", "-o", "mlp.rst")
    text = (src.parent / "mlp.rst").read_text(encoding="utf-8")
    assert _docutils_messages(text) == []
    assert "\\mathbf{W}^{(3)}" in text
    zh = symgrad(src, "derive", "max(x,y)*x", "--format", "rst", "--lang", "zh")
    assert _docutils_messages(zh) == [] and "前向传播" in zh
    hostile = "*bold* `code` _x |sub| .. comment"
    text = symgrad(src, "derive", "x*y", "--at", "x=1,y=2", "--format", "rst", "--title", hostile)
    assert _docutils_messages(text) == []
    import docutils.core  # type: ignore[import-untyped]

    title = docutils.core.publish_doctree(text).next_node(lambda n: n.tagname == "title").astext()
    assert title == hostile  # escaped: the title reads as typed, no markup was made of it


def test_kind_diff_adds_composition(tmp_path: Path) -> None:
    src = patched(tmp_path, "kind.diff")
    assert "composition" in symgrad(src, "kinds")
    u = sympy.Symbol("u")
    outers = {
        "exp": sympy.exp(u),
        "sin": sympy.sin(u),
        "tanh": sympy.tanh(u),
        "sigmoid": 1 / (1 + sympy.exp(-u)),
        "log": sympy.log(u),
    }
    seen = set()
    for seed in range(8):
        data = json.loads(
            symgrad(
                src, "exercise", "composition", "--seed", str(seed), "--answers", "--format", "json"
            )
        )
        d = data["data"]
        seen.add(d["outer"])
        x = sympy.Symbol("x")
        h = outers[d["outer"]].subs(
            u,
            sympy.Rational(str(d["a"])) * x**2
            + sympy.Rational(str(d["b"])) * x
            + sympy.Rational(str(d["c"])),
        )
        want = float(sympy.diff(h, x).subs(x, sympy.Rational(str(d["x"]))))
        answers = {a["name"]: a for a in data["answers"]}
        assert answers["dh_dx"]["value"] == pytest.approx(want, rel=1e-9)
        assert abs(answers["dh_dx"]["value"] - want) <= answers["dh_dx"]["tolerance"]
    assert len(seen) >= 3  # the outer function varies with the seed
    symgrad(src, "stress", "composition", "-n", "100", "--quiet")
    spec = src.parent / "spec.toml"
    spec.write_text(
        'title = "Chain rule"\n[[exercise]]\nid = "c"\nkind = "composition"\n'
        'outer = "tanh"\npoints = 4\n',
        encoding="utf-8",
    )
    symgrad(
        src,
        "homework",
        str(spec),
        "--versions",
        "2",
        "--seed",
        "1",
        "--out",
        "hw",
        "--formats",
        "markdown,json,moodle",
        "--quiet",
    )
    key = json.loads((src.parent / "hw" / "v01" / "answers.json").read_text(encoding="utf-8"))
    assert key["exercises"][0]["question"]["outer"] == "tanh"
    sheet = (src.parent / "hw" / "v01" / "questions.md").read_text(encoding="utf-8")
    final = key["exercises"][0]["answers"][-1]
    assert final["name"] == "dh_dx" and "tanh" in sheet
    assert final["display"] not in sheet  # the question sheet carries no answer
    spec.write_text(spec.read_text().replace('"tanh"', '"cosh"'), encoding="utf-8")
    symgrad(src, "homework", str(spec), "--versions", "1", "--out", "hw2", "--quiet", status=2)
