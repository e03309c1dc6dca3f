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


class CrawlProgress:
    """The crawl's progress display on a terminal (scraper/core/progress.py): pages fetched, requests queued
    (waiting in the scheduler or the downloader, or in flight), articles new or changed, and errors, read from
    the crawl's stats a few times a second. On with PRESSWASH_PROGRESS (`presswash crawl` sets it unless
    --quiet or --no-progress) and where stderr is a terminal; the EXTENSIONS entry in scraper/crawl/settings.py."""

    EVERY = 0.25  # seconds between reads of the stats

    def __init__(self, crawler: Any):
        from scraper.core.progress import Progress

        self.crawler = crawler
        self.stats = crawler.stats
        self.progress = Progress("pages fetched", tallies=("queued", "articles", "errors"))
        self.loop: Any = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> CrawlProgress:
        from scrapy import signals
        from scrapy.exceptions import NotConfigured

        from scraper.core.progress import on_terminal

        if not on_terminal(crawler.settings.getbool("PRESSWASH_PROGRESS")):
            raise NotConfigured
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider: Any) -> None:
        from twisted.internet import task

        self.progress.__enter__()
        self.loop = task.LoopingCall(self.show)
        self.loop.start(self.EVERY)

    def show(self) -> None:
        get = lambda key: self.stats.get_value(key, 0)  # noqa: E731
        self.progress.update(completed=get("downloader/response_count"),
                             queued=self.queued(),
                             articles=get("presswash/articles_new") + get("presswash/articles_changed"),
                             errors=get("presswash/fetch_errors") + get("presswash/process_errors"))

    def queued(self) -> int:
        engine = self.crawler.engine
        scheduler = getattr(engine, "scheduler", None)
        waiting = len(scheduler) if scheduler is not None and hasattr(scheduler, "__len__") else 0
        return waiting + len(getattr(engine.downloader, "active", ()))

    def spider_closed(self, spider: Any, reason: str) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        self.show()
        self.progress.close()
