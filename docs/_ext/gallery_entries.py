"""The gallery's entries: what each page runs, and its captions in English and Chinese.

An entry is a function ``(runner, lang) -> [Page, ...]``: it runs symgrad through the
:class:`gallery.Runner` and returns the pages to write. Lists that exist in the code (the
granularities, the exercise kinds, the homework spec) are read from the code.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
import shutil
from dataclasses import dataclass, field

from markdown_output import render_markdown
from reference import bank_text

EXPR = "1/(1+exp(-(w0*x0+w1*x1+w2)))"  # the lecture's sigmoid circuit
POINT = "w0=2,x0=-1,w1=-3,x1=-2,w2=-3"
MLP = ("--layers", "3,4,3,2", "--seed", "1")
JACOBIAN = ("--y", "x1*x2, x2+x3", "--z", "y1*y2", "--at", "x1=1,x2=2,x3=3")
HOMEWORK_SPEC = "lecture3-2.toml"  # in symgrad's bank


@dataclass
class Section:
    """One output on a page: its commands, the PDF's pages and the HTML/Markdown/text."""

    heading: str
    caption: str
    commands: list[str]
    pngs: list[str] = field(default_factory=list)
    pdf: str | None = None  # link to the whole PDF
    iframe: str | None = None  # an HTML output file
    rendered: str | None = None  # Markdown output rendered to HTML
    text: str | None = None  # terminal output, shown folded
    text_label: str = "Terminal output"
    files: str | None = None  # a listing shown as preformatted text (e.g. a CSV)

    def markdown(self) -> str:
        commands = "\n".join(f"$ {c}" for c in self.commands)
        out = [f"## {self.heading}\n", f"{self.caption}\n"]
        if commands:
            out.append(f"```console\n{commands}\n```\n")
        raw = []
        if self.files is not None:
            raw.append(f'<pre class="sg-files">{html.escape(self.files)}</pre>')
        left = "".join(
            f'<a href="{self.pdf}"><img src="{png}" alt="{html.escape(self.heading)}: PDF page '
            f'{i}" loading="lazy"></a>'
            for i, png in enumerate(self.pngs, 1)
        )
        if self.iframe:
            right = (
                f'<iframe src="{self.iframe}" title="{html.escape(self.heading)}: HTML output" '
                'loading="lazy"></iframe>'
                f'<p class="sg-open"><a href="{self.iframe}">open the HTML page</a></p>'
            )
        elif self.rendered is not None:
            right = f'<div class="sg-md">{self.rendered}</div>'
        else:
            right = ""
        if left and right:
            raw.append(
                f'<div class="sg-pair"><div class="sg-pdf">{left}</div>'
                f'<div class="sg-out">{right}</div></div>'
            )
        elif left or right:
            raw.append(f'<div class="sg-single">{left}{right}</div>')
        if self.text is not None:
            raw.append(
                f"<details><summary>{html.escape(self.text_label)}</summary>"
                f'<pre class="sg-text">{html.escape(self.text)}</pre></details>'
            )
        if raw:
            body = "\n".join(raw)
            out.append(f"````{{raw}} html\n{body}\n````\n")
        return "\n".join(out)


@dataclass
class Page:
    slug: str
    title: str
    summary: str
    intro: str
    sections: list[Section]

    def markdown(self) -> str:
        head = f"# {self.title}\n\n{self.intro}\n\n"
        return head + "\n".join(s.markdown() for s in self.sections)


def tr(lang: str, en: str, zh: str) -> str:
    """The caption in the page's language."""
    return zh if lang == "zh" else en


def lang_args(lang: str) -> tuple[str, ...]:
    return () if lang == "en" else ("--lang", lang)


def solution_section(r, lang, name, args, heading, caption, pdf=True):
    """A worked solution three ways: its PDF (``-o NAME.pdf`` or a compiled ``.tex``), its
    HTML page and its terminal text."""
    args = (*args, *lang_args(lang))
    if pdf:
        r.symgrad(*args, "-o", f"{name}.pdf")
    else:  # no --pdf: the command's LaTeX, compiled by symgrad's own TeX sandbox
        r.symgrad(*args, "-o", f"{name}.tex")
        r.compile_latex(f"{name}.tex", f"{name}.pdf", lang)
    r.symgrad(*args, "-o", f"{name}.html")
    text = r.symgrad(*args)
    commands = r.take_commands()
    return Section(
        heading,
        caption,
        commands,
        pngs=r.pages(f"{name}.pdf"),
        pdf=f"../files/{r.slug}/{name}.pdf",
        iframe=r.keep(f"{name}.html"),
        text=text,
        text_label=tr(lang, "Terminal output", "终端输出"),
    )


