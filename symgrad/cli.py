"""symgrad's command line: a thin click group; every command only calls the library.

SymPy and NumPy are imported inside commands, never at start-up, so ``symgrad --help`` is fast.
"""

from __future__ import annotations

import sys

import click

from .console import (
    AsciiFloat,
    AsciiInt,
    AsciiIntRange,
    OpsHelpOption,
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
from .render import formats as format_choices
from .render import render

GRANULARITIES = ("written", "primitive", "gate")


@click.group(cls=SymgradGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show full tracebacks on errors.")
@click.version_option(package_name="symgrad", message="symgrad %(version)s")
def cli(debug):
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
@solution_options
def derive(expr, at, wrt, granularity, fmt, lang, output, no_check, title, fragment, pdf, force):
    """Derive every gradient of EXPR node by node (EXPR may be - for stdin).

    \b
    Example:
      symgrad derive "1/(1+exp(-(w0*x0+w1*x1+w2)))" --at w0=2,x0=-1,w1=-3,x1=-2,w2=-3
    """
    from .derivation import derive as derive_

    fmt, pdf = output_format("derivation", fmt, output, pdf)
    d = derive_(read_expression(expr), at=at, wrt=wrt, granularity=granularity, check=not no_check)
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
    "--layers",
    required=True,
    metavar="N0,N1,...,NL",
    help="Layer sizes from input to output, e.g. 3,4,3,2.",
)
@click.option(
    "--hidden",
    default="relu",
    show_default=True,
    metavar="ACT[,ACT...]",
    cls=OpsHelpOption,
    help="Hidden activation ({activations}): one for all hidden layers or one per hidden layer.",
)
@click.option(
    "--output",
    "output_unit",
    default="softmax",
    show_default=True,
    metavar="UNIT",
    help="Output unit: linear, sigmoid or softmax.",
)
@click.option(
    "--loss",
    default="ce",
    show_default=True,
    metavar="ce|mse",
    help="Cross-entropy (softmax/sigmoid outputs) or mean squared error.",
)
@click.option(
    "--l2",
    "l2",
    type=AsciiFloat(),
    default=0.0,
    show_default=True,
    metavar="LAMBDA",
    help="L2 weight decay λ in J = L + λ·½Σ‖W‖² (weights only).",
)
@click.option(
    "--params",
    "params_file",
    metavar="FILE.json",
    help="Parameters W1, b1, ..., WL, bL, x, y as JSON lists.",
)
@click.option(
    "--seed",
    type=AsciiInt(),
    metavar="N",
    help="Small random parameters from seed N (default 0 without --params).",
)
@click.option(
    "--entry",
    "entries",
    multiple=True,
    metavar="Wk,i,j|bk,j",
    help="Also show ∂J/∂w_ij^(k) (input i → unit j) as a scalar expression; repeatable.",
)
@click.option(
    "--scalar-check/--no-scalar-check",
    default=None,
    help="Cross-check against the scalar computational graph (default: only for "
    "networks of at most 200 parameters).",
)
@click.option("--no-check", is_flag=True, help="Skip the finite-difference check.")
@format_option("mlp", from_output=True)
@click.option("-o", "outfile", metavar="FILE", help="Write to FILE (atomically) instead of stdout.")
@solution_options
def mlp(
    layers,
    hidden,
    output_unit,
    loss,
    l2,
    params_file,
    seed,
    entries,
    scalar_check,
    no_check,
    fmt,
    outfile,
    lang,
    title,
    fragment,
    pdf,
    force,
):
    """Forward and backward pass of an MLP in the lecture's matrix form, numerically checked.

    \b
    Example (the lecture's 3-4-3-2 network):
      symgrad mlp --layers 3,4,3,2 --hidden relu --output softmax --loss ce --seed 1
    """
    from .errors import SymgradError
    from .mlp import load_params, make_spec, random_params, run_mlp

    if params_file is not None and seed is not None:
        raise SymgradError("give either --params FILE or --seed N, not both")
    fmt, pdf = output_format("mlp", fmt, outfile, pdf)
    spec = make_spec(layers, hidden=hidden, output=output_unit, loss=loss, l2=l2)
    params = (
        load_params(spec, params_file)
        if params_file is not None
        else random_params(spec, 0 if seed is None else seed)
    )
    result = run_mlp(spec, params, check=not no_check, scalar_check=scalar_check, entries=entries)
    if pdf:
        write_pdf(result, lang, title, outfile)
    else:
        emit(
            render(result, fmt, lang=lang, fragment="body" if fragment else False, title=title),
            outfile,
        )
    if result.passed is False:
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
def jacobian(y_exprs, z_expr, x_names, y_names, at, fmt, lang, output, force):
    """The vector chain rule: Jacobian ∂y/∂x and ∇_x z = (∂y/∂x)ᵀ ∇_y z.

    \b
    Example (the lecture's 3-input, 2-output case):
      symgrad jacobian --y "x1*x2, x2+x3" --z "y1*y2" --at x1=1,x2=2,x3=3
    """
    from .jacobian import vector_chain_rule
    from .render.views.check import check_dict

    fmt, _ = output_format("jacobian", fmt, output, pdf_ok=False)
    rule = vector_chain_rule(list(y_exprs), z_expr, at=at, x=x_names, y_names=y_names)
    emit(render(rule, fmt, lang=lang), output)
    if rule.check is not None and check_dict(rule.check)["passed"] is False:
        sys.exit(1)


# --- exercises and homework (issue 5) ---------------------------------------------------

DIFFICULTY_CHOICE = click.Choice(["easy", "medium", "hard"])


@cli.command()
def kinds():
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
def exercise(kind, seed, difficulty, fmt, lang, answers):
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
def stress(kind, count, difficulty, start, no_check, fmt, quiet):
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


@cli.command()
@click.argument("spec", type=click.Path(dir_okay=False))
@click.option(
    "--versions", type=AsciiInt(), metavar="N", help="Number of versions (v01, v02, ...)."
)
@click.option(
    "--roster",
    type=click.Path(dir_okay=False),
    metavar="FILE.csv",
    help="One version per student: a CSV with columns id and name.",
)
@click.option(
    "--seed",
    type=AsciiInt(),
    help="Master seed: the secret of the set. Anyone who has it and the spec can "
    "rebuild every key, so it appears only in the keys and index.json, never on "
    "a question sheet. Default: a random seed, recorded there.",
)
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False),
    help="Output directory: new or empty; an existing set is replaced only with --force.",
)
@click.option(
    "--formats",
    default=",".join(format_choices("homework")),
    show_default=True,
    help=f"Comma-separated: {', '.join(format_choices('homework'))}.",
)
@LANG_OPTION
@click.option(
    "--pdf", is_flag=True, help="Also compile the LaTeX to PDF (pdflatex; xelatex for zh)."
)
@click.option(
    "--force",
    is_flag=True,
    help="Replace the set already in --out (atomically), or write into a non-empty directory.",
)
@click.option("--quiet", is_flag=True, help="No progress bar or summary.")
@click.option(
    "--jobs",
    type=AsciiIntRange(1, 64),
    default=1,
    show_default=True,
    help="Worker processes; the output is identical for any value.",
)
def homework(spec, versions, roster, seed, out_dir, formats, lang, pdf, force, quiet, jobs):
    """Write a homework set from SPEC (TOML): per version a question sheet and answer key.

    \b
    Example:
      symgrad homework bank/lecture3-2.toml --versions 30 --seed 2024 --out hw
    """
    from .errors import SymgradError
    from .exercises import homework as hw
    from .files import check_out_dir, write_tree

    if (versions is None) == (roster is None):
        raise SymgradError("give exactly one of --versions N or --roster FILE.csv")
    spec_obj = hw.load_spec(spec)
    chosen = hw.versions_from_count(versions) if roster is None else hw.versions_from_roster(roster)
    seed = hw.random_seed() if seed is None else hw.check_seed(seed)
    format_list = hw.parse_formats(formats)
    if pdf and "latex" not in format_list:
        raise SymgradError("--pdf needs latex in --formats")
    if pdf:
        from .render.tex import tex_available

        engine = "xelatex" if lang == "zh" else "pdflatex"
        if not tex_available(engine):
            raise SymgradError(f"--pdf: {engine} was not found; install TeX Live or drop --pdf")
    from pathlib import Path

    check_out_dir(Path(out_dir), force)  # fail before any work
    with Progress(len(chosen), "homework", quiet) as bar:
        recipe = hw.recipe(spec, seed, versions, roster, lang)
        files = hw.build(
            spec_obj, seed, chosen, format_list, lang, pdf, jobs, bar.update, recipe=recipe
        )
    write_tree(out_dir, files, force=force)
    if not quiet:
        click.echo(f"wrote {len(files)} files for {len(chosen)} versions to {out_dir}", err=True)


# Commands that live in their own modules (each imports its options from symgrad.options).
from .cli_grade import grade  # noqa: E402

cli.add_command(grade)
from .cli_serve import serve  # noqa: E402

cli.add_command(serve)
from .cli_check import check  # noqa: E402

cli.add_command(check)
