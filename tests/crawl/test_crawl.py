"""Full crawls of the fixture sites: every source kind, the store, the JSON Lines stream, export, --since,
errors, URL lists, a crawl config, `scrapy crawl` from the repository root and `presswash demo`."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import datetime, timedelta, timezone

from scraper.core.document import RECORD_FIELDS
from tests.conftest import call_main
from tests.services import free_port, free_ports

from .conftest import (ENV, NEWSROOM, NEWSROOM_ARTICLES, REPOST, ROOT, SCRAPY, WIRE, article_hits, article_page,
                       crawl, errors, presswash, query, read_jsonl, runs, stored_articles)

STORE_FIELDS = set(RECORD_FIELDS) | {"revision", "first_seen", "last_changed"}


def read_jsonl_text(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_full_crawl_of_the_newsroom(serve, tmp_path):
    server = serve(NEWSROOM)
    base = server.base_url
    store, out = tmp_path / "news.db", tmp_path / "out.jsonl"
    # The home page as --feed: its <link rel="alternate"> names an RSS and an Atom feed.
    run = crawl("--feed", f"{base}/", "--sitemap", f"{base}/robots.txt", "--site", f"{base}/", "-o", out,
                store=store)
    assert run.code == 1  # pages failed (404, 500, robots.txt), and the exit status says so
    assert "5 new" in run.stderr and "errors 4" in run.stderr

    # every article once, under its canonical URL: no utm_ parameters, the redirect followed
    articles = stored_articles(store)
    assert set(articles) == {base + path for path in NEWSROOM_ARTICLES}
    for path, title in NEWSROOM_ARTICLES.items():
        record = articles[base + path]
        assert record["title"] == title and record["revision"] == 1
        assert record["error"] is None and record["word_count"] > 50
        assert "utm_" not in record["url"] and record["canonical_url"] == base + path
        assert server.count(path) == 1, f"{path} downloaded {server.count(path)} times"
    assert articles[base + "/2026/11/20/harbour-ferry-strike-ends.html"]["date_published"].startswith("2026-11-20")
    assert query(store, "SELECT COUNT(*) FROM revisions") == [(5,)]

    # every source was read: the feeds found by autodiscovery, robots.txt, the gzipped news sitemap
    for path in ("/feed.xml", "/atom.xml", "/robots.txt", "/sitemap_index.xml", "/news-sitemap.xml.gz",
                 "/old-sitemap.xml", "/category/city/"):
        assert server.count(path) >= 1, path
    # listing pages are followed, never stored as articles
    assert {kind for (kind,) in query(store, "SELECT DISTINCT kind FROM pages")} <= {"article", "error"}
    assert not [u for u in articles if u.rstrip("/") == base or "/category/" in u or u.endswith(".xml")]

    # failures are recorded with reasons, and the crawl went on
    errs = errors(store)
    assert errs[f"{base}/2026/11/10/story-that-is-gone.html"] == ["HTTP 404"]
    assert errs[f"{base}/2024/01/05/an-old-story-from-the-archive.html"] == ["HTTP 404"]
    assert errs[f"{base}/category/city/page/2/"] == ["HTTP 500"]
    assert "robots.txt" in errs[f"{base}/private/drafts.html"][0]
    assert len(errs) == 4
    assert server.count("/category/city/page/2/") == 3  # retried twice
    assert server.count("/private/drafts.html") == 0  # forbidden: never requested
    assert [status for status, _ in runs(store)] == ["finished"]
    stats = runs(store)[0][1]
    assert stats["articles_new"] == 5 and stats["fetch_errors"] == 4

    # the JSON Lines stream: the same records as `presswash clean`, one per article, and the errors
    records = read_jsonl(out)
    clean = call_main("clean", NEWSROOM / "2026/11/18/new-tram-line-opens.html")
    clean_record = read_jsonl_text(clean.stdout)[0]
    assert list(clean_record) == list(RECORD_FIELDS)
    for record in records:
        assert list(record) == list(RECORD_FIELDS)
    ok = {r["canonical_url"]: r for r in records if r["error"] is None}
    assert set(ok) == set(articles)
    for url, record in ok.items():
        assert record["text"] == articles[url]["text"]
        assert record["content_hash"] == articles[url]["content_hash"]
    failed = {r["url"] for r in records if r["error"]}
    assert failed == set(errs)
    # a crawled article and the same page cleaned offline give the same text
    assert ok[base + "/2026/11/18/new-tram-line-opens.html"]["text"] == clean_record["text"]

    # presswash export writes what the store holds
    exported = tmp_path / "export.jsonl"
    proc = call_main("export", "--store", store, "-o", exported)
    assert proc.code == 0 and "5 articles" in proc.stderr
    records = read_jsonl(exported)
    assert {r["canonical_url"] for r in records} == set(articles)
    for record in records:
        assert set(record) == STORE_FIELDS
        stored = articles[record["canonical_url"]]
        assert record["text"] == stored["text"] and record["revision"] == 1
    assert [r["last_changed"] for r in records] == sorted(r["last_changed"] for r in records)

    # export --since filters on the time an article last changed
    now = datetime.now(timezone.utc)
    later = (now + timedelta(days=1)).strftime("%Y-%m-%d")
    earlier = (now - timedelta(days=1)).strftime("%Y-%m-%d")
    assert read_jsonl_text(call_main("export", "--store", store, "--since", later).stdout) == []
    assert len(read_jsonl_text(call_main("export", "--store", store, "--since", earlier).stdout)) == 5
    an_hour_ahead_in_paris = (now + timedelta(hours=1)).astimezone(timezone(timedelta(hours=2)))
    assert read_jsonl_text(call_main("export", "--store", store, "--since",
                                     an_hour_ahead_in_paris.isoformat()).stdout) == []
    bad = call_main("export", "--store", store, "--since", "last week")
    assert bad.code == 2 and "not a date" in bad.stderr
    missing = call_main("export", "--store", tmp_path / "none.db")
    assert missing.code == 2 and not (tmp_path / "none.db").exists()


def test_since_filters_feed_and_sitemap_entries(serve, tmp_path):
    server = serve(NEWSROOM)
    base = server.base_url
    store = tmp_path / "since.db"
    run = crawl("--sitemap", f"{base}/robots.txt", "--since", "2026-11-18", store=store)
    assert run.code == 0, run.stderr
    assert set(stored_articles(store)) == {base + p for p in list(NEWSROOM_ARTICLES)[:3]}  # the 18th and later
    assert server.count("/old-sitemap.xml") == 0  # its index entry's lastmod is from 2024
    assert server.count("/2026/11/17/river-clean-up-volunteers.html") == 0
    # a feed item with no date is kept: the redirect /old-story leads to the article of the 17th
    crawl("--feed", f"{base}/feed.xml", "--since", "2026-11-19T09:00:00+00:00", store=store)
    urls = set(stored_articles(store))
    assert base + "/2026/11/17/river-clean-up-volunteers.html" in urls
    assert base + "/news/market-hall-reopens-after-restoration.html" not in urls
    bad = call_main("crawl", "--store", store, "--feed", f"{base}/feed.xml", "--since", "soon")
    assert bad.code == 2 and "not a date" in bad.stderr


def test_wire_site_json_feed_canonical_urls_and_page_signals(serve, tmp_path):
    server = serve(WIRE)
    base = server.base_url
    store, out = tmp_path / "wire.db", tmp_path / "wire.jsonl"
    agent = "CrawlTestBot/2.0 (+mailto:crawl-tests@example.org)"
    run = crawl("--feed", f"{base}/", "--sitemap", f"{base}/robots.txt", "--site", f"{base}/", "-o", out,
                "--user-agent", agent, store=store)
    assert run.code == 1

    articles = stored_articles(store)
    budget = f"{base}/stories/council-approves-harbour-budget.html"
    lighthouse = f"{base}/stories/wire-report-on-lighthouse-keepers.html"
    ferries = f"{base}/opinion/ferries"
    # The budget story: reached from the JSON Feed (with utm_, fbclid and a fragment), the sitemap, the
    # home and topic pages, and an AMP copy whose rel=canonical carries tracking too: one article.
    assert set(articles) == {budget, lighthouse, ferries}
    assert query(store, "SELECT COUNT(*) FROM revisions") == [(3,)]
    assert server.count("/stories/council-approves-harbour-budget.html") == 1
    assert server.count("/amp/council-approves-harbour-budget.html") == 1
    assert query(store, "SELECT canonical_url FROM pages WHERE url = ?",
                 (f"{base}/amp/council-approves-harbour-budget.html",)) == [(budget,)]
    # Google News sitemap fields fill what the page lacks
    assert articles[lighthouse]["title"] == "Lighthouse keepers return to the northern cape"
    assert articles[lighthouse]["date_published"] == "2026-11-19T06:45:00+00:00"
    # a page with no article sign in its URL is an article by its JSON-LD
    assert articles[ferries]["title"] == "Why the ferries matter"
    # listing pages (home, topics, about) are not articles
    assert server.count("/topics/harbour/") == 1 and server.count("/about/") == 1

    errs = errors(store)
    assert errs[f"{base}/stories/members-only-briefing.html"][0].startswith("no article text found")
    assert errs[f"{base}/stories/overloaded-server-story.html"] == ["HTTP 503"]
    assert "robots.txt" in errs[f"{base}/private/wire-desk.html"][0]
    assert len(errs) == 3
    # the 503 was retried twice, each wait longer than the one before (RETRY_BACKOFF_BASE=0.05)
    times = [h.time for h in server.log if h.path == "/stories/overloaded-server-story.html"]
    assert len(times) == 3
    assert times[1] - times[0] >= 0.05 and times[2] - times[1] >= 0.1

    # politeness: our User-Agent on every request, never more than 2 at once
    assert {h.headers.get("user-agent") for h in server.log} == {agent}
    assert server.peak <= 2

    records = read_jsonl(out)
    assert sorted(r["canonical_url"] or r["url"] for r in records if r["error"] is None) == sorted(articles)
    assert len([r for r in records if r["error"]]) == 3

    # a second run downloads none of them again, however it reaches them (the JSON-LD article included)
    mark = len(server.log)
    crawl("--feed", f"{base}/", "--sitemap", f"{base}/robots.txt", "--site", f"{base}/", store=store)
    again = {h.path for h in server.log[mark:] if h.status == 200}
    assert not again & {"/stories/council-approves-harbour-budget.html", "/amp/council-approves-harbour-budget.html",
                        "/stories/wire-report-on-lighthouse-keepers.html", "/opinion/ferries"}, again
    assert "/stories/members-only-briefing.html" in again  # a page that failed is tried again
    assert "/topics/harbour/" in again  # listings are read every run


def chain_site(folder) -> None:
    """A home page linking five articles and /section-1/; each section links one story and the next section."""
    def page(path: str, html: str) -> None:
        file = folder / path.lstrip("/")
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(html, encoding="utf-8")

    links = "".join(f'<li><a href="/2026/11/0{i + 1}/home-story-{i}.html">Story {i}</a></li>' for i in range(5))
    page("/index.html", f'<html><head><title>Home</title></head><body><ul>{links}</ul>'
                        '<a href="/section-1/">Section 1</a></body></html>')
    for k in (1, 2, 3):
        page(f"/section-{k}/index.html", f'<html><head><title>Section {k}</title></head><body>'
                                         f'<a href="/2026/10/0{k}/section-story-{k}.html">Story</a> '
                                         f'<a href="/section-{k + 1}/">Next</a></body></html>')
        page(f"/2026/10/0{k}/section-story-{k}.html", article_page(10 + k))
    for i in range(5):
        page(f"/2026/11/0{i + 1}/home-story-{i}.html", article_page(i))
    page("/robots.txt", "User-agent: *\nDisallow:\n")


def test_site_crawl_depth_and_page_limits(serve, tmp_path):
    chain_site(tmp_path / "site")
    server = serve(tmp_path / "site")
    base = server.base_url
    run = crawl("--site", f"{base}/", "--max-depth", "2", store=tmp_path / "deep.db")
    assert run.code == 0, run.stderr
    home_stories = {f"{base}/2026/11/0{i + 1}/home-story-{i}.html" for i in range(5)}
    assert set(stored_articles(tmp_path / "deep.db")) == home_stories | {f"{base}/2026/10/01/section-story-1.html"}
    assert server.count("/section-2/") == 1  # depth 2: fetched, its links not followed
    assert server.count("/section-3/") == 0 and server.count("/2026/10/02/section-story-2.html") == 0

    mark = len(server.log)
    run = crawl("--site", f"{base}/", "--max-pages", "3", store=tmp_path / "few.db")
    assert run.code == 0, run.stderr
    assert len(stored_articles(tmp_path / "few.db")) == 3
    assert sorted(h.path for h in server.log[mark:] if h.path not in ("/", "/robots.txt")) == [
        f"/2026/11/0{i + 1}/home-story-{i}.html" for i in range(3)]  # the first three links, nothing more


def test_url_lists_from_a_file_and_stdin(serve, tmp_path):
    server = serve(NEWSROOM)
    base = server.base_url
    store = tmp_path / "urls.db"
    listed = tmp_path / "urls.txt"
    listed.write_text(f"# morning list\n\n{base}/2026/11/20/harbour-ferry-strike-ends.html?utm_source=mail\n"
                      f"  {base}/2026/11/19/library-stays-open-on-sundays.html#comments  \n"
                      f"{base}/2026/11/20/harbour-ferry-strike-ends.html\n", encoding="utf-8")
    stdin = f"{base}/2026/11/18/new-tram-line-opens.html\n{base}/2026/11/19/library-stays-open-on-sundays.html\n"
    # and two sources that are not what they claim to be
    run = crawl("--urls", listed, "--urls", "-", "--feed", f"{base}/category/city/", "--sitemap", f"{base}/feed.xml",
                store=store, stdin=stdin.encode())
    assert run.code == 1, run.stderr
    assert set(stored_articles(store)) == {base + p for p in list(NEWSROOM_ARTICLES)[:3]}
    assert sorted(article_hits(server)) == sorted(list(NEWSROOM_ARTICLES)[:3])  # each downloaded once
    assert server.count("/robots.txt") == 1  # robots.txt is still asked first
    errs = errors(store)
    assert errs[f"{base}/category/city/"][0].startswith("no feed here")
    assert errs[f"{base}/feed.xml"][0].startswith("not a sitemap")
    assert len(errs) == 2
    assert call_main("crawl", "--store", store, "--urls", tmp_path / "none.txt").code == 2


def test_crawl_config(serve, tmp_path):
    server = serve(NEWSROOM)
    base = server.base_url
    (tmp_path / "lists").mkdir()
    (tmp_path / "lists" / "extra.txt").write_text(f"{base}/news/market-hall-reopens-after-restoration.html\n")
    config = tmp_path / "sites.toml"
    config.write_text(f"""
