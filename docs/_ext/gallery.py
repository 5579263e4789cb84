"""Sphinx extension: the gallery, generated at every build by running symgrad.

Like matplotlib's sphinx-gallery, no example is stored: at ``builder-inited`` every entry
runs the ``symgrad`` command line (``python -m symgrad`` with the interpreter that runs
Sphinx, so the documented package is the one installed) in a fresh temporary folder, compiles
its PDF with symgrad's own ``--pdf`` (or, for commands without one, symgrad's own sandboxed
compile of the command's ``--format latex``), turns the pages into PNG with ``pdftoppm -png -r
90`` and writes one Markdown page per entry into ``docs/auto/`` (git-ignored). The pages show
each PDF page next to the HTML output (an iframe: symgrad's page is self-contained and works
offline) or next to the Markdown output, rendered here by markdown-it (MyST's parser) with its
formulas converted to MathML by latex2mathml, so the site loads nothing from the network.

The command line rather than the library: the gallery shows the commands a reader types, and
what they print is then exactly what the reader gets (exit status, ``-o`` handling, the
Chinese punctuation pass), and each run is isolated from the others and from Sphinx.

Nothing is cached across builds: every page and file is regenerated, and a file is rewritten
only when its content changed (so Sphinx re-reads exactly the pages whose output changed).
``SYMGRAD_DOCS_GALLERY=slug,slug`` limits a build to some entries (the tests use it).
"""

from __future__ import annotations

import html
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from gallery_entries import ENTRIES, ZH_ENTRIES, Page
from sphinx.application import Sphinx
from sphinx.util import logging

AUTO = "auto"  # under the source dir; git-ignored
TIMEOUT = 300  # seconds for one command
RESOLUTION = "90"  # pdftoppm -r

logger = logging.getLogger(__name__)


class GalleryError(RuntimeError):
    """A gallery command failed: the build must fail, never show a stale or empty page."""


@dataclass
class Runner:
    """Runs one entry's commands in its own folder and collects the files a page shows."""

    work: Path  # the commands' working directory (temporary)
    files: Path  # docs/auto/files/<slug>: copied into the built site
    slug: str
    shown: list[str] = field(default_factory=list)

    def symgrad(
        self,
        *args: str,
        status: tuple[int, ...] = (0,),
        show: bool = True,
        stdout: str | None = None,
    ) -> str:
        """Run ``symgrad ARGS`` in the work folder; its stdout (also written to the file
        ``stdout`` when given). An exit status outside ``status`` fails the build."""
        command = [sys.executable, "-m", "symgrad", *args]
        done = subprocess.run(
            command,
            cwd=self.work,
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            env={**os.environ, "COLUMNS": "100"},
        )
        if done.returncode not in status:
            raise GalleryError(
                f"gallery {self.slug}: `symgrad {shlex.join(args)}` exited "
                f"{done.returncode}: {done.stderr.strip()[-2000:]}"
            )
        if stdout is not None:
            (self.work / stdout).write_text(done.stdout, encoding="utf-8")
        if show:
            redirect = f" > {stdout}" if stdout else ""
            self.shown.append("symgrad " + shlex.join(args) + redirect)
        return done.stdout

    def take_commands(self) -> list[str]:
        """The commands run since the last call, as the page shows them."""
        commands, self.shown = self.shown, []
        return commands

    def keep(self, name: str) -> str:
        """Copy the work folder's ``name`` into the site; its path relative to a page."""
        target = self.files / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(self.work / name, target)
        return f"../files/{self.slug}/{name}"

    def compile_latex(self, tex: str, pdf: str, lang: str) -> None:
        """Compile the work folder's ``tex`` with symgrad's own sandboxed TeX run."""
        from symgrad.render.tex import compile_pdf, tex_engine

        source = (self.work / tex).read_text(encoding="utf-8")
        data = compile_pdf(source, engine=tex_engine(source, lang), timeout=TIMEOUT)
        (self.work / pdf).write_bytes(data)

    def pages(self, pdf: str, first: int = 1, last: int | None = None) -> list[str]:
        """The PDF's pages (``first`` to ``last``) as PNG files in the site: their paths."""
        stem = Path(pdf).with_suffix("").as_posix().replace("/", "-")
        out = self.files / stem
        out.parent.mkdir(parents=True, exist_ok=True)
        command = ["pdftoppm", "-png", "-r", RESOLUTION, "-f", str(first)]
        if last is not None:
            command += ["-l", str(last)]
        done = subprocess.run(
            [*command, str(self.work / pdf), str(out)],
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
        )
        if done.returncode != 0:
            raise GalleryError(f"gallery {self.slug}: pdftoppm {pdf}: {done.stderr.strip()}")
        made = sorted(
            (p for p in self.files.glob(f"{out.name}-*.png")),
            key=lambda p: int(p.stem.rsplit("-", 1)[1]),
        )
        if not made:
            raise GalleryError(f"gallery {self.slug}: {pdf} has no pages")
        self.keep(pdf)
        return [f"../files/{self.slug}/{p.name}" for p in made]


