"""Schema versions: a new store records its version; a store from before versions (the SQLite layout of
presswash up to this change) is read as it is and upgraded in place when opened for writing; a store of a
newer version is refused untouched, with what to run. And what check_store refuses on PostgreSQL."""

from __future__ import annotations

import contextlib
import json
import socket
import sqlite3
from pathlib import Path

import psycopg
import pytest

from scraper.core.document import short_hash
from scraper.store import Store, StoreError, check_store
from scraper.store.schema import SCHEMA_VERSION
from tests.conftest import call_main
from tests.store.conftest import record, sql

URL = "https://news.example.com/2026/11/20/ferry.html"

# The layout of version 1, as presswash made it before schema versions were recorded.
VERSION_1 = """
CREATE TABLE articles (id TEXT PRIMARY KEY, url TEXT NOT NULL UNIQUE, record TEXT NOT NULL,
    content_hash TEXT NOT NULL, revision INTEGER NOT NULL, first_seen TEXT NOT NULL, last_seen TEXT NOT NULL,
    last_changed TEXT NOT NULL);
CREATE INDEX articles_last_changed ON articles(last_changed);
CREATE TABLE revisions (article_id TEXT NOT NULL REFERENCES articles(id), revision INTEGER NOT NULL,
    content_hash TEXT NOT NULL, text TEXT NOT NULL, fetched_at TEXT NOT NULL, PRIMARY KEY (article_id, revision));
CREATE TABLE pages (url TEXT PRIMARY KEY, canonical_url TEXT, kind TEXT, etag TEXT, last_modified TEXT,
    status INTEGER, first_seen TEXT NOT NULL, last_fetched TEXT NOT NULL);
CREATE TABLE runs (id INTEGER PRIMARY KEY AUTOINCREMENT, started TEXT NOT NULL, finished TEXT,
    status TEXT NOT NULL, stats TEXT);
CREATE TABLE errors (id INTEGER PRIMARY KEY AUTOINCREMENT, run_id INTEGER REFERENCES runs(id), url TEXT,
    reason TEXT NOT NULL, at TEXT NOT NULL);
"""
VERSION_1_MINING = """
CREATE TABLE site_samples (host TEXT NOT NULL, url TEXT NOT NULL, sample BLOB NOT NULL, PRIMARY KEY (host, url));
CREATE TABLE site_packs (host TEXT PRIMARY KEY, pack TEXT NOT NULL, pages INTEGER NOT NULL, rules INTEGER NOT NULL,
    mined_at TEXT NOT NULL);
"""


def version_1_store(path: Path, mining: bool = True) -> Path:
    """A store as presswash wrote it before versions: one article, a run, an error and (``mining``) three
    samples of a host, kept in the order c, a, b."""
    rec = record(URL, "Old text.")
    db = sqlite3.connect(path)
    db.executescript(VERSION_1 + (VERSION_1_MINING if mining else ""))
    db.execute("INSERT INTO articles VALUES (?, ?, ?, ?, 1, '2026-11-01', '2026-11-01', '2026-11-01')",
               (short_hash(URL), URL, json.dumps(rec), rec["content_hash"]))
    db.execute("INSERT INTO revisions VALUES (?, 1, ?, 'Old text.', '2026-11-01')",
               (short_hash(URL), rec["content_hash"]))
    db.execute("INSERT INTO pages VALUES (?, ?, 'article', '\"e\"', NULL, 200, '2026-11-01', '2026-11-01')",
               (URL, URL))
    db.execute("INSERT INTO runs (started, finished, status, stats) VALUES ('2026-11-01', '2026-11-01', "
               "'finished', '{}')")
    db.execute("INSERT INTO errors (run_id, url, reason, at) VALUES (1, 'https://x.example/', 'HTTP 404', 'x')")
    if mining:
        for url in ("c", "a", "b"):
            db.execute("INSERT INTO site_samples VALUES ('h.example', ?, ?)", (url, url.encode()))
    db.commit()
    db.close()
    return path


def test_a_new_store_records_its_version(store):
    assert sql(store, "SELECT key, value FROM meta") == [("schema_version", str(SCHEMA_VERSION))]
    assert store.found_version == 0


