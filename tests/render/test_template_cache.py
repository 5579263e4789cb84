"""The cache of compiled templates is used (and refused when unsafe or damaged), and dict keys
read as attributes exactly as Jinja2 reads them (render/environment.py)."""

from __future__ import annotations

import pytest

from symgrad.render.environment import environment


@pytest.fixture
def fresh(monkeypatch, tmp_path):
    """An environment built anew, with the cache in ``tmp_path / "cache"``."""
    monkeypatch.setenv("SYMGRAD_CACHE_DIR", str(tmp_path / "cache"))
    environment.cache_clear()
    yield tmp_path / "cache"
    environment.cache_clear()


def _loads(env) -> list[bool]:
    """Wrap the environment's cache: one entry per lookup, True when code came from a file."""
    cache, seen = env.bytecode_cache, []
    original = cache.load_bytecode

    def spy(bucket):
        original(bucket)
        seen.append(bucket.code is not None)

    cache.load_bytecode = spy
    return seen


def test_a_compiled_template_is_cached_and_reused(fresh):
    seen = _loads(environment())
    environment().get_template("check.txt.j2")
    assert seen == [False] and len(list(fresh.iterdir())) == 1  # compiled, then stored
    environment.cache_clear()
    seen = _loads(environment())
    environment().get_template("check.txt.j2")
    assert seen == [True]  # the second process's code comes from the file


def test_a_cache_others_may_write_to_is_never_used(fresh):
    fresh.mkdir()
    fresh.chmod(0o777)
    assert environment().bytecode_cache is None
    environment().get_template("check.txt.j2")  # renders without a cache
    assert list(fresh.iterdir()) == []


def test_a_damaged_cache_entry_is_compiled_again(fresh):
    environment().get_template("check.txt.j2")
    (entry,) = fresh.iterdir()
    entry.write_bytes(b"not a cache entry")
    environment.cache_clear()
    seen = _loads(environment())
    environment().get_template("check.txt.j2")
    assert seen == [False] and entry.read_bytes() != b"not a cache entry"


def test_an_unwritable_cache_is_skipped(fresh, monkeypatch):
    fresh.mkdir(mode=0o700)
    cache = environment().bytecode_cache

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("tempfile.NamedTemporaryFile", full_disk)
    assert cache is not None
    environment().get_template("check.txt.j2")  # compiled, not stored: no error
    assert list(fresh.iterdir()) == []


def test_dict_keys_read_as_attributes_like_jinja2_reads_them():
    env = environment()

    def render(text: str, **context) -> str:
        return env.from_string(text).render(**context)

    d = {"a": 1, "items": 5}
    assert render(r"\VAR{ d.a }", d=d) == "1"
    assert render(r"\VAR{ d['items'] }", d=d) == "5"
    assert render(r"\VAR{ d.items() | list | length }", d=d) == "2"  # the method comes first
    assert render(r"\VAR{ d.b is defined }", d=d) == "False"
    with pytest.raises(Exception, match="has no attribute 'b'"):
        render(r"\VAR{ d.b }", d=d)
