"""Write output files so that nothing is ever half-written or silently overwritten.

Guarantees, in the order a command uses them:

* :func:`atomic_write` replaces a file in one step: readers see either the old
  complete file or the new complete file, never a mixture; if writing fails, the
  old file is untouched and no temporary file is left behind.
* :func:`write_output` adds the user-facing rule: an existing file is only
  replaced with ``force=True`` (the CLI's ``--force``).
* :func:`prepare_out_dir` decides whether a directory may receive generated
  output: it must be new, empty, or marked by an earlier symgrad run.
* :func:`staged_output` / :func:`write_tree` write a whole set of files (a
  homework run) into a hidden sibling directory and swap it in only when the
  set is complete; a failure midway leaves the previous output as it was.

>>> import tempfile, pathlib
>>> out = pathlib.Path(tempfile.mkdtemp()) / "hw"
>>> write_tree(out, {"sheet.md": "# Sheet 1\\n", "key/answers.json": "{}"})
>>> sorted(p.name for p in out.iterdir())
['.symgrad-output', 'key', 'sheet.md']
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path

from .disk_sync import sync_tree
from .errors import SymgradError

MARKER_NAME = ".symgrad-output"
"""File that marks a directory as symgrad's own output; it lists the entries symgrad wrote."""

MAX_MARKER_BYTES = 1_000_000  # a marker lists top-level names: a few kilobytes

_MARKER_HEADER = (
    "# Written by symgrad. The entries listed below are replaced on the next run\n"
    "# into this directory; other files here are kept. Delete this file to stop that.\n"
)


def _umask() -> int:
    """The process umask (read by setting and restoring it; Python has no getter)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _fsync_dir(directory: Path) -> None:
    """Flush a directory entry change to disk where the platform allows it."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextlib.contextmanager
def _blame(path: Path) -> Iterator[None]:
    """An ``OSError`` inside names ``path``, the user's output, not the hidden temp file or
    staging folder beside it that the failing call touched."""
    try:
        yield
    except OSError as err:
        if err.filename is not None and str(err.filename) == str(path):
            raise
        raise OSError(err.errno, err.strerror or str(err), str(path)) from err


def refuse_dangling_links(path: Path) -> None:
    """Refuse ``path`` if it or a folder above it is a symbolic link to nothing (or a loop):
    creating the output through it would write outside the folder the user named."""
    for part in (path, *path.parents):
        if os.path.islink(part) and not os.path.exists(part):
            raise SymgradError(
                f"{part} is a symbolic link to {os.readlink(part)}, which does "
                "not exist; refusing to create output through it"
            )


def _write_temp(path: Path, data: str | bytes) -> Path:
    """Write ``data`` to a new hidden temp file next to ``path``, flushed to disk.

    Text is encoded as UTF-8 with newlines as given (no platform translation).
    The temp file gets the permissions a new file would get (or those of an
    existing ``path``). On failure the temp file is removed and the error raised.
    """
    payload = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    try:
        mode = os.stat(path).st_mode & 0o7777
    except OSError:
        mode = 0o666 & ~_umask()
    with _blame(path):
        fd, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    temp = Path(temp_name)
    try:
        with _blame(path), os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
            os.chmod(temp, mode)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return temp


def atomic_write(path: str | os.PathLike[str], data: str | bytes) -> None:
    """Replace ``path`` with ``data`` (``str`` is written as UTF-8) in one atomic step.

    The data goes to a temp file in the same directory, is fsynced, and then
    ``os.replace``-d over ``path``. If anything fails (disk full, interrupt,
    an exception while writing) the previous file is untouched and the temp
    file is removed. A symlink at ``path`` is replaced by a regular file.

    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "answer.txt"
    >>> atomic_write(target, "42\\n")
    >>> target.read_text()
    '42\\n'
    """
    target = Path(path)
    if target.exists() and not target.is_file():  # a device, FIFO or directory: never replace it
        raise SymgradError(f"{target} exists and is not a regular file; give another output path")
    temp = _write_temp(target, data)
    try:
        with _blame(target):
            os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    _fsync_dir(target.parent)


