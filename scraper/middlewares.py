"""Downloader middlewares: incremental fetching against the store, and retries that back off."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Request, Response

from .store import Store
from .urls import canonical_url


class SkipRequest(IgnoreRequest):
    """A request not made, or not followed up, on purpose (fresh in the store, or 304): not an error."""

    presswash_skip = True


class IncrementalMiddleware:
    """Article requests for pages the store already has:
    - fetched within PRESSWASH_REFETCH_AFTER seconds: not downloaded at all;
    - older: downloaded with If-None-Match / If-Modified-Since; a 304 only refreshes the crawl state.
    Listing requests (feeds, sitemaps, site pages) always go through.
    """

    def __init__(self, store_path: str, refetch_after: float, stats: Any):
        self.store = Store(store_path)
        self.refetch_after = refetch_after
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Any) -> "IncrementalMiddleware":
        path = crawler.settings.get("PRESSWASH_STORE")
        if not path:
            raise NotConfigured("no PRESSWASH_STORE")
        return cls(path, crawler.settings.getfloat("PRESSWASH_REFETCH_AFTER", 86400.0), crawler.stats)

    def process_request(self, request: Request, spider: Any = None) -> None:
        if request.meta.get("presswash_role") != "article":
            return None
        state = self.store.page_state(canonical_url(request.url))
        if state is None or state.kind != "article":
            return None
        age = (datetime.now(timezone.utc) - datetime.fromisoformat(state.last_fetched)).total_seconds()
        if age < self.refetch_after:
            self.stats.inc_value("presswash/articles_skipped_fresh")
            raise SkipRequest(f"fetched {age:.0f} s ago, within the re-fetch window")
        if state.etag:
            request.headers.setdefault(b"If-None-Match", state.etag.encode("latin-1"))
        if state.last_modified:
            request.headers.setdefault(b"If-Modified-Since", state.last_modified.encode("latin-1"))
        return None

    def process_response(self, request: Request, response: Response, spider: Any = None) -> Response:
        if response.status == 304 and request.meta.get("presswash_role") == "article":
            self.store.mark_page(canonical_url(request.url), "article", status=304)
            self.stats.inc_value("presswash/articles_not_modified")
            raise SkipRequest("304 Not Modified")
        return response


def retry_after_seconds(value: bytes | None) -> float | None:
    """A Retry-After header: seconds, or an HTTP date."""
    if not value:
        return None
    text = value.decode("latin-1").strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


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

