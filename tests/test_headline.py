"""The headline where it opens the text: dropped by default (it is the record's title), kept on request."""

from scraper.core.document import Page
from scraper.core.process import Options
from tests.conftest import processor

TEXT = ("Ferry service resumes after storm\n\n"
        "The island ferry sailed again on Monday after three days of gales kept it in port, the operator said.\n"
        "Queues formed at dawn as residents who had been stranded on the mainland waited to go home.")


def _page() -> Page:
    return Page(body=TEXT.encode(), source="story.txt", kind="text")


def test_the_headline_moves_to_the_title_by_default():
    article = processor(Options())(_page())
    assert article.title == "Ferry service resumes after storm"
    assert not article.text.startswith("Ferry service resumes")
    assert {"rule": "GEN002", "text": "Ferry service resumes after storm"} in article.removed


def test_keep_headline_leaves_it_in_the_text_and_in_the_title():
    article = processor(Options(keep_headline=True))(_page())
    assert article.title == "Ferry service resumes after storm"
    assert article.text.startswith("Ferry service resumes after storm\n")
    assert all(r["rule"] != "GEN002" for r in article.removed)