def write_output(path: str | os.PathLike[str], text: str | bytes, force: bool = False) -> None:
    """Write a command's output file atomically, refusing to replace an existing file.

    Without ``force`` an existing ``path`` (file, symlink or anything else)
    raises :class:`SymgradError` and is left alone; the check and the creation
    are one atomic step (a hard link of the finished temp file), so a file that
    appears meanwhile is not clobbered either. With ``force`` the file is
    replaced atomically as in :func:`atomic_write`. A directory is never replaced.

    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "out.tex"
    >>> write_output(target, "v1")
    >>> write_output(target, "v2")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    symgrad.errors.SymgradError: refusing to overwrite existing file ...; use --force to replace it
    >>> write_output(target, "v2", force=True)
    """
    target = Path(path)
    if target.is_dir():
        raise SymgradError(f"{target} is a directory; give a file name for the output")
    if not target.parent.is_dir():
        raise SymgradError(f"directory {target.parent} does not exist")
    if force:
        atomic_write(target, text)
        return
    refusal = f"refusing to overwrite existing file {target}; use --force to replace it"
    if os.path.lexists(target):
        raise SymgradError(refusal)
    temp = _write_temp(target, text)
    try:
        os.link(temp, target)
    except FileExistsError:
        raise SymgradError(refusal) from None
    except OSError:  # no hard links on this file system: fall back to a checked replace
        if os.path.lexists(target):
            raise SymgradError(refusal) from None
        with _blame(target):
            os.replace(temp, target)
    finally:
        temp.unlink(missing_ok=True)
    _fsync_dir(target.parent)


def _marked_entries(directory: Path) -> set[str] | None:
    """Entries listed in ``directory``'s marker, or ``None`` if it has no marker."""
    marker = directory / MARKER_NAME
    if not marker.is_file():
        return None
    with open(marker, "rb") as handle:
        data = handle.read(MAX_MARKER_BYTES + 1)
    if len(data) > MAX_MARKER_BYTES:
        raise SymgradError(
            f"{marker} is larger than {MAX_MARKER_BYTES} bytes; it is not "
            "symgrad's marker (delete it or choose another output folder)"
        )
    lines = data.decode("utf-8", errors="replace").splitlines()
    return {line for line in lines if line and not line.startswith("#")}


def _marker_text(entries: list[str]) -> str:
    """Marker content: a header and one top-level entry name per line, sorted (deterministic)."""
    return _MARKER_HEADER + "".join(f"{name}\n" for name in sorted(entries))


def prepare_out_dir(path: str | os.PathLike[str], force: bool = False) -> Path:
    """Check that ``path`` may receive symgrad output, create it if needed, and return it.

    Accepted: a directory that does not exist yet (created with its parents) or
    an empty one. A directory with anything in it, an earlier run's output
    included, is refused with :class:`SymgradError` unless ``force``: nothing is
    replaced silently. A non-directory is always refused. An accepted directory
    gets a marker (an existing marker is kept as it is). Nothing else is written
    or deleted. A symlink to a directory is resolved to its target; a dangling
    symlink (here or above) is refused, so nothing is created through it.

    Call it before a long run to fail early; write the files themselves with
    :func:`staged_output` or :func:`write_tree`, which record what they wrote.
    """
    out_dir = check_out_dir(Path(path), force)
    with _blame(out_dir):
        out_dir.mkdir(parents=True, exist_ok=True)
    if not (out_dir / MARKER_NAME).exists():
        atomic_write(out_dir / MARKER_NAME, _marker_text([]))
    return out_dir


def check_out_dir(out_dir: Path, force: bool) -> Path:
    """Apply :func:`prepare_out_dir`'s acceptance rule without changing anything.

    A symbolic link to an existing directory stands for that directory; a link to nothing is
    refused (creating its target would write where the user did not look).
    """
    refuse_dangling_links(out_dir)
    if out_dir.is_symlink():
        out_dir = out_dir.resolve()
    if not out_dir.exists():
        return out_dir
    if not out_dir.is_dir():
        raise SymgradError(f"output path {out_dir} exists and is not a directory")
    if force or all(entry.name == MARKER_NAME for entry in out_dir.iterdir()):
        return out_dir
    if _marked_entries(out_dir) is not None:
        raise SymgradError(
            f"output directory {out_dir} already holds a set written before; "
            "use --force to replace it"
        )
    raise SymgradError(
        f"output directory {out_dir} is not empty and was not written by symgrad; "
        "use --force to write into it"
    )


