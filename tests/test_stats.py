"""Named steps with stats: each page's steps are timed into its outcome, runs merge them, and `clean --stats`
and `crawl --stats` print them; a crawl keeps them with its run in the store."""

from __future__ import annotations

import lxml.html
import pytest

import scraper.core.process
from cleaners import RuleBook
from scraper.core.document import Page
from scraper.core.extraction import extract_text, page_metadata, parse_html
from scraper.core.process import Options, Processor
from scraper.core.stats import STEPS, StepStats
from tests.conftest import FERRY, HARBOUR, LIBRARY, PAGES, call_main, run_cli
from tests.crawl.conftest import NEWSROOM, crawl, runs, serve  # noqa: F401 - serve is a fixture

# A page that declares its language (as the fixtures do) skips "language"; "mining" runs when asked for; the
# other modes and the fallback only where --mode auto finds precision's text short (not on this fixture).
# The steps of an HTML page in the default --mode auto; the content scorer's is --mode fast's
# (test_content.py).
HTML_STEPS = set(STEPS) - {"mining", "language", "extract-modes", "fallback", "content"}


def html_page(path=HARBOUR, **kw) -> Page:
    return Page(body=path.read_bytes(), source=str(path), kind="html", **kw)


def test_every_step_of_an_html_page_is_timed_once_per_page():
    outcome = Processor()(html_page())
    assert outcome.ok, outcome.error
    steps = outcome.steps
    assert set(steps.seconds) == HTML_STEPS
    assert all(seconds >= 0 for seconds in steps.seconds.values())
    assert steps.documents == 1 and set(steps.pages.values()) == {1}
    assert steps.counts["dom-rules"]["removed"] >= 0 and steps.counts["text-rules"]["removed"] > 0
    assert "steps" not in outcome.to_record()


def test_mining_is_a_step_only_when_a_sample_is_asked_for():
    outcome = Processor()(html_page(url="https://news.example/harbour"), sample=True)
    assert outcome.sample is not None
    assert set(outcome.steps.seconds) == HTML_STEPS | {"mining"}


def test_a_text_page_and_a_failure_have_the_steps_they_went_through():
    text = Processor()(Page(body=FERRY.read_bytes(), source=str(FERRY)))
    assert set(text.steps.seconds) == {"check", "decode", "language", "text-rules", "fingerprint", "other"}
    assert text.steps.counts["language"] == {"detected": 1}
    empty = Processor()(Page(body=b"  \n", source="empty.html"))
    assert not empty.ok and set(empty.steps.seconds) == {"check", "other"}


def test_a_run_merges_pages_and_counts_the_rules_of_its_records():
    processor = Processor()
    run = StepStats()
    outcomes = [processor(html_page(path)) for path in (HARBOUR, LIBRARY)]
    outcomes.append(processor(Page(body=FERRY.read_bytes(), source=str(FERRY))))
    for outcome in outcomes:
        run.add(outcome)
    assert run.documents == 3
    assert run.pages["check"] == run.pages["text-rules"] == run.pages["other"] == 3
    assert run.pages["parse"] == run.pages["extract"] == 2
    fired = [r["rule"] for o in outcomes for r in o.removed]
    assert fired and sum(run.rules.values()) == len(fired)
    assert run.total_seconds == pytest.approx(sum(sum(o.steps.seconds.values()) for o in outcomes))
    again = StepStats.from_dict(run.to_dict())
    assert again.to_dict() == run.to_dict() and again.rules == run.rules


def test_the_feed_title_reaches_the_repeated_title_rule():
    # The first line is no headline by its looks (a shorter line follows it): only the feed's title shows it is.
    body = ("Ferry strike ends after nine days\nBy our staff\n"
            "The ferry crews went back to work on Monday after the union and the operator agreed on pay.\n").encode()
    plain = Processor()(Page(body=body, source="ferry.txt", kind="text"))
    assert plain.title is None and plain.text.startswith("Ferry strike ends")
    listed = Processor()(Page(body=body, source="ferry.txt", kind="text",
                              listing={"title": "Ferry strike ends after nine days", "published": "2026-11-20"}))
    assert listed.title == "Ferry strike ends after nine days" and listed.date_published == "2026-11-20"
    assert not listed.text.startswith("Ferry strike ends")
    assert [r["rule"] for r in listed.removed if r["text"] == "Ferry strike ends after nine days"] == ["GEN002"]
    assert all(r["rule"] != "GEN002" for r in plain.removed)


