"""Crawls stay controllable (issue 10, defects 9, 12 and 14): delays over PRESSWASH_MAX_DELAY skip their
host, SIGTERM ends any crawl (a second signal at once), logs fit cron, bad command-line values exit 2."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from .conftest import ENV, PRESSWASH, article_hits, crawl, errors, make_site, query, runs, start_crawl, stored_articles
from .test_interrupt import group_reaper, wait_group_gone  # noqa: F401 - group_reaper is a fixture


def wait_for(condition, what: str, proc: subprocess.Popen | None = None, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert proc is None or proc.poll() is None, f"the crawl ended (exit {proc.returncode}) before {what}"
        assert time.monotonic() < deadline, f"no {what} after {timeout} s"
        time.sleep(0.05)


def on_localhost(server, folder: Path) -> str:
    """Serve ``folder``'s robots.txt and sitemap with http://localhost:PORT URLs: another host name than
    127.0.0.1, so another download slot and another host for the delay cap. Returns that base URL."""
    base = server.base_url.replace("127.0.0.1", "localhost")
    for name in ("robots.txt", "sitemap.xml"):
        file = folder / name
        file.write_text(file.read_text().replace("{{BASE}}", base))
    return base


def run_rows(store: Path) -> list[str]:
    try:
        return [status for status, _ in runs(store)]
    except Exception:  # the store or its schema is being created
        return []


# delays over the cap ------------------------------------------------------------------------------------
def test_a_huge_crawl_delay_skips_its_host_and_the_crawl_goes_on(serve, tmp_path):
    make_site(tmp_path / "slow", 3, crawl_delay=100000)
    fine_paths = make_site(tmp_path / "fine", 3)
    slow, fine = serve(tmp_path / "slow"), serve(tmp_path / "fine")
    fine_base = on_localhost(fine, tmp_path / "fine")
    store = tmp_path / "delay.db"
    run = crawl("--sitemap", f"{slow.base_url}/robots.txt", "--sitemap", f"{fine_base}/robots.txt", store=store)
    assert run.code == 1, run.stderr  # the skipped host's requests are errors
    assert set(stored_articles(store)) == {fine_base + p for p in fine_paths}
    assert article_hits(slow, None) == []
    reasons = [r for rs in errors(store).values() for r in rs]
    assert reasons and all("127.0.0.1 asks for 100000 s between requests" in r and "PRESSWASH_MAX_DELAY (60 s)" in r
                           for r in reasons), reasons
    assert "WARNING: skipped: 127.0.0.1 asks for 100000 s" in run.stderr
    assert "hosts skipped: 1" in run.stderr
    assert run_rows(store) == ["finished"]


def test_a_tiny_configured_rate_skips_its_host(serve, tmp_path):
    make_site(tmp_path / "slow", 2)
    fine_paths = make_site(tmp_path / "fine", 2)
    slow, fine = serve(tmp_path / "slow"), serve(tmp_path / "fine")
    fine_base = on_localhost(fine, tmp_path / "fine")
    config = tmp_path / "sites.toml"
    config.write_text(f'[[site]]\nname = "slow"\nsitemaps = ["{slow.base_url}/robots.txt"]\nrate = 1e-300\n\n'
                      f'[[site]]\nname = "fine"\nsitemaps = ["{fine_base}/robots.txt"]\n')
    store = tmp_path / "rate.db"
    run = crawl("--config", config, store=store)
    assert run.code == 1, run.stderr
    assert len(stored_articles(store)) == len(fine_paths)
    assert slow.hits == []  # not even robots.txt: the slot would never have let it out
    reasons = [r for rs in errors(store).values() for r in rs]
    assert reasons and all("(its configured rate (DOWNLOAD_SLOTS)), over PRESSWASH_MAX_DELAY" in r for r in reasons)


# stopping -------------------------------------------------------------------------------------------------
def test_sigterm_ends_a_crawl_waiting_out_a_huge_delay(serve, tmp_path, group_reaper):
    make_site(tmp_path / "site", 5, crawl_delay=100000)
    server = serve(tmp_path / "site")
    store, log = tmp_path / "stuck.db", tmp_path / "run.log"
    # With the cap raised the crawl obeys Crawl-delay: 100000, and waits after its first robots.txt.
    proc = start_crawl("--sitemap", f"{server.base_url}/robots.txt", store=store, log=log,
                       settings={"PRESSWASH_MAX_DELAY": "1000000"})
    group_reaper(proc.pid)
    wait_for(lambda: server.hits and run_rows(store) == ["running"], "robots.txt fetched", proc)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=60) == 1
    assert wait_group_gone(proc.pid) == []
    stderr = log.read_text(encoding="utf-8", errors="replace")
    assert "Traceback" not in stderr and "stopped: shutdown" in stderr, stderr
    assert run_rows(store) == ["interrupted"]
    assert query(store, "SELECT COUNT(*) FROM errors") == [(0,)]  # requests not made are not errors
    assert query(store, "PRAGMA integrity_check") == [("ok",)]


@pytest.mark.parametrize("how", ["deadline", "second-signal"])
def test_a_stuck_graceful_stop_ends_at_the_deadline_or_a_second_signal(serve, tmp_path, group_reaper, how):
    paths = make_site(tmp_path / "site", 2)
    # Each article sends its headers and half its body, then nothing for 100 s: a request surely in flight,
    # which a graceful stop waits for (up to DOWNLOAD_TIMEOUT, 30 s, and its retries).
    (tmp_path / "site" / "_routes.toml").write_text("[slow]\n" + "".join(f'"{p}" = 100\n' for p in paths))
    server = serve(tmp_path / "site")
    store, log = tmp_path / "held.db", tmp_path / "run.log"
    settings = {"PRESSWASH_SHUTDOWN_TIMEOUT": "1"} if how == "deadline" else {"LOG_LEVEL": "INFO"}
    proc = start_crawl("--sitemap", f"{server.base_url}/robots.txt", store=store, log=log, settings=settings)
    group_reaper(proc.pid)
    wait_for(lambda: bool(article_hits(server)) and run_rows(store) == ["running"], "an article request", proc)
    proc.send_signal(signal.SIGTERM)
    if how == "second-signal":
        wait_for(lambda: "in flight are finished" in log.read_text(errors="replace"), "the stopping line", proc)
        proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=60) == 1
    stderr = log.read_text(encoding="utf-8", errors="replace")
    assert "Traceback" not in stderr, stderr
    why = "PRESSWASH_SHUTDOWN_TIMEOUT (1 s) passed" if how == "deadline" else "a second SIGTERM"
    assert f"stopping at once: {why}" in stderr, stderr
    assert "stopped: shutdown" in stderr
    assert run_rows(store) == ["interrupted"]
    assert query(store, "PRAGMA integrity_check") == [("ok",)]
