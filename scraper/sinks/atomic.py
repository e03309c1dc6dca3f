"""Atomic file writes: a temporary file beside the target, then a rename, so a reader or an interrupted
run never sees half a file.

The temporary file is named ``.NAME.PID.RANDOM.part``. A run killed outright (SIGKILL, a power cut) cannot
remove its own; the next write to the same target (and a text folder, as a whole, when a sink opens it)
removes those whose process is gone.

The file gets the mode a plain open() would give it under the umask, or keeps the mode of the file it
replaces.
"""

from __future__ import annotations

import os
import re
import stat
import tempfile
from pathlib import Path
from typing import IO, Any

_PART = re.compile(r"^\.(?P<name>.*)\.(?P<pid>\d+)\.[A-Za-z0-9_]+\.part$", re.DOTALL)


def _prefix(path: Path) -> str:
    # A short prefix: the temporary name must fit the file system's limit even when the target just does.
    return path.name[:40]


def _process_gone(pid: int) -> bool:
    # On Windows os.kill() would end the process, not probe it: there, temporary files are left alone.
    if pid == os.getpid() or os.name == "nt":
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except (PermissionError, OSError):  # another user's live process, or no way to tell: leave it
        return False
    return False


def remove_stale_parts(folder: str | Path, target: str | Path | None = None) -> list[Path]:
    """Remove the temporary files that killed writers left in ``folder`` (only those of ``target``'s name,
    if given). A writer still running keeps its file. Returns what was removed."""
    folder = Path(folder)
    prefix = _prefix(Path(target)) if target is not None else None
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        match = _PART.match(entry.name)
        if not match or (prefix is not None and match["name"] != prefix):
            continue
        if _process_gone(int(match["pid"])):
            try:
                os.unlink(entry.path)
                removed.append(Path(entry.path))
            except OSError:
                pass
    return removed


def _fsync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` durable (POSIX; a no-op where folders cannot be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _umask() -> int:
    # The only portable way to read the umask is to set it; set it straight back.
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _mode_for(target: Path) -> int:
    """The permission bits the file at ``target`` should get: those of the file it replaces, else what
    open() would give a new file under the umask (mkstemp's own 0600 would lock other readers out)."""
    try:
        return stat.S_IMODE(os.stat(target).st_mode)
    except OSError:
        return 0o666 & ~_umask()


class AtomicFile:
    """A text file (a binary one with ``binary``) that appears at ``path`` only when ``commit()`` is called;
    ``discard()`` leaves no trace.

    Usable as a context manager: commits on success, discards on an exception.
    """

    def __init__(self, path: str | Path, encoding: str = "utf-8", sweep: bool = True, binary: bool = False):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if sweep:
            remove_stale_parts(self.path.parent, self.path)
        fd, tmp = tempfile.mkstemp(prefix=f".{_prefix(self.path)}.{os.getpid()}.", suffix=".part",
                                   dir=self.path.parent)
        self.tmp = Path(tmp)
        try:
            os.chmod(fd, _mode_for(self.path))
        except (OSError, NotImplementedError):  # no modes here (FAT, Windows): keep what mkstemp gave
            pass
        self.fh: IO[Any] = os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding=encoding, newline="\n")

    def write(self, data: str | bytes) -> None:
        self.fh.write(data)

    def commit(self) -> None:
        self.fh.flush()
        os.fsync(self.fh.fileno())
        self.fh.close()
        os.replace(self.tmp, self.path)
        _fsync_dir(self.path.parent)

    def discard(self) -> None:
        if not self.fh.closed:
            self.fh.close()
        self.tmp.unlink(missing_ok=True)

    def __enter__(self) -> "AtomicFile":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.discard()


def write_atomic(path: str | Path, text: str, sweep: bool = True) -> None:
    with AtomicFile(path, sweep=sweep) as out:
        out.write(text)
