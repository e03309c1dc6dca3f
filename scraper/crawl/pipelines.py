"""Scrapy item pipelines: thin adapters around the shared process function, the store and JSON Lines.

Spiders yield Pages (and FetchFailures). ProcessPipeline turns a Page into an outcome with the same
Processor `presswash clean` uses, in worker processes so the reactor thread keeps fetching while both
cores extract. Once a host has PRESSWASH_MINE_AFTER article pages, it mines a site pack for the host, and
the host's later pages use it (scraper/crawl/mining.py). StorePipeline writes articles, revisions, crawl state and
errors, and places each article among the store's near-duplicates and stories (docs/stories.md); JsonlPipeline
streams the new and changed records.
"""

from __future__ import annotations

import asyncio
import logging
import os
import zlib
from dataclasses import dataclass, field
from typing import Any

from scrapy import signals
from scrapy.exceptions import DropItem

from cleaners import RuleBook
from cleaners.mining import PageSample, Thresholds

from scraper.core.document import Failure, FetchFailure, Outcome, Page
from scraper.core.pagepool import PagePool, SiteProcessors
from scraper.core.stats import StepStats
from scraper.crawl.middlewares import stop_for_lost_store, store_lost
from scraper.crawl.mining import CrawlMiner
from scraper.core.process import DEFAULT_MAX_BYTES, DEFAULT_TIME_LIMIT, Options, Processor
from scraper.core.urls import hostname_of
from scraper.sinks.jsonl import dumps
from scraper.store import CANONICAL_IGNORED, RECONNECT_SECONDS, Store, StoreError, StoreLost
from scraper.store.health import HostTally, alert_lines
from spiders.detect import looks_like_listing_url
from scraper.core.workers import TimeLimitExceeded, WorkerDied


def options_from_settings(settings: Any) -> Options:
    return Options(
        max_bytes=settings.getint("PRESSWASH_MAX_BYTES", DEFAULT_MAX_BYTES),
        include_comments=settings.getbool("PRESSWASH_INCLUDE_COMMENTS", False),
        extensive_dates=settings.getbool("PRESSWASH_EXTENSIVE_DATES", False),
        mode=settings.get("PRESSWASH_MODE", "auto"),
        keep_headline=settings.getbool("PRESSWASH_KEEP_HEADLINE", False),
        rules_dirs=tuple(settings.getlist("PRESSWASH_RULES")),
        select=tuple(settings.getlist("PRESSWASH_SELECT")),
        ignore=tuple(settings.getlist("PRESSWASH_IGNORE")),
        time_limit=settings.getfloat("PRESSWASH_TIME_LIMIT", DEFAULT_TIME_LIMIT),
    )


@dataclass
class ProcessedPage:
    """A crawled page after processing: the outcome plus what the store needs from the response."""

    url: str
    source: str
    status: int | None
    etag: str | None
    last_modified: str | None
    outcome: Outcome
    change: str | None = None  # new | changed | unchanged, set by StorePipeline
    record: dict[str, Any] | None = None  # the record as stored (its flags may say the canonical was ignored)
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class MiningPlan:
    """Where and when a crawl mines site packs (PRESSWASH_MINE_AFTER pages of a host; 0 turns it off)."""

    store: str
    after: int
    thresholds: Thresholds
    stats: Any = None
    reconnect_for: float = RECONNECT_SECONDS

    @classmethod
    def from_settings(cls, settings: Any, stats: Any = None) -> MiningPlan | None:
        after = settings.getint("PRESSWASH_MINE_AFTER", 0)
        if after <= 0:
            return None
        share = settings.getfloat("PRESSWASH_MINE_MIN_SHARE", Thresholds.min_share)
        return cls(settings.get("PRESSWASH_STORE"), after, Thresholds(min_share=share), stats,
                   settings.getfloat("PRESSWASH_STORE_RECONNECT"))


