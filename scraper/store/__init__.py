"""Where crawls keep articles, revisions, crawl state, runs, errors and mined site packs: an SQLite file (the
default) or a PostgreSQL database, behind one Store."""

from scraper.store.errors import StoreError
from scraper.store.store import (CANONICAL_IGNORED, DEFAULT_STORE, STORE_ENV, PageState, Store, check_store,
                                 store_name, store_target)

__all__ = ["CANONICAL_IGNORED", "DEFAULT_STORE", "STORE_ENV", "PageState", "Store", "StoreError", "check_store",
           "store_name", "store_target"]
