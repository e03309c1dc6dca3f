"""Per-host limits that hold across all the workers of a shared frontier.

Each worker's Scrapy keeps its own download slot per host: its delay (DOWNLOAD_DELAY, a config ``rate``,
robots.txt Crawl-delay raised by CrawlDelayMiddleware, AutoThrottle) and its concurrency
(CONCURRENT_REQUESTS_PER_DOMAIN, a config ``concurrency``). Alone, N workers would send N times the rate.
Here every download also takes a lease from Redis first (``HostGate``), after the slot's own wait and right
before the request goes out, so:

- at most ``concurrency`` requests to a host are in flight across all workers: a lease is held from the
  start of the download to its end;
- two requests to a host start at least ``delay`` apart across all workers: the time of the last start is
  kept in Redis, and a worker waits until that time plus its slot's current delay has passed (a delay learned
  later, such as a Crawl-delay read from robots.txt, counts from the last start too).

A lease lives PRESSWASH_FRONTIER_TTL seconds, and the worker renews the leases it holds every fifth of that,
so a worker that dies holding one frees it within that time.
Times come from Redis (TIME), so the workers' clocks need not agree. Before a worker has read a host's
robots.txt it does not know the host's Crawl-delay: the robots.txt requests of workers that start together
are spaced by DOWNLOAD_DELAY only.

No well-kept library does both halves: ``limits`` and ``pyrate-limiter`` count requests per whole-second
windows (no sub-second minimum gap, no concurrency), and redis-py's and python-redis-lock's locks admit one
holder. The gate is one Lua script (atomic in Redis) and a release.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from typing import Any

from scraper.crawl.downloader import Downloader
from scraper.crawl.middlewares import SkipRequest, store_lost

logger = logging.getLogger(__name__)

POLL = 0.02  # seconds between two tries while a host's leases are all taken

# KEYS: the host's leases (a sorted set: lease id -> expiry, µs), the host's last start (µs).
# ARGV: lease id, concurrency, delay (µs), lease lifetime (µs).
# Returns 0 when the lease is granted, else how many µs to wait (-1: all leases taken, try again soon).
_ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local limit, delay, life = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local last = redis.call('GET', KEYS[2])
if last and tonumber(last) + delay > now then return tonumber(last) + delay - now end
if redis.call('ZCARD', KEYS[1]) >= limit then return -1 end
redis.call('ZADD', KEYS[1], now + life, ARGV[1])
redis.call('PEXPIRE', KEYS[1], math.ceil(life / 1000))
redis.call('SET', KEYS[2], string.format('%d', now), 'PX', math.ceil(math.max(life, 2 * delay) / 1000))
return 0
"""


# KEYS: the leases sets of the leases held; ARGV: lease life (µs), then each lease's id. Pushes their expiry on.
_RENEW = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
for i, key in ipairs(KEYS) do
  redis.call('ZADD', key, 'XX', now + tonumber(ARGV[1]), ARGV[i + 1])
  redis.call('PEXPIRE', key, math.ceil(tonumber(ARGV[1]) / 1000))
end
return #KEYS
"""


class HostGate:
    """Leases on hosts, shared through Redis: ``acquire`` waits for one, ``release`` gives it back; while held,
    a lease is renewed every fifth of its life."""

    def __init__(self, url: str, prefix: str = "presswash:host", lease_life: float = 30.0):
        import redis.asyncio

        self.client = redis.asyncio.Redis.from_url(url)
        self.prefix = prefix
        self.lease_life = lease_life
        self.lease_life_us = int(lease_life * 1_000_000)
        self.acquire_script = self.client.register_script(_ACQUIRE)
        self.renew_script = self.client.register_script(_RENEW)
        self.held: dict[str, str] = {}  # lease id -> its leases set
        self.renewer: asyncio.Task | None = None

    async def _renew(self) -> None:
        while True:
            await asyncio.sleep(self.lease_life / 5)
            held = dict(self.held)
            if not held:
                continue
            try:
                await self.renew_script(keys=list(held.values()), args=[self.lease_life_us, *held])
            except Exception as exc:  # Redis gone for a moment: the next round tries again
                logger.warning("could not renew the host leases: %s", exc)

    async def acquire(self, host: str, concurrency: int, delay: float, stopping: Any = lambda: False) -> str:
        """Wait for a lease on HOST; return its id. SkipRequest if ``stopping()`` turns true meanwhile."""
        lease = uuid.uuid4().hex
        keys = [f"{self.prefix}:{host}:leases", f"{self.prefix}:{host}:last"]
        while True:
            wait = await self.acquire_script(keys=keys, args=[lease, max(1, concurrency), int(delay * 1_000_000),
                                                              self.lease_life_us])
            if stopping():  # also when the lease came: the crawl may have stopped while Redis answered
                if wait == 0:
                    await self.release(host, lease)
                raise SkipRequest("the crawl is stopping")
            if wait == 0:
                self.held[lease] = keys[0]
                if self.renewer is None:
                    self.renewer = asyncio.ensure_future(self._renew())
                return lease
            await asyncio.sleep(POLL if wait < 0 else min(wait / 1_000_000, 1.0))

    async def release(self, host: str, lease: str) -> None:
        self.held.pop(lease, None)
        await self.client.zrem(f"{self.prefix}:{host}:leases", lease)


class SharedPolitenessDownloader(Downloader):
    """presswash's downloader, each download holding a HostGate lease for its slot (the host, or its IP
    with CONCURRENT_REQUESTS_PER_IP) with that slot's concurrency and delay."""

    def __init__(self, crawler: Any):
        super().__init__(crawler)
        settings = crawler.settings
        self.gate = HostGate(settings.get("REDIS_URL"), lease_life=settings.getfloat("PRESSWASH_FRONTIER_TTL", 30.0))

    def close(self) -> None:
        if self.gate.renewer is not None:
            self.gate.renewer.cancel()
        super().close()

    async def _download(self, slot: Any, request: Any) -> Any:
        host = self.get_slot_key(request)
        engine = self.crawler.engine
        lease = await self.gate.acquire(host, slot.concurrency, slot.delay,  # no download once the store is lost
                                        stopping=lambda: not engine.running or store_lost(self.crawler))
        try:
            return await super()._download(slot, request)
        finally:
            try:
                await self.gate.release(host, lease)
            except Exception as exc:  # Redis gone for a moment: the lease expires on its own
                logger.warning("could not release the lease on %s (it expires by itself): %s", host, exc)
