"""Where offline pages come from: files, folders, gzip, WARC and stdin."""

from scraper.offline.sources.files import count_documents, iter_pages

__all__ = ["count_documents", "iter_pages"]
