"""Atomic writes, no silent overwrites, and all-or-nothing output directories."""

import os

import pytest

from symgrad import files
from symgrad.errors import SymgradError


def snapshot(root):
    """Every file under ``root`` (hidden ones too) as ``{relative path: bytes}``."""
    return {
        str(path.relative_to(root)): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def leftovers(directory):
    """Temp or staging entries symgrad may have left in ``directory``."""
    return [p.name for p in directory.iterdir() if p.name.endswith(".tmp") or ".symgrad-" in p.name]


# --- atomic_write ---------------------------------------------------------------------------


def test_atomic_write_text_and_bytes(tmp_path):
    target = tmp_path / "out.txt"
    files.atomic_write(target, "第一\r\nline\n")
    assert target.read_bytes() == "第一\r\nline\n".encode()  # UTF-8, newlines as given
    files.atomic_write(target, b"\x00\xffbinary")
    assert target.read_bytes() == b"\x00\xffbinary"
    assert os.listdir(tmp_path) == ["out.txt"]


@pytest.mark.parametrize("failing", ["fsync", "replace"])
def test_atomic_write_failure_keeps_old_file(tmp_path, monkeypatch, failing):
    target = tmp_path / "answers.tex"
    target.write_text("old complete answers\n")

    def boom(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, failing, boom)
    with pytest.raises(OSError):
        files.atomic_write(target, "new answers " * 10_000)
    assert target.read_text() == "old complete answers\n"
    assert os.listdir(tmp_path) == ["answers.tex"]


@pytest.mark.parametrize("error", [OSError(5, "I/O error"), KeyboardInterrupt()])
def test_atomic_write_interrupted_inside_file_write(tmp_path, monkeypatch, error):
    """Fail after half the bytes went into the temp file."""
    target = tmp_path / "key.json"
    target.write_text("{}")
    real_fdopen = os.fdopen

    class FailingHandle:
        def __init__(self, handle):
            self.handle = handle

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.handle.close()

        def write(self, data):
            self.handle.write(data[: len(data) // 2])
            self.handle.flush()
            raise error

    monkeypatch.setattr(files.os, "fdopen", lambda fd, mode: FailingHandle(real_fdopen(fd, mode)))
    with pytest.raises(type(error)):
        files.atomic_write(target, '{"new": true}')
    assert target.read_text() == "{}"
    assert os.listdir(tmp_path) == ["key.json"]


def test_atomic_write_permissions(tmp_path):
    fresh = tmp_path / "fresh"
    files.atomic_write(fresh, "x")
    umask = os.umask(0)
    os.umask(umask)
    assert fresh.stat().st_mode & 0o777 == 0o666 & ~umask
    private = tmp_path / "private"
    private.write_text("x")
    private.chmod(0o600)
    files.atomic_write(private, "y")
    assert private.stat().st_mode & 0o777 == 0o600


# --- write_output ---------------------------------------------------------------------------


def test_write_output_refuses_existing_file(tmp_path):
    target = tmp_path / "solution.md"
    files.write_output(target, "v1")
    with pytest.raises(SymgradError, match="--force"):
        files.write_output(target, "v2")
    assert target.read_text() == "v1"
    files.write_output(target, "v2", force=True)
    assert target.read_text() == "v2"
    assert os.listdir(tmp_path) == ["solution.md"]


def test_write_output_refuses_dangling_symlink_and_directory(tmp_path):
    link = tmp_path / "link.md"
    link.symlink_to(tmp_path / "elsewhere.md")
    with pytest.raises(SymgradError):
        files.write_output(link, "x")
    assert not (tmp_path / "elsewhere.md").exists()
    with pytest.raises(SymgradError, match="directory"):
        files.write_output(tmp_path, "x", force=True)
    with pytest.raises(SymgradError, match="does not exist"):
        files.write_output(tmp_path / "missing" / "x.md", "x")
    assert sorted(os.listdir(tmp_path)) == ["link.md"]


def test_write_output_no_clobber_is_atomic(tmp_path, monkeypatch):
    """A file that appears between the check and the write is not overwritten."""
    target = tmp_path / "race.txt"
    real_write_temp = files._write_temp

    def write_temp_then_race(path, data):
        temp = real_write_temp(path, data)
        target.write_text("someone else's file")
        return temp

    monkeypatch.setattr(files, "_write_temp", write_temp_then_race)
    with pytest.raises(SymgradError, match="--force"):
        files.write_output(target, "ours")
    assert target.read_text() == "someone else's file"
    assert os.listdir(tmp_path) == ["race.txt"]


# --- prepare_out_dir ------------------------------------------------------------------------


def test_prepare_out_dir_new_empty_and_marked(tmp_path):
    new = files.prepare_out_dir(tmp_path / "a" / "b")
    assert (new / files.MARKER_NAME).is_file()
    empty = tmp_path / "empty"
    empty.mkdir()
    assert files.prepare_out_dir(empty) == empty
    assert files.prepare_out_dir(empty) == empty  # only a marker: still empty
    files.write_tree(empty, {"v1.md": "from symgrad"})
    with pytest.raises(SymgradError, match="already holds a set.*--force"):
        files.prepare_out_dir(empty)  # an earlier set is never replaced silently
    assert files.prepare_out_dir(empty, force=True) == empty


def test_prepare_out_dir_refuses_foreign_directory(tmp_path):
    (tmp_path / "thesis.tex").write_text("years of work")
    before = snapshot(tmp_path)
    with pytest.raises(SymgradError, match="not written by symgrad.*--force"):
        files.prepare_out_dir(tmp_path)
    assert snapshot(tmp_path) == before
    assert files.prepare_out_dir(tmp_path, force=True) == tmp_path
    assert (tmp_path / "thesis.tex").read_text() == "years of work"


def test_prepare_out_dir_refuses_a_file(tmp_path):
    (tmp_path / "out").write_text("x")
    with pytest.raises(SymgradError, match="not a directory"):
        files.prepare_out_dir(tmp_path / "out", force=True)


# --- write_tree / staged_output -------------------------------------------------------------


def test_write_tree_writes_a_complete_set_with_marker(tmp_path):
    out = tmp_path / "hw"
    files.write_tree(out, {"v1/sheet.tex": "A", "v2/sheet.tex": "B", "key.json": b"{}"})
    assert snapshot(out) == {
        files.MARKER_NAME: (out / files.MARKER_NAME).read_bytes(),
        "key.json": b"{}",
        "v1/sheet.tex": b"A",
        "v2/sheet.tex": b"B",
    }
    marker = (out / files.MARKER_NAME).read_text().splitlines()
    assert [line for line in marker if not line.startswith("#")] == ["key.json", "v1", "v2"]
    assert leftovers(tmp_path) == []


def test_write_tree_is_deterministic(tmp_path):
    files.write_tree(tmp_path / "a", {"b.md": "1", "a.md": "2"})
    files.write_tree(tmp_path / "b", {"a.md": "2", "b.md": "1"})
    assert snapshot(tmp_path / "a") == snapshot(tmp_path / "b")


def test_rerun_replaces_old_outputs_and_keeps_teacher_files(tmp_path):
    out = tmp_path / "hw"
    files.write_tree(out, {"v1.md": "old 1", "v2.md": "old 2", "v3.md": "old 3"})
    (out / "notes.txt").write_text("teacher's notes")
    files.write_tree(out, {"v1.md": "new 1", "v2.md": "new 2"}, force=True)
    assert (out / "v1.md").read_text() == "new 1"
    assert not (out / "v3.md").exists()  # stale output of the longer earlier run
    assert (out / "notes.txt").read_text() == "teacher's notes"
    assert leftovers(tmp_path) == []


def test_rerun_needs_force(tmp_path):
    out = tmp_path / "hw"
    files.write_tree(out, {"v1.md": "ours"})
    (out / "key.md").write_text("teacher's own key")
    before = snapshot(out)
    with pytest.raises(SymgradError, match="already holds a set.*--force"):
        files.write_tree(out, {"v1.md": "new", "key.md": "generated key"})
    assert snapshot(out) == before
    assert leftovers(tmp_path) == []
    files.write_tree(out, {"v1.md": "new", "key.md": "generated key"}, force=True)
    assert (out / "key.md").read_text() == "generated key"


def test_write_tree_refuses_foreign_dir_without_force(tmp_path):
    (tmp_path / "paper.tex").write_text("mine")
    with pytest.raises(SymgradError, match="--force"):
        files.write_tree(tmp_path, {"v1.md": "x"})
    assert snapshot(tmp_path) == {"paper.tex": b"mine"}


@pytest.mark.parametrize("name", ["../escape.md", "/etc/evil", "a/../../b", "", files.MARKER_NAME])
def test_write_tree_refuses_bad_names(tmp_path, name):
    with pytest.raises(SymgradError, match="invalid output file name"):
        files.write_tree(tmp_path / "hw", {"ok.md": "x", name: "y"})
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("error", [RuntimeError("template bug"), KeyboardInterrupt()])
def test_failure_midway_leaves_previous_output_intact(tmp_path, error):
    out = tmp_path / "hw"
    files.write_tree(out, {"v1/sheet.tex": "old 1", "v2/sheet.tex": "old 2", "key.json": "{}"})
    before = snapshot(out)
    with pytest.raises(type(error)):
        with files.staged_output(out, force=True) as stage:
            (stage / "v1").mkdir()
            (stage / "v1" / "sheet.tex").write_text("new 1")
            raise error  # e.g. version 2 fails to render
    assert snapshot(out) == before
    assert leftovers(tmp_path) == []


def test_write_tree_failing_on_third_file_leaves_previous_output(tmp_path, monkeypatch):
    out = tmp_path / "hw"
    files.write_tree(out, {f"v{i}.md": f"old {i}" for i in range(5)})
    before = snapshot(out)
    real_write, calls = files._write_staged, []

    def flaky(path, data):
        calls.append(path)
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        real_write(path, data)

    monkeypatch.setattr(files, "_write_staged", flaky)
    with pytest.raises(OSError):
        files.write_tree(out, {f"v{i}.md": f"new {i}" for i in range(5)}, force=True)
    assert snapshot(out) == before
    assert leftovers(tmp_path) == []


def test_failed_swap_rolls_back(tmp_path, monkeypatch):
    out = tmp_path / "hw"
    files.write_tree(out, {"v1.md": "old"})
    (out / "notes.txt").write_text("teacher's notes")
    before = snapshot(out)
    real_rename = os.rename

    def rename(src, dst):
        if ".symgrad-new-" in str(src) and str(dst) == str(out):
            raise OSError(16, "Device or resource busy")
        real_rename(src, dst)

    monkeypatch.setattr(files.os, "rename", rename)
    with pytest.raises(OSError):
        files.write_tree(out, {"v1.md": "new"}, force=True)
    assert snapshot(out) == before
    assert leftovers(tmp_path) == []


def test_symlinked_out_dir_is_followed(tmp_path):
    real = tmp_path / "real"
    files.write_tree(real, {"a.md": "1"})
    (tmp_path / "link").symlink_to(real, target_is_directory=True)
    files.write_tree(tmp_path / "link", {"a.md": "2"}, force=True)
    assert (tmp_path / "link").is_symlink()
    assert (real / "a.md").read_text() == "2"
