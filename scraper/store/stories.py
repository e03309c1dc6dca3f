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

import hashlib
from dataclasses import dataclass
from typing import Iterable

from sqlalchemy import bindparam, func, select
from sqlalchemy.engine import Connection

from scraper.core.fingerprint import DUPLICATE_THRESHOLD, Fingerprint, within_story_window
from scraper.store.schema import articles, story_bands, story_quotes, story_signatures

B = bindparam
BAND_HITS = (select(story_bands.c.article_id).where(story_bands.c.band.in_(B("keys", expanding=True)))
             .distinct())
QUOTE_HITS = select(story_quotes.c.article_id, story_quotes.c.quote).where(
    story_quotes.c.quote.in_(B("keys", expanding=True)))
CANDIDATES = (select(story_signatures.c.article_id, story_signatures.c.minhash, story_signatures.c.seen_at,
                     story_signatures.c.published, articles.c.duplicate_of, articles.c.story)
              .join(articles, articles.c.id == story_signatures.c.article_id)
              .where(story_signatures.c.article_id.in_(B("ids", expanding=True))))
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
    one order, so two transactions placing two copies at once take turns (SQLite's write transaction holds
    the file's lock already)."""
    if conn.dialect.name != "postgresql":
        return
    numbers = sorted({int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big", signed=True)
                      for key in (*fp.bands, *fp.quotes)})
    for number in numbers:
        conn.execute(select(func.pg_advisory_xact_lock(number)))


def decide(conns: Iterable[Connection], article_id: str, fp: Fingerprint | None) -> Placement:
    """The article's placement among the articles indexed on ``conns`` (the store's, and for clean --store
    the run's own as well)."""
    if fp is None:
        return Placement(None, article_id)
    near: list[tuple[float, _Candidate]] = []
    quoted: dict[str, tuple[_Candidate, int]] = {}
    for conn in conns:
        band_ids = set(conn.execute(BAND_HITS, {"keys": list(fp.bands)}).scalars()) - {article_id}
        shared: dict[str, int] = {}
        if fp.quotes:
            for other, _ in conn.execute(QUOTE_HITS, {"keys": list(fp.quotes)}):
                if other != article_id:
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


def index(conn: Connection, article_id: str, fp: Fingerprint | None, placement: Placement, seen_at: str) -> None:
    """Record the placement on the article's row and add its fingerprint to the index."""
    conn.execute(PLACE, {"article_id": article_id, "duplicate_of": placement.duplicate_of,
                         "story": placement.story})
    if fp is None:
        return
    conn.execute(story_signatures.insert(), {"article_id": article_id, "minhash": fp.minhash, "seen_at": seen_at,
                                            "published": fp.published})
    conn.execute(story_bands.insert(), [{"band": band, "article_id": article_id} for band in fp.bands])
    if fp.quotes:
        conn.execute(story_quotes.insert(), [{"quote": quote, "article_id": article_id} for quote in fp.quotes])
