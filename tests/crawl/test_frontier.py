"""Crawls shared by many workers through a Redis frontier (scraper/crawl/frontier.py,
scraper/crawl/shared_politeness.py): real `python -m scraper.cli crawl --frontier` processes, a real
redis-server started by the tests (tests/services/redis.py), a loopback site, and one store shared by the
workers: a PostgreSQL database on the tests' own server (tests/services/postgresql.py) for the 300-article
crawls and the killed worker, one SQLite file in WAL mode for the others."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import redis

from scraper.crawl.siteserver import SiteServer
from scraper.store import Store

from spiders.news import SITEMAP_BATCH, SITEMAP_PENDING

from tests.conftest import call_main
from tests.store.conftest import sql
from tests.store.test_crawl_postgresql import stored, wait_for

from .conftest import ENV, ROOT, SCRAPY, article_hits, make_site, settings_args


def rows(store: str | Path, statement: str) -> list[tuple]:
    """A statement's rows from the store, SQLite or PostgreSQL, read-only (a crawl may be writing)."""
    with Store(str(store), read_only=True) as opened:
        return sql(opened, statement)


def start_worker(frontier: str, store: str | Path, *args: str, log: Path, settings: dict[str, Any] | None = None
                 ) -> subprocess.Popen:
    """One worker, `python -m scraper.cli crawl --frontier …`, in its own process group, its stderr in LOG."""
    cmd = [sys.executable, "-m", "scraper.cli", "crawl", "--store", str(store), "--frontier", frontier, *args,
           *settings_args({"PRESSWASH_WORKERS": "1", **(settings or {})})]
    with open(log, "wb") as err:
        return subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err, env=ENV,
                                cwd=ROOT, start_new_session=True)


def finish(proc: subprocess.Popen, log: Path, timeout: float = 240) -> str:
    proc.wait(timeout=timeout)
    text = log.read_text("utf-8", "replace")
    assert "Traceback" not in text, text
    assert "presswash crawl:" in text, text  # the summary
    return text


def fetched(text: str) -> int:
    """The pages a worker fetched, from its summary line."""
    line = next(line for line in text.splitlines() if line.startswith("presswash crawl:"))
    return int(line.split()[2])


def wait_for_workers(frontier: str, count: int, procs: list[subprocess.Popen], timeout: float = 120) -> None:
    """Wait until COUNT workers have joined the current run (their marks in Redis)."""
    client = redis.Redis.from_url(frontier)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            run = client.hget("presswash:news:run", "id")
            if run and client.zcard(b"presswash:news:" + run + b":workers") >= count:
                return
            assert all(proc.poll() is None for proc in procs), "a worker ended before the others joined"
            time.sleep(0.05)
    finally:
        client.close()
    raise AssertionError(f"fewer than {count} workers joined the run in {timeout} s")


def crawl_with_workers(frontier: str, store: str | Path, server: SiteServer, tmp_path: Path, workers: int,
                       settings: dict[str, Any] | None = None) -> list[str]:
    """A crawl of SERVER's site by WORKERS workers; a gated server lets its pages through once all have joined."""
    logs = [tmp_path / f"worker{i}.log" for i in range(workers)]
    procs = [start_worker(frontier, store, "--sitemap", f"{server.base_url}/robots.txt", log=log,
                          settings=settings) for log in logs]
    if server.gated:
        wait_for_workers(frontier, workers, procs)
        server.open_gate()
    texts = [finish(proc, log) for proc, log in zip(procs, logs)]
    for proc, text in zip(procs, texts):
        assert proc.returncode == 0, text
    return texts


def assert_each_article_once(store: str | Path, server: Any, paths: list[str]) -> None:
    base = server.base_url
    assert set(stored(str(store))) == {base + p for p in paths}
    assert rows(store, "SELECT COUNT(*), MAX(revision) FROM articles") == [(len(paths), 1)]
    assert rows(store, "SELECT COUNT(*) FROM revisions") == [(len(paths),)]
    assert rows(store, "SELECT COUNT(*) FROM errors") == [(0,)]
    requested = Counter(article_hits(server, status=None))
    assert set(requested) == set(paths)
    assert {p: n for p, n in requested.items() if n > 1} == {}, "an article URL was requested twice"


def frontier_keys(url: str) -> list[bytes]:
    client = redis.Redis.from_url(url)
    try:
        return sorted(client.keys("presswash:news:*"))
    finally:
        client.close()


