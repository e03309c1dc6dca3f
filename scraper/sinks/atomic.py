"""Atomic file writes: a temporary file beside the target, then a rename, so a reader or an interrupted
run never sees half a file."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import IO


class AtomicFile:
    """A text file that appears at ``path`` only when ``commit()`` is called; ``discard()`` leaves no trace.

    Usable as a context manager: commits on success, discards on an exception.
    """

    def __init__(self, path: str | Path, encoding: str = "utf-8"):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # A short prefix: the temporary name must fit the file system's limit even when the target just does.
        fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name[:40]}.", suffix=".part", dir=self.path.parent)
        self.tmp = Path(tmp)
        self.fh: IO[str] = os.fdopen(fd, "w", encoding=encoding, newline="\n")

    def write(self, text: str) -> None:
        self.fh.write(text)

    def commit(self) -> None:
        self.fh.flush()
        os.fsync(self.fh.fileno())
        self.fh.close()
        os.replace(self.tmp, self.path)

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


def write_atomic(path: str | Path, text: str) -> None:
    with AtomicFile(path) as out:
        out.write(text)