def sigmoid(r, lang):
    from symgrad.graph import GRANULARITIES

    about = {
        "written": tr(
            lang,
            "One node per operator or function as written: `x+1` is an add-constant node, "
            "`1/x` a reciprocal.",
            "按书写方式每个运算或函数一个节点：`x+1` 是加常数节点，`1/x` 是倒数节点。",
        ),
        "primitive": tr(
            lang,
            "Lowered to the lecture's primitive functions f1–f6, with their table and the "
            "whole function as their nested composition.",
            "化为讲义中的基本函数 f1–f6，并给出它们的导数表和整个函数的嵌套复合形式。",
        ),
        "gate": tr(
            lang,
            "Recognised patterns fused: `1/(1+exp(-z))` is one sigmoid gate with local "
            "gradient σ(z)(1−σ(z)).",
            "识别出的模式合并为一个门：`1/(1+exp(-z))` 是一个 sigmoid 门，局部梯度为 "
            "σ(z)(1−σ(z))。",
        ),
    }
    sections = [
        solution_section(
            r,
            lang,
            f"circuit-{g}",
            ("derive", EXPR, "--at", POINT, "--granularity", g),
            tr(lang, f"Granularity `{g}`", f"粒度 `{g}`"),
            about[g],
        )
        for g in GRANULARITIES
    ]
    intro = tr(
        lang,
        "The lecture's sigmoid neuron f = σ(w0·x0 + w1·x1 + w2) at w0 = 2, x0 = −1, w1 = −3, "
        "x1 = −2, w2 = −3, derived at each granularity. Left: the PDF (`-o FILE.pdf`); right: "
        "the interactive HTML page (`-o FILE.html`; step through it with its buttons or ←/→).",
        "讲义中的 sigmoid 神经元 f = σ(w0·x0 + w1·x1 + w2)，在 w0 = 2, x0 = −1, w1 = −3, "
        "x1 = −2, w2 = −3 处，按三种粒度推导。左：PDF（`-o FILE.pdf`）；右：可交互的 HTML "
        "页面（`-o FILE.html`，用按钮或 ←/→ 逐步查看）。",
    )
    return [
        Page(
            "sigmoid-circuit",
            tr(lang, "The lecture's sigmoid circuit", "讲义中的 sigmoid 电路"),
            tr(lang, "one neuron at all three granularities", "一个神经元，三种粒度"),
            intro,
            sections,
        )
    ]


def mlp(r, lang):
    section = solution_section(
        r,
        lang,
        "mlp-3-4-3-2",
        ("mlp", *MLP),
        tr(
            lang,
            "3-4-3-2, ReLU hidden layers, softmax + cross-entropy",
            "3-4-3-2，ReLU 隐藏层，softmax + 交叉熵",
        ),
        tr(
            lang,
            "Given x, y and small random weights from seed 1: the forward values, the loss, the "
            "lecture's backward loop in matrix form (g ← g ⊙ g′(z), ∇b = g, ∇W = g hᵀ, "
            "g ← Wᵀ g) and every gradient with its shape, checked.",
            "给定 x、y 和由种子 1 生成的小随机权重：前向值、损失、讲义中矩阵形式的反向循环"
            "（g ← g ⊙ g′(z)，∇b = g，∇W = g hᵀ，g ← Wᵀ g），以及每个梯度及其形状，并经过数值检验。",
        ),
    )
    return [
        Page(
            "mlp",
            tr(lang, "The 3-4-3-2 MLP", "3-4-3-2 多层感知机"),
            tr(lang, "the lecture's network in matrix form", "讲义中的网络，矩阵形式"),
            tr(
                lang,
                "`symgrad mlp` on the lecture's network.",
                "对讲义中的网络运行 `symgrad mlp`。",
            ),
            [section],
        )
    ]


