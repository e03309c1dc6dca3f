"""The store's tables, written once for both backends (SQLAlchemy Core), and its schema versions.

Version 1 is the layout of the SQLite stores made before versions were recorded: it has no ``meta`` table.
Version 2 adds ``meta`` (which holds the version) and ``site_samples.seq`` (the order samples were kept in;
SQLite's rowid served before, and PostgreSQL has none). Version 3 adds ``articles.duplicate_of`` and
``articles.story`` and the story index (``story_signatures``, ``story_bands``, ``story_quotes``;
docs/stories.md); articles stored before it have no fingerprint, and their two columns stay null. Version 4 adds
``host_runs``, each crawl run's figures per host (docs/health.md); runs crawled before it have none. Version 5
hashes the fingerprint's words otherwise (scraper/core/fingerprint.py), so the upgrade makes the signatures
and band keys of versions 3 and 4 again from the text each article had when it was placed. Opening a store
for writing upgrades an older one in place, in one transaction; a store of a newer version is refused
untouched.
"""

from __future__ import annotations

from sqlalchemy import (BigInteger, Column, ForeignKey, Index, Integer, LargeBinary, MetaData, Table, Text, bindparam,
                        inspect, select, text)
from sqlalchemy.dialects.postgresql import TEXT
from sqlalchemy.engine import Connection

from scraper.store.errors import StoreError

SCHEMA_VERSION = 5
# The first version whose signatures this presswash compares with its own (older ones are made again).
SIGNATURES_VERSION = 5

# The tables that make a database a presswash store (site_samples and site_packs came later, and are added
# on opening).
CORE_TABLES = frozenset({"articles", "revisions", "pages", "runs", "errors"})

# Keys, URLs and ISO 8601 times are compared and sorted byte for byte, as SQLite does: a PostgreSQL database
# made with a language's collation would otherwise order '2026-11-20T…' strings by its own rules.
Key = Text().with_variant(TEXT(collation="C"), "postgresql")

metadata = MetaData()

articles = Table(
    "articles", metadata,
    Column("id", Key, primary_key=True),                 # hash of the canonical URL
    Column("url", Key, nullable=False, unique=True),     # canonical URL
    Column("record", Text, nullable=False),              # the latest record, JSON
    Column("content_hash", Text, nullable=False),
    Column("revision", Integer, nullable=False),
    Column("first_seen", Key, nullable=False),
    Column("last_seen", Key, nullable=False),
    Column("last_changed", Key, nullable=False),
    Column("duplicate_of", Key),                         # the original's id, for a near-duplicate (v3)
    Column("story", Key),                                # the story's id (v3; null for older articles)
    Index("articles_last_changed", "last_changed"),
    Index("articles_duplicate_of", "duplicate_of"),
    Index("articles_story", "story"),
)

