r"""The one Jinja2 environment, its filters, and the phrases of each language.

* ``StrictUndefined``: a misspelt name fails loudly instead of printing nothing;
* no autoescaping: each format escapes user text itself with :mod:`symgrad.escape`
  (filters ``tex``, ``md``, ``dot``, ``xml``);
* LaTeX-friendly delimiters in *every* template (``\VAR{x}``, ``\BLOCK{for ...}``,
  ``\#{comment}``), so ``{``, ``}``, ``%`` and ``#`` in LaTeX, Markdown and DOT are plain text.

Templates and ``strings.toml`` are found one way, :func:`template_file`. Compiled templates
are kept in a per-user cache (:func:`bytecode_cache`), so a command does not compile its
template again in every process.
"""

from __future__ import annotations

import importlib.resources
import os
import stat
import tomllib
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from .. import escape
from ..errors import SymgradError
from .numbers import number, tex_number
from .printing import fill, latex_text, md_cell, plain, text_table

if TYPE_CHECKING:  # imported when a template is first needed: JSON output never loads Jinja2
    from importlib.resources.abc import Traversable

    import jinja2

LANGUAGES = ("en", "zh")

FILTERS = {
    "num": number,
    "texnum": tex_number,
    "tex": latex_text,
    "md": escape.markdown,
    "dot": escape.dot,
    "xml": escape.xml,
    "md_cell": md_cell,
    "plain": plain,
    "fill": fill,
    "text_table": text_table,
}


@cache
def _template_root():
    """``symgrad.templates`` when installed (wheel or editable), else the checkout's folder."""
    try:
        root = importlib.resources.files("symgrad.templates")
        if root.joinpath("strings.toml").is_file():
            return root
    except ModuleNotFoundError:
        pass
    return Path(__file__).resolve().parents[2] / "templates"


def template_file(name: str) -> Traversable | None:
    """The shipped file ``name`` of ``templates/`` (a Traversable), or None if there is none."""
    path = _template_root().joinpath(name)
    return path if path.is_file() else None


def _load_template(name: str):
    path = template_file(name)
    return None if path is None else (path.read_text(encoding="utf-8"), None, lambda: True)


ENVIRONMENT: dict[str, Any] = {
    "block_start_string": r"\BLOCK{",
    "block_end_string": "}",
    "variable_start_string": r"\VAR{",
    "variable_end_string": "}",
    "comment_start_string": r"\#{",
    "comment_end_string": "}",
    "line_statement_prefix": None,
    "line_comment_prefix": None,
    "trim_blocks": True,
    "lstrip_blocks": True,
    "keep_trailing_newline": True,
}
"""The syntax settings of our templates (compiled code depends on them: see the cache)."""


@cache
def environment() -> jinja2.Environment:
    r"""The one shared Jinja2 environment (cached): our delimiters, filters and loader.

    >>> environment().from_string(r"\VAR{ 'a_b' | tex }").render()
    'a\\_b'
    """
    import jinja2

    class Environment(jinja2.Environment):
        def getattr(self, obj: Any, attribute: str) -> Any:
            """``x.name`` as Jinja2 reads it (the attribute, else the key), without raising
            and catching an AttributeError for every key of the plain dicts our views are."""
            names = _MAPPING_ATTRIBUTES.get(type(obj))
            if names is not None and attribute not in names:
                try:
                    return obj[attribute]
                except KeyError:
                    return self.undefined(obj=obj, name=attribute)
            return super().getattr(obj, attribute)

    env = Environment(
        loader=jinja2.FunctionLoader(_load_template),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        bytecode_cache=bytecode_cache(),
        **ENVIRONMENT,
    )
    env.filters.update(FILTERS)
    return env


_MAPPING_ATTRIBUTES = {kind: frozenset(dir(kind)) for kind in (dict, MappingProxyType)}
"""The attributes of the mappings views are made of: any other name is a key."""


def cache_directory() -> Path | None:
    """Where compiled templates are kept: ``$SYMGRAD_CACHE_DIR``, else
    ``$XDG_CACHE_HOME/symgrad`` or ``~/.cache/symgrad``; None when ``SYMGRAD_CACHE_DIR`` is
    set empty, or when the folder cannot be made private to this user (created with mode
    0700; one that others may write to, or that another user owns, is never used)."""
    chosen = os.environ.get("SYMGRAD_CACHE_DIR")
    if chosen == "":
        return None
    if chosen is None:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        chosen = os.path.join(base, "symgrad")
    path = Path(chosen)
    try:
        path.mkdir(mode=stat.S_IRWXU, parents=True, exist_ok=True)
        info = path.lstat()
    except (OSError, RuntimeError):
        return None
    private = stat.S_ISDIR(info.st_mode) and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
    if not private or (hasattr(os, "getuid") and info.st_uid != os.getuid()):
        return None
    return path


def bytecode_cache() -> jinja2.BytecodeCache | None:
    """Jinja2's file cache of compiled templates in :func:`cache_directory`, or None.

    Jinja2 checks each entry against the template's source (a checksum) and its own and
    Python's versions; the file names also carry a digest of :data:`ENVIRONMENT`, so a
    template compiled with other syntax settings is never reused. A cache that cannot be
    read or written is skipped: the template is compiled as without a cache."""
    import hashlib  # here, not at start-up: ``symgrad --help`` imports this module

    import jinja2

    directory = cache_directory()
    if directory is None:
        return None
    settings = repr(sorted(ENVIRONMENT.items())) + jinja2.__version__
    digest = hashlib.sha256(settings.encode()).hexdigest()[:16]

    class Cache(jinja2.FileSystemBytecodeCache):
        def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
            try:
                super().load_bytecode(bucket)
            except (OSError, ValueError, EOFError, TypeError):  # unreadable or damaged
                bucket.reset()

        def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
            try:
                super().dump_bytecode(bucket)
            except OSError:  # read-only or full disk: no cache this time
                pass

    return Cache(str(directory), f"template-{digest}-%s.cache")


def render_template(name: str, **context: Any) -> str:
    """Template ``name`` of ``templates/`` with ``context``."""
    return environment().get_template(name).render(**context)


@cache
def _all_strings() -> dict:
    source = template_file("strings.toml")
    if source is None:
        raise SymgradError("templates/strings.toml is missing from this installation")
    return tomllib.loads(source.read_text(encoding="utf-8"))


def strings(lang: str = "en") -> MappingProxyType:
    """The fixed phrases of one language (``templates/strings.toml``), read-only.

    >>> strings("zh")["backward"]
    '反向传播'
    """
    if lang not in LANGUAGES:
        raise SymgradError(f"unknown language {lang!r} (expected one of: {', '.join(LANGUAGES)})")
    return MappingProxyType(_all_strings()[lang])