def test_trafilatura_finding_no_text_still_gives_the_metadata_of_the_same_tree():
    html = ("<html><head><title>Quiet page</title><meta name='author' content='Ada Lovelace'></head>"
            "<body><div></div></body></html>")
    tree = parse_html(html)
    meta = page_metadata(tree, "https://news.example/quiet")
    assert extract_text(tree, "https://news.example/quiet") == ""
    assert meta.title == "Quiet page" and meta.author == "Ada Lovelace"


def test_trafilatura_and_the_metadata_reader_leave_the_tree_they_read_as_it_was():
    # What running both, and other modes after them, on the same tree relies on.
    tree = parse_html(HARBOUR.read_text(encoding="utf-8"))
    before = lxml.html.tostring(tree)
    assert extract_text(tree, None) and page_metadata(tree, None).title
    assert lxml.html.tostring(tree) == before


def test_each_page_is_parsed_once_also_when_only_another_mode_finds_text(monkeypatch):
    calls = []
    real_parse, real_extract_text = scraper.core.process.parse_html, scraper.core.process.extract_text

    def counting_parse(*args, **kwargs):
        calls.append(1)
        return real_parse(*args, **kwargs)

    def first_run_finds_nothing(*args, **kwargs):  # the first (fast) run's text is lost
        text = real_extract_text(*args, **kwargs)
        return "" if kwargs.get("fast") else text

    monkeypatch.setattr(scraper.core.process, "parse_html", counting_parse)
    monkeypatch.setattr(scraper.core.process, "extract_text", first_run_finds_nothing)
    article = Processor()(html_page())
    assert article.ok, article.error
    assert calls == [1]
    assert article.title and article.text  # the metadata is read on its own; the text comes from later runs
    assert article.steps.counts["extract"]["no text"] == 1
    # precision's fast run found nothing, far below the page's body words: it runs again in full
    assert article.steps.counts["plan"]["precision full run"] == 1


def test_clean_stats_prints_the_table_after_the_summary(tmp_path):
    out = tmp_path / "out.jsonl"
    run = call_main("clean", PAGES, "-o", out, "--stats")
    summary, table = run.stderr.split("\nstep ", 1)
    assert "presswash: 4 documents" in summary and "rules fired most:" in summary
    rows = {line.split()[0]: line.split() for line in table.splitlines()[1:] if not line.startswith(" ")}
    assert set(HTML_STEPS) <= set(rows) and rows["total"][-1] == "4" and rows["check"][3] == "4"
    assert "GEN002 repeated-title" in table
    plain = call_main("clean", PAGES, "-o", tmp_path / "plain.jsonl")
    assert "ms/page" not in plain.stderr


def test_clean_stats_with_workers_gathers_every_page():
    run = run_cli("clean", PAGES, "--jobs", "2", "--stats")
    assert run.code == 0 and len(run.records) == 4
    total = next(line for line in run.stderr.splitlines() if line.startswith("total "))
    assert total.split()[-1] == "4"


def test_crawl_stats_are_printed_and_kept_with_the_run(serve, tmp_path):  # noqa: F811
    server = serve(NEWSROOM)
    store = tmp_path / "news.db"
    run = crawl("--sitemap", f"{server.base_url}/robots.txt", "--stats", store=store)
    assert "ms/page" in run.stderr and "rules fired (" in run.stderr
    rule_id, name, count = run.stderr.split("rules fired (")[1].splitlines()[1].split()  # named, as clean's are
    assert RuleBook.load().rule(rule_id).name == name and int(count) > 0
    (status, stats), = runs(store)
    assert status == "finished"
    steps = stats["steps"]
    assert steps["documents"] >= stats["articles_new"] == 5
    assert HTML_STEPS <= set(steps["steps"])
    assert all(step["seconds"] >= 0 and step["pages"] <= steps["documents"] for step in steps["steps"].values())
    assert sum(steps["rules"].values()) >= sum(stats["rules_fired"].values()) > 0


def test_options_without_rules_still_time_their_steps():
    outcome = Processor(Options(dom_rules=False, mode="balanced"))(html_page())
    assert {"parse", "extract", "text-rules"} <= set(outcome.steps.seconds)
    assert "dom-rules" not in outcome.steps.seconds and "extract-modes" not in outcome.steps.seconds
