"""Crash consistency of `presswash crawl` (issue 5, part 4): a slow reliability test, run in CI.

A crawl of a loopback site is killed with SIGKILL at a random point of its run, 12 times, and re-run after
each kill. Between runs the site changes as a news site does (new articles in the sitemap, corrections to
old ones), and every run re-fetches with conditional GET (`--refetch-after 0`), so each run has articles,
revisions and crawl state to write when the kill comes. Most kills take the whole process group, as a
terminal or a service manager would; every fourth takes the crawl process alone, and its extraction workers
must then exit by themselves.

After every kill the store is whole (PRAGMA integrity_check, foreign keys, every record complete and equal
to its latest revision) and has lost nothing it had. After the last, complete run: every article of the
site is stored exactly once with its latest text, and `presswash export` gives each once. The `-o` stream is
at-most-once across kills (docs/crawling.md): whole lines, nothing twice, nothing the store lacks.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from scraper.core.document import RECORD_FIELDS

from tests.conftest import call_main

from .conftest import (
    article_page,
    crawl,
    make_site,
    query,
    read_jsonl,
    runs,
    start_crawl,
)
from .test_interrupt import wait_group_gone

pytestmark = pytest.mark.reliability

KILLS = 12  # three of each of the four ways of aiming a kill (below)
SEED = 5
START = 30  # articles at first; each round adds NEW and corrects one
NEW = 2
WORKER_DIED = "the worker process died"


@pytest.fixture
def reaper():
    """Kills, after the test, the process groups of the crawls it started that are still running. A crawl
    that was waited for is left alone: its process id may already belong to another program."""
    procs: list[subprocess.Popen] = []
    yield procs.append
    for proc in procs:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def write_sitemap(site: Path, paths: list[str]) -> None:
    urls = "\n".join(f"  <url><loc>{{{{BASE}}}}{p}</loc></url>" for p in paths)
    (site / "sitemap.xml").write_text('<?xml version="1.0" encoding="UTF-8"?>\n'
                                      '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
                                      f"{urls}\n</urlset>\n")


def add_article(site: Path, paths: list[str], i: int) -> None:
    path = f"/2026/12/{1 + i % 28:02d}/council-vote-number-{i}.html"
    file = site / path.lstrip("/")
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text(article_page(i), encoding="utf-8")
    paths.append(path)


def correct(site: Path, path: str, i: int, n: int) -> str:
    marker = f"Correction {n}: an earlier version of report {i} gave the wrong date for the meeting."
    (site / path.lstrip("/")).write_text(article_page(i, extra_body=f"<p>{marker}</p>"), encoding="utf-8")
    return marker


def check_store(store: Path) -> dict[str, tuple[int, str]]:
    """The store is whole: canonical URL -> (revision, text) of every article."""
    assert query(store, "PRAGMA integrity_check") == [("ok",)]
    assert query(store, "PRAGMA foreign_key_check") == []
    tables = {name for (name,) in query(store, "SELECT name FROM sqlite_master WHERE type = 'table'")}
    if not {"articles", "revisions", "pages"} <= tables:  # killed while the first run created the schema
        return {}
    revisions: dict[str, list[tuple[int, str, str]]] = {}
    for article_id, rev, content_hash, text in query(
            store, "SELECT article_id, revision, content_hash, text FROM revisions ORDER BY article_id, revision"):
        revisions.setdefault(article_id, []).append((rev, content_hash, text))
    pages = dict(query(store, "SELECT url, kind FROM pages"))
    out = {}
    for article_id, url, blob, content_hash, revision in query(
            store, "SELECT id, url, record, content_hash, revision FROM articles"):
        record = json.loads(blob)  # a whole record, never a partial one
        assert list(record) == list(RECORD_FIELDS)
        assert record["error"] is None and record["text"] and record["title"]
        assert record["content_hash"] == content_hash == hashlib.sha256(record["text"].encode()).hexdigest()
        assert record["word_count"] == len(record["text"].split())
        revs = revisions.pop(article_id)
        assert [r for r, _, _ in revs] == list(range(1, revision + 1))  # revisions 1..n, none missing
        assert revs[-1][1:] == (content_hash, record["text"])  # the article is its latest revision
        assert pages.get(url) in ("article", "error")  # the crawl state knows it
        out[url] = (revision, record["text"])
    assert revisions == {}, "revisions of no article"
    return out


def recorded(store: Path) -> list:
    """The runs recorded in ``store`` (a crawl may be creating the file and the schema)."""
    try:
        return runs(store) if store.exists() else []
    except sqlite3.OperationalError:
        return []


def last_write(store: Path) -> str | None:
    """When the crawl state was last written (every fetched article, 200 or 304, writes it)."""
    try:
        return query(store, "SELECT MAX(last_fetched) FROM pages")[0][0] if store.exists() else None
    except sqlite3.OperationalError:  # no schema yet
        return None


def test_crawl_killed_12_times_then_rerun_stores_every_article_once(serve, tmp_path, reaper):
    site = tmp_path / "site"
    paths = make_site(site, START)
    server = serve(site, delay=0.005)
    base = server.base_url
    store, stream = tmp_path / "news.db", tmp_path / "stream.jsonl"
    args = ("--sitemap", f"{base}/robots.txt", "--refetch-after", "0", "-o", stream)

    # Two whole runs, into a store of their own: how long Python and Scrapy take to start (until the run is
    # recorded), and how long a re-run takes (conditional GETs and the new articles; the first run, which
    # fetches everything, is longer).
    calibration = tmp_path / "calibration.db"
    crawl(*args[:-2], store=calibration)
    started = time.monotonic()
    proc = start_crawl(*args[:-2], store=calibration)
    reaper(proc)
    while len(recorded(calibration)) < 2 and proc.poll() is None:
        time.sleep(0.02)
    startup = time.monotonic() - started
    assert proc.wait(timeout=60) == 0
    elapsed = time.monotonic() - started

    rng = random.Random(SEED)
    corrections: dict[str, str] = {}  # path -> the last correction's marker
    least: dict[str, int] = {}  # path -> the revision it must at least reach
    had: dict[str, tuple[int, str]] = {}
    landed = {"before the run began": 0, "mid-run, nothing written yet": 0, "mid-run, after writes": 0,
              "after the run finished": 0}
    started = time.monotonic()
    for round_ in range(KILLS):
        if round_:  # the site moves on: new articles, and a correction to an old one
            for _ in range(NEW):
                add_article(site, paths, len(paths))
            write_sitemap(site, paths)
            k = rng.randrange(len(paths))
            corrections[paths[k]] = correct(site, paths[k], int(paths[k].rsplit("-", 1)[1][:-5]), round_)
            # stored already: the correction must become a new revision
            least[paths[k]] = had[base + paths[k]][0] + 1 if base + paths[k] in had else 1
        runs_before = len(recorded(store))
        revisions_before = len(had) and query(store, "SELECT COUNT(*) FROM revisions")[0][0]
        pages_before = last_write(store)

        proc = start_crawl(*args, store=store, settings={"LOG_LEVEL": "ERROR"}, log=tmp_path / f"run{round_}.log")
        reaper(proc)
        # Where the kill falls: a quarter anywhere in the run, start-up included; a quarter in the work that
        # follows the start-up (timed from when this run recorded itself, as start-up times vary on a busy
        # machine); half once the run has written something (a crawl state or an article), in what follows.
        work = max(elapsed - startup, 0.3)
        if round_ % 4 == 0:
            time.sleep(rng.uniform(0, elapsed * 1.1))
        else:
            while len(recorded(store)) <= runs_before and proc.poll() is None:
                time.sleep(0.01)
            if round_ % 4 == 1:
                time.sleep(rng.uniform(0, work * 1.1))
            else:
                while last_write(store) == pages_before and proc.poll() is None:
                    time.sleep(0.01)
                time.sleep(rng.uniform(0, work / 2))
        try:
            if round_ % 4 == 3:
                os.kill(proc.pid, signal.SIGKILL)  # the crawl process alone: its workers must notice
            else:
                os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        code = proc.wait(timeout=30)
        assert wait_group_gone(proc.pid) == [], "extraction workers outlived the killed crawl"
        log = (tmp_path / f"run{round_}.log").read_text(encoding="utf-8", errors="replace")
        assert "Traceback" not in log, log

        if not store.exists():
            landed["before the run began"] += 1
            continue
        now = check_store(store)
        assert set(now) >= set(had), "a stored article was lost"
        assert all(now[url][0] >= rev for url, (rev, _) in had.items()), "a revision was lost"
        had = now
        if stream.exists():  # (a kill during start-up may come before the stream is opened)
            read_jsonl(stream)  # whole lines only
        statuses = [status for status, _ in recorded(store)]
        wrote = (bool(now) and query(store, "SELECT COUNT(*) FROM revisions")[0][0] != revisions_before
                 or last_write(store) != pages_before)
        if len(statuses) == runs_before:
            landed["before the run began"] += 1
        elif statuses[-1] == "finished":
            landed["after the run finished"] += 1
            assert code in (0, -signal.SIGKILL)
        else:
            assert statuses[-1] == "running" and code == -signal.SIGKILL
            landed["mid-run, after writes" if wrote else "mid-run, nothing written yet"] += 1
    kill_loop = time.monotonic() - started

    run = crawl(*args, store=store)
    assert run.code == 0, run.stderr
    final = check_store(store)
    assert sorted(final) == sorted(base + p for p in paths)  # every article, each exactly once
    assert query(store, "SELECT COUNT(*) FROM articles") == [(len(paths),)]
    for p in paths:
        revision, text = final[base + p]
        if p in corrections:  # the latest text, with its last correction
            assert corrections[p] in text and revision >= least[p]
        else:
            assert "Correction" not in text
    assert query(store, "SELECT COUNT(*) FROM pages WHERE kind != 'article'") == [(0,)]
    # A kill of the whole group can reach a worker a moment before the crawl process, which then records
    # that page as an error; the next run fetched it again (checked above). No other error is allowed.
    reasons = [reason for (reason,) in query(store, "SELECT reason FROM errors")]
    assert all(WORKER_DIED in reason for reason in reasons), reasons
    statuses = [status for status, _ in runs(store)]
    assert statuses[-1] == "finished" and set(statuses) <= {"running", "finished"}

    exported = [json.loads(line) for line in call_main("export", "--store", store).stdout.splitlines()]
    assert sorted(r["url"] for r in exported) == sorted(final)
    assert all(r["text"] == final[r["url"]][1] for r in exported)

    # the -o stream: whole lines, no record twice, nothing the store lacks; at most once across kills
    stored = set(query(store, "SELECT a.url, r.content_hash FROM revisions r JOIN articles a ON a.id = r.article_id"))
    streamed = [(r["url"], r["content_hash"]) for r in read_jsonl(stream) if r["error"] is None]
    assert len(streamed) == len(set(streamed))
    assert set(streamed) <= stored
    missing = len(stored - set(streamed))
    print(f"\ncrawl: {KILLS} kills in {kill_loop:.1f} s (one run {elapsed:.2f} s, start-up {startup:.2f} s); kills landed: {landed}; "
          f"{len(paths)} articles, {len(stored)} revisions, {len(stored) - missing} streamed, "
          f"{missing} missing from the -o stream; {len(reasons)} worker-died errors; runs {statuses.count('running')} "
          f"killed, {statuses.count('finished')} finished")
    # the kills did hit runs in the middle of their work, and some after they had written
    assert landed["mid-run, nothing written yet"] + landed["mid-run, after writes"] >= 6, landed
    assert landed["mid-run, after writes"] >= 2, landed
