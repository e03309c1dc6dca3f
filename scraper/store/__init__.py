"""Where crawls keep articles, revisions, crawl state, runs, errors and mined site packs: an SQLite file (the
default) or a PostgreSQL database, behind one Store."""

from scraper.store.errors import StoreError, StoreLost
from scraper.store.store import (CANONICAL_IGNORED, DEFAULT_STORE, RECONNECT_SECONDS, STORE_ENV, PageState, Store,
                                 check_store, store_name, store_target)

__all__ = ["CANONICAL_IGNORED", "DEFAULT_STORE", "RECONNECT_SECONDS", "STORE_ENV", "PageState", "Store", "StoreError",
           "StoreLost", "check_store", "store_name", "store_target"]
