"""Compile LaTeX to PDF in a sandboxed, time-limited child process.

The TeX source is ours (templates), but it carries teachers' and students' text,
so a compile is treated as untrusted work:

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
from pathlib import Path

from .errors import SymgradError

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
        for _ in range(MAX_RUNS):
            status = _run_engine(command, workdir, deadline - time.monotonic(), timeout)
            log = _read_text(log_path)
            if status != 0 or not pdf_path.exists():
                raise SymgradError(_first_error(log))
            if not _RERUN.search(log):
                break
        missing = _MISSING.search(log)
        if missing:  # the PDF would silently lack that text
            char, code = missing.groups()
            raise SymgradError(f"no font for the character {char} (U+{code}); "
                               f"{engine} would leave it out of the PDF")
        return pdf_path.read_bytes()


__all__ = ["ENGINES", "DEBIAN_PACKAGES", "tex_available", "compile_pdf"]
