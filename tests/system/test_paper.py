"""Paper that works (issue 11, point 7): fill-in circuits, questions that never break across
pages, room for working, marks beside blanks, all-questions.pdf / all-keys.pdf, and Chinese
sheets without English sentences.

One small set is built once (module fixture) and read by the PDF tests: PDFs are slow.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
import sympy
from click.testing import CliRunner
from conftest import ROOT, require_tool

from symgrad.cli import cli
from symgrad.exercises import make_exercise
from symgrad.exercises.homework import build, load_spec, versions_from_count
from symgrad.render.numbers import num
from symgrad.render.views.blank_circuit import blank_circuit, problems

pytestmark = pytest.mark.slow  # LaTeX builds of a homework set

SPEC = """title = "Paper test"
[[exercise]]
id = "circuit"
kind = "graph"
difficulty = "medium"
points = 6
[[exercise]]
id = "vector-chain"
kind = "jacobian"
difficulty = "medium"
points = 5
"""
SLOT = re.compile(
    r"\\node\[(value|gradient|total), minimum width=[^\]]*\] at \(([-\d.]+),([-\d.]+)\) "
    r"\{(.*)\};$",
    re.MULTILINE,
)


def slots(tex: str) -> list[tuple[str, str]]:
    """(kind, number shown) of every slot of the fill-in circuits in a sheet's LaTeX."""
    out = []
    for kind, _, _, text in SLOT.findall(tex):
        numbers = re.findall(r"\$([^$]*)\$", text)
        out.append((kind, numbers[-1] if numbers and numbers[-1] != r"\Sigma" else ""))
    return out


