"""Downloader middlewares: incremental fetching against the store, retries that back off, redirects whose
loops are named, and robots.txt Crawl-delay."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timezone
from urllib.parse import urlsplit
from email.utils import parsedate_to_datetime
from typing import Any

from scrapy import signals
from scrapy.downloadermiddlewares.redirect import RedirectMiddleware
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Request, Response
from scrapy.utils.defer import deferred_from_coro
from twisted.python.failure import Failure as TwistedFailure

from scraper.store import Store, StoreError
from scraper.store.health import SKIPPED_STAT
from scraper.core.urls import canonical_url, hostname_of

logger = logging.getLogger(__name__)


class SkipRequest(IgnoreRequest):
    """A request not made, or not followed up, on purpose (fresh in the store, or 304): not an error."""

    presswash_skip = True


class IncrementalMiddleware:
    """Requests for pages the store already holds as articles:
    - fetched within PRESSWASH_REFETCH_AFTER seconds: not downloaded at all;
    - older: downloaded with If-None-Match / If-Modified-Since; a 304 only refreshes the crawl state.
    This covers article requests, and pages a site crawl follows as listings that turned out to be articles
    by their own signals (og:type, JSON-LD). The sources given (feeds, sitemaps, start pages) always go
    through.
    """

    KNOWN = "presswash_known_article"

    def __init__(self, store_path: str, refetch_after: float, stats: Any, crawler: Any, reconnect_for: float):
        self.store = Store(store_path, reconnect_for=reconnect_for)
        self.refetch_after = refetch_after
        self.stats = stats
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> "IncrementalMiddleware":
        path = crawler.settings.get("PRESSWASH_STORE")
        if not path:
            raise NotConfigured("no PRESSWASH_STORE")
        return cls(path, crawler.settings.getfloat("PRESSWASH_REFETCH_AFTER", 86400.0), crawler.stats, crawler,
                   crawler.settings.getfloat("PRESSWASH_STORE_RECONNECT"))

    def process_request(self, request: Request, spider: Any = None) -> None:
        role = request.meta.get("presswash_role")
        if role != "article" and not (role == "listing" and not request.dont_filter):
            return None  # not ours, or a source the crawl was given
        if store_lost(self.crawler):
            raise SkipRequest("the store is lost")
        try:
            state = self.store.page_state(canonical_url(request.url))
        except StoreError as exc:
            stop_for_lost_store(self.crawler, exc)
            raise SkipRequest("the store is lost") from None
        if state is None or state.kind != "article":
            return None
        age = (datetime.now(timezone.utc) - datetime.fromisoformat(state.last_fetched)).total_seconds()
        if age < self.refetch_after:
            self.stats.inc_value("presswash/articles_skipped_fresh")
            self.stats.inc_value(SKIPPED_STAT + (hostname_of(request.url) or "-"))
            raise SkipRequest(f"fetched {age:.0f} s ago, within the re-fetch window")
        request.meta[self.KNOWN] = True
        if state.etag:
            request.headers.setdefault(b"If-None-Match", state.etag.encode("latin-1"))
        if state.last_modified:
            request.headers.setdefault(b"If-Modified-Since", state.last_modified.encode("latin-1"))
        return None

    def process_response(self, request: Request, response: Response, spider: Any = None) -> Response:
        if response.status == 304 and request.meta.get(self.KNOWN):
            try:
                self.store.mark_page(canonical_url(request.url), "article", status=304)
            except StoreError as exc:
                stop_for_lost_store(self.crawler, exc)
                raise SkipRequest("the store is lost") from None
            self.stats.inc_value("presswash/articles_not_modified")
            self.stats.inc_value(SKIPPED_STAT + (hostname_of(request.url) or "-"))
            raise SkipRequest("304 Not Modified")
        return response


def retry_after_seconds(value: bytes | None, now: datetime | None = None) -> float | None:
    """A Retry-After header as seconds to wait, or None when it says nothing usable (normal backoff then).

    RFC 9110 allows delta-seconds or an HTTP-date: IMF-fixdate (``Sun, 06 Nov 1994 08:49:37 GMT``), the
    obsolete RFC 850 (``Sunday, 06-Nov-94 08:49:37 GMT``) and asctime (``Sun Nov  6 08:49:37 1994``) forms.
    HTTP dates are always GMT, so a date with no zone or ``-0000`` (which the email parser leaves naive) is
    read as UTC. A date in the past means no wait."""
    if not value:
        return None
    text = value.decode("latin-1").strip()
    if text.isascii() and text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, OverflowError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's retries, waiting before each: Retry-After when the server gives one, else
    RETRY_BACKOFF_BASE * 2**n seconds, never more than RETRY_BACKOFF_MAX."""

    def __init__(self, settings: Any):
        super().__init__(settings)
        self.base = settings.getfloat("RETRY_BACKOFF_BASE", 1.0)
        self.cap = settings.getfloat("RETRY_BACKOFF_MAX", 60.0)

    def _delay(self, request: Request, response: Response | None) -> float:
        hinted = retry_after_seconds(response.headers.get(b"Retry-After")) if response is not None else None
        tries = request.meta.get("retry_times", 0)
        return min(self.cap, hinted if hinted is not None else self.base * 2 ** tries)

    async def process_response(self, request: Request, response: Response, spider: Any = None) -> Any:
        if request.meta.get("dont_retry") or response.status not in self.retry_http_codes:
            return response
        retry = self._retry(request, f"HTTP {response.status}")
        if retry is None:
            return response
        await asyncio.sleep(self._delay(request, response))
        return retry

    async def process_exception(self, request: Request, exception: Exception, spider: Any = None) -> Any:
        if request.meta.get("dont_retry") or not isinstance(exception, self.exceptions_to_retry):
            return None
        retry = self._retry(request, exception)
        if retry is not None:
            await asyncio.sleep(self._delay(request, None))
        return retry


