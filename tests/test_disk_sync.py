"""The staged output is flushed to disk once, before the swap, not one fsync per file."""

from __future__ import annotations

import os

import pytest

from symgrad import disk_sync, files


def _count(monkeypatch):
    calls = {"fsync": 0, "sync_tree": []}
    real_fsync, real_sync = os.fsync, files.sync_tree

    def fsync(fd):
        calls["fsync"] += 1
        real_fsync(fd)

    def sync_tree(directory):
        calls["sync_tree"].append(sorted(os.listdir(directory)))
        real_sync(directory)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(files, "sync_tree", sync_tree)
    return calls


def test_a_tree_of_200_files_is_synced_once_before_the_swap(tmp_path, monkeypatch):
    calls = _count(monkeypatch)
    tree = {f"v{i}/sheet.md": f"version {i}\n" for i in range(100)}
    tree.update({f"v{i}/key.md": f"key {i}\n" for i in range(100)})
    files.write_tree(tmp_path / "hw", tree)
    # the whole stage, marker included, was on disk before it became the output
    assert len(calls["sync_tree"]) == 1
    assert calls["sync_tree"][0] == sorted([".symgrad-output", *{p.split("/")[0] for p in tree}])
    assert calls["fsync"] <= 2  # the parent folder's entry after the rename, nothing per file
    assert (tmp_path / "hw" / "v7" / "key.md").read_text() == "key 7\n"


def test_a_failed_sync_keeps_the_previous_output(tmp_path, monkeypatch):
    out = tmp_path / "hw"
    files.write_tree(out, {"v1.md": "old"})

    def broken(directory):
        raise OSError(5, "Input/output error", str(directory))

    monkeypatch.setattr(files, "sync_tree", broken)
    with pytest.raises(OSError):
        files.write_tree(out, {"v1.md": "new"}, force=True)
    assert (out / "v1.md").read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["hw"]  # no stage left behind


def test_sync_tree_reports_an_io_error(tmp_path, monkeypatch):
    """syncfs failing with EIO means the data may not be on disk: an error, not a pass."""
    import ctypes

    class Libc:
        def syncfs(self, fd):
            ctypes.set_errno(5)
            return -1

    if not hasattr(os, "sync") or not os.sys.platform.startswith("linux"):
        pytest.skip("syncfs is Linux's")
    monkeypatch.setattr(ctypes, "CDLL", lambda *a, **k: Libc())
    with pytest.raises(OSError):
        disk_sync.sync_tree(tmp_path)
