"""Scrapy's downloader with per-domain concurrency that holds under the asyncio reactor.

Scrapy's ``Downloader._process_queue`` hands queued requests to the network while the slot has free
transfer places, and ``_download`` marks a request as transferring when it starts. Under the asyncio
reactor each download is scheduled as a task that starts only on the next turn of the event loop, so the
loop sees every place still free and sends the whole queue at once: CONCURRENT_REQUESTS_PER_DOMAIN = 2
let 14 requests hit one host together. Here the place is taken when the download is scheduled.
"""

from __future__ import annotations

from typing import Any

from scrapy.core.downloader import Downloader as ScrapyDownloader


class Downloader(ScrapyDownloader):
    def _wait_for_download(self, slot: Any, request: Any, queue_dfd: Any) -> Any:
        slot.transferring.add(request)  # _download adds it again (a set) and removes it when done
        return super()._wait_for_download(slot, request, queue_dfd)
