"""Real crawls into a PostgreSQL store: `presswash crawl --store postgresql://…` (or $PRESSWASH_STORE) runs
incrementally as it does on SQLite, and so does `scrapy crawl news -s PRESSWASH_STORE=postgresql://…`;
`export`, `mine` and the demo's report read the same store, and exports taken while a crawl writes are
consistent snapshots."""

from __future__ import annotations

import json
import subprocess
import time

from scraper.store import Store, StoreError
from tests.conftest import call_main
from tests.crawl.conftest import (ENV, NEWSROOM, NEWSROOM_ARTICLES, PRESSWASH, ROOT, SCRAPY, copy_site, crawl,
                                  make_site, presswash, serve, start_crawl)  # noqa: F401  (serve: a fixture)
from tests.crawl.test_crash import reaper  # noqa: F401  (a fixture)
from tests.crawl.test_live_export import check_export
from tests.services import free_port
from tests.store.conftest import sql

LIBRARY = "/2026/11/19/library-stays-open-on-sundays.html"


def stored(url: str) -> dict[str, dict]:
    with Store(url, read_only=True) as store:
        return {r["url"]: r for r in store.articles()}


def article_requests(server, start: int) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for hit in server.log[start:]:
        if hit.path in NEWSROOM_ARTICLES:
            out.setdefault(hit.path, []).append(hit.status)
    return out


def test_incremental_crawls_into_postgresql(serve, tmp_path, postgresql_url, monkeypatch):  # noqa: F811
    site = copy_site(NEWSROOM, tmp_path / "site")
    server = serve(site)
    base = server.base_url
    sources = ("--feed", f"{base}/", "--sitemap", f"{base}/robots.txt", "--site", f"{base}/")

    run = crawl(*sources, store=postgresql_url)
    assert "5 new" in run.stderr and "errors 4" in run.stderr, run.stderr  # the site has 4 broken links
    first = stored(postgresql_url)
    assert set(first) == {base + p for p in NEWSROOM_ARTICLES}
    assert all(statuses == [200] for statuses in article_requests(server, 0).values())

    # run 2 names its store by $PRESSWASH_STORE alone: nothing is downloaded again
    mark = len(server.log)
    proc = subprocess.run([PRESSWASH, "crawl", *sources, "-s", "LOG_LEVEL=WARNING", "-s", "DOWNLOAD_DELAY=0",
                           "-s", "AUTOTHROTTLE_ENABLED=False"], capture_output=True, text=True, timeout=120,
                          env={**ENV, "PRESSWASH_STORE": postgresql_url}, cwd=tmp_path)
    assert "5 skipped (fresh)" in proc.stderr and "Traceback" not in proc.stderr, proc.stderr
    assert article_requests(server, mark) == {} and not (tmp_path / "presswash.db").exists()

    # run 3 re-fetches with conditional GET: one story was corrected, the others answer 304
    library = site / LIBRARY.lstrip("/")
    library.write_text(library.read_text(encoding="utf-8").replace(
        "</article>", "<p>Correction: the first Sunday opening is in January, not December.</p></article>"),
        encoding="utf-8")
    mark = len(server.log)
    run = crawl(*sources, "--refetch-after", "0", store=postgresql_url)
    assert "1 changed" in run.stderr and "4 not modified (304)" in run.stderr, run.stderr
    assert article_requests(server, mark) == {p: [200 if p == LIBRARY else 304] for p in NEWSROOM_ARTICLES}
    after = stored(postgresql_url)
    assert after[base + LIBRARY]["revision"] == 2 and "Correction:" in after[base + LIBRARY]["text"]
    with Store(postgresql_url, read_only=True) as store:
        assert store.count("articles") == 5 and store.count("revisions") == 6 and store.count("errors") == 12
        assert sql(store, "SELECT status FROM runs ORDER BY id") == [("finished",)] * 3

    # the other commands read the same store, by --store or by $PRESSWASH_STORE
    out = tmp_path / "export.jsonl"
    exported = call_main("export", "--store", postgresql_url, "-o", out)
    assert exported.code == 0 and "5 articles" in exported.stderr
    assert {json.loads(line)["url"]: json.loads(line)["text"] for line in out.read_text().splitlines()} == {
        url: r["text"] for url, r in after.items()}
    monkeypatch.setenv("PRESSWASH_STORE", postgresql_url)
    assert "5 articles" in call_main("export", "-o", tmp_path / "env.jsonl").stderr
    mined = call_main("mine", "--min-pages", "3", "-o", tmp_path / "mined")
    assert mined.code == 0 and "5 pages, 1 hosts" in mined.stderr, mined.stderr
    assert call_main("mine", "--stored", "--store", postgresql_url, "-o", tmp_path / "stored").code == 0


