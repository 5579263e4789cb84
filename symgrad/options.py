"""What the commands share: the --format, --lang and --force options, and writing a result.

Every command module (:mod:`symgrad.cli` and the modules it registers) takes these from here,
so no command module imports another.
"""

from __future__ import annotations

import click

from .console import write_stdout
from .render import LANGUAGES, render_pdf
from .render import formats as format_choices

FORCE_OPTION = click.option("--force", is_flag=True,
                            help="Replace an existing output file.")
LANG_OPTION = click.option("--lang", type=click.Choice(LANGUAGES), default="en", show_default=True)


def format_option(kind: str):
    """``--format``, its choices the formats the renderer has for ``kind``."""
    return click.option("--format", "fmt", type=click.Choice(format_choices(kind)),
                        default="text", show_default=True)


def solution_options(command):
    """The options every worked-solution command shares: language, title, LaTeX, PDF, --force."""
    for option in reversed([
        LANG_OPTION,
        click.option("--title", metavar="TEXT",
                     help="Heading of the worked solution (escaped per format)."),
        click.option("--fragment", is_flag=True,
                     help="LaTeX: the document body only (to \\input), without preamble."),
        click.option("--pdf", is_flag=True, help="Compile the LaTeX solution and write the PDF "
                     "to -o FILE.pdf (needs TeX)."),
        FORCE_OPTION,
    ]):
        command = option(command)
    return command


def _force() -> bool:
    """The running command's --force flag (False for commands without one)."""
    ctx = click.get_current_context(silent=True)
    return bool(ctx and ctx.params.get("force"))


def emit(text: str | bytes, output: str | None) -> None:
    """Print ``text``, or write it atomically to ``output`` (an existing file needs --force)."""
    if output is None or output == "-":
        write_stdout(text)  # every byte, or exit 2: never a truncated result with exit 0
        return
    from .files import write_output

    write_output(output, text, force=_force())
    click.echo(f"wrote {output}", err=True)


def write_pdf(result, lang: str, title: str | None, output: str | None) -> None:
    """Compile the worked solution to PDF (sandboxed, see symgrad.render.tex), write it to output."""
    from .errors import SymgradError

    if output is None or output == "-":
        raise SymgradError("--pdf needs an output file: -o FILE.pdf")
    emit(render_pdf(result, lang=lang, title=title), output)


def read_expression(expr: str) -> str:
    """EXPR, or standard input for ``-`` (read with a bound: at most 100,001 bytes)."""
    if expr == "-":
        from .reading import read_stdin

        return read_stdin(100_000, "EXPR").strip()
    return expr
