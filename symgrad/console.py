"""Terminal plumbing for the command line: errors become one line and an exit status,
option help that reads the op records when shown, and a progress bar."""

from __future__ import annotations

import codecs
import contextlib
import errno
import os
import sys
from collections.abc import Sequence
from typing import Any

import click

from .errors import Interrupted


class SymgradGroup(click.Group):
    """Maps every user error to one line on stderr and exit status 2 (tracebacks with --debug).

    Standard output is flushed before the exit status is decided: output lost to a full disk or
    a closed pipe is exit 2 with one line, never exit 0 with a truncated result. Ctrl-C (SIGINT)
    ends with "symgrad: error: aborted" and exit 130.
    """

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        """click's ``main``, always handling exits itself (``standalone_mode`` is ignored)."""
        from_command_line = args is None
        args = list(sys.argv[1:] if args is None else args)
        debug = "--debug" in args  # accepted anywhere on the line, before or after the command
        if debug:
            args = ["--debug"] + [a for a in args if a != "--debug"]
        args = _negated_expression_last(args)
        try:
            try:
                status = super().main(
                    args,
                    prog_name=prog_name or "symgrad",
                    complete_var=complete_var,
                    standalone_mode=False,
                    windows_expand_args=windows_expand_args,
                    **extra,
                )
            except SystemExit as exc:  # a command's sys.exit(1): a failed check
                status = exc.code
            _flush_stdout()
        except BaseException as exc:  # noqa: BLE001 - every exit goes through _exit_status
            status = _exit_status(exc, debug, from_command_line)
        status = 0 if status is None else status
        if status:
            sys.exit(status)
        return status

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        """click's ``make_context``; Ctrl-C and a closed stdout reach :meth:`main`."""
        with _past_click():  # --help and --version print while the context is made
            return super().make_context(info_name, args, parent, **extra)

    def invoke(self, ctx: click.Context) -> Any:
        """click's ``invoke``; Ctrl-C and a closed stdout reach :meth:`main`."""
        with _past_click():
            return super().invoke(ctx)


@contextlib.contextmanager
def _past_click():
    """Ctrl-C and a closed stdout skip click's own handling (a blank line and "Aborted!", or a
    silent exit 1) and reach :meth:`SymgradGroup.main`."""
    try:
        yield
    except KeyboardInterrupt:  # no handler of ours installed (a library caller, a test)
        raise Interrupted() from None
    except OSError as exc:
        if exc.errno == errno.EPIPE:
            raise _BrokenPipe(exc) from None
        raise


class _BrokenPipe(Exception):
    """An EPIPE ``OSError`` carried past click, which would end with a silent exit 1."""

    def __init__(self, error: OSError):
        super().__init__(str(error))
        self.error = error


class StdoutError(Exception):
    """Standard output could not be written or flushed (full disk, closed pipe, /dev/full)."""

    def __init__(self, err: OSError):
        super().__init__(f"cannot write to standard output: {err.strerror or err}")


def write_stdout(text: str | bytes) -> None:
    """Write ``text`` to standard output and flush it; raise :class:`StdoutError` unless every
    byte was written. (A large write through ``sys.stdout`` can lose a partial-write error.)"""
    stream = sys.stdout
    try:
        fd = stream.fileno()
    except (AttributeError, OSError, ValueError):  # a stream without a descriptor (tests)
        fd = None
    try:
        if fd is None:
            click.echo(text, nl=False)
            return
        stream.flush()
        encoding = getattr(stream, "encoding", None) or "utf-8"
        if codecs.lookup(encoding).name == "ascii":
            encoding = "utf-8"  # as click does for a misconfigured (C) locale
        data = memoryview(
            text if isinstance(text, bytes) else text.encode(encoding, errors="replace")
        )
        while data:
            data = data[os.write(fd, data) :]
    except OSError as err:
        raise StdoutError(err) from None


def _flush_stdout() -> None:
    """Flush what click or print left in ``sys.stdout``'s buffer; a failure is a StdoutError."""
    try:
        if sys.stdout is not None:
            sys.stdout.flush()
    except (OSError, ValueError) as err:
        raise StdoutError(err if isinstance(err, OSError) else OSError(str(err))) from None


