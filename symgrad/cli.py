"""symgrad's command line: a thin click group; every command only calls the library.

SymPy and NumPy are imported inside commands, never at start-up, so ``symgrad --help`` is fast.
"""

from __future__ import annotations

import sys

import click

FORMATS = ("text", "json", "markdown", "latex", "dot")
GRANULARITIES = ("written", "primitive", "gate")


class SymgradGroup(click.Group):
    """Maps every user error to one line on stderr and exit status 2 (tracebacks with --debug)."""

    def main(self, args=None, prog_name=None, **extra):
        args = list(sys.argv[1:] if args is None else args)
        debug = "--debug" in args
        try:
            return super().main(args, prog_name=prog_name or "symgrad", standalone_mode=False,
                                **extra)
        except click.exceptions.Exit as exc:
            sys.exit(exc.exit_code)
        except click.exceptions.Abort:
            _fail("aborted", 130)
        except click.ClickException as exc:  # usage errors: bad options, missing arguments
            if debug:
                raise
            _fail(exc.format_message(), 2)
        except Exception as exc:
            from .errors import SymgradError

            if debug:
                raise
            if isinstance(exc, SymgradError):
                _fail(str(exc), 2)
            if isinstance(exc, (RecursionError, MemoryError, OverflowError)):
                _fail(f"input too large or too deeply nested ({type(exc).__name__})", 2)
            _fail(f"internal error: {type(exc).__name__}: {exc} (rerun with --debug "
                  "for the traceback)", 3)


def _fail(message: str, status: int):
    message = " ".join(str(message).split())  # always one line
    click.echo(f"symgrad: error: {message}", err=True)
    sys.exit(status)


@click.group(cls=SymgradGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show full tracebacks on errors.")
@click.version_option(package_name="symgrad", message="symgrad %(version)s")
def cli(debug):
    """Derive, check and explain backpropagation step by step.

    Exit status: 0 success, 1 a numeric gradient check failed, 2 bad input.
    """


def emit(text: str, output: str | None, force: bool = True) -> None:
    """Print ``text`` or write it atomically to ``output``."""
    if output is None or output == "-":
        click.echo(text, nl=False)
        return
    from .files import atomic_write

    atomic_write(output, text)
    click.echo(f"wrote {output}", err=True)


def read_expression(expr: str) -> str:
    if expr == "-":
        data = sys.stdin.read(100_001)
        if len(data) > 100_000:
            from .errors import ParseError

            raise ParseError("expression on standard input is too long")
        return data.strip()
    return expr


@cli.command()
@click.argument("expr")
@click.option("--at", "at", metavar="NAME=VAL,...", help="Point to evaluate at, e.g. x=1,y=-2.")
@click.option("--wrt", metavar="NAMES", help="Only these gradients (comma-separated).")
@click.option("--granularity", type=click.Choice(GRANULARITIES), default="written",
              show_default=True, help="One node per written op, lecture primitives, or fused gates.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("--lang", type=click.Choice(["en", "zh"]), default="en", show_default=True)
@click.option("-o", "--output", metavar="FILE", help="Write to FILE (atomically) instead of stdout.")
@click.option("--no-check", is_flag=True, help="Skip the numeric gradient check.")
def derive(expr, at, wrt, granularity, fmt, lang, output, no_check):
    """Derive every gradient of EXPR node by node (EXPR may be - for stdin).

    \b
    Example:
      symgrad derive "1/(1+exp(-(w0*x0+w1*x1+w2)))" --at w0=2,x0=-1,w1=-3,x1=-2,w2=-3
    """
    from .derivation import derive as derive_
    from .render import render

    d = derive_(read_expression(expr), at=at, wrt=wrt, granularity=granularity,
                check=not no_check)
    emit(render(d, fmt, lang=lang), output)
    if d.check is not None and d.check.passed is False:
        sys.exit(1)
