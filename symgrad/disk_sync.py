"""One flush to disk for a whole folder of new files (the staged output of a command)."""

from __future__ import annotations

import errno
import os
import sys
from pathlib import Path


def sync_tree(directory: Path) -> None:
    """Flush everything written under ``directory`` to disk with one call: syncfs(2) on its
    file system (Linux), else ``os.sync()``, else an fsync per file. One call instead of one
    fsync per file and folder (1,007 of them for 100 versions of a 5-exercise set)."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            fd = os.open(directory, os.O_RDONLY)
            try:
                failed = libc.syncfs(fd) != 0
            finally:
                os.close(fd)
            if not failed:
                return
            err = ctypes.get_errno()
            if err not in (errno.ENOSYS, errno.EINVAL):  # EIO, ENOSPC: the data is not safe
                raise OSError(err, os.strerror(err), str(directory))
        except (AttributeError, ImportError):  # no syncfs in this C library
            pass
    if hasattr(os, "sync"):
        os.sync()
        return
    for root, _, names in os.walk(directory):
        for name in names:
            with open(os.path.join(root, name), "rb+") as handle:
                os.fsync(handle.fileno())
