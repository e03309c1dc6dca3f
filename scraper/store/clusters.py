"""A store's stories as ``presswash stories`` lists them (Store.stories): the clusters of articles that share a
``story``, largest first, each with its original, its copies and its other articles. Written once for both
backends (SQLAlchemy Core); the grouping, counting, ordering and limit are the database's.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any, Iterator

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from scraper.core.urls import hostname_of
from scraper.store.schema import articles


@dataclass(frozen=True, slots=True)
class Member:
    """One article of a story: its store id, URL, host, when the store first saw it, its title, and the
    original it nearly duplicates (None for an original)."""

    id: str
    url: str
    host: str | None
    first_seen: str
    title: str | None
    duplicate_of: str | None


@dataclass(frozen=True, slots=True)
class Cluster:
    """A story: its original (the first-seen article, whose id is the story's), the copies of that original,
    and the story's other articles (write-ups of their own, and their copies), each in the order seen."""

    story: str
    size: int
    original: Member
    copies: tuple[Member, ...]
    others: tuple[Member, ...]

    def as_json(self) -> dict[str, Any]:
        return {"story": self.story, "size": self.size, "original": asdict(self.original),
                "copies": [asdict(m) for m in self.copies], "others": [asdict(m) for m in self.others]}


def _sizes(min_size: int, limit: int | None):
    """The stories of at least ``min_size`` articles, largest first (then the earliest seen), as a subquery."""
    size = func.count().label("size")
    query = (select(articles.c.story, size, func.min(articles.c.first_seen).label("began"))
             .where(articles.c.story.is_not(None)).group_by(articles.c.story)
             .having(func.count() >= min_size)
             .order_by(size.desc(), func.min(articles.c.first_seen), articles.c.story))
    if limit is not None:
        query = query.limit(limit)
    return query.subquery("sizes")


def count(conn: Connection, min_size: int) -> int:
    """How many stories have at least ``min_size`` articles."""
    return int(conn.execute(select(func.count()).select_from(_sizes(min_size, None))).scalar())


def read(conn: Connection, min_size: int, limit: int | None) -> Iterator[Cluster]:
    """The clusters, largest first; one query, its rows fetched in batches and grouped as they come."""
    sizes = _sizes(min_size, limit)
    query = (select(sizes.c.story, sizes.c.size, articles.c.id, articles.c.url, articles.c.first_seen,
                    articles.c.duplicate_of, articles.c.record)
             .join(sizes, sizes.c.story == articles.c.story)
             .order_by(sizes.c.size.desc(), sizes.c.began, sizes.c.story, articles.c.first_seen, articles.c.id))
    story, size, members = None, 0, []
    for row in conn.execute(query, execution_options={"yield_per": 500}):
        if row.story != story:
            if members:
                yield _cluster(story, size, members)
            story, size, members = row.story, row.size, []
        title = json.loads(row.record).get("title")
        members.append(Member(row.id, row.url, hostname_of(row.url), row.first_seen, title, row.duplicate_of))
    if members:
        yield _cluster(story, size, members)


def _cluster(story: str, size: int, members: list[Member]) -> Cluster:
    # The story's id is its first-seen article's; should that article be missing, the first seen stands in.
    original = next((m for m in members if m.id == story), members[0])
    rest = [m for m in members if m is not original]
    return Cluster(story, size, original, tuple(m for m in rest if m.duplicate_of == original.id),
                   tuple(m for m in rest if m.duplicate_of != original.id))