revisions = Table(
    "revisions", metadata,
    Column("article_id", Key, ForeignKey("articles.id"), primary_key=True),
    Column("revision", Integer, primary_key=True),
    Column("content_hash", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("fetched_at", Key, nullable=False),
)

pages = Table(  # crawl state, one row per fetched URL
    "pages", metadata,
    Column("url", Key, primary_key=True),
    Column("canonical_url", Key),
    Column("kind", Text),                                # article | error (listing pages are not recorded)
    Column("etag", Text),
    Column("last_modified", Text),
    Column("status", Integer),
    Column("first_seen", Key, nullable=False),
    Column("last_fetched", Key, nullable=False),
)

runs = Table(
    "runs", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("started", Key, nullable=False),
    Column("finished", Key),
    Column("status", Text, nullable=False),              # running | finished | interrupted
    Column("stats", Text),                               # JSON
    sqlite_autoincrement=True,
)

errors = Table(
    "errors", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", Integer, ForeignKey("runs.id")),
    Column("url", Key),
    Column("reason", Text, nullable=False),
    Column("at", Key, nullable=False),
    sqlite_autoincrement=True,
)

host_runs = Table(  # one row per (crawl run, host): the run's figures for that host (v4; docs/health.md)
    "host_runs", metadata,
    Column("run_id", Integer, ForeignKey("runs.id"), primary_key=True),
    Column("host", Key, primary_key=True),
    Column("pages", Integer, nullable=False),            # HTTP responses received from the host
    Column("records", Integer, nullable=False),          # article pages processed: an article or an error each
    Column("articles_new", Integer, nullable=False),
    Column("articles_changed", Integer, nullable=False),
    Column("articles_unchanged", Integer, nullable=False),
    Column("skipped", Integer, nullable=False),          # articles not fetched again (fresh) or answered 304
    Column("fetch_errors", Integer, nullable=False),     # requests that failed (HTTP errors, robots.txt, timeouts...)
    Column("error_kinds", Text, nullable=False),         # JSON: error kind -> count, processing errors too
    Column("median_words", Integer),                     # of the articles processed; null when there were none
    Column("empty", Integer, nullable=False),            # records with no article text
    Column("flagged", Integer, nullable=False),          # articles with a flag on their extraction
    Column("cut_short", Integer, nullable=False),        # articles flagged parse-truncated or teaser
    Column("paywalled", Integer, nullable=False),        # articles flagged paywalled
    Index("host_runs_host", "host", "run_id"),           # a host's runs, latest first (Store.host_runs)
)

site_samples = Table(  # pages of a host kept until its site pack is mined (docs/mining.md)
    "site_samples", metadata,
    Column("host", Key, primary_key=True),
    Column("url", Key, primary_key=True),
    Column("sample", LargeBinary, nullable=False),       # zlib-compressed JSON: the page's clean lines and blocks
    Column("seq", Integer, nullable=False),              # the order the host's samples were kept in
)

site_packs = Table(  # one mined site pack per host; empty when nothing repeated
    "site_packs", metadata,
    Column("host", Key, primary_key=True),
    Column("pack", Text, nullable=False),                # the pack, TOML
    Column("pages", Integer, nullable=False),
    Column("rules", Integer, nullable=False),
    Column("mined_at", Key, nullable=False),
)

# The story index (docs/stories.md, scraper/store/stories.py): each placed article's MinHash, and its LSH
# band keys and long quotes' keys, looked up by key.
story_signatures = Table(
    "story_signatures", metadata,
    Column("article_id", Key, ForeignKey("articles.id"), primary_key=True),
    Column("minhash", LargeBinary, nullable=False),      # the MinHash's values (scraper/core/fingerprint.py)
    Column("seen_at", Key, nullable=False),              # when it was placed: earlier is the original
    Column("published", Key),                            # YYYY-MM-DD, when known: for the story window
)

story_bands = Table(
    "story_bands", metadata,
    Column("band", BigInteger, primary_key=True, autoincrement=False),
    Column("article_id", Key, primary_key=True),
)

story_quotes = Table(
    "story_quotes", metadata,
    Column("quote", BigInteger, primary_key=True, autoincrement=False),
    Column("article_id", Key, primary_key=True),
)

meta = Table(
    "meta", metadata,
    Column("key", Key, primary_key=True),
    Column("value", Text, nullable=False),
)

TABLES = {t.name: t for t in metadata.sorted_tables}


def newer_store_message(where: str, version: int) -> str | None:
    """Why a store of ``version`` cannot be opened by this presswash, or None when it can."""
    if version <= SCHEMA_VERSION:
        return None
    return (f"{where} is a presswash store of schema version {version}, written by a newer presswash than this "
            f"one (which reads up to version {SCHEMA_VERSION}); upgrade presswash (pip install -U presswash) "
            f"and run the command again; the store was left untouched")


def table_names(conn: Connection) -> set[str]:
    return set(inspect(conn).get_table_names())


def stored_version(conn: Connection, tables: set[str]) -> int | None:
    """The schema version of the store on ``conn`` (whose tables are ``tables``): None when it holds no
    presswash store, 1 for a store from before versions were recorded."""
    if "meta" in tables:
        value = conn.execute(select(meta.c.value).where(meta.c.key == "schema_version")).scalar()
        if value is not None:
            return int(value)
    return 1 if CORE_TABLES <= tables else None


def prepare(conn: Connection, where: str) -> int:
    """Make the tables of an empty database, or bring an older store up to SCHEMA_VERSION, inside the
    caller's write transaction. Returns the version found (0 for a new store). The caller has made sure
    that the database is empty or a presswash store (check_store)."""
    tables = table_names(conn)
    found = stored_version(conn, tables) or 0
    refusal = newer_store_message(where, found)
    if refusal:
        raise StoreError(refusal)
    if found == SCHEMA_VERSION:
        return found
    if found == 1 and "site_samples" in tables:
        _add_sample_order(conn)
    if found in (1, 2):
        _add_placement(conn)
    # Version 3 -> 4 is host_runs alone, a new table: made here with the others a store lacks (the existing
    # ones are left as they are).
    metadata.create_all(conn)
    if found in (3, 4):
        _resign(conn)
    _set_version(conn, found)
    return found


def _add_sample_order(conn: Connection) -> None:
    """Version 1 -> 2: site_samples gets ``seq``, in the order SQLite kept the rows (only SQLite stores have
    version 1)."""
    conn.execute(text("ALTER TABLE site_samples ADD COLUMN seq INTEGER NOT NULL DEFAULT 0"))
    conn.execute(text("UPDATE site_samples SET seq = rowid"))


def _add_placement(conn: Connection) -> None:
    """Versions 1 and 2 -> 3: articles get ``duplicate_of`` and ``story`` (null: stored without a
    fingerprint) and their indexes; the story tables are made by create_all."""
    key = 'TEXT COLLATE "C"' if conn.dialect.name == "postgresql" else "TEXT"  # as Key
    for name in ("duplicate_of", "story"):
        conn.execute(text(f"ALTER TABLE articles ADD COLUMN {name} {key}"))
    for index in articles.indexes:
        if index.name in ("articles_duplicate_of", "articles_story"):
            index.create(conn)


RESIGN_BATCH = 500  # signatures made again per round trip


def _resign(conn: Connection) -> None:
    """Versions 3 and 4 -> 5: every stored signature and its band keys made again from the text its article
    had when it was placed (its latest revision fetched by then: placement writes the signature with the
    save's time), in batches by article id. The quotes' keys are unchanged. A signature with no such text
    (none is written without one) is dropped with its keys: the article stays placed, but is no longer found
    as a candidate. Costs about a millisecond of CPU an article."""
    from scraper.core.fingerprint import signature

    conn.execute(story_bands.delete())  # by band key: deleting by article would scan the table for each
    placed_text = (select(revisions.c.text).where(revisions.c.article_id == story_signatures.c.article_id,
                                                  revisions.c.fetched_at <= story_signatures.c.seen_at)
                   .order_by(revisions.c.revision.desc()).limit(1).scalar_subquery())
    batch = (select(story_signatures.c.article_id, placed_text.label("text"))
             .where(story_signatures.c.article_id > bindparam("after"))
             .order_by(story_signatures.c.article_id).limit(RESIGN_BATCH))
    after = ""
    while rows := conn.execute(batch, {"after": after}).all():
        after = rows[-1].article_id
        signed = [(row.article_id, signature(row.text or "")) for row in rows]
        kept = [(article_id, made) for article_id, made in signed if made is not None]
        dropped = [article_id for article_id, made in signed if made is None]
        if kept:
            conn.execute(story_signatures.update().where(story_signatures.c.article_id == bindparam("id"))
                         .values(minhash=bindparam("minhash")),
                         [{"id": article_id, "minhash": made[0]} for article_id, made in kept])
            conn.execute(story_bands.insert(), [{"band": band, "article_id": article_id}
                                                for article_id, made in kept for band in made[1]])
        if dropped:
            conn.execute(story_quotes.delete().where(story_quotes.c.article_id.in_(dropped)))
            conn.execute(story_signatures.delete().where(story_signatures.c.article_id.in_(dropped)))


def _set_version(conn: Connection, found: int) -> None:
    values = {"key": "schema_version", "value": str(SCHEMA_VERSION)}
    if found >= 2:
        conn.execute(meta.update().where(meta.c.key == "schema_version").values(value=values["value"]))
    else:
        conn.execute(meta.insert().values(**values))
