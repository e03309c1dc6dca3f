"""`presswash demo`: serve the bundled fixture news site on loopback and crawl it into the store, so the
main job can be seen end to end with no network. Run it twice to see the incremental skip."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from scraper.cli.options import add_store_option


def add_parser(sub: argparse._SubParsersAction) -> None:
    demo = sub.add_parser("demo", help="serve the bundled fixture news site on loopback and crawl it")
    demo.add_argument("--site-dir", default="fixtures/sites/newsroom", help="the site to serve (default %(default)s)")
    add_store_option(demo, "the store to crawl into")
    demo.add_argument("--port", type=int, default=8765, help="loopback port (default %(default)s)")
    demo.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from scraper.store import store_target

    return run_demo(args.site_dir, store_target(args.store), args.port)


def run_demo(site_dir: str, store_path: str, port: int) -> int:
    # Scrapy and the store load when the demo runs, not whenever the CLI starts (`clean`).
    from scraper.crawl.config import CrawlPlan
    from scraper.crawl.runner import run_crawl, summary
    from scraper.crawl.siteserver import SiteServer
    from scraper.store import Store, StoreError, check_store, store_name

    folder = Path(site_dir)
    if not (folder / "robots.txt").exists():
        print(f"presswash demo: no fixture site at {folder} (run it from the repository root, or give --site-dir)",
              file=sys.stderr)
        return 2
    try:
        check_store(store_path)
    except StoreError as exc:
        print(f"presswash demo: {exc}", file=sys.stderr)
        return 2
    with SiteServer(folder, port=port) as server:
        base = server.base_url
        print(f"presswash demo: serving {folder} at {base}; crawling its feed, sitemaps and pages into "
              f"{store_name(store_path)}",
              file=sys.stderr)
        plan = CrawlPlan(feeds=[f"{base}/"], sitemaps=[f"{base}/robots.txt"], sites=[f"{base}/"], store=store_path,
                         settings={"LOG_LEVEL": "WARNING", "DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False,
                                   "RETRY_BACKOFF_BASE": 0.2})
        stats = run_crawl(plan)
        article_hits = sum(1 for path, status in server.hits if status == 200 and path.endswith(".html"))
    print(summary(stats))
    print(f"article pages downloaded this run: {article_hits}")
    with Store(store_path) as store:
        print(f"the store holds {store.count('articles')} articles, {store.count('revisions')} revisions, "
              f"{store.count('errors')} errors over {store.count('runs')} runs:")
        for record in store.articles():
            print(f"  {record['date_published'] or '?':25.25}  {record['title']}  ({record['word_count']} words, "
                  f"{len(record['removed'])} removals)")
    print("run `presswash demo` again: stored articles are not downloaded again.")
    return 0
