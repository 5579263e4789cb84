"""Sandboxed LaTeX compilation: escaping compiles, loops are killed, files stay private.

Tests that need TeX (or poppler's pdftotext, to read a PDF back) skip outside CI when it is
missing; with ``CI`` set they fail.
"""

import tempfile
import time

import pytest
from conftest import require_tool
from hypothesis import given, settings
from hypothesis import strategies as st
from support.pdf import pdf_pages, pdf_text

from symgrad import escape
from symgrad.errors import SymgradError
from symgrad.render import tex as latex

SPECIALS = "& % $ # _ { } ~ ^ \\ < > \" ' ]]>"


@pytest.fixture
def pdflatex():
    require_tool("pdflatex")


@pytest.fixture
def xelatex():
    require_tool("xelatex")


@pytest.fixture(autouse=True)
def private_tempdir(tmp_path, monkeypatch):
    """Route compile temp dirs into a directory the test can inspect afterwards."""
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    yield scratch
    assert list(scratch.iterdir()) == [], "compile_pdf left its temp directory behind"


def document(body, cls="article"):
    """A minimal complete document around ``body``."""
    return f"\\documentclass{{{cls}}}\n\\begin{{document}}\n{body}\n\\end{{document}}\n"


@pytest.mark.slow
def test_every_special_character_compiles(pdflatex):
    escaped = escape.latex(SPECIALS)
    body = f"{escaped}\n\n\\textbf{{{escaped}}}\n\n\\section{{{escaped}}}"
    pdf = latex.compile_pdf(document(body))
    # OT1 fonts: ~ ^ come out as spacing accents, quotes curly, \_ is a drawn rule
    typeset = pdf_text(pdf).translate(str.maketrans("˜ˆ”’", "~^\"'"))
    for char in SPECIALS.replace("_", "").split():
        assert char in typeset, char
    assert pdf_pages(pdf) == 1


@pytest.mark.slow
def test_chinese_with_ctex(xelatex):
    name = "张三 & 李四：50% 的 $x_1$"
    pdf = latex.compile_pdf(document(escape.latex(name), cls="ctexart"), engine="xelatex")
    text = pdf_text(pdf)
    assert name in text.splitlines()  # escaped: $x_1$ is typeset literally, not as math


@pytest.mark.slow
def test_references_are_resolved_by_a_rerun(pdflatex):
    pdf = latex.compile_pdf(document("\\section{A}\\label{s}See section~\\ref{s}."))
    text = pdf_text(pdf)
    assert "See section 1." in text and "??" not in text


@pytest.mark.slow
def test_looping_document_is_killed_within_timeout(pdflatex):
    start = time.monotonic()
    with pytest.raises(SymgradError, match=r"LaTeX did not finish within 5 s"):
        latex.compile_pdf(document("\\def\\x{\\x}\\x"), timeout=5)
    elapsed = time.monotonic() - start
    print(f"looping document stopped after {elapsed:.2f} s")
    assert elapsed < 10


@pytest.mark.slow
def test_endless_output_is_killed_too(pdflatex):
    """A loop that writes to the log as fast as it can is stopped the same way."""
    with pytest.raises(SymgradError, match="did not finish within 3 s"):
        latex.compile_pdf(document("\\loop\\message{spam}\\iftrue\\repeat"), timeout=3)


@pytest.mark.slow
def test_write18_does_not_run(pdflatex, tmp_path):
    canary = tmp_path / "CANARY"
    body = (
        f"\\immediate\\write18{{touch {canary}}}"
        f"\\immediate\\write18{{echo pwned > {canary}}}"
        "shell escape test"
    )
    pdf = latex.compile_pdf(document(body))
    assert not canary.exists()
    assert "shell escape test" in pdf_text(pdf)  # the document itself was typeset


@pytest.mark.slow
def test_input_outside_the_directory_is_refused(pdflatex, tmp_path):
    secret = tmp_path / "secret.tex"
    secret.write_text("TOPSECRET")
    for path in [str(secret), "/etc/passwd", "../secret"]:
        with pytest.raises(SymgradError, match="not found") as caught:
            latex.compile_pdf(document(f"\\input{{{path}}}"))
        assert "TOPSECRET" not in str(caught.value) and "root:" not in str(caught.value)


@pytest.mark.slow
def test_openin_outside_the_directory_reads_nothing(pdflatex, tmp_path):
    """Raw \\openin of an absolute path sees end-of-file; a successful read would error."""
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET\n")
    body = (
        f"\\newread\\r\\immediate\\openin\\r={secret} "
        "\\ifeof\\r blocked\\else\\read\\r to\\line \\errmessage{LEAKED}\\fi"
    )
    pdf = latex.compile_pdf(document(body))
    assert pdf_text(pdf).split() == ["blocked", "1"]  # end of file; then the page number


@pytest.mark.slow
def test_openout_outside_the_directory_is_refused(pdflatex, tmp_path):
    target = tmp_path / "written-by-tex.txt"
    body = f"\\newwrite\\w\\immediate\\openout\\w={target}\\immediate\\write\\w{{owned}}"
    with pytest.raises(SymgradError, match="write"):
        latex.compile_pdf(document(body))
    assert not target.exists()
    assert not (tmp_path / "written-by-tex.txt.tex").exists()


@pytest.mark.slow
def test_compile_error_names_first_error_and_line(pdflatex):
    source = document("fine\n\\undefinedmacro")  # \\undefinedmacro is on line 4
    with pytest.raises(SymgradError) as caught:
        latex.compile_pdf(source)
    message = str(caught.value)
    assert message == "LaTeX error on line 4: Undefined control sequence."
    assert "\n" not in message


@pytest.mark.slow
def test_missing_package_is_reported(pdflatex):
    source = document("x").replace("\n", "\n\\usepackage{no-such-package}\n", 1)
    missing = r"line \d+: LaTeX Error: File `no-such-package.sty' not found"
    with pytest.raises(SymgradError, match=missing):
        latex.compile_pdf(source)


def test_missing_tex_names_debian_packages(monkeypatch):
    monkeypatch.setattr(latex.shutil, "which", lambda name: None)
    assert not latex.tex_available("pdflatex")
    with pytest.raises(SymgradError, match="xelatex was not found.*apt-get install texlive-xetex"):
        latex.compile_pdf(document("x"), engine="xelatex")
    with pytest.raises(SymgradError, match="texlive-latex-base"):
        latex.compile_pdf(document("x"))


def test_unknown_engine_is_refused():
    assert not latex.tex_available("lualatex --shell-escape")
    with pytest.raises(SymgradError, match="unknown LaTeX engine"):
        latex.compile_pdf(document("x"), engine="sh")


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab \\{}$^_\n«»Ðþéσ≤张∂→∑—😀\x7f\x80")))
def test_tex_engine_agrees_with_the_full_character_test(source):
    """The ASCII fast path never changes the engine the full character class picks."""
    from symgrad.render.tex import _pdflatex_cannot_set, tex_engine

    expected = "xelatex" if _pdflatex_cannot_set().search(source) else "pdflatex"
    assert tex_engine(source, "en") == expected
    assert tex_engine(source, "zh") == "xelatex"


@pytest.mark.parametrize(
    "source, engine",
    [("plain ASCII, $x^2$", "pdflatex"), ("Ôé", "pdflatex"), ("«x»", "xelatex"), ("张", "xelatex")],
)
def test_tex_engine_by_character(source, engine):
    from symgrad.render.tex import tex_engine

    assert tex_engine(source) == engine
