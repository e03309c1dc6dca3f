"""`presswash export` while a crawl writes to the same store (issue 5: "an export can run while a crawl
writes"). The store is in WAL mode and each article is one transaction, so every export sees a consistent
snapshot: whole records only, none twice, and never fewer than the export before it."""

from __future__ import annotations

import hashlib
import json

from scraper.core.document import RECORD_FIELDS

from tests.conftest import call_main

from .conftest import crawl, make_site, query, start_crawl
from .test_crash import reaper  # noqa: F401  (a fixture)
from .test_interrupt import wait_for_articles

ARTICLES = 120


def check_export(records: list[dict]) -> set[str]:
    urls = [r["url"] for r in records]
    assert len(urls) == len(set(urls)), "an article exported twice"
    for r in records:
        assert set(r) == set(RECORD_FIELDS) | {"revision", "first_seen", "last_changed"}
        assert r["error"] is None and r["text"] and r["revision"] == 1
        assert r["content_hash"] == hashlib.sha256(r["text"].encode("utf-8")).hexdigest()
        assert r["word_count"] == len(r["text"].split())
    return set(urls)


def export(store, n: int, out) -> set[str]:
    """One export, alternately to a file (written atomically) and to stdout; the URLs it holds."""
    run = call_main("export", "--store", store, *(("-o", out) if n % 2 else ()))
    assert run.code == 0, run.stderr
    text = out.read_text(encoding="utf-8") if n % 2 else run.stdout
    assert text == "" or text.endswith("\n")
    records = [json.loads(line) for line in text.splitlines()]
    assert f"presswash export: {len(records)} articles" in run.stderr
    return check_export(records)


def test_export_runs_while_a_crawl_writes(serve, tmp_path, reaper):  # noqa: F811
    paths = make_site(tmp_path / "site", ARTICLES)
    # The server holds the article pages until the test lets them through, so the crawl is known to be
    # running (and writing) during each export, however fast or busy the machine is.
    server = serve(tmp_path / "site", gate=True)
    base = server.base_url
    store = tmp_path / "live.db"
    proc = start_crawl("--sitemap", f"{base}/robots.txt", store=store, log=tmp_path / "crawl.log",
                       settings={"DOWNLOAD_TIMEOUT": "300"})
    reaper(proc)

    seen: list[set[str]] = []
    let_through = 0
    for n, batch in enumerate((10, 20, 30, 30)):
        let_through += batch
        server.release(batch)
        # Some of the batch stored, and the crawl still waiting for the pages the gate holds: export.
        wait_for_articles(proc, store, let_through - batch // 2)
        urls = export(store, n, tmp_path / f"export-{n}.jsonl")
        assert proc.poll() is None, "the crawl ended while pages were held back"
        assert 0 < len(urls) <= let_through < ARTICLES
        assert not seen or urls >= seen[-1], "an article disappeared between two exports"
        seen.append(urls)
    server.open_gate()
    n = len(seen)
    while proc.poll() is None:  # exports go on until the crawl ends, and one after
        urls = export(store, n, tmp_path / f"export-{n}.jsonl")
        assert urls >= seen[-1], "an article disappeared between two exports"
        seen.append(urls)
        n += 1
    assert proc.wait(timeout=60) == 0, (tmp_path / "crawl.log").read_text()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []  # no temporary files

    # a last export after the crawl has everything, each once; the crawl itself lost nothing to the exports
    final = call_main("export", "--store", store)
    assert check_export([json.loads(line) for line in final.stdout.splitlines()]) == {base + p for p in paths}
    assert query(store, "PRAGMA integrity_check") == [("ok",)]
    assert query(store, "SELECT COUNT(*) FROM errors") == [(0,)]
    again = crawl("--sitemap", f"{base}/robots.txt", store=store)
    assert again.code == 0 and f"{ARTICLES} skipped (fresh)" in again.stderr
