"""Crawls shared by many workers: one request queue and one seen-set in Redis (scrapy-redis), and runs that
workers join.

``presswash crawl --frontier redis://host:port/db`` (the setting ``PRESSWASH_FRONTIER``) starts one worker.
Workers given the same frontier, store and sources share one *run*:

- The run is a hash at ``presswash:<spider>:run`` (its id, ``running`` or ``ended``, and how many workers left
  it holding requests). A worker that finds no run, or an ended one, or a running one whose workers have all
  stopped sending heartbeats, starts a new run: it drops the old run's keys and reads the sources (feeds,
  sitemaps, start pages, URL lists) into the queue. A worker that finds a running run with a live worker joins
  it and reads no source: it takes requests from the queue.
- The queue (``…:<run>:queue``, scrapy-redis's priority queue) and the seen-set (``…:<run>:seen``,
  scrapy-redis's RFPDupeFilter) belong to the run, so a URL is requested once per run across all workers,
  and the seen-set lives as long as its run: the keys are deleted when the last worker leaves an ended run,
  or when the next run starts.
- A worker is *busy* from the moment it takes a request off the queue (the same Lua script does both) until
  Scrapy finds it idle, and it renews that mark by heartbeat (every PRESSWASH_FRONTIER_TTL / 5 seconds; the
  mark expires after PRESSWASH_FRONTIER_TTL). The run ends when the queue is empty and no worker is busy;
  each worker then closes.
- A worker that dies (SIGKILL, a lost machine) stops renewing its marks. Once they expire, the others no
  longer wait for it, and the run counts it as lost (``lost``). The requests it held were in the run's
  seen-set, so this run does not fetch them again; every worker of the run then says so in its summary
  and exits with status 1, and the next run, with a fresh seen-set, fetches them, while the store's
  incremental window skips what was stored. A worker stopped by SIGTERM mid-run counts as lost the same way.
- Each heartbeat also gives the run's keys a day more to live, so the keys of a run whose workers all died
  go after a day, if no new run has replaced them before.

Redis Cluster is not supported: the scripts name the run's keys themselves.
"""

from __future__ import annotations

import importlib
import logging
import os
import socket
import time
import uuid
from typing import Any

from scrapy import signals
from redis.exceptions import RedisError
from scrapy.exceptions import CloseSpider, DontCloseSpider, NotConfigured
from scrapy_redis import connection
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler
from twisted.internet import task

logger = logging.getLogger(__name__)

FRONTIER_SCHEMES = ("redis://", "rediss://", "unix://")
IDLE_POLL = 0.5  # seconds between two looks at the queue while this worker is idle and the run is not done
# Seconds this worker does not ask Redis for a request again after the queue was found empty, unless it queued
# one itself meanwhile. Scrapy asks for the next request each time a page finishes, and while the pages fetched
# wait for extraction the queue is mostly empty: each ask would be a round trip that finds nothing.
EMPTY_RECHECK = 0.1
KEEP_MS = 24 * 3600 * 1000  # a run's keys outlive its last heartbeat by a day at most, if nobody deletes them

# Every script reads the time from Redis (milliseconds), so the workers' clocks never need to agree.
_NOW = "local t = redis.call('TIME')\nlocal now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)\n"

# KEYS[1] the run hash. ARGV: prefix, worker, ttl (ms), a new run id. Returns {run id, 1 if new else 0}.
_JOIN = _NOW + """
local prefix, worker, ttl = ARGV[1], ARGV[2], tonumber(ARGV[3])
local run = redis.call('HGET', KEYS[1], 'id')
if run and redis.call('HGET', KEYS[1], 'state') == 'running' then
  local workers = prefix .. ':' .. run .. ':workers'
  redis.call('ZREMRANGEBYSCORE', workers, '-inf', now)
  if redis.call('ZCARD', workers) > 0 then
    redis.call('ZADD', workers, now + ttl, worker)
    return {run, 0}
  end
end
if run then
  for _, part in ipairs({'queue', 'seen', 'busy', 'workers'}) do
    redis.call('DEL', prefix .. ':' .. run .. ':' .. part)
  end
end
run = ARGV[4]
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'id', run, 'state', 'running', 'lost', 0, 'started', now)
redis.call('ZADD', prefix .. ':' .. run .. ':workers', now + ttl, worker)
redis.call('ZADD', prefix .. ':' .. run .. ':busy', now + ttl, worker)
return {run, 1}
"""

# KEYS: queue, busy. ARGV: worker, ttl (ms). Takes the request with the best priority and marks the worker
# busy in one step, so no other worker can see the queue empty and this worker idle in between.
_POP = _NOW + """
local found = redis.call('ZRANGE', KEYS[1], 0, 0)
if #found == 0 then return false end
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, 0)
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[2]), ARGV[1])
return found[1]
"""

