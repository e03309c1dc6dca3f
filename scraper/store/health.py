"""Per-host extraction health: each crawl run's figures for each host it touched (the table ``host_runs``,
schema version 4), and the alerts that compare a host's latest run with its own history (docs/health.md).

A crawl's store pipeline counts into a HostTally as its items pass, and the run's end (finished or
interrupted) writes one row per host in the transaction that finishes the run (Store.finish_run).
``presswash health`` and the crawl summary read the rows back (Store.host_runs) and judge them here
(assess): a host's latest run against the median of its earlier runs, with the thresholds below.
"""

from __future__ import annotations

import json
import statistics
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from scraper.core.urls import hostname_of

# The thresholds of the alerts (docs/health.md#alerts).
DROP = 0.5           # yield or median words "fell sharply": the latest run is under half its history median
RISE = 0.25          # the fetch error rate "rose": 25 points or more over its history median
CAUSE_RISE = 0.10    # a likely cause: its share of the host's requests (or articles) rose 10 points or more
MIN_SAMPLE = 3       # a run judged on fewer pages than this (records, articles, requests) raises no alert
HISTORY_RUNS = 10    # how many earlier runs of a host make its history, unless --runs says otherwise

# Flags of a record that say its extraction is doubtful (docs/record.md): "flagged" counts these;
# canonical-ignored is about the article's key, not its text.
KEY_FLAGS = frozenset({"canonical-ignored"})
CUT_SHORT_FLAGS = frozenset({"parse-truncated", "teaser"})
PAYWALL_FLAG = "paywalled"

# The crawl stat that counts a host's articles not fetched again (fresh in the store) or answered 304, by
# host: IncrementalMiddleware counts them, and the store pipeline folds them into its tally at the run's end.
SKIPPED_STAT = "health/skipped/"

# Error kinds (the keys of error_kinds), in the order they are listed. Fetch errors first, then the
# processing errors of pages that were fetched.
FETCH_KINDS = ("403", "429", "5xx", "4xx", "redirect", "robots", "timeout", "network", "refused", "delay",
               "listing", "other")
PROCESS_KINDS = ("empty", "time-limit", "processing")
BLOCKING_KINDS = ("403", "429")


def fetch_error_kind(reason: str, status: int | None) -> str:
    """The kind of a fetch error row, from its HTTP status or its reason (scraper's and Scrapy's wording)."""
    if status is not None and status >= 300:
        if status in (403, 429):
            return str(status)
        return "5xx" if status >= 500 else "4xx" if status >= 400 else "redirect"
    low = reason.lower()
    if "forbidden by robots.txt" in low:
        return "robots"
    if "timeout" in low or "took longer than" in low:
        return "timeout"
    if low.startswith("refused:"):
        return "refused"
    if low.startswith("skipped:"):
        return "delay"
    if low.startswith(("feed:", "sitemap:", "malformed url", "not a sitemap", "no feed here", "robots.txt names",
                       "the sitemap's gzip")):
        return "listing"
    if "error:" in reason.split(" ", 1)[0].lower() or "connection" in low or "dns" in low:
        return "network"
    return "other"


def process_error_kind(error: str) -> str:
    """The kind of a processing error: no article text (a template change shows as these), the time limit,
    or another failure."""
    if "no article text" in error or "document is empty" in error:
        return "empty"
    if "took longer than" in error:
        return "time-limit"
    return "processing"


@dataclass
class HostFigures:
    """One run's figures for one host, as a crawl counts them."""

    pages: int = 0
    records: int = 0
    articles_new: int = 0
    articles_changed: int = 0
    articles_unchanged: int = 0
    skipped: int = 0
    fetch_errors: int = 0
    error_kinds: Counter = field(default_factory=Counter)
    words: list[int] = field(default_factory=list)
    empty: int = 0
    flagged: int = 0
    cut_short: int = 0
    paywalled: int = 0

    def row(self) -> dict[str, Any]:
        """The host_runs columns (without run_id and host)."""
        return {"pages": self.pages, "records": self.records, "articles_new": self.articles_new,
                "articles_changed": self.articles_changed, "articles_unchanged": self.articles_unchanged,
                "skipped": self.skipped, "fetch_errors": self.fetch_errors,
                "error_kinds": json.dumps(dict(sorted(self.error_kinds.items()))),
                "median_words": round(statistics.median(self.words)) if self.words else None,
                "empty": self.empty, "flagged": self.flagged, "cut_short": self.cut_short,
                "paywalled": self.paywalled}