def test_demo_reports_from_postgresql(tmp_path, postgresql_url):
    port = free_port()
    run = presswash("demo", "--site-dir", NEWSROOM, "--store", postgresql_url, "--port", port, cwd=tmp_path,
                    timeout=90)
    assert run.returncode == 0, run.stderr
    assert "the store holds 5 articles, 5 revisions, 4 errors over 1 runs" in run.stdout
    assert f"into {postgresql_url}" in run.stderr and not list(tmp_path.iterdir())


def stored_count(url: str) -> int:
    try:
        with Store(url, read_only=True) as store:
            return store.count("articles")
    except StoreError:  # the crawl has not made the tables yet
        return 0


def wait_for(proc, url: str, at_least: int, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while stored_count(url) < at_least:
        assert proc.poll() is None, f"the crawl ended early (exit {proc.returncode})"
        assert time.monotonic() < deadline, f"fewer than {at_least} articles stored after {timeout} s"
        time.sleep(0.05)


def test_export_from_postgresql_while_a_crawl_writes(serve, tmp_path, postgresql_url, reaper):  # noqa: F811
    articles = 60
    paths = make_site(tmp_path / "site", articles)
    server = serve(tmp_path / "site", gate=True)  # article pages wait until the test lets them through
    base = server.base_url
    proc = start_crawl("--sitemap", f"{base}/robots.txt", store=postgresql_url, log=tmp_path / "crawl.log",
                       settings={"DOWNLOAD_TIMEOUT": "300"})
    reaper(proc)
    seen: list[set[str]] = []
    let_through = 0
    for batch in (10, 20, 20):
        let_through += batch
        server.release(batch)
        wait_for(proc, postgresql_url, let_through - batch // 2)
        run = call_main("export", "--store", postgresql_url)
        assert run.code == 0, run.stderr
        urls = check_export([json.loads(line) for line in run.stdout.splitlines()])
        assert proc.poll() is None, "the crawl ended while pages were held back"
        assert 0 < len(urls) <= let_through < articles
        assert not seen or urls >= seen[-1], "an article disappeared between two exports"
        seen.append(urls)
    server.open_gate()
    assert proc.wait(timeout=120) == 0, (tmp_path / "crawl.log").read_text()
    final = call_main("export", "--store", postgresql_url)
    assert check_export([json.loads(line) for line in final.stdout.splitlines()]) == {base + p for p in paths}
    again = crawl("--sitemap", f"{base}/robots.txt", store=postgresql_url)
    assert again.code == 0 and f"{articles} skipped (fresh)" in again.stderr


def test_scrapy_crawl_with_a_postgresql_store_setting(serve, postgresql_url):  # noqa: F811
    base = serve(NEWSROOM).base_url
    cmd = [SCRAPY, "crawl", "news", "-a", f"feed={base}/feed.xml", "-s", f"PRESSWASH_STORE={postgresql_url}",
           "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "RETRY_BACKOFF_BASE=0.05",
           "-s", "LOG_LEVEL=WARNING"]
    proc = subprocess.run(cmd, cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=90)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    # the four feed items that lead to articles (one through a redirect); the fifth is a 404
    assert set(stored(postgresql_url)) == {base + p for p in list(NEWSROOM_ARTICLES)[:4]}
    with Store(postgresql_url, read_only=True) as store:
        assert sql(store, "SELECT url, reason FROM errors") == [(f"{base}/2026/11/10/story-that-is-gone.html",
                                                                 "HTTP 404")]
        assert sql(store, "SELECT status FROM runs") == [("finished",)]
