"""The store's one error type, shared by both backends."""


class StoreError(Exception):
    """The store cannot be used: a path that is not a presswash store (a folder, not SQLite, another
    application's database), a store of a newer schema version, (read-only) no store at all, a PostgreSQL
    server that cannot be reached, or a lost connection that did not come back in time. Nothing was written
    by the operation that raised it."""


class StoreLost(StoreError):
    """The connection to the store was lost and did not come back within the store's reconnect window: every
    later operation would wait out that window again, so a crawl stops at the first one."""


def first_line(exc: BaseException) -> str:
    """The driver's message of a database error, without SQLAlchemy's statement dump."""
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
