"""`presswash crawl`: crawl news sites (feeds, sitemaps, site crawls, URL lists) into the store."""

from __future__ import annotations

import argparse
import os
import sys

from cleaners import RuleBook, RuleError
from cleaners.packs import RuleNames

from scraper.cli.options import (EXIT_DOC_ERRORS, EXIT_OK, EXIT_STORE_LOST, EXIT_USAGE, add_quiet_options,
                                 add_rule_options, add_selection_options, add_store_option, rules_dirs,
                                 show_progress)


def add_parser(sub: argparse._SubParsersAction) -> None:
    crawl = sub.add_parser("crawl", help="crawl news sites (feeds, sitemaps, site crawls, URL lists) into the store",
                           description="Crawl with Scrapy: every source option can be repeated. New and changed "
                                       "articles go to the store; with -o they are also appended as JSON Lines.")
    crawl.add_argument("--feed", action="append", default=[], metavar="URL", help="an RSS/Atom/JSON feed, or a home page to autodiscover feeds on")
    crawl.add_argument("--sitemap", action="append", default=[], metavar="URL", help="a sitemap, sitemap index or robots.txt")
    crawl.add_argument("--site", action="append", default=[], metavar="URL", help="a start URL: follow in-site links")
    crawl.add_argument("--urls", action="append", default=[], metavar="FILE", help="a file of article URLs, or - for stdin")
    crawl.add_argument("--config", metavar="TOML", help="a crawl config listing sites (see docs/crawling.md)")
    add_store_option(crawl, "the store to crawl into")
    crawl.add_argument("--frontier", metavar="URL",
                       help="a Redis URL (redis://host:port/db): run as one of many workers sharing its request "
                            "queue, seen-set and per-host limits (see docs/scaling.md)")
    crawl.add_argument("-o", "--output", metavar="FILE", help="also append new and changed records to this JSON Lines file")
    crawl.add_argument("--since", metavar="DATE", help="only articles published or modified on or after DATE")
    crawl.add_argument("--max-depth", type=int, default=2, help="link depth of site crawls (default %(default)s)")
    crawl.add_argument("--max-pages", type=int, default=1000, help="pages a site crawl may request (default %(default)s)")
    crawl.add_argument("--refetch-after", type=float, metavar="HOURS",
                       help="re-fetch stored articles older than this, with conditional GET (default 24)")
    crawl.add_argument("--user-agent", help="the User-Agent to send (name your crawler and a contact)")
    crawl.add_argument("--stats", action="store_true",
                       help="after the summary, print each step's share of the time, ms per page, and the rules that fired")
    add_quiet_options(crawl)
    crawl.add_argument("-v", "--verbose", action="store_true",
                       help="log at DEBUG (every request and item, by URL; never an article's text) and dump Scrapy's stats")
    crawl.add_argument("--log-file", metavar="FILE", help="append the crawl's log to FILE instead of stderr (the summary still goes to stderr)")
    crawl.add_argument("-s", "--set", action="append", default=[], metavar="NAME=VALUE", help="any Scrapy setting")
    add_rule_options(crawl)
    add_selection_options(crawl)
    crawl.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    # Scrapy, the frontier and the store load when a crawl runs, not whenever the CLI starts (`clean`).
    from scraper.core.dates import parse_since
    from scraper.crawl.config import ConfigError, CrawlPlan, load_config, source_url_problem
    from scraper.crawl.frontier import frontier_problem
    from scraper.crawl.middlewares import STORE_LOST
    from scraper.crawl.runner import run_crawl, steps_table, summary
    from scraper.store import StoreError, check_store, store_name, store_target

    plan = CrawlPlan(feeds=args.feed, sitemaps=args.sitemap, sites=args.site, urls=args.urls, since=args.since,
                     output=args.output, rules_dirs=list(rules_dirs(args)),
                     max_depth=args.max_depth, max_pages=args.max_pages,
                     store=store_target(None))  # $PRESSWASH_STORE or ./presswash.db, unless the config names one
    rulebook = None
    try:
        if args.config:
            plan = load_config(args.config, plan)
        # The rule book is checked here only when something given can be wrong in it (--rules folders, --select,
        # --ignore): loading it costs this process about a second of CPU, and the extraction workers load their
        # own. --stats needs only the rules' names.
        if plan.rules_dirs or args.select or args.ignore:
            rulebook = RuleBook.load(plan.rules_dirs).selected(args.select, args.ignore)
        elif args.stats:
            rulebook = RuleNames.builtin()
    except (ConfigError, RuleError) as exc:
        print(f"presswash crawl: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if plan.empty():
        print("presswash crawl: give a source: --feed, --sitemap, --site, --urls or --config", file=sys.stderr)
        return EXIT_USAGE
    for option, urls in (("--feed", plan.feeds), ("--sitemap", plan.sitemaps), ("--site", plan.sites)):
        problem = next((p for p in map(source_url_problem, urls) if p), None)
        if problem:
            print(f"presswash crawl: {option}: {problem}", file=sys.stderr)
            return EXIT_USAGE
    if args.store:
        plan.store = args.store
    try:
        check_store(plan.store)  # a folder, an image or another application's database is refused untouched
    except StoreError as exc:
        print(f"presswash crawl: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.since:  # the command line wins over the config, as for --store
        plan.since = args.since
    try:
        plan.since = parse_since(plan.since)
    except ValueError as exc:
        print(f"presswash crawl: {exc}", file=sys.stderr)
        return EXIT_USAGE
    missing = [f for f in plan.urls if f != "-" and not os.path.isfile(f)]
    if missing:
        print(f"presswash crawl: no URL list at {missing[0]}", file=sys.stderr)
        return EXIT_USAGE
    if args.refetch_after is not None:
        plan.settings["PRESSWASH_REFETCH_AFTER"] = args.refetch_after * 3600
    if args.select:
        plan.settings["PRESSWASH_SELECT"] = list(args.select)
    if args.ignore:
        plan.settings["PRESSWASH_IGNORE"] = list(args.ignore)
    if args.user_agent:
        plan.settings["USER_AGENT"] = args.user_agent
    if args.verbose:
        plan.settings.update(LOG_LEVEL="DEBUG", STATS_DUMP=True)
    elif args.quiet:
        plan.settings["LOG_LEVEL"] = "ERROR"
    if show_progress(args):
        plan.settings["PRESSWASH_PROGRESS"] = True
    # options checked before the crawl starts: (how a message names it, its value, its check, its setting)
    checked = ((f"--log-file {args.log_file}", args.log_file, log_file_problem, "LOG_FILE"),
               ("--frontier", args.frontier, frontier_problem, "PRESSWASH_FRONTIER"))
    for label, value, problem_of, setting in checked:
        if value:
            problem = problem_of(value)
            if problem:
                print(f"presswash crawl: {label}: {problem}", file=sys.stderr)
                return EXIT_USAGE
            plan.settings[setting] = value
    for item in args.set:
        name, sep, value = item.partition("=")
        if not sep:
            print(f"presswash crawl: -s takes NAME=VALUE, not {item!r}", file=sys.stderr)
            return EXIT_USAGE
        plan.settings[name] = value
    try:
        stats = run_crawl(plan)
    except ConfigError as exc:  # a setting given with -s that cannot be used
        print(f"presswash crawl: {exc}", file=sys.stderr)
        return EXIT_USAGE
    errors = stats.get("presswash/fetch_errors", 0) + stats.get("presswash/process_errors", 0)
    incomplete = stats.get("finish_reason") != "finished" or stats.get("presswash/frontier_lost")
    if not args.quiet or errors or incomplete or stats.get(STORE_LOST):  # --quiet: the summary only to report errors
        print(summary(stats, rulebook), file=sys.stderr)
    if args.stats:
        print(steps_table(stats, rulebook), file=sys.stderr)
    if stats.get(STORE_LOST):
        print(f"presswash crawl: stopped: the store {store_name(plan.store)} failed ({stats[STORE_LOST]}); "
              "nothing is half written: bring the store back, then run the crawl again to complete the set "
              "(-s PRESSWASH_STORE_RECONNECT=SECONDS waits longer for it)", file=sys.stderr)
        return EXIT_STORE_LOST
    return EXIT_DOC_ERRORS if errors or incomplete else EXIT_OK

def log_file_problem(path: str) -> str | None:
    """Why the log cannot be appended to PATH, or None."""
    if os.path.isdir(path):
        return "is a folder"
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        return f"no folder {folder}"
    if not os.access(path if os.path.exists(path) else folder, os.W_OK):
        return "not writable"
    return None
