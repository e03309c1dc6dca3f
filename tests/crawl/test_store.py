"""Unit tests for the SQLite store (scraper/store/sqlite.py) and the crawl config loader (scraper/crawl.py)."""

from __future__ import annotations

import hashlib
import sqlite3

import pytest

from scraper.crawl.config import ConfigError, CrawlPlan, load_config
from scraper.crawl.runner import crawl_settings, summary
from scraper.core.document import RECORD_FIELDS
from scraper.store import Store


def record(url: str, text: str, canonical: str | None = None, fetched_at: str = "2026-11-20T08:00:00+00:00",
           **extra) -> dict:
    rec = dict.fromkeys(RECORD_FIELDS)
    rec.update(id="x", url=url, canonical_url=canonical, source="test", fetched_at=fetched_at, title="T",
               text=text, word_count=len(text.split()), tags=[], images=[], removed=[], flags=[], extractor={},
               content_hash=hashlib.sha256(text.encode()).hexdigest(), **extra)
    return rec


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "sub" / "store.db") as s:
        yield s


URL = "https://news.example.com/2026/11/20/ferry.html"


def test_new_changed_unchanged_revisions(store):
    assert store.save_article(record(URL, "First text."), URL, 200, '"e1"', "Fri, 20 Nov 2026 08:00:00 GMT") == "new"
    assert store.save_article(record(URL, "First text.", fetched_at="2026-11-21T08:00:00+00:00"), URL) == "unchanged"
    assert store.save_article(record(URL, "Second text.", fetched_at="2026-11-22T08:00:00+00:00"), URL) == "changed"
    assert store.save_article(record(URL, "Second text.", fetched_at="2026-11-23T08:00:00+00:00"), URL) == "unchanged"
    assert store.count("articles") == 1
    revisions = store.revisions(URL)
    assert [r for r, _ in revisions] == [1, 2]
    assert revisions[1][1] == hashlib.sha256(b"Second text.").hexdigest()
    (latest,) = store.articles()
    assert latest["text"] == "Second text." and latest["revision"] == 2
    assert latest["first_seen"] == "2026-11-20T08:00:00+00:00"
    assert latest["last_changed"] == "2026-11-22T08:00:00+00:00"
    row = store.db.execute("SELECT last_seen FROM articles").fetchone()
    assert row == ("2026-11-23T08:00:00+00:00",)
    # the crawl state keeps the validators the last response sent, and when the page was first seen
    state = store.page_state(URL)
    assert state.kind == "article" and state.etag == '"e1"'
    assert state.last_modified == "Fri, 20 Nov 2026 08:00:00 GMT"
    assert state.last_fetched == "2026-11-23T08:00:00+00:00"
    assert store.db.execute("SELECT first_seen FROM pages WHERE url = ?", (URL,)).fetchone() == (
        "2026-11-20T08:00:00+00:00",)


def test_articles_are_keyed_by_canonical_url(store):
    """Tracking parameters, fragments and rel=canonical all lead to one article."""
    amp = "https://news.example.com/amp/ferry.html"
    assert store.save_article(record(URL + "?utm_source=rss", "Text."), URL + "?utm_source=rss") == "new"
    assert store.save_article(record(amp, "Text.", canonical=URL + "?utm_medium=amp#top"), amp) == "unchanged"
    assert store.save_article(record(URL.upper().replace("HTTPS", "https"), "Text.", canonical=URL), URL) == "unchanged"
    assert store.count("articles") == 1 and store.count("revisions") == 1
    assert store.has_article(URL)
    # both fetched URLs know the article, so an incremental crawl can skip either
    assert store.page_state(amp).canonical_url == URL
    assert store.page_state(URL).canonical_url == URL


