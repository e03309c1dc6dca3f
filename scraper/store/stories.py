"""Where an article goes among near-duplicates and stories: the one decision, made on a store's connection
inside the transaction that saves the article (Store.save_article, and Store.place for clean's run index).
docs/stories.md has the rule and its thresholds.

The LSH band keys give the candidates, the MinHash comparison decides: the candidate nearest to the text, at
an estimated Jaccard similarity of at least DUPLICATE_THRESHOLD, makes the article a duplicate of that
candidate's original (``duplicate_of`` always names an original), in the original's story. Otherwise an
article sharing a long quote with stored articles (published at most STORY_WINDOW_DAYS from it, where both
dates are known) joins the story of the first-seen of them; otherwise its
story is its own id. Placement is made once, when the article is first saved with a fingerprint.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, Callable, Iterable

from sqlalchemy import ARRAY, BigInteger, Select, any_, bindparam, cast, func, literal, select, true, union_all
from sqlalchemy.engine import Connection, Row

from scraper.core.fingerprint import DUPLICATE_THRESHOLD, Fingerprint, within_story_window
from scraper.store.schema import articles, story_bands, story_quotes, story_signatures

B = bindparam


def _any_of(column: Any, name: str) -> Any:
    """PostgreSQL: the keys as one array parameter, one statement text whatever their number (an IN list of
    32 parameters measured up to twice as slow to send and plan)."""
    return column == any_(cast(B(name), ARRAY(BigInteger)))


def _one_of(column: Any, name: str) -> Any:
    """SQLite: an IN list, its parameters expanded by SQLAlchemy."""
    return column.in_(B(name, expanding=True))


def _candidates(keys_in: Callable[[Any, str], Any]) -> Select:
    """The stored articles sharing band keys or long quotes with the article, each with whether it shares a
    band and how many quotes, its signature and its placement: the look-up in one round trip."""
    hits = union_all(
        select(story_bands.c.article_id, literal(1).label("banded"), literal(0).label("quoted"))
        .where(keys_in(story_bands.c.band, "bands")),
        select(story_quotes.c.article_id, literal(0), literal(1))
        .where(keys_in(story_quotes.c.quote, "quotes"))).subquery()
    shared = (select(hits.c.article_id, func.max(hits.c.banded).label("banded"),
                     func.sum(hits.c.quoted).label("quotes"))
              .group_by(hits.c.article_id).subquery())
    return (select(story_signatures.c.article_id, story_signatures.c.minhash, story_signatures.c.seen_at,
                   story_signatures.c.published, articles.c.duplicate_of, articles.c.story, shared.c.banded,
                   shared.c.quotes)
            .select_from(shared)
            .join(story_signatures, story_signatures.c.article_id == shared.c.article_id)
            .join(articles, articles.c.id == shared.c.article_id))


CANDIDATES = {"postgresql": _candidates(_any_of), "sqlite": _candidates(_one_of)}
PLACE = (articles.update().where(articles.c.id == B("article_id"))
         .values(duplicate_of=B("duplicate_of"), story=B("story")))  # a CTE's UPDATE names its values
PLACE_RETURNING = PLACE.returning(articles.c.id)


def _keys(name: str) -> Any:
    return func.unnest(cast(B(name), ARRAY(BigInteger)))


@functools.cache
def _with_index(row: Any) -> Select:
    """PostgreSQL: ``row`` (an insert or update of an article's row, RETURNING its id) and the article's
    fingerprint added to the index (its signature, band keys and quotes' keys), in one statement:
    data-modifying CTEs that read the id ``row`` returns, so the index rows are added only when it wrote
    the row. Returns that id. The signature, an executemany of its band rows and a statement for the row
    cost two more round trips."""
    article = row.cte("article")
    signature = ("minhash", "seen_at", "published")
    return select(article.c.id).add_cte(
        story_signatures.insert().from_select(
            ["article_id", *signature],
            select(article.c.id, *(B(name, type_=story_signatures.c[name].type) for name in signature)),
        ).cte("signature"),
        story_bands.insert().from_select(["band", "article_id"], select(_keys("bands"), article.c.id)).cte("bands"),
        story_quotes.insert().from_select(["quote", "article_id"], select(_keys("quotes"), article.c.id)).cte("quotes"))


@functools.cache
def _inserted_with_index(insert_row: Any, columns: tuple[str, ...]) -> Select:
    """_with_index of ``insert_row`` given the values of ``columns`` (a CTE's INSERT names its values)."""
    return _with_index(insert_row.values({name: B(name) for name in columns}))


def _indexed(fp: Fingerprint, seen_at: str) -> dict[str, Any]:
    return {"minhash": fp.minhash, "seen_at": seen_at, "published": fp.published, **_looked_up(fp, "postgresql")}


def _array(keys: Iterable[int]) -> str:
    """PostgreSQL: the keys as an array literal, for CAST(… AS BIGINT[]): psycopg adapts a list of 32 ints in
    about six times the time (it inspects each to choose the array's type)."""
    return "{" + ",".join(map(str, keys)) + "}"


@dataclass(frozen=True, slots=True)
class Placement:
    """An article's place: the original it nearly duplicates (None for an original) and its story; and why,
    for ``presswash explain``: the nearest stored text and its similarity, the quotes shared."""

    duplicate_of: str | None
    story: str
    nearest: str | None = None
    similarity: float | None = None
    quoted: str | None = None         # the first-seen article it shares a long quote with
    shared_quotes: int = 0


@dataclass(frozen=True, slots=True)
class _Candidate:
    article_id: str
    minhash: bytes
    seen_at: str
    published: str | None
    duplicate_of: str | None
    story: str | None


def lock_article(conn: Connection, lock_row: Select, article_id: str, fp: Fingerprint | None) -> Row | None:
    """The article's row locked by ``lock_row`` (a SELECT … FOR UPDATE by ``id``), None when there is none;
    on PostgreSQL, with a fingerprint, first transaction-scoped advisory locks on its band and quote keys, in
    the same statement, so two transactions placing two copies at once take turns (SQLite's write
    transaction holds the file's lock already). The look-up (decide) must come after, in a statement of its
    own: a statement reads what was committed when it began, before it waited for the locks."""
    if fp is None or conn.dialect.name != "postgresql":
        return conn.execute(lock_row, {"id": article_id}).first()
    keys = _array(sorted({*fp.bands, *fp.quotes}))
    row = conn.execute(_keys_locked_first(lock_row), {"id": article_id, "keys": keys}).one()
    return row if any(value is not None for value in row) else None


@functools.cache
def _keys_locked_first(lock_row: Select) -> Select:
    """``lock_row`` after the advisory locks on the array ``keys``. unnest reads an array out in storage
    order (PostgreSQL's docs), so every transaction takes its locks in the keys' sorted order; the locks'
    count is the outer side of a left join ON true, which only a nested loop can run, outer side first, so
    all are held before the row is read and locked. One row, of nulls when the article has none."""
    keys = func.unnest(cast(B("keys"), ARRAY(BigInteger))).table_valued("key").render_derived("keys")
    locked = select(func.count(func.pg_advisory_xact_lock(keys.c.key))).subquery("keys_locked")
    row = lock_row.lateral("article")
    return select(*row.c).select_from(locked.outerjoin(row, true()))


def decide(conns: Iterable[Connection], article_id: str, fp: Fingerprint | None) -> Placement:
    """The article's placement among the articles indexed on ``conns`` (the store's, and for clean --store
    the run's own as well)."""
    if fp is None:
        return Placement(None, article_id)
    return _judge([row for conn in conns
                   for row in conn.execute(CANDIDATES[conn.dialect.name], _looked_up(fp, conn.dialect.name))],
                  article_id, fp)


def _looked_up(fp: Fingerprint, dialect: str) -> dict[str, Any]:
    """The look-up's keys: SQLite's IN lists, PostgreSQL's arrays."""
    if dialect == "postgresql":
        return {"bands": _array(fp.bands), "quotes": _array(fp.quotes)}
    return {"bands": list(fp.bands), "quotes": list(fp.quotes)}


def _judge(rows: Iterable[Any], article_id: str, fp: Fingerprint) -> Placement:
    """The placement the look-up's ``rows`` (CANDIDATES') give the article."""
    near: list[tuple[float, _Candidate]] = []
    quoted: dict[str, tuple[_Candidate, int]] = {}
    for row in rows:
        if row.article_id == article_id:
            continue
        candidate = _Candidate(*row[:6])
        if row.banded:
            near.append((fp.similarity(candidate.minhash), candidate))
        if row.quotes and within_story_window(fp.published, candidate.published):
            quoted[row.article_id] = (candidate, row.quotes)
    duplicates = [(s, c) for s, c in near if s >= DUPLICATE_THRESHOLD]
    if duplicates:
        # the nearest; among equals, the first seen
        similarity, best = min(duplicates, key=lambda sc: (-sc[0], sc[1].seen_at, sc[1].article_id))
        original = best.duplicate_of or best.article_id
        return Placement(original, best.story or original, nearest=best.article_id, similarity=similarity,
                         shared_quotes=quoted.get(best.article_id, (None, 0))[1])
    if quoted:
        first, count = min(quoted.values(), key=lambda cn: (cn[0].seen_at, cn[0].article_id))
        return Placement(None, first.story or first.duplicate_of or first.article_id, quoted=first.article_id,
                         shared_quotes=count)
    return Placement(None, article_id)


def add(conn: Connection, insert_row: Any, values: dict[str, Any], fp: Fingerprint | None, seen_at: str) -> bool:
    """Insert the article's row with its placement (``insert_row``: an INSERT … ON CONFLICT DO NOTHING
    RETURNING id, of ``values``) and, when it was inserted, add its fingerprint to the index; returns whether
    it was (not when another process inserted the row meanwhile). One statement on PostgreSQL (_with_index)."""
    if fp is not None and conn.dialect.name == "postgresql":
        return conn.execute(_inserted_with_index(insert_row, tuple(values)), {**values, **_indexed(fp, seen_at)}
                            ).first() is not None
    if conn.execute(insert_row, values).first() is None:
        return False
    _add_to_index(conn, values["id"], fp, seen_at)
    return True


def decide_and_write(conn: Connection, article_id: str, fp: Fingerprint | None, write: Any, values: dict[str, Any]
                     ) -> tuple[Placement, bool]:
    """decide() on the store's connection; and on PostgreSQL, when there is a look-up, ``write`` (an INSERT
    of ``values`` that the caller's transaction makes anyway, whatever the placement) made in the look-up's
    statement, as a data-modifying CTE: a round trip fewer. Returns the placement and whether ``write`` was
    made (else the caller makes it)."""
    if fp is None or conn.dialect.name != "postgresql":
        return decide([conn], article_id, fp), False
    rows = conn.execute(_candidates_writing(write, tuple(values)), {**values, **_looked_up(fp, "postgresql")})
    return _judge(rows, article_id, fp), True


@functools.cache
def _candidates_writing(write: Any, columns: tuple[str, ...]) -> Select:
    """PostgreSQL's look-up with ``write`` (of the values of ``columns``) as a data-modifying CTE, which runs
    whether or not the look-up reads it."""
    return CANDIDATES["postgresql"].add_cte(write.values({name: B(name) for name in columns}).cte("written"))


def index(conn: Connection, article_id: str, fp: Fingerprint | None, placement: Placement, seen_at: str) -> None:
    """Record the placement on the row of an article stored before (one stored without a fingerprint, or
    before placement existed) and add its fingerprint to the index (one statement on PostgreSQL)."""
    place = {"article_id": article_id, "duplicate_of": placement.duplicate_of, "story": placement.story}
    if fp is not None and conn.dialect.name == "postgresql":
        conn.execute(_with_index(PLACE_RETURNING), {**place, **_indexed(fp, seen_at)})
        return
    conn.execute(PLACE, place)
    _add_to_index(conn, article_id, fp, seen_at)


def _add_to_index(conn: Connection, article_id: str, fp: Fingerprint | None, seen_at: str) -> None:
    """SQLite: the fingerprint added to the index. It runs in this process: three statements cost less than
    one built of arrays (json_each)."""
    if fp is None:
        return
    conn.execute(story_signatures.insert(), {"article_id": article_id, "minhash": fp.minhash, "seen_at": seen_at,
                                             "published": fp.published})
    conn.execute(story_bands.insert(), [{"band": band, "article_id": article_id} for band in fp.bands])
    if fp.quotes:
        conn.execute(story_quotes.insert(), [{"quote": quote, "article_id": article_id} for quote in fp.quotes])