def _silence_stdout() -> None:
    """After a failed write, point stdout at /dev/null: Python's own flush at exit would
    otherwise print "Exception ignored ... BrokenPipeError" after our one line."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (AttributeError, OSError, ValueError):
        pass


def _exit_status(exc: BaseException, debug: bool, from_command_line: bool = False) -> int:
    """Print the one-line message for ``exc`` on stderr and return the exit status."""
    if isinstance(exc, _BrokenPipe):
        exc = exc.error
        if exc.filename is None:  # click.echo to a closed pipe
            exc = StdoutError(exc)
    if isinstance(exc, StdoutError):
        _silence_stdout()
        return _fail(str(exc), 2)
    try:
        _flush_stdout()  # output before the error still reaches a file or pipe
    except StdoutError:
        _silence_stdout()
    if isinstance(exc, (Interrupted, KeyboardInterrupt, click.exceptions.Abort)):
        if from_command_line:  # not inside a test's CliRunner
            _ignore_further_interrupts()
        return _fail("aborted", 130)
    if isinstance(exc, click.exceptions.Exit):
        return exc.exit_code
    if isinstance(exc, click.ClickException):  # usage errors: bad options, missing arguments
        _show_traceback(debug)
        return _fail(exc.format_message(), 2)
    if not isinstance(exc, Exception):
        raise exc
    from .errors import SymgradError

    _show_traceback(debug)
    if isinstance(exc, SymgradError):
        return _fail(str(exc), 2)
    if isinstance(exc, (RecursionError, MemoryError, OverflowError)):
        return _fail(f"input too large or too deeply nested ({type(exc).__name__})", 2)
    if isinstance(exc, OSError):  # unwritable output, missing file, full disk
        where = f": {exc.filename}" if exc.filename else ""
        return _fail(f"cannot read or write{where}: {exc.strerror or exc}", 2)
    return _fail(
        f"internal error: {type(exc).__name__}: {exc} (rerun with --debug for the traceback)", 3
    )


def _ignore_further_interrupts() -> None:
    """A second Ctrl-C while symgrad is exiting must not end it by the signal instead."""
    import signal

    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:  # not the main thread
        pass


def _negated_expression_last(args: list[str]) -> list[str]:
    """``derive -log(p) --at ...`` and ``derive -- "-(a*b)" --at ...``: an EXPR that starts
    with ``-`` goes last, after ``--``, so click reads neither ``-l -o g(p)`` nor the options
    after it as extra arguments. ``-``, ``-o`` and ``-h`` keep their meaning."""
    i = next((n for n, a in enumerate(args) if not a.startswith("-")), len(args))
    if i == len(args) or args[i] != "derive":
        return args
    i += 1
    if i + 1 < len(args) and args[i] == "--":  # derive -- EXPR [options]
        return args[:i] + args[i + 2 :] + ["--", args[i + 1]]
    if (
        i < len(args)
        and args[i].startswith("-")
        and not args[i].startswith("--")
        and args[i] not in ("-", "-o", "-h")
        and "--" not in args
    ):
        return args[:i] + args[i + 1 :] + ["--", args[i]]
    return args


def _show_traceback(debug: bool) -> None:
    """With --debug, print the traceback; the exit status stays the one without --debug."""
    if debug:
        import traceback

        traceback.print_exc()


def _fail(message: str, status: int) -> int:
    """Print ``symgrad: error: message`` as one line on stderr; return ``status``."""
    message = " ".join(str(message).split())  # always one line
    try:
        click.echo(f"symgrad: error: {message}", err=True)
    except OSError:  # stderr is gone too: the exit status still tells
        pass
    return status


class _AsciiNumber(click.ParamType):
    """Numbers on the command line are written with the digits 0-9: Python's ``int`` and
    ``float`` also accept full-width (１) and Arabic-Indic (٢) digits, which a typo should not
    turn into a valid count."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        """click's conversion, after refusing digits other than 0-9."""
        if isinstance(value, str) and (not value.isascii() or "_" in value):
            self.fail(f"{value!r} is not a number written with the digits 0-9", param, ctx)
        return super().convert(value, param, ctx)


class AsciiInt(_AsciiNumber, click.types.IntParamType):
    """``type=int`` for options, ASCII digits only."""


class AsciiIntRange(_AsciiNumber, click.IntRange):
    """``click.IntRange``, ASCII digits only."""


class AsciiFloat(_AsciiNumber, click.types.FloatParamType):
    """``type=float`` for options, ASCII digits only."""


class OpsHelpOption(click.Option):
    """An option whose help names the activations of the op records (``{activations}``), read
    only when the help is shown: ``symgrad --help`` loads no NumPy."""

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        """The help line, with ``{activations}`` filled in from the op records."""
        from .ops import activations

        if self.help:
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
            sys.stderr.write(
                f"\r{self.label} [{'#' * filled}{'.' * (30 - filled)}] {self.done}/{self.length}"
            )
            sys.stderr.flush()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.shown:
            sys.stderr.write("\n")
        return False
