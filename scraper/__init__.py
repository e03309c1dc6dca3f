"""presswash: news web pages in, clean text and metadata out.

The library API (the CLI and the crawler call the same pipeline):

    from scraper import clean_html, clean_text
    article = clean_html(html, url="https://example.com/news/1")
    print(article.title, article.text, article.removed)
"""

from scraper.core import __version__  # noqa: E402
from scraper.api import clean_html, clean_text  # noqa: E402
from scraper.core.document import Article, Failure, Page  # noqa: E402
from scraper.core.process import Options, Processor, process_page  # noqa: E402

__all__ = ["Article", "Failure", "Options", "Page", "Processor", "clean_html", "clean_text", "process_page",
           "__version__"]
