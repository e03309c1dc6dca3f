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
    # The authors' names, each a person's (or a desk's) name; ``author`` is them joined (AUTHOR_SEPARATOR).
    authors: list[str] = field(default_factory=list)
    date_published: str | None = None
    date_modified: str | None = None
    sitename: str | None = None
    hostname: str | None = None
    language: str | None = None
    description: str | None = None
    tags: list[str] = field(default_factory=list)
    image: str | None = None
    # Where a field's value came from: field name -> source (PROVENANCE); a field with no value has no key.
    # ``author`` and ``authors`` have the same source, under both keys.
    provenance: dict[str, str] = field(default_factory=dict)

    @property
    def author(self) -> str | None:
        """The authors joined, for the record's ``author`` (kept for consumers that read one string)."""
        return join_authors(self.authors)

    def metadata(self) -> Metadata:
        """These fields alone, as a Metadata (of an Article too)."""
        return Metadata(**self.metadata_values())

    def metadata_values(self) -> dict[str, Any]:
        """The fields' values, as keyword arguments of Metadata (and Article): ``author`` is derived, not one."""
        values = {f.name: getattr(self, f.name) for f in fields(Metadata)}
        values["provenance"] = dict(self.provenance)  # each record and Article gets its own
        values["authors"] = list(self.authors)
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
    "text": "the text itself (a text document's leading headline line)",
}
DECLARED = frozenset({"html-lang", "meta", "http-header"})  # where a page declares its language

AUTHOR_SEPARATOR = "; "


def join_authors(authors: list[str]) -> str | None:
    """The record's ``author``: the names joined with "; " (as trafilatura joins them), None for none."""
    return AUTHOR_SEPARATOR.join(authors) or None


def split_author(author: str | None) -> list[str]:
    """``authors`` of a record that has only ``author`` (stored before ``authors`` existed)."""
    return [name.strip() for name in (author or "").split(AUTHOR_SEPARATOR.strip()) if name.strip()]


# The record's metadata keys, in order: ``author`` (derived) just before ``authors``.
METADATA_FIELDS = tuple(name for f in fields(Metadata)
                        for name in (("author", f.name) if f.name == "authors" else (f.name,)))
