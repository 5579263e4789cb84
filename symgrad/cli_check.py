"""``symgrad check``: a learner's own answers against the worked solution (library:
symgrad.grading.diagnose)."""

from __future__ import annotations

import sys

import click

from .options import FORCE_OPTION, LANG_OPTION, emit, read_expression

GRANULARITIES = ("written", "primitive", "gate")
REPORT_FORMATS = ("text", "markdown", "json", "html")
TEMPLATE_FORMATS = ("toml", "json", "csv")
TEMPLATE_EXTENSIONS = {".toml": "toml", ".json": "json", ".csv": "csv"}
REPORT_EXTENSIONS = {
    ".txt": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".json": "json",
    ".html": "html",
    ".htm": "html",
}


@click.command(context_settings={"ignore_unknown_options": True})  # EXPR may start with "-"
@click.argument("expr")
@click.option("--at", "at", metavar="NAME=VAL,...", help="The point, e.g. x=1,y=-2.")
@click.option(
    "--answers",
    "answers_file",
    metavar="FILE",
    help="Your answers: FILE.toml, FILE.json or FILE.csv (columns name,answer).",
)
@click.option(
    "--template",
    is_flag=True,
    help="Write the answer file to fill in (every quantity, no answers) instead.",
)
@click.option(
    "--granularity",
    type=click.Choice(GRANULARITIES),
    default="written",
    show_default=True,
    help="The graph your answers follow (node names depend on it).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(REPORT_FORMATS + ("toml", "csv")),
    default=None,
    help="Report: text, markdown or json; --template: toml, json or "
    "csv. [default: from -o FILE's extension, else text / toml]",
)
@LANG_OPTION
@click.option(
    "-o", "--output", metavar="FILE", help="Write to FILE (atomically) instead of stdout."
)
@FORCE_OPTION
@click.option(
    "--reveal",
    is_flag=True,
    help="Show the right values (without it no report shows a value you did not give).",
)
def check(
    expr: str,
    at: str | None,
    answers_file: str | None,
    template: bool,
    granularity: str,
    fmt: str | None,
    lang: str,
    output: str | None,
    force: bool,
    reveal: bool,
) -> None:
    """Check your answers for EXPR at --at, step by step: which are right, which are right
    given your own earlier answers (a mistake costs once), the first wrong step, the named
    mistake that explains it and a hint.

    Answers are named as `symgrad derive` prints them: node values z_3, gradients df/dz_3
    and df/dw0, the output f (the names depend on --granularity). Each is a number or a
    formula such as "x0*z_8*(1-z_8)", judged by equivalence. `--template` writes the file to
    fill in.

    Exit status: 0 every answer correct; 1 some wrong (or right only given a wrong earlier
    answer, or none given); 2 bad input.

    \b
    Example:
      symgrad check --template "1/(1+exp(-(w0*x0+w1*x1+w2)))" -o answers.toml
      symgrad check "1/(1+exp(-(w0*x0+w1*x1+w2)))" --at w0=2,x0=-1,w1=-3,x1=-2,w2=-3 \\
          --answers answers.toml
    """
    from .derivation import derive
    from .errors import SymgradError

    if template:
        if answers_file is not None:
            raise SymgradError("--template writes an empty answer file; leave out --answers")
        kind = _format(fmt, output, TEMPLATE_FORMATS, TEMPLATE_EXTENSIONS, "toml")
        from .grading.template import template as make_template

        d = derive(read_expression(expr), at=at, granularity=granularity, check=False)
        emit(make_template(d, kind, lang), output)
        return
    if answers_file is None:
        raise SymgradError("give --answers FILE (or --template to write one)")
    if not at:
        raise SymgradError("give the point with --at NAME=VALUE,... (answers are numbers there)")
    kind = _format(fmt, output, REPORT_FORMATS, REPORT_EXTENSIONS, "text")
    from .grading.answers import read_answers
    from .grading.diagnose import diagnose, names
    from .render import render

    d = derive(read_expression(expr), at=at, granularity=granularity, check=False)
    answers, where = read_answers(answers_file, names(d))
    result = diagnose(d, answers, where)
    result.reveal = reveal
    emit(render(result, kind, lang=lang), output)
    if not result.all_correct:
        sys.exit(1)


def _format(
    fmt: str | None, output: str | None, allowed: tuple, extensions: dict, default: str
) -> str:
    """The format from --format, else from -o FILE's extension, else ``default``."""
    from pathlib import PurePath

    from .errors import SymgradError

    suffix = PurePath(output).suffix.lower() if output and output != "-" else ""
    implied = extensions.get(suffix)
    if fmt is None:
        return implied or default
    if fmt not in allowed:
        raise SymgradError(f"--format {fmt}: expected one of {', '.join(allowed)} here")
    if implied is not None and implied != fmt:
        raise SymgradError(
            f"-o {output}: the extension {suffix} means {implied}, but --format is {fmt}"
        )
    return fmt
