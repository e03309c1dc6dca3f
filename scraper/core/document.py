"""The two ends of the flow: a Page (what was fetched or read) and its outcome, an Article or a Failure.

Both outcomes turn into one JSON Lines record with the same keys, so a consumer never has to guess.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Literal

from scraper.core.extraction import extractor_info
from scraper.core.metadata import METADATA_FIELDS, Metadata

PageKind = Literal["html", "text"]


@dataclass(slots=True)
class Page:
    """Raw input: bytes plus what is known about where they came from.

    ``kind`` is "html" or "text"; None lets the pipeline sniff it from the bytes. ``headers`` are HTTP
    response headers (lower-case names) when the page came from the web or a WARC file.
    """

    body: bytes
    source: str
    url: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    kind: PageKind | None = None
    fetched_at: str | None = None
    # A reason the page could not even be read (unreadable file, bad gzip on stdin); it becomes a Failure.
    read_error: str | None = None
    # The body is a .gz file's bytes, decompressed by the Processor, in the worker, not by the process that
    # reads the files (scraper/core/decoding.py gunzip_file_body).
    gzipped: bool = False
    status: int | None = None  # HTTP status, for crawled pages
    # What the listing that led to the page said of it (feed or news-sitemap "title", "published"); it
    # fills metadata the page itself lacks.
    listing: dict[str, str] = field(default_factory=dict)


def short_hash(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()


def record_id(page: Page) -> str:
    """Stable across runs: the same source and URL always give the same id."""
    return short_hash(f"{page.source}\x00{page.url or ''}")


def too_big(limit: int, size: int | None = None, what: str = "the file") -> str:
    """The error for an input over the size limit; ``size`` is None when only "more than" is known."""
    how_big = f"is {size / 1e6:.1f} MB, over" if size is not None else "is over"
    return f"{what} {how_big} the {limit / 1e6:.0f} MB limit (raise it with --max-size)"


def now_iso() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


# Every record has these keys, in this order; a Failure fills the ones it knows and sets ``error``.
RECORD_FIELDS = (
    "id", "url", "canonical_url", "source", "fetched_at",
    *METADATA_FIELDS,
    "text", "word_count", "content_hash", "duplicate_of", "story",
    "attribution", "comment_count", "images",
    "removed", "flags", "extractor", "error",
)


@dataclass(slots=True)
class Article(Metadata):
    """The clean text of a page and its metadata (the fields of Metadata, keyword-only)."""

    id: str
    source: str
    text: str
    url: str | None = None
    canonical_url: str | None = None
    fetched_at: str | None = None
    attribution: str | None = None
    comment_count: int | None = None
    images: list[str] = field(default_factory=list)
    removed: list[dict[str, str]] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    extractor: dict[str, str] = field(default_factory=dict)
    packs: list[str] = field(default_factory=list)
    # The full audit, for ``presswash explain``; not part of the record: (the DOM rules' edits, the text's
    # CleanResult with line positions, the lead lines the lead step put into the text).
    audit: Any = field(default=None, repr=False)
    # What site-pack mining needs of the page (a cleaners.mining.PageSample), when it was asked for.
    sample: Any = field(default=None, repr=False)
    # The page's step stats (a scraper.core.stats.StepStats), for --stats and the crawl's run; not part of the record.
    steps: Any = field(default=None, repr=False)
    # The text's scraper.core.fingerprint.Fingerprint (None for a text too short); not part of the record.
    fingerprint: Any = field(default=None, repr=False)
    # Where an index placed it (docs/stories.md): the original it nearly duplicates, and its story.
    duplicate_of: str | None = None
    story: str | None = None

    ok = True

    @property
    def word_count(self) -> int:
        return len(self.text.split())

    @property
    def content_hash(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8", "surrogatepass")).hexdigest()

    def to_record(self) -> dict[str, Any]:
        values = {name: getattr(self, name, None) for name in RECORD_FIELDS}
        values["error"] = None
        return values


@dataclass(slots=True)
class Failure:
    """A document that produced no article, with a reason a person can act on."""

    id: str
    source: str
    error: str
    url: str | None = None
    fetched_at: str | None = None
    flags: list[str] = field(default_factory=list)
    extractor: dict[str, str] = field(default_factory=dict)
    steps: Any = field(default=None, repr=False)  # as Article.steps; None when the worker was killed or died
    # When the cleaner rules removed all the text: their removals, as Article.audit (for `presswash explain`).
    audit: Any = field(default=None, repr=False)

    ok = False

    @classmethod
    def of(cls, page: Page, reason: str, extractor: dict[str, str] | None = None) -> Failure:
        """The failure of ``page``: its id, source, URL and fetch time, and the reason."""
        return cls(id=record_id(page), source=page.source, url=page.url, fetched_at=page.fetched_at, error=reason,
                   extractor=extractor_info() if extractor is None else extractor)

    def to_record(self) -> dict[str, Any]:
        values: dict[str, Any] = dict.fromkeys(RECORD_FIELDS)
        values.update(Metadata().metadata_values())
        values.update(id=self.id, source=self.source, url=self.url, fetched_at=self.fetched_at,
                      error=self.error, flags=self.flags, extractor=self.extractor, images=[], removed=[])
        return values


Outcome = Article | Failure


@dataclass(slots=True)
class FetchFailure:
    """A page a crawl could not fetch (404, timeout, refused by robots.txt, …), with the reason."""

    url: str
    reason: str
    source: str = ""
    status: int | None = None