def test_two_workers_share_the_queue_and_the_seen_set(serve, tmp_path, frontier):
    paths = make_site(tmp_path / "site", 40)
    server = serve(tmp_path / "site", gate=True)  # opened when both workers have joined
    store = tmp_path / "shared.db"
    texts = crawl_with_workers(frontier, store, server, tmp_path, 2)
    assert_each_article_once(store, server, paths)
    assert sum(fetched(t) for t in texts) >= 40
    assert sum("started here" in t for t in texts) == 1 and sum(", joined" in t for t in texts) == 1
    assert frontier_keys(frontier) == []  # the run's queue and seen-set went with it

    # A second run: a new seen-set, and every article inside the re-fetch window is skipped (the store says
    # so), so only robots.txt and the sitemap are fetched.
    mark = len(server.log)
    crawl_with_workers(frontier, store, server, tmp_path, 2)
    assert [h.path for h in server.log[mark:] if h.path.endswith(".html")] == []
    assert rows(store, "SELECT COUNT(*) FROM revisions") == [(40,)]

    # Outside the window (refetch after 0 hours): each article once more, with a conditional GET, across workers.
    mark = len(server.log)
    server.gated = True  # closed again: both workers join the run before any page is answered
    crawl_with_workers(frontier, store, server, tmp_path, 2, {"PRESSWASH_REFETCH_AFTER": "0"})
    again = [h for h in server.log[mark:] if h.path.endswith(".html")]
    assert sorted(h.path for h in again) == sorted(paths)
    assert all(h.status == 304 and h.headers.get("if-none-match") for h in again)
    assert rows(store, "SELECT COUNT(*) FROM revisions") == [(40,)]


@pytest.mark.reliability
@pytest.mark.parametrize("workers", [1, 2, 3])
def test_300_articles_by_n_workers_each_once(serve, tmp_path, frontier, postgresql_url, workers):
    paths = make_site(tmp_path / "site", 300)
    server = serve(tmp_path / "site", gate=True)  # opened when all the workers have joined
    store = postgresql_url
    texts = crawl_with_workers(frontier, store, server, tmp_path, workers)
    assert_each_article_once(store, server, paths)
    assert sum("started here" in t for t in texts) == 1
    assert all(fetched(t) > 0 for t in texts[1:]), "every worker fetched pages"
    assert frontier_keys(frontier) == []


def in_flight_peak(hits: list[Any]) -> int:
    """The most requests the server held at once: each from its arrival to the start of its answer (the
    client cannot have the answer, and so free its lease, before that)."""
    events = sorted([(h.time, 1) for h in hits] + [(h.answered, -1) for h in hits])
    peak = now = 0
    for _, step in events:
        now += step
        peak = max(peak, now)
    return peak


def test_per_host_limits_hold_across_two_workers(serve, tmp_path, frontier):
    # Crawl-delay 0.5 s and answers that take 0.8 s: one worker alone would have 2 requests in flight (its
    # per-host limit); two workers without a shared limit would have up to 4, and start requests 0.25 s apart.
    paths = make_site(tmp_path / "site", 16, crawl_delay=0.5)
    server = serve(tmp_path / "site", delay=0.8, gate=True)
    store = tmp_path / "polite.db"
    # CONCURRENT_REQUESTS=3: a worker takes at most 3 requests off the queue at a time, so the second worker
    # gets a share of this one small host instead of finding the queue emptied by the first.
    settings = {"CONCURRENT_REQUESTS_PER_DOMAIN": "2", "CONCURRENT_REQUESTS": "3", "DOWNLOAD_DELAY": "0",
                "AUTOTHROTTLE_ENABLED": "False"}
    texts = crawl_with_workers(frontier, store, server, tmp_path, 2, settings)
    assert_each_article_once(store, server, paths)
    assert all(fetched(t) > 1 for t in texts), "both workers fetched pages"

    hits = list(server.log)
    assert in_flight_peak(hits) == 2
    # robots.txt is read by each worker before it knows the Crawl-delay; every request after that is spaced.
    starts = sorted(h.time for h in hits if h.path != "/robots.txt")
    gaps = [round(b - a, 3) for a, b in zip(starts, starts[1:])]
    assert min(gaps) >= 0.45, gaps


