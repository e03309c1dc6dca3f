"""Where crawls keep articles, revisions, crawl state, runs, errors and mined site packs."""

from scraper.store.sqlite import DEFAULT_STORE, PageState, Store, StoreError, check_store

__all__ = ["DEFAULT_STORE", "PageState", "Store", "StoreError", "check_store"]
