"""Sphinx extension: the reference pages that are read from symgrad's code at build time.

* ``auto/reference/expressions.md``: the expression language, from the op registry
  (``symgrad.ops.OPS``) and the parser's constants (``symgrad.parse`` and ``symgrad.expr``:
  operators, constants, the ``MAX_*`` limits with the comments they carry in the source);
* ``auto/reference/spec.md``: the homework spec keys, from ``symgrad.exercises.spec``
  (``TOP_KEYS``, ``EXERCISE_KEYS``, its limits) and every kind's pins
  (``symgrad.exercises.KINDS[...].options_help``);
* ``auto/reference/json.md``: the JSON keys of every output, found by running each command
  with ``--format json`` (and reading a homework set's JSON files) and listing every key path
  with the types seen. Top-level keys are described by ``docs/reference/json_keys.toml``; a
  key the code produces that the table does not describe is a build warning (an error under
  ``-W``), so the table cannot fall behind the code.
"""

from __future__ import annotations

import importlib.resources
import json
import re
import shlex
import subprocess
import sys
import tempfile
import tomllib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

EXPR = "1/(1+exp(-(w0*x0+w1*x1+w2)))"
POINT = "w0=2,x0=-1,w1=-3,x1=-2,w2=-3"
LIMIT_RE = re.compile(r"^(MAX_[A-Z_]+)\s*=\s*([0-9_]+)\s*(?:#\s*(.*))?$")
OPERATOR_SYMBOLS = {"Add": "+", "Sub": "-", "Mult": "*", "Div": "/", "Pow": "** or ^"}

LIMIT_TEXT = {  # limits whose source line carries no comment
    "MAX_NAME": "characters in one variable name",
    "MAX_SPEC_BYTES": "bytes of a spec file",
    "MAX_EXERCISES": "exercises in one spec",
    "MAX_POINTS": "points of one exercise",
    "MAX_TITLE": "characters of a title or an instruction",
}


def limits(module) -> list[tuple[str, int, str]]:
    """``(NAME, value, what it limits)`` for every ``MAX_*`` constant of ``module``, read from
    its source so that each comes with the comment it carries there."""
    out = []
    for line in Path(module.__file__).read_text(encoding="utf-8").splitlines():
        m = LIMIT_RE.match(line)
        if m:
            name, _, comment = m.groups()
            what = (comment or "").strip() or LIMIT_TEXT.get(name)
            if not what:
                logger.warning(f"reference: {module.__name__}.{name} has no description")
                what = ""
            out.append((name, getattr(module, name), what))
    return out


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _code(text: str) -> str:
    return f"`{text}`" if text else ""


def expressions_page() -> str:
    from symgrad import expr, ops, parse

    lines = [
        "# Expression syntax\n",
        "Generated from `symgrad/ops.py` (one record per op), `symgrad/parse.py` and "
        "`symgrad/expr.py` (names, limits) when these docs were built.\n",
        "## Names, numbers and operators\n",
        f"- a name matches `{parse.NAME_RE.pattern.removesuffix(chr(92) + 'Z')}`;",
        "- numbers are decimal literals (finite);",
        "- constants: " + ", ".join(f"`{c}`" for c in parse.CONSTANTS) + ";",
        "- binary operators: "
        + ", ".join(
            f"`{OPERATOR_SYMBOLS.get(node.__name__, node.__name__)}` ({name})"
            for node, name in parse._BINOPS.items()
        )
        + ", and unary minus; parentheses group.\n",
        "Nothing is evaluated: the text is parsed by an allowlisted walk of Python's `ast` "
        "into symgrad's own tree.\n",
        "## Functions\n",
        "Every op record with `function=True`; a derivative is the record's own local "
        "partial (over `x`, `y`).\n",
        "| function | arity | means | derivative | kinks at zeros of | activation |",
        "|---|---|---|---|---|---|",
    ]
    for op in ops.OPS.values():
        if not op.function:
            continue
        names = ", ".join(f"`{n}`" for n in (op.name, *op.aliases))
        lines.append(
            f"| {names} | {op.arity} | {_cell(op.formula)} | "
            f"{', '.join(_code(d) for d in op.derivatives)} | "
            f"{', '.join(_code(k) for k in op.kink_at)} | {'yes' if op.activation else ''} |"
        )
    lines += [
        "",
        "## Every op of the graph\n",
        "The nodes a graph is built from (`--granularity` chooses which of them appear).\n",
        "| op | label | formula | local partials | written in the lecture's primitives | "
        "fused from (gate) |",
        "|---|---|---|---|---|---|",
    ]
    for op in ops.OPS.values():
        lines.append(
            f"| `{op.name}` | {_cell(op.text)} | {_cell(op.formula)} | "
            f"{', '.join(_code(d) for d in op.derivatives)} | {_code(op.lower)} | "
            f"{', '.join(_code(f) for f in op.fuses)} |"
        )
    lines += [
        "",
        "## MLP activations\n",
        "`symgrad mlp --hidden` takes: " + ", ".join(f"`{a}`" for a in ops.activations()) + ".\n",
        "## Limits\n",
        "| constant | value | limits |",
        "|---|---|---|",
    ]
    lines += [f"| `{n}` | {v:,} | {_cell(w)} |" for n, v, w in limits(expr)]
    return "\n".join(lines) + "\n"


