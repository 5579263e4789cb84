"""``symgrad grade``: mark a class's answers to a homework set (library: symgrad.grading)."""

from __future__ import annotations

import sys

import click

from .options import FORCE_OPTION, LANG_OPTION

MAX_SHOWN_PROBLEMS = 20  # on stderr; problems.csv has them all


@click.command()
@click.argument("set_dir", type=click.Path(file_okay=False))
@click.argument("responses", type=click.Path(dir_okay=False))
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False),
    help="Output directory [default: SET_DIR/grades]; existing grades are replaced "
    "only with --force.",
)
@FORCE_OPTION
@click.option("--pdf", is_flag=True, help="Also compile each feedback page to PDF (needs TeX).")
@LANG_OPTION
def grade(
    set_dir: str, responses: str, out_dir: str | None, force: bool, pdf: bool, lang: str
) -> None:
    """Mark RESPONSES (a CSV: student,version,exercise,blank,answer) against the homework set
    in SET_DIR: grades.csv, problems.csv and feedback/STUDENT.md (and .pdf) per student.

    Marking uses each blank's tolerance and marks from answers.json, as the key and Moodle
    do. A blank computed correctly from the student's own wrong earlier answers scores in
    full ("carried"); Moodle's partial-credit mistakes score their fraction; other wrong
    answers get a diagnosis and no credit.

    Exit status: 0 when every row was used; 1 when the grades were written but some rows
    had problems (listed on stderr and in problems.csv); 2 for unusable input.

    \b
    Example:
      symgrad grade hw answers.csv
    """
    from pathlib import Path

    from .errors import SymgradError
    from .files import check_out_dir, write_tree
    from .grading.feedback import output_files
    from .grading.grade import grade_class, load_set
    from .grading.responses import read_responses

    hw = load_set(set_dir)
    out = Path(out_dir) if out_dir else Path(set_dir) / "grades"
    _refuse_inside_set(Path(set_dir), out, hw)
    check_out_dir(out, force)  # fail before any work
    if pdf:
        from .render.tex import tex_available

        engine = "xelatex" if lang == "zh" else "pdflatex"
        if not tex_available(engine):
            raise SymgradError(f"--pdf: {engine} was not found; install TeX Live or drop --pdf")
    rows, problems = read_responses(responses)
    results = grade_class(hw, rows, problems)
    if not results:
        first = f" (line {problems[0].line}: {problems[0].message})" if problems else ""
        raise SymgradError(f"{responses}: no row names a student of the set{first}")
    write_tree(out, output_files(hw, results, problems, lang, pdf), force=force)
    for p in problems[:MAX_SHOWN_PROBLEMS]:
        click.echo(f"{responses}: line {p.line}: {p.message}", err=True)
    if len(problems) > MAX_SHOWN_PROBLEMS:
        click.echo(
            f"... and {len(problems) - MAX_SHOWN_PROBLEMS} more (see problems.csv)", err=True
        )
    click.echo(
        f"graded {len(results)} students; wrote {out}"
        f"{f' ({len(problems)} problems)' if problems else ''}",
        err=True,
    )
    if problems:
        sys.exit(1)


def _refuse_inside_set(set_dir, out, hw) -> None:
    """The grades never replace the set: --out may not be SET_DIR, hold it, or be one of
    its version folders or files."""
    from .errors import SymgradError

    root, target = set_dir.resolve(), out.resolve()
    if target == root or root.is_relative_to(target):
        raise SymgradError(
            f"--out {out}: would replace the homework set; choose a folder "
            f"such as {set_dir / 'grades'}"
        )
    if target.is_relative_to(root):
        top = target.relative_to(root).parts[0]
        if top in hw.versions or (root / top).is_file():
            raise SymgradError(f"--out {out}: {top} belongs to the homework set")
