"""Parse once, read the metadata trafilatura does not give, and run trafilatura on the same tree."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from urllib.parse import urljoin, urlsplit

import lxml.html
import trafilatura
from lxml import etree

EXTRACTOR = {"name": "trafilatura", "version": trafilatura.__version__}


class ExtractionError(Exception):
    """The page could not be parsed or held no article text; the message says why."""


@lru_cache(maxsize=1)
def _parser() -> lxml.html.HTMLParser:
    # Text arrives already decoded and is handed over as UTF-8, so lxml must ignore <meta charset>.
    # No huge_tree: libxml2's default depth and size limits are a guard against hostile pages.
    return lxml.html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)


def parse_html(text: str) -> Any:
    try:
        tree = lxml.html.document_fromstring(text.encode("utf-8", "surrogatepass"), parser=_parser())
    except (etree.ParserError, ValueError) as exc:
        raise ExtractionError(f"the HTML could not be parsed: {exc}") from None
    if tree is None or len(tree) == 0:
        raise ExtractionError("the HTML is empty once parsed")
    return tree


@dataclass(slots=True)
class PageSignals:
    """Metadata read from the tree before trafilatura cleans it in place."""

    canonical_url: str | None = None
    language: str | None = None
    date_modified: str | None = None


_JSONLD_MODIFIED = re.compile(r'"dateModified"\s*:\s*"([^"]{8,40})"')


def _first(tree: Any, xpath: str) -> str | None:
    for value in tree.xpath(xpath):
        value = str(value).strip()
        if value:
            return value
    return None


def read_signals(tree: Any, url: str | None, headers: dict[str, str]) -> PageSignals:
    canonical = _first(tree, '//head/link[@rel="canonical"]/@href')
    if canonical:
        canonical = urljoin(url or "", canonical)
        if urlsplit(canonical).scheme not in ("http", "https"):
            canonical = None
    lang = (
        _first(tree, "/html/@lang")
        or _first(tree, '//head/meta[@http-equiv="content-language" or @http-equiv="Content-Language"]/@content')
        or _first(tree, '//head/meta[@property="og:locale"]/@content')
        or headers.get("content-language")
    )
    if lang:
        lang = lang.split(",")[0].strip().replace("_", "-").split("-")[0].lower() or None
    modified = _first(
        tree,
        '//meta[@property="article:modified_time" or @property="og:updated_time" '
        'or @itemprop="dateModified" or @name="last-modified"]/@content',
    )
    if not modified:
        for script in tree.xpath('//script[@type="application/ld+json"]/text()'):
            m = _JSONLD_MODIFIED.search(script)
            if m:
                modified = m.group(1)
                break
    return PageSignals(canonical_url=canonical, language=lang, date_modified=modified)


@dataclass(slots=True)
class Extraction:
    text: str
    title: str | None = None
    author: str | None = None
    date_published: str | None = None
    sitename: str | None = None
    hostname: str | None = None
    description: str | None = None
    tags: list[str] = field(default_factory=list)
    image: str | None = None
    language: str | None = None


def _split_list(value: Any) -> list[str]:
    if not value:
        return []
    if isinstance(value, str):
        value = value.split(",")
    return [v.strip() for v in value if v and v.strip()]


def extract(tree: Any, url: str | None, include_comments: bool = False,
            favor_precision: bool = False) -> Extraction:
    """Run trafilatura on an already parsed tree (it modifies the tree)."""
    doc = trafilatura.bare_extraction(
        tree, url=url, with_metadata=True, include_comments=include_comments,
        favor_precision=favor_precision, include_tables=True,
    )
    if doc is None or not (doc.text or "").strip():
        raise ExtractionError(
            "no article text found: the page may be a listing, a login or consent wall, or rendered by script"
        )
    return Extraction(
        text=doc.text,
        title=doc.title or None,
        author=doc.author or None,
        date_published=doc.date or None,
        sitename=doc.sitename or None,
        hostname=doc.hostname or None,
        description=doc.description or None,
        tags=_split_list(doc.tags) or _split_list(doc.categories),
        image=doc.image or None,
        language=doc.language or None,
    )
