"""The embedded store: one SQLite file holding articles, their revisions, crawl state, runs and errors.

WAL mode and one transaction per write keep it consistent when a crawl is killed, and let an export read
while a crawl writes. An article is keyed by its canonical URL when that can be trusted (Store.article_key),
else by its fetched URL; a new revision is stored only when the clean text changed.
"""

from __future__ import annotations

import json
import sqlite3
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

from scraper.core.document import RECORD_FIELDS, now_iso, short_hash
from scraper.core.metadata import Metadata
from scraper.core.urls import canonical_url as _canonical
from scraper.core.urls import is_http_url, is_site_root, same_site_urls

DEFAULT_STORE = "presswash.db"
CANONICAL_IGNORED = "canonical-ignored"  # the record's flag when its rel=canonical was not used as its key

SCHEMA = """
CREATE TABLE IF NOT EXISTS articles (
    id            TEXT PRIMARY KEY,      -- hash of the canonical URL
    url           TEXT NOT NULL UNIQUE,  -- canonical URL
    record        TEXT NOT NULL,         -- the latest record, JSON
    content_hash  TEXT NOT NULL,
    revision      INTEGER NOT NULL,
    first_seen    TEXT NOT NULL,
    last_seen     TEXT NOT NULL,
    last_changed  TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS articles_last_changed ON articles(last_changed);
CREATE TABLE IF NOT EXISTS revisions (
    article_id    TEXT NOT NULL REFERENCES articles(id),
    revision      INTEGER NOT NULL,
    content_hash  TEXT NOT NULL,
    text          TEXT NOT NULL,
    fetched_at    TEXT NOT NULL,
    PRIMARY KEY (article_id, revision)
);
CREATE TABLE IF NOT EXISTS pages (       -- crawl state, one row per fetched URL
    url           TEXT PRIMARY KEY,
    canonical_url TEXT,
    kind          TEXT,                  -- article | error (listing pages are not recorded)
    etag          TEXT,
    last_modified TEXT,
    status        INTEGER,
    first_seen    TEXT NOT NULL,
    last_fetched  TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS runs (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    started       TEXT NOT NULL,
    finished      TEXT,
    status        TEXT NOT NULL,         -- running | finished | interrupted
    stats         TEXT                   -- JSON
);
CREATE TABLE IF NOT EXISTS errors (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id        INTEGER REFERENCES runs(id),
    url           TEXT,
    reason        TEXT NOT NULL,
    at            TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS site_samples ( -- pages of a host kept until its site pack is mined (docs/mining.md)
    host          TEXT NOT NULL,
    url           TEXT NOT NULL,
    sample        BLOB NOT NULL,         -- zlib-compressed JSON: the page's clean lines and blocks
    PRIMARY KEY (host, url)
);
CREATE TABLE IF NOT EXISTS site_packs (   -- one mined site pack per host; empty when nothing repeated
    host          TEXT PRIMARY KEY,
    pack          TEXT NOT NULL,         -- the pack, TOML
    pages         INTEGER NOT NULL,
    rules         INTEGER NOT NULL,
    mined_at      TEXT NOT NULL
);
"""


@dataclass(frozen=True, slots=True)
class PageState:
    url: str
    canonical_url: str | None
    kind: str | None
    etag: str | None
    last_modified: str | None
    last_fetched: str


class StoreError(Exception):
    """The path cannot be used as a store: a folder, not SQLite, another application's database, or
    (read-only) no store at all. Nothing was written to it."""


SQLITE_MAGIC = b"SQLite format 3\x00"
# The tables that make a SQLite file a presswash store (the newer ones are added on opening).
_CORE_TABLES = {"articles", "revisions", "pages", "runs", "errors"}


