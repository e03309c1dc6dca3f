"""The PostgreSQL backend (``postgresql://USER:PASSWORD@HOST:PORT/DB``), for crawls by several workers or
machines. It needs the psycopg driver: ``pip install 'presswash[postgresql]'``.

Transactions run at READ COMMITTED. What SQLite gets from its file lock, the store gets here from its
statements: articles are inserted with ON CONFLICT DO NOTHING and then locked with SELECT … FOR UPDATE, so
two workers saving one article take turns (Store.save_article). A lost connection (a server restart, a
failover) is an OperationalError; Store retries the whole transaction on a new connection.
"""

from __future__ import annotations

import importlib.util
import zlib

from sqlalchemy import create_engine, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, InterfaceError, OperationalError

from scraper.store.errors import StoreError, first_line
from scraper.store.schema import newer_store_message, stored_version, table_names

SCHEMES = ("postgresql", "postgres", "postgresql+psycopg")
CONNECT_TIMEOUT = 10  # seconds to reach the server, for each attempt
# The key of the advisory lock that workers opening one database at once take before they make or upgrade
# its tables.
SCHEMA_LOCK = zlib.crc32(b"presswash schema")


def is_postgresql_url(target: str) -> bool:
    return target.split("://", 1)[0].lower() in SCHEMES if "://" in target else False


class PostgreSQLBackend:
    name = "postgresql"
    insert = staticmethod(insert)

    def __init__(self, target: str):
        try:
            url = make_url(target)
        except ArgumentError as exc:
            raise StoreError(f"not a PostgreSQL URL: {exc}") from None
        self.url = url.set(drivername="postgresql+psycopg")
        self.where = self.url.set(drivername="postgresql").render_as_string(hide_password=True)

    def engine(self, read_only: bool) -> Engine:
        if importlib.util.find_spec("psycopg") is None:
            raise StoreError(f"{self.where}: a PostgreSQL store needs the psycopg driver: "
                             "pip install 'presswash[postgresql]'")
        # TCP keepalives: a server that vanished without closing the connection (a machine lost, a network cut)
        # is noticed within about a minute, and the transaction retried, instead of waiting for good.
        args = {"connect_timeout": CONNECT_TIMEOUT, "application_name": "presswash", "keepalives": 1,
                "keepalives_idle": 30, "keepalives_interval": 10, "keepalives_count": 3}
        if read_only:
            args["options"] = "-c default_transaction_read_only=on"
        return create_engine(self.url, connect_args=args, pool_size=2, max_overflow=3)

    def check(self, read_only: bool) -> None:
        """StoreError unless the database can be reached and is a presswash store this presswash can read,
        or (not ``read_only``) an empty database a store may be made in. Only reads."""
        engine = self.engine(read_only=True)
        try:
            with engine.connect() as conn:
                tables = table_names(conn)
                version = stored_version(conn, tables)
        except (OperationalError, InterfaceError) as exc:
            raise StoreError(f"cannot reach the PostgreSQL store {self.where}: {first_line(exc)}") from None
        finally:
            engine.dispose()
        if version is None:
            if not tables:
                if read_only:
                    raise StoreError(f"no store at {self.where}: the database is empty")
                return
            raise StoreError(f"{self.where} is not a presswash store: it is a database of another application "
                             f"(tables: {', '.join(sorted(tables)[:5])}); it was left untouched")
        refusal = newer_store_message(self.where, version)
        if refusal:
            raise StoreError(refusal)

    def lock_schema(self, conn: Connection) -> None:
        """Workers that open one new database at once make its tables one after the other."""
        conn.execute(select(func.pg_advisory_xact_lock(SCHEMA_LOCK)))

    def lost(self, exc: Exception) -> bool:
        """Whether retrying the transaction on a new connection may succeed: the connection was lost or could
        not be made (a restart), or the server rolled the transaction back (a deadlock, a serialization
        failure); psycopg raises all of these as OperationalError."""
        return isinstance(exc, (OperationalError, InterfaceError))
