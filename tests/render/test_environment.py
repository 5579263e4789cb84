"""The one Jinja2 environment: strict about names, escaping per format by filters, shipped
templates found, phrases read-only and complete in every language."""

import jinja2
import pytest

from symgrad.render.environment import (
    LANGUAGES,
    cache_directory,
    environment,
    render_template,
    strings,
    template_file,
)


def test_one_cached_environment_with_strict_undefined():
    env = environment()
    assert env is environment()
    assert env.undefined is jinja2.StrictUndefined
    with pytest.raises(jinja2.UndefinedError):
        env.from_string(r"\VAR{ missing_name }").render()


def test_no_autoescape_the_filters_escape_per_format():
    env = environment()
    assert not env.autoescape
    assert env.from_string(r"\VAR{ t | tex }").render(t="50% & $x$") == r"50\% \& \$x\$"
    assert "&lt;" in env.from_string(r"\VAR{ t | xml }").render(t="<b>")


def test_shipped_templates_are_found_and_unknown_ones_are_not():
    assert template_file("derivation.md.j2") is not None
    assert template_file("no-such-template.j2") is None


def test_phrases_are_read_only_and_every_language_has_every_key():
    assert LANGUAGES == ("en", "zh")
    en, zh = strings("en"), strings("zh")
    assert set(en) == set(zh) and len(en) > 50
    with pytest.raises(TypeError):
        en["solution"] = "changed"  # type: ignore[index]
    assert en["solution"] != zh["solution"]


def test_render_template_is_strict_about_its_context():
    with pytest.raises(jinja2.UndefinedError):
        render_template("derivation.md.j2")  # no view, no strings: loud, not an empty page


def test_cache_directory_is_private_or_not_used(tmp_path, monkeypatch):
    monkeypatch.setenv("SYMGRAD_CACHE_DIR", str(tmp_path / "c"))
    made = cache_directory()
    assert made == tmp_path / "c" and (made.stat().st_mode & 0o077) == 0
    monkeypatch.setenv("SYMGRAD_CACHE_DIR", "")
    assert cache_directory() is None
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)  # others may write there: compiled templates could be planted
    monkeypatch.setenv("SYMGRAD_CACHE_DIR", str(shared))
    assert cache_directory() is None
