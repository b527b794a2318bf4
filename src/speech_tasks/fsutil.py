"""File helpers shared by every writer: outputs appear whole or not at all, alone or as a set."""
from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from contextvars import ContextVar
from pathlib import Path
from typing import BinaryIO


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_UMASK = _current_umask()
# the files of the all_or_nothing block running in this thread, if any: (temporary, target)
_SET: ContextVar[list[tuple[str, Path]] | None] = ContextVar("speech_tasks_atomic_set", default=None)


@contextlib.contextmanager
def _temporary(path: str | os.PathLike) -> Iterator[tuple[int, str]]:
    """A new temporary file beside *path* (descriptor, which the caller closes, and name), renamed
    onto *path* when the block succeeds (inside :func:`all_or_nothing`, when that block does),
    removed when it fails."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        yield fd, tmp
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes 0600; outputs get the usual permissions
        staged = _SET.get()
        if staged is None:
            os.replace(tmp, target)
        else:
            staged.append((tmp, target))
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside *path*; on success it is renamed onto *path*.

    Writers that need a file name (openpyxl, python-docx, SQLite backups) write to the yielded
    path. On any error the temporary file is removed and *path* is left as it was. Inside
    :func:`all_or_nothing` the rename waits for the end of the block.
    """
    with _temporary(path) as (fd, tmp):
        os.close(fd)
        yield Path(tmp)


@contextlib.contextmanager
def atomic_file(path: str | os.PathLike) -> Iterator[BinaryIO]:
    """Yield a binary file to write *path*'s new content to, as :func:`atomic_path` does."""
    with _temporary(path) as (fd, _), open(fd, "wb") as f:
        yield f


@contextlib.contextmanager
def all_or_nothing() -> Iterator[None]:
    """The files this thread writes in the block (:func:`atomic_path`, :func:`write_atomic`) appear
    together: each stays in its temporary file until the block ends, then all are renamed into
    place. If the block fails, every one is removed and the targets are left as they were. A
    block inside another one adds its files to the outer one's."""
    if _SET.get() is not None:
        yield
        return
    staged: list[tuple[str, Path]] = []
    token = _SET.set(staged)
    try:
        try:
            yield
        finally:
            _SET.reset(token)
        for tmp, target in staged:
            os.replace(tmp, target)
    except BaseException:
        for tmp, _ in staged:
            with contextlib.suppress(OSError):  # renamed already, or the folder became read-only
                os.unlink(tmp)
        raise


def write_atomic(path: str | os.PathLike, data: str | bytes, encoding: str = "utf-8") -> None:
    """Write *data* to *path* through a temporary file and a rename."""
    with atomic_file(path) as f:
        f.write(data.encode(encoding) if isinstance(data, str) else data)
