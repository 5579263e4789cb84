"""symgrad's command line: a thin click group; every command only calls the library.

SymPy and NumPy are imported inside commands, never at start-up, so ``symgrad --help`` is fast.
"""

from __future__ import annotations

import sys

import click

from .console import (
    AsciiIntRange,
    Progress,
    SymgradGroup,
    write_stdout,
)
from .options import (
    FORCE_OPTION,
    LANG_OPTION,
    emit,
    format_option,
    output_format,
    read_expression,
    solution_options,
    write_pdf,
)
from .render import render

GRANULARITIES = ("written", "primitive", "gate")
SYMPY_CHECKS = ("auto", "always", "never")
SYMPY_UNBOUNDED = 10**15  # --sympy-check always: no bound on the estimated work


@click.group(cls=SymgradGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show full tracebacks on errors.")
@click.version_option(package_name="symgrad", message="symgrad %(version)s")
def cli(debug: bool) -> None:
    """Derive, check and explain backpropagation step by step.

    Exit status: 0 success, 1 a numeric gradient check failed, 2 bad input.
    """


@cli.command(context_settings={"ignore_unknown_options": True})  # EXPR may start with "-"
@click.argument("expr")
@click.option("--at", "at", metavar="NAME=VAL,...", help="Point to evaluate at, e.g. x=1,y=-2.")
@click.option("--wrt", metavar="NAMES", help="Only these gradients (comma-separated).")
@click.option(
    "--granularity",
    type=click.Choice(GRANULARITIES),
    default="written",
    show_default=True,
    help="One node per written op, lecture primitives, or fused gates.",
)
@format_option("derivation", from_output=True)
@click.option(
    "-o", "--output", metavar="FILE", help="Write to FILE (atomically) instead of stdout."
)
@click.option("--no-check", is_flag=True, help="Skip the numeric gradient check.")
@click.option(
    "--sympy-check",
    type=click.Choice(SYMPY_CHECKS),
    default="auto",
    show_default=True,
    help="The sympy.diff cross-check of the numeric check: auto runs it while its estimated "
    "work is within the bound, always runs it regardless (slow on large expressions), never "
    "skips it. The check's method says whether it ran.",
)
@solution_options
def derive(
    expr: str,
    at: str | None,
    wrt: str | None,
    granularity: str,
    fmt: str | None,
    lang: str,
    output: str | None,
    no_check: bool,
    sympy_check: str,
    title: str | None,
    fragment: bool,
    pdf: bool,
    force: bool,
) -> None:
    """Derive every gradient of EXPR node by node (EXPR may be - for stdin).

    \b
    Example:
      symgrad derive "1/(1+exp(-(w0*x0+w1*x1+w2)))" --at w0=2,x0=-1,w1=-3,x1=-2,w2=-3
    """
    from .derivation import derive as derive_

    if no_check and sympy_check == "always":
        raise click.UsageError("--sympy-check always is part of the check: drop --no-check")
    fmt, pdf = output_format("derivation", fmt, output, pdf)
    d = derive_(
        read_expression(expr),
        at=at,
        wrt=wrt,
        granularity=granularity,
        check=not no_check,
        sympy_check=sympy_check != "never",
        sympy_budget=SYMPY_UNBOUNDED if sympy_check == "always" else None,
    )
    if d.unused:
        click.echo(
            f"symgrad: note: --at gives {', '.join(d.unused)}, which the expression does not use",
            err=True,
        )
    if pdf:
        write_pdf(d, lang, title, output)
    else:
        emit(render(d, fmt, lang=lang, fragment="body" if fragment else False, title=title), output)
    if d.check is not None and d.check.passed is False:
        sys.exit(1)


@cli.command()
@click.option(
    "--y",
    "y_exprs",
    required=True,
    multiple=True,
    metavar="EXPR[,EXPR...]",
    help="The expressions of y = g(x), comma-separated (or --y repeated); they are "
    "named y1, y2, ... in order.",
)
@click.option(
    "--z", "z_expr", required=True, metavar="EXPR", help="z = f(y), written in y1, y2, ..."
)
@click.option(
    "--x",
    "x_names",
    metavar="NAMES",
    help="Input order, e.g. x1,x2,x3 (default: order of first appearance).",
)
@click.option("--y-names", metavar="NAMES", help="Names for the outputs instead of y1, y2, ...")
@click.option("--at", "at", metavar="NAME=VAL,...", help="Point, e.g. x1=1,x2=2,x3=3.")
@format_option("jacobian", from_output=True)
@LANG_OPTION
@click.option(
    "-o", "--output", metavar="FILE", help="Write to FILE (atomically) instead of stdout."
)
@FORCE_OPTION
def jacobian(
    y_exprs: tuple[str, ...],
    z_expr: str,
    x_names: str | None,
    y_names: str | None,
    at: str | None,
    fmt: str | None,
    lang: str,
    output: str | None,
    force: bool,
) -> None:
    """The vector chain rule: Jacobian ∂y/∂x and ∇_x z = (∂y/∂x)ᵀ ∇_y z.

    \b
    Example (the lecture's 3-input, 2-output case):
      symgrad jacobian --y "x1*x2, x2+x3" --z "y1*y2" --at x1=1,x2=2,x3=3
    """
    from .jacobian import vector_chain_rule

    fmt, _ = output_format("jacobian", fmt, output, pdf_ok=False)
    rule = vector_chain_rule(list(y_exprs), z_expr, at=at, x=x_names, y_names=y_names)
    emit(render(rule, fmt, lang=lang), output)
    if rule.check is not None and rule.check.passed is False:
        sys.exit(1)


# --- exercises and homework (issue 5) ---------------------------------------------------

DIFFICULTY_CHOICE = click.Choice(["easy", "medium", "hard"])


@cli.command()
def kinds() -> None:
    """List the exercise kinds, and the spec keys that pin each one's content."""
    from .exercises import KINDS

    width = max(map(len, KINDS))
    lines = []
    for name, kind in KINDS.items():
        lines.append(f"{name:<{width}}  {kind.summary}\n")
        lines.extend(
            f"{'':<{width}}    {key} = {what}\n" for key, what in kind.options_help.items()
        )
    write_stdout("".join(lines))


@cli.command()
@click.argument("kind")
@click.option(
    "--seed",
    type=AsciiIntRange(0, 2**63 - 1),
    default=0,
    show_default=True,
    help="Seed of numpy.random.default_rng: the same seed gives the same exercise.",
)
@click.option("--difficulty", type=DIFFICULTY_CHOICE, default="medium", show_default=True)
@format_option("exercise")
@LANG_OPTION
@click.option(
    "--answers", is_flag=True, help="Show answers, partial credit and the worked solution."
)
def exercise(kind: str, seed: int, difficulty: str, fmt: str, lang: str, answers: bool) -> None:
    """Generate one exercise of KIND (see `symgrad kinds`).

    \b
    Example:
      symgrad exercise activation --seed 7 --difficulty easy --answers
    """
    from .exercises import make_exercise
    from .render.views.exercise import render_exercise

    write_stdout(render_exercise(make_exercise(kind, seed, difficulty), fmt, lang, answers))


@cli.command()
@click.argument("kind")
@click.option(
    "-n",
    "count",
    type=AsciiIntRange(1, 100_000),
    default=1000,
    show_default=True,
    help="Number of seeds (0 .. n-1).",
)
@click.option("--difficulty", type=DIFFICULTY_CHOICE, default="medium", show_default=True)
@click.option(
    "--start", type=AsciiIntRange(0, 2**62), default=0, show_default=True, help="First seed."
)
@click.option("--no-check", is_flag=True, help="Skip the independent finite-difference check.")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@click.option("--quiet", is_flag=True, help="No progress bar.")
def stress(
    kind: str, count: int, difficulty: str, start: int, no_check: bool, fmt: str, quiet: bool
) -> None:
    """Generate many seeds of KIND; report exceptions, answer ranges, duplicates, kinks,
    the guessing score (every blank typed as 1, 0 or -1) and the blanks per exercise.

    Exit status 1 when any exception, kink hit, zero answer, failed check or duplicate
    among the first 100 seeds was found, when the mean guessing score is over 5 %, when an
    exercise has every answer 0, 1 or -1, or when the seeds differ in blank count or weights.
    """
    import json

    from .exercises import get_kind
    from .exercises.stress import stress as run

    get_kind(kind)
    with Progress(count, f"stress {kind}", quiet) as bar:
        report = run(kind, count, difficulty, start, check=not no_check, progress=bar.update)
    if fmt == "json":
        write_stdout(json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n")
    else:
        write_stdout(report.to_text())
    if not report.ok:
        sys.exit(1)


# Commands that live in their own modules (each imports its options from symgrad.options).
from .cli_mlp import mlp  # noqa: E402

cli.add_command(mlp)
from .cli_homework import homework  # noqa: E402

cli.add_command(homework)
from .cli_grade import grade  # noqa: E402

cli.add_command(grade)
from .cli_serve import serve  # noqa: E402

cli.add_command(serve)
from .cli_check import check  # noqa: E402

cli.add_command(check)