def mlp_batch(r, lang):
    section = solution_section(
        r,
        lang,
        "mlp-batch",
        ("mlp", *MLP, "--batch", "4"),
        tr(lang, "3-4-3-2 on a mini-batch of 4", "3-4-3-2，小批量 4 个样本"),
        tr(
            lang,
            "The same network on a mini-batch of 4 examples, the columns of X and Y: J is the "
            "mean loss, and the lecture's loop runs on the whole batch (Z = W H + b 1ᵀ, "
            "∇W = (1/m) G Hᵀ, ∇b = (1/m) G 1).",
            "同一网络在 4 个样本组成的小批量上（X、Y 的各列）：J 是平均损失，讲义中的循环在整个批量上进行"
            "（Z = W H + b 1ᵀ，∇W = (1/m) G Hᵀ，∇b = (1/m) G 1）。",
        ),
    )
    return [
        Page(
            "mlp-batch",
            tr(lang, "A mini-batch MLP", "小批量多层感知机"),
            tr(lang, "the 3-4-3-2 network on 4 examples", "3-4-3-2 网络，4 个样本"),
            tr(lang, "`symgrad mlp --batch`.", "`symgrad mlp --batch`。"),
            [section],
        )
    ]


def jacobian(r, lang):
    section = solution_section(
        r,
        lang,
        "jacobian",
        ("jacobian", *JACOBIAN),
        tr(lang, "y = (x1·x2, x2 + x3), z = y1·y2", "y = (x1·x2, x2 + x3)，z = y1·y2"),
        tr(
            lang,
            "`jacobian` has no `--pdf`: its `--format latex` is compiled here by symgrad's "
            "own TeX sandbox.",
            "`jacobian` 没有 `--pdf` 选项：这里用 symgrad 自带的 TeX 沙箱编译它的 `--format latex`。",
        ),
        pdf=False,
    )
    return [
        Page(
            "vector-chain-rule",
            tr(lang, "The vector chain rule", "向量链式法则"),
            tr(
                lang,
                "Jacobian ∂y/∂x and ∇ₓz = (∂y/∂x)ᵀ ∇ᵧz",
                "雅可比矩阵 ∂y/∂x 与 ∇ₓz = (∂y/∂x)ᵀ ∇ᵧz",
            ),
            tr(
                lang,
                "The lecture's 3-input, 2-output case: each ∂z/∂xᵢ as the sum over paths, "
                "checked against a reverse pass over the composed expression.",
                "讲义中三输入、两输出的例子：每个 ∂z/∂xᵢ 写成各路径之和，并与复合表达式的反向传播结果对照检验。",
            ),
            [section],
        )
    ]


def exercises(r, lang):
    from symgrad.exercises import KINDS

    sections = []
    for name, kind in KINDS.items():
        args = ("exercise", name, "--seed", "1", "--answers", *lang_args(lang))
        r.symgrad(*args, "--format", "latex", stdout=f"exercise-{name}.tex")
        r.compile_latex(f"exercise-{name}.tex", f"exercise-{name}.pdf", lang)
        markdown = r.symgrad(*args, "--format", "markdown")
        sections.append(
            Section(
                f"`{name}`",
                kind.summary[:1].upper() + kind.summary[1:] + ".",
                r.take_commands(),
                pngs=r.pages(f"exercise-{name}.pdf"),
                pdf=f"../files/{r.slug}/exercise-{name}.pdf",
                rendered=render_markdown(markdown),
            )
        )
    return [
        Page(
            "exercises",
            tr(lang, "One exercise of each kind", "每种练习各一道"),
            tr(lang, "with its answer key", "附答案"),
            tr(
                lang,
                "Every kind `symgrad kinds` lists, seed 1, with `--answers` (the key: answers, "
                "tolerances, partial credit and the worked solution). Left: the LaTeX "
                "(`--format latex`) compiled by symgrad's TeX sandbox; right: the Markdown "
                "(`--format markdown`).",
                "`symgrad kinds` 列出的每种练习，种子 1，带 `--answers`。",
            ),
            sections,
        )
    ]


def _bank_spec(r) -> str:
    """Copy the homework spec shipped in symgrad's bank into the work folder."""
    (r.work / HOMEWORK_SPEC).write_text(bank_text(HOMEWORK_SPEC), encoding="utf-8")
    return HOMEWORK_SPEC


def _listing(root) -> str:
    return "\n".join(
        p.relative_to(root.parent).as_posix() + ("/" if p.is_dir() else "")
        for p in sorted(root.rglob("*"))
        if not p.name.startswith(".")
    )