[crawl]
store = "from-config.db"
user_agent = "ConfigBot/0.9 (+https://example.org/bot)"
since = 2026-11-18

[[site]]
name = "Harbour Times"
feeds = ["{base}/feed.xml"]
urls = "lists/extra.txt"
rate = 50
concurrency = 1
""", encoding="utf-8")
    run = crawl("--config", config, store=tmp_path / "cli.db", cwd=tmp_path)  # --store wins over the config
    assert run.code == 1, run.stderr  # the feed's 404 item
    assert not (tmp_path / "from-config.db").exists()
    urls = set(stored_articles(tmp_path / "cli.db"))
    assert f"{base}/news/market-hall-reopens-after-restoration.html" in urls  # listed: no date to filter
    assert f"{base}/2026/11/18/new-tram-line-opens.html" in urls
    assert {h.headers.get("user-agent") for h in server.log} == {"ConfigBot/0.9 (+https://example.org/bot)"}
    assert server.peak == 1

    config.write_text("[[site]]\nname = 'x'\nfeed = 'https://example.org/'\n")
    bad = call_main("crawl", "--config", config, "--store", tmp_path / "bad.db")
    assert bad.code == 2 and "unknown key(s) feed" in bad.stderr
    assert not (tmp_path / "bad.db").exists()


def test_scrapy_crawl_from_the_repository_root(serve, tmp_path):
    server = serve(NEWSROOM)
    base = server.base_url
    store = tmp_path / "scrapy.db"
    cmd = [SCRAPY, "crawl", "news", "-a", f"feed={base}/feed.xml", "-a", "since=2026-11-01",
           "-s", f"PRESSWASH_STORE={store}", "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False",
           "-s", "RETRY_BACKOFF_BASE=0.05", "-s", "LOG_LEVEL=WARNING"]
    proc = subprocess.run(cmd, cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=90)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    # the four feed items that lead to articles (one through a redirect); the fifth is a 404
    assert set(stored_articles(store)) == {base + p for p in list(NEWSROOM_ARTICLES)[:4]}
    assert errors(store) == {f"{base}/2026/11/10/story-that-is-gone.html": ["HTTP 404"]}
    assert [status for status, _ in runs(store)] == ["finished"]
    assert {h.headers.get("user-agent") for h in server.log} == {
        "presswash/0.1 (news text cleaner; set USER_AGENT to add a contact address)"}


def test_demo_twice(tmp_path):
    store, port = tmp_path / "demo.db", free_ports(2)
    sites = ("--site-dir", NEWSROOM, REPOST)
    first = presswash("demo", *sites, "--store", store, "--port", port, cwd=tmp_path, timeout=90)
    assert first.returncode == 0, first.stderr
    assert "article pages downloaded this run: 6" in first.stdout
    assert "the store holds 6 articles, 6 revisions" in first.stdout
    # the faults the newsroom serves on purpose are listed as expected, never logged as errors
    assert "expected: 4 faults the demo sites serve on purpose" in first.stdout
    for path in ("/private/drafts.html", "/2026/11/10/story-that-is-gone.html", "/category/city/page/2/",
                 "/2024/01/05/an-old-story-from-the-archive.html"):
        assert f"http://127.0.0.1:{port}{path}" in first.stdout
    assert "ERROR" not in first.stderr and "ERROR" not in first.stdout and "Traceback" not in first.stderr
    # the repost blog's copy of the ferry strike story is the story link
    story = first.stdout[first.stdout.index("one story the sites share"):]
    assert "2 articles, the original, 1 copy" in story
    assert "Harbour ferry strike ends after nine days" in story
    assert "Ferry crews back at work as harbour strike ends" in story
    # and ends with the health table: one host (the port is not part of it), its run, no alert
    health = first.stdout[first.stdout.index("each site's health"):]
    assert "127.0.0.1  1 " in health and "errors of 127.0.0.1 in run 1: 4xx ×2, 5xx ×1, robots ×1" in health
    assert "likely cause" not in first.stdout
    second = presswash("demo", *sites, "--store", store, "--port", port, cwd=tmp_path, timeout=90)
    assert second.returncode == 0, second.stderr
    assert "article pages downloaded this run: 0" in second.stdout
    assert "6 skipped (fresh)" in second.stdout
    assert "the store holds 6 articles, 6 revisions" in second.stdout and "over 2 runs" in second.stdout
    assert "ERROR" not in second.stderr and "ERROR" not in second.stdout
    assert "likely cause" not in second.stdout  # an incremental run that fetches nothing new is no alert


def test_demo_shows_an_unexpected_error(tmp_path):
    """A fault the demo site does not declare is listed as an error."""
    site = tmp_path / "site"
    shutil.copytree(NEWSROOM, site)
    (site / "_routes.toml").write_text("[status]\n")  # nothing served wrong on purpose any more
    store, port = tmp_path / "demo.db", free_port()
    base = f"http://127.0.0.1:{port}"
    run = call_main("demo", "--site-dir", site, "--store", store, "--port", port)
    assert run.code == 0, run.stderr
    # the pages that are not there, and the redirect that is gone: 404
    assert "ERROR: 4 unexpected errors" in run.stdout and f"HTTP 404                 {base}/old-story" in run.stdout
    assert "expected: 1 fault the demo sites serve on purpose" in run.stdout  # the page robots.txt forbids
    missing = call_main("demo", "--site-dir", tmp_path / "nowhere", "--store", store, "--port", port)
    assert missing.code == 2 and "no fixture site" in missing.stderr
