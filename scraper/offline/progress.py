"""A one-line progress display on stderr, shown only when stderr is a terminal."""

from __future__ import annotations

import sys
import time
from typing import IO


class Progress:
    def __init__(self, total: int | None = None, stream: IO[str] | None = None, enabled: bool | None = None,
                 every: float = 0.2):
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.total = total
        self.done = 0
        self.errors = 0
        self.every = every
        self.started = time.monotonic()
        self._last = 0.0

    def update(self, ok: bool) -> None:
        self.done += 1
        self.errors += not ok
        now = time.monotonic()
        if self.enabled and (now - self._last >= self.every or self.done == self.total):
            self._last = now
            self.stream.write("\r" + self.render(now) + "\x1b[K")
            self.stream.flush()

    def render(self, now: float | None = None) -> str:
        elapsed = (now or time.monotonic()) - self.started
        rate = self.done / elapsed if elapsed > 0 else 0.0
        tail = f" {rate:.1f} docs/s, {self.errors} errors"
        if self.total:
            width = 30
            filled = int(width * min(self.done / self.total, 1.0))
            return f"[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total}{tail}"
        return f"{self.done} docs{tail}"

    def close(self) -> None:
        if self.enabled and self.done:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
