"""What the commands share: the --format, --lang and --force options, and writing a result.

Every command module (:mod:`symgrad.cli` and the modules it registers) takes these from here,
so no command module imports another.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

from .console import write_stdout
from .render import LANGUAGES, render_pdf
from .render import formats as format_choices

if TYPE_CHECKING:
    from .derivation import Derivation
    from .mlp.result import MLPResult

FC = TypeVar("FC", bound="Callable[..., Any] | click.Command")  # what click's decorators take

FORCE_OPTION = click.option("--force", is_flag=True, help="Replace an existing output file.")
LANG_OPTION = click.option("--lang", type=click.Choice(LANGUAGES), default="en", show_default=True)


EXTENSIONS = {
    ".txt": "text",
    ".json": "json",
    ".md": "markdown",
    ".markdown": "markdown",
    ".tex": "latex",
    ".dot": "dot",
    ".gv": "dot",
    ".html": "html",
    ".htm": "html",
    ".pdf": "pdf",
}
"""What ``-o FILE`` says about the format when ``--format`` is not given."""


def format_option(kind: str, from_output: bool = False) -> Callable[[FC], FC]:
    """``--format``, its choices the formats the renderer has for ``kind``.

    With ``from_output`` the default is None: :func:`output_format` then takes the format
    from ``-o FILE``'s extension (text when there is none).
    """
    if not from_output:
        return click.option(
            "--format",
            "fmt",
            type=click.Choice(format_choices(kind)),
            default="text",
            show_default=True,
        )
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(format_choices(kind)),
        default=None,
        help="[default: from -o FILE's extension (.txt .json .md .tex .dot .pdf ...), else text]",
    )


def output_format(
    kind: str, fmt: str | None, output: str | None, pdf: bool = False, pdf_ok: bool = True
) -> tuple[str, bool]:
    """The format to write and whether to compile a PDF, from ``--format``, ``--pdf`` and
    ``-o FILE``'s extension; a contradiction between them is a :class:`SymgradError`.

    >>> output_format("derivation", None, "solution.tex")
    ('latex', False)
    >>> output_format("derivation", None, "solution.pdf")
    ('latex', True)
    >>> output_format("derivation", "json", "out.tex")
    Traceback (most recent call last):
    ...
    symgrad.errors.SymgradError: -o out.tex: the extension .tex means latex, but --format is json
    """
    from pathlib import PurePath

    from .errors import SymgradError

    suffix = PurePath(output).suffix.lower() if output and output != "-" else ""
    implied = EXTENSIONS.get(suffix)
    if pdf and implied not in (None, "pdf"):
        raise SymgradError(
            f"-o {output}: --pdf writes a PDF, but the extension {suffix} means "
            f"{implied}; name the file .pdf"
        )
    if implied == "pdf":
        if not pdf_ok:
            raise SymgradError(
                f"-o {output}: this command does not write PDF (formats: "
                f"{', '.join(format_choices(kind))})"
            )
        if fmt not in (None, "latex"):
            raise SymgradError(
                f"-o {output}: the extension .pdf means a compiled LaTeX "
                f"solution, but --format is {fmt}"
            )
        return "latex", True
    if fmt is None:
        fmt = implied or "text"
        if fmt not in format_choices(kind):
            raise SymgradError(
                f"-o {output}: this command does not write {fmt} (formats: "
                f"{', '.join(format_choices(kind))})"
            )
    elif implied is not None and implied != fmt:
        raise SymgradError(
            f"-o {output}: the extension {suffix} means {implied}, but --format is {fmt}"
        )
    return fmt, pdf


def solution_options(command: FC) -> FC:
    """The options every worked-solution command shares: language, title, LaTeX, PDF, --force."""
    for option in reversed(
        [
            LANG_OPTION,
            click.option(
                "--title",
                metavar="TEXT",
                help="Heading of the worked solution (escaped per format).",
            ),
            click.option(
                "--fragment",
                is_flag=True,
                help="LaTeX: the document body only (to \\input), without preamble.",
            ),
            click.option(
                "--pdf",
                is_flag=True,
                help="Compile the LaTeX solution and write the PDF to -o FILE.pdf (needs TeX).",
            ),
            FORCE_OPTION,
        ]
    ):
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


def write_pdf(
    result: Derivation | MLPResult, lang: str, title: str | None, output: str | None
) -> None:
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