# KEYS: seen-set, queue. ARGV: the request's fingerprint ('' for a request that is not filtered), its score,
# the request. Adds the fingerprint to the seen-set and, if it was not there, the request to the queue: one
# round trip for what scrapy-redis does in two (SADD, then ZADD), and atomic. Returns 1 if queued, else 0.
_PUSH = """
if ARGV[1] ~= '' and redis.call('SADD', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
return 1
"""

# KEYS: run hash, queue, busy, workers, seen. ARGV: run id, worker, ttl (ms), busy (1/0).
# Renews the worker's marks, and the run's keys for KEEP_MS more; returns the run's state ('gone' if another
# run replaced it).
_HEARTBEAT = _NOW + """
if redis.call('HGET', KEYS[1], 'id') ~= ARGV[1] then return 'gone' end
redis.call('ZADD', KEYS[4], now + tonumber(ARGV[3]), ARGV[2])
if ARGV[4] == '1' then redis.call('ZADD', KEYS[3], now + tonumber(ARGV[3]), ARGV[2]) end
for _, key in ipairs(KEYS) do redis.call('PEXPIRE', key, %d) end
return redis.call('HGET', KEYS[1], 'state')
""" % KEEP_MS

# KEYS: run hash, queue, busy, workers. ARGV: run id, worker, ttl (ms).
# The worker is idle: it is no longer busy. Busy marks past their expiry are workers lost. The run ends when
# the queue is empty and no worker is busy. Returns {state, lost}.
_IDLE = _NOW + """
if redis.call('HGET', KEYS[1], 'id') ~= ARGV[1] then return {'gone', 0} end
redis.call('ZREM', KEYS[3], ARGV[2])
redis.call('ZADD', KEYS[4], now + tonumber(ARGV[3]), ARGV[2])
local expired = redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)
if expired > 0 then redis.call('HINCRBY', KEYS[1], 'lost', expired) end
if redis.call('ZCARD', KEYS[2]) == 0 and redis.call('ZCARD', KEYS[3]) == 0 then
  redis.call('HSET', KEYS[1], 'state', 'ended')
end
return {redis.call('HGET', KEYS[1], 'state'), tonumber(redis.call('HGET', KEYS[1], 'lost'))}
"""

# KEYS: run hash, queue, busy, workers, seen. ARGV: run id, worker, finished (1/0).
# The worker leaves; one that leaves busy without finishing (stopped) is lost. The last worker to leave an
# ended run deletes its keys. Returns the number of workers lost.
_LEAVE = _NOW + """
if redis.call('HGET', KEYS[1], 'id') ~= ARGV[1] then return 0 end
redis.call('ZREM', KEYS[4], ARGV[2])
if redis.call('ZREM', KEYS[3], ARGV[2]) == 1 and ARGV[3] ~= '1' then redis.call('HINCRBY', KEYS[1], 'lost', 1) end
local lost = tonumber(redis.call('HGET', KEYS[1], 'lost'))
redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', now)
if redis.call('HGET', KEYS[1], 'state') == 'ended' and redis.call('ZCARD', KEYS[4]) == 0 then
  redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5])
end
return lost
"""


def frontier_problem(url: str) -> str | None:
    """Why URL cannot be a frontier (not a Redis URL, or no server answers there), or None."""
    import redis

    if not url.startswith(FRONTIER_SCHEMES):
        return f"not a Redis URL (redis://host:port/db): {url!r}"
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=10)
        client.ping()
        client.close()
    except (redis.RedisError, ValueError) as exc:
        return f"no Redis server answers at {url}: {exc}"
    return None


class FrontierAddon:
    """Turns a crawl into a worker of a shared frontier when PRESSWASH_FRONTIER is set (``--frontier``, or
    ``scrapy crawl news -s PRESSWASH_FRONTIER=redis://…``): the run scheduler below, scrapy-redis's
    duplicate filter, and the downloader that holds per-host limits across workers
    (scraper/crawl/shared_politeness.py). Settings given on the command line win over these."""

    def update_settings(self, settings: Any) -> None:
        url = settings.get("PRESSWASH_FRONTIER")
        if not url:
            return
        settings.set("REDIS_URL", url, priority="addon")
        settings.set("SCHEDULER", "scraper.crawl.frontier.RunScheduler", priority="addon")
        settings.set("DUPEFILTER_CLASS", "scrapy_redis.dupefilter.RFPDupeFilter", priority="addon")
        settings.set("SCHEDULER_PERSIST", True, priority="addon")  # the run's keys outlive each worker
        if settings.get("DOWNLOADER") == "scraper.crawl.downloader.Downloader":  # presswash's (settings.py)
            settings.set("DOWNLOADER", "scraper.crawl.shared_politeness.SharedPolitenessDownloader",
                         priority=settings.getpriority("DOWNLOADER"))