class HostTally:
    """Counts a crawl run's figures by host, as the store pipeline sees responses, errors and articles."""

    def __init__(self) -> None:
        self.hosts: dict[str, HostFigures] = {}

    def _of(self, url: str | None) -> HostFigures:
        host = hostname_of(url) or "-"
        figures = self.hosts.get(host)
        if figures is None:
            figures = self.hosts[host] = HostFigures()
        return figures

    def response(self, url: str) -> None:
        self._of(url).pages += 1

    def skipped(self, stats: dict[str, Any]) -> None:
        """Take the run's skipped articles by host from the crawl's stats (SKIPPED_STAT)."""
        for key, count in stats.items():
            if key.startswith(SKIPPED_STAT):
                host = key[len(SKIPPED_STAT):]
                self.hosts.setdefault(host, HostFigures()).skipped = int(count)

    def fetch_error(self, url: str | None, reason: str, status: int | None) -> None:
        figures = self._of(url)
        figures.fetch_errors += 1
        figures.error_kinds[fetch_error_kind(reason, status)] += 1

    def process_error(self, url: str | None, error: str) -> None:
        figures = self._of(url)
        figures.records += 1
        kind = process_error_kind(error)
        figures.error_kinds[kind] += 1
        if kind == "empty":
            figures.empty += 1

    def article(self, url: str | None, change: str, record: dict[str, Any]) -> None:
        figures = self._of(url)
        figures.records += 1
        setattr(figures, f"articles_{change}", getattr(figures, f"articles_{change}") + 1)
        figures.words.append(record.get("word_count") or 0)
        flags = set(record.get("flags") or ())
        figures.flagged += bool(flags - KEY_FLAGS)
        figures.cut_short += bool(flags & CUT_SHORT_FLAGS)
        figures.paywalled += PAYWALL_FLAG in flags


@dataclass(frozen=True)
class HostRun:
    """A row of host_runs, with its run's start and status."""

    run_id: int
    host: str
    started: str
    status: str
    pages: int
    records: int
    articles_new: int
    articles_changed: int
    articles_unchanged: int
    skipped: int
    fetch_errors: int
    error_kinds: dict[str, int]
    median_words: int | None
    empty: int
    flagged: int
    cut_short: int
    paywalled: int

    @property
    def articles(self) -> int:
        """Pages that gave an article: new, changed or unchanged."""
        return self.articles_new + self.articles_changed + self.articles_unchanged

    @property
    def requests(self) -> int:
        """The host's requests that ended in a record, a fetch error, or an article skipped (fresh or 304):
        skipped articles count, so an incremental run that fetches nothing new keeps its error rate."""
        return self.records + self.fetch_errors + self.skipped

    def share(self, count: int, of: int) -> float | None:
        return count / of if of else None

    @property
    def yield_(self) -> float | None:
        """The share of the article pages processed that gave an article."""
        return self.share(self.articles, self.records)

    @property
    def error_rate(self) -> float | None:
        """The share of the host's requests that failed to fetch."""
        return self.share(self.fetch_errors, self.requests)

    def kinds_share(self, kinds: Iterable[str]) -> float | None:
        return self.share(sum(self.error_kinds.get(k, 0) for k in kinds), self.requests)

    def figure(self, name: str) -> float | None:
        """A figure by name (FIGURES), for history medians and reports."""
        return FIGURES[name](self)


# The figures a host is judged on and reported with, each a function of one run.
FIGURES: dict[str, Callable[[HostRun], float | None]] = {
    "pages": lambda r: r.pages,
    "articles": lambda r: r.articles,
    "new_changed": lambda r: r.articles_new + r.articles_changed,
    "yield": lambda r: r.yield_,
    "error_rate": lambda r: r.error_rate,
    "median_words": lambda r: r.median_words,
    "empty": lambda r: r.share(r.empty, r.records),
    "flagged": lambda r: r.share(r.flagged, r.articles),
    "cut_short": lambda r: r.share(r.cut_short, r.articles),
    "paywalled": lambda r: r.share(r.paywalled, r.articles),
    "blocking": lambda r: r.kinds_share(BLOCKING_KINDS),
    "robots": lambda r: r.kinds_share(("robots",)),
    "server": lambda r: r.kinds_share(("5xx",)),
    "network": lambda r: r.kinds_share(("timeout", "network")),
}

