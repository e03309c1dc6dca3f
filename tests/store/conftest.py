"""The store's tests run against both backends: ``store_url`` is a new SQLite file, then a new database on the
session's PostgreSQL server (tests/services/postgresql.py)."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from sqlalchemy import text

from scraper.core.document import RECORD_FIELDS
from scraper.store import Store

BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(params=BACKENDS)
def store_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "sub" / "store.db")
    return request.getfixturevalue("postgresql_url")


@pytest.fixture
def store(store_url):
    with Store(store_url) as opened:
        yield opened


def sql(store: Store, statement: str, **params: Any) -> list[tuple]:
    """Rows of a statement run on the store's own database, for what the Store API does not show."""
    with store.engine.connect() as conn, conn.begin():
        result = conn.execute(text(statement), params)
        return [tuple(row) for row in result] if result.returns_rows else []


def record(url: str, text: str, canonical: str | None = None, fetched_at: str = "2026-11-20T08:00:00+00:00",
           **extra) -> dict:
    """An article record as the crawl stores it."""
    rec = dict.fromkeys(RECORD_FIELDS)
    rec.update(id="x", url=url, canonical_url=canonical, source="test", fetched_at=fetched_at, title="T",
               text=text, word_count=len(text.split()), tags=[], images=[], removed=[], flags=[], extractor={},
               content_hash=hashlib.sha256(text.encode()).hexdigest(), **extra)
    return rec
