"""Is this URL or page an article, or a listing to follow? URL patterns plus page signals."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

# A date in the path (/2024/05/17/, /2024/05/, /20240517/) is the strongest URL sign of a news article.
_DATE_IN_PATH = re.compile(r"/(19|20)\d{2}[/-](0?[1-9]|1[0-2])([/-](0?[1-9]|[12]\d|3[01]))?(/|$)|/(19|20)\d{6}(/|$)")
_ARTICLE_SECTION = re.compile(r"/(article|articles|story|stories|news|post|posts|blog|p)/[^/]+", re.IGNORECASE)
_LISTING = re.compile(
    r"/(tag|tags|category|categories|topic|topics|author|authors|page|search|archive|archives|section|feed|"
    r"rss|login|register|account|subscribe|about|contact|privacy|terms)(/|$)|[?&](page|p|s|q)=",
    re.IGNORECASE,
)
_SKIP_EXT = re.compile(r"\.(jpe?g|png|gif|webp|svg|ico|css|js|pdf|zip|gz|mp3|mp4|avi|mov|xml|json|rss|atom|txt)$",
                       re.IGNORECASE)
_OG_ARTICLE = re.compile(rb"""<meta[^>]+property=["']og:type["'][^>]+content=["']article["']"""
                         rb"""|<meta[^>]+content=["']article["'][^>]+property=["']og:type["']""", re.IGNORECASE)
_JSONLD_ARTICLE = re.compile(rb'"@type"\s*:\s*\[?\s*"(NewsArticle|Article|BlogPosting|ReportageNewsArticle|'
                             rb'AnalysisNewsArticle|OpinionNewsArticle|ReviewNewsArticle|LiveBlogPosting)"')


def fetchable(url: str) -> bool:
    """A web page worth requesting at all (http(s), not an image, script or download)."""
    try:
        parts = urlsplit(url)
    except ValueError:  # malformed: the spider records it (NewsSpider.malformed_url)
        return False
    return parts.scheme in ("http", "https") and not _SKIP_EXT.search(parts.path)


def looks_like_listing_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.path in ("", "/") or bool(_LISTING.search(parts.path + ("?" + parts.query if parts.query else "")))


def looks_like_article_url(url: str) -> bool:
    """URL signs of an article: a date in the path, an article section with a slug, or a long slug."""
    if looks_like_listing_url(url) or not fetchable(url):
        return False
    path = urlsplit(url).path
    if _DATE_IN_PATH.search(path) or _ARTICLE_SECTION.search(path):
        return True
    last = [p for p in path.split("/") if p][-1:] or [""]
    return last[0].count("-") >= 3  # a headline slug: "iran-usa-talk-after-27-years"


def page_says_article(body: bytes) -> bool:
    """Page signs of an article: og:type=article or a JSON-LD article type, in the first 256 kB."""
    head = body[:256 * 1024]
    return bool(_OG_ARTICLE.search(head) or _JSONLD_ARTICLE.search(head))
