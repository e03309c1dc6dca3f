"""Where crawls keep articles, revisions, crawl state, runs, errors and mined site packs."""

from scraper.store.sqlite import CANONICAL_IGNORED, DEFAULT_STORE, PageState, Store, StoreError, check_store

__all__ = ["CANONICAL_IGNORED", "DEFAULT_STORE", "PageState", "Store", "StoreError", "check_store"]
