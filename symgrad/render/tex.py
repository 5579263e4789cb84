r"""LaTeX engines: which one a document needs, and a sandboxed, time-limited compile.

:func:`tex_engine` picks pdflatex or xelatex for a source; :func:`tex_document` renders a
complete document for that engine; :func:`compile_pdf` runs it. The TeX source is ours
(templates), but it carries teachers' and students' text, so a compile is treated as
untrusted work:

* it runs in a fresh temporary directory that is deleted afterwards;
* ``-no-shell-escape`` and ``shell_escape=f``: ``\\write18`` never runs a command;
* ``openin_any=p`` and ``openout_any=p``: TeX may not read or write files outside
  that directory (absolute paths, ``..``) or dot files;
* a wall-clock timeout kills the engine's whole process group;
* files it writes are capped in size, so a runaway log cannot fill the disk.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from functools import cache
from pathlib import Path
from typing import Any

from ..errors import SymgradError
from .environment import environment

ENGINE = {"en": "pdflatex", "zh": "xelatex"}
"""The default TeX engine of each language (Chinese needs ctex + xelatex); an English document
with characters pdflatex cannot set is compiled with xelatex instead (:func:`tex_engine`)."""

UNICODE_TEX = {
    0x2264: r"\ensuremath{\le}",  # ≤
    0x2265: r"\ensuremath{\ge}",  # ≥
    0x2212: r"\ensuremath{-}",  # −
    0x03C3: r"\ensuremath{\sigma}",  # σ
    0x2299: r"\ensuremath{\odot}",  # ⊙
    0x2032: r"\ensuremath{'}",  # ′
    0x00B2: r"\ensuremath{^2}",  # ²
    0x2016: r"\ensuremath{\|}",  # ‖
    0x03A3: r"\ensuremath{\Sigma}",  # Σ
    0x03BB: r"\ensuremath{\lambda}",  # λ
    0x03A9: r"\ensuremath{\Omega}",  # Ω
    0x2207: r"\ensuremath{\nabla}",  # ∇
    0x2190: r"\ensuremath{\leftarrow}",  # ←
    0x2192: r"\ensuremath{\rightarrow}",  # →
    0x00BD: r"\ensuremath{\tfrac12}",  # ½
    0x2248: r"\ensuremath{\approx}",  # ≈
    0x03B6: r"\ensuremath{\zeta}",  # ζ
    0x03B4: r"\ensuremath{\delta}",  # δ
    0x2211: r"\ensuremath{\sum}",  # ∑
    0x1D7D9: r"\ensuremath{\mathbb{1}}",  # 𝟙
    0x221E: r"\ensuremath{\infty}",  # ∞
    0x2202: r"\ensuremath{\partial}",  # ∂
    0x1D40: r"\ensuremath{^\top}",  # ᵀ
    0x03B8: r"\ensuremath{\theta}",  # θ
    0x2260: r"\ensuremath{\ne}",  # ≠
    0x22C5: r"\ensuremath{\cdot}",  # ⋅
    0x2026: r"\ldots{}",  # …
    0x0177: r"\^{y}",  # ŷ (mlp.py's notes)
}
"""Unicode that our notes and method strings use, as LaTeX: ``templates/unicode.tex.j2``
declares these for English documents under either engine."""

OT1_MISSING = frozenset("«»ÐÞðþ")
"""Latin-1 characters pdflatex's default (OT1) fonts have no glyph for (LaTeX errors)."""


def tex_engine(source: str, lang: str = "en") -> str:
    """The engine that compiles ``source``: ``"xelatex"`` for Chinese, and for English text
    with a character pdflatex cannot set (above U+00FF and not in :data:`UNICODE_TEX`, or
    one of :data:`OT1_MISSING`), e.g. a student called 张伟; else ``"pdflatex"``.

    Every LaTeX document (derive, mlp, homework) asks this, and its template sets the class
    for the answer (:func:`tex_document`).

    >>> tex_engine("x ≤ y"), tex_engine("Zhang Wei 张伟"), tex_engine("x", "zh")
    ('pdflatex', 'xelatex', 'xelatex')
    """
    if ENGINE.get(lang) == "xelatex":
        return "xelatex"
    if source.isascii():  # the usual sheet: every character below U+0080 is settable
        return "pdflatex"
    return "xelatex" if _pdflatex_cannot_set().search(source) else "pdflatex"


@cache
def _pdflatex_cannot_set() -> re.Pattern:
    """One character class: above U+00FF and not in UNICODE_TEX, or in OT1_MISSING."""
    settable = "".join(chr(c) for c in UNICODE_TEX)
    missing = "".join(OT1_MISSING)
    return re.compile(f"[^\\x00-\\xff{re.escape(settable)}]|[{re.escape(missing)}]")