@contextlib.contextmanager
def staged_output(path: str | os.PathLike[str], force: bool = False) -> Iterator[Path]:
    """Build a complete output set in a staging directory and swap it in on success.

    Yields an empty hidden sibling directory of ``path``; write every file into
    it. When the ``with`` block ends normally the staged set becomes ``path``:

    * entries written by the previous symgrad run (listed in its marker) are
      replaced, so stale outputs from a longer earlier run disappear;
    * other entries already in ``path`` (a teacher's own notes) are kept, unless
      the new set has an entry of the same name and ``force`` is given; without
      ``force`` such a clash raises :class:`SymgradError` before anything changes;
    * a fresh marker lists the entries this run wrote.

    If the block raises (including ``KeyboardInterrupt``), the staging
    directory is removed and ``path`` is exactly as before; if the process is
    killed, ``path`` is also as before and a hidden ``.NAME.symgrad-new-*``
    sibling is left over. The swap itself is two renames; should the process
    die between them, the previous output is kept in a ``.NAME.symgrad-old-*``
    sibling rather than lost.

    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "hw"
    >>> with staged_output(out) as stage:
    ...     _ = (stage / "v1.md").write_text("# Version 1\\n")
    >>> (out / "v1.md").read_text()
    '# Version 1\\n'
    """
    out_dir = check_out_dir(Path(path), force)
    with _blame(out_dir):
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        stage = Path(tempfile.mkdtemp(dir=out_dir.parent, prefix=f".{out_dir.name}.symgrad-new-"))
    try:
        yield stage
        with _blame(out_dir):
            _commit(stage, out_dir, force)
    finally:
        if stage.exists():
            shutil.rmtree(stage, ignore_errors=True)


def _write_staged(path: Path, data: str | bytes) -> None:
    """Write one new file inside a staging folder, without its own fsync: the staged tree is
    flushed once, by :func:`sync_tree`, before it is swapped in (a failure before then
    removes the whole stage). Text is UTF-8 with newlines as given."""
    payload = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    with _blame(path), open(path, "wb") as handle:
        handle.write(payload)


def _commit(stage: Path, out_dir: Path, force: bool) -> None:
    """Swap the finished ``stage`` in as ``out_dir`` (see :func:`staged_output`), after one
    flush of the whole staged tree to disk."""
    written = sorted(entry.name for entry in stage.iterdir() if entry.name != MARKER_NAME)
    _write_staged(stage / MARKER_NAME, _marker_text(written))
    with _blame(out_dir):
        sync_tree(stage)
    if not out_dir.exists():
        os.chmod(stage, 0o777 & ~_umask())
        os.rename(stage, out_dir)
        _fsync_dir(out_dir.parent)
        return

    owned = _marked_entries(out_dir) or set()
    kept = sorted(
        entry.name
        for entry in out_dir.iterdir()
        if entry.name != MARKER_NAME and entry.name not in owned
    )
    clashes = [name for name in kept if name in written]
    if clashes and not force:
        raise SymgradError(
            f"output directory {out_dir} already has {', '.join(clashes)} not written by "
            "symgrad; use --force to replace them"
        )
    os.chmod(stage, os.stat(out_dir).st_mode & 0o7777)
    carried = []
    try:
        for name in kept:
            if name not in written:
                os.rename(out_dir / name, stage / name)
                carried.append(name)
    except BaseException:
        _move_back(carried, stage, out_dir)
        raise

    old = Path(tempfile.mkdtemp(dir=out_dir.parent, prefix=f".{out_dir.name}.symgrad-old-"))
    os.rmdir(old)  # only the unique name is needed
    os.rename(out_dir, old)
    try:
        os.rename(stage, out_dir)
    except BaseException:
        os.rename(old, out_dir)
        _move_back(carried, stage, out_dir)
        raise
    _fsync_dir(out_dir.parent)
    shutil.rmtree(old, ignore_errors=True)


def _move_back(names: list[str], stage: Path, out_dir: Path) -> None:
    """Return the teacher's entries carried into ``stage`` to ``out_dir`` after a failed swap."""
    for name in names:
        os.rename(stage / name, out_dir / name)


def write_tree(
    path: str | os.PathLike[str], files: Mapping[str, str | bytes], force: bool = False
) -> None:
    """Write ``{relative path: content}`` as one complete output set (see :func:`staged_output`).

    Relative paths may contain ``/`` for subdirectories; absolute paths, ``..``
    components and the marker's name are refused with :class:`SymgradError`
    before anything is written.
    """
    for relative in files:
        parts = Path(relative).parts
        if not parts or Path(relative).is_absolute() or ".." in parts or relative == MARKER_NAME:
            raise SymgradError(f"invalid output file name {relative!r}")
    with staged_output(path, force=force) as stage:
        for relative, content in sorted(files.items()):
            target = stage / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            _write_staged(target, content)


__all__ = [
    "MARKER_NAME",
    "atomic_write",
    "write_output",
    "prepare_out_dir",
    "check_out_dir",
    "staged_output",
    "write_tree",
]
