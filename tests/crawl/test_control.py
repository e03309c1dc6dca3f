"""Crawls stay controllable (issue 10, defects 9, 12 and 14): delays over PRESSWASH_MAX_DELAY skip their
host, SIGTERM ends any crawl (a second signal at once), logs fit cron, bad command-line values exit 2."""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path

import pytest

from .conftest import ENV, PRESSWASH, article_hits, crawl, errors, make_site, query, runs, start_crawl, stored_articles
from .test_interrupt import wait_group_gone


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


# logs ---------------------------------------------------------------------------------------------------
def test_default_logs_fit_cron_and_verbose_adds_debug_without_bodies(serve, tmp_path):
    paths = make_site(tmp_path / "site", 4)
    server = serve(tmp_path / "site")
    quick = {"DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_ENABLED": "False"}  # the default LOG_LEVEL
    run = crawl("--sitemap", f"{server.base_url}/robots.txt", store=tmp_path / "a.db", fast=False, settings=quick)
    assert run.code == 0, run.stderr
    assert "DEBUG" not in run.stderr and "Scraped from" not in run.stderr
    assert "Overridden settings" not in run.stderr and "Enabled downloader middlewares" not in run.stderr
    assert "Councillors in" not in run.stderr  # no article text
    assert run.stderr.count("presswash crawl:") == 1  # one summary
    assert "Dumping Scrapy stats" not in run.stderr

    log = tmp_path / "crawl.log"
    verbose = crawl("--sitemap", f"{server.base_url}/robots.txt", "--verbose", "--log-file", log,
                    store=tmp_path / "b.db", fast=False, settings=quick)
    assert verbose.code == 0, verbose.stderr
    text = log.read_text(encoding="utf-8")
    assert "DEBUG: Crawled (200)" in text
    for path in paths:  # each item named by its kind and URL
        assert f"\nProcessedPage {server.base_url}{path}\n" in text
    assert "Scraped from" in text and "Councillors in" not in text
    assert "Councillors in" not in verbose.stderr and "DEBUG" not in verbose.stderr  # the log went to the file
    assert "presswash crawl:" in verbose.stderr


# bad command-line values ----------------------------------------------------------------------------------
@pytest.mark.parametrize("args, message", [
    (["--sitemap", "http://127.0.0.1:9/robots.txt", "-s", "DOWNLOAD_MAXSIZE=abc"],
     "DOWNLOAD_MAXSIZE must be a whole number of 0 or more, not 'abc'"),
    (["--sitemap", "http://127.0.0.1:9/robots.txt", "-s", "DOWNLOAD_DELAY=nan"],
     "DOWNLOAD_DELAY must be a number of 0 or more, not 'nan'"),
    (["--sitemap", "http://127.0.0.1:9/robots.txt", "-s", "DOWNLOAD_DELAY=1000"],
     "DOWNLOAD_DELAY (1000 s) is over PRESSWASH_MAX_DELAY (60 s)"),
    (["--sitemap", "http://127.0.0.1:9/robots.txt", "-s", "ROBOTSTXT_OBEY=maybe"],
     "ROBOTSTXT_OBEY must be true or false, not 'maybe'"),
    (["--sitemap", "http://127.0.0.1:9/robots.txt", "-s", "PRESSWASH_SHUTDOWN_TIMEOUT=3600"],
     "PRESSWASH_SHUTDOWN_TIMEOUT must be at most 30 seconds"),
    (["--feed", "not-a-url"], "--feed: not an http(s) URL: 'not-a-url'"),
    (["--site", "http://127.0.0.1:99999/"], "--site: not a URL: 'http://127.0.0.1:99999/'"),
    (["--sitemap", "http://[::1/x"], "--sitemap: not a URL: 'http://[::1/x'"),
    (["--feed", "http://127.0.0.1:9/feed", "--log-file", "/nonexistent-folder/crawl.log"],
     "--log-file /nonexistent-folder/crawl.log: no folder /nonexistent-folder"),
])
def test_bad_values_get_a_clear_message_and_exit_2(tmp_path, args, message):
    store = tmp_path / "bad.db"
    proc = subprocess.run([PRESSWASH, "crawl", "--store", str(store), *args], capture_output=True, text=True,
                          env=ENV, timeout=60)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert f"presswash crawl: {message}" in proc.stderr
    assert not store.exists()  # refused before anything started


@pytest.mark.parametrize("rate", ["nan", "inf", "0", "-1"])
def test_a_config_rate_that_is_no_rate_is_refused(tmp_path, rate):
    config = tmp_path / "sites.toml"
    config.write_text(f'[[site]]\nname = "x"\nfeeds = ["http://127.0.0.1:9/feed"]\nrate = {rate}\n')
    proc = subprocess.run([PRESSWASH, "crawl", "--store", str(tmp_path / "x.db"), "--config", str(config)],
                          capture_output=True, text=True, env=ENV, timeout=60)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    assert "rate must be above 0 requests per second, and finite" in proc.stderr