def tex_document(template: str, lang: str = "en", **context: Any) -> str:
    """A complete LaTeX document from ``template``, set up for the engine that compiles it.

    The template gets ``engine`` (``"pdflatex"`` or ``"xelatex"``) and chooses its class and
    packages by it; when the text needs xelatex, it is rendered again for xelatex. It also
    gets ``unicode_tex``, the declarations of ``templates/unicode.tex.j2``.
    """
    page = environment().get_template(template)
    context["unicode_tex"] = [(f"{code:04X}", tex) for code, tex in UNICODE_TEX.items()]
    engine = ENGINE.get(lang, "pdflatex")
    source = page.render(context, lang=lang, engine=engine)
    needed = tex_engine(source, lang)
    return source if needed == engine else page.render(context, lang=lang, engine=needed)


# --------------------------------------------------------------------------- compile

ENGINES = ("pdflatex", "xelatex")

DEBIAN_PACKAGES = {
    "pdflatex": "texlive-latex-base texlive-latex-recommended texlive-latex-extra",
    "xelatex": "texlive-xetex texlive-lang-chinese",
}
"""Debian/Ubuntu packages that provide each engine and the classes our templates use."""

MAX_RUNS = 3
"""Engine runs per document: one, plus reruns while LaTeX asks for them (references)."""

MAX_FILE_BYTES = 256 * 1024 * 1024
"""Largest file the engine may write (log, PDF); beyond it the OS stops the engine."""

_RERUN = re.compile(r"Rerun to get|Label\(s\) may have changed|Rerun LaTeX")
_LINE_NUMBER = re.compile(r"^l\.(\d+)")
_MISSING = re.compile(r"^Missing character: There is no (.) \(U\+([0-9A-F]+)\)", re.MULTILINE)


def tex_available(engine: str = "pdflatex") -> bool:
    """Whether ``engine`` (``"pdflatex"`` or ``"xelatex"``) is installed on ``PATH``."""
    return engine in ENGINES and shutil.which(engine) is not None


def _sandbox_env() -> dict[str, str]:
    """The environment for TeX: ours plus kpathsea's paranoid file and shell settings."""
    env = dict(os.environ)
    env.pop("TEXMFOUTPUT", None)  # openout_any=p would allow writing there too
    env.update(openin_any="p", openout_any="p", shell_escape="f", max_print_line="10000")
    return env


def _limit_file_size() -> None:  # pragma: no cover - runs in the child process
    """Cap the size of files the child may write (``preexec_fn``)."""
    import resource

    resource.setrlimit(resource.RLIMIT_FSIZE, (MAX_FILE_BYTES, MAX_FILE_BYTES))


def _first_error(log: str) -> str:
    """Describe the first ``! ...`` error in a TeX log, with its source line number."""
    lines = log.splitlines()
    for index, line in enumerate(lines):
        if line.startswith("! "):
            message = line[2:].strip()
            for later in lines[index + 1 :]:
                match = _LINE_NUMBER.match(later)
                if match:
                    return f"LaTeX error on line {match.group(1)}: {message}"
            return f"LaTeX error: {message}"
    last = next((line.strip() for line in reversed(lines) if line.strip()), "")
    return f"LaTeX failed: {last}" if last else "LaTeX failed without a log"


def _read_text(path: Path) -> str:
    """A log file's text, or ``""`` if the engine never wrote one."""
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return ""


