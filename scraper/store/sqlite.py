"""The embedded backend: one SQLite file. WAL mode lets an export read while a crawl writes, and BEGIN
IMMEDIATE makes each write transaction take the file's write lock before it reads, so two writers never
race. A plain path or ``sqlite:///PATH`` names it; nothing needs installing."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
import urllib.parse
from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.dialects.sqlite import insert
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import QueuePool, StaticPool

from scraper.store.errors import StoreError
from scraper.store.schema import CORE_TABLES, newer_store_message

SQLITE_MAGIC = b"SQLite format 3\x00"
URL_PREFIX = "sqlite:///"
BUSY_TIMEOUT = 30  # seconds a write waits for another process's write lock


def sqlite_path(target: str) -> str:
    """The file a plain path or an ``sqlite:///PATH`` URL names (``sqlite:////abs/path`` for an absolute
    path, as in SQLAlchemy)."""
    return target[len(URL_PREFIX):] if target.startswith(URL_PREFIX) else target


def check_store(path: str | Path, read_only: bool = False) -> None:
    """StoreError unless ``path`` is a presswash store this presswash can read, or (not ``read_only``) a file
    a store may be made in: a missing file, an empty file or an empty SQLite database. Reads only the file's
    first bytes, its table list and its schema version, so a file that is refused is left as it was."""
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
    tables, version = _tables_and_version(path)
    if not tables and not read_only:
        return
    if not CORE_TABLES <= tables:
        what = "an empty SQLite database" if not tables else \
            f"an SQLite database of another application (tables: {', '.join(sorted(tables)[:5])})"
        raise StoreError(f"{path} is not a presswash store: it is {what}; it was left untouched")
    refusal = newer_store_message(str(path), version)
    if refusal:
        raise StoreError(refusal)


def _tables_and_version(path: Path) -> tuple[set[str], int]:
    try:
        db = sqlite3.connect(_read_only_uri(path), uri=True, timeout=BUSY_TIMEOUT)
        try:
            tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            row = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() \
                if "meta" in tables else None
            return tables, int(row[0]) if row else 1
        finally:
            db.close()
    except (sqlite3.DatabaseError, ValueError) as exc:
        raise StoreError(f"{path} is not a presswash store: the SQLite file cannot be read ({exc})") from None


def _read_only_uri(path: str | Path) -> str:
    return "file:" + urllib.parse.quote(str(Path(path).absolute())) + "?mode=ro"


class SQLiteBackend:
    name = "sqlite"
    insert = staticmethod(insert)
    # A throwaway file, written by one process (Store(scratch=True)): no WAL, no syncing, one connection, and the
    # file unlinked as soon as that connection has it open, so that nothing of it outlives the process, even
    # one killed with SIGKILL (POSIX; where an open file cannot be removed, its owner removes it).
    scratch = False

    def __init__(self, target: str):
        self.path = sqlite_path(target)
        self.where = self.path

    def check(self, read_only: bool) -> None:
        if self.path != ":memory:":
            check_store(self.path, read_only)

    def engine(self, read_only: bool) -> Engine:
        path, scratch = self.path, self.scratch

        def connect() -> sqlite3.Connection:
            # isolation_level=None: the driver never opens transactions itself; _begin below does.
            if read_only:
                db = sqlite3.connect(_read_only_uri(path), uri=True, timeout=BUSY_TIMEOUT, isolation_level=None,
                                     check_same_thread=False)
                db.execute("PRAGMA query_only=ON")
            else:
                db = sqlite3.connect(path, timeout=BUSY_TIMEOUT, isolation_level=None, check_same_thread=False)
                if scratch:
                    with contextlib.suppress(OSError):
                        os.unlink(path)
                    db.execute("PRAGMA journal_mode=MEMORY")
                elif path != ":memory:":
                    _use_wal(db)
            db.execute("PRAGMA synchronous=OFF" if scratch else "PRAGMA synchronous=NORMAL")
            db.execute("PRAGMA foreign_keys=ON")
            return db

        if path != ":memory:" and not read_only:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine("sqlite://", creator=connect,
                               poolclass=StaticPool if path == ":memory:" or scratch else QueuePool)
        event.listen(engine, "begin", _begin)
        return engine

    def lock_schema(self, conn: Connection) -> None:
        """Nothing to do: the write transaction's BEGIN IMMEDIATE already holds the file's write lock."""

    def lost(self, exc: Exception) -> bool:
        """An SQLite file has no connection to lose: its errors (locked for too long, read-only, disk full)
        are raised as they are."""
        return False


def _use_wal(db: sqlite3.Connection) -> None:
    """Switch the file to WAL mode (it stays so). Processes opening a new store together race to switch it,
    and SQLite answers the others "database is locked" at once, without its busy wait: they try again until
    BUSY_TIMEOUT has passed."""
    deadline = time.monotonic() + BUSY_TIMEOUT
    while True:
        try:
            db.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def _begin(conn: Connection) -> None:
    write = conn.get_execution_options().get("presswash_write", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")
