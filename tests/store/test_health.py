"""Per-host figures in the store (schema version 4), on SQLite and PostgreSQL: written with the run's end, read
back latest first, judged against the host's history; a version 3 store is upgraded in place. And the
judgement's rules on their own: each alert, each likely cause, and when no alert is raised."""

from __future__ import annotations

import json

import pytest

from scraper.store import Store
from scraper.store.health import (DROP, MIN_SAMPLE, TEMPLATE_CHANGE, HostRun, HostTally, assess, fetch_error_kind,
                                  process_error_kind)
from scraper.store.schema import SCHEMA_VERSION
from tests.conftest import call_main
from tests.store.conftest import sql

A, B = "https://a.example/news/", "https://b.example/news/"


def crawled(tally: HostTally, base: str, articles: int, words: int = 300, flags: tuple[str, ...] = (),
            empty: int = 0, errors: tuple[tuple[str, int | None], ...] = ()) -> None:
    """What a crawl's pipeline would count for one host: a response and an article (or an empty page) per
    page, and the fetch errors given as (reason, status)."""
    for i in range(articles + empty):
        url = f"{base}{i}.html"
        tally.response(url)
        if i < articles:
            tally.article(url, "new", {"word_count": words + i, "flags": list(flags)})
        else:
            tally.process_error(url, "no article text found: the page may be a listing, …")
    for i, (reason, status) in enumerate(errors):
        tally.fetch_error(f"{base}e{i}.html", reason, status)


def test_figures_are_written_with_the_run_and_read_back_latest_first(store):
    for run in range(3):
        tally = HostTally()
        crawled(tally, A, 5)
        if run < 2:
            crawled(tally, B, 4, errors=(("HTTP 404", 404),))
        else:  # b.example's articles now come in empty
            crawled(tally, B, 0, empty=4, errors=(("HTTP 404", 404),))
        run_id = store.start_run()
        store.finish_run(run_id, {"articles_new": 9}, "interrupted" if run == 1 else "finished", tally.hosts)
    rows = store.host_runs(2)
    assert store.count("host_runs") == 6 and sorted(h for h, runs in rows.items() if runs[0].run_id == 3) == [
        "a.example", "b.example"]
    assert [(r.run_id, r.status) for r in rows["a.example"]] == [(3, "finished"), (2, "interrupted")]
    latest = rows["b.example"][0]
    assert (latest.pages, latest.records, latest.articles, latest.fetch_errors, latest.empty) == (4, 4, 0, 1, 4)
    assert latest.error_kinds == {"4xx": 1, "empty": 4} and latest.median_words is None
    assert rows["a.example"][0].median_words == 302 and rows["a.example"][0].yield_ == 1.0
    assert list(store.host_runs(5, hosts=["a.example"])) == ["a.example"]

    report = {h.host: h for h in store.health(history=10)}
    assert report["a.example"].alerts == [] and len(report["a.example"].history) == 2
    assert report["b.example"].cause == TEMPLATE_CHANGE
    assert report["b.example"].alerts == [
        "yield fell: 0% of 4 article pages gave an article (100% median of 2 earlier runs)"]
    # the history is as long as asked: one earlier run
    assert [len(h.history) for h in store.health(history=1)] == [1, 1]


def test_a_version_3_store_is_upgraded_in_place_and_read_as_it_is_before(store_url):
    with Store(store_url) as store:
        run_id = store.start_run()
        store.finish_run(run_id, {})
        sql(store, "DROP TABLE host_runs")  # the layout of version 3: all but host_runs
        sql(store, "UPDATE meta SET value = '3' WHERE key = 'schema_version'")
    with Store(store_url, read_only=True) as reader:  # health reads it untouched: nothing to report
        assert reader.version() == 3 and reader.health() == [] and reader.host_runs() == {}
    run = call_main("health", "--store", store_url)
    assert run.code == 0 and "its schema version is 3" in run.stderr, run.stderr
    with Store(store_url) as store:
        assert store.found_version == 3 and store.version() == SCHEMA_VERSION
        assert store.count("runs") == 1 and store.count("host_runs") == 0
        tally = HostTally()
        crawled(tally, A, 3)
        store.finish_run(store.start_run(), {}, hosts=tally.hosts)
        assert [h.host for h in store.health()] == ["a.example"]


