"""Rich display in notebooks, without an upward import.

Results live below the renderer, so they cannot import it. Instead the renderer registers
its formatters here when it is imported (``import symgrad.render``, or ``symgrad.derive``
through the package's lazy attributes), and a result's ``_repr_markdown_`` (or
``_repr_html_``: the steppable circuit or network, the page of ``--format html`` without its
``<html>`` shell) asks:

>>> FORMATTERS[("Example", "markdown")] = lambda obj: "**example**"
>>> class Example: pass
>>> formatted(Example(), "markdown"), formatted(Example(), "latex")
('**example**', None)
>>> del FORMATTERS[("Example", "markdown")]
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# each formatter takes an instance of the class its key names
FORMATTERS: dict[tuple[str, str], Callable[[Any], str]] = {}
"""``{(class name, "markdown" | "latex" | "html"): formatter}``, filled by
:mod:`symgrad.render`."""


def formatted(obj: object, mime: str) -> str | None:
    """``obj`` as ``mime`` by its registered formatter; None when none is registered."""
    formatter = FORMATTERS.get((type(obj).__name__, mime))
    return None if formatter is None else formatter(obj)


NOTEBOOK_HTML = (("symgrad.derivation_record", "Derivation"), ("symgrad.mlp.result", "MLPResult"))
"""The result classes a notebook shows as the steppable HTML widget (module, class name)."""


def register_ipython() -> bool:
    """Show Derivation and MLP results as the interactive HTML widget in a running IPython
    (Jupyter) session, through IPython's own formatter registry; False outside IPython.

    The classes are named, not imported, so this costs nothing outside a notebook, and the
    HTML comes from :mod:`symgrad.render` (``render(result, "html", fragment=True)``).
    """
    import sys

    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is None:
        return False
    html = shell.display_formatter.formatters["text/html"]
    for module, name in NOTEBOOK_HTML:
        html.for_type_by_name(module, name, lambda obj: formatted(obj, "html"))
    return True


register_ipython()
