"""Pages through worker processes: the one worker set-up that `presswash clean` and crawls share.

Each worker builds its Processor once, plus one per mined site pack it is handed (kept for the packs used
most recently). A page whose worker ran past the time limit or died gets its Failure here, so every page
ends as an outcome whatever happened to its worker.
"""

from __future__ import annotations

from collections import OrderedDict
from concurrent.futures import Future

from cleaners import Cleaner, RuleBook
from cleaners.packs import parse_pack_text

from scraper.core.document import Failure, Outcome, Page
from scraper.core.process import Options, Processor
from scraper.core.workers import TimeLimitExceeded, WorkerDied, WorkerPool


class SiteProcessors:
    """The base Processor, and one per mined site pack: the same Processor with the base rule book plus
    that pack. Built on first use and kept for the packs used most recently."""

    KEEP = 32

    def __init__(self, base: Processor):
        self.base = base
        self.with_pack: OrderedDict[str, Processor] = OrderedDict()

    def get(self, pack_text: str | None, host: str = "") -> Processor:
        if not pack_text:
            return self.base
        processor = self.with_pack.get(pack_text)
        if processor is None:
            mined = parse_pack_text(pack_text, f"store:site_packs/{host}")
            options = self.base.options
            book = RuleBook(self.base.cleaner.rulebook.packs + [mined]).selected(options.select, options.ignore)
            processor = Processor(options, cleaner=Cleaner(book))
            if len(self.with_pack) >= self.KEEP:
                self.with_pack.popitem(last=False)
            self.with_pack[pack_text] = processor
        self.with_pack.move_to_end(pack_text)
        return processor

    def process(self, page: Page, pack_text: str | None = None, host: str = "", sample: bool = False,
                audit: bool = True) -> Outcome:
        """The page's outcome, with the host's mined pack if one is given. Without ``audit`` the line-level
        audit (only `explain` shows it) is dropped, so a worker does not pay to send it back."""
        outcome = self.get(pack_text, host)(page, sample=sample)
        if not audit:
            outcome.audit = None
        return outcome


_processors: SiteProcessors | None = None  # a worker's own processors


def _init_worker(options: Options) -> None:
    global _processors
    _processors = SiteProcessors(Processor(options))


def _process_in_worker(page: Page, pack_text: str | None, host: str, sample: bool, audit: bool) -> Outcome:
    return _processors.process(page, pack_text, host, sample, audit)


def worker_died(page: Page) -> Failure:
    return Failure.of(page, "the worker process died while processing this document (a crash or out of memory)")


def timed_out(page: Page, limit: float) -> Failure:
    return Failure.of(page, f"processing took longer than {limit:g} s (time limit): the worker was stopped and the "
                            "run went on; raise --time-limit (PRESSWASH_TIME_LIMIT in a crawl) to give such pages "
                            "more time")


class PagePool:
    """``jobs`` workers processing pages with ``options``, each page under ``options.time_limit``."""

    def __init__(self, jobs: int, options: Options):
        self.options = options
        self.pool = WorkerPool(jobs, _init_worker, (options,), options.time_limit)

    def submit(self, page: Page, pack_text: str | None = None, host: str = "", sample: bool = False,
               audit: bool = False) -> Future:
        return self.pool.submit(_process_in_worker, page, pack_text, host, sample, audit)

    def outcome(self, page: Page, future: Future) -> Outcome:
        """The outcome a finished future holds; a killed or dead worker becomes the page's Failure."""
        try:
            return future.result()
        except (TimeLimitExceeded, WorkerDied) as exc:
            return self.failure_of(page, exc)

    def failure_of(self, page: Page, exc: TimeLimitExceeded | WorkerDied) -> Failure:
        """The Failure of a page whose worker was killed at the time limit, or died."""
        if isinstance(exc, TimeLimitExceeded):
            return timed_out(page, self.options.time_limit)
        return worker_died(page)

    def shutdown(self, wait: bool = False) -> None:
        self.pool.shutdown(wait=wait)
