"""The crawl's progress display (scraper/crawl/logs.py CrawlProgress) under a real pseudo-terminal: pages fetched
and articles counted while a loopback site is crawled; in a pipe, and with --quiet, none of it."""

from __future__ import annotations

import re

from tests.crawl.conftest import ENV, NEWSROOM, NEWSROOM_ARTICLES, crawl, crawl_cmd, stored_articles
from tests.terminal import run_on_terminal


def article_list(base: str, folder) -> str:
    """A --urls file of the newsroom's five articles (a crawl without errors)."""
    listed = folder / "urls.txt"
    listed.write_text("".join(f"{base}{path}\n" for path in NEWSROOM_ARTICLES))
    return str(listed)


def test_a_crawl_on_a_terminal_shows_pages_fetched_and_articles(serve, tmp_path):
    base = serve(NEWSROOM).base_url
    store = tmp_path / "news.db"
    run = run_on_terminal(crawl_cmd("--urls", article_list(base, tmp_path), store=store), env=ENV)
    assert run.code == 0, run.text
    assert "Traceback" not in run.text
    # each state drawn: fetched, queued, articles, errors; the last one before the bar was wiped is the end
    drawn = [tuple(map(int, m)) for m in re.findall(r"(\d+) pages fetched, (\d+) queued, (\d+) articles, (\d+) errors",
                                                    run.text)]
    fetched = int(re.search(r"presswash crawl: (\d+) pages fetched;", run.text)[1])  # robots.txt and the articles
    assert drawn and drawn[-1] == (fetched, 0, len(NEWSROOM_ARTICLES), 0), run.text
    assert fetched >= len(NEWSROOM_ARTICLES)
    assert "\x1b[?25h" in run.terminal  # the cursor shown again at the end
    assert f"articles {len(NEWSROOM_ARTICLES)} new" in run.text  # the summary follows the bar
    assert len(stored_articles(store)) == len(NEWSROOM_ARTICLES)


def test_a_crawl_in_a_pipe_or_quiet_shows_no_progress(serve, tmp_path):
    base = serve(NEWSROOM).base_url
    urls = article_list(base, tmp_path)
    run = crawl("--urls", urls, store=tmp_path / "pipe.db")
    assert run.code == 0 and "pages fetched," not in run.stderr and "\x1b" not in run.stderr
    quiet = run_on_terminal(crawl_cmd("--urls", urls, "-q", store=tmp_path / "quiet.db"), env=ENV)
    assert quiet.code == 0 and quiet.terminal == ""  # a crawl without errors: nothing at all on stderr
    assert len(stored_articles(tmp_path / "quiet.db")) == len(NEWSROOM_ARTICLES)


def test_a_quiet_crawl_still_reports_its_errors(serve, tmp_path):
    base = serve(NEWSROOM).base_url
    listed = tmp_path / "urls.txt"
    listed.write_text(f"{base}/no-such-page.html\n{base}{next(iter(NEWSROOM_ARTICLES))}\n")
    run = run_on_terminal(crawl_cmd("--urls", listed, "--quiet", store=tmp_path / "errors.db"), env=ENV)
    assert run.code == 1
    assert "pages fetched," not in run.text  # no bar
    assert "errors 1" in run.text  # the summary, to report the error
