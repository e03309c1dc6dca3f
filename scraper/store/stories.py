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

from dataclasses import dataclass
from typing import Iterable

from sqlalchemy import bindparam, literal, select, text, union_all
from sqlalchemy.engine import Connection

from scraper.core.fingerprint import DUPLICATE_THRESHOLD, Fingerprint, within_story_window
from scraper.store.schema import articles, story_bands, story_quotes, story_signatures

B = bindparam
# The stored articles sharing a band key (kind 0) or a long quote (kind 1, one row per quote shared) with the
# article: one round trip
HITS = union_all(
    select(story_bands.c.article_id, literal(0).label("kind")).where(story_bands.c.band.in_(B("bands", expanding=True))),
    select(story_quotes.c.article_id, literal(1).label("kind")).where(
        story_quotes.c.quote.in_(B("quotes", expanding=True))))
CANDIDATES = (select(story_signatures.c.article_id, story_signatures.c.minhash, story_signatures.c.seen_at,
                     story_signatures.c.published, articles.c.duplicate_of, articles.c.story)
              .join(articles, articles.c.id == story_signatures.c.article_id)
              .where(story_signatures.c.article_id.in_(B("ids", expanding=True))))
# unnest reads the array's elements out in storage order (PostgreSQL's docs), so every transaction takes its
# locks in the keys' sorted order
LOCK_KEYS = text("SELECT pg_advisory_xact_lock(k) FROM unnest(CAST(:keys AS bigint[])) AS k")
PLACE = articles.update().where(articles.c.id == B("article_id"))


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


def lock_keys(conn: Connection, fp: Fingerprint) -> None:
    """On PostgreSQL, transaction-scoped advisory locks on the fingerprint's band and quote keys, taken in
    one order by one statement, so two transactions placing two copies at once take turns (SQLite's write
    transaction holds the file's lock already)."""
    if conn.dialect.name != "postgresql":
        return
    conn.execute(LOCK_KEYS, {"keys": sorted({*fp.bands, *fp.quotes})})


def decide(conns: Iterable[Connection], article_id: str, fp: Fingerprint | None) -> Placement:
    """The article's placement among the articles indexed on ``conns`` (the store's, and for clean --store
    the run's own as well)."""
    if fp is None:
        return Placement(None, article_id)
    near: list[tuple[float, _Candidate]] = []
    quoted: dict[str, tuple[_Candidate, int]] = {}
    for conn in conns:
        band_ids: set[str] = set()
        shared: dict[str, int] = {}
        for other, kind in conn.execute(HITS, {"bands": list(fp.bands), "quotes": list(fp.quotes)}):
            if other == article_id:
                continue
            if kind == 0:
                band_ids.add(other)
            else:
                shared[other] = shared.get(other, 0) + 1
        ids = band_ids | shared.keys()
        if not ids:
            continue
        for row in conn.execute(CANDIDATES, {"ids": sorted(ids)}):
            candidate = _Candidate(*row)
            if row.article_id in band_ids:
                near.append((fp.similarity(candidate.minhash), candidate))
            if row.article_id in shared and within_story_window(fp.published, candidate.published):
                quoted[row.article_id] = (candidate, shared[row.article_id])
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


def index(conn: Connection, article_id: str, fp: Fingerprint | None, placement: Placement, seen_at: str,
          on_row: bool = False) -> None:
    """Record the placement on the article's row (unless the row was inserted with it: ``on_row``) and add its
    fingerprint to the index."""
    if not on_row:
        conn.execute(PLACE, {"article_id": article_id, "duplicate_of": placement.duplicate_of,
                             "story": placement.story})
    if fp is None:
        return
    conn.execute(story_signatures.insert(), {"article_id": article_id, "minhash": fp.minhash, "seen_at": seen_at,
                                            "published": fp.published})
    conn.execute(story_bands.insert(), [{"band": band, "article_id": article_id} for band in fp.bands])
    if fp.quotes:
        conn.execute(story_quotes.insert(), [{"quote": quote, "article_id": article_id} for quote in fp.quotes])
