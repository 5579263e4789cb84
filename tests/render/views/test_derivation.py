"""The LaTeX (TikZ) and Graphviz circuits are drawn from the box plan: the TikZ label and gate
coordinates are the plan's boxes in cm (so no label meets a label or a gate), every value sits
above its wire and every gradient below, the picture fits the page (no overfull box), and the
DOT file pins the same positions so ``neato -n2`` draws the same picture."""

import re
import subprocess

import pytest
from conftest import require_tool
from support.circuits import DERIVATIONS

from symgrad.render import layout, render
from symgrad.render.layout import PX_PER_CM, circuit, overlaps, plan
from symgrad.render.views.derivation import graph_tex

NUM = r"(-?[\d.]+)"
LABEL = re.compile(rf"\\node\[k-(\w+)\] \(l(\d+)-n(\d+)\) at \({NUM},{NUM}\)")
GATE = re.compile(rf"\\draw\[gate, [^\]]*\] \({NUM},{NUM}\) rectangle \({NUM},{NUM}\);")
STUB = re.compile(rf"\\draw\[(?:stub|wire)\] \({NUM},{NUM}\) -- \({NUM},{NUM}\);")
IDS = [f"{len(d.graph.nodes)}-nodes-{k}" for k, d in enumerate(DERIVATIONS)]


def picture(tex: str) -> str:
    """The centered block that holds the tikzpicture."""
    at = tex.index(r"\begin{tikzpicture}")
    start = tex.rindex(r"\begin{center}", 0, at)
    return tex[start : tex.index(r"\end{center}", at) + len(r"\end{center}")]


def test_corpus_spans_5_to_40_nodes():
    sizes = [len(d.graph.nodes) for d in DERIVATIONS]
    assert min(sizes) <= 6 and max(sizes) >= 36 and len(sizes) >= 30


@pytest.mark.slow
@pytest.mark.parametrize("d", DERIVATIONS, ids=IDS)
def test_tikz_coordinates_are_the_plan_in_cm(d, monkeypatch):
    """Label and gate boxes rebuilt from the TikZ coordinates (sizes from the plan) do not
    intersect, values sit above their node's output wire and gradients below it."""
    plans = []

    def spy(graph, texts):
        plans.append(plan(graph, texts))
        return plans[-1]

    monkeypatch.setattr(layout, "plan", spy)
    tex = picture(render(d, "latex"))
    geometry = plans[-1]
    found = LABEL.findall(tex)
    assert len(found) == len(geometry["labels"]) > 0
    boxes = []
    for (kind, _k, node, x, y), box in zip(found, geometry["labels"]):
        assert (kind, int(node)) == (box["kind"], box["node"])
        cx, cy = float(x) * PX_PER_CM, -float(y) * PX_PER_CM  # back to the plan's pixels
        assert cx == pytest.approx(box["x"] + box["w"] / 2, abs=0.5)
        assert cy == pytest.approx(box["y"] + box["h"] / 2, abs=0.5)
        # boxes that touch in the plan may meet by a rounding error: 0.1 px less each side
        boxes.append(
            {
                **box,
                "x": cx - box["w"] / 2 + 0.1,
                "y": cy - box["h"] / 2 + 0.1,
                "w": box["w"] - 0.2,
                "h": box["h"] - 0.2,
            }
        )
    gates = [
        {
            "x": float(a) * PX_PER_CM,
            "y": -float(b) * PX_PER_CM,
            "w": (float(c) - float(a)) * PX_PER_CM,
            "h": (float(b) - float(e)) * PX_PER_CM,
            "kind": "gate",
        }
        for a, b, c, e in GATE.findall(tex)
    ]
    assert len(gates) == len(d.graph.op_nodes)
    assert overlaps(boxes + gates) == []
    stubs = [(float(x0), float(x1), float(y)) for x0, y, x1, _ in STUB.findall(tex)]
    assert len(stubs) == len(d.graph.nodes)
    for kind, _, node, x, y in found:
        x0, x1, wire_y = stubs[int(node)]
        if kind == "value":
            assert float(y) > wire_y and x0 <= float(x), (node, y, wire_y)
        elif kind == "gradient":
            assert float(y) < wire_y and x0 <= float(x), (node, y, wire_y)


