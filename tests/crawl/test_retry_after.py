"""Retry-After in every form RFC 9110 allows (delta-seconds, and an HTTP-date as IMF-fixdate, RFC 850 or
asctime, with GMT, -0000 or no zone), and garbage ignored, never an exception (issue 10, defect 10)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from scraper.crawl.middlewares import retry_after_seconds

from .conftest import crawl, make_site, stored_articles

NOW = datetime(2026, 11, 20, 12, 0, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("header, seconds", [
    (b"120", 120.0),
    (b"  0 ", 0.0),
    (b"Fri, 20 Nov 2026 12:00:30 GMT", 30.0),  # IMF-fixdate
    (b"Fri, 20 Nov 2026 12:00:30 -0000", 30.0),  # -0000: the email parser leaves it naive (the reported TypeError)
    (b"Fri, 20 Nov 2026 12:00:30 +0000", 30.0),
    (b"Fri, 20 Nov 2026 14:00:30 +0200", 30.0),
    (b"Fri, 20 Nov 2026 12:00:30", 30.0),  # no zone: HTTP dates are GMT
    (b"Friday, 20-Nov-26 12:01:00 GMT", 60.0),  # obsolete RFC 850
    (b"Fri Nov 20 12:00:45 2026", 45.0),  # asctime
    (b"Fri Nov  6 12:00:45 2026", 0.0),  # asctime with its padded day, in the past: no wait
    (b"Sun, 06 Nov 1994 08:49:37 GMT", 0.0),  # in the past
])
def test_retry_after_forms(header, seconds):
    assert retry_after_seconds(header, now=NOW) == seconds


@pytest.mark.parametrize("header", [
    None, b"", b"soon", b"-5", b"1.5e3", "\u00b2".encode("utf-8"), "\u00b2".encode("latin-1"),
    b"Fri, 99 Nov 2026 12:00:30 GMT", b"Fri, 20 Nov 2026 25:00:30 GMT", b"Fri, 20 Nov 99999 12:00:30 GMT",
    b"Fri, 20 Nov", b"\xff\xfe\x00",
])
def test_retry_after_garbage_is_ignored(header):
    assert retry_after_seconds(header, now=NOW) is None


def test_a_minus_0000_retry_after_is_retried_in_a_crawl(serve, tmp_path):
    site = tmp_path / "site"
    paths = make_site(site, 3)
    # the first two requests for each article get a 503 with a Retry-After date in the past, in three forms
    dates = ["Thu, 01 Jan 1970 00:00:00 -0000", "Thursday, 01-Jan-70 00:00:00 GMT", "Thu Jan  1 00:00:00 1970"]
    routes = "\n".join(f'"{p}" = {{ status = 503, times = 2, retry_after = "{d}" }}' for p, d in zip(paths, dates))
    (site / "_routes.toml").write_text(f"[flaky]\n{routes}\n")
    server = serve(site)
    store = tmp_path / "retry.db"
    run = crawl("--sitemap", f"{server.base_url}/robots.txt", store=store)
    assert run.code == 0, run.stderr
    assert set(stored_articles(store)) == {server.base_url + p for p in paths}
    for path in paths:
        assert [status for p, status in server.hits if p == path] == [503, 503, 200]
    assert "TypeError" not in run.stderr
