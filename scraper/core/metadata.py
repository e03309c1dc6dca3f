"""What a record says of an article besides its text: the one list of metadata fields.

The record's keys (scraper/core/document.py RECORD_FIELDS), the Article, what the page's reader found
(scraper/core/page_metadata.py) and a Failure's empty values all come from this dataclass.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from typing import Any


@dataclass(slots=True, kw_only=True)
class Metadata:
    title: str | None = None
    author: str | None = None
    date_published: str | None = None
    date_modified: str | None = None
    sitename: str | None = None
    hostname: str | None = None
    language: str | None = None
    description: str | None = None
    tags: list[str] = field(default_factory=list)
    image: str | None = None
    # Where a field's value came from: field name -> source (PROVENANCE); a field with no value has no key.
    provenance: dict[str, str] = field(default_factory=dict)

    def metadata(self) -> Metadata:
        """These fields alone, as a Metadata (of an Article too)."""
        return Metadata(**self.metadata_values())

    def metadata_values(self) -> dict[str, Any]:
        values = {name: getattr(self, name) for name in METADATA_FIELDS}
        values["provenance"] = dict(self.provenance)  # each record and Article gets its own
        return values

    def filled_from(self, listing: dict[str, str]) -> Metadata:
        """With what the feed or sitemap that led to the page said of it, where the page itself says nothing."""
        provenance = dict(self.provenance)
        for name, key in (("title", "title"), ("date_published", "published")):
            if not getattr(self, name) and listing.get(key):
                provenance[name] = "feed"
        return replace(self.metadata(), title=self.title or listing.get("title"),
                       date_published=self.date_published or listing.get("published"), provenance=provenance)

    def with_language(self, language: str | None, source: str | None) -> Metadata:
        """These fields with ``language`` set, and its source in ``provenance`` (dropped when there is none)."""
        provenance = {k: v for k, v in self.provenance.items() if k != "language"}
        if language and source:
            provenance["language"] = source
        return replace(self.metadata(), language=language or None, provenance=provenance)


# The sources ``provenance`` names. A value the page declared names where it said it; "detected" is a value
# presswash inferred from the text. The order in which the sources of each field are trusted is in
# scraper/core/page_metadata.py.
PROVENANCE = {
    "html-lang": "the lang attribute of <html>",
    "meta": "a <meta> element of the page (Open Graph, article:*, twitter:*, name=author/description/keywords, "
            "itemprop; for the language http-equiv Content-Language and og:locale)",
    "http-header": "an HTTP response header (Content-Language)",
    "detected": "identified from the extracted text (language: py3langid)",
    "json-ld": "the page's JSON-LD (schema.org NewsArticle, BlogPosting, ...; its WebPage and publisher)",
    "h1": "the page's only <h1> element",
    "title": "the page's <title> element",
    "byline": "byline markup near the headline (rel=author, itemprop=author, a class naming the author)",
    "htmldate": "htmldate's search of the page's markup (time elements, date classes, ...)",
    "url": "the page's URL (a date in its path; the host)",
    "feed": "the feed or sitemap that led to the page",
}
DECLARED = frozenset({"html-lang", "meta", "http-header"})  # where a page declares its language

METADATA_FIELDS = tuple(f.name for f in fields(Metadata))
