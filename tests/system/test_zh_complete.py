"""Chinese output is complete (issue 14, item 7): no English sentence in any zh output of any
command, code, names and math aside. A sentence here is three or more English words in a row
of which at least two are not names symgrad's output legitimately shows (op names, formats,
variables); math ($...$, MathML), code (`...`, LaTeX macros and options, HTML tags) is
removed first. The scan itself is tested on English output, where it must find sentences."""

import json
import re

import pytest
from click.testing import CliRunner
from support.lecture import JACOBIAN

from symgrad.cli import cli
from symgrad.exercises import KINDS
from symgrad.render.environment import strings

pytestmark = pytest.mark.slow  # every command in both languages (about 12 s)

NAMES = set(
    """relu sigmoid tanh softmax exp log max min elu swish softplus hardtanh leaky_relu
abs sqrt sin cos ce mse linear sympy diff float richardson json csv toml latex pdf html xelatex
pdflatex symgrad check template answers reveal primitive written gate granularity expr at derive
budget sympy_budget numpy ok pi df dz dx dw dy dj mlp""".split()
)


def english_sentences(text: str) -> list[str]:
    text = re.sub(r"\$\$.*?\$\$|\$[^$\n]*\$|\\\[.*?\\\]", " ", text, flags=re.S)
    text = re.sub(r"\\begin\{tikzpicture\}.*?\\end\{tikzpicture\}", " ", text, flags=re.S)
    text = re.sub(r"<(script|style)[^>]*>.*?</\1>|<math.*?</math>|<[^>]+>", " ", text, flags=re.S)
    text = re.sub(r"`[^`]*`|^%.*$|\\usepackage.*$|\\[A-Za-z]+|\[[^\]\n]*\]", " ", text, flags=re.M)
    found = []
    for run in re.finditer(r"[A-Za-z][A-Za-z']+(?:[ ,]+[A-Za-z][A-Za-z']+){2,}", text):
        words = [w.lower() for w in re.findall(r"[A-Za-z']+", run.group())]
        if sum(len(w) > 1 and w not in NAMES for w in words) >= 2:
            found.append(run.group())
    return found


def run(*args) -> str:
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert result.exit_code in (0, 1), result.output
    return result.output


NEURON = ["1/(1+exp(-(w0*x0+w1*x1+w2)))", "--at", "w0=2,x0=-1,w1=-3,x1=-2,w2=-3"]
DERIVES = [
    NEURON + ["--granularity", "primitive"],
    NEURON,
    ["relu(x)*y + log(y)", "--at", "x=0,y=1"],  # a kink: the check's reasons
    ["sin(x)", "--at", "x=1e20"],  # an inconclusive row's reason
    ["max(x, y)*abs(x) + x/y", "--at", "x=1,y=2", "--granularity", "gate"],
]


@pytest.mark.parametrize("fmt", ["text", "markdown", "latex", "html"])
@pytest.mark.parametrize("args", DERIVES, ids=lambda a: a[0][:12])
def test_derive_in_chinese_has_no_english_sentence(args, fmt):
    assert english_sentences(run("derive", *args, "--lang", "zh", "--format", fmt)) == []


@pytest.mark.parametrize("fmt", ["text", "markdown", "latex", "html"])
@pytest.mark.parametrize("layers", ["3,4,3,2", "30,40,2", "3,4,3,2 --batch 3"])
def test_mlp_and_jacobian_in_chinese_have_no_english_sentence(layers, fmt):
    out = run(
        "mlp",
        "--layers",
        *layers.split(),
        "--seed",
        "1",
        "--hidden",
        "sigmoid",
        "--lang",
        "zh",
        "--format",
        fmt,
    )
    assert english_sentences(out) == []
    out = run(
        *JACOBIAN,
        "--lang",
        "zh",
        "--format",
        fmt,
    )
    assert english_sentences(out) == []


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_exercises_in_chinese_have_no_english_sentence(kind):
    for fmt in ("text", "markdown", "latex"):
        for seed in (1, 2):
            out = run(
                "exercise", kind, "--seed", seed, "--answers", "--lang", "zh", "--format", fmt
            )
            assert english_sentences(out) == [], (kind, fmt, seed)


def test_homework_check_and_grade_in_chinese_have_no_english_sentence(tmp_path):
    from pathlib import Path

    import symgrad

    bank = Path(symgrad.__file__).resolve().parent.parent / "bank" / "lecture3-2.zh.toml"
    run(
        "homework",
        bank,
        "--versions",
        1,
        "--seed",
        2,
        "--out",
        tmp_path / "hw",
        "--lang",
        "zh",
        "--quiet",
        "--formats",
        "latex,markdown,json",
    )
    for path in (tmp_path / "hw" / "v01").iterdir():
        if path.suffix in (".md", ".tex"):
            assert english_sentences(path.read_text(encoding="utf-8")) == [], path.name
    answers = tmp_path / "a.toml"
    answers.write_text('z_5 = 1\n"df/dw2" = 0.197\n"df/dw1" = -2\n', encoding="utf-8")
    for fmt in ("text", "markdown", "html"):
        out = run(
            "check",
            *NEURON,
            "--granularity",
            "primitive",
            "--answers",
            answers,
            "--lang",
            "zh",
            "--format",
            fmt,
        )
        assert english_sentences(out) == [], fmt
    key = json.loads((tmp_path / "hw" / "v01" / "answers.json").read_text(encoding="utf-8"))
    rows = ["student,version,exercise,blank,answer"] + [
        f"v01,v01,{e['id']},{a['name']},{-a['value']}"
        for e in key["exercises"]
        for a in e["answers"]
    ]
    (tmp_path / "r.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    run("grade", tmp_path / "hw", tmp_path / "r.csv", "--out", tmp_path / "g", "--lang", "zh")
    page = next((tmp_path / "g" / "feedback").glob("*.md")).read_text(encoding="utf-8")
    assert english_sentences(page) == []


def test_every_chinese_string_is_chinese():
    def walk(value, path):
        if isinstance(value, dict):
            for key, item in value.items():
                yield from walk(item, f"{path}.{key}")
        elif isinstance(value, list):
            for item in value:
                yield from walk(item, path)
        elif isinstance(value, str):
            yield path, value

    zh = strings("zh")
    for path, text in walk({k: v for k, v in zh.items() if k != "check_text"}, "zh"):
        assert english_sentences(text) == [], (path, text)
    for _pattern, replacement in zh["check_text"]["pairs"]:
        assert english_sentences(replacement) == [], replacement


def test_the_scan_finds_english_where_there_is_some():
    out = run("derive", *NEURON)
    assert english_sentences(out)  # "Worked solution", "Backward pass (Chain rule ..."
    assert english_sentences("方法：central differences with Richardson extrapolation")
