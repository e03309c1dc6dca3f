"""The news spider: discovers article URLs from feeds, sitemaps, site crawls and URL lists, fetches them,
and yields each article as a Page (or a FetchFailure). Listing pages are followed, never yielded.

    scrapy crawl news -a feed=https://example.com/feed.xml -a sitemap=https://example.com/robots.txt
    scrapy crawl news -a site=https://example.com/ -a max_depth=2 -a max_pages=500
    scrapy crawl news -a urls=urls.txt -a since=2026-11-01

Every source argument takes one URL, a comma-separated list, or (from Python) a list.
"""

from __future__ import annotations

import asyncio
import sys
from typing import Any, AsyncIterator, Iterable, Iterator
from urllib.parse import urlsplit

import scrapy
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.gz import gunzip
from twisted.python.failure import Failure

from scraper.core.dates import parse_since
from scraper.core.document import FetchFailure, Page, now_iso
from scraper.core.sniffing import is_html
from scraper.core.urls import canonical_url, hostname_of, same_site, url_problem

from .detect import fetchable, looks_like_article_url, page_says_article
from .discovery import SitemapReader, feed_links, read_feed, sitemaps_in_robots

ROLE = "presswash_role"  # article | listing
SOURCE = "presswash_source"
LISTING = "presswash_listing"
SITEMAP_BATCH = 100  # sitemap entries read between two looks at the scheduler
SITEMAP_PENDING = 1000  # requests the scheduler may hold before a sitemap's reading waits


def as_list(value: Any) -> list[str]:
    if not value:
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    return [str(v) for v in value]


def read_url_list(path: str) -> list[str]:
    """URLs from a file (or "-" for stdin), one per line; blank lines and # comments skipped."""
    if path == "-":
        lines = sys.stdin.read().splitlines()
    else:
        with open(path, encoding="utf-8") as fh:
            lines = fh.read().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


