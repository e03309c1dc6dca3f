"""presswash: news web pages in, clean text and metadata out.

The library API (the CLI and the crawler call the same pipeline):

    from scraper import clean_html, clean_text
    article = clean_html(html, url="https://example.com/news/1")
    print(article.title, article.text, article.removed)
"""

__version__ = "0.1.0"

from .api import clean_html, clean_text  # noqa: E402
from .document import Article, Failure, Page  # noqa: E402
from .process import Options, Processor, process_page  # noqa: E402

__all__ = ["Article", "Failure", "Options", "Page", "Processor", "clean_html", "clean_text", "process_page",
           "__version__"]