def _pdflatex_log(tmp_path, tex: str) -> tuple[str, list[tuple[int, int]]]:
    """Compile ``tex`` with pdflatex; its log and the line ranges of its pictures."""
    (tmp_path / "pictures.tex").write_text(tex)
    run = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "pictures.tex"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
    )
    log = (tmp_path / "pictures.log").read_text(errors="replace")
    assert run.returncode == 0, log[-3000:]
    lines = tex.split("\n")
    starts = [n + 1 for n, line in enumerate(lines) if line.startswith(r"\begin{center}")]
    ends = [n + 1 for n, line in enumerate(lines) if r"\end{center}" in line]
    return log, list(zip(starts, ends))


@pytest.mark.slow
def test_every_picture_fits_the_page(tmp_path):
    """All corpus pictures in one document (the renderer's own preamble): pdflatex reports no
    overfull hbox in any picture, and the 40-node one is scaled or turned to fit."""
    require_tool("pdflatex")
    first = render(DERIVATIONS[0], "latex")
    preamble = first[: first.index(r"\begin{document}")]
    blocks = [picture(render(d, "latex")) for d in DERIVATIONS]
    tex = preamble + "\\begin{document}\n" + "\n\\clearpage\n".join(blocks) + "\n\\end{document}\n"
    log, ranges = _pdflatex_log(tmp_path, tex)
    assert len(ranges) == len(DERIVATIONS)
    bad = []
    for match in re.finditer(r"Overfull \\hbox .*? at lines? (\d+)(?:--(\d+))?", log):
        first_line, last_line = int(match[1]), int(match[2] or match[1])
        if any(a <= last_line and first_line <= b for a, b in ranges):
            bad.append(match[0])
    assert bad == []
    assert not re.search(r"Overfull \\vbox", log)


def test_a_wide_picture_is_scaled_or_turned():
    big = max(DERIVATIONS, key=lambda d: len(d.graph.nodes))
    view = circuit(big, graph_tex(big))
    assert float(view["scale"]) < 1 or view["rotate"]


DOT_LABEL = re.compile(r'l\d+ \[pos="([\d.]+),([\d.]+)!", class="(value|gradient)".*wire="n(\d+)"')
DOT_STUB = re.compile(r'n(\d+)_a \[pos="([\d.]+),([\d.]+)!"')
DOT_POS = re.compile(r'^\s*(\w+)\s+\[.*?pos="([\d.]+),([\d.]+)!?"', re.M)


@pytest.mark.parametrize("d", DERIVATIONS[::4], ids=IDS[::4])
def test_dot_puts_values_above_and_gradients_below(d):
    dot = render(d, "dot")
    stubs = {int(n): (float(x), float(y)) for n, x, y in DOT_STUB.findall(dot)}
    labels = DOT_LABEL.findall(dot)
    assert len(stubs) == len(d.graph.nodes)
    assert {kind for *_, kind, _ in labels} == {"value", "gradient"}
    for x, y, kind, node in labels:  # Graphviz's y grows upward
        sx, sy = stubs[int(node)]
        assert (float(y) > sy) if kind == "value" else (float(y) < sy), (kind, node)
        assert float(x) >= sx
    view = circuit(d, graph_tex(d))
    assert len(labels) == sum(b["kind"] != "name" for b in view["labels"])
    assert "neato -n2 -Tpng" in dot


@pytest.mark.slow
@pytest.mark.parametrize("command", [["neato", "-n2"], ["dot"]])
@pytest.mark.parametrize("d", [DERIVATIONS[0], DERIVATIONS[-1]], ids=["small", "large"])
def test_graphviz_keeps_the_pinned_positions(d, command):
    """``neato -n2`` (and ``dot``, through ``layout=neato``) lays the file out with every
    node where the file pins it."""
    require_tool(command[0])
    dot = render(d, "dot")
    run = subprocess.run(
        [*command, "-Tplain"], input=dot, capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stderr
    pinned = {n: (float(x), float(y)) for n, x, y in DOT_POS.findall(dot)}
    placed = {}
    for line in run.stdout.splitlines():  # plain format: node name x y (inches) ...
        if line.startswith("node "):
            _, name, x, y = line.split()[:4]
            placed[name] = (float(x) * 72, float(y) * 72)
    assert len(pinned) > len(d.graph.nodes) and set(placed) == set(pinned)
    dx, dy = (placed["n0"][k] - pinned["n0"][k] for k in (0, 1))  # the drawing may shift
    for name, (x, y) in pinned.items():
        assert placed[name] == pytest.approx((x + dx, y + dy), abs=1.0), name
