"""Small disks for the full-disk and read-only tests: a tmpfs mounted in the test's folder."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


@contextmanager
def tmpfs(mount: Path, options: str = "size=64k") -> Iterator[Path]:
    """A tmpfs mounted on the existing folder ``mount`` with ``options`` (e.g. ``ro,size=64k``),
    unmounted afterwards; a skip naming why when this machine cannot mount one (root and
    mount(8) are needed)."""
    if shutil.which("mount") is None or os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root and mount(8)")
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(mount)],
        capture_output=True,
        text=True,
    )
    if made.returncode != 0:
        pytest.skip(f"this machine does not allow mounting a tmpfs: {made.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=True)