@pytest.mark.parametrize("how", ["SIGKILL", "SIGTERM"])
def test_a_worker_killed_mid_crawl_loses_nothing_for_good(serve, tmp_path, frontier, postgresql_url, group_reaper,
                                                          how):
    count = 60
    paths = make_site(tmp_path / "site", count)
    server = serve(tmp_path / "site", gate=True)
    server.release(20)
    store = postgresql_url
    args = ("--sitemap", f"{server.base_url}/robots.txt")
    settings = {"PRESSWASH_FRONTIER_TTL": "6"}  # a dead worker is given up on after 6 s
    victim = start_worker(frontier, store, *args, log=tmp_path / "victim.log", settings=settings)
    group_reaper(victim.pid)
    wait_for(victim, store, 5)  # the victim started the run; now a second worker joins it
    survivor = start_worker(frontier, store, *args, log=tmp_path / "survivor.log", settings=settings)
    group_reaper(survivor.pid)
    wait_for_workers(frontier, 2, [victim, survivor])
    wait_for(victim, store, 15)
    if how == "SIGKILL":
        os.killpg(victim.pid, signal.SIGKILL)  # the worker and its extraction process, as a lost machine
        victim.wait(timeout=10)
        server.open_gate()
    else:  # systemd stopping the worker: it finishes the pages in flight, drops those waiting, and leaves the run
        os.killpg(victim.pid, signal.SIGTERM)
        server.open_gate()
        text = finish(victim, tmp_path / "victim.log", timeout=60)
        assert victim.returncode == 1 and "stopped: shutdown" in text, text

    text = finish(survivor, tmp_path / "survivor.log")
    assert survivor.returncode == 1 and "worker(s) left run" in text, text
    first = set(stored(store))
    assert len(first) < count, "the victim held no request when it was killed"

    # The next run (one worker) fetches what the victim held; the store skips what was stored.
    text = finish(start_worker(frontier, store, *args, log=tmp_path / "rerun.log"), tmp_path / "rerun.log")
    assert "started here" in text and f"{len(first)} skipped (fresh)" in text, text
    assert set(stored(store)) == {server.base_url + p for p in paths}
    assert rows(store, "SELECT COUNT(*), MAX(revision) FROM articles") == [(count, 1)]
    assert rows(store, "SELECT COUNT(*) FROM revisions") == [(count,)]
    assert frontier_keys(frontier) == []


def test_scrapy_crawl_with_the_setting_joins_the_same_run(serve, tmp_path, frontier):
    """`scrapy crawl news -s PRESSWASH_FRONTIER=…` is a worker too: here beside a `presswash crawl` one."""
    paths = make_site(tmp_path / "site", 30)
    server = serve(tmp_path / "site", gate=True)
    store = tmp_path / "mixed.db"
    sitemap = f"{server.base_url}/robots.txt"
    scrapy_log = tmp_path / "scrapy.log"
    cmd = [SCRAPY, "crawl", "news", "-a", f"sitemap={sitemap}", "-s", f"PRESSWASH_STORE={store}",
           *settings_args({"PRESSWASH_FRONTIER": frontier, "PRESSWASH_WORKERS": "1"})]
    with open(scrapy_log, "wb") as err:
        scrapy_worker = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err,
                                         env=ENV, cwd=ROOT)
    other = start_worker(frontier, store, "--sitemap", sitemap, log=tmp_path / "presswash.log")
    wait_for_workers(frontier, 2, [scrapy_worker, other])
    server.open_gate()
    finish(other, tmp_path / "presswash.log")
    scrapy_worker.wait(timeout=240)
    assert scrapy_worker.returncode == 0, scrapy_log.read_text()
    assert other.returncode == 0
    assert_each_article_once(store, server, paths)
    assert frontier_keys(frontier) == []


def test_frontier_that_does_not_answer_is_a_usage_error(tmp_path):
    proc = call_main("crawl", "--store", tmp_path / "x.db", "--feed", "http://127.0.0.1:9/feed",
                     "--frontier", "redis://127.0.0.1:9/0")
    assert proc.code == 2
    assert "--frontier: no Redis server answers at redis://127.0.0.1:9/0" in proc.stderr
    proc = call_main("crawl", "--store", tmp_path / "x.db", "--feed", "http://127.0.0.1:9/feed",
                     "--frontier", "http://127.0.0.1:9/")
    assert proc.code == 2 and "not a Redis URL" in proc.stderr


