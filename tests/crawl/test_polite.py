"""Politeness that needs real time to show: robots.txt Crawl-delay, with AutoThrottle on."""

from __future__ import annotations

from .conftest import crawl, make_site, runs, stored_articles


def test_crawl_delay_spaces_requests_to_the_host(serve, tmp_path):
    paths = make_site(tmp_path / "site", 3, crawl_delay=0.5)
    server = serve(tmp_path / "site")
    store = tmp_path / "slow.db"
    # The project's polite defaults (AutoThrottle on, random jitter of delays), except DOWNLOAD_DELAY=0:
    # nothing but the Crawl-delay keeps AutoThrottle from speeding up against this fast loopback server.
    run = crawl("--sitemap", f"{server.base_url}/robots.txt", store=store, fast=False,
                settings={"DOWNLOAD_DELAY": "0", "LOG_LEVEL": "WARNING"})
    assert run.code == 0, run.stderr
    assert set(stored_articles(store)) == {server.base_url + p for p in paths}

    times = sorted(hit.time for hit in server.log)
    assert len(times) == 6  # robots.txt (Scrapy's and the spider's), the sitemap, three articles
    gaps = [round(b - a, 3) for a, b in zip(times, times[1:])]
    assert min(gaps) >= 0.475, gaps  # the Crawl-delay, less 5% for the clocks
    ((status, stats),) = runs(store)
    assert status == "finished" and stats["crawl_delay/127.0.0.1"] == 0.5