def test_an_older_store_is_read_as_it_is_and_upgraded_in_place(tmp_path):
    path = version_1_store(tmp_path / "old.db")
    before = path.read_bytes()
    # export and mining read it untouched
    out = tmp_path / "out.jsonl"
    run = call_main("export", "--store", path, "-o", out)
    assert run.code == 0 and "1 articles" in run.stderr, run.stderr
    with Store(path, read_only=True) as reader:
        assert [r["text"] for r in reader.articles()] == ["Old text."]
    assert path.read_bytes() == before
    # opening it for writing upgrades it, keeping everything, and the samples' order
    with Store(path) as store:
        assert store.found_version == 1
        assert sql(store, "SELECT value FROM meta WHERE key = 'schema_version'") == [(str(SCHEMA_VERSION),)]
        assert store.samples("h.example") == [b"c", b"a", b"b"]
        assert store.save_sample("h.example", "d", b"d") == 4
        assert store.samples("h.example") == [b"c", b"a", b"b", b"d"]
        assert store.revisions(URL) == [(1, record(URL, "Old text.")["content_hash"])]
        assert store.page_state(URL).etag == '"e"'
        assert store.save_article(record(URL, "New text."), URL) == "changed"
        assert store.start_run() == 2 and store.count("errors") == 1
    with Store(path) as again:  # once upgraded, opening changes nothing more
        assert again.found_version == SCHEMA_VERSION and again.count("revisions") == 2
    assert sqlite3.connect(path).execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_the_oldest_layout_gets_its_mining_tables(tmp_path):
    path = version_1_store(tmp_path / "oldest.db", mining=False)
    with Store(path) as store:
        assert store.found_version == 1
        assert store.save_sample("h.example", "a", b"a") == 1 and store.site_packs() == {}


def _make_newer(store_url: str) -> None:
    with Store(store_url) as store:
        store.save_article(record(URL, "Text."), URL)
        sql(store, "UPDATE meta SET value = :v WHERE key = 'schema_version'", v=str(SCHEMA_VERSION + 1))


def _snapshot(store_url: str):
    if store_url.startswith("postgresql://"):
        with psycopg.connect(store_url) as conn:
            return [conn.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall()
                    for t in ("meta", "articles", "pages", "runs")]
    return Path(store_url).read_bytes()


def test_a_newer_store_is_refused_untouched(store_url, tmp_path):
    _make_newer(store_url)
    before = _snapshot(store_url)
    for read_only in (False, True):
        with pytest.raises(StoreError) as info:
            check_store(store_url, read_only)
        assert f"schema version {SCHEMA_VERSION + 1}" in str(info.value)
        assert "upgrade presswash (pip install -U presswash)" in str(info.value)
        with pytest.raises(StoreError, match="upgrade presswash"):
            Store(store_url, read_only=read_only)
    for command in (["export"], ["mine", "-o", tmp_path / "mined"], ["crawl", "--feed", "http://127.0.0.1:9/f"]):
        run = call_main(command[0], "--store", store_url, *command[1:])
        assert run.code == 2 and "upgrade presswash" in run.stderr, run.stderr
    assert _snapshot(store_url) == before


def test_postgresql_refusals(postgresql_server, postgresql_url):
    with pytest.raises(StoreError, match="no store at .*the database is empty"):
        check_store(postgresql_url, read_only=True)
    check_store(postgresql_url)  # an empty database: a store can be made in it
    with psycopg.connect(postgresql_url) as conn:
        conn.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY)")
    for read_only in (False, True):
        with pytest.raises(StoreError, match="not a presswash store: it is a database of another application "
                                             r"\(tables: customers\); it was left untouched"):
            Store(postgresql_url, read_only=read_only)
    with psycopg.connect(postgresql_url) as conn:
        assert [t for (t,) in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")] == [
            "customers"]


def test_a_password_never_shows_and_an_unreachable_server_is_named():
    with socket_closed() as port:
        url = f"postgresql://news:s3cret@127.0.0.1:{port}/news"
        with pytest.raises(StoreError) as info:
            check_store(url)
        assert "cannot reach the PostgreSQL store postgresql://news:***@127.0.0.1" in str(info.value)
        assert "s3cret" not in str(info.value)
        run = call_main("export", "--store", url)
        assert run.code == 2 and "cannot reach" in run.stderr and "s3cret" not in run.stderr


@contextlib.contextmanager
def socket_closed():
    """A loopback port nobody listens on, for the length of the block: bound, never listening."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]
