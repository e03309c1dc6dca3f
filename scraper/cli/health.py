"""`presswash health`: each host's latest crawl run against its own history, and the alerts that raises
(yield or median words fell, fetch errors rose) with their likely cause. docs/health.md."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any, TextIO

from scraper.cli.htmlpage import escape, render_page
from scraper.cli.options import EXIT_ALERT, EXIT_OK, EXIT_USAGE, add_store_option, positive_int

if TYPE_CHECKING:  # the store loads SQLAlchemy: only when the command runs
    from scraper.store.health import HostHealth


def add_parser(sub: argparse._SubParsersAction) -> None:
    health = sub.add_parser("health", help="each host's latest crawl against its history, and alerts",
                            description="One row per host: the latest crawl run's figures, with the median of "
                                        "the host's earlier runs in brackets, and alerts when the article yield "
                                        "or the median words fell sharply or fetch errors rose, with the likely "
                                        "cause (see docs/health.md).")
    add_store_option(health, "the store to read")
    health.add_argument("--runs", type=positive_int, metavar="N",
                        help="compare with up to N earlier runs of each host (default 10, docs/health.md)")
    health.add_argument("--host", action="append", metavar="HOST", help="only this host (repeatable)")
    health.add_argument("--json", action="store_true", help="one JSON object per host, a line each, for tools")
    health.add_argument("--html", action="store_true",
                        help="write a self-contained HTML page (the table and a chart of each host's yield) to -o")
    health.add_argument("-o", "--output", metavar="FILE", help="where --html writes its page")
    health.add_argument("--fail-on-alert", action="store_true",
                        help=f"exit with status {EXIT_ALERT} when any host has an alert (for cron)")
    health.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from scraper.store import Store, StoreError, store_target
    from scraper.store.health import HISTORY_RUNS

    if args.html and not args.output:
        print("presswash health: --html needs -o FILE", file=sys.stderr)
        return EXIT_USAGE
    try:
        with Store(store_target(args.store), read_only=True) as store:  # health never changes the store
            report = store.health(args.runs or HISTORY_RUNS, args.host)
            where, version = store.where, store.version()
    except StoreError as exc:
        print(f"presswash health: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if not report:
        why = (f"its schema version is {version}: crawls record per-host figures from version 4 on, so run a crawl "
               "into it" if version < 4 else "no crawl run has recorded figures for " +
               ("these hosts" if args.host else "any host") + " yet")
        print(f"presswash health: nothing to report for {where}: {why}", file=sys.stderr)
        return EXIT_OK
    if args.html:
        from scraper.sinks.atomic import write_atomic

        write_atomic(args.output, health_page(report, where))
    elif args.json:
        for host in report:
            print(json.dumps(host.as_json(), ensure_ascii=False))
    else:
        print_table(report)
    alerts = sum(1 for h in report if h.alerts)
    print(f"presswash health: {len(report)} host{'' if len(report) == 1 else 's'}, {alerts} with alerts"
          + (f"; page written to {args.output}" if args.html else ""), file=sys.stderr)
    return EXIT_ALERT if alerts and args.fail_on_alert else EXIT_OK


# the table ---------------------------------------------------------------------------------------------
COLUMNS = ("host", "run", "pages", "new+chg", "yield", "fetch errors", "words", "empty", "flagged", "cut short",
           "paywalled")


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:g}"


def cells(host: HostHealth) -> list[str]:
    """A host's row: each figure of its latest run, with the median of its earlier runs in brackets."""
    from scraper.store.health import percent

    latest, median = host.latest, host.medians

    def vs(name: str, show: Any) -> str:
        now = show(latest.figure(name))
        return now if not host.history else f"{now} ({show(median[name])})"

    run = f"{latest.run_id} {latest.started[:16].replace('T', ' ')}"
    if latest.status != "finished":
        run += " (interrupted)"
    return [host.host, run, vs("pages", _num), vs("new_changed", _num), vs("yield", percent),
            vs("error_rate", percent), vs("median_words", _num), vs("empty", percent), vs("flagged", percent),
            vs("cut_short", percent), vs("paywalled", percent)]


def error_kinds(host: HostHealth) -> str:
    kinds = host.latest.error_kinds
    return ", ".join(f"{k} ×{n}" for k, n in sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0])))


