"""presswash: news web pages in, clean text and metadata out.

The library API (the CLI and the crawler call the same pipeline):

    from scraper import clean_html, clean_text
    article = clean_html(html, url="https://example.com/news/1")
    print(article.title, article.text, article.removed)
"""

import importlib
from typing import Any

from scraper.core import __version__

# The API's names load on first use, so that importing any part of presswash (the CLI, a worker) does not
# first import trafilatura: `presswash clean` starts its worker processes while it is still importing.
_API = {"clean_html": "scraper.api", "clean_text": "scraper.api", "Article": "scraper.core.document",
        "Failure": "scraper.core.document", "Page": "scraper.core.document", "Options": "scraper.core.process",
        "Processor": "scraper.core.process", "process_page": "scraper.core.process"}

__all__ = [*sorted(_API), "__version__"]


def __getattr__(name: str) -> Any:
    if name not in _API:
        raise AttributeError(f"module 'scraper' has no attribute {name!r}")
    value = getattr(importlib.import_module(_API[name]), name)
    globals()[name] = value
    return value
