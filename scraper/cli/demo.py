"""`presswash demo`: serve the bundled fixture news sites on loopback and crawl them into the store, so the
main job can be seen end to end with no network. Run it twice to see the incremental skip.

The sites serve a few faults on purpose (a 404, a 500, a page robots.txt forbids: their `_routes.toml` and
robots.txt say which). The demo lists those as expected instead of logging them as errors; any other error
is shown as usual."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import Any

from scraper.cli.options import add_store_option

# The newsroom (the main job, with its faults) and a repost blog that copies one of its stories (a story link).
DEMO_SITES = ("fixtures/sites/newsroom", "fixtures/sites/repost")
# The loggers Scrapy reports a failed fetch with; the demo keeps the expected ones out of the log.
FETCH_FAILURE_LOGGERS = ("scrapy.downloadermiddlewares.retry", "scrapy.spidermiddlewares.httperror",
                         "scrapy.core.scraper")


def add_parser(sub: argparse._SubParsersAction) -> None:
    demo = sub.add_parser("demo", help="serve the bundled fixture news sites on loopback and crawl them")
    demo.add_argument("--site-dir", nargs="+", default=list(DEMO_SITES), metavar="DIR",
                      help="the sites to serve, one port each from --port on (default: %(default)s)")
    add_store_option(demo, "the store to crawl into")
    demo.add_argument("--port", type=int, default=8765, help="the first site's loopback port (default %(default)s)")
    demo.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from scraper.store import store_target

    return run_demo(args.site_dir, store_target(args.store), args.port)


class ExpectedFaults(logging.Filter):
    """What the demo sites serve wrong on purpose: the statuses their ``_routes.toml`` sets, and the pages their
    robots.txt forbids (read with protego, as Scrapy reads it). As a logging filter it drops the fetch-failure
    records about those URLs (the statuses: Scrapy logs a robots.txt refusal at DEBUG only)."""

    def __init__(self, servers: list[Any]):
        from protego import Protego

        super().__init__()
        self.statuses = {f"{server.base_url}{path}": f"HTTP {status}"
                         for server in servers for path, status in server.routes.get("status", {}).items()}
        self.robots = {server.base_url: Protego.parse((server.folder / "robots.txt").read_text())
                       for server in servers}

    def why(self, url: str | None) -> str | None:
        """Why ``url`` fails on purpose, or None when it should not fail."""
        if not url:
            return None
        if url in self.statuses:
            return self.statuses[url]
        forbidden = any(url.startswith(f"{base}/") and not robots.can_fetch(url, "*")
                        for base, robots in self.robots.items())
        return "forbidden by robots.txt" if forbidden else None

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not any(url in message for url in self.statuses)


def run_demo(site_dirs: list[str], store_path: str, port: int) -> int:
    # Scrapy and the store load when the demo runs, not whenever the CLI starts (`clean`).
    from contextlib import ExitStack

    from scraper.cli.health import print_table
    from scraper.cli.stories import print_cluster
    from scraper.crawl.config import CrawlPlan
    from scraper.crawl.runner import run_crawl, summary
    from scraper.crawl.siteserver import SiteServer
    from scraper.store import Store, StoreError, check_store, store_name

    folders = [Path(d) for d in site_dirs]
    for folder in folders:
        if not (folder / "robots.txt").exists():
            print(f"presswash demo: no fixture site at {folder} (run it from the repository root, or give "
                  "--site-dir)", file=sys.stderr)
            return 2
    try:
        check_store(store_path)
    except StoreError as exc:
        print(f"presswash demo: {exc}", file=sys.stderr)
        return 2
    with ExitStack() as stack:
        servers = [stack.enter_context(SiteServer(folder, port=port + i)) for i, folder in enumerate(folders)]
        bases = [server.base_url for server in servers]
        faults = ExpectedFaults(servers)
        for name in FETCH_FAILURE_LOGGERS:
            logging.getLogger(name).addFilter(faults)
            stack.callback(logging.getLogger(name).removeFilter, faults)
        sites = ", ".join(f"{folder} at {base}" for folder, base in zip(folders, bases))
        print(f"presswash demo: serving {sites}; crawling their feeds, sitemaps and pages into "
              f"{store_name(store_path)}", file=sys.stderr)
        plan = CrawlPlan(feeds=[f"{base}/" for base in bases], sitemaps=[f"{base}/robots.txt" for base in bases],
                         sites=[f"{base}/" for base in bases], store=store_path,
                         settings={"LOG_LEVEL": "WARNING", "DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False,
                                   "RETRY_BACKOFF_BASE": 0.2})
        stats = run_crawl(plan)
        article_hits = sum(1 for server in servers for path, status in server.hits
                           if status == 200 and path.endswith(".html"))
    print(summary(stats))
    print(f"article pages downloaded this run: {article_hits}")
    with Store(store_path) as store:
        print_errors(store.last_run_errors(), faults)
        print(f"the store holds {store.count('articles')} articles, {store.count('revisions')} revisions, "
              f"{store.count('errors')} errors over {store.count('runs')} runs:")
        for record in store.articles():
            print(f"  {record['date_published'] or '?':25.25}  {record['title']}  ({record['word_count']} words, "
                  f"{len(record['removed'])} removals)")
        for cluster in store.stories(min_size=2, limit=1):
            print("one story the sites share (`presswash stories` lists them all):")
            print_cluster(cluster, first=True)
        print("each site's health, its latest run against its earlier ones (`presswash health`):")
        print_table(store.health())
    print("run `presswash demo` again: stored articles are not downloaded again.")
    return 0


def print_errors(errors: list[tuple[str | None, str]], faults: ExpectedFaults) -> None:
    """This run's errors: the faults the sites serve on purpose as expected, any other as an error."""
    expected, unexpected = [], []
    for url, reason in errors:
        (expected if faults.why(url) else unexpected).append((url, reason))
    if expected:
        print(f"expected: {len(expected)} fault{'s' * (len(expected) != 1)} the demo sites serve on purpose, "
              "recorded as errors:")
        for url, reason in expected:
            print(f"  {reason:<24} {url}")
    if unexpected:
        print(f"ERROR: {len(unexpected)} unexpected error{'s' * (len(unexpected) != 1)}:")
        for url, reason in unexpected:
            print(f"  {reason:<24} {url or '-'}")