class NewsSpider(scrapy.Spider):
    name = "news"

    def __init__(self, feed: Any = None, sitemap: Any = None, site: Any = None, urls: Any = None,
                 url: Any = None, since: str | None = None, max_depth: int | str = 2,
                 max_pages: int | str = 1000, **kwargs: Any):
        super().__init__(**kwargs)
        self.feeds = as_list(feed)
        self.sitemaps = as_list(sitemap)
        self.sites = as_list(site)
        self.url_list = as_list(url) + [u for f in as_list(urls) for u in read_url_list(f)]
        if not (self.feeds or self.sitemaps or self.sites or self.url_list):
            raise ValueError("give at least one source: feed=, sitemap=, site=, url= or urls=FILE")
        self.since = parse_since(since, "since")
        self.max_depth = int(max_depth)
        self.max_pages = int(max_pages)
        well_formed_sites = [s for s in self.sites if url_problem(s) is None]  # the others fail in start()
        self.site_hosts = {hostname_of(s) or "" for s in well_formed_sites}
        self.site_requests = 0
        self.seen: set[str] = set()  # canonical URLs requested or yielded as articles
        self.followed: set[str] = {canonical_url(s) for s in well_formed_sites}  # site-crawl pages requested as listings
        self.listings: set[str] = set(self.followed)  # every feed, sitemap and listing URL: never an article key
        self.malformed: set[str] = set()  # malformed URLs already recorded, so a repeated one is one error row
        self.seeding = True  # False in a worker that joined a shared frontier's run: its starter read the sources

    def given_urls(self) -> list[str]:
        """The URLs the crawl was started on: their hosts may be private (scraper/crawl/ssrf.py)."""
        return self.feeds + self.sitemaps + self.sites + self.url_list

    # requests ----------------------------------------------------------------------------------------
    async def start(self) -> AsyncIterator[Any]:
        if not self.seeding:
            return
        given = [(url, self.parse_feed, f"feed:{url}", {}) for url in self.feeds]
        given += [(url, self._sitemap_callback(url), f"sitemap:{url}", {}) for url in self.sitemaps]
        given += [(url, self.parse_site_page, f"site:{url}", {"depth": 0}) for url in self.sites]
        for url, callback, source, meta in given:
            if (request := self._listing(url, callback, source, **meta)) is not None:
                yield request
        for url in self.url_list:
            request = self.article(url, "urls")
            if request is not None:
                yield request

    def _sitemap_callback(self, url: str) -> Any:
        return self.parse_robots if url_problem(url) is None and urlsplit(url).path == "/robots.txt" \
            else self.parse_sitemap

    def _listing(self, url: str, callback: Any, source: str, **meta: Any) -> scrapy.Request | FetchFailure | None:
        """A request for a feed, sitemap or listing page; an error row (or None, once recorded) when the URL
        is malformed."""
        if url_problem(url) is not None:
            return self.malformed_url(url, source)
        self.listings.add(canonical_url(url))
        return scrapy.Request(url, callback=callback, errback=self.fetch_failed, dont_filter=True,
                              meta={ROLE: "listing", SOURCE: source, **meta})

    def article(self, url: str, source: str,
                listing: dict[str, str] | None = None) -> scrapy.Request | FetchFailure | None:
        """A request for an article page, once per canonical URL per run; an error row when the URL is
        malformed (each malformed URL once); None for a URL already requested or not worth fetching."""
        if url_problem(url) is not None:
            return self.malformed_url(url, source)
        if not fetchable(url):
            return None
        url = canonical_url(url)
        if url in self.seen:
            return None
        self.seen.add(url)
        meta = {ROLE: "article", SOURCE: source, LISTING: {k: v for k, v in (listing or {}).items() if v}}
        return scrapy.Request(url, callback=self.parse_article, errback=self.fetch_failed, meta=meta)

    def malformed_url(self, url: str, source: str) -> FetchFailure | None:
        """The error row of a malformed URL found in a feed, sitemap, robots.txt or page (once per run): it is
        not fetched, and the rest of its listing goes on."""
        if url in self.malformed:
            return None
        self.malformed.add(url)
        return FetchFailure(url=url, source=source, status=None,
                            reason=f"malformed URL, not fetched: {url_problem(url)}")

    def _recent(self, *dates: str | None) -> bool:
        """Passes the ``since`` filter: no filter, no date to judge by, or a date on or after it."""
        if not self.since:
            return True
        known = [d for d in dates if d]
        return not known or max(known) >= self.since

    # feeds -------------------------------------------------------------------------------------------
    def parse_feed(self, response: Response) -> Iterator[Any]:
        source = response.meta[SOURCE]
        feed = read_feed(response.body, response.url)
        if feed is None:
            # Not a feed: a home page may name its feeds in <link rel="alternate">.
            found = feed_links(response.body, response.url) if _is_html(response) else []
            if not found:
                yield FetchFailure(url=response.url, source=source, status=response.status,
                                   reason="no feed here: not RSS, Atom or JSON Feed, and no <link rel=alternate> feed")
            for url in found:
                if (request := self._listing(url, self.parse_feed, f"feed:{url}")) is not None:
                    yield request
            return
        if feed.problem:
            yield FetchFailure(url=response.url, source=source, status=response.status,
                               reason=f"feed: {feed.problem}; {len(feed.entries)} entries read")
        for entry in feed.entries:
            if self._recent(entry.published):
                request = self.article(entry.url, source, {"title": entry.title, "published": entry.published})
                if request is not None:
                    yield request

    # sitemaps ----------------------------------------------------------------------------------------
    def parse_robots(self, response: Response) -> Iterator[Any]:
        found = sitemaps_in_robots(response.body, response.url)
        if not found:
            yield FetchFailure(url=response.url, source=response.meta[SOURCE], status=response.status,
                               reason="robots.txt names no Sitemap:")
        for url in found:
            if (request := self._listing(url, self.parse_sitemap, f"sitemap:{url}")) is not None:
                yield request

    async def parse_sitemap(self, response: Response) -> AsyncIterator[Any]:
        """A sitemap, streamed: each entry becomes a request as the parser reaches it, and while Scrapy's
        scheduler holds SITEMAP_PENDING requests the reading waits for downloads to take some. A sitemap of
        100,000 URLs thus starts its articles at once and never holds 100,000 requests in memory."""
        source = response.meta[SOURCE]
        body = response.body
        if body[:2] == b"\x1f\x8b":  # a .xml.gz file (Content-Encoding gzip is already undone by Scrapy)
            limit = self.settings.getint("DOWNLOAD_MAXSIZE")
            try:
                body = gunzip(body, max_size=limit)
            except Exception as exc:  # scrapy raises several types for bad or oversized gzip
                too_large = "exceeded" in str(exc)  # scrapy's _DecompressionMaxSizeExceeded, a private class
                reason = (f"the sitemap's gzip data decompresses to over DOWNLOAD_MAXSIZE ({limit} bytes): "
                          "stopped there" if too_large else f"the sitemap's gzip data cannot be read: {exc}")
                yield FetchFailure(url=response.url, source=source, status=response.status, reason=reason)
                return
        sitemap = SitemapReader(body, response.url)
        del body
        if sitemap.kind is None:
            yield FetchFailure(url=response.url, source=source, status=response.status,
                               reason="not a sitemap (no <urlset> or <sitemapindex>)")
            return
        for entry in sitemap.entries():
            if sitemap.count % SITEMAP_BATCH == 0 and not await self._room_for_requests():
                return  # the crawl is stopping: the rest waits for the next run
            if not self._recent(entry.lastmod, entry.published):
                continue
            if sitemap.kind == "index":
                yield self._listing(entry.url, self.parse_sitemap, f"sitemap:{entry.url}")
            else:
                request = self.article(entry.url, source, {"title": entry.title, "published": entry.published})
                if request is not None:
                    yield request
        if sitemap.problem:
            yield FetchFailure(url=response.url, source=source, status=response.status,
                               reason=f"sitemap: {sitemap.problem}; {sitemap.count} entries read")

    async def _room_for_requests(self) -> bool:
        """Wait while the scheduler holds SITEMAP_PENDING requests or more; False when the crawl is stopping.
        With a shared frontier the scheduler's queue is the run's, in Redis, emptied by every worker."""
        engine = self.crawler.engine
        while True:
            slot = getattr(engine, "_slot", None)  # Scrapy's own; None or closing once the spider closes
            if not engine.running or slot is None or slot.closing is not None:
                return False
            pending = len(slot.scheduler)
            # A scraper backing out (responses over SCRAPER_SLOT_MAX_ACTIVE_SIZE) takes no requests: waiting
            # for it would wait for ever, so the requests queue up instead.
            scraper_slot = engine.scraper.slot
            if pending < SITEMAP_PENDING or scraper_slot is None or scraper_slot.needs_backout():
                return True
            await asyncio.sleep(0.1)

    # site crawl --------------------------------------------------------------------------------------
    def parse_site_page(self, response: Response) -> Iterator[Any]:
        """A page of a site crawl: an article (yield it) or a listing; either way follow in-site links."""
        if not _is_html(response):
            return
        depth = response.meta.get("depth", 0)
        source = response.meta[SOURCE]
        canonical = canonical_url(response.url)
        if canonical not in self.seen and (looks_like_article_url(response.url) or page_says_article(response.body)):
            self.seen.add(canonical)
            yield self.page(response)
        if depth >= self.max_depth:
            return
        for link in response.css("a::attr(href)").getall():
            try:
                url = response.urljoin(link)
            except ValueError:  # "http://[::1/x", "//[::1/x": urljoin cannot even split it
                url = link.strip()
            if url_problem(url) is not None:
                if _names_web_page(url) and (failure := self.malformed_url(url, source)) is not None:
                    yield failure
                continue
            url = canonical_url(url)
            if (not fetchable(url) or url in self.seen or url in self.followed
                    or not any(same_site(url, h) for h in self.site_hosts)):
                continue
            if self.site_requests >= self.max_pages:
                return
            self.site_requests += 1
            if looks_like_article_url(url):
                self.seen.add(url)
                yield scrapy.Request(url, callback=self.parse_site_article, errback=self.fetch_failed,
                                     meta={ROLE: "article", SOURCE: source, LISTING: {}})
            else:
                # Not in self.seen: the page may still turn out to be an article by its own signals.
                self.followed.add(url)
                yield scrapy.Request(url, callback=self.parse_site_page, errback=self.fetch_failed,
                                     meta={ROLE: "listing", SOURCE: source})

    def parse_site_article(self, response: Response) -> Iterator[Any]:
        """An article-looking URL of a site crawl: yield it, and keep following its links too."""
        if _is_html(response):
            yield self.page(response)
            yield from (r for r in self.parse_site_page(response) if not isinstance(r, Page))

    # articles ----------------------------------------------------------------------------------------
    def parse_article(self, response: Response) -> Iterator[Any]:
        yield self.page(response)

    def page(self, response: Response) -> Page:
        headers = {k.decode("latin-1").lower(): v[0].decode("latin-1") for k, v in response.headers.items() if v}
        return Page(body=response.body, source=response.meta.get(SOURCE, self.name), url=response.url,
                    headers=headers, kind=None, fetched_at=now_iso(), status=response.status,
                    listing=dict(response.meta.get(LISTING) or {}))

    def fetch_failed(self, failure: Failure) -> Iterable[FetchFailure]:
        if getattr(failure.value, "presswash_skip", False):
            return  # skipped on purpose (already fresh, or 304): not a failure
        request = failure.request
        status = None
        if failure.check(HttpError):
            status = failure.value.response.status
            reason = f"HTTP {status}" + _unfollowed_redirect(failure.value.response)
        elif getattr(failure.value, "presswash_refused", False):  # the request guard's own reason
            reason = str(failure.value)
        else:
            reason = self._error_reason(failure)
        yield FetchFailure(url=request.url, source=request.meta.get(SOURCE, self.name), status=status,
                           reason=reason)

    def _error_reason(self, failure: Failure) -> str:
        """A network or download error as a reason: the exception's name and message, or what it means when
        Scrapy gives no message; an ignored request (a redirect loop, a decompression bomb) by its message."""
        name = failure.type.__name__
        message = failure.getErrorMessage().strip() or _SILENT_ERRORS.get(name, "")
        if name == "IgnoreRequest":
            return message or "request ignored"
        if name == "DownloadCancelledError" and "max size" not in message:
            message += f" (DOWNLOAD_MAXSIZE is {self.settings.getint('DOWNLOAD_MAXSIZE')} bytes)"
        return f"{name}: {message}".strip()


# Scrapy errors that may come with no message, and what they mean.
_SILENT_ERRORS = {
    "ResponseDataLossError": "the connection was lost or reset before the whole body arrived (data loss)",
    "DownloadCancelledError": "the body grew past the size limit, so the download was cancelled",
}


def _unfollowed_redirect(response: Response) -> str:
    """For a 3xx that reached the errback: the redirect RedirectMiddleware would not follow (not http(s))."""
    location = response.headers.get(b"Location")
    if not 300 <= response.status < 400 or not location:
        return ""
    return f": a redirect to a URL that is not http(s), not followed ({location.decode('latin-1')})"


def _names_web_page(url: str) -> bool:
    """Whether a link that cannot be parsed was meant as a web page (http: or https:), not mailto: or
    javascript:."""
    return url.strip().lower().startswith(("http:", "https:", "//"))


def _is_html(response: Response) -> bool:
    return is_html(response.headers.get(b"Content-Type"), response.body)
