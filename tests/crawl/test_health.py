"""Per-host health (issue 15, point 1): two real crawls of two loopback sites. Between the runs one site
changes its template (its pages now render their text by script, so extraction finds none) and the other starts
answering 429. The second crawl's summary ends with both alerts, and `presswash health` shows them as a
table, JSON, an HTML page, and an exit status for cron."""

from __future__ import annotations

import io
import json
from pathlib import Path

from lxml import html as lxml_html

from scraper.cli.health import print_health
from scraper.cli.options import EXIT_ALERT, EXIT_OK
from tests.conftest import call_main

from .conftest import crawl, make_site, query
from .test_control import on_localhost

# The new template: the article's text comes in a script, for the browser to render; no text in the page.
SCRIPT_TEMPLATE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Council vote {i} | Gazette</title>
<meta property="og:type" content="article"></head>
<body><div id="app" data-page="article"></div>
<script>window.__ARTICLE__ = {{"title": "Council vote {i}", "body": "Councillors voted on Tuesday."}};</script>
</body></html>
"""


def test_a_template_change_and_a_site_that_starts_answering_429_raise_alerts(serve, tmp_path):
    template_paths = make_site(tmp_path / "gazette", 4)
    blocking_paths = make_site(tmp_path / "courier", 4)
    gazette, courier = serve(tmp_path / "gazette"), serve(tmp_path / "courier")
    courier_base = on_localhost(courier, tmp_path / "courier")  # another host: localhost
    store = tmp_path / "health.db"
    sources = ("--sitemap", f"{gazette.base_url}/robots.txt", "--sitemap", f"{courier_base}/robots.txt")

    first = crawl(*sources, store=store)
    assert first.code == 0 and "8 new" in first.stderr and "health alerts" not in first.stderr, first.stderr
    quiet = call_main("health", "--store", store, "--fail-on-alert")  # one run: no history, no alert
    assert quiet.code == EXIT_OK and "2 hosts, 0 with alerts" in quiet.stderr, quiet.stderr

    for i, path in enumerate(template_paths):
        (tmp_path / "gazette" / path.lstrip("/")).write_text(SCRIPT_TEMPLATE.format(i=i), encoding="utf-8")
    courier.routes["status"] = {path: 429 for path in blocking_paths}
    second = crawl(*sources, "--refetch-after", "0", store=store)
    assert second.code == 1, second.stderr  # the 429s and the empty pages are errors
    tail = second.stderr.rstrip().splitlines()[-3:]  # the summary ends with the alerts
    assert tail[0].startswith("  health alerts: 2 hosts"), second.stderr
    assert "127.0.0.1: yield fell: 0% of 4 article pages gave an article (100% median of 1 earlier run)" in tail[1]
    assert tail[1].endswith("likely cause: template change"), tail
    assert tail[2].startswith("    localhost: error rate rose: 100% of 4 requests failed (429 ×4")
    assert tail[2].endswith("likely cause: blocking (403/429)"), tail

    # the rows: one per (run, host)
    rows = query(store, "SELECT run_id, host, records, articles_new, fetch_errors, error_kinds, empty "
                        "FROM host_runs ORDER BY run_id, host")
    assert [(r[0], r[1], r[2], r[3], r[4], json.loads(r[5]), r[6]) for r in rows] == [
        (1, "127.0.0.1", 4, 4, 0, {}, 0), (1, "localhost", 4, 4, 0, {}, 0),
        (2, "127.0.0.1", 4, 0, 0, {"empty": 4}, 4), (2, "localhost", 0, 0, 4, {"429": 4}, 0)]

    table = call_main("health", "--store", store)
    assert table.code == EXIT_OK and "2 hosts, 2 with alerts" in table.stderr, table.stderr
    lines = table.stdout.splitlines()
    assert lines[0].split()[:3] == ["host", "run", "pages"]
    gazette_row = next(line for line in lines if line.startswith("127.0.0.1 "))
    assert "0% (100%)" in gazette_row  # yield now, and the median of the earlier run
    assert "ALERT 127.0.0.1: yield fell" in table.stdout and "ALERT localhost: error rate rose" in table.stdout
    assert "errors of localhost in run 2: 429 ×4" in table.stdout

    failing = call_main("health", "--store", store, "--fail-on-alert", "--host", "localhost", "--json")
    assert failing.code == EXIT_ALERT
    (host,) = [json.loads(line) for line in failing.stdout.splitlines()]
    assert host["host"] == "localhost" and host["cause"] == "blocking (403/429)" and host["run"] == 2
    assert host["latest"]["error_rate"] == 1.0 and host["history"]["error_rate"] == 0.0
    assert host["latest"]["error_kinds"] == {"429": 4} and host["yield_by_run"] == [[1, 4, 4], [2, 0, 0]]

    shown = io.StringIO()  # what the demo prints at its end
    assert print_health(str(store), shown) == 2 and shown.getvalue() == table.stdout

    page = tmp_path / "health.html"
    written = call_main("health", "--store", store, "--html", "-o", page)
    assert written.code == EXIT_OK and written.stdout == "", written.stderr
    check_page(page)


def check_page(page: Path) -> None:
    """The HTML page: self-contained, a table row per host, each with its own inline SVG yield chart."""
    text = page.read_text(encoding="utf-8")
    tree = lxml_html.fromstring(text)
    assert not tree.xpath("//script | //link | //img | //*[@src]")  # no script, no external asset
    rows = tree.xpath("//table/tbody/tr")
    assert [r.get("id") for r in rows] == ["host-127.0.0.1", "host-localhost"]
    for row in rows:
        charts = row.xpath(".//*[local-name()='svg']")
        assert len(charts) == 1
        bars = charts[0].xpath(".//*[local-name()='rect']")
        assert len(bars) == 2  # one per run
    gazette_bars = rows[0].xpath(".//*[local-name()='rect']")
    assert gazette_bars[1].get("class") == "alert" and "0 articles of 4 article pages" in gazette_bars[1].text_content()
    alerts = [li.text_content() for li in tree.xpath("//ul[@class='alerts']/li")]
    assert len(alerts) == 2 and alerts[0].endswith("likely cause: template change")
