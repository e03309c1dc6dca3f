"""The store: articles, their revisions, crawl state, runs, errors and mined site packs, in SQLite (a plain path
or ``sqlite:///PATH``, the default) or PostgreSQL (``postgresql://…``). One class serves both: the statements
are written once with SQLAlchemy Core, and the backends (sqlite.py, postgresql.py) differ only in how they
connect, how a write transaction begins, and which errors mean a lost connection.

Every write is one transaction, so a kill leaves all of it or none. An article is keyed by its canonical URL
when that can be trusted (Store.article_key), else by its fetched URL; a new revision is stored only when the
clean text changed. Several processes may write one store at once: each article still gets exactly one row.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, TypeVar

from sqlalchemy import bindparam, func, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from scraper.core.document import RECORD_FIELDS, now_iso, short_hash
from scraper.core.metadata import Metadata, split_author
from scraper.core.urls import canonical_url as _canonical
from scraper.core.urls import is_http_url, is_site_root, same_site_urls
from scraper.core.fingerprint import Fingerprint
from scraper.store import clusters, health, schema, stories
from scraper.store.stories import Placement
from scraper.store.errors import StoreError, StoreLost, first_line
from scraper.store.postgresql import PostgreSQLBackend, is_postgresql_url
from scraper.store.schema import articles, errors, host_runs, pages, revisions, runs, site_packs, site_samples
from scraper.store.sqlite import URL_PREFIX, SQLiteBackend

DEFAULT_STORE = "presswash.db"
STORE_ENV = "PRESSWASH_STORE"  # the store of every command that is given no --store
CANONICAL_IGNORED = "canonical-ignored"  # the record's flag when its rel=canonical was not used as its key
RECONNECT_SECONDS = 60.0  # how long a transaction is retried while the connection to the store is lost

log = logging.getLogger(__name__)
T = TypeVar("T")


def store_target(given: str | Path | None) -> str:
    """The store a command uses: ``given`` (--store), else $PRESSWASH_STORE, else ./presswash.db."""
    return str(given or os.environ.get(STORE_ENV) or DEFAULT_STORE)


def _backend(target: str | Path) -> SQLiteBackend | PostgreSQLBackend:
    target = str(target)
    if is_postgresql_url(target):
        return PostgreSQLBackend(target)
    scheme = re.match(r"([A-Za-z][A-Za-z0-9+.-]*)://", target)
    if scheme and not target.startswith(URL_PREFIX):
        raise StoreError(f"{scheme.group(1)}:// is not a store presswash can use: give a file path, "
                         "sqlite:///PATH or postgresql://USER@HOST/DATABASE")
    return SQLiteBackend(target)


def check_store(target: str | Path, read_only: bool = False) -> None:
    """StoreError unless ``target`` is a presswash store this presswash can read, or (not ``read_only``) a
    place a new store may be made: a missing, empty or blank SQLite file, or an empty PostgreSQL database.
    Only reads, so whatever is refused is left as it was."""
    _backend(target).check(read_only)


def store_name(target: str | Path) -> str:
    """The store as messages name it: the file, or the PostgreSQL URL without its password."""
    return _backend(target).where


# The statements, built once: a call only binds its values (building a statement costs more than SQLite's own
# work for it). Updates and inserts take their columns from the values given.
B = bindparam
PAGE_STATE = select(pages.c.url, pages.c.canonical_url, pages.c.kind, pages.c.etag, pages.c.last_modified,
                    pages.c.last_fetched).where(pages.c.url == B("url"))
PAGE_KEY = select(pages.c.canonical_url).where(pages.c.url == B("url"))
HAS_ARTICLE = select(articles.c.id).where(articles.c.url == B("url"))
ARTICLE_URL = select(articles.c.url).where(articles.c.id == B("id"))
HELD_TEXT = select(articles.c.content_hash).where(articles.c.id == B("id"))
LOCK_ARTICLE = (select(articles.c.content_hash, articles.c.revision, articles.c.duplicate_of, articles.c.story)
                .where(articles.c.id == B("id")).with_for_update())
PLACED = select(articles.c.duplicate_of, articles.c.story).where(articles.c.id == B("id"))
UPDATE_ARTICLE = articles.update().where(articles.c.id == B("article_id"))
ADD_REVISION = revisions.insert()
LATEST = select(articles.c.record, articles.c.revision, articles.c.first_seen, articles.c.last_changed)
ARTICLES = LATEST.order_by(articles.c.last_changed, articles.c.id)
ARTICLES_SINCE = LATEST.where(articles.c.last_changed >= B("since")).order_by(articles.c.last_changed, articles.c.id)
UNIQUE = articles.c.duplicate_of.is_(None)  # the originals: no near-duplicate of an earlier article
REVISIONS = (select(revisions.c.revision, revisions.c.content_hash)
             .join(articles, articles.c.id == revisions.c.article_id)
             .where(articles.c.url == B("url")).order_by(revisions.c.revision))
START_RUN = runs.insert()
FINISH_RUN = runs.update().where(runs.c.id == B("run_id"))
ADD_ERROR = errors.insert()
LAST_RUN_ERRORS = (select(errors.c.url, errors.c.reason)
                   .where(errors.c.run_id == select(func.max(runs.c.id)).scalar_subquery()).order_by(errors.c.id))
ADD_HOST_RUN = host_runs.insert()
NEXT_SAMPLE = select(func.coalesce(func.max(site_samples.c.seq), 0) + 1).where(site_samples.c.host == B("host"))
SAMPLE_COUNT = select(func.count()).select_from(site_samples).where(site_samples.c.host == B("host"))
SAMPLES = (select(site_samples.c.sample).where(site_samples.c.host == B("host"))
           .order_by(site_samples.c.seq, site_samples.c.url))
DROP_SAMPLES = site_samples.delete().where(site_samples.c.host == B("host"))
SITE_PACKS = select(site_packs.c.host, site_packs.c.pack).order_by(site_packs.c.host)
COUNTS = {name: select(func.count()).select_from(schema.TABLES[name])
          for name in ("articles", "revisions", "pages", "runs", "errors", "site_samples", "site_packs",
                       "story_signatures", "host_runs")}


@dataclass(frozen=True)
class Upserts:
    """The statements whose upsert clause each dialect spells with its own insert() (the same API for both)."""

    page: Any
    article: Any
    sample: Any
    site_pack: Any

    @staticmethod
    @functools.cache
    def of(insert: Callable) -> "Upserts":
        page = insert(pages)
        page = page.on_conflict_do_update(index_elements=[pages.c.url], set_={
            # a missing canonical or validator keeps the one stored before
            "canonical_url": func.coalesce(page.excluded.canonical_url, pages.c.canonical_url),
            "kind": page.excluded.kind,
            "etag": func.coalesce(page.excluded.etag, pages.c.etag),
            "last_modified": func.coalesce(page.excluded.last_modified, pages.c.last_modified),
            "status": page.excluded.status,
            "last_fetched": page.excluded.last_fetched,
        })
        sample = insert(site_samples)
        sample = sample.on_conflict_do_update(index_elements=[site_samples.c.host, site_samples.c.url],
                                              set_={"sample": sample.excluded.sample, "seq": sample.excluded.seq})
        pack = insert(site_packs)
        pack = pack.on_conflict_do_update(index_elements=[site_packs.c.host], set_={
            name: pack.excluded[name] for name in ("pack", "pages", "rules", "mined_at")})
        return Upserts(page=page, article=insert(articles).on_conflict_do_nothing().returning(articles.c.id),
                       sample=sample, site_pack=pack)


@dataclass(frozen=True, slots=True)
class PageState:
    url: str
    canonical_url: str | None
    kind: str | None
    etag: str | None
    last_modified: str | None
    last_fetched: str


def with_every_key(record: dict[str, Any]) -> dict[str, Any]:
    """A stored record with every key of today's records, in their order: one stored before a key existed
    (``provenance``) gets that key's empty value; one stored before ``authors`` gets the names its ``author``
    joins."""
    empty: dict[str, Any] = {**dict.fromkeys(RECORD_FIELDS), **Metadata().metadata_values(),
                             "images": [], "removed": [], "flags": []}
    full = {**empty, **record}
    if "authors" not in record:  # stored before ``authors``: its names are the ones ``author`` joins
        full["authors"] = split_author(full["author"])
        if "author" in (full["provenance"] or {}):
            full["provenance"] = {**full["provenance"], "authors": full["provenance"]["author"]}
    return full


class Store:
    """A store in SQLite or PostgreSQL, by ``target``. Not shared between threads: open one per process (or
    per pipeline).

    ``read_only`` (export, mining a store) never creates or changes anything: SQLite opens with mode=ro,
    PostgreSQL with read-only transactions, and the writing methods raise StoreError. Either way a target
    that is not a presswash store raises StoreError before anything is written (check_store). Opening for
    writing makes the tables of a new store and upgrades an older one (schema.py).

    A PostgreSQL transaction that fails because the connection was lost is retried from the start on a new
    connection for up to ``reconnect_for`` seconds, then StoreError; PostgreSQL rolls back what the lost
    connection had begun, so an article is never half written, and a retried save finds what a lost COMMIT
    may have stored (it returns "unchanged" then), so it is never doubled.
    """

    def __init__(self, target: str | Path = DEFAULT_STORE, read_only: bool = False,
                 reconnect_for: float = RECONNECT_SECONDS, scratch: bool = False):
        self.path = str(target)
        self.read_only = read_only
        self.reconnect_for = reconnect_for
        self.backend = _backend(target)
        if scratch:  # a throwaway SQLite file (clean's run index): nothing synced, the journal in memory
            self.backend.scratch = True
        self.where = self.backend.where
        self.backend.check(read_only)
        self.engine = self.backend.engine(read_only)
        self._upserts = Upserts.of(self.backend.insert)
        self._conn: Connection | None = None  # one connection, for every transaction but articles()' reads
        self._placed = 0  # articles placed by place(), for their order
        # The schema version the store had when opened: 0 for a new one; read-only stores are not looked at.
        self.found_version: int | None = None
        if not read_only:
            self.found_version = self._run(self._prepare, write=True)

    def _prepare(self, conn: Connection) -> int:
        self.backend.lock_schema(conn)
        return schema.prepare(conn, self.where)

    def close(self) -> None:
        self._drop_connection()

    def _drop_connection(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        self.engine.dispose()  # a lost connection's pooled siblings are dead too

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # transactions ------------------------------------------------------------------------------------
    def _run(self, work: Callable[[Connection], T], write: bool = False) -> T:
        """``work(conn)`` in one transaction, committed when it returns; retried on a new connection while
        the connection to the store is lost (see the class)."""
        if write and self.read_only:
            raise StoreError(f"{self.where} is open read-only")
        deadline, attempt = None, 0
        while True:
            try:
                if self._conn is None:
                    self._conn = self.engine.connect()
                conn = self._conn.execution_options(presswash_write=write)  # how SQLite begins (sqlite.py)
                with conn.begin():
                    result = work(conn)
                if deadline is not None:
                    log.warning("the store %s is back after %d retries", self.where, attempt)
                return result
            except DBAPIError as exc:
                if not self.backend.lost(exc):
                    raise StoreError(f"{self.where}: {first_line(exc)}") from exc
                now = time.monotonic()
                if deadline is None:
                    deadline = now + self.reconnect_for
                    log.warning("lost the connection to the store %s (%s); retrying for up to %g s",
                                self.where, first_line(exc), self.reconnect_for)
                elif now >= deadline:
                    raise StoreLost(f"lost the connection to the store {self.where} and it did not come back "
                                    f"within {self.reconnect_for:g} s: {first_line(exc)}") from exc
                self._drop_connection()
                attempt += 1
                time.sleep(min(2.0, 0.05 * 2 ** attempt, max(0.0, deadline - now)))

    # crawl state -------------------------------------------------------------------------------------
    def page_state(self, url: str) -> PageState | None:
        row = self._run(lambda conn: conn.execute(PAGE_STATE, {"url": url}).first())
        return PageState(*row) if row else None

    def has_article(self, canonical_url: str) -> bool:
        return self._run(lambda conn: conn.execute(HAS_ARTICLE, {"url": canonical_url}).first()) is not None

    def article_url(self, article_id: str) -> str | None:
        """The URL an article is stored under, by its id."""
        return self._run(lambda conn: conn.execute(ARTICLE_URL, {"id": article_id}).scalar())

    def mark_page(self, url: str, kind: str, status: int | None = None, canonical_url: str | None = None,
                  etag: str | None = None, last_modified: str | None = None, when: str | None = None) -> None:
        when = when or now_iso()
        self._run(lambda conn: self._upsert_page(conn, url, kind, status, canonical_url, etag, last_modified,
                                                 when), write=True)

    def _upsert_page(self, conn: Connection, url, kind, status, canonical_url, etag, last_modified, when) -> None:
        conn.execute(self._upserts.page, self._page_values(url, kind, status, canonical_url, etag, last_modified, when))

    @staticmethod
    def _page_values(url, kind, status, canonical_url, etag, last_modified, when) -> dict[str, Any]:
        return {"url": url, "canonical_url": canonical_url, "kind": kind, "etag": etag,
                "last_modified": last_modified, "status": status, "first_seen": when, "last_fetched": when}

    # articles ----------------------------------------------------------------------------------------
    def save_article(self, record: dict[str, Any], fetched_url: str, status: int | None = None,
                     etag: str | None = None, last_modified: str | None = None,
                     is_listing: Callable[[str], bool] | None = None,
                     fingerprint: Fingerprint | None = None) -> str:
        """Store an article record under its key: the page's rel=canonical when it can be trusted, else the
        fetched URL, with tracking parameters and fragment dropped (see article_key). Returns "new",
        "changed" or "unchanged". When the page names a canonical that is not used, "canonical-ignored" is
        added to the record's flags; the record's ``id`` becomes the article's id in the store (a hash of its key,
        which ``duplicate_of`` and ``story`` name), and ``duplicate_of`` and ``story`` its placement (``record`` is
        changed in place, so other outputs write the same).

        The page state, the article and its placement among near-duplicates and stories (stories.py, from
        ``fingerprint``) are written in one transaction, so a kill leaves all or none. The article's row is
        inserted if missing (ON CONFLICT DO NOTHING) and else locked (FOR UPDATE), so processes saving one
        article at once take turns and the revisions follow one another. An article is placed once, when it
        is first saved (a revision keeps its place); one stored before placement existed, on its next save.
        """
        fetched_url = _canonical(fetched_url)  # the key IncrementalMiddleware looks a request up by
        when = record.get("fetched_at") or now_iso()
        content_hash = record["content_hash"]

        def save(conn: Connection) -> tuple[str, list, Placement]:
            canonical, ignored = self._article_key(conn, record, fetched_url, is_listing)
            flags = record.get("flags") or []
            if ignored and CANONICAL_IGNORED not in flags:
                flags = [*flags, CANONICAL_IGNORED]
            article_id = short_hash(canonical)

            def stored(place: Placement) -> str:  # the record as stored: its id and placement the store's
                return json.dumps({**record, "id": article_id, "flags": flags, "duplicate_of": place.duplicate_of,
                                   "story": place.story}, ensure_ascii=False)

            row = stories.lock_article(conn, LOCK_ARTICLE, article_id, fingerprint)  # and the keys' locks
            placement = placed = None
            page = self._page_values(fetched_url, "article", status, canonical, etag, last_modified, when)
            page_saved = False
            if row is None or row.story is None:  # not placed yet: the look-up, under the keys' locks
                placement, page_saved = stories.decide_and_write(conn, article_id, fingerprint, self._upserts.page,
                                                                 page)
            if row is None:
                if stories.add(conn, self._upserts.article, {
                        "id": article_id, "url": canonical, "record": stored(placement),
                        "content_hash": content_hash, "revision": 1, "first_seen": when, "last_seen": when,
                        "last_changed": when, "duplicate_of": placement.duplicate_of, "story": placement.story},
                        fingerprint, when):
                    placed = placement
                else:  # another process inserted it meanwhile: its row, and its placement, stand
                    row = conn.execute(LOCK_ARTICLE, {"id": article_id}).first()
                    if row is None:  # another article holds this URL under another id: the hash cannot collide
                        raise StoreError(f"{self.where}: the article row of {canonical} is not under its id")
            if placed is not None:
                outcome, revision = "new", 1
            else:
                if row.story is None and placement is not None:
                    stories.index(conn, article_id, fingerprint, placement, when)
                    placed = placement
                else:
                    placed = stories.Placement(row.duplicate_of, row.story)
                blob = stored(placed)
                if row.content_hash != content_hash:
                    outcome, revision = "changed", row.revision + 1
                    conn.execute(UPDATE_ARTICLE, {"article_id": article_id, "record": blob,
                                                  "content_hash": content_hash, "revision": revision,
                                                  "last_seen": when, "last_changed": when})
                else:
                    outcome, revision = "unchanged", row.revision
                    placed_now = {"record": blob} if row.story is None else {}  # an older article placed now
                    conn.execute(UPDATE_ARTICLE, {"article_id": article_id, "last_seen": when, **placed_now})
            if outcome != "unchanged":
                conn.execute(ADD_REVISION, {"article_id": article_id, "revision": revision,
                                            "content_hash": content_hash, "text": record["text"], "fetched_at": when})
            if not page_saved:
                conn.execute(self._upserts.page, page)
            if canonical != fetched_url:
                self._upsert_page(conn, canonical, "article", status, canonical, etag, last_modified, when)
            return outcome, flags, placed, article_id

        outcome, flags, placed, article_id = self._run(save, write=True)
        if flags:
            record["flags"] = flags
        record["id"], record["duplicate_of"], record["story"] = article_id, placed.duplicate_of, placed.story
        return outcome

    def place(self, article_id: str, fingerprint: Fingerprint | None, also: "Store | None" = None) -> Placement:
        """Place an article in this store's story index alone, with no record (``presswash clean``'s run
        index, a store of its own): its placement among the articles placed before, here and, when given,
        in the store ``also`` (which is only read). An id placed before keeps its placement."""
        when = now_iso()

        def work(conn: Connection, others: list[Connection]) -> Placement:
            row = conn.execute(PLACED, {"id": article_id}).first()
            if row is not None:
                return stories.Placement(row.duplicate_of, row.story)
            placement = stories.decide([conn, *others], article_id, fingerprint)
            stories.add(conn, self._upserts.article, {
                "id": article_id, "url": f"placed:{article_id}", "record": "{}", "content_hash": "", "revision": 1,
                "first_seen": when, "last_seen": when, "last_changed": when, "duplicate_of": placement.duplicate_of,
                "story": placement.story}, fingerprint, f"{when}#{self._placed:012d}")
            self._placed += 1
            return placement

        if also is None:
            return self._run(lambda conn: work(conn, []), write=True)
        return self._run(lambda conn: also._run(lambda other: work(conn, [other])), write=True)

    def article_key(self, record: dict[str, Any], fetched_url: str,
                    is_listing: Callable[[str], bool] | None = None) -> tuple[str, str | None]:
        """The URL an article is stored under, and why the page's canonical was not used (None when it was,
        or when the page names none). ``fetched_url`` is already canonicalised.

        The canonical is the key only when it is a well-formed http(s) URL on the same site as the fetched
        page (scraper.core.urls.same_site_urls), is not the site's home page or a listing (``is_listing``:
        what the crawl saw as a feed, sitemap or listing page), and either holds no article yet, holds one
        with the same text, or holds the one this same fetched URL was stored under before. So a page never
        replaces an article of another site, and pages with different texts that share one canonical are
        stored apart. save_article asks this inside its write transaction.
        """
        return self._run(lambda conn: self._article_key(conn, record, fetched_url, is_listing))

    def _article_key(self, conn: Connection, record: dict[str, Any], fetched_url: str,
                     is_listing: Callable[[str], bool] | None) -> tuple[str, str | None]:
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
        held = conn.execute(HELD_TEXT, {"id": short_hash(canonical)}).scalar()
        if held is not None and held != record.get("content_hash"):
            # The page's last key; an error or 304 row in between keeps it (_upsert_page's COALESCE).
            before = conn.execute(PAGE_KEY, {"url": fetched_url}).first()
            if before is None or before[0] != canonical:
                return fetched_url, "shared by another text"
        return canonical, None

    def articles(self, since: str | None = None, unique: bool = False) -> Iterator[dict[str, Any]]:
        """Latest records, oldest change first; ``since`` (ISO date or time) filters on last change; ``unique``
        leaves out the near-duplicates (``duplicate_of`` not null; a store older than schema version 3 has
        none). One read: a crawl writing meanwhile is not seen half-way. Rows are fetched in batches as they
        are read."""
        query, params = (ARTICLES_SINCE, {"since": since}) if since else (ARTICLES, {})
        if unique and self.version() >= 3:
            query = query.where(UNIQUE)
        try:
            with self.engine.connect() as conn, conn.begin():
                for blob, revision, first_seen, last_changed in conn.execute(
                        query, params, execution_options={"yield_per": 500}):
                    record = with_every_key(json.loads(blob))
                    record.update(revision=revision, first_seen=first_seen, last_changed=last_changed)
                    yield record
        except DBAPIError as exc:
            raise StoreError(f"{self.where}: {first_line(exc)}") from exc

    def stories(self, min_size: int = 2, limit: int | None = None) -> Iterator[clusters.Cluster]:
        """The stories of at least ``min_size`` articles, largest first, at most ``limit`` of them; each with
        its original, its copies and its other articles (clusters.py). One read, fetched in batches; nothing
        for a store older than schema version 3."""
        if self.version() < 3:
            return
        try:
            with self.engine.connect() as conn, conn.begin():
                yield from clusters.read(conn, min_size, limit)
        except DBAPIError as exc:
            raise StoreError(f"{self.where}: {first_line(exc)}") from exc

    def story_count(self, min_size: int = 2) -> int:
        """How many stories have at least ``min_size`` articles."""
        if self.version() < 3:
            return 0
        return self._run(lambda conn: clusters.count(conn, min_size))

    def fingerprinted(self) -> int:
        """How many articles have a fingerprint (are in the story index)."""
        return self.count("story_signatures") if self.version() >= 3 else 0

    def version(self) -> int:
        """The store's schema version (schema.py); a read-only store is not upgraded, so it may be older."""
        return self._run(lambda conn: schema.stored_version(conn, schema.table_names(conn)) or 0)

    def revisions(self, canonical_url: str) -> list[tuple[int, str]]:
        return [tuple(row) for row in self._run(lambda conn: conn.execute(REVISIONS, {"url": canonical_url}).all())]

    # runs and errors ---------------------------------------------------------------------------------
    def start_run(self) -> int:
        values = {"started": now_iso(), "status": "running"}
        return int(self._run(lambda conn: conn.execute(START_RUN, values).inserted_primary_key[0], write=True))

    def finish_run(self, run_id: int, stats: dict[str, Any], status: str = "finished",
                   hosts: dict[str, health.HostFigures] | None = None) -> None:
        """Record the run's end, its stats and its figures per host (``hosts``, a HostTally's), in one
        transaction."""
        values = {"run_id": run_id, "finished": now_iso(), "status": status, "stats": json.dumps(stats)}
        rows = [{"run_id": run_id, "host": host, **figures.row()} for host, figures in (hosts or {}).items()]

        def finish(conn: Connection) -> None:
            conn.execute(FINISH_RUN, values)
            if rows:
                conn.execute(ADD_HOST_RUN, rows)

        self._run(finish, write=True)

    def host_runs(self, runs_each: int = health.HISTORY_RUNS + 1, hosts: Iterable[str] | None = None
                  ) -> dict[str, list[health.HostRun]]:
        """Host -> its latest ``runs_each`` runs' figures (host_runs), latest first; only ``hosts`` when given.
        Empty for a store older than schema version 4."""
        if self.version() < 4:
            return {}
        ranked = select(host_runs, runs.c.started, runs.c.status, func.row_number().over(
            partition_by=host_runs.c.host, order_by=host_runs.c.run_id.desc()).label("rank")).join(
            runs, runs.c.id == host_runs.c.run_id)
        if hosts is not None:
            ranked = ranked.where(host_runs.c.host.in_(list(hosts)))
        ranked = ranked.subquery()
        query = select(ranked).where(ranked.c.rank <= runs_each).order_by(ranked.c.host, ranked.c.run_id.desc())
        out: dict[str, list[health.HostRun]] = {}
        for row in self._run(lambda conn: conn.execute(query).mappings().all()):
            values = {name: row[name] for name in health.HostRun.__dataclass_fields__}
            values["error_kinds"] = json.loads(values["error_kinds"])
            out.setdefault(row["host"], []).append(health.HostRun(**values))
        return out

    def health(self, history: int = health.HISTORY_RUNS, hosts: Iterable[str] | None = None
               ) -> list[health.HostHealth]:
        """Each host's latest run judged against up to ``history`` earlier runs (health.assess), by host."""
        return [health.assess(rows) for rows in self.host_runs(history + 1, hosts).values()]

    def record_error(self, run_id: int | None, url: str | None, reason: str, status: int | None = None) -> None:
        when = now_iso()

        def record(conn: Connection) -> None:
            conn.execute(ADD_ERROR, {"run_id": run_id, "url": url, "reason": reason, "at": when})
            if url:
                self._upsert_page(conn, url, "error", status, None, None, None, when)

        self._run(record, write=True)

    def last_run_errors(self) -> list[tuple[str | None, str]]:
        """The (url, reason) of each error the latest run recorded, in the order recorded."""
        return [tuple(row) for row in self._run(lambda conn: conn.execute(LAST_RUN_ERRORS).all())]

    # mined site packs -------------------------------------------------------------------------------
    def save_sample(self, host: str, url: str, sample: bytes) -> int:
        """Keep one page's mining sample (a re-fetched page replaces its own, and moves to the end); returns
        the host's count."""
        def save(conn: Connection) -> int:
            seq = conn.execute(NEXT_SAMPLE, {"host": host}).scalar()
            conn.execute(self._upserts.sample, {"host": host, "url": url, "sample": sample, "seq": seq})
            return int(conn.execute(SAMPLE_COUNT, {"host": host}).scalar())

        return self._run(save, write=True)

    def samples(self, host: str) -> list[bytes]:
        return [bytes(s) for s in self._run(lambda conn: conn.execute(SAMPLES, {"host": host}).scalars().all())]

    def save_site_pack(self, host: str, pack: str, pages: int, rules: int) -> None:
        """Store a host's mined pack; its samples have served and go in the same transaction."""
        values = {"host": host, "pack": pack, "pages": pages, "rules": rules, "mined_at": now_iso()}

        def save(conn: Connection) -> None:
            conn.execute(self._upserts.site_pack, values)
            conn.execute(DROP_SAMPLES, {"host": host})

        self._run(save, write=True)

    def site_packs(self) -> dict[str, str]:
        """Host -> mined pack text ("" when mining found nothing)."""
        return dict(self._run(lambda conn: conn.execute(SITE_PACKS).all()))

    def count(self, table: str) -> int:
        if table not in COUNTS:
            raise ValueError(table)
        return int(self._run(lambda conn: conn.execute(COUNTS[table]).scalar()))