def health_table(report: list[HostHealth]) -> str:
    """The health report as text: an aligned table (latest, with the history median in brackets), then each
    host's errors by kind and its alerts. What `presswash health` prints, and the demo shows."""
    from scraper.store.health import alert_lines

    rows = [list(COLUMNS), *map(cells, report)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    for host in report:
        if host.latest.error_kinds:
            lines.append(f"errors of {host.host} in run {host.latest.run_id}: {error_kinds(host)}")
    lines += [f"ALERT {line}" for line in alert_lines(report)]
    return "\n".join(lines)


def print_table(report: list[HostHealth], file: TextIO | None = None) -> None:
    print(health_table(report), file=file or sys.stdout)


def print_health(store_target: str, file: TextIO | None = None) -> int:
    """Print the health table of a store (the demo's last word); returns how many hosts have alerts."""
    from scraper.store import Store

    with Store(store_target, read_only=True) as store:
        report = store.health()
    if report:
        print_table(report, file)
    return sum(1 for h in report if h.alerts)


# the HTML page -----------------------------------------------------------------------------------------
CHART_WIDTH, CHART_HEIGHT, BAR_GAP = 160, 36, 2

STYLE = """
body { max-width: 96em; } td { white-space: nowrap; }
svg.yield { vertical-align: middle; background: #fafafa; border: 1px solid #ddd; }
svg.yield rect { fill: #4a7ab5; } svg.yield rect.alert { fill: #c33; } svg.yield rect.none { fill: #ccc; }
td.num { text-align: right; white-space: nowrap; } ul.alerts li { margin: .3em 0; }
"""


def yield_chart(host: HostHealth) -> str:
    """An inline SVG bar chart of the host's yield (articles per article page processed) over its runs,
    oldest first; the latest run's bar is red when the host has an alert. Each bar's title gives its
    figures."""
    runs = list(reversed([host.latest, *host.history]))
    step = CHART_WIDTH / max(len(runs), 1)
    bars = []
    for i, run in enumerate(runs):
        share = run.yield_
        height = max(1.0, (share or 0) * (CHART_HEIGHT - 2))
        css = "none" if share is None else "alert" if run is host.latest and host.alerts else None
        css = f' class="{css}"' if css else ""
        tip = f"run {run.run_id} ({run.started[:16]}): {run.articles} articles of {run.records} article pages"
        bars.append(f'<rect{css} x="{i * step + BAR_GAP / 2:.1f}" y="{CHART_HEIGHT - height:.1f}" '
                    f'width="{max(step - BAR_GAP, 1):.1f}" height="{height:.1f}"><title>{escape(tip)}'
                    f"{'' if share is None else f' ({share:.0%})'}</title></rect>")
    return (f'<svg class="yield" xmlns="http://www.w3.org/2000/svg" width="{CHART_WIDTH}" height="{CHART_HEIGHT}" '
            f'viewBox="0 0 {CHART_WIDTH} {CHART_HEIGHT}" role="img" aria-label="yield of {escape(host.host)} '
            f'over {len(runs)} runs">{"".join(bars)}</svg>')


def health_page(report: list[HostHealth], where: str) -> str:
    """The health report as one self-contained HTML page: the table, each host's yield chart, and the
    alerts."""
    from scraper.store.health import alert_lines

    # the chart next to the host, where a narrow window still shows it
    head = "".join(f"<th>{escape(c)}</th>" for c in (COLUMNS[0], "yield by run", *COLUMNS[1:], "errors by kind"))
    rows = []
    for host in report:
        row = cells(host)
        tds = [f"<td>{escape(row[0])}</td>", f"<td>{yield_chart(host)}</td>", f"<td>{escape(row[1])}</td>",
               *(f'<td class="num">{escape(c)}</td>' for c in row[2:]), f"<td>{escape(error_kinds(host)) or '-'}</td>"]
        rows.append(f'<tr id="host-{escape(host.host)}">{"".join(tds)}</tr>')
    alerts = [f'<li class="alert">{escape(line)}</li>' for line in alert_lines(report)]
    body = (f'<p class="dim">Store {escape(where)}: each host\'s latest crawl run, with the median of its earlier '
            "runs in brackets. Yield is the share of article pages processed that gave an article; fetch errors "
            "the share of requests that failed. See docs/health.md.</p>\n"
            f"<h2>Alerts</h2>\n" + (f'<ul class="alerts">{"".join(alerts)}</ul>' if alerts else "<p>None.</p>")
            + f"\n<h2>Hosts</h2>\n<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n" + "\n".join(rows)
            + "\n</tbody>\n</table>")
    return render_page("presswash health", body, style=STYLE)
