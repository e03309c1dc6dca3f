"""--select and --ignore in a crawl: the command line hands them to the item pipeline as PRESSWASH_SELECT and
PRESSWASH_IGNORE, and the crawl's records show only the chosen rules at work."""

from __future__ import annotations

from tests.conftest import call_main

from .conftest import article_page, crawl, make_site, read_jsonl

CLUTTER = '<p>12 Comments</p><div class="share-bar">Share this story</div>'


def test_a_crawl_runs_only_the_selected_rules(serve, tmp_path):
    site = tmp_path / "site"
    [path] = make_site(site, 1)
    (site / path.lstrip("/")).write_text(article_page(0, extra_body=CLUTTER), encoding="utf-8")
    server = serve(site)
    out = tmp_path / "out.jsonl"
    run = crawl("--sitemap", f"{server.base_url}/robots.txt", "--select", "GEN", "--ignore", "comment-counter",
                "-o", out, store=tmp_path / "s.db")
    assert run.code == 0, run.stderr
    [record] = read_jsonl(out)
    # By default DOM004 drops the share bar and GEN011 the counter; here only the generic text rules run,
    # less the comment counter, so the repeated headline is the one removal.
    assert [e["rule"] for e in record["removed"]] == ["GEN002"]
    assert record["text"].rstrip().endswith("12 Comments") and record["comment_count"] is None


def test_a_crawl_refuses_an_entry_that_names_no_rule(tmp_path):
    proc = call_main("crawl", "--store", tmp_path / "s.db", "--site", "http://127.0.0.1:9/", "--ignore", "NOPE")
    assert proc.code == 2 and "'NOPE' names no rule" in proc.stderr
    assert not (tmp_path / "s.db").exists()  # refused before the crawl began
