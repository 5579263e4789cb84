"""``symgrad homework``: a whole homework set, per version a question sheet and an answer key
(library: symgrad.exercises.homework)."""

from __future__ import annotations

import click

from .console import AsciiInt, AsciiIntRange, Progress
from .options import LANG_OPTION
from .render import formats as format_choices


@click.command()
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
def homework(
    spec: str,
    versions: int | None,
    roster: str | None,
    seed: int | None,
    out_dir: str,
    formats: str,
    lang: str,
    pdf: bool,
    force: bool,
    quiet: bool,
    jobs: int,
) -> None:
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