@pytest.mark.reliability
def test_a_big_sitemap_waits_for_the_shared_queue(serve, tmp_path, frontier):
    """The sitemap's reading waits while the run's queue in Redis holds SITEMAP_PENDING requests, whichever
    workers take them; every entry is still requested once."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "robots.txt").write_text("User-agent: *\nSitemap: {{BASE}}/sitemap.xml\n")
    paths = [f"/gone/story-{i}.html" for i in range(3 * SITEMAP_PENDING)]  # 404s: fetching is the point
    (site / "sitemap.xml").write_text('<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
                                      + "".join(f"<url><loc>{{{{BASE}}}}{p}</loc></url>\n" for p in paths)
                                      + "</urlset>\n")
    server = serve(site, gate=True)  # holds every page: the queue fills, and only the sitemap's reading can
    store = tmp_path / "big.db"
    settings = {"CONCURRENT_REQUESTS_PER_DOMAIN": "16", "RETRY_ENABLED": "False"}
    logs = [tmp_path / f"worker{i}.log" for i in range(2)]
    procs = [start_worker(frontier, store, "--sitemap", f"{server.base_url}/robots.txt", log=log,
                          settings=settings) for log in logs]
    wait_for_workers(frontier, 2, procs)
    client = redis.Redis.from_url(frontier)
    run = client.hget("presswash:news:run", "id")
    queue = b"presswash:news:" + run + b":queue"
    while client.zcard(queue) < SITEMAP_PENDING:
        assert all(proc.poll() is None for proc in procs)
        time.sleep(0.05)
    sizes = []
    for _ in range(20):  # the pages are held: the queue can only grow by the sitemap's reading
        sizes.append(client.zcard(queue))
        time.sleep(0.05)
    client.close()
    # The reading looks at the queue every SITEMAP_BATCH entries, and the requests of a few batches may still be
    # on their way through Scrapy's spider output then: the queue stops a few batches past the limit.
    assert max(sizes) < SITEMAP_PENDING + 5 * SITEMAP_BATCH < len(paths), sizes
    server.open_gate()
    for proc, log in zip(procs, logs):
        finish(proc, log)
        assert proc.returncode == 1  # every page is a 404
    requested = [path for path, _ in server.hits if path.startswith("/gone/")]
    assert sorted(requested) == sorted(paths)
    assert rows(store, "SELECT COUNT(*) FROM errors WHERE reason = 'HTTP 404'") == [(len(paths),)]


def test_host_gate_leases_concurrency_delay_and_expiry(frontier):
    """HostGate against the real Redis: the script's answers, not the clock."""
    import asyncio

    from scraper.crawl.shared_politeness import HostGate

    async def scenario() -> None:
        gate = HostGate(frontier, lease_life=1.0)
        keys = ["presswash:host:h:leases", "presswash:host:h:last"]

        async def ask(lease: str, concurrency: int, delay: float) -> int:
            return await gate.acquire_script(keys=keys, args=[lease, concurrency, int(delay * 1e6),
                                                              gate.lease_life_us])

        assert await ask("a", 2, 0) == 0
        assert await ask("b", 2, 0) == 0
        assert await ask("c", 2, 0) == -1  # two leases held: the third waits
        await gate.release("h", "a")
        assert await ask("c", 2, 0) == 0
        wait = await ask("d", 5, 30)  # 30 s after the last start: the answer is how long to wait
        assert 29e6 < wait <= 30e6
        # A holder that dies: it neither releases nor renews its lease, which expires after lease_life.
        first = await gate.acquire("h2", 1, 0)
        gate.held.pop(first)  # no longer renewed
        second = await gate.acquire("h2", 1, 0)  # waits for the first to expire
        assert await gate.client.zrange("presswash:host:h2:leases", 0, -1) == [second.encode()]
        if gate.renewer is not None:
            gate.renewer.cancel()
        await gate.client.aclose()

    asyncio.run(asyncio.wait_for(scenario(), timeout=60))


def test_run_queue_pushes_each_fingerprint_once(frontier):
    """RunQueue.push_unseen against the real Redis: the seen-set check and the push are one script; a request
    not filtered (an empty fingerprint) is queued whatever the seen-set holds."""
    import pickle

    import scrapy

    from scraper.crawl.frontier import RunQueue

    server = redis.Redis.from_url(frontier)
    spider = scrapy.Spider(name="pushtest")
    queue = RunQueue(server, spider, "pushtest:queue", pickle, busy_key="pushtest:busy", worker="w", ttl_ms=30_000)
    first, again = scrapy.Request("http://example.com/a"), scrapy.Request("http://example.com/a", priority=5)
    assert queue.push_unseen(first, "pushtest:seen", "fp-a")
    assert not queue.push_unseen(again, "pushtest:seen", "fp-a")  # seen: not queued twice
    assert queue.push_unseen(scrapy.Request("http://example.com/b", priority=3), "pushtest:seen", "fp-b")
    assert queue.push_unseen(scrapy.Request("http://example.com/a", dont_filter=True), "pushtest:seen", "")
    assert server.smembers("pushtest:seen") == {b"fp-a", b"fp-b"}
    assert len(queue) == 3
    assert queue.pop().url == "http://example.com/b"  # the best priority first, as scrapy-redis orders them
    assert server.zscore("pushtest:busy", "w") is not None  # the pop marked the worker busy
    assert {queue.pop().url, queue.pop().url} == {"http://example.com/a"}
    assert queue.pop() is None
    server.delete("pushtest:seen", "pushtest:queue", "pushtest:busy")
    server.close()
