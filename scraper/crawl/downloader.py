"""Scrapy's downloader, with two fixes for presswash's crawls.

- Per-domain concurrency that holds under the asyncio reactor. Scrapy's ``Downloader._process_queue`` hands
  queued requests to the network while the slot has free transfer places, and ``_download`` marks a request
  as transferring when it starts. Under the asyncio reactor each download is scheduled as a task that starts
  only on the next turn of the event loop, so the loop sees every place still free and sends the whole queue
  at once: CONCURRENT_REQUESTS_PER_DOMAIN = 2 let 14 requests hit one host together. Here the place is taken
  when the download is scheduled.
- No download starts once the crawl stops for a lost store. A download scheduled just before the stop (a
  slot freed, then the store gave up in the same turn) would otherwise start on the next turn, after the
  waiting requests were dropped (middlewares.stop_for_lost_store).
"""

from __future__ import annotations

from typing import Any

from scrapy.core.downloader import Downloader as ScrapyDownloader

from scraper.crawl.middlewares import SkipRequest, store_lost


class Downloader(ScrapyDownloader):
    def _wait_for_download(self, slot: Any, request: Any, queue_dfd: Any) -> Any:
        slot.transferring.add(request)  # _download adds it again (a set) and removes it when done
        return super()._wait_for_download(slot, request, queue_dfd)

    async def _download(self, slot: Any, request: Any) -> Any:
        if store_lost(self.crawler):
            slot.transferring.discard(request)  # the place _wait_for_download took
            raise SkipRequest("the store is lost")
        return await super()._download(slot, request)