def check_store(path: str | Path, read_only: bool = False) -> None:
    """StoreError unless ``path`` is a presswash store, or (not ``read_only``) a file a store may be made in:
    a missing file, an empty file or an empty SQLite database. Reads only the file's first bytes and its
    table list, so a file that is refused is left as it was."""
    path = Path(path)
    if not path.exists():
        if read_only:
            raise StoreError(f"no store at {path}")
        return
    if path.is_dir():
        raise StoreError(f"{path} is a folder, not a presswash store (give the store file's path)")
    if not path.is_file():
        raise StoreError(f"{path} is not a regular file, so it cannot be a presswash store")
    try:
        with path.open("rb") as fh:
            head = fh.read(len(SQLITE_MAGIC))
    except OSError as exc:
        raise StoreError(f"{path} cannot be read: {exc.strerror or exc}") from None
    if not head:
        if read_only:
            raise StoreError(f"{path} is an empty file, not a presswash store")
        return
    if head != SQLITE_MAGIC:
        raise StoreError(f"{path} is not a presswash store: it is not an SQLite database")
    tables = _tables(path)
    if not tables and not read_only:
        return
    if not _CORE_TABLES <= tables:
        what = "an empty SQLite database" if not tables else \
            f"an SQLite database of another application (tables: {', '.join(sorted(tables)[:5])})"
        raise StoreError(f"{path} is not a presswash store: it is {what}; it was left untouched")


def _tables(path: Path) -> set[str]:
    try:
        db = sqlite3.connect(_read_only_uri(path), uri=True, timeout=30)
        try:
            return {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        finally:
            db.close()
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path} is not a presswash store: the SQLite file cannot be read ({exc})") from None


def _read_only_uri(path: str | Path) -> str:
    return "file:" + urllib.parse.quote(str(Path(path).absolute())) + "?mode=ro"


def with_every_key(record: dict[str, Any]) -> dict[str, Any]:
    """A stored record with every key of today's records, in their order: one stored before a key existed
    (``provenance``) gets that key's empty value."""
    empty: dict[str, Any] = {**dict.fromkeys(RECORD_FIELDS), **Metadata().metadata_values(),
                             "images": [], "removed": [], "flags": []}
    return {**empty, **record}


