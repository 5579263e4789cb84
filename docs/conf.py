"""Sphinx configuration of symgrad's documentation.

Build (from a clone, after ``pip install -e ".[docs]"``)::

    python -m sphinx -W --keep-going -b html docs docs/_build/html

Everything under ``docs/auto/`` (the gallery, the generated reference, and the files they
show) is written at build time by the extensions in ``docs/_ext/`` by running symgrad; it is
git-ignored and rebuilt on every build, so no page can show an output symgrad no longer gives.
The build needs no network: no intersphinx, no remote theme assets, no MathJax (formulas in
the gallery are MathML, converted at build time).
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "_ext"))

project = "symgrad"
author = "the symgrad authors"
copyright = "symgrad authors"


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("symgrad")
    except PackageNotFoundError:
        return "unknown"


release = _version()
version = release

extensions = [
    "myst_parser",
    "sphinx_click",
    "sphinx.ext.autodoc",
    "gallery",
    "reference",
]

source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
root_doc = "index"
exclude_patterns = ["_build", "auto/files", "Thumbs.db", ".DS_Store"]
language = "en"

myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

html_theme = "alabaster"
html_static_path = ["_static"]
html_css_files = ["gallery.css"]
html_title = f"symgrad {release}"
html_theme_options = {
    "description": "Derive, check and explain backpropagation step by step",
    "page_width": "96%",
    "body_max_width": "none",
    "sidebar_width": "230px",
    "fixed_sidebar": False,
}
html_sidebars = {"**": ["about.html", "navigation.html", "searchbox.html"]}
html_show_sourcelink = False

autodoc_typehints = "description"
autodoc_member_order = "bysource"

# The gallery runs symgrad in parallel worker threads (each runs `python -m symgrad` or a
# TeX compile in its own process); 2 suits the CI machine.
gallery_jobs = 2
