"""What a record says of an article besides its text: the one list of metadata fields.

The record's keys (scraper/core/document.py RECORD_FIELDS), the Article, what trafilatura found
(scraper/core/extraction.py Extraction) and a Failure's empty values all come from this dataclass.
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

    def metadata(self) -> Metadata:
        """These fields alone, as a Metadata (of an Article or an Extraction too)."""
        return Metadata(**self.metadata_values())

    def metadata_values(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in METADATA_FIELDS}

    def filled_from(self, listing: dict[str, str]) -> Metadata:
        """With what the feed or sitemap that led to the page said of it, where the page itself says nothing."""
        return replace(self.metadata(), title=self.title or listing.get("title"),
                       date_published=self.date_published or listing.get("published"))


METADATA_FIELDS = tuple(f.name for f in fields(Metadata))
