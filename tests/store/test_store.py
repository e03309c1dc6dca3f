"""The store's behaviour, on SQLite and on PostgreSQL alike (``store`` runs each test on both backends)."""

from __future__ import annotations

import hashlib
import json
import sqlite3

import pytest

from scraper.core.document import RECORD_FIELDS
from scraper.store import Store, StoreError
from tests.store.conftest import record, sql

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
    assert sql(store, "SELECT last_seen FROM articles") == [("2026-11-23T08:00:00+00:00",)]
    assert sql(store, "SELECT revision, text FROM revisions ORDER BY revision") == [(1, "First text."),
                                                                                    (2, "Second text.")]
    # the crawl state keeps the validators the last response sent, and when the page was first seen
    state = store.page_state(URL)
    assert state.kind == "article" and state.etag == '"e1"'
    assert state.last_modified == "Fri, 20 Nov 2026 08:00:00 GMT"
    assert state.last_fetched == "2026-11-23T08:00:00+00:00"
    assert sql(store, "SELECT first_seen FROM pages WHERE url = :url", url=URL) == [("2026-11-20T08:00:00+00:00",)]


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


def test_a_canonical_of_another_site_is_flagged(store):
    page = "https://news.example.com/copy.html"
    rec = record(page, "Text.", canonical="https://other.example.org/original.html")
    assert store.save_article(rec, page) == "new"
    assert rec["flags"] == ["canonical-ignored"]  # changed in place, for the other outputs
    (stored,) = store.articles()
    assert stored["flags"] == ["canonical-ignored"] and store.has_article(page)


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


def test_articles_are_read_in_batches_and_in_order(store):
    """More rows than one batch of the server-side cursor; ties on the time are ordered by id, byte-wise."""
    for i in range(1203):
        url = f"https://news.example.com/{i}.html"
        store.save_article(record(url, f"Text {i}.", fetched_at=f"2026-11-{10 + i % 3}T12:00:00+00:00"), url)
    got = [r["url"] for r in store.articles()]
    rows = sql(store, "SELECT last_changed, id, url FROM articles")
    assert got == [url for _, _, url in sorted(rows, key=lambda row: (row[0].encode(), row[1].encode()))]
    assert len(set(got)) == 1203


def test_errors_and_runs(store):
    run = store.start_run()
    store.record_error(run, "https://news.example.com/gone.html", "HTTP 404", 404)
    store.record_error(run, None, "a failure with no URL")
    store.finish_run(run, {"articles_new": 0, "fetch_errors": 2}, "interrupted")
    assert store.count("errors") == 2 and store.count("runs") == 1
    assert sql(store, "SELECT run_id, url, reason FROM errors ORDER BY id") == [
        (run, "https://news.example.com/gone.html", "HTTP 404"), (run, None, "a failure with no URL")]
    ((status, finished, stats),) = sql(store, "SELECT status, finished, stats FROM runs")
    assert status == "interrupted" and finished and json.loads(stats)["fetch_errors"] == 2
    state = store.page_state("https://news.example.com/gone.html")
    assert state.kind == "error"
    assert store.start_run() == run + 1


def test_an_error_after_an_article_keeps_the_article(store):
    store.save_article(record(URL, "Text."), URL, 200, '"e1"')
    store.record_error(None, URL, "HTTP 500", 500)
    assert store.has_article(URL) and store.count("revisions") == 1
    assert store.page_state(URL).kind == "error"
    assert store.page_state(URL).etag == '"e1"'


def test_mark_page_after_a_304(store):
    store.save_article(record(URL, "Text."), URL, 200, '"e1"', "Fri, 20 Nov 2026 08:00:00 GMT")
    store.mark_page(URL, "article", status=304, when="2026-11-25T00:00:00+00:00")
    state = store.page_state(URL)
    assert (state.etag, state.last_modified, state.last_fetched) == (
        '"e1"', "Fri, 20 Nov 2026 08:00:00 GMT", "2026-11-25T00:00:00+00:00")
    assert store.page_state("https://news.example.com/never.html") is None


def test_samples_and_site_packs(store):
    """Samples keep the order they came in (a re-fetched page moves to the end); binary data comes back as
    it went in; a mined pack takes its host's samples away in the same transaction."""
    blobs = {f"https://a.example/{i}": bytes([0, i, 255]) * 50 for i in range(4)}
    for i, (url, blob) in enumerate(blobs.items()):
        assert store.save_sample("a.example", url, blob) == i + 1
    assert store.save_sample("b.example", "https://b.example/x", b"\x00b") == 1
    assert store.save_sample("a.example", "https://a.example/1", b"again") == 4
    assert store.samples("a.example") == [blobs["https://a.example/0"], blobs["https://a.example/2"],
                                          blobs["https://a.example/3"], b"again"]
    store.save_site_pack("a.example", "[pack]\n", pages=4, rules=2)
    store.save_site_pack("c.example", "", pages=3, rules=0)
    assert store.samples("a.example") == [] and store.count("site_samples") == 1
    assert store.site_packs() == {"a.example": "[pack]\n", "c.example": ""}
    store.save_site_pack("a.example", "[pack2]\n", pages=5, rules=3)
    assert store.site_packs()["a.example"] == "[pack2]\n" and store.count("site_packs") == 2


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


def test_read_only_reads_and_refuses_writes(store_url):
    with Store(store_url) as store:
        store.save_article(record(URL, "Text."), URL)
    with Store(store_url, read_only=True) as reader:
        assert [r["url"] for r in reader.articles()] == [URL] and reader.count("articles") == 1
        with pytest.raises(StoreError, match="read-only"):
            reader.start_run()
        with pytest.raises(StoreError, match="read-only"):
            reader.save_article(record(URL, "Other text."), URL)
    with Store(store_url) as again:  # reopening keeps the data and the schema
        assert again.count("articles") == 1 and again.revisions(URL) == [(1, record(URL, "Text.")["content_hash"])]


def test_wal_mode_and_a_second_reader(tmp_path):
    path = tmp_path / "store.db"
    with Store(path) as writer:
        writer.save_article(record(URL, "Text."), URL)
        reader = sqlite3.connect(path)
        assert reader.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        with writer.engine.connect() as conn:  # a crawl in the middle of a write ...
            write = conn.execution_options(presswash_write=True).begin()  # BEGIN IMMEDIATE: the write lock
            conn.exec_driver_sql("UPDATE articles SET revision = 99")
            assert reader.execute("SELECT revision FROM articles").fetchone() == (1,)  # ... does not block readers
            write.rollback()
        reader.close()
    with Store(path) as again:
        assert again.count("articles") == 1
        assert sql(again, "PRAGMA integrity_check") == [("ok",)]


def test_sqlite_urls_name_files(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with Store("sqlite:///relative.db") as store:
        store.save_article(record(URL, "Text."), URL)
    with Store(f"sqlite:///{tmp_path}/relative.db", read_only=True) as store:
        assert store.count("articles") == 1
    assert (tmp_path / "relative.db").is_file()
    with pytest.raises(StoreError, match="mysql:// is not a store"):
        Store("mysql://user@127.0.0.1/news")
