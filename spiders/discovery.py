"""Finding article URLs: feeds (RSS 2.0, RSS 1.0, Atom, JSON Feed), feed autodiscovery, sitemaps
(indexes, url sets, Google News) and robots.txt ``Sitemap:`` lines.

Pure functions over bytes. XML is parsed with entity resolution and network access off, so an entity
bomb or an external entity (XXE) in a hostile feed reads nothing and expands nothing. ``read_feed`` and
``parse_sitemap`` also give the ``problem`` of a listing they read anyway: entity declarations (refused) or
XML that is not well-formed (read as far as libxml2's recovery gets), so the crawl can record it.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from typing import Any, Iterator
from urllib.parse import urljoin, urlsplit

from scraper.core.dates import to_iso

import lxml.etree
import lxml.html

FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/feed+json", "application/json",
              "application/rdf+xml", "application/xml", "text/xml")


@dataclass(frozen=True, slots=True)
class Entry:
    """A URL found in a feed or sitemap, with what the listing says about it."""

    url: str
    title: str | None = None
    published: str | None = None  # ISO 8601
    lastmod: str | None = None  # ISO 8601 (sitemaps)


def _xml_parser() -> lxml.etree.XMLParser:
    return lxml.etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                                remove_comments=True, remove_pis=True, recover=True)


def parse_xml(body: bytes) -> Any:
    """The root element, or None when the bytes are not XML."""
    return read_xml(body)[0]


def read_xml(body: bytes) -> tuple[Any, str | None]:
    """The root element (None when the bytes are not XML) and what is wrong with the document, if anything:
    entity declarations (never expanded or loaded, and refused) or errors libxml2 recovered from."""
    parser = _xml_parser()
    try:
        root = lxml.etree.fromstring(body.lstrip(), parser=parser)
    except (lxml.etree.XMLSyntaxError, ValueError):
        return None, None
    if root is None:
        return None, None
    dtd = root.getroottree().docinfo.internalDTD
    entities = list(dtd.iterentities()) if dtd is not None else []
    if entities:
        external = sum(1 for e in entities if e.system_url)
        return root, (f"XML entities refused: the DOCTYPE declares {len(entities)} ({external} external); "
                      "none was expanded or loaded")
    errors = [e for e in parser.error_log if e.level >= lxml.etree.ErrorLevels.ERROR]
    if errors:
        more = f" and {len(errors) - 1} more" if len(errors) > 1 else ""
        return root, f"malformed XML (line {errors[0].line}: {errors[0].message.strip()}{more})"
    return root, None


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def _children(el: Any, name: str) -> list[Any]:
    return [c for c in el if _local(c.tag) == name]


def _text(el: Any, name: str) -> str | None:
    for c in _children(el, name):
        value = "".join(c.itertext()).strip()
        if value:
            return value
    return None


def _http_url(base: str, href: Any) -> str | None:
    """An http(s) link resolved against ``base``. A malformed one ("http://[::1/x", a port out of range) is
    returned as it is, for the spider to record as an error row: it must not cost the rest of its listing."""
    if not href or not isinstance(href, str):
        return None
    href = href.strip()
    try:
        url = urljoin(base, href)
        scheme = urlsplit(url).scheme
    except ValueError:  # urljoin cannot split it: keep it when it names a web page
        return href if href.lower().startswith(("http:", "https:")) else None
    return url if scheme in ("http", "https") else None


@dataclass(frozen=True, slots=True)
class Feed:
    entries: list[Entry]
    problem: str | None = None  # what was wrong with a feed read anyway (see read_xml)


def parse_feed(body: bytes, base_url: str) -> list[Entry] | None:
    """Entries of an RSS, Atom or JSON feed; None when the body is not a feed at all."""
    feed = read_feed(body, base_url)
    return None if feed is None else feed.entries


def read_feed(body: bytes, base_url: str) -> Feed | None:
    """An RSS, Atom or JSON feed, with any problem found reading it; None when the body is not a feed."""
    stripped = body.lstrip()
    if stripped[:1] == b"{":
        return _parse_json_feed(stripped, base_url)
    root, problem = read_xml(body)
    if root is None:
        return None
    kind = _local(root.tag)
    if kind == "rss":
        channel = _children(root, "channel")
        items = _children(channel[0], "item") if channel else []
        return Feed([e for e in (_rss_item(i, base_url) for i in items) if e], problem)
    if kind == "rdf":  # RSS 1.0: items are children of the root
        return Feed([e for e in (_rss_item(i, base_url) for i in _children(root, "item")) if e], problem)
    if kind == "feed":
        return Feed([e for e in (_atom_entry(i, base_url) for i in _children(root, "entry")) if e], problem)
    return None


def _rss_item(item: Any, base: str) -> Entry | None:
    url = _http_url(base, _text(item, "link"))
    if url is None:
        guid = _children(item, "guid")
        if guid and guid[0].get("isPermaLink", "true") != "false":
            url = _http_url(base, _text(item, "guid"))
    if url is None:
        return None
    published = to_iso(_text(item, "pubdate") or _text(item, "date"))
    return Entry(url=url, title=_text(item, "title"), published=published)


def _atom_entry(entry: Any, base: str) -> Entry | None:
    url = None
    for link in _children(entry, "link"):
        if link.get("rel", "alternate") == "alternate":
            url = _http_url(base, link.get("href"))
            if url:
                break
    if url is None:
        return None
    return Entry(url=url, title=_text(entry, "title"),
                 published=to_iso(_text(entry, "published") or _text(entry, "updated")))


def _parse_json_feed(body: bytes, base: str) -> Feed | None:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        if b"jsonfeed.org" in body[:4096]:
            return Feed([], f"malformed JSON ({exc})")
        return None
    if not isinstance(data, dict) or not str(data.get("version", "")).startswith("https://jsonfeed.org/"):
        return None
    entries = []
    for item in data.get("items") or []:
        if not isinstance(item, dict):
            continue
        url = _http_url(base, item.get("url") or item.get("external_url"))
        if url:
            entries.append(Entry(url=url, title=item.get("title"),
                                 published=to_iso(item.get("date_published"))))
    return Feed(entries)


def feed_links(html: bytes, base_url: str) -> list[str]:
    """Feeds a page advertises with <link rel="alternate" type="application/rss+xml" href="…">."""
    try:
        tree = lxml.html.fromstring(html)
    except (lxml.etree.ParserError, ValueError):
        return []
    out = []
    for link in tree.xpath('//link[@href and @type]'):
        rel = (link.get("rel") or "").lower().split()
        ctype = link.get("type", "").split(";")[0].strip().lower()
        if "alternate" in rel and ctype in FEED_TYPES:
            url = _http_url(base_url, link.get("href"))
            if url and url not in out:
                out.append(url)
    return out


@dataclass(frozen=True, slots=True)
class Sitemap:
    kind: str  # "index" (entries are sitemaps) or "urlset" (entries are pages)
    entries: list[Entry]
    problem: str | None = None  # what was wrong with a sitemap read anyway (see read_xml)


def parse_sitemap(body: bytes, base_url: str) -> Sitemap | None:
    """A sitemap index or url set, Google News fields included; None when the body is not a sitemap."""
    reader = SitemapReader(body, base_url)
    if reader.kind is None:
        return None
    entries = list(reader.entries())
    return Sitemap(reader.kind, entries, reader.problem)


class SitemapReader:
    """A sitemap read as a stream: ``kind`` is known at once, ``entries()`` yields each entry as the parser
    reaches it (a 100,000-URL sitemap is never a tree in memory, and its first entries can be fetched while
    the rest is read), and ``problem`` is known once ``entries()`` is done.

    The parser is the one read_xml uses (no entity expansion, no network, no DTD loading, libxml2's recovery);
    each entry's elements are freed once read."""

    def __init__(self, body: bytes, base_url: str):
        self.base_url = base_url
        self.problem: str | None = None
        self.count = 0  # entries read so far
        self._events = lxml.etree.iterparse(
            io.BytesIO(body.lstrip()), events=("start", "end"), resolve_entities=False, no_network=True,
            load_dtd=False, huge_tree=False, remove_comments=True, remove_pis=True, recover=True)
        self.kind: str | None = None
        self._root: Any = None
        try:
            _event, self._root = next(self._events)
        except (StopIteration, lxml.etree.XMLSyntaxError, ValueError):
            return
        self.kind = {"sitemapindex": "index", "urlset": "urlset"}.get(_local(self._root.tag))
        dtd = self._root.getroottree().docinfo.internalDTD
        entities = list(dtd.iterentities()) if dtd is not None else []
        if entities:
            external = sum(1 for e in entities if e.system_url)
            self.problem = (f"XML entities refused: the DOCTYPE declares {len(entities)} ({external} external); "
                            "none was expanded or loaded")

    def entries(self) -> Iterator[Entry]:
        if self.kind is None:
            return
        wanted = "sitemap" if self.kind == "index" else "url"
        try:
            for event, el in self._events:
                if event != "end" or el.getparent() is not self._root or _local(el.tag) != wanted:
                    continue
                entry = self._entry(el)
                el.clear()
                while el.getprevious() is not None:  # entries already read: free them
                    del self._root[0]
                if entry is not None:
                    self.count += 1
                    yield entry
        except lxml.etree.XMLSyntaxError:
            pass  # what recovery could not mend ends the entries; the error log below says where
        errors = [e for e in self._events.error_log if e.level >= lxml.etree.ErrorLevels.ERROR]
        if errors and self.problem is None:
            more = f" and {len(errors) - 1} more" if len(errors) > 1 else ""
            self.problem = f"malformed XML (line {errors[0].line}: {errors[0].message.strip()}{more})"

    def _entry(self, el: Any) -> Entry | None:
        url = _http_url(self.base_url, _text(el, "loc"))
        if not url:
            return None
        if self.kind == "index":
            return Entry(url=url, lastmod=to_iso(_text(el, "lastmod")))
        title = published = None
        for news in _children(el, "news"):
            title = _text(news, "title")
            published = to_iso(_text(news, "publication_date"))
        return Entry(url=url, title=title, published=published, lastmod=to_iso(_text(el, "lastmod")))


def sitemaps_in_robots(robots_txt: bytes, base_url: str) -> list[str]:
    out = []
    for line in robots_txt.decode("utf-8", errors="replace").splitlines():
        key, _, value = line.partition(":")
        if key.strip().lower() == "sitemap":
            url = _http_url(base_url, value.strip())
            if url and url not in out:
                out.append(url)
    return out