def pdftotext(pdf: Path, page: int | None = None) -> str:
    pages = [] if page is None else ["-f", str(page), "-l", str(page)]
    return subprocess.run(
        ["pdftotext", "-layout", *pages, str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout


def page_count(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE).group(1))


@pytest.fixture(scope="module")
def paper_set(tmp_path_factory):
    """Two versions of a graph + Jacobian set, LaTeX and PDF."""
    require_tool("pdflatex", "pdftotext", "pdfinfo")
    folder = tmp_path_factory.mktemp("paper")
    spec = folder / "spec.toml"
    spec.write_text(SPEC, encoding="utf-8")
    out = folder / "hw"
    result = CliRunner().invoke(
        cli,
        [
            "homework",
            str(spec),
            "--versions",
            "2",
            "--seed",
            "7",
            "--out",
            str(out),
            "--formats",
            "latex",
            "--pdf",
        ],
    )
    assert result.exit_code == 0, result.output
    return out


# --------------------------------------------------------------------------- the circuit


def oracle(question: dict) -> tuple[float, dict[str, float]]:
    """f and every ∂f/∂v at the point, from sympy.diff of the expression (not symgrad)."""
    names = sorted(question["point"])
    symbols = {n: sympy.Symbol(n) for n in names}
    local = dict(
        symbols,
        sigmoid=lambda z: 1 / (1 + sympy.exp(-z)),
        relu=lambda z: sympy.Max(z, 0),
        max=sympy.Max,
        min=sympy.Min,
    )
    f = sympy.sympify(question["expression"].replace("^", "**"), locals=local)
    at = {symbols[n]: sympy.Rational(str(v)) for n, v in question["point"].items()}
    return float(f.subs(at)), {n: float(sympy.diff(f, symbols[n]).subs(at)) for n in names}


def test_graph_sheet_has_the_blank_circuit_and_the_key_the_filled_one(paper_set):
    index = json.loads((paper_set / "index.json").read_text())
    for version in index["versions"]:
        question = version["exercises"][0]["question"]
        sheet = (paper_set / version["folder"] / "questions.tex").read_text()
        key = (paper_set / version["folder"] / "key.tex").read_text()
        blank, filled = slots(sheet), slots(key)
        assert blank and [k for k, _ in blank] == [k for k, _ in filled]  # the same picture
        given = {num(v) for v in question["point"].values()}
        for (kind, shown), (_, answer) in zip(blank, filled):
            assert answer != ""  # the key fills every slot
            if kind == "value":  # the sheet prints only what the question gives
                assert shown in ("", answer) and (
                    shown == "" or shown in given or re.fullmatch(r"-?\d+", shown)
                )
            else:  # gradients: only the output's seed 1
                assert shown in ("", "1")
        assert [s for _, s in blank if s == "1"] and sum(1 for _, s in blank if s == "") >= 6
        f, gradients = oracle(question)
        values = [s for k, s in filled if k == "value"]
        assert num(f) in values
        shown_gradients = [s for k, s in filled if k in ("gradient", "total")]
        for name, g in gradients.items():
            assert num(g) in shown_gradients, (name, g, shown_gradients)


def test_circuit_is_legible_over_many_seeds():
    """No gate, name or slot touches another; no wire runs through one (not its own end)."""
    for difficulty in ("easy", "medium", "hard"):
        for seed in range(40):
            picture = blank_circuit(make_exercise("graph", seed, difficulty), filled=True)
            assert problems(picture) == [], (difficulty, seed)


def test_the_legibility_check_can_fail():
    picture = blank_circuit(make_exercise("graph", 3, "medium"), filled=False)
    gate = next(n for n in picture["nodes"] if not n["leaf"])
    moved = dict(picture["slots"][0], box=gate["box"])  # a slot on top of a gate
    assert problems(dict(picture, slots=[moved, *picture["slots"][1:]]))
    wire = picture["lines"][0]
    across = (
        ((gate["box"][0] - 1, float(gate["y"])), (gate["box"][2] + 1, float(gate["y"]))),
        -1,
        -2,
    )  # a wire straight through a gate it does not belong to
    assert problems(dict(picture, lines=[wire, across]))


# --------------------------------------------------------------------------- pages


def test_every_question_is_one_unbreakable_box_with_marks(paper_set):
    for path in sorted(paper_set.glob("v*/*.tex")):
        tex = path.read_text()
        questions = tex.split(r"\titledquestion")[1:]
        assert len(questions) == 2
        for q in questions:
            head, _, rest = q.partition("\n")
            assert rest.startswith(r"\nopagebreak\begin{minipage}"), path
            box = rest.split(r"\end{minipage}" + "\n" + r"\begin{solution}")[0]
            parts = box.count(r"\part ")
            assert (
                parts >= 1 and box.count(r"\fillin") == parts and box.count(r"\begin{parts}") == 1
            )
            marks = [float(m) for m in re.findall(r"\[([\d.]+)\\,pts?\]", box)]
            assert len(marks) == parts
            points = float(re.search(r"\}\[([\d.]+)\]$", head).group(1))
            assert sum(marks) == pytest.approx(points)


def test_pdf_question_title_and_its_room_share_a_page(paper_set):
    """Each page holds as many question titles as 'Working' boxes (on the sheet), and the
    key shows no room for working."""
    for version in ("v01", "v02"):
        sheet = paper_set / version / "questions.pdf"
        titles = working = 0
        for page in range(1, page_count(sheet) + 1):
            text = pdftotext(sheet, page)
            on_page = len(re.findall(r"^\s*\d\.\s+\S", text, re.MULTILINE))
            assert on_page == text.count("Working"), (version, page)
            titles, working = titles + on_page, working + text.count("Working")
        assert titles == working == 2
        assert "Working" not in pdftotext(paper_set / version / "key.pdf")


def test_all_questions_and_all_keys_have_one_page_range_per_version(paper_set):
    index = json.loads((paper_set / "index.json").read_text())
    for name, single in (("all-questions.pdf", "questions.pdf"), ("all-keys.pdf", "key.pdf")):
        pdf = paper_set / name
        ranges = index["pdf_pages"][name]
        assert list(ranges) == ["v01", "v02"]
        expected_first = 1
        for folder, (first, last) in ranges.items():
            assert first == expected_first and last >= first
            # as long as the version's own PDF, and its first page names the version
            assert last - first + 1 == page_count(paper_set / folder / single)
            assert f"version {folder}" in pdftotext(pdf, first)
            expected_first = last + 1
        assert page_count(pdf) == expected_first - 1


# --------------------------------------------------------------------------- Chinese

ENGLISH = set(
    """the of and to a an in is are with for on at by from that this it as be or not no
each every then than its their use used using give compute derive draw pass only value values
gradient gradients units unit gates gate weight weights bias input inputs output outputs nothing
back backward forward sum answer answers exercise version question questions key solution worked
partial credit points point student name show your work instructions layer layers hidden loss step
rate where which when you check sign local upstream chain rule multiply fill above below wire""".split()
)
MATH = re.compile(
    r"\$\$.+?\$\$|\\\[.+?\\\]|\$.+?\$|\\begin\{(align\*?|tikzpicture)\}.+?\\end\{\1\}", re.DOTALL
)


def english_sentences(text: str) -> list[str]:
    """Runs of two or more Latin words, one of them a common English word, outside math,
    code, pictures and LaTeX commands."""
    body = text.split(r"\begin{document}", 1)[-1]
    body = MATH.sub(" ", body)
    body = re.sub(r"`[^`]*`|\\texttt\{[^}]*\}", " ", body)
    body = re.sub(r"\\[a-zA-Z@]+\*?(\[[^\]]*\])?", " ", body)
    runs = re.finditer(r"[A-Za-z][A-Za-z'-]*(?:[ ,;:.]+[A-Za-z][A-Za-z'-]*)+", body)
    return [
        m.group()
        for m in runs
        if any(w.lower() in ENGLISH for w in re.findall(r"[A-Za-z']+", m.group()))
    ]


def test_english_sentences_are_found():
    assert english_sentences(r"\begin{document}门：gates g: units with $z \le 0$ pass nothing back")
    sheet = build(
        load_spec(ROOT / "bank" / "lecture3-2.toml"),
        1,
        versions_from_count(1),
        formats=("latex",),
        lang="en",
    )
    assert english_sentences(sheet["v01/questions.tex"])
    assert not english_sentences(r"\begin{document}计算 $f(x, y) = x y$，\texttt{max} 门。")


def test_chinese_sheets_and_keys_have_no_english_sentence():
    files = build(
        load_spec(ROOT / "bank" / "lecture3-2.zh.toml"),
        2024,
        versions_from_count(2),
        formats=("latex", "markdown"),
        lang="zh",
    )
    checked = 0
    for path, text in files.items():
        if path.endswith((".tex", ".md")):
            if path.endswith("key.md"):  # the teacher's command is code
                text = re.sub(r"<sub>.*?</sub>", " ", text, flags=re.DOTALL)
            assert english_sentences(text) == [], path
            checked += 1
    assert checked == 8
