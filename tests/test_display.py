"""Notebook display without an upward import: formatters registered by the renderer, asked for
by a result's _repr_*_, and the IPython hook that is a no-op outside IPython."""

import sys
import types

from symgrad import display


def test_formatted_uses_the_formatter_registered_for_the_class_name(monkeypatch):
    class Sample:
        pass

    monkeypatch.setitem(display.FORMATTERS, ("Sample", "markdown"), lambda obj: "**sample**")
    assert display.formatted(Sample(), "markdown") == "**sample**"
    assert display.formatted(Sample(), "html") is None
    assert display.formatted(object(), "markdown") is None


def test_the_renderer_registers_derivation_formatters():
    import symgrad.render  # noqa: F401  (registers on import)
    from symgrad.derivation import derive

    d = derive("x*y", at="x=2,y=3")
    markdown = display.formatted(d, "markdown")
    assert markdown is not None and "x" in markdown
    assert d._repr_markdown_() == markdown


def test_register_ipython_is_false_outside_ipython(monkeypatch):
    monkeypatch.delitem(sys.modules, "IPython", raising=False)
    assert display.register_ipython() is False
    fake = types.SimpleNamespace(get_ipython=lambda: None)  # IPython imported, no shell
    monkeypatch.setitem(sys.modules, "IPython", fake)
    assert display.register_ipython() is False


def test_register_ipython_names_the_result_classes_in_a_shell(monkeypatch):
    registered = []

    class HtmlFormatter:
        def for_type_by_name(self, module, name, func):
            registered.append((module, name, func))

    shell = types.SimpleNamespace(
        display_formatter=types.SimpleNamespace(formatters={"text/html": HtmlFormatter()})
    )
    monkeypatch.setitem(sys.modules, "IPython", types.SimpleNamespace(get_ipython=lambda: shell))
    assert display.register_ipython() is True
    assert [(m, n) for m, n, _ in registered] == list(display.NOTEBOOK_HTML)

    class Derivation:  # what the hook is handed: an object of a named class
        pass

    monkeypatch.setitem(display.FORMATTERS, ("Derivation", "html"), lambda obj: "<svg/>")
    assert registered[0][2](Derivation()) == "<svg/>"