def test_export_since_filters_on_last_change(store):
    for i, day in enumerate(("18", "19", "20")):
        url = f"https://news.example.com/{i}.html"
        store.save_article(record(url, f"Text {i}.", fetched_at=f"2026-11-{day}T12:00:00+00:00"), url)
    assert [r["url"] for r in store.articles()] == [f"https://news.example.com/{i}.html" for i in range(3)]
    assert [r["url"] for r in store.articles(since="2026-11-19")] == ["https://news.example.com/1.html",
                                                                       "https://news.example.com/2.html"]
    assert [r["url"] for r in store.articles(since="2026-11-20T12:00:00+00:00")] == ["https://news.example.com/2.html"]
    assert list(store.articles(since="2026-11-21")) == []
    # every record has the crawl record's keys, plus the store's own
    for rec in store.articles():
        assert set(rec) == set(RECORD_FIELDS) | {"revision", "first_seen", "last_changed"}


def test_errors_and_runs(store):
    run = store.start_run()
    store.record_error(run, "https://news.example.com/gone.html", "HTTP 404", 404)
    store.record_error(run, None, "a failure with no URL")
    store.finish_run(run, {"articles_new": 0, "fetch_errors": 2}, "interrupted")
    assert store.count("errors") == 2 and store.count("runs") == 1
    assert store.db.execute("SELECT run_id, url, reason FROM errors ORDER BY id").fetchall() == [
        (run, "https://news.example.com/gone.html", "HTTP 404"), (run, None, "a failure with no URL")]
    status, finished, stats = store.db.execute("SELECT status, finished, stats FROM runs").fetchone()
    assert status == "interrupted" and finished and '"fetch_errors": 2' in stats
    state = store.page_state("https://news.example.com/gone.html")
    assert state.kind == "error"
    assert store.start_run() == run + 1


def test_an_error_after_an_article_keeps_the_article(store):
    store.save_article(record(URL, "Text."), URL, 200, '"e1"')
    store.record_error(None, URL, "HTTP 500", 500)
    assert store.has_article(URL) and store.count("revisions") == 1
    assert store.page_state(URL).kind == "error"
    assert store.page_state(URL).etag == '"e1"'


def test_wal_mode_and_a_second_reader(tmp_path):
    path = tmp_path / "store.db"
    with Store(path) as writer:
        assert writer.db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        writer.save_article(record(URL, "Text."), URL)
        reader = sqlite3.connect(path)
        assert reader.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        writer.db.execute("BEGIN IMMEDIATE")  # a crawl in the middle of a write ...
        writer.db.execute("UPDATE articles SET revision = 99")
        assert reader.execute("SELECT revision FROM articles").fetchone() == (1,)  # ... does not block readers
        writer.db.execute("ROLLBACK")
        reader.close()
    with Store(path) as again:  # reopening keeps the data and the schema
        assert again.count("articles") == 1
        assert again.db.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_a_failed_write_leaves_nothing(store):
    bad = record(URL, "Text.")
    del bad["content_hash"]
    with pytest.raises(KeyError):
        store.save_article(bad, URL)
    assert store.count("articles") == 0 and store.count("pages") == 0
    assert store.save_article(record(URL, "Text."), URL) == "new"  # the store is still usable


def test_count_refuses_other_tables(store):
    with pytest.raises(ValueError):
        store.count("sqlite_master; DROP TABLE articles")


