"""Careless and hostile links and canonicals (issue 10, defects 1-4).

- fixtures/sites/careless mixes good feed items, sitemap entries and links with malformed ones (a bad IPv6
  bracket, a port out of range or not a number, a space in the host, a redirect to a malformed URL), and has
  pages whose rel=canonical is malformed: each malformed URL is one error row with a reason, and every good
  page is stored.
- Its page under /other/ claims the article /2026/12/01/feed-story-one.html as its canonical. Served as
  http://localhost:PORT it is another site than http://127.0.0.1:PORT (docs/crawling.md#keys: hosts are
  compared, ports are not), and must not take that article's place.
- A generated site whose ten articles all name the home page as their canonical keeps ten articles.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from scraper.core.urls import is_site_root, same_site_urls, url_problem
from scraper.store import CANONICAL_IGNORED, Store
from spiders.detect import looks_like_listing_url
from tests.conftest import call_main
from tests.store.conftest import sql

from .conftest import SITES, article_page, crawl, errors, read_jsonl, stored_articles

CARELESS = SITES / "careless"
GOOD = ["/2026/12/01/feed-story-one.html", "/2026/12/01/feed-story-two.html",
        "/2026/12/02/canonical-bad-ipv6.html", "/2026/12/02/canonical-bad-port.html",
        "/2026/12/03/sitemap-story.html", "/2026/12/04/linked-story.html"]
MALFORMED = {  # URL as written in the feed, sitemap, robots.txt or page -> what the reason must say
    "http://[::1/feed-bad-ipv6": "Invalid IPv6 URL",
    "http://127.0.0.1:99999/feed-bad-port": "Port out of range",
    "http://127.0.0.1:abc/feed-port-not-a-number": "Port could not be cast",
    "http://exa mple.com/feed-space-in-host": "spaces",
    "http://[::1/sitemap-bad-ipv6": "Invalid IPv6 URL",
    "http://127.0.0.1:70000/sitemap-bad-port": "Port out of range",
    "http://[::1/robots-bad-sitemap.xml": "Invalid IPv6 URL",
    "http://[::1/link-bad-ipv6": "Invalid IPv6 URL",
    "//[::1/link-protocol-relative": "Invalid IPv6 URL",
    "http://127.0.0.1:99999/link-bad-port": "Port out of range",
}
CLAIMED = "/2026/12/01/feed-story-one.html"  # the article the page on the other site claims
CLAIMER = "/other/claims-feed-story-one.html"


def test_each_malformed_url_is_an_error_row_and_every_good_page_is_stored(serve, tmp_path):
    server = serve(CARELESS)
    base = server.base_url
    store, out = tmp_path / "careless.db", tmp_path / "new.jsonl"
    result = crawl("--feed", f"{base}/feed.xml", "--sitemap", f"{base}/robots.txt", "--site", f"{base}/",
                   "-o", out, store=store)
    assert result.code == 1  # errors were recorded

    articles = stored_articles(store)
    assert sorted(articles) == sorted(base + path for path in GOOD)
    for path in ("/2026/12/02/canonical-bad-ipv6.html", "/2026/12/02/canonical-bad-port.html"):
        record = articles[base + path]
        assert record["canonical_url"] is None and record["text"] and record["error"] is None

    rows = errors(store)
    for url, says in MALFORMED.items():
        assert len(rows.get(url, [])) == 1, (url, rows)
        assert rows[url][0].startswith("malformed URL, not fetched: ") and says in rows[url][0], rows[url]
    assert "Invalid IPv6 URL" in rows[f"{base}/2026/12/02/moved-to-a-malformed-url.html"][0]
    assert len(rows) == len(MALFORMED) + 1, rows

    streamed = read_jsonl(out)
    assert {r["url"] for r in streamed if r["error"] is None} == set(articles)
    assert {r["url"] for r in streamed if r["error"]} == set(rows)

    # Each page the server answered ended as an article, a listing (feed, sitemap, robots.txt, home page) or
    # an error row.
    listings = {"/feed.xml", "/sitemap.xml", "/robots.txt", "/"}
    for path, _status in server.hits:
        assert path in listings or base + path in articles or base + path in rows, path


def test_another_site_cannot_replace_an_article(serve, tmp_path):
    server = serve(CARELESS)
    site_a, site_b = server.base_url, server.base_url.replace("127.0.0.1", "localhost")
    store = tmp_path / "two-sites.db"
    # Site B first: had its canonical been trusted, B's page would hold A's key, and A's own page would then
    # be skipped as already fetched.
    first = crawl("--urls", "-", stdin=(site_b + CLAIMER).encode(), store=store)
    assert first.code == 0, first.stderr
    second = crawl("--urls", "-", stdin=(site_a + CLAIMED).encode(), store=store)
    assert second.code == 0, second.stderr
    again = crawl("--urls", "-", stdin=(site_b + CLAIMER).encode(), store=store, settings={"PRESSWASH_REFETCH_AFTER": 0})
    assert again.code == 0, again.stderr

    articles = stored_articles(store)
    assert sorted(articles) == sorted([site_a + CLAIMED, site_b + CLAIMER])
    victim, claimer = articles[site_a + CLAIMED], articles[site_b + CLAIMER]
    assert victim["url"] == site_a + CLAIMED and victim["revision"] == 1
    assert victim["title"] != claimer["title"] and victim["text"] != claimer["text"]
    assert "vote number 40" in victim["title"] and CANONICAL_IGNORED not in victim["flags"]
    # The claimer's record keeps the canonical it declared, and says it was not used as its key.
    assert claimer["canonical_url"] == site_a + CLAIMED and CANONICAL_IGNORED in claimer["flags"]
    assert claimer["revision"] == 1


def test_a_site_whose_pages_all_name_the_home_page_as_canonical_keeps_every_article(serve, tmp_path):
    site = tmp_path / "home-canonical"
    paths = [f"/2026/12/{i + 1:02d}/home-canonical-story-{i}.html" for i in range(10)]
    for i, path in enumerate(paths):
        file = site / path.lstrip("/")
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(article_page(i, extra_head='<link rel="canonical" href="{{BASE}}/">'), encoding="utf-8")
    (site / "index.html").write_text("<html><body>" + "".join(f'<a href="{p}">{p}</a>' for p in paths)
                                     + "</body></html>")
    server = serve(site)
    store = tmp_path / "home.db"
    result = crawl("--site", f"{server.base_url}/", store=store)
    assert result.code == 0, result.stderr

    articles = stored_articles(store)
    assert sorted(articles) == sorted(server.base_url + p for p in paths)
    assert len({record["text"] for record in articles.values()}) == 10
    for record in articles.values():
        assert record["revision"] == 1 and CANONICAL_IGNORED in record["flags"]
        assert record["canonical_url"] == f"{server.base_url}/"


def test_clean_ignores_an_invalid_canonical():
    pages = [CARELESS / "2026/12/02/canonical-bad-ipv6.html", CARELESS / "2026/12/02/canonical-bad-port.html"]
    proc = call_main("clean", *pages)
    assert proc.code == 0, proc.stderr
    records = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(records) == 2
    for record in records:
        assert record["error"] is None and record["canonical_url"] is None and record["word_count"] > 50


# the keying rule, on a real store -----------------------------------------------------------------------
def _record(text: str, canonical: str | None) -> dict:
    return {"url": None, "canonical_url": canonical, "title": text[:20], "text": text,
            "content_hash": hashlib.sha256(text.encode()).hexdigest(), "flags": []}


@pytest.fixture
def store(tmp_path: Path):
    with Store(tmp_path / "keys.db") as opened:
        yield opened


def test_distinct_texts_sharing_a_canonical_are_stored_apart(store):
    shared = "https://news.example/2026/12/01/the-story"
    assert store.save_article(_record("first text", shared), "https://news.example/a") == "new"
    assert store.save_article(_record("second text", shared), "https://news.example/b") == "new"
    assert store.save_article(_record("first text", shared), "https://news.example/c") == "unchanged"  # a copy
    rows = {url: json.loads(blob)["text"] for url, blob in sql(store, "SELECT url, record FROM articles")}
    assert rows == {shared: "first text", "https://news.example/b": "second text"}
    # The page first stored under the canonical is a true revision when its own text changes.
    assert store.save_article(_record("first text, corrected", shared), "https://news.example/a") == "changed"
    assert store.revisions(shared)[-1][0] == 2
    store.record_error(None, "https://news.example/a", "HTTP 503")  # a failed fetch in between keeps its key
    assert store.save_article(_record("first text, updated", shared), "https://news.example/a") == "changed"
    assert store.revisions(shared)[-1][0] == 3
    assert store.count("articles") == 2


def test_the_key_is_the_fetched_url_unless_the_canonical_can_be_trusted(store):
    fetched = "https://www.example.com/2026/12/01/story?utm_source=x"
    cases = {
        "https://amp.example.com/2026/12/01/story": "https://amp.example.com/2026/12/01/story",  # same site
        "https://example.com/": "https://www.example.com/2026/12/01/story",  # the home page
        "https://example.com/tag/harbour": "https://www.example.com/2026/12/01/story",  # a listing
        "https://other.example/2026/12/01/story": "https://www.example.com/2026/12/01/story",  # another site
        "http://[::1/story": "https://www.example.com/2026/12/01/story",  # malformed
    }
    for canonical, key in cases.items():
        got, ignored = store.article_key(_record("text", canonical), "https://www.example.com/2026/12/01/story",
                                         looks_like_listing_url)
        assert got == key and (ignored is None) == (got == canonical), canonical
    assert store.save_article(_record("text", "https://other.example/x"), fetched) == "new"
    assert store.has_article("https://www.example.com/2026/12/01/story")


@pytest.mark.parametrize("url, problem", [
    ("http://[::1/x", "Invalid IPv6 URL"), ("http://127.0.0.1:99999/x", "Port out of range"),
    ("http://h:abc/x", "Port could not be cast"), ("http:///x", "no host"), ("ftp://h/x", "not an http(s) URL"),
    ("/relative", "not an absolute URL"), ("", "empty URL"), ("http://a b/x", "spaces"),
])
def test_url_problem_names_what_is_wrong(url, problem):
    assert problem in url_problem(url)


@pytest.mark.parametrize("url", ["http://127.0.0.1:8000/x", "https://[::1]:443/x", "HTTPS://Example.COM./a?b#c"])
def test_url_problem_passes_well_formed_urls(url):
    assert url_problem(url) is None


@pytest.mark.parametrize("a, b, same", [
    ("https://www.example.com/a", "https://example.com/b", True),
    ("https://m.example.com/a", "https://www.example.com/b", True),
    ("https://news.bbc.co.uk/a", "https://www.bbc.co.uk/b", True),
    ("http://127.0.0.1:8000/a", "http://127.0.0.1:9000/b", True),  # ports are not compared
    ("https://alice.example.io/a", "https://bob.example.io/b", False),  # shared hosting: sibling owners
    ("https://attacker.com/a", "https://com/b", False),  # a bare top-level label is no site
    ("http://127.0.0.1/a", "http://localhost/b", False),
    ("http://10.0.0.1/a", "http://0.0.1/b", False),
    ("http://[::1/a", "http://[::1/b", False),
])
def test_same_site_urls(a, b, same):
    assert same_site_urls(a, b) is same and same_site_urls(b, a) is same


def test_is_site_root():
    assert is_site_root("https://example.com") and is_site_root("https://example.com/")
    assert not is_site_root("https://example.com/?p=1") and not is_site_root("https://example.com/a")