def _run_engine(command: list[str], workdir: Path, seconds: float, timeout: float) -> int:
    """Run one engine pass; kill its process group and raise if it outlasts ``seconds``."""
    process = subprocess.Popen(
        command,
        cwd=workdir,
        env=_sandbox_env(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,  # everything is in the .log file
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        preexec_fn=_limit_file_size if os.name == "posix" else None,
    )
    try:
        return process.wait(timeout=max(seconds, 0.0))
    except subprocess.TimeoutExpired:
        raise SymgradError(f"LaTeX did not finish within {timeout:g} s") from None
    finally:
        if process.poll() is None:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            process.wait()


def compile_pdf(tex_source: str, engine: str = "pdflatex", timeout: float = 60) -> bytes:
    r"""Compile a complete LaTeX document and return the PDF's bytes.

    ``engine`` is ``"pdflatex"`` or ``"xelatex"`` (needed for Chinese with
    ``ctexart``). ``timeout`` bounds the whole compile, reruns included.
    Raises :class:`SymgradError` when the engine is missing (naming the Debian
    packages), when the timeout expires ("LaTeX did not finish within N s"),
    or when the document has an error (the first ``!`` line of the log and
    its line number, e.g. "LaTeX error on line 3: Undefined control sequence.").

    >>> compile_pdf(r"\documentclass{article}\begin{document}x\end{document}")[:5]  # doctest: +SKIP
    b'%PDF-'
    """
    return _compile(tex_source, engine, timeout)[0]


VERSION_STARTS = re.compile(r"^SHEET-VERSION-STARTS (\d+)$", re.MULTILINE)
_PAGES = re.compile(r"Output written on document\.pdf \((\d+) pages?")


def compile_pdf_pages(
    tex_source: str, engine: str = "pdflatex", timeout: float = 60, reruns: bool = True
) -> tuple[bytes, list[tuple[int, int]]]:
    r"""Like :func:`compile_pdf`, for a document of several versions: also the first and
    last page (from 1) of each version, which the document reports in its log as
    ``SHEET-VERSION-STARTS n`` lines (``templates/homework.tex.j2``).

    ``reruns=False`` runs the engine once: right for a document that prints no
    cross-reference (no ``\ref``, ``\pageref``, point totals), whose later runs only
    rewrite the .aux file and typeset the same pages again."""
    pdf, log = _compile(tex_source, engine, timeout, MAX_RUNS if reruns else 1)
    starts = [int(n) for n in VERSION_STARTS.findall(log)]
    pages = _PAGES.search(log)
    total = int(pages.group(1)) if pages else 0
    return pdf, [(a, b - 1) for a, b in zip(starts, starts[1:] + [total + 1])]


def cut_pages(pdf: bytes, ranges: list[tuple[int, int]]) -> list[bytes]:
    """One PDF per ``(first, last)`` page range (from 1, inclusive) of ``pdf``, holding only
    those pages and what they use (fonts, pictures); no outline or other page comes along.

    Cut with pypdf, so a class's per-version PDFs come from one compile of all versions."""
    import io

    from pypdf import PdfReader, PdfWriter

    reader = PdfReader(io.BytesIO(pdf))
    count = len(reader.pages)
    cuts = []
    for first, last in ranges:
        if not 1 <= first <= last <= count:
            raise SymgradError(f"pages {first}-{last} are not in a PDF of {count} pages")
        writer = PdfWriter()
        for index in range(first - 1, last):
            writer.add_page(reader.pages[index])
        buffer = io.BytesIO()
        writer.write(buffer)
        cuts.append(buffer.getvalue())
    return cuts


def join_pdfs(pdfs: list[bytes]) -> bytes:
    """One PDF of the pages of ``pdfs`` in order (the input itself when there is one)."""
    if len(pdfs) == 1:
        return pdfs[0]
    import io

    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for pdf in pdfs:
        for page in PdfReader(io.BytesIO(pdf)).pages:
            writer.add_page(page)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _compile(
    tex_source: str, engine: str, timeout: float, runs: int = MAX_RUNS
) -> tuple[bytes, str]:
    """The PDF's bytes and the last run's log, after at most ``runs`` engine runs."""
    if engine not in ENGINES:
        raise SymgradError(f"unknown LaTeX engine {engine!r}; use one of {', '.join(ENGINES)}")
    if not tex_available(engine):
        raise SymgradError(
            f"{engine} was not found; install TeX Live, e.g. "
            f"apt-get install {DEBIAN_PACKAGES[engine]}"
        )
    deadline = time.monotonic() + timeout
    command = [
        engine,
        "-no-shell-escape",
        "-interaction=nonstopmode",
        "-halt-on-error",
        "-jobname=document",
        "document.tex",
    ]
    with tempfile.TemporaryDirectory(prefix="symgrad-tex-") as tmp:
        workdir = Path(tmp)
        (workdir / "document.tex").write_text(tex_source, encoding="utf-8")
        log_path, pdf_path = workdir / "document.log", workdir / "document.pdf"
        for _ in range(max(1, runs)):
            status = _run_engine(command, workdir, deadline - time.monotonic(), timeout)
            log = _read_text(log_path)
            if status != 0 or not pdf_path.exists():
                raise SymgradError(_first_error(log))
            if not _RERUN.search(log):
                break
        missing = _MISSING.search(log)
        if missing:  # the PDF would silently lack that text
            char, code = missing.groups()
            raise SymgradError(
                f"no font for the character {char} (U+{code}); "
                f"{engine} would leave it out of the PDF"
            )
        return pdf_path.read_bytes(), log
