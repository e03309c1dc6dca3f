"""A crawl whose PostgreSQL store goes away. Restarted mid-crawl, the store is reconnected to and the crawl goes
on; kept away past PRESSWASH_STORE_RECONNECT seconds, the crawl stops with a clear error (exit 3), starts no
further download, and a rerun completes the set. Either way every article is stored once.

The server is this module's own (tests/store/test_reconnect.py's fixtures), stopped and started on events (a
count of stored articles, a log line), never after a guessed time. Crawls are real `presswash crawl` processes
against a loopback site whose gate holds the article pages until the test lets them through."""

from __future__ import annotations

import time

import pytest

from scraper.store import Store
from tests.crawl.conftest import article_hits, crawl, make_site, start_crawl
from tests.crawl.test_frontier import frontier_keys, start_worker, wait_for_workers
from tests.store.conftest import sql
from tests.store.test_crawl_postgresql import stored, wait_for
from tests.store.test_reconnect import server, store_url, wait_until  # noqa: F401 (fixtures)

ONE_WORKER = {"PRESSWASH_WORKERS": "1"}


def check_each_article_once(url: str, base: str, paths: list[str], runs: list[str]) -> None:
    """Every article stored once with one revision, no error row, and the runs' statuses as given."""
    assert set(stored(url)) == {base + p for p in paths}
    with Store(url, read_only=True) as store:
        assert sql(store, "SELECT COUNT(*), MAX(revision) FROM articles") == [(len(paths), 1)]
        assert store.count("revisions") == len(paths)
        assert sql(store, "SELECT url, reason FROM errors") == []
        assert [status for (status,) in sql(store, "SELECT status FROM runs ORDER BY id")] == runs


def start_crawls(workers: int, frontier: str, store: str, sitemap: str, tmp_path, reaper,
                 settings: dict[str, str] | None = None) -> tuple[list, list]:
    """One crawl, or WORKERS workers sharing FRONTIER (all joined before this returns); their processes and
    logs."""
    logs = [tmp_path / f"crawl{i}.log" for i in range(workers)]
    settings = {**ONE_WORKER, **(settings or {})}
    if workers == 1:
        procs = [start_crawl("--sitemap", sitemap, store=store, log=logs[0], settings=settings)]
    else:
        procs = [start_worker(frontier, store, "--sitemap", sitemap, log=log, settings=settings) for log in logs]
    for proc in procs:
        reaper(proc.pid)
    if workers > 1:
        wait_for_workers(frontier, workers, procs)
    return procs, logs


@pytest.mark.parametrize("workers", [1, 2])
def test_a_restart_mid_crawl_is_reconnected_to(serve, tmp_path, server, store_url, frontier, group_reaper,  # noqa: F811
                                               workers):
    """PostgreSQL restarts (a fast shutdown: every session ended) once 10 articles are stored; the crawl, by one
    worker or by two sharing a frontier, goes on when the server is back."""
    paths = make_site(tmp_path / "site", 40)
    site = serve(tmp_path / "site", gate=True)
    site.release(15)
    procs, logs = start_crawls(workers, frontier, store_url, f"{site.base_url}/robots.txt", tmp_path, group_reaper)
    wait_for(procs[0], store_url, 10)
    server.restart()
    site.open_gate()
    texts = []
    for proc, log in zip(procs, logs):
        code = proc.wait(timeout=240)
        texts.append(log.read_text("utf-8", "replace"))
        assert code == 0 and "Traceback" not in texts[-1], texts[-1]
    assert any("lost the connection to the store" in t and "is back after" in t for t in texts), texts
    check_each_article_once(store_url, site.base_url, paths, ["finished"] * workers)
    assert sorted(article_hits(site, status=None)) == sorted(paths), "an article was requested twice"
    assert frontier_keys(frontier) == []


@pytest.mark.parametrize("workers", [1, 2])
def test_a_store_that_stays_away_stops_the_crawl(serve, tmp_path, server, store_url, frontier, group_reaper,  # noqa: F811
                                                 workers):
    """The server stops once 10 articles are stored, and stays away past PRESSWASH_STORE_RECONNECT (2 s): each
    worker stops at its first store operation that gives up (exit 3, one line naming the store without its
    password), starts no download after that, records nothing for the pages it drops, and leaves the
    frontier's run. A rerun, with the server back, fetches and stores the rest: every article once."""
    paths = make_site(tmp_path / "site", 40)
    site = serve(tmp_path / "site", gate=True)
    site.release(10)
    sitemap = f"{site.base_url}/robots.txt"
    secret = store_url.replace("postgres@", "postgres:s3cret@")  # the test server trusts loopback: ignored
    procs, logs = start_crawls(workers, frontier, secret, sitemap, tmp_path, group_reaper,
                               {"PRESSWASH_STORE_RECONNECT": "2"})
    wait_for(procs[0], store_url, 10)  # the 10 pages let through are stored; the next requests wait at the gate
    server.stop()
    try:
        # The pages let through, and the requests that follow them, find the store gone. Each worker has its
        # own requests held at the gate, and the gate lets any of them through: pages go on being let through,
        # one once the last is taken, until every worker has met the lost store (else a worker whose requests
        # were all left waiting would meet it only at its download timeout, 30 s later).
        site.release(2 * workers)

        def each_met_the_lost_store() -> bool:
            if site.allowance == 0:
                site.release(1)
            return all("lost the connection to the store" in log.read_text("utf-8", "replace") for log in logs)

        wait_until(each_met_the_lost_store, "each worker to meet the lost store")
        for log in logs:
            wait_until(lambda log=log: "the crawl stops" in log.read_text("utf-8", "replace"), "the crawl to give up")
        gave_up = time.monotonic()
        # Requests that had passed the store's check before it was lost (waiting in a download slot) may have
        # started meanwhile; they are in flight, held by the gate. Let them end: no other request starts.
        site.open_gate()
        codes = [proc.wait(timeout=120) for proc in procs]
    finally:
        server.start()
    name = store_url.replace("postgres@", "postgres:***@")
    for code, log in zip(codes, logs):
        text = log.read_text("utf-8", "replace")
        assert code == 3 and "Traceback" not in text and "stopped: store-lost" in text, text
        assert f"presswash crawl: stopped: the store {name} failed (lost the connection to the store {name} and " \
               "it did not come back within 2 s" in text, text
        assert "bring the store back, then run the crawl again" in text and "s3cret" not in text, text
    late = [h.path for h in site.log if h.time > gave_up and h.path in paths]
    assert late == [], f"downloads started after the store was gone: {late}"
    first = set(stored(store_url))
    assert 10 <= len(first) < len(paths)

    # The rerun (with the frontier: a new run, since every worker left the old one) fetches the rest.
    again = crawl("--sitemap", sitemap, *(("--frontier", frontier) if workers > 1 else ()), store=store_url,
                  settings=ONE_WORKER)
    assert again.code == 0 and f"{len(first)} skipped (fresh)" in again.stderr, again.stderr
    # The stopped runs' rows could not be finished while the store was away: they stay "running".
    check_each_article_once(store_url, site.base_url, paths, ["running"] * workers + ["finished"])
    assert frontier_keys(frontier) == []