class ProcessPipeline:
    def __init__(self, options: Options, workers: int, mining: MiningPlan | None = None, crawler: Any = None):
        self.options = options
        self.workers = workers
        self.mining = mining
        self.crawler = crawler
        self.pool: PagePool | None = None
        self.local: SiteProcessors | None = None
        self.miner: CrawlMiner | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> "ProcessPipeline":
        workers = crawler.settings.get("PRESSWASH_WORKERS")
        workers = (os.cpu_count() or 1) if workers is None else int(workers)
        return cls(options_from_settings(crawler.settings), workers,
                   MiningPlan.from_settings(crawler.settings, crawler.stats), crawler)

    def open_spider(self, spider: Any = None) -> None:
        if self.workers > 0:
            # A page past PRESSWASH_TIME_LIMIT has its worker killed and replaced, as in `presswash clean`.
            self.pool = PagePool(self.workers, self.options)
        else:  # PRESSWASH_WORKERS = 0: process on the reactor thread (debugging, tiny crawls)
            self.local = SiteProcessors(Processor(self.options))
        if self.mining is not None:
            plan = self.mining
            self.miner = CrawlMiner(plan.store, plan.after, plan.thresholds, RuleBook.load(self.options.rules_dirs),
                                    plan.stats, plan.reconnect_for)

    def close_spider(self, spider: Any = None) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True)
        if self.miner is not None:
            self.miner.close()

    async def process_item(self, item: Any, spider: Any = None) -> Any:
        if not isinstance(item, Page) or store_lost(self.crawler):
            return item  # once the store is lost, StorePipeline drops the pages still in flight
        host = hostname_of(item.url)
        miner = self.miner
        pack = miner.pack_for(host) if miner else None
        outcome = await self._process(item, host, pack, bool(miner and miner.wants_sample(host)))
        if outcome.ok and outcome.sample is not None:
            self._keep_sample(outcome.sample)
            outcome.sample = None
        headers = item.headers
        item.body = b""  # the bytes are no longer needed; don't keep them alive in later pipelines
        return ProcessedPage(url=item.url or "", source=item.source, status=item.status,
                             etag=headers.get("etag"), last_modified=headers.get("last-modified"),
                             outcome=outcome)

    async def _process(self, page: Page, host: str | None, pack: str | None, sample: bool) -> Outcome:
        if self.local is not None:
            return self.local.process(page, pack, host or "", sample, audit=False)
        try:
            return await asyncio.wrap_future(self.pool.submit(page, pack, host or "", sample))
        except (TimeLimitExceeded, WorkerDied) as exc:
            return self.pool.failure_of(page, exc)

    def _keep_sample(self, sample: PageSample) -> None:
        """Mining is an extra: a failure there is logged, and the article still goes to the store."""
        if store_lost(self.crawler):  # the store was lost while this page was processed
            return
        try:
            self.miner.add(sample)
        except StoreLost as exc:  # the store is gone, not just this sample: StorePipeline would wait for it too
            stop_for_lost_store(self.crawler, exc)
        except (StoreError, zlib.error, ValueError, KeyError) as exc:
            logging.getLogger(__name__).warning("site pack mining failed for %s: %s", sample.host, exc)