def homework(r, lang):
    spec = _bank_spec(r)
    r.symgrad(
        "homework",
        spec,
        "--versions",
        "2",
        "--seed",
        "2024",
        "--out",
        "hw",
        "--pdf",
        "--quiet",
        *lang_args(lang),
    )
    commands = r.take_commands()
    sections = [
        Section(
            tr(lang, "The set", "整套作业"),
            tr(
                lang,
                f"The whole lecture's spec (`bank/{spec}`), 2 versions, compiled. The files "
                "it writes:",
                f"整个讲义的作业说明（`bank/{spec}`），2 个版本，已编译。写出的文件：",
            ),
            commands,
            files=_listing(r.work / "hw"),
        )
    ]
    for doc, heading in (
        ("questions", "Version v01: question sheet"),
        ("key", "Version v01: answer key"),
    ):
        sections.append(
            Section(
                heading,
                tr(
                    lang,
                    f"`hw/v01/{doc}.pdf` next to `hw/v01/{doc}.md`.",
                    f"`hw/v01/{doc}.pdf` 与 `hw/v01/{doc}.md`。",
                ),
                [],
                pngs=r.pages(f"hw/v01/{doc}.pdf"),
                pdf=f"../files/{r.slug}/hw/v01/{doc}.pdf",
                rendered=render_markdown((r.work / "hw/v01" / f"{doc}.md").read_text("utf-8")),
            )
        )
    pages = [
        Page(
            "homework",
            tr(lang, "A homework set", "一套作业"),
            tr(lang, "question sheets and keys for 2 versions", "2 个版本的试题与答案"),
            tr(
                lang,
                "`symgrad homework` on the bank's lecture spec. Each version's numbers come from "
                "its own seed; the question sheet carries no seed and no command.",
                "对题库中的讲义作业说明运行 `symgrad homework`。",
            ),
            sections,
        )
    ]
    pages.append(grade(r, lang))
    return pages


def _responses(r) -> str:
    """A class's responses to the set in ``hw``: ana (v01) answers every blank right; ben
    (v02) flips the sign of the second blank of each exercise and skips the last blank."""
    keys = {}
    for version in ("v01", "v02"):
        data = json.loads((r.work / "hw" / version / "answers.json").read_text("utf-8"))
        for exercise in data["exercises"]:
            for answer in exercise["answers"]:
                keys[version, exercise["id"], answer["name"]] = answer["display"]
    template = (r.work / "hw" / "answers-template.csv").read_text("utf-8")
    rows = list(csv.DictReader(io.StringIO(template)))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["student", "version", "exercise", "blank", "answer"])
    seen: dict[str, int] = {}
    for student, version in (("ana", "v01"), ("ben", "v02")):
        mine = [row for row in rows if row["version"] == version]
        for i, row in enumerate(mine):
            answer = keys[version, row["exercise"], row["blank"]]
            if student == "ben":
                seen[row["exercise"]] = seen.get(row["exercise"], 0) + 1
                if seen[row["exercise"]] == 2:  # the second blank of each exercise: sign
                    answer = answer[1:] if answer.startswith("-") else "-" + answer
                if i == len(mine) - 1:
                    answer = ""
            writer.writerow([student, version, row["exercise"], row["blank"], answer])
    return out.getvalue()


def grade(r, lang):
    (r.work / "responses.csv").write_text(_responses(r), encoding="utf-8")
    text = r.symgrad(
        "grade", "hw", "responses.csv", "--out", "grades", "--pdf", *lang_args(lang), status=(0, 1)
    )
    commands = r.take_commands()
    feedback = r.work / "grades" / "feedback"
    sections = [
        Section(
            tr(lang, "The responses and the grades", "作答与成绩"),
            tr(
                lang,
                "`responses.csv` (the set's `answers-template.csv` filled in): ana answers "
                "version v01 right; ben (v02) gets the sign of the second blank of each "
                "exercise wrong and leaves his last blank empty. `grades.csv`:",
                "`responses.csv`（作业的 `answers-template.csv` 填写后）：ana 的 v01 全对；ben（v02）"
                "每道题第二个空的符号错误，最后一个空没有填。`grades.csv`：",
            ),
            commands,
            files=(r.work / "grades" / "grades.csv").read_text("utf-8"),
            text="responses.csv\n\n" + (r.work / "responses.csv").read_text("utf-8") + "\n" + text,
            text_label=tr(
                lang, "responses.csv and the terminal output", "responses.csv 与终端输出"
            ),
        )
    ]
    shutil.copytree(r.work / "grades", r.files / "grades")
    for student in ("ben", "ana"):
        sections.append(
            Section(
                tr(lang, f"Feedback for {student}", f"{student} 的反馈"),
                tr(
                    lang,
                    f"`grades/feedback/{student}.pdf` next to `grades/feedback/{student}.md`.",
                    f"`grades/feedback/{student}.pdf` 与 `grades/feedback/{student}.md`。",
                ),
                [],
                pngs=r.pages(f"grades/feedback/{student}.pdf"),
                pdf=f"../files/{r.slug}/grades/feedback/{student}.pdf",
                rendered=render_markdown((feedback / f"{student}.md").read_text("utf-8")),
            )
        )
    return Page(
        "grading",
        tr(lang, "A grading report", "评分报告"),
        tr(lang, "a class marked against the homework set", "按作业为全班评分"),
        tr(
            lang,
            "`symgrad grade` marks the responses against the homework set of the previous "
            'page, with partial credit and "correct given your earlier answers".',
            "`symgrad grade` 按上一页的作业批改作答。",
        ),
        sections,
    )