# crawl config ------------------------------------------------------------------------------------------
def write(tmp_path, text: str):
    path = tmp_path / "sites.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_load_config(tmp_path):
    (tmp_path / "packs").mkdir()
    path = write(tmp_path, """
[crawl]
store = "news.db"
since = "2026-11-01"
refetch_after_hours = 2
user_agent = "ExampleBot/1.0 (+mailto:data@example.com)"

[[site]]
name = "Example News"
feeds = ["https://news.example.com/feed.xml"]
sitemaps = "https://news.example.com/robots.txt"
start_urls = ["https://news.example.com/"]
urls = "urls.txt"
rules = "packs"
rate = 0.5
concurrency = 1

[[site]]
name = "Other"
feeds = ["https://other.example.org/rss"]
""")
    plan = load_config(path, CrawlPlan(feeds=["https://cli.example.net/feed"]))
    assert plan.feeds == ["https://cli.example.net/feed", "https://news.example.com/feed.xml",
                          "https://other.example.org/rss"]
    assert plan.sitemaps == ["https://news.example.com/robots.txt"]
    assert plan.sites == ["https://news.example.com/"]
    assert plan.urls == [str(tmp_path / "urls.txt")]
    assert plan.rules_dirs == [str(tmp_path / "packs")]
    assert plan.store == "news.db" and plan.since == "2026-11-01T00:00:00+00:00"  # read once, as UTC ISO 8601
    assert plan.settings == {"PRESSWASH_REFETCH_AFTER": 7200.0,
                             "USER_AGENT": "ExampleBot/1.0 (+mailto:data@example.com)"}
    assert plan.slots == {"news.example.com": {"delay": 2.0, "concurrency": 1}}
    settings = crawl_settings(plan)
    assert settings.getdict("DOWNLOAD_SLOTS") == {"news.example.com": {"delay": 2.0, "concurrency": 1}}
    assert settings.get("USER_AGENT").startswith("ExampleBot/1.0")
    assert settings.getfloat("PRESSWASH_REFETCH_AFTER") == 7200.0
    assert settings.getbool("ROBOTSTXT_OBEY") and settings.getbool("AUTOTHROTTLE_ENABLED")


@pytest.mark.parametrize("text, message", [
    ("[[site]\nfeeds = 1", "sites.toml"),  # not TOML
    ("[crawl]\nstore = 'x.db'\n", "no [[site]] tables"),
    ("[[site]]\nname = 'A'\nfeed = ['https://a.example/']\n", "unknown key(s) feed"),
    ("[[site]]\nname = 'A'\nfeeds = [1, 2]\n", "feeds: expected a string or a list of strings"),
    ("[[site]]\nname = 'A'\nstart_urls = {url = 'https://a.example/'}\n", "start_urls"),
    ("[[site]]\nname = 'A'\nfeeds = 'https://a.example/feed'\nrate = 0\n", "rate must be above 0"),
    ("[[site]]\nname = 'A'\nfeeds = 'https://a.example/feed'\nrate = -1\n", "rate must be above 0"),
    ("[[site]]\nname = 'A'\nfeeds = 'https://a.example/feed'\nrate = 'fast'\n", "rate"),
    ("[[site]]\nname = 'A'\nfeeds = 'https://a.example/feed'\nconcurrency = 'two'\n", "concurrency"),
    ("[[site]]\nname = 'A'\nfeeds = 'https://a.example/feed'\nconcurrency = 0\n", "concurrency"),
    ("[crawl]\nrefetch_after_hours = 'daily'\n[[site]]\nfeeds = 'https://a.example/feed'\n", "refetch_after_hours"),
    ("[crawl]\nsince = 'last week'\n[[site]]\nfeeds = 'https://a.example/feed'\n", "since"),
    ("site = 'https://a.example/'\n", "site"),
    ("crawl = 3\n[[site]]\nfeeds = 'https://a.example/feed'\n", "crawl"),
])
def test_load_config_errors(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(path) in str(info.value)
    assert message in str(info.value)


def test_load_config_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="nothing.toml"):
        load_config(tmp_path / "nothing.toml")


def test_summary_names_an_interrupted_run():
    stats = {"downloader/response_count": 7, "presswash/articles_new": 3, "presswash/fetch_errors": 1,
             "presswash/rules_fired": {"GEN002": 3}, "finish_reason": "shutdown"}
    text = summary(stats)
    assert "7 pages fetched" in text and "3 new" in text and "errors 1" in text and "GEN002 ×3" in text
    assert "stopped: shutdown" in text
    assert "stopped" not in summary({**stats, "finish_reason": "finished"})