def spec_page() -> str:
    from symgrad.exercises import KINDS, spec

    lines = [
        "# Homework spec keys\n",
        "A homework spec is a TOML file (`symgrad homework SPEC.toml`). Generated from "
        "`symgrad/exercises/spec.py` and the exercise kinds' registry when these docs were "
        "built; `bank/lecture3-2.toml` is a commented example.\n",
        "## Top level\n",
        "| key | value |",
        "|---|---|",
    ]
    lines += [f"| `{k}` | {_cell(v)} |" for k, v in spec.TOP_KEYS.items()]
    lines += [
        "",
        "## Every `[[exercise]]`\n",
        "| key | value |",
        "|---|---|",
    ]
    lines += [f"| `{k}` | {_cell(v)} |" for k, v in spec.EXERCISE_KEYS.items()]
    lines += ["", "## The keys each kind adds\n"]
    for name, kind in KINDS.items():
        lines.append(f'### `kind = "{name}"`\n')
        lines.append(f"{_cell(kind.summary)}.\n")
        if kind.options_help:
            lines += ["| key | value |", "|---|---|"]
            lines += [f"| `{k}` | {_cell(v)} |" for k, v in kind.options_help.items()]
            lines.append("")
        else:
            lines.append("No keys of its own.\n")
    lines += ["## Limits\n", "| constant | value | limits |", "|---|---|---|"]
    lines += [f"| `{n}` | {v:,} | {_cell(w)} |" for n, v, w in limits(spec)]
    return "\n".join(lines) + "\n"


# --- JSON keys ------------------------------------------------------------------------------


def key_paths(value, path: str = "", out: dict | None = None) -> dict[str, set[str]]:
    """Every key path of a JSON value (``nodes[].local[].value``) with the JSON types seen."""
    out = {} if out is None else out
    names = {
        dict: "object",
        list: "array",
        str: "string",
        bool: "boolean",
        int: "number",
        float: "number",
        type(None): "null",
    }
    if path:
        out.setdefault(path, set()).add(names[type(value)])
    if isinstance(value, dict):
        for key, item in value.items():
            key_paths(item, f"{path}.{key}" if path else key, out)
    elif isinstance(value, list):
        for item in value:
            key_paths(item, f"{path}[]", out)
    return out


def _symgrad(work: Path, *args: str, status=(0,)) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "symgrad", *args],
        cwd=work,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if done.returncode not in status:
        raise RuntimeError(f"`symgrad {' '.join(args)}` exited {done.returncode}: {done.stderr}")
    return done.stdout


