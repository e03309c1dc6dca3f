"""The progress display of `clean`, `crawl`, `eval` and `mine`: a rich progress bar on stderr, shown only when
stderr is a terminal (never in a pipe, a file or a CI log), and wiped when the work ends so that the summary
follows it. One home for every command: each says what it counts and which tallies to show beside the count."""

from __future__ import annotations

import logging
import sys
from typing import Any


def on_terminal(enabled: bool = True) -> bool:
    """Whether a progress display should show: asked for, and stderr is a terminal."""
    isatty = getattr(sys.stderr, "isatty", None)
    return bool(enabled and isatty and isatty())


class Progress:
    """A live progress bar on stderr, or nothing at all where stderr is not a terminal or ``enabled`` is False.

    ``what`` names the unit counted ("docs", "pages"); ``total``, when known, draws a bar; ``tallies`` are the
    counts shown beside it ("errors", or for a crawl "queued", "articles", "errors"), set with update().
    Use it as a context manager: the bar is wiped on exit. While it runs, what the process writes to stderr
    (log lines included) is printed above the bar rather than through it."""

    def __init__(self, what: str, total: int | None = None, enabled: bool = True,
                 tallies: tuple[str, ...] = ("errors",)):
        self.active = on_terminal(enabled)
        self.tallies = {name: 0 for name in tallies}
        self._bar: Any = None  # rich's Progress while the bar is drawn
        self._task: Any = None
        self._handlers: list[tuple[logging.StreamHandler, Any]] = []
        if not self.active:
            return
        # rich loads (some 40 ms) only when a bar is drawn: a run in a pipe or a cron job never imports it
        from rich.console import Console
        from rich.progress import (BarColumn, MofNCompleteColumn, Progress as RichProgress, SpinnerColumn,
                                   TextColumn, TimeElapsedColumn)

        tallies_text = ", ".join(f"{{task.fields[{name}]}} {name}" for name in tallies)
        columns: list[Any] = [SpinnerColumn()]
        if total:
            columns += [BarColumn(), MofNCompleteColumn()]
        else:
            columns.append(TextColumn("{task.completed}"))
        columns += [TextColumn(what + (f", {tallies_text}" if tallies else "")), TimeElapsedColumn()]
        self._bar = RichProgress(*columns, console=Console(file=sys.stderr), transient=True, redirect_stdout=False)
        self._task = self._bar.add_task(what, total=total or None, **self.tallies)

    _open: set[Progress] = set()  # the displays running, for close_all()

    @classmethod
    def close_all(cls) -> None:
        """Close every display still running (a process about to exit at once: the cursor shown again)."""
        for progress in list(cls._open):
            progress.close()

    def __enter__(self) -> Progress:
        if self._bar is not None:
            self._open.add(self)
            self._bar.start()
            self._route_log_handlers()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def advance(self, steps: int = 1, **tallies: int) -> None:
        """Count ``steps`` more done, and set the tallies given."""
        self.update(advance=steps, **tallies)

    def update(self, completed: int | None = None, total: int | None = None, advance: int = 0,
               **tallies: int) -> None:
        """Set the count done (``completed``), the ``total`` or the tallies given."""
        self.tallies.update(tallies)
        if self._bar is not None:
            self._bar.update(self._task, completed=completed, total=total, advance=advance or None, **tallies)

    def close(self) -> None:
        if self._bar is not None:
            self._open.discard(self)
            self._bar.stop()
            for handler, stream in self._handlers:
                handler.setStream(stream)
            self._handlers = []
            self._bar = None

    def _route_log_handlers(self) -> None:
        """Log handlers made before the bar started hold the real stderr: point them at rich's stand-in, which
        prints their lines above the bar, until close() gives them their stream back."""
        assert self._bar is not None
        for handler in logging.getLogger().handlers:
            if isinstance(handler, logging.StreamHandler) and not isinstance(handler, logging.FileHandler) \
                    and handler.stream is self._bar.console.file and sys.stderr is not handler.stream:
                self._handlers.append((handler, handler.setStream(sys.stderr)))
