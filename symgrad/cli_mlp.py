"""``symgrad mlp``: an MLP's forward and backward pass in the lecture's matrix form (library:
symgrad.mlp)."""

from __future__ import annotations

import sys

import click

from .console import AsciiFloat, AsciiInt, OpsHelpOption
from .options import emit, format_option, output_format, solution_options, write_pdf
from .render import render


@click.command()
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
    help="Parameters W1, b1, ..., WL, bL, x, y as JSON lists; a batch gives X (n_0 × m) and "
    "Y (n_l × m) or labels (class numbers 1..n_l) instead of x and y.",
)
@click.option(
    "--seed",
    type=AsciiInt(),
    metavar="N",
    help="Small random parameters from seed N (default 0 without --params).",
)
@click.option(
    "--batch",
    type=AsciiInt(),
    metavar="M",
    help="A mini-batch of M examples (the columns of X and Y; J is the mean loss), random "
    "from --seed; a --params file gives X and Y (or labels) instead of x and y.",
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
    layers: str,
    hidden: str,
    output_unit: str,
    loss: str,
    l2: float,
    params_file: str | None,
    seed: int | None,
    batch: int | None,
    entries: tuple[str, ...],
    scalar_check: bool | None,
    no_check: bool,
    fmt: str | None,
    outfile: str | None,
    lang: str,
    title: str | None,
    fragment: bool,
    pdf: bool,
    force: bool,
) -> None:
    """Forward and backward pass of an MLP in the lecture's matrix form, numerically checked.

    \b
    Example (the lecture's 3-4-3-2 network):
      symgrad mlp --layers 3,4,3,2 --hidden relu --output softmax --loss ce --seed 1
    """
    from .errors import SymgradError
    from .mlp import MAX_BATCH, load_params, make_spec, random_params, run_mlp

    if params_file is not None and seed is not None:
        raise SymgradError("give either --params FILE or --seed N, not both")
    fmt, pdf = output_format("mlp", fmt, outfile, pdf)
    spec = make_spec(layers, hidden=hidden, output=output_unit, loss=loss, l2=l2)
    if batch is not None and not 1 <= batch <= MAX_BATCH:
        raise SymgradError(f"batch: m must be from 1 to {MAX_BATCH} examples, got {batch}")
    params = (
        load_params(spec, params_file, batch)
        if params_file is not None
        else random_params(spec, 0 if seed is None else seed, batch)
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
