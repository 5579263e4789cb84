"""Exercises as text, Markdown, LaTeX (exam class), Moodle XML and JSON.

Exercise text is ours: sentences with inline math ``$...$`` and display math ``$$...$$``.
:func:`markup` turns it into each format (math kept as LaTeX for KaTeX/MathJax/TeX, text
parts escaped for the format). User text (titles, student names) is escaped with
:mod:`symgrad.escape` in the templates' context, never trusted.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from .. import escape
from .base import MISTAKES, plain

PHRASES = {
    "en": {
        "questions": "Questions", "answer_key": "Answer key", "seed": "seed",
        "version": "version", "student": "Student", "name": "Name", "points": "points",
        "solution": "Worked solution", "answers": "Answers", "tolerance": "tolerance",
        "correct": "Correct.", "regenerate": "regenerate with",
        "instructions": "Give every number to at least 3 decimal places; answers within the "
                        "stated tolerance (about 1%) are accepted.",
        "exercise": "Exercise", "kind": "kind", "difficulty": "difficulty",
        "partial": "partial credit",
    },
    "zh": {
        "questions": "题目", "answer_key": "参考答案", "seed": "种子", "version": "版本",
        "student": "学生", "name": "姓名", "points": "分", "solution": "解题过程",
        "answers": "答案", "tolerance": "容差", "correct": "正确。", "regenerate": "重新生成：",
        "instructions": "所有数值至少保留 3 位小数；在给定容差（约 1%）内的答案都算正确。",
        "exercise": "练习", "kind": "类型", "difficulty": "难度", "partial": "部分得分",
    },
}


def strings(lang: str) -> dict[str, str]:
    """The homework phrases of ``lang``.

    Kept here rather than in ``templates/strings.toml`` (owned by the renderer), whose keys
    such as ``seed`` already mean something else there.
    """
    return dict(PHRASES[lang])


def phrases_for(phrases: dict, fmt: str) -> dict:
    """The phrase table escaped for ``fmt`` (``1%`` must not start a LaTeX comment)."""
    if fmt == "latex":
        return {k: tex_text(v) for k, v in phrases.items()}
    if fmt == "html":
        return {k: escape.html(v) for k, v in phrases.items()}
    return dict(phrases)


# --------------------------------------------------------------------------- markup

_MATH = re.compile(r"\$\$(.+?)\$\$|\$(.+?)\$", re.DOTALL)

# Unicode in our notes (and mlp.py's) that pdflatex cannot set in text mode.
_UNICODE_TEX = {
    "σ": r"\sigma", "ζ": r"\zeta", "λ": r"\lambda", "η": r"\eta", "Ω": r"\Omega",
    "∂": r"\partial", "∇": r"\nabla", "⊙": r"\odot", "≤": r"\le", "≥": r"\ge", "→": r"\to",
    "←": r"\leftarrow", "×": r"\times", "·": r"\cdot", "−": "-", "′": "'", "‖": r"\|",
    "²": "^2", "ᵀ": r"^\top", "ŷ": r"\hat y", "Σ": r"\Sigma", "≈": r"\approx", "∈": r"\in",
    "ˣ": "^x", "₁": "_1", "₂": "_2",
}
_UNICODE_RE = re.compile("|".join(map(re.escape, _UNICODE_TEX)))


def tex_text(text: str) -> str:
    """Escape running text for LaTeX; math-like Unicode becomes ``\\ensuremath{...}``."""
    escaped = escape.latex(text)
    escaped = escaped.replace("–", "--")
    return _UNICODE_RE.sub(lambda m: r"\ensuremath{" + _UNICODE_TEX[m.group(0)] + "}", escaped)


def markup(text: str, fmt: str) -> str:
    """Our ``$``-markup in ``fmt``: ``latex``, ``markdown``, ``html`` or ``text``."""
    if fmt == "text":
        return "\n".join(plain(part) if i % 2 == 0 else f"\n    {plain(part)}\n"
                         for i, part in enumerate(re.split(r"\$\$(.+?)\$\$", text, flags=re.DOTALL))
                         if part.strip())
    out, pos = [], 0
    for m in _MATH.finditer(text):
        out.append(_text_part(text[pos:m.start()], fmt))
        display, inline = m.group(1), m.group(2)
        out.append(_math_part(display if display is not None else inline, fmt,
                              display is not None))
        pos = m.end()
    out.append(_text_part(text[pos:], fmt))
    return "".join(out)


def _text_part(text: str, fmt: str) -> str:
    if fmt == "latex":
        return tex_text(text)
    if fmt == "html":
        return escape.html(text)
    return text  # markdown: our own sentences, nothing to escape


def _math_part(math: str, fmt: str, display: bool) -> str:
    math = math.strip()
    if fmt == "latex":
        return rf"\[ {math} \]" if display else f"${math}$"
    if fmt == "html":
        return (rf"\[ {escape.html(math)} \]" if display else rf"\( {escape.html(math)} \)")
    return f"\n\n$$ {math} $$\n\n" if display else f"${math}$"


def math(text: str, fmt: str, display: bool = False) -> str:
    """A bare LaTeX math snippet (answer label, solution line) in ``fmt``."""
    if fmt == "text":
        return plain(text)
    return _math_part(text, fmt, display).strip()


# --------------------------------------------------------------------------- context

def exercise_context(exercise, fmt: str, lang: str, number: int = 1, title: str | None = None,
                     points=None, exercise_id: str | None = None) -> dict:
    """Everything a template needs about one exercise, already formatted for ``fmt``.

    ``title`` (user text from a spec) is escaped here; ours is formatted as markup.
    """
    own_title = exercise.title[lang]
    if title is None:
        shown_title = markup(own_title, fmt) if fmt != "latex" else tex_text(own_title)
    else:
        shown_title = user_text(title, fmt)
    answers = []
    for a in exercise.answers:
        answers.append({
            "name": a.name, "label": math(a.label, fmt), "raw_label": a.label,
            "value": a.display, "tolerance": _num(a.tol),
            "alternatives": [{"value": _num(alt.value), "fraction": alt.fraction,
                              "mistake": alt.mistake,
                              "feedback": _feedback(alt.mistake, lang, fmt),
                              "feedback_plain": MISTAKES[alt.mistake][1][lang]}
                             for alt in a.alternatives],
        })
    solution = []
    for line in exercise.solution:
        note = (line.get("note") or {}).get(lang)
        solution.append({
            "math": math(line["math"], fmt, display=True) if line["math"] else "",
            "note": "" if not note else (tex_text(note) if fmt == "latex" else
                                         escape.html(note) if fmt == "html" else note),
        })
    return {
        "number": number, "id": exercise_id or exercise.kind, "title": shown_title,
        "points": points, "seed": exercise.seed, "kind": exercise.kind,
        "difficulty": exercise.difficulty, "prompt": markup(exercise.prompt[lang], fmt),
        "answers": answers, "solution": solution,
    }


def _num(x: float) -> str:
    from .base import num

    return num(x)


def _feedback(mistake: str, lang: str, fmt: str) -> str:
    text = MISTAKES[mistake][1][lang]
    if fmt == "latex":
        return tex_text(text)
    if fmt == "html":
        return escape.html(text)
    return text


def user_text(text: str, fmt: str) -> str:
    """Escape a teacher's or student's text for ``fmt``."""
    if fmt == "latex":
        return tex_text(text)
    if fmt == "markdown":
        return escape.markdown(text)
    if fmt in ("html", "xml"):
        return escape.html(text)
    return text


# --------------------------------------------------------------------------- templates

def template_dir() -> Path:
    """The shipped templates: the ``symgrad.templates`` package, else the source tree."""
    try:
        from importlib.resources import files

        path = Path(str(files("symgrad.templates")))
        if (path / "homework.tex.j2").exists():
            return path
    except (ModuleNotFoundError, TypeError):
        pass
    return Path(__file__).resolve().parents[2] / "templates"


@lru_cache(maxsize=1)
def environment():
    """The Jinja2 environment: ``symgrad.render.environment()`` when it exists, else ours."""
    try:
        from ..render import environment as shared

        env = shared()
        env.get_template("homework.tex.j2")
    except (ImportError, AttributeError, OSError, LookupError):  # absent, or cannot see ours
        import jinja2
    else:
        return env

    return jinja2.Environment(  # the shared delimiters: \VAR{x}, \BLOCK{...}, \#{...}
        loader=jinja2.FileSystemLoader(str(template_dir())), undefined=jinja2.StrictUndefined,
        autoescape=False, keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True,
        block_start_string=r"\BLOCK{", block_end_string="}", variable_start_string=r"\VAR{",
        variable_end_string="}", comment_start_string=r"\#{", comment_end_string="}")


def render_template(name: str, **context) -> str:
    if name.endswith(".tex.j2"):  # a LaTeX document: set up for the engine its text needs
        from ..render import tex_document

        return tex_document(name, **context)
    return environment().get_template(name).render(**context)


def render_exercise(exercise, fmt: str, lang: str = "en", answers: bool = False) -> str:
    """One exercise (``symgrad exercise``) as text, markdown, latex or json."""
    import json

    if fmt == "json":
        return json.dumps(exercise.to_dict(lang, answers=True), indent=2, ensure_ascii=False,
                          sort_keys=False) + "\n"
    sheet_fmt = {"text": "text", "markdown": "markdown", "latex": "latex"}[fmt]
    ctx = exercise_context(exercise, sheet_fmt, lang)
    s = phrases_for(strings(lang), sheet_fmt)
    if fmt == "text":
        return render_template("homework.txt.j2", ex=ctx, s=s, answers=answers)
    sheet = {"title": user_text(exercise.title[lang], sheet_fmt) if fmt != "latex"
             else tex_text(exercise.title[lang]),
             "version": None, "student": None, "seed": None, "instructions": None,
             "total": None, "exercises": [ctx]}
    name = "homework.md.j2" if fmt == "markdown" else "homework.tex.j2"
    return render_template(name, sheet=sheet, s=s, answers=answers, lang=lang)
