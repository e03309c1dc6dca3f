"""JSON Lines output: one record per document, to stdout or to a file written atomically."""

from __future__ import annotations

import json
import sys
from typing import IO, Any

from scraper.sinks.atomic import AtomicFile


def dumps(record: dict[str, Any]) -> str:
    """One record as a line of JSON that is always valid UTF-8."""
    line = json.dumps(record, ensure_ascii=False, separators=(",", ":"))
    try:
        line.encode("utf-8")
    except UnicodeEncodeError:
        # A lone surrogate (bytes of a command-line value that are not UTF-8) cannot be written as UTF-8;
        # as the JSON escape \udcNN it can, and a JSON reader gets the same string back.
        line = line.encode("utf-8", "backslashreplace").decode("utf-8")
    return line


class JsonlSink:
    """Writes records as they come. With a path, the file appears whole at the end of a successful run
    (or a run that ended because documents failed); an interrupted run leaves no partial file."""

    def __init__(self, path: str | None = None, stream: IO[str] | None = None):
        self.path = path
        self.atomic = AtomicFile(path) if path and path != "-" else None
        self.stream = stream or sys.stdout

    def write(self, record: dict[str, Any]) -> None:
        line = dumps(record) + "\n"
        if self.atomic:
            self.atomic.write(line)
        else:
            self.stream.write(line)
            self.stream.flush()

    def close(self, ok: bool = True) -> None:
        if self.atomic:
            self.atomic.commit() if ok else self.atomic.discard()

    def __enter__(self) -> "JsonlSink":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self.close(ok=exc_type is None)