def _entries(lang: str) -> list[tuple[str, Callable]]:
    chosen = os.environ.get("SYMGRAD_DOCS_GALLERY", "").strip()
    table = ENTRIES if lang == "en" else ZH_ENTRIES
    if not chosen:
        return list(table.items())
    wanted = {s.strip() for s in chosen.split(",")}
    return [(slug, make) for slug, make in table.items() if slug in wanted]


def _run_entry(root: Path, lang: str, slug: str, make: Callable) -> list[Page]:
    files = root / "files" / f"{lang}-{slug}"
    shutil.rmtree(files, ignore_errors=True)
    files.mkdir(parents=True)
    with tempfile.TemporaryDirectory(prefix=f"symgrad-docs-{slug}-") as work:
        runner = Runner(Path(work), files, f"{lang}-{slug}")
        return make(runner, lang)


def _write_if_changed(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


INDEX_HEAD = {
    "en": (
        "# Gallery\n\n"
        "Every page below was generated while these docs were built, by running the "
        "commands it shows: the pictures are the pages of the PDFs symgrad compiled, next to "
        "the HTML or Markdown it wrote. Nothing here is a stored copy, so nothing here can "
        "be older than the code.\n\n"
    ),
    "zh": (
        "# 示例库\n\n"
        "下面每一页都是在构建本文档时运行页面上的命令生成的：图片是 symgrad 编译出的 PDF "
        "页面，旁边是它写出的 HTML 或 Markdown。这里没有存档副本，所以不会比代码旧。\n\n"
    ),
}


def generate(app: Sphinx) -> None:
    """Run every gallery entry and write ``auto/gallery`` and ``auto/zh`` pages."""
    root = Path(app.srcdir) / AUTO
    jobs = max(1, int(app.config.gallery_jobs))
    work = [(lang, slug, make) for lang in ("en", "zh") for slug, make in _entries(lang)]
    logger.info(f"gallery: running {len(work)} entries with {jobs} jobs")
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(_run_entry, root, *item) for item in work]
        results = [f.result() for f in futures]  # the first failure stops the build
    pages: dict[str, list[Page]] = {"en": [], "zh": []}
    for (lang, _, _), made in zip(work, results):
        pages[lang].extend(made)
    for lang, folder in (("en", "gallery"), ("zh", "zh")):
        written = set()
        for page in pages[lang]:
            _write_if_changed(root / folder / f"{page.slug}.md", page.markdown())
            written.add(f"{page.slug}.md")
        toc = "\n".join(page.slug for page in pages[lang])
        captions = "".join(f"- [{p.title}]({p.slug}.md): {p.summary}\n" for p in pages[lang])
        index = f"{INDEX_HEAD[lang]}{captions}\n```{{toctree}}\n:hidden:\n\n{toc}\n```\n"
        _write_if_changed(root / folder / "index.md", index)
        written.add("index.md")
        for old in (root / folder).glob("*.md"):
            if old.name not in written:
                old.unlink()  # an entry that no longer exists leaves no page behind


def copy_files(app: Sphinx, exception: Exception | None) -> None:
    """Put the gallery's PNG, PDF and HTML files next to the built pages."""
    if exception is not None or app.builder.format != "html":
        return
    source = Path(app.srcdir) / AUTO / "files"
    target = Path(app.outdir) / AUTO / "files"
    shutil.rmtree(target, ignore_errors=True)
    if source.is_dir():
        shutil.copytree(source, target)


def escape(text: str) -> str:
    """Text for HTML (quotes too)."""
    return html.escape(text, quote=True)


def setup(app: Sphinx) -> dict:
    app.add_config_value("gallery_jobs", 2, "env")
    app.connect("builder-inited", generate)
    app.connect("build-finished", copy_files)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
