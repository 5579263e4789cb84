"""Terminal plumbing for the command line: errors become one line and an exit status,
option help that reads the op records when shown, and a progress bar."""

from __future__ import annotations

import sys

import click


class SymgradGroup(click.Group):
    """Maps every user error to one line on stderr and exit status 2 (tracebacks with --debug)."""

    def main(self, args=None, prog_name=None, **extra):
        args = list(sys.argv[1:] if args is None else args)
        debug = "--debug" in args  # accepted anywhere on the line, before or after the command
        if debug:
            args = ["--debug"] + [a for a in args if a != "--debug"]
        args = _negated_expression_last(args)
        try:
            return super().main(args, prog_name=prog_name or "symgrad", standalone_mode=False,
                                **extra)
        except click.exceptions.Exit as exc:
            sys.exit(exc.exit_code)
        except click.exceptions.Abort:
            _fail("aborted", 130)
        except click.ClickException as exc:  # usage errors: bad options, missing arguments
            _show_traceback(debug)
            _fail(exc.format_message(), 2)
        except Exception as exc:
            from .errors import SymgradError

            _show_traceback(debug)
            if isinstance(exc, SymgradError):
                _fail(str(exc), 2)
            if isinstance(exc, (RecursionError, MemoryError, OverflowError)):
                _fail(f"input too large or too deeply nested ({type(exc).__name__})", 2)
            if isinstance(exc, OSError):  # unwritable output, missing file, full disk or stdout
                where = f": {exc.filename}" if exc.filename else ""
                _fail(f"cannot read or write{where}: {exc.strerror or exc}", 2)
            _fail(f"internal error: {type(exc).__name__}: {exc} (rerun with --debug "
                  "for the traceback)", 3)


def _negated_expression_last(args: list[str]) -> list[str]:
    """``derive -log(p) --at ...``: an EXPR right after ``derive`` that starts with ``-`` (and
    is not ``-o``/``-h``) goes last, after ``--``, so click does not read ``-l -o g(p)``."""
    if "derive" not in args:
        return args
    i = args.index("derive") + 1
    if i < len(args) and args[i].startswith("-") and not args[i].startswith("--") \
            and args[i] not in ("-", "-o", "-h") and "--" not in args:
        return args[:i] + args[i + 1:] + ["--", args[i]]
    return args


def _show_traceback(debug: bool) -> None:
    """With --debug, print the traceback; the exit status stays the one without --debug."""
    if debug:
        import traceback

        traceback.print_exc()


def _fail(message: str, status: int):
    message = " ".join(str(message).split())  # always one line
    click.echo(f"symgrad: error: {message}", err=True)
    sys.exit(status)


class OpsHelpOption(click.Option):
    """An option whose help names the activations of the op records (``{activations}``), read
    only when the help is shown: ``symgrad --help`` loads no NumPy."""

    def get_help_record(self, ctx):
        from .ops import activations

        self.help = self.help.replace("{activations}", ", ".join(activations()))
        return super().get_help_record(ctx)


class Progress:
    """A one-line progress bar on stderr; drawn only on a terminal and unless --quiet."""

    def __init__(self, length: int, label: str, quiet: bool):
        self.length, self.label, self.done = length, label, 0
        self.shown = not quiet and sys.stderr.isatty()

    def update(self, n: int = 1) -> None:
        self.done += n
        if self.shown:
            filled = int(30 * self.done / max(self.length, 1))
            sys.stderr.write(f"\r{self.label} [{'#' * filled}{'.' * (30 - filled)}] "
                             f"{self.done}/{self.length}")
            sys.stderr.flush()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.shown:
            sys.stderr.write("\n")
        return False