class LoopRedirectMiddleware(RedirectMiddleware):
    """Scrapy's redirects, with loops and long chains ending in an error that says so.

    A redirect back to a URL of its own chain would be dropped without a word by Scrapy's duplicate filter
    (or, for a source the crawl was given, followed until REDIRECT_MAX_TIMES); here the request fails with
    "redirect loop: A -> B -> A", which reaches the spider's errback and the store's errors."""

    def _redirect(self, redirected: Request, request: Request, reason: Any) -> Request:
        chain = [*request.meta.get("redirect_urls", []), request.url]
        if redirected.url in chain:
            loop = chain[chain.index(redirected.url):] + [redirected.url]
            raise IgnoreRequest(f"redirect loop: {' -> '.join(loop)}")
        try:
            return super()._redirect(redirected, request, reason)
        except IgnoreRequest:
            raise IgnoreRequest(f"too many redirects: more than REDIRECT_MAX_TIMES ({self.max_redirect_times}), "
                                f"from {chain[0]}") from None


class CrawlDelayMiddleware:
    """Obeys robots.txt ``Crawl-delay``: Scrapy reads robots.txt for Allow/Disallow only. Also keeps every
    host's delay under PRESSWASH_MAX_DELAY, and lets no request wait in a download slot once the crawl is
    stopping.

    When a robots.txt response passes, its Crawl-delay for our User-Agent (or ``*``) becomes that host's
    minimum delay. The host's download slot is held at it: before each request, and after each response
    (AutoThrottle lowers slot delays as the server answers quickly, in a response_downloaded handler that
    runs before ours); Scrapy's random jitter of the delay is narrowed so no wait falls below it; and slots
    Scrapy creates later (after its idle-slot clean-up) start from it.

    A host whose delay (its Crawl-delay, or the delay its crawl-config ``rate`` or DOWNLOAD_SLOTS gives) is
    over PRESSWASH_MAX_DELAY is skipped: a warning once, and each of its requests fails with the reason, so
    it becomes an error row. Waiting 100000 s between requests would stall the crawl, and SIGTERM with it.
    """

    def __init__(self, crawler: Any):
        self.crawler = crawler
        self.user_agent = crawler.settings.get("USER_AGENT", "*")
        self.max_delay = crawler.settings.getfloat("PRESSWASH_MAX_DELAY", 60.0)
        self.min_delay: dict[str, float] = {}
        self.skipped: dict[str, str] = {}  # host -> why its requests are not made

    @classmethod
    def from_crawler(cls, crawler: Any) -> "CrawlDelayMiddleware":
        middleware = cls(crawler)
        crawler.signals.connect(middleware.response_downloaded, signal=signals.response_downloaded)
        return middleware

    def _raise_slot_delay(self, request: Request) -> None:
        delay = self.min_delay.get(urlsplit(request.url).hostname or "")
        if not delay or delay > self.max_delay:
            return
        downloader = self.crawler.engine.downloader
        key = downloader.get_slot_key(request)
        per_slot = getattr(downloader, "per_slot_settings", None)
        if isinstance(per_slot, dict) and per_slot.get(key, {}).get("delay", 0) < delay:
            per_slot[key] = {**per_slot.get(key, {}), "delay": delay, "jitter": 0.0}
        slot = downloader.slots.get(key)
        if slot is None:
            return
        if slot.delay < delay:
            slot.delay = delay
        if hasattr(slot, "jitter"):  # each wait is delay × (1 ± jitter): keep the shortest at Crawl-delay
            if slot.jitter and slot.delay * (1 - slot.jitter) < delay:
                slot.jitter = max(0.0, 1 - delay / slot.delay)
        elif getattr(slot, "randomize_delay", False):  # Scrapy before 2.14: ±50 %
            slot.randomize_delay = False

    def _configured_delay(self, request: Request) -> tuple[float, str]:
        """The longest delay asked for the request's host, and who asks it."""
        host = urlsplit(request.url).hostname or ""
        downloader = self.crawler.engine.downloader
        per_slot = getattr(downloader, "per_slot_settings", None) or {}
        configured = per_slot.get(downloader.get_slot_key(request), {}).get("delay")
        crawl_delay = self.min_delay.get(host, 0.0)
        if configured is not None and float(configured) > crawl_delay:
            return float(configured), "its configured rate (DOWNLOAD_SLOTS)"
        return crawl_delay, "its robots.txt Crawl-delay"

    def _skip_reason(self, request: Request) -> str | None:
        host = urlsplit(request.url).hostname or ""
        if host in self.skipped:
            return self.skipped[host]
        delay, source = self._configured_delay(request)
        if delay <= self.max_delay:
            return None
        reason = (f"skipped: {host} asks for {delay:g} s between requests ({source}), over PRESSWASH_MAX_DELAY "
                  f"({self.max_delay:g} s)")
        self.skipped[host] = reason
        logger.warning("%s; none of its pages is fetched", reason)
        self.crawler.stats.inc_value("presswash/hosts_skipped_delay")
        return reason

    def response_downloaded(self, response: Response, request: Request, spider: Any = None) -> None:
        self._raise_slot_delay(request)

    def process_request(self, request: Request, spider: Any = None) -> None:
        if not self.crawler.engine.running:  # stopping (SIGTERM, Ctrl-C): nothing new goes into a slot
            raise SkipRequest("the crawl is stopping")
        reason = self._skip_reason(request)
        if reason:
            raise IgnoreRequest(reason)
        self._raise_slot_delay(request)
        return None

    def process_response(self, request: Request, response: Response, spider: Any = None) -> Response:
        if (self.crawler.settings.getbool("ROBOTSTXT_OBEY") and urlsplit(request.url).path == "/robots.txt"
                and response.status == 200):
            from protego import Protego

            try:
                delay = Protego.parse(response.text).crawl_delay(self.user_agent)
            except Exception:  # a robots.txt protego cannot read: Scrapy's own middleware reports it
                delay = None
            if delay:
                host = urlsplit(request.url).hostname or ""
                self.min_delay[host] = float(delay)
                self.crawler.stats.set_value(f"presswash/crawl_delay/{host}", float(delay))
                if self._skip_reason(request):
                    drop_waiting_requests(self.crawler, IgnoreRequest(self.skipped[host]),
                                          self.crawler.engine.downloader.get_slot_key(request))
                else:
                    self._raise_slot_delay(request)
        return response