class StorePipeline:
    """Writes each outcome to the store and keeps the run's counts, in all and by host (HostTally; the run's
    end writes the hosts' figures with the run, and puts the alerts they raise in the stat
    ``presswash/health_alerts`` for the summary: docs/health.md).

    The first StoreError (a store that stayed away past PRESSWASH_STORE_RECONNECT seconds, a full disk) stops
    the crawl (stop_for_lost_store): the item and those still in flight are dropped, never half stored, and
    the next run fetches them. The run's row cannot be finished then: it stays ``running``, with no stats."""

    def __init__(self, path: str, stats: Any, crawler: Any = None, reconnect_for: float = RECONNECT_SECONDS):
        self.path = path
        self.stats = stats
        self.crawler = crawler
        self.reconnect_for = reconnect_for
        self.store: Store | None = None
        self.run_id: int | None = None
        self.steps = StepStats()  # the run's step stats and the rules that fired, merged from every outcome
        self.hosts = HostTally()  # the run's figures by host

    @classmethod
    def from_crawler(cls, crawler: Any) -> "StorePipeline":
        pipeline = cls(crawler.settings.get("PRESSWASH_STORE"), crawler.stats, crawler,
                       crawler.settings.getfloat("PRESSWASH_STORE_RECONNECT"))
        # Scrapy calls a pipeline's close_spider() without the reason the crawl stopped; the spider_closed
        # signal carries it ("finished", "shutdown" after Ctrl-C or SIGTERM, "closespider_…"), and comes
        # after every pipeline has finished its items.
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(pipeline.response_downloaded, signal=signals.response_downloaded)
        return pipeline

    def response_downloaded(self, response: Any, request: Any, spider: Any = None) -> None:
        """Every response counts as a page fetched from its host (retries, 304s, listings, robots.txt too)."""
        self.hosts.response(request.url)

    def open_spider(self, spider: Any = None) -> None:
        self.store = Store(self.path, reconnect_for=self.reconnect_for)
        self.run_id = self.store.start_run()

    def process_item(self, item: Any, spider: Any = None) -> Any:
        if not store_lost(self.crawler):
            try:
                return self._store(item)
            except StoreError as exc:
                stop_for_lost_store(self.crawler, exc)
        # not stored, so not streamed either (JsonlPipeline): the next run fetches it again
        raise DropItem("the store is lost", log_level="INFO")

    def _store(self, item: Any) -> Any:
        if isinstance(item, FetchFailure):
            self.store.record_error(self.run_id, item.url, item.reason, item.status)
            self.stats.inc_value("presswash/fetch_errors")
            self.hosts.fetch_error(item.url, item.reason, item.status)
            return item
        if not isinstance(item, ProcessedPage):
            return item
        outcome = item.outcome
        self.steps.add(outcome)
        if not outcome.ok:
            self.store.record_error(self.run_id, item.url, outcome.error, item.status)
            self.stats.inc_value("presswash/process_errors")
            self.hosts.process_error(item.url, outcome.error)
            return item
        record = outcome.to_record()
        try:
            item.change = self.store.save_article(record, fetched_url=item.url, status=item.status,
                                                  etag=item.etag, last_modified=item.last_modified,
                                                  is_listing=self._is_listing, fingerprint=outcome.fingerprint)
        except ValueError as exc:  # a URL that cannot be keyed: an error row, never a traceback
            self.store.record_error(self.run_id, item.url, f"cannot store the article: {exc}", item.status)
            self.stats.inc_value("presswash/process_errors")
            self.hosts.process_error(item.url, f"cannot store the article: {exc}")
            return item
        item.record = record
        self.hosts.article(item.url, item.change, record)
        if CANONICAL_IGNORED in record["flags"]:
            self.stats.inc_value("presswash/canonical_ignored")
        self.stats.inc_value(f"presswash/articles_{item.change}")
        return item

    def _is_listing(self, url: str) -> bool:
        """A URL this crawl saw as a feed, sitemap or listing page, or that looks like a listing: never an
        article's key (Store.article_key)."""
        spider = getattr(self.crawler, "spider", None)
        return url in getattr(spider, "listings", ()) or looks_like_listing_url(url)

    def spider_closed(self, spider: Any = None, reason: str = "finished") -> None:
        if self.store is None:
            return
        if store_lost(self.crawler):  # the run's row cannot be finished: it stays "running"
            self.store.close()
            self.store = None
            return
        stats = {k.split("/", 1)[1]: v for k, v in self.stats.get_stats().items() if k.startswith("presswash/")}
        stats["pages_fetched"] = self.stats.get_value("downloader/response_count", 0)
        stats["rules_fired"] = dict(self.steps.rules.most_common(10))
        stats["steps"] = self.steps.to_dict()
        self.stats.set_value("presswash/rules_fired", stats["rules_fired"])
        self.stats.set_value("presswash/steps", stats["steps"])
        status = "finished" if reason == "finished" else "interrupted"
        self.hosts.skipped(self.stats.get_stats())
        self.store.finish_run(self.run_id, stats, status, self.hosts.hosts)
        try:  # the alerts of the hosts this run crawled, for the summary
            self.stats.set_value("presswash/health_alerts",
                                 alert_lines(self.store.health(hosts=list(self.hosts.hosts))))
        except StoreError as exc:  # the run is recorded; only its alerts are missing from the summary
            logging.getLogger(__name__).warning("the hosts' health could not be read: %s", exc)
        self.store.close()
        self.store = None


class JsonlPipeline:
    """Appends new and changed articles, and error records, to PRESSWASH_OUTPUT as JSON Lines.

    Each record goes out in one write() on a file opened for appending, so a killed crawl leaves whole
    lines; a torn last line from a crash of the machine is cut off when the file is next opened."""

    def __init__(self, path: str | None):
        self.path = path
        self.fd: int | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> "JsonlPipeline":
        return cls(crawler.settings.get("PRESSWASH_OUTPUT"))

    def open_spider(self, spider: Any = None) -> None:
        if not self.path:
            return
        os.makedirs(os.path.dirname(os.path.abspath(self.path)), exist_ok=True)
        self.fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        drop_torn_line(self.path)

    def process_item(self, item: Any, spider: Any = None) -> Any:
        if self.fd is None:
            return item
        record = None
        if isinstance(item, ProcessedPage) and (item.change in ("new", "changed") or not item.outcome.ok):
            record = item.record or item.outcome.to_record()
        elif isinstance(item, FetchFailure):
            record = fetch_failure_record(item)
        if record is not None:
            os.write(self.fd, (dumps(record) + "\n").encode("utf-8"))
        return item

    def close_spider(self, spider: Any = None) -> None:
        if self.fd is not None:
            os.fsync(self.fd)
            os.close(self.fd)


def fetch_failure_record(item: FetchFailure) -> dict[str, Any]:
    """The error record of a page that could not be fetched: the same schema as every other record."""
    return Failure.of(Page(body=b"", source=item.source, url=item.url), item.reason, extractor={}).to_record()


def drop_torn_line(path: str) -> None:
    """Cut a partial last line (no final newline) left by a crash, so the file stays valid JSON Lines."""
    with open(path, "rb+") as fh:
        fh.seek(0, os.SEEK_END)
        size = fh.tell()
        if size == 0:
            return
        fh.seek(size - 1)
        if fh.read(1) == b"\n":
            return
        fh.seek(0)
        data = fh.read()
        fh.truncate(data.rfind(b"\n") + 1)