class Store:
    """A SQLite store. Not shared between threads: open one per process (or per pipeline).

    ``read_only`` (export, mining a store) opens with SQLite's mode=ro and never creates or changes the
    file. Either way a path that is not a presswash store raises StoreError before anything is written
    (check_store)."""

    def __init__(self, path: str | Path = DEFAULT_STORE, read_only: bool = False):
        self.path = str(path)
        self.read_only = read_only
        if self.path == ":memory:":
            self.db = sqlite3.connect(self.path, isolation_level=None)
        else:
            check_store(self.path, read_only)
            if read_only:
                self.db = sqlite3.connect(_read_only_uri(self.path), uri=True, timeout=30, isolation_level=None)
                self.db.execute("PRAGMA query_only=ON")
                return
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("PRAGMA foreign_keys=ON")
        self.db.executescript(SCHEMA)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def _tx(self):
        return _Transaction(self.db)

    # crawl state -------------------------------------------------------------------------------------
    def page_state(self, url: str) -> PageState | None:
        row = self.db.execute(
            "SELECT url, canonical_url, kind, etag, last_modified, last_fetched FROM pages WHERE url = ?",
            (url,),
        ).fetchone()
        return PageState(*row) if row else None

    def has_article(self, canonical_url: str) -> bool:
        return self.db.execute("SELECT 1 FROM articles WHERE url = ?", (canonical_url,)).fetchone() is not None

    def mark_page(self, url: str, kind: str, status: int | None = None, canonical_url: str | None = None,
                  etag: str | None = None, last_modified: str | None = None, when: str | None = None) -> None:
        when = when or now_iso()
        with self._tx():
            self._upsert_page(url, kind, status, canonical_url, etag, last_modified, when)

    def _upsert_page(self, url, kind, status, canonical_url, etag, last_modified, when) -> None:
        self.db.execute(
            """INSERT INTO pages (url, canonical_url, kind, etag, last_modified, status, first_seen, last_fetched)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT(url) DO UPDATE SET
                 canonical_url = COALESCE(excluded.canonical_url, canonical_url),
                 kind = excluded.kind,
                 etag = COALESCE(excluded.etag, etag),
                 last_modified = COALESCE(excluded.last_modified, last_modified),
                 status = excluded.status,
                 last_fetched = excluded.last_fetched""",
            (url, canonical_url, kind, etag, last_modified, status, when, when),
        )

    # articles ----------------------------------------------------------------------------------------
    def save_article(self, record: dict[str, Any], fetched_url: str, status: int | None = None,
                     etag: str | None = None, last_modified: str | None = None,
                     is_listing: Callable[[str], bool] | None = None) -> str:
        """Store an article record under its key: the page's rel=canonical when it can be trusted, else the
        fetched URL, with tracking parameters and fragment dropped (see article_key). Returns "new",
        "changed" or "unchanged". When the page names a canonical that is not used, "canonical-ignored" is
        added to the record's flags (``record`` is changed in place, so other outputs write the same).

        The page state and the article are written in one transaction, so a kill leaves both or neither.
        """
        fetched_url = _canonical(fetched_url)  # the key IncrementalMiddleware looks a request up by
        when = record.get("fetched_at") or now_iso()
        with self._tx():
            canonical, ignored = self.article_key(record, fetched_url, is_listing)
            if ignored and CANONICAL_IGNORED not in (record.get("flags") or []):
                record["flags"] = [*(record.get("flags") or []), CANONICAL_IGNORED]
            article_id = short_hash(canonical)
            row = self.db.execute("SELECT content_hash, revision FROM articles WHERE id = ?",
                                  (article_id,)).fetchone()
            blob = json.dumps(record, ensure_ascii=False)
            if row is None:
                outcome, revision = "new", 1
                self.db.execute(
                    "INSERT INTO articles (id, url, record, content_hash, revision, first_seen, last_seen, "
                    "last_changed) VALUES (?, ?, ?, ?, 1, ?, ?, ?)",
                    (article_id, canonical, blob, record["content_hash"], when, when, when),
                )
            elif row[0] != record["content_hash"]:
                outcome, revision = "changed", row[1] + 1
                self.db.execute(
                    "UPDATE articles SET record = ?, content_hash = ?, revision = ?, last_seen = ?, "
                    "last_changed = ? WHERE id = ?",
                    (blob, record["content_hash"], revision, when, when, article_id),
                )
            else:
                outcome, revision = "unchanged", row[1]
                self.db.execute("UPDATE articles SET last_seen = ? WHERE id = ?", (when, article_id))
            if outcome != "unchanged":
                self.db.execute(
                    "INSERT INTO revisions (article_id, revision, content_hash, text, fetched_at) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (article_id, revision, record["content_hash"], record["text"], when),
                )
            self._upsert_page(fetched_url, "article", status, canonical, etag, last_modified, when)
            if canonical != fetched_url:
                self._upsert_page(canonical, "article", status, canonical, etag, last_modified, when)
        return outcome

    def article_key(self, record: dict[str, Any], fetched_url: str,
                    is_listing: Callable[[str], bool] | None = None) -> tuple[str, str | None]:
        """The URL an article is stored under, and why the page's canonical was not used (None when it was,
        or when the page names none). ``fetched_url`` is already canonicalised.

        The canonical is the key only when it is a well-formed http(s) URL on the same site as the fetched
        page (scraper.core.urls.same_site_urls), is not the site's home page or a listing (``is_listing``:
        what the crawl saw as a feed, sitemap or listing page), and either holds no article yet, holds one
        with the same text, or holds the one this same fetched URL was stored under before. So a page never
        replaces an article of another site, and pages with different texts that share one canonical are
        stored apart. Reads the store: call it inside the write transaction.
        """
        declared = record.get("canonical_url")
        if not declared:
            return fetched_url, None
        if not is_http_url(declared):
            return fetched_url, "malformed"
        canonical = _canonical(declared)
        if canonical == fetched_url:
            return fetched_url, None
        if not same_site_urls(canonical, fetched_url):
            return fetched_url, "another site"
        if is_site_root(canonical) or (is_listing is not None and is_listing(canonical)):
            return fetched_url, "home page or listing"
        held = self.db.execute("SELECT content_hash FROM articles WHERE id = ?",
                               (short_hash(canonical),)).fetchone()
        if held is not None and held[0] != record.get("content_hash"):
            # The page's last key; an error or 304 row in between keeps it (_upsert_page's COALESCE).
            before = self.db.execute("SELECT canonical_url FROM pages WHERE url = ?",
                                     (fetched_url,)).fetchone()
            if before is None or before[0] != canonical:
                return fetched_url, "shared by another text"
        return canonical, None

    def articles(self, since: str | None = None) -> Iterator[dict[str, Any]]:
        """Latest records, oldest change first; ``since`` (ISO date or time) filters on last change."""
        query = "SELECT record, revision, first_seen, last_changed FROM articles"
        params: tuple = ()
        if since:
            query += " WHERE last_changed >= ?"
            params = (since,)
        for blob, revision, first_seen, last_changed in self.db.execute(query + " ORDER BY last_changed, id",
                                                                          params):
            record = with_every_key(json.loads(blob))
            record.update(revision=revision, first_seen=first_seen, last_changed=last_changed)
            yield record

    def revisions(self, canonical_url: str) -> list[tuple[int, str]]:
        return self.db.execute(
            "SELECT r.revision, r.content_hash FROM revisions r JOIN articles a ON a.id = r.article_id "
            "WHERE a.url = ? ORDER BY r.revision",
            (canonical_url,),
        ).fetchall()

    # runs and errors ---------------------------------------------------------------------------------
    def start_run(self) -> int:
        with self._tx():
            cur = self.db.execute("INSERT INTO runs (started, status) VALUES (?, 'running')", (now_iso(),))
        return int(cur.lastrowid)

    def finish_run(self, run_id: int, stats: dict[str, Any], status: str = "finished") -> None:
        with self._tx():
            self.db.execute("UPDATE runs SET finished = ?, status = ?, stats = ? WHERE id = ?",
                            (now_iso(), status, json.dumps(stats), run_id))

    def record_error(self, run_id: int | None, url: str | None, reason: str, status: int | None = None) -> None:
        when = now_iso()
        with self._tx():
            self.db.execute("INSERT INTO errors (run_id, url, reason, at) VALUES (?, ?, ?, ?)",
                            (run_id, url, reason, when))
            if url:
                self._upsert_page(url, "error", status, None, None, None, when)

    # mined site packs -------------------------------------------------------------------------------
    def save_sample(self, host: str, url: str, sample: bytes) -> int:
        """Keep one page's mining sample (a re-fetched page replaces its own); returns the host's count."""
        with self._tx():
            self.db.execute("INSERT OR REPLACE INTO site_samples (host, url, sample) VALUES (?, ?, ?)",
                            (host, url, sample))
            return int(self.db.execute("SELECT COUNT(*) FROM site_samples WHERE host = ?", (host,)).fetchone()[0])

    def samples(self, host: str) -> list[bytes]:
        return [s for (s,) in self.db.execute("SELECT sample FROM site_samples WHERE host = ? ORDER BY rowid",
                                              (host,))]

    def save_site_pack(self, host: str, pack: str, pages: int, rules: int) -> None:
        """Store a host's mined pack; its samples have served and go in the same transaction."""
        with self._tx():
            self.db.execute("INSERT OR REPLACE INTO site_packs (host, pack, pages, rules, mined_at) "
                            "VALUES (?, ?, ?, ?, ?)", (host, pack, pages, rules, now_iso()))
            self.db.execute("DELETE FROM site_samples WHERE host = ?", (host,))

    def site_packs(self) -> dict[str, str]:
        """Host -> mined pack text ("" when mining found nothing)."""
        return dict(self.db.execute("SELECT host, pack FROM site_packs ORDER BY host"))

    def count(self, table: str) -> int:
        if table not in ("articles", "revisions", "pages", "runs", "errors", "site_samples", "site_packs"):
            raise ValueError(table)
        return int(self.db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])


class _Transaction:
    """BEGIN IMMEDIATE … COMMIT, or ROLLBACK on an exception."""

    def __init__(self, db: sqlite3.Connection):
        self.db = db

    def __enter__(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type, exc, tb) -> None:
        self.db.execute("COMMIT" if exc_type is None else "ROLLBACK")