STORE_LOST = "presswash/store_lost"  # a stat: why the store could not be used, once the crawl stops for it


def store_lost(crawler: Any) -> bool:
    """Whether the crawl is stopping because its store failed (stop_for_lost_store)."""
    return crawler is not None and bool(crawler.stats.get_value(STORE_LOST))


def stop_for_lost_store(crawler: Any, exc: StoreError) -> None:
    """The first StoreError of a crawl stops it (reason ``store-lost``): a store that stayed away past its
    reconnect window (PRESSWASH_STORE_RECONNECT) would make every later page wait that long again, and be
    dropped. The requests waiting in slots are dropped and no new one starts; what is in flight finishes
    and is dropped unstored, so the next run fetches it."""
    if store_lost(crawler):
        return
    crawler.stats.set_value(STORE_LOST, str(exc))
    logger.error("the store failed, so the crawl stops: %s", exc)
    drop_waiting_requests(crawler, SkipRequest("the store is lost"))
    deferred_from_coro(crawler.engine.close_spider_async(reason="store-lost"))


def drop_waiting_requests(crawler: Any, reason: Exception, slot_key: str | None = None) -> int:
    """Fail the requests waiting in download slots (all, or one slot's) with ``reason``; return how many.

    A request waits in its slot for the slot's delay; nothing else ends that wait, and Scrapy's graceful
    shutdown waits for every request it holds."""
    downloader = crawler.engine.downloader if crawler.engine else None
    if downloader is None:
        return 0
    dropped = 0
    for key, slot in list(downloader.slots.items()):
        if slot_key is not None and key != slot_key:
            continue
        while slot.queue:
            _request, waiting = slot.queue.popleft()
            waiting.errback(TwistedFailure(reason))
            dropped += 1
    return dropped
