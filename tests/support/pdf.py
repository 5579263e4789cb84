"""Reading a PDF back: poppler's pdftotext (skips outside CI when it is missing)."""

import subprocess

from conftest import require_tool


def pdf_text(pdf: bytes) -> str:
    """Text of a PDF by poppler's pdftotext, minus signs as ASCII ``-``; a form feed ends each
    page. Skips outside CI when pdftotext is missing."""
    assert pdf.startswith(b"%PDF-"), pdf[:40]
    require_tool("pdftotext")
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True, timeout=30
    ).stdout.decode("utf-8")
    return text.replace("\u2212", "-")


def pdf_pages(pdf: bytes) -> int:
    """Number of pages of a PDF (pdftotext ends every page with a form feed)."""
    return pdf_text(pdf).count("\f")