# the judgement -----------------------------------------------------------------------------------------
def runs_of(*tallies: HostTally, host: str = "a.example") -> list[HostRun]:
    """A host's runs as the store gives them (latest first) from tallies given oldest first."""
    out = []
    for run_id, tally in enumerate(tallies, 1):
        row = tally.hosts[host].row()
        row["error_kinds"] = json.loads(row["error_kinds"])
        out.append(HostRun(run_id=run_id, host=host, started=f"2026-11-2{run_id}T08:00", status="finished", **row))
    return out[::-1]


def tally_of(**kwargs) -> HostTally:
    tally = HostTally()
    crawled(tally, A, **kwargs)
    return tally


def test_median_words_that_fell_point_to_a_template_change():
    health = assess(runs_of(tally_of(articles=5, words=400), tally_of(articles=5, words=420),
                            tally_of(articles=5, words=40)))
    assert health.alerts == ["median words fell: 42 (412 median of 2 earlier runs)"]
    assert health.cause == TEMPLATE_CHANGE


@pytest.mark.parametrize("errors, cause", [
    ((("Forbidden by robots.txt", None),) * 4, "robots.txt"),
    ((("HTTP 403", 403),) * 4, "blocking (403/429)"),
    ((("HTTP 503", 503),) * 4, "server errors (5xx)"),
    ((("DownloadTimeoutError: Getting … took longer than 30.0 seconds.", None),) * 4, "timeouts or network errors"),
])
def test_an_error_rate_that_rose_names_its_cause(errors, cause):
    health = assess(runs_of(tally_of(articles=4), tally_of(articles=1, errors=errors)))
    assert health.alerts[0].startswith("error rate rose: 80% of 5 requests failed"), health.alerts
    assert health.cause == cause


def test_paywalled_articles_point_to_a_paywall():
    health = assess(runs_of(tally_of(articles=6, words=600), tally_of(articles=6, words=60, flags=("paywalled",))))
    assert health.alerts == ["median words fell: 62 (602 median of 1 earlier run)"] and health.cause == "paywall"
    assert health.latest.figure("paywalled") == 1.0 and health.latest.figure("flagged") == 1.0


def test_no_alert_without_history_or_on_too_few_pages():
    assert assess(runs_of(tally_of(articles=0, empty=5))).alerts == []  # no earlier run to compare with
    few = MIN_SAMPLE - 1
    assert assess(runs_of(tally_of(articles=5), tally_of(articles=0, empty=few))).alerts == []
    # a drop to just above DROP × the history is no alert either
    assert assess(runs_of(tally_of(articles=4, words=100), tally_of(articles=4, words=int(100 * DROP) + 1))).alerts == []


@pytest.mark.parametrize("reason, status, kind", [
    ("HTTP 429", 429, "429"), ("HTTP 404", 404, "4xx"), ("HTTP 502", 502, "5xx"),
    ("HTTP 301: a redirect to a URL that is not http(s), not followed (file:///etc)", 301, "redirect"),
    ("Forbidden by robots.txt", None, "robots"), ("refused: 169.254.169.254 is a link-local address", None, "refused"),
    ("skipped: a.example asks for 100000 s between requests", None, "delay"),
    ("ConnectionRefusedError: Connection was refused by other side", None, "network"),
    ("ResponseDataLossError: the connection was lost", None, "network"),
    ("feed: malformed XML (line 2: …); 1 entries read", None, "listing"),
    ("malformed URL, not fetched: Invalid IPv6 URL", None, "listing"),
    ("redirect loop: a -> b -> a", None, "other"),
])
def test_error_kinds(reason, status, kind):
    assert fetch_error_kind(reason, status) == kind


def test_processing_error_kinds():
    assert process_error_kind("the document is empty") == "empty"
    assert process_error_kind("processing took longer than 60 s (time limit): …") == "time-limit"
    assert process_error_kind("not a web page or text: the bytes are a PDF document") == "processing"
