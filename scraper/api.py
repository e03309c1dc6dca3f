"""Convenience functions over the pipeline for library users.

One page at a time, with no index: an Article's ``duplicate_of`` and ``story`` stay None (its
``fingerprint`` holds what a store would compare; docs/stories.md)."""

from __future__ import annotations

from scraper.core.document import Outcome, Page
from scraper.core.process import Options, process_page


def clean_html(html: str | bytes, url: str | None = None, options: Options | None = None) -> Outcome:
    """Extract and clean one HTML page. Returns an Article, or a Failure whose ``error`` says why."""
    body = html.encode("utf-8") if isinstance(html, str) else html
    headers = {"content-type": "text/html; charset=utf-8"} if isinstance(html, str) else {}
    return process_page(Page(body=body, source=url or "<html>", url=url, headers=headers, kind="html"), options)


def clean_text(text: str, url: str | None = None, options: Options | None = None) -> Outcome:
    """Clean already extracted text (a text dump). A leading headline line becomes the title."""
    page = Page(body=text.encode("utf-8"), source=url or "<text>", url=url,
                headers={"content-type": "text/plain; charset=utf-8"}, kind="text")
    return process_page(page, options)