def json_outputs(work: Path) -> dict[str, tuple[list[str], list]]:
    """``output name -> (the command, [parsed JSON, ...])`` for every JSON symgrad writes."""
    from symgrad.exercises import KINDS

    (work / "answers.toml").write_text('"z_1" = "-2"\n"df/dz_4" = "-0.2"\n', encoding="utf-8")
    commands: dict[str, list[tuple[str, ...]]] = {
        "derive": [
            ("derive", EXPR, "--at", POINT, "--format", "json"),
            ("derive", EXPR, "--at", POINT, "--granularity", "primitive", "--format", "json"),
        ],
        "mlp": [
            ("mlp", "--layers", "3,4,3,2", "--seed", "1", "--format", "json"),
            ("mlp", "--layers", "3,4,3,2", "--seed", "1", "--batch", "4", "--format", "json"),
        ],
        "jacobian": [
            (
                "jacobian",
                "--y",
                "x1*x2, x2+x3",
                "--z",
                "y1*y2",
                "--at",
                "x1=1,x2=2,x3=3",
                "--format",
                "json",
            )
        ],
        "check": [("check", EXPR, "--at", POINT, "--answers", "answers.toml", "--format", "json")],
        "exercise": [
            ("exercise", kind, "--seed", "1", "--answers", "--format", "json") for kind in KINDS
        ],
        "stress": [("stress", "graph", "-n", "3", "--format", "json", "--quiet")],
    }
    jobs = [(name, args) for name, runs in commands.items() for args in runs]
    with ThreadPoolExecutor(max_workers=2) as pool:
        texts = list(pool.map(lambda job: _symgrad(work, *job[1], status=(0, 1)), jobs))
    out: dict[str, tuple[list[str], list]] = {}
    for (name, args), text in zip(jobs, texts):
        shown, values = out.setdefault(name, ([], []))
        shown.append("symgrad " + shlex.join(args))
        values.append(json.loads(text))
    (work / "spec.toml").write_text(bank_text("lecture3-2.toml"), encoding="utf-8")
    _symgrad(
        work,
        "homework",
        "spec.toml",
        "--versions",
        "1",
        "--seed",
        "1",
        "--formats",
        "json",
        "--out",
        "hw",
        "--quiet",
    )
    hw = "symgrad homework spec.toml --versions 1 --formats json --out hw"
    out["homework answers.json"] = ([hw], [json.loads((work / "hw/v01/answers.json").read_text())])
    out["homework index.json"] = ([hw], [json.loads((work / "hw/index.json").read_text())])
    return out


def bank_text(name: str) -> str:
    """A spec of symgrad's bank: ``symgrad.bank`` when installed from a wheel, else the
    checkout's ``bank/`` next to the package (an editable install)."""
    import symgrad

    try:
        return (importlib.resources.files("symgrad.bank") / name).read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError):
        path = Path(symgrad.__file__).resolve().parents[1] / "bank" / name
        return path.read_text(encoding="utf-8")


def descriptions(srcdir: Path) -> dict[str, dict[str, str]]:
    """The table of top-level key descriptions, per output."""
    with open(srcdir / "reference" / "json_keys.toml", "rb") as f:
        return tomllib.load(f)


def undescribed(outputs: dict, table: dict) -> list[str]:
    """``output: key`` for every top-level key produced that the table does not describe."""
    missing = []
    for name, (_, values) in outputs.items():
        described = table.get(name, {})
        for value in values:
            for key in value:
                if key not in described and f"{name}: {key}" not in missing:
                    missing.append(f"{name}: {key}")
    return missing


def json_page(outputs: dict, table: dict) -> str:
    lines = [
        "# JSON keys\n",
        "Every command's `--format json` (and a homework set's JSON files), as these docs' "
        "build ran them. Each top-level key is described; below it, every nested key path seen "
        "in that run, with its JSON types (`[]` is an element of an array). Keys named after "
        "the example's variables, nodes or blanks (`point.w0`) follow the input.\n",
    ]
    for name, (commands, values) in outputs.items():
        lines.append(f"## {name}\n")
        lines.append("From " + ", ".join(f"`{c}`" for c in commands) + ".\n")
        paths: dict[str, set[str]] = {}
        for value in values:
            key_paths(value, "", paths)
        described = table.get(name, {})
        lines += ["| key | type | meaning |", "|---|---|---|"]
        tops = [p for p in paths if "." not in p and "[" not in p]
        for top in tops:
            lines.append(
                f"| `{top}` | {', '.join(sorted(paths[top]))} | {_cell(described.get(top, ''))} |"
            )
        nested = [p for p in paths if p not in tops]
        if nested:
            lines.append("")
            lines.append("<details><summary>every nested key</summary>\n")
            lines += ["| key path | type |", "|---|---|"]
            lines += [f"| `{p}` | {', '.join(sorted(paths[p]))} |" for p in nested]
            lines.append("\n</details>\n")
        lines.append("")
    return "\n".join(lines) + "\n"


def _write_if_changed(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


def generate(app: Sphinx) -> None:
    root = Path(app.srcdir) / "auto" / "reference"
    _write_if_changed(root / "expressions.md", expressions_page())
    _write_if_changed(root / "spec.md", spec_page())
    with tempfile.TemporaryDirectory(prefix="symgrad-docs-json-") as work:
        outputs = json_outputs(Path(work))
    table = descriptions(Path(app.srcdir))
    for key in undescribed(outputs, table):
        logger.warning(f"reference: the JSON key {key} has no description in json_keys.toml")
    _write_if_changed(root / "json.md", json_page(outputs, table))


def setup(app: Sphinx) -> dict:
    app.connect("builder-inited", generate)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
