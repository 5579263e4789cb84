"""A homework set's PDFs: two LaTeX compiles for the whole class, cut into per-version files.

Every version's question sheet goes into one document (``all-questions.pdf``) and every key
into another (``all-keys.pdf``); each version starts on a new page numbered 1 and the
document logs where (``SHEET-VERSION-STARTS``, :func:`..render.tex.compile_pdf_pages`).
Each version's ``questions.pdf`` and ``key.pdf`` are then cut from those two by page range
(:func:`..render.tex.cut_pages`): two engine start-ups instead of two per version, and a
student's sheet is cut from the questions document, which holds no answer.

The sheets print no cross-reference (no ``\\ref``, ``\\pageref`` or point totals), so each
document is typeset in one engine run; ``tests/test_pdf_batch.py`` checks the template.
"""

from __future__ import annotations

from typing import Any

from ..errors import SymgradError

ALL_PDFS = {"questions": "all-questions.pdf", "key": "all-keys.pdf"}
"""The two documents of every version: a student's sheet and its key come from these."""


def compile_pdfs(
    files: dict[str, str | bytes],
    sheets: list[dict[str, dict]],
    folders: list[str],
    lang: str,
    jobs: int,
) -> dict[str, dict[str, list[int]]]:
    """Add to ``files`` the two all-versions PDFs and each version's ``questions.pdf`` and
    ``key.pdf`` (``sheets[i]`` holds version ``i``'s LaTeX sheet contexts, ``"questions"``
    and ``"key"``; ``folders[i]`` its folder).

    With ``jobs > 1`` each document is compiled in ``jobs`` parts of consecutive versions,
    ``jobs`` compiles at a time (each its own process; threads only wait for them), the
    keys' parts first (the longer ones), so the cores stay busy to the end; the parts are
    joined into the all-versions PDF. Returns each document's first and last page per
    version folder."""
    from concurrent.futures import ThreadPoolExecutor

    from ..render.tex import cut_pages, join_pdfs

    size = -(-len(sheets) // max(1, min(jobs, len(sheets))))  # versions per part
    parts = [(a, min(a + size, len(sheets))) for a in range(0, len(sheets), size)]
    with ThreadPoolExecutor(max(1, jobs)) as pool:
        futures = {
            (name, part): pool.submit(
                all_versions_pdf, [s[name] for s in sheets[a:b]], lang, name == "key"
            )
            for name in ("key", "questions")
            for part, (a, b) in enumerate(parts)
        }
        done = {key: future.result() for key, future in futures.items()}
    pages = {}
    for name, path in ALL_PDFS.items():
        ranges: list[tuple[int, int]] = []
        for part, (a, b) in enumerate(parts):
            pdf, own = done[(name, part)]
            offset = ranges[-1][1] if ranges else 0
            ranges += [(first + offset, last + offset) for first, last in own]
            for folder, cut in zip(folders[a:b], cut_pages(pdf, own)):
                files[f"{folder}/{name}.pdf"] = cut
        files[path] = join_pdfs([done[(name, part)][0] for part in range(len(parts))])
        pages[path] = {folder: list(r) for folder, r in zip(folders, ranges)}
    return pages


def all_versions_pdf(
    sheets: list[dict[str, Any]], lang: str, answers: bool
) -> tuple[bytes, list[tuple[int, int]]]:
    """Every version's sheet (or key) in one document, compiled once: each version starts
    on a new page numbered 1. Returns the PDF and each version's (first, last) page."""
    from ..render.tex import compile_pdf_pages, tex_document, tex_engine
    from ..render.views.exercise import phrases, phrases_for

    text = tex_document(
        "homework.tex.j2",
        lang,
        sheets=sheets,
        s=phrases_for(phrases(lang), "latex"),
        answers=answers,
    )
    pdf, ranges = compile_pdf_pages(
        text, engine=tex_engine(text, lang), timeout=120 + 10 * len(sheets), reruns=False
    )
    if len(ranges) != len(sheets):
        raise SymgradError(f"the combined PDF reports {len(ranges)} versions, not {len(sheets)}")
    return pdf, ranges
