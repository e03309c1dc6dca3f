"""Incremental crawls: a second run downloads no article it already has; re-fetches are conditional; a page
edited between runs becomes a new revision only when its clean text changed."""

from __future__ import annotations

from .conftest import (NEWSROOM, NEWSROOM_ARTICLES, copy_site, crawl, query, read_jsonl, runs,
                       stored_articles)

FERRY = "/2026/11/20/harbour-ferry-strike-ends.html"
LIBRARY = "/2026/11/19/library-stays-open-on-sundays.html"
TRAM = "/2026/11/18/new-tram-line-opens.html"


def run_hits(server, start: int) -> dict[str, list]:
    """Article path -> the requests for it since ``start`` in the server's log."""
    out: dict[str, list] = {}
    for hit in server.log[start:]:
        if hit.path in NEWSROOM_ARTICLES:
            out.setdefault(hit.path, []).append(hit)
    return out


def test_two_runs_then_conditional_refetches(serve, tmp_path):
    site = copy_site(NEWSROOM, tmp_path / "site")
    server = serve(site)  # one server, one port, for every run: URLs key the store
    base = server.base_url
    store, out = tmp_path / "news.db", tmp_path / "out.jsonl"
    sources = ("--feed", f"{base}/", "--sitemap", f"{base}/robots.txt", "--site", f"{base}/", "-o", out)

    # run 1: everything is new
    crawl(*sources, store=store)
    first = stored_articles(store)
    assert set(first) == {base + p for p in NEWSROOM_ARTICLES}
    assert all(len(hits) == 1 and hits[0].status == 200 for hits in run_hits(server, 0).values())
    lines_after_1 = read_jsonl(out)
    assert len([r for r in lines_after_1 if r["error"] is None]) == 5

    # run 2, within the re-fetch window: no article page is downloaded at all
    mark = len(server.log)
    run = crawl(*sources, store=store)
    assert run_hits(server, mark) == {}
    assert "5 skipped (fresh)" in run.stderr and "0 new" in run.stderr
    assert stored_articles(store) == first
    assert [r for r in read_jsonl(out)[len(lines_after_1):] if r["error"] is None] == []  # nothing new to stream
    assert server.count("/feed.xml") == 2 and server.count("/news-sitemap.xml.gz") == 2  # listings are re-read
    # the host's figures count the skipped articles, so a run that fetches nothing new, with the site's same 4
    # broken links, raises no health alert (docs/health.md)
    assert query(store, "SELECT run_id, skipped, records, fetch_errors FROM host_runs ORDER BY run_id") == [
        (1, 0, 5, 4), (2, 5, 0, 4)]
    assert "health alerts" not in run.stderr

    # between runs, the library story is corrected; the tram story only gets a tracker and share buttons
    library = site / LIBRARY.lstrip("/")
    text = library.read_text(encoding="utf-8")
    assert "council" in text
    library.write_text(text.replace("</article>", "<p>Correction: an earlier version of this story gave the "
                                                  "wrong date for the first Sunday opening.</p></article>"),
                       encoding="utf-8")
    tram = site / TRAM.lstrip("/")
    tram.write_text(tram.read_text(encoding="utf-8")
                    .replace("</head>", '<script async src="https://tracker.example/t.js?v=2"></script>'
                                        '<script>window.dataLayer=[{"page":"tram"}];</script></head>', 1)
                    .replace("</article>", '<div class="share-buttons"><a href="https://www.facebook.com/sharer.php">'
                                           "Share</a> <a href=\"https://wa.me/\">WhatsApp</a></div></article>", 1),
                    encoding="utf-8")

    # run 3, everything due for a re-fetch: conditional GETs; 304 for the untouched pages
    mark = len(server.log)
    lines_before_3 = len(read_jsonl(out))
    run = crawl(*sources, "--refetch-after", "0", store=store)
    hits = run_hits(server, mark)
    assert set(hits) == set(NEWSROOM_ARTICLES)
    for path, requests in hits.items():
        assert len(requests) == 1, path
        headers = requests[0].headers
        assert headers.get("if-none-match", "").startswith('"'), (path, headers)
        assert headers.get("if-modified-since") == "Thu, 01 Jan 2026 00:00:00 GMT"
        assert requests[0].status == (200 if path in (LIBRARY, TRAM) else 304), path
    assert "1 changed, 1 unchanged" in run.stderr and "3 not modified (304)" in run.stderr

    after = stored_articles(store)
    assert set(after) == set(first)
    assert after[base + LIBRARY]["revision"] == 2 and "Correction:" in after[base + LIBRARY]["text"]
    assert after[base + TRAM]["revision"] == 1 and after[base + TRAM]["text"] == first[base + TRAM]["text"]
    revisions = dict(query(store, "SELECT a.url, COUNT(*) FROM revisions r JOIN articles a ON a.id = r.article_id "
                                  "GROUP BY a.url"))
    assert revisions == {url: (2 if url == base + LIBRARY else 1) for url in first}
    # the stream gets the one changed article, and nothing for the tracker-only edit
    new_lines = [r for r in read_jsonl(out)[lines_before_3:] if r["error"] is None]
    assert [r["url"] for r in new_lines] == [base + LIBRARY]

    # run 4: the new ETags were kept, for the changed and the unchanged page alike: all 304
    mark = len(server.log)
    run = crawl(*sources, "--refetch-after", "0", store=store)
    hits = run_hits(server, mark)
    assert {path: [h.status for h in reqs] for path, reqs in hits.items()} == {p: [304] for p in NEWSROOM_ARTICLES}
    assert "5 not modified (304)" in run.stderr
    assert query(store, "SELECT COUNT(*) FROM revisions") == [(6,)]
    assert [status for status, _ in runs(store)] == ["finished"] * 4
    assert query(store, "PRAGMA integrity_check") == [("ok",)]
