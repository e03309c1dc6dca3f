"""Interrupted crawls: killed with SIGKILL, or stopped with Ctrl-C (SIGINT to the process group) or SIGTERM.
The next run resumes with nothing lost or duplicated; the store stays whole."""

from __future__ import annotations

import os
import signal
import sqlite3
import time
from pathlib import Path

import pytest

from .conftest import crawl, make_site, query, read_jsonl, runs, start_crawl

ARTICLES = 150


def stored_count(store: Path) -> int:
    try:
        return query(store, "SELECT COUNT(*) FROM articles")[0][0]
    except sqlite3.OperationalError:  # not created yet, or the schema is being written
        return 0


def wait_for_articles(proc, store: Path, at_least: int, timeout: float = 60) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        count = stored_count(store)
        if count >= at_least:
            return count
        assert proc.poll() is None, f"the crawl ended early (exit {proc.returncode}) with {count} articles"
        time.sleep(0.05)
    raise AssertionError(f"fewer than {at_least} articles stored after {timeout} s")


def live_group_members(pgid: int) -> list[int]:
    """Processes of a process group that are still running (zombies, which nobody has reaped, count as gone)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()  # after "pid (comm) ": state, ppid, pgrp, ...
        if int(fields[2]) == pgid and fields[0] not in ("Z", "X"):
            pids.append(int(entry.name))
    return pids


def wait_group_gone(pgid: int, timeout: float = 10) -> list[int]:
    if not Path("/proc/self/stat").exists():
        return []
    deadline = time.monotonic() + timeout
    while (alive := live_group_members(pgid)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return alive


def test_killed_crawl_resumes_with_nothing_lost_or_duplicated(serve, tmp_path, group_reaper):
    paths = make_site(tmp_path / "site", ARTICLES)
    # The server lets 40 article pages through, then holds the rest: the kill lands half-way for sure.
    server = serve(tmp_path / "site", gate=True)
    server.release(40)
    base = server.base_url
    store, out = tmp_path / "gazette.db", tmp_path / "gazette.jsonl"
    args = ("--sitemap", f"{base}/robots.txt", "-o", out)

    proc = start_crawl(*args, store=store, log=tmp_path / "run1.log")
    group_reaper(proc.pid)
    wait_for_articles(proc, store, 30)
    proc.send_signal(signal.SIGKILL)  # the crawl process only, as `kill -9 PID` would
    proc.wait(timeout=10)
    server.open_gate()
    assert wait_group_gone(proc.pid) == [], "extraction workers outlived the killed crawl"

    first = {url for (url,) in query(store, "SELECT url FROM articles")}
    assert 30 <= len(first) < ARTICLES, "the crawl was not killed half-way"
    assert query(store, "PRAGMA integrity_check") == [("ok",)]
    assert [status for status, _ in runs(store)] == ["running"]  # killed: it never got to say otherwise
    read_jsonl(out)  # whole lines only

    mark = len(server.log)
    run = crawl(*args, store=store)
    assert run.code == 0, run.stderr

    urls = {url for (url,) in query(store, "SELECT url FROM articles")}
    assert urls == {base + p for p in paths}
    assert query(store, "SELECT COUNT(*), MAX(revision) FROM articles") == [(ARTICLES, 1)]
    assert query(store, "SELECT article_id FROM revisions GROUP BY article_id HAVING COUNT(*) > 1") == []
    assert query(store, "SELECT COUNT(*) FROM revisions") == [(ARTICLES,)]
    assert query(store, "SELECT COUNT(*) FROM errors") == [(0,)]
    assert query(store, "PRAGMA integrity_check") == [("ok",)]
    assert [status for status, _ in runs(store)] == ["running", "finished"]
    # the second run fetched only what the first had not stored, each page once
    second_hits = [h.path for h in server.log[mark:] if h.path.endswith(".html")]
    assert len(second_hits) == len(set(second_hits)) == ARTICLES - len(first)
    assert not {base + p for p in second_hits} & first
    assert f"{len(first)} skipped (fresh)" in run.stderr

    # The -o file: whole lines, no article twice, nothing the store lacks. A record whose store commit
    # landed just before the kill, but whose line was not yet written, is missing from it (the two writes
    # are not one transaction; the store is the source of truth, and `presswash export` rebuilds the file).
    records = read_jsonl(out)
    streamed = [r["url"] for r in records if r["error"] is None]
    assert len(streamed) == len(set(streamed))
    assert set(streamed) <= urls
    assert len(urls - set(streamed)) <= 2, sorted(urls - set(streamed))


@pytest.mark.parametrize("how", ["ctrl-c", "kill", "stop-service"])
def test_ctrl_c_or_kill_stops_gracefully_and_records_an_interrupted_run(serve, tmp_path, group_reaper, how):
    make_site(tmp_path / "site", ARTICLES)
    # 20 article pages go through, the rest wait: the crawl is surely mid-way when the signal comes.
    server = serve(tmp_path / "site", gate=True)
    server.release(20)
    store, out, log = tmp_path / "gazette.db", tmp_path / "gazette.jsonl", tmp_path / "run.log"

    proc = start_crawl("--sitemap", f"{server.base_url}/robots.txt", "-o", out, store=store, log=log)
    group_reaper(proc.pid)
    wait_for_articles(proc, store, 15)
    if how == "ctrl-c":
        os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C in a terminal reaches the whole foreground group
    elif how == "kill":
        proc.send_signal(signal.SIGTERM)  # `kill PID`
    else:
        os.killpg(proc.pid, signal.SIGTERM)  # systemd stopping a service: SIGTERM to every process of it
    server.open_gate()  # the requests in flight finish; a stopping crawl starts no new ones
    assert proc.wait(timeout=60) == 1
    assert wait_group_gone(proc.pid) == []

    stderr = log.read_text(encoding="utf-8", errors="replace")
    assert "Traceback" not in stderr, stderr
    assert "stopped: shutdown" in stderr
    count = stored_count(store)
    assert 15 <= count < ARTICLES
    ((status, stats),) = runs(store)
    assert status == "interrupted"
    assert stats["articles_new"] == count
    # the host's figures are recorded with the interrupted run (docs/health.md)
    assert query(store, "SELECT run_id, host, articles_new FROM host_runs") == [(1, "127.0.0.1", count)]
    # the pages in flight were finished, not lost: no worker died under the Ctrl-C
    assert query(store, "SELECT COUNT(*) FROM errors") == [(0,)]
    assert query(store, "PRAGMA integrity_check") == [("ok",)]
    # a graceful stop leaves the -o file exactly in step with the store
    streamed = [r["url"] for r in read_jsonl(out)]
    assert sorted(streamed) == sorted(url for (url,) in query(store, "SELECT url FROM articles"))