class RunQueue(PriorityQueue):
    """scrapy-redis's priority queue whose pop also marks the worker busy (see _POP)."""

    def __init__(self, server: Any, spider: Any, key: str, serializer: Any = None, *, busy_key: str,
                 worker: str, ttl_ms: int):
        super().__init__(server, spider, key, serializer)
        self.busy_key, self.worker, self.ttl_ms = busy_key, worker, ttl_ms
        self._pop = server.register_script(_POP)
        self._push = server.register_script(_PUSH)

    def push_unseen(self, request: Any, seen_key: str, fingerprint: str) -> bool:
        """Queue ``request`` unless its ``fingerprint`` is in the seen-set (and add it there); an empty
        fingerprint queues it whatever the seen-set holds. True if it was queued."""
        return bool(self._push(keys=[seen_key, self.key],
                               args=[fingerprint, -request.priority, self._encode_request(request)]))

    def pop(self, timeout: int = 0) -> Any:
        data = self._pop(keys=[self.key, self.busy_key], args=[self.worker, self.ttl_ms])
        return self._decode_request(data) if data else None


class RunScheduler(Scheduler):
    """scrapy-redis's Scheduler, for one worker of a run (see the module's docstring): joins or starts the
    run when the spider opens, keeps the worker's marks alive, keeps the spider open while the run has work,
    and leaves the run when the spider closes."""

    def __init__(self, server: Any, crawler: Any = None, **kwargs: Any):
        super().__init__(server, **kwargs)
        self.crawler = crawler
        settings = crawler.settings
        self.ttl_ms = int(settings.getfloat("PRESSWASH_FRONTIER_TTL", 30.0) * 1000)
        self.worker = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.run_id: str | None = None
        self.prefix = ""
        self.lost = 0
        self.unreachable_since: float | None = None
        self.given_up = False
        # Whether this worker took a request off the run's queue since Scrapy last found it idle: only such work
        # can be lost. A worker that is busy with a request of its own (robots.txt) when the run ends holds none.
        self.holding = False
        self.heartbeat: task.LoopingCall | None = None
        self.empty_until = 0.0  # time.monotonic() before which the queue is not asked again (EMPTY_RECHECK)
        self.recheck: Any = None  # the reactor's call that asks again then
        scripts = {"join": _JOIN, "heartbeat": _HEARTBEAT, "idle": _IDLE, "leave": _LEAVE}
        self.scripts = {name: server.register_script(body) for name, body in scripts.items()}

    @classmethod
    def from_crawler(cls, crawler: Any) -> "RunScheduler":
        if not crawler.settings.get("REDIS_URL"):
            raise NotConfigured("no REDIS_URL (set PRESSWASH_FRONTIER)")
        server = connection.from_settings(crawler.settings)
        server.ping()
        serializer = crawler.settings.get("SCHEDULER_SERIALIZER")
        if isinstance(serializer, str):
            serializer = importlib.import_module(serializer)
        scheduler = cls(server, crawler=crawler, persist=True, serializer=serializer)
        scheduler.stats = crawler.stats
        crawler.signals.connect(scheduler.spider_idle, signal=signals.spider_idle)
        return scheduler

    def key(self, part: str) -> str:
        return f"{self.prefix}:{self.run_id}:{part}"

    def run_keys(self) -> list[str]:
        return [f"{self.prefix}:run", self.key("queue"), self.key("busy"), self.key("workers")]

    def open(self, spider: Any) -> None:
        self.spider = spider
        self.prefix = f"presswash:{spider.name}"
        run_id, created = self.scripts["join"](keys=[f"{self.prefix}:run"],
                                               args=[self.prefix, self.worker, self.ttl_ms, uuid.uuid4().hex[:12]])
        self.run_id = run_id.decode() if isinstance(run_id, bytes) else run_id
        self.queue = RunQueue(self.server, spider, self.key("queue"), self.serializer, busy_key=self.key("busy"),
                              worker=self.worker, ttl_ms=self.ttl_ms)
        self.df = RFPDupeFilter(self.server, key=self.key("seen"),
                                debug=spider.settings.getbool("DUPEFILTER_DEBUG"))
        spider.seeding = bool(created)  # only the worker that starts a run reads the sources
        if created:
            logger.info("frontier: started run %s as worker %s; reading the sources", self.run_id, self.worker)
        else:
            logger.info("frontier: joined run %s as worker %s (%d requests queued); the sources are read by "
                        "the worker that started it", self.run_id, self.worker, len(self.queue))
        self.crawler.stats.set_value("presswash/frontier_run", self.run_id)
        self.crawler.stats.set_value("presswash/frontier_started", bool(created))
        self.heartbeat = task.LoopingCall(self._beat)
        self.heartbeat.start(self.ttl_ms / 5000, now=False)

    # scrapy-redis 0.9.1 passes ``spider=`` to the stats collector, which Scrapy 2.19 deprecates (a warning per
    # request); these two are its own, without it.
    def enqueue_request(self, request: Any) -> bool:
        fingerprint = "" if request.dont_filter else self.df.request_fingerprint(request)
        if not self.queue.push_unseen(request, self.df.key, fingerprint):
            self.df.log(request, self.spider)
            return False
        self.stats.inc_value("scheduler/enqueued/redis")
        self.empty_until = 0.0
        return True

    def next_request(self) -> Any:
        now = time.monotonic()
        if now < self.empty_until:  # found empty a moment ago: look again then (another worker may queue)
            if self.recheck is None or not self.recheck.active():
                from twisted.internet import reactor

                # Not the engine's own nextcall with a delay: that would hold back its immediate calls too.
                self.recheck = reactor.callLater(self.empty_until - now, self._look_again)
            return None
        request = self.queue.pop()
        if request is None:
            self.empty_until = now + EMPTY_RECHECK
            return None
        self.holding = True
        self.stats.inc_value("scheduler/dequeued/redis")
        return request

    def _look_again(self) -> None:
        slot = getattr(self.crawler.engine, "_slot", None)
        if slot is not None and slot.closing is None:
            slot.nextcall.schedule()

    def _beat(self) -> None:
        engine = self.crawler.engine
        busy = getattr(engine, "_slot", None) is not None and not engine.spider_is_idle()
        try:
            state = self.scripts["heartbeat"](keys=[*self.run_keys(), self.key("seen")],
                                              args=[self.run_id, self.worker, self.ttl_ms, int(busy)])
        except RedisError as exc:  # Redis unreachable for a moment: the next beat tries again
            logger.warning("frontier: heartbeat failed: %s", exc)
            return
        if busy and self.holding and state in (b"ended", b"gone") and not self.given_up:
            self.given_up = True  # this worker stalled past PRESSWASH_FRONTIER_TTL while it held work
            logger.warning("frontier: run %s went on without this worker (no heartbeat for %g s): what it "
                           "holds is fetched by the next run", self.run_id, self.ttl_ms / 1000)
            self.crawler.stats.set_value("presswash/frontier_lost", max(1, self.lost))

    def spider_idle(self, spider: Any = None) -> None:
        """Keep the spider open while the run has work, looking at the queue again in IDLE_POLL seconds. If
        Redis cannot be reached for PRESSWASH_FRONTIER_TTL seconds, the worker stops (``frontier-unreachable``)."""
        self.holding = False  # idle: every request it took is done
        try:
            state, lost = self.scripts["idle"](keys=self.run_keys(), args=[self.run_id, self.worker, self.ttl_ms])
        except RedisError as exc:
            self.unreachable_since = self.unreachable_since or time.monotonic()
            if time.monotonic() - self.unreachable_since > self.ttl_ms / 1000:
                logger.error("frontier: Redis unreachable for %g s (%s): stopping", self.ttl_ms / 1000, exc)
                raise CloseSpider("frontier-unreachable") from None
            logger.warning("frontier: Redis unreachable (%s); trying again", exc)
            state, lost = "running", self.lost
        else:
            self.unreachable_since = None
        state = state.decode() if isinstance(state, bytes) else state
        self.lost = int(lost or 0)
        if state == "running":
            slot = getattr(self.crawler.engine, "_slot", None)  # Scrapy's own: its next look at the scheduler
            if slot is not None:
                slot.nextcall.schedule(IDLE_POLL)
            raise DontCloseSpider
        logger.info("frontier: run %s %s", self.run_id, "ended" if state == "ended" else "was replaced by another")

    def close(self, reason: str) -> None:
        if self.heartbeat is not None and self.heartbeat.running:
            self.heartbeat.stop()
        if self.recheck is not None and self.recheck.active():
            self.recheck.cancel()
        if self.run_id is None:
            return
        keys = [*self.run_keys(), self.key("seen")]
        try:
            lost = self.scripts["leave"](keys=keys, args=[self.run_id, self.worker, int(reason == "finished")])
        except RedisError as exc:  # the marks expire on their own; the run counts this worker as lost then
            logger.error("frontier: could not leave run %s: %s", self.run_id, exc)
            lost = 0
        self.lost = max(self.lost, int(lost or 0))
        if self.lost:
            self.crawler.stats.set_value("presswash/frontier_lost", self.lost)
            logger.warning("frontier: %d worker(s) left run %s holding requests (killed or stopped); this run "
                           "does not fetch those again: run the crawl again to complete the set", self.lost,
                           self.run_id)
