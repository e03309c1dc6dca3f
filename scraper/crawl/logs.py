"""Crawl logging fit for cron: Scrapy's log messages about items name the item, never print it.

Scrapy logs each scraped item with its repr ("Scraped from <200 …>" and the item), and dropped or failing
items the same way. A Page carries the page's bytes and a processed page the article's text, so one line
per item would put every article into the log. Here an item is named by its kind and URL."""

from __future__ import annotations

from typing import Any

from scrapy.logformatter import LogFormatter


def item_label(item: Any) -> str:
    """What an item is, without its body or text: its class and its URL (and a failure's reason)."""
    url = getattr(item, "url", None)
    label = type(item).__name__ + (f" {url}" if url else "")
    reason = getattr(item, "reason", None)
    return f"{label} ({reason})" if isinstance(reason, str) else label


class ItemLabelLogFormatter(LogFormatter):
    """Scrapy's LogFormatter with items shown as ``item_label`` (LOG_FORMATTER in scraper/crawl/settings.py)."""

    def scraped(self, item: Any, response: Any, spider: Any) -> Any:
        return self._labelled(super().scraped(item, response, spider), item)

    def dropped(self, item: Any, exception: BaseException, response: Any, spider: Any) -> Any:
        return self._labelled(super().dropped(item, exception, response, spider), item)

    def item_error(self, item: Any, exception: BaseException, response: Any, spider: Any) -> Any:
        return self._labelled(super().item_error(item, exception, response, spider), item)

    @staticmethod
    def _labelled(result: Any, item: Any) -> Any:
        if result and isinstance(result.get("args"), dict) and "item" in result["args"]:
            result["args"] = {**result["args"], "item": item_label(item)}
        return result
