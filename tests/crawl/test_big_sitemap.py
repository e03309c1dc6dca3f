"""A sitemap bigger than what the sitemap callback lets the scheduler hold (issue 10, defect 11): every entry
is still requested once, and the run ends normally. Speed and memory are measured in benchmarks/big_sitemap.py."""

from __future__ import annotations

from spiders.discovery import SitemapReader, parse_sitemap
from spiders.news import SITEMAP_PENDING

from .conftest import crawl, query, runs

URLS = 3 * SITEMAP_PENDING


def test_every_entry_of_a_big_sitemap_is_requested_once(serve, tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "robots.txt").write_text("User-agent: *\nSitemap: {{BASE}}/sitemap.xml\n")
    paths = [f"/gone/story-{i}.html" for i in range(URLS)]  # 404s: fetching is the point, not extraction
    (site / "sitemap.xml").write_text('<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
                                      + "".join(f"<url><loc>{{{{BASE}}}}{p}</loc></url>\n" for p in paths)
                                      + "</urlset>\n")
    server = serve(site)
    store = tmp_path / "big.db"
    run = crawl("--sitemap", f"{server.base_url}/robots.txt", store=store, timeout=300,
                settings={"CONCURRENT_REQUESTS_PER_DOMAIN": "16", "RETRY_ENABLED": "False"})
    assert run.code == 1, run.stderr  # every page is a 404
    requested = [path for path, _ in server.hits if path.startswith("/gone/")]
    assert sorted(requested) == sorted(paths)
    assert query(store, "SELECT COUNT(*) FROM errors WHERE reason = 'HTTP 404'") == [(URLS,)]
    assert [status for status, _ in runs(store)] == ["finished"]


def test_the_streamed_reader_gives_what_the_whole_sitemap_holds():
    body = ('<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
            + "".join(f"<url><loc>/a/{i}</loc><lastmod>2026-11-{1 + i % 28:02d}</lastmod>"
                      f"<news:news><news:title>Story {i}</news:title></news:news></url>" for i in range(2500))
            + "</urlset>").encode()
    reader = SitemapReader(body, "https://news.example.com/sitemap.xml")
    assert reader.kind == "urlset"
    first = next(reader.entries())
    assert (first.url, first.title, first.lastmod[:10]) == ("https://news.example.com/a/0", "Story 0", "2026-11-01")
    sitemap = parse_sitemap(body, "https://news.example.com/sitemap.xml")
    assert len(sitemap.entries) == 2500 and sitemap.problem is None
    assert sitemap.entries[-1].url == "https://news.example.com/a/2499" and sitemap.entries[-1].title == "Story 2499"