# Likely causes, first match wins: (the cause, the figure whose rise of CAUSE_RISE or more points to it).
CAUSES = (("robots.txt", "robots"), ("blocking (403/429)", "blocking"), ("paywall", "paywalled"),
          ("server errors (5xx)", "server"), ("timeouts or network errors", "network"))
TEMPLATE_CHANGE = "template change"


@dataclass
class HostHealth:
    """A host's latest run, the medians of its earlier runs, and what the comparison found."""

    latest: HostRun
    history: list[HostRun]
    medians: dict[str, float | None]
    alerts: list[str]
    cause: str | None

    @property
    def host(self) -> str:
        return self.latest.host

    @property
    def alert_line(self) -> str:
        """The host's alerts and their likely cause, on one line ("" when it has none)."""
        return f"{self.host}: {'; '.join(self.alerts)}; likely cause: {self.cause}" if self.alerts else ""

    def as_json(self) -> dict[str, Any]:
        latest = self.latest
        return {"host": self.host, "run": latest.run_id, "started": latest.started, "status": latest.status,
                "history_runs": len(self.history),
                "latest": {**{name: latest.figure(name) for name in FIGURES}, "fetch_errors": latest.fetch_errors,
                           "error_kinds": latest.error_kinds},
                "history": self.medians, "alerts": self.alerts, "cause": self.cause,
                "yield_by_run": [[r.run_id, r.articles, r.records] for r in reversed([latest, *self.history])]}


def _median(values: Iterable[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return statistics.median(known) if known else None


def percent(value: float | None) -> str:
    """A share as a whole percentage, "-" when there is none."""
    return "-" if value is None else f"{value:.0%}"


def assess(rows: list[HostRun]) -> HostHealth:
    """Judge a host's runs, latest first: its latest run against the medians of the others."""
    latest, history = rows[0], rows[1:]
    medians = {name: _median(r.figure(name) for r in history) for name in FIGURES}
    alerts: list[str] = []
    if history:
        earlier = f"median of {len(history)} earlier run{'s' if len(history) > 1 else ''}"
        before, now = medians["yield"], latest.yield_
        if latest.records >= MIN_SAMPLE and before and now is not None and now < before * DROP:
            alerts.append(f"yield fell: {percent(now)} of {latest.records} article pages gave an article "
                          f"({percent(before)} {earlier})")
        before, now = medians["median_words"], latest.median_words
        if latest.articles >= MIN_SAMPLE and before and now is not None and now < before * DROP:
            alerts.append(f"median words fell: {now} ({before:g} {earlier})")
        before, now = medians["error_rate"], latest.error_rate
        if latest.requests >= MIN_SAMPLE and before is not None and now is not None and now - before >= RISE:
            kinds = ", ".join(f"{k} ×{n}" for k, n in sorted(latest.error_kinds.items(), key=lambda kv: -kv[1])
                              if k in FETCH_KINDS)
            alerts.append(f"error rate rose: {percent(now)} of {latest.requests} requests failed ({kinds}; "
                          f"{percent(before)} {earlier})")
    return HostHealth(latest, history, medians, alerts, likely_cause(latest, medians, alerts) if alerts else None)


def likely_cause(latest: HostRun, medians: dict[str, float | None], alerts: list[str]) -> str:
    """What most likely made a host's alerts: the first cause whose share rose by CAUSE_RISE; else a
    template change when the pages came (no error rate alert) but gave fewer articles or words; else
    unknown."""
    for cause, name in CAUSES:
        now, before = latest.figure(name), medians[name]
        if now is not None and now - (before or 0.0) >= CAUSE_RISE:
            return cause
    if not any(a.startswith("error rate") for a in alerts):
        return TEMPLATE_CHANGE
    return "unknown"


def alert_lines(report: list[HostHealth]) -> list[str]:
    """One line per host with alerts: its alerts and their likely cause."""
    return [h.alert_line for h in report if h.alerts]
