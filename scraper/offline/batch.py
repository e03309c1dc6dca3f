"""Run the pipeline over many pages, in worker processes, keeping input order.

Pages are handed to workers through a bounded window, so memory stays flat however many files stream
through. Each document runs under the time limit (``Options.time_limit``): a worker still busy with one
when it runs out is killed, and a worker that dies (a crash inside a C library, the OOM killer) costs only
the document it held. Either way that document becomes an error record and a fresh worker carries on
(scraper/core/workers.py, scraper/core/pagepool.py). With no time limit and one job, pages are processed in this process.
"""

from __future__ import annotations

import collections
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field

from scraper.core.document import Outcome, Page
from scraper.core.pagepool import PagePool
from scraper.core.process import Options, Processor
from scraper.core.stats import StepStats, rules_fired_line

def process_pages(pages: Iterable[Page], options: Options, jobs: int = 1, audit: bool = False) -> Iterator[Outcome]:
    """Outcomes of ``pages``, in input order. ``audit`` keeps the line-level audit (for ``explain``)."""
    if jobs <= 1 and not options.time_limit:
        processor = Processor(options)
        for page in pages:
            yield processor(page)
        return
    yield from _parallel(iter(pages), options, max(1, jobs), audit)


# Pages in flight (submitted, result not yet yielded) per worker. Results leave in input order, so while a
# slow page (seconds, where most take ~60 ms) holds the head of the line, the other workers can run ahead
# only by the rest of the window, then sit idle. On the dev set, 4 per worker gave a --jobs 2 speed-up of
# 1.6-1.7x, 32 gives 2.0x.
WINDOW_PER_JOB = 32
# ...and the bodies in flight stay under this many bytes (one page per worker may always go), so memory
# stays flat when the pages are large.
WINDOW_BYTES = 64 * 1024 * 1024


def _parallel(pages: Iterator[Page], options: Options, jobs: int, audit: bool) -> Iterator[Outcome]:
    window = jobs * WINDOW_PER_JOB
    pool = PagePool(jobs, options)
    pending: collections.deque[tuple[Page, Future]] = collections.deque()
    in_flight = 0  # bytes of the bodies in ``pending``
    try:
        exhausted = False
        while True:
            while not exhausted and len(pending) < window and (in_flight < WINDOW_BYTES or len(pending) < jobs):
                page = next(pages, None)
                if page is None:
                    exhausted = True
                    break
                pending.append((page, pool.submit(page, audit=audit)))
                in_flight += len(page.body)
            if not pending:
                return
            page, future = pending.popleft()
            in_flight -= len(page.body)
            yield pool.outcome(page, future)
    finally:
        pool.shutdown()


@dataclass
class BatchStats:
    """Counts for the end-of-run summary, and the run's step stats (``--stats``)."""

    ok: int = 0
    errors: int = 0
    reasons: collections.Counter = field(default_factory=collections.Counter)
    flags: collections.Counter = field(default_factory=collections.Counter)
    steps: StepStats = field(default_factory=StepStats)
    started: float = field(default_factory=time.monotonic)

    @property
    def total(self) -> int:
        return self.ok + self.errors

    def add(self, outcome: Outcome) -> None:
        self.flags.update(outcome.flags)
        self.steps.add(outcome)
        if outcome.ok:
            self.ok += 1
        else:
            self.errors += 1
            self.reasons[outcome.error.split(":")[0]] += 1

    def summary(self, rulebook=None, top: int = 5, errors_only: bool = False) -> str:
        """The run in a few lines; ``errors_only`` (--quiet, with errors): the counts and the errors' reasons."""
        elapsed = time.monotonic() - self.started
        rate = self.total / elapsed if elapsed > 0 else 0.0
        docs = "document" if self.total == 1 else "documents"
        errors = "error" if self.errors == 1 else "errors"
        lines = [f"presswash: {self.total} {docs}, {self.ok} ok, {self.errors} {errors} "
                 f"in {elapsed:.1f} s ({rate:.1f} docs/s)"]
        fired = None if errors_only else rules_fired_line(self.steps.rules, rulebook, top)
        if fired:
            lines.append(fired)
        for reason, n in self.reasons.most_common(top):
            lines.append(f"  error ×{n}: {reason}")
        if self.flags and not errors_only:
            lines.append("  flags: " + ", ".join(f"{f} ×{n}" for f, n in self.flags.most_common()))
        return "\n".join(lines)