def _wrong_answers(r, template: str) -> str:
    """The template filled in with the right values, then two mistakes: df/dz_4's sign is
    flipped and carried on to every gradient after it, and df/dx0 forgets its upstream."""
    data = json.loads(r.symgrad("derive", EXPR, "--at", POINT, "--format", "json", show=False))
    values = {}
    for node in data["nodes"]:
        values[node["id"]] = node["value"]
        values[f"df/d{node['id']}"] = node["grad"]
    flipped = False
    lines = []
    for line in template.splitlines():
        m = re.match(r'"([^"]+)" = ""(.*)', line)
        if m:
            name = m.group(1)
            value = values[name]
            flipped = flipped or name == "df/dz_4"
            if flipped and name.startswith("df/"):
                value = -value
            if name == "df/dx0":
                value = values["w0"]  # the local gradient alone
            line = f'"{name}" = "{value:.4g}"{m.group(2)}'
        lines.append(line)
    return "\n".join(lines) + "\n"


def check(r, lang):
    r.symgrad("check", "--template", EXPR, "--at", POINT, "-o", "answers.toml", *lang_args(lang))
    template = (r.work / "answers.toml").read_text("utf-8")
    (r.work / "answers.toml").write_text(_wrong_answers(r, template), encoding="utf-8")
    args = ("check", EXPR, "--at", POINT, "--answers", "answers.toml", *lang_args(lang))
    r.symgrad(*args, "-o", "report.html", status=(1,))
    text = r.symgrad(*args, status=(1,))
    section = Section(
        tr(lang, "A student's answers, two of them wrong", "学生的答案，其中两个错误"),
        tr(
            lang,
            "`--template` writes the file to fill in; here it is filled with the right values "
            "except two mistakes: the sign of df/dz_4 (carried on consistently to every "
            "gradient after it) and df/dx0 without its upstream factor. `check` has no LaTeX "
            "or PDF output; its HTML report is shown (exit status 1: not every answer is right).",
            "`--template` 写出待填写的文件；这里除两处错误外都填入正确值：df/dz_4 的符号"
            "（之后的梯度都在此基础上一致地计算），以及 df/dx0 漏乘上游梯度。`check` 没有 LaTeX 或 "
            "PDF 输出，这里显示它的 HTML 报告（退出状态 1：并非全部正确）。",
        ),
        r.take_commands(),
        iframe=r.keep("report.html"),
        files=(r.work / "answers.toml").read_text("utf-8"),
        text=text,
        text_label=tr(lang, "Terminal output", "终端输出"),
    )
    return [
        Page(
            "check-report",
            tr(lang, "A check report", "答案检查报告"),
            tr(lang, "a student's answers judged step by step", "逐步判断学生的答案"),
            tr(
                lang,
                "`symgrad check` on the lecture's circuit: each answer right, right given "
                "the student's own earlier answers, or wrong with the mistake named.",
                "对讲义电路运行 `symgrad check`：每个答案判为正确、在学生自己先前答案基础上正确，或错误并指出错误类型。",
            ),
            [section],
        )
    ]


ENTRIES = {
    "sigmoid": sigmoid,
    "mlp": mlp,
    "mlp-batch": mlp_batch,
    "jacobian": jacobian,
    "exercises": exercises,
    "homework": homework,  # and the grading page, from the same set
    "check": check,
}
"""The English gallery, in page order."""

ZH_ENTRIES = {"sigmoid": sigmoid, "mlp": mlp, "jacobian": jacobian, "check": check}
"""The Chinese gallery: the entries whose commands write Chinese (``--lang zh``)."""
