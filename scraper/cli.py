"""The `presswash` command: clean | rules | explain | mine | crawl | export | demo | eval."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Sequence

from cleaners import RuleBook, RuleError
from cleaners.mining import Thresholds

from . import __version__
from .batch import BatchStats, process_pages
from .explain import render_explain, render_rule, render_rule_list
from .extraction import MODE_CHOICES
from .process import DEFAULT_MAX_BYTES, DEFAULT_TIME_LIMIT, Options
from .progress import Progress
from .sinks import JsonlSink, TextDirSink
from .sources import count_documents, iter_pages

EXIT_OK, EXIT_DOC_ERRORS, EXIT_USAGE = 0, 1, 2


def _add_rule_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--rules", metavar="DIR", action="append", default=[],
                   help="a folder of extra .toml rule packs (repeatable); a pack named like a built-in replaces it")


def _add_pipeline_options(p: argparse.ArgumentParser) -> None:
    _add_rule_options(p)
    p.add_argument("--url", help="the URL the input came from (for a single page or stdin)")
    p.add_argument("--max-size", type=float, default=DEFAULT_MAX_BYTES / 1e6, metavar="MB",
                   help="refuse documents larger than this many megabytes (default %(default).0f)")
    p.add_argument("--time-limit", type=float, default=DEFAULT_TIME_LIMIT, metavar="S",
                   help="seconds one document may take before it is stopped and gets an error record "
                        "(default %(default)g; 0: no limit)")
    p.add_argument("--include-comments", action="store_true", help="keep reader comments that trafilatura finds")
    p.add_argument("--mode", choices=MODE_CHOICES, default="auto",
                   help="trafilatura setting: auto (default) runs balanced, precision and recall and keeps "
                        "one text per page (docs/quality.md); or one of them alone, about 2.5 times as fast")
    p.add_argument("--keep-headline", action="store_true",
                   help="keep the headline where it also opens the text (it is in the title field either way)")
    p.add_argument("--extensive-dates", action="store_true",
                   help="search the page text for a date when metadata has none (slower; see docs/quality.md)")
    p.add_argument("--no-dom-rules", action="store_true", help="skip the cleaners that run on the page tree")
    p.add_argument("--no-text-rules", action="store_true", help="skip the cleaners that run on the text")


def _options(args: argparse.Namespace) -> Options:
    return Options(
        max_bytes=int(args.max_size * 1e6),
        include_comments=args.include_comments,
        mode=args.mode,
        keep_headline=args.keep_headline,
        extensive_dates=args.extensive_dates,
        dom_rules=not args.no_dom_rules,
        text_rules=not args.no_text_rules,
        rules_dirs=tuple(os.path.abspath(d) for d in args.rules),
        time_limit=max(0.0, args.time_limit),
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="presswash", description="News web pages in, clean text and metadata out.")
    parser.add_argument("--version", action="version", version=f"presswash {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    clean = sub.add_parser("clean", help="clean saved HTML, text and WARC files",
                           description="Clean saved pages: files, folders (recursive), .gz, .txt, .warc[.gz], "
                                       "or - for stdin. One JSON record per document.")
    clean.add_argument("paths", nargs="+", metavar="PATH")
    clean.add_argument("-o", "--output", metavar="OUT",
                       help="output file (jsonl, default stdout) or folder (--format txt)")
    clean.add_argument("--format", choices=("jsonl", "txt"), default="jsonl",
                       help="jsonl: one record per line; txt: one .txt per document in -o DIR plus _index.jsonl")
    clean.add_argument("-j", "--jobs", type=int, default=1, metavar="N",
                       help="worker processes (output keeps the input order); 0 means one per core")
    clean.add_argument("--no-progress", action="store_true", help="no progress line, even on a terminal")
    clean.add_argument("-q", "--quiet", action="store_true", help="no summary on stderr")
    _add_pipeline_options(clean)

    rules = sub.add_parser("rules", help="list the cleaner rules, or explain one")
    rules.add_argument("rule_id", nargs="?", metavar="ID")
    _add_rule_options(rules)

    explain = sub.add_parser("explain", help="show the clean text with each removal and its rule")
    explain.add_argument("path", metavar="FILE")
    explain.add_argument("--color", choices=("auto", "always", "never"), default="auto")
    _add_pipeline_options(explain)

    mine = sub.add_parser("mine", help="find lines and blocks that repeat across a site's pages: candidate site packs",
                          description="Read many pages of the same sites (saved files, or a crawl store), find the "
                                      "lines and blocks that repeat across each site's pages, and write one "
                                      "candidate site pack per host into -o DIR (see docs/mining.md).")
    mine.add_argument("paths", nargs="*", metavar="PATH", help="saved pages: files and folders, as for clean")
    mine.add_argument("--store", metavar="PATH", help="read the articles of a crawl store instead of files")
    mine.add_argument("--stored", action="store_true",
                      help="write the packs crawls have mined into --store, instead of mining")
    mine.add_argument("-o", "--output", default="mined", metavar="DIR",
                      help="folder for the candidate packs, one HOST.toml each (default %(default)s)")
    mine.add_argument("--min-pages", type=int, default=Thresholds.min_pages, metavar="N",
                      help="pages a site needs before it is mined (default %(default)s)")
    mine.add_argument("--min-share", type=float, default=Thresholds.min_share, metavar="SHARE",
                      help="a line or block must be on this share of the site's pages (default %(default)s)")
    _add_rule_options(mine)

    crawl = sub.add_parser("crawl", help="crawl news sites (feeds, sitemaps, site crawls, URL lists) into the store",
                           description="Crawl with Scrapy: every source option can be repeated. New and changed "
                                       "articles go to the store; with -o they are also appended as JSON Lines.")
    crawl.add_argument("--feed", action="append", default=[], metavar="URL", help="an RSS/Atom/JSON feed, or a home page to autodiscover feeds on")
    crawl.add_argument("--sitemap", action="append", default=[], metavar="URL", help="a sitemap, sitemap index or robots.txt")
    crawl.add_argument("--site", action="append", default=[], metavar="URL", help="a start URL: follow in-site links")
    crawl.add_argument("--urls", action="append", default=[], metavar="FILE", help="a file of article URLs, or - for stdin")
    crawl.add_argument("--config", metavar="TOML", help="a crawl config listing sites (see docs/crawling.md)")
    crawl.add_argument("--store", metavar="PATH", help="the SQLite store (default ./presswash.db)")
    crawl.add_argument("-o", "--output", metavar="FILE", help="also append new and changed records to this JSON Lines file")
    crawl.add_argument("--since", metavar="DATE", help="only articles published or modified on or after DATE")
    crawl.add_argument("--max-depth", type=int, default=2, help="link depth of site crawls (default %(default)s)")
    crawl.add_argument("--max-pages", type=int, default=1000, help="pages a site crawl may request (default %(default)s)")
    crawl.add_argument("--refetch-after", type=float, metavar="HOURS",
                       help="re-fetch stored articles older than this, with conditional GET (default 24)")
    crawl.add_argument("--user-agent", help="the User-Agent to send (name your crawler and a contact)")
    crawl.add_argument("-s", "--set", action="append", default=[], metavar="NAME=VALUE", help="any Scrapy setting")
    _add_rule_options(crawl)

    export = sub.add_parser("export", help="write the store's articles as JSON Lines")
    export.add_argument("--store", default="presswash.db", metavar="PATH")
    export.add_argument("-o", "--output", metavar="FILE", help="output file (default stdout), written atomically")
    export.add_argument("--since", metavar="DATE", help="only articles changed on or after DATE (ISO 8601)")

    demo = sub.add_parser("demo", help="serve the bundled fixture news site on loopback and crawl it")
    demo.add_argument("--site-dir", default="fixtures/sites/newsroom", help="the site to serve (default %(default)s)")
    demo.add_argument("--store", default="presswash.db", metavar="PATH")
    demo.add_argument("--port", type=int, default=8765, help="loopback port (default %(default)s)")

    sub.add_parser("eval", help="score the pipeline on a dev set against plain trafilatura", add_help=False)
    return parser


def cmd_clean(args: argparse.Namespace) -> int:
    options = _options(args)
    if args.format == "txt" and not args.output:
        print("presswash clean: --format txt needs -o DIR", file=sys.stderr)
        return EXIT_USAGE
    jobs = args.jobs if args.jobs > 0 else (os.cpu_count() or 1)
    try:
        rulebook = RuleBook.load(options.rules_dirs)  # fail fast, before any work, on a broken pack
        sink = TextDirSink(args.output) if args.format == "txt" else JsonlSink(args.output)
    except (RuleError, OSError) as exc:
        print(f"presswash clean: {exc}", file=sys.stderr)
        return EXIT_USAGE
    stats = BatchStats()
    progress = Progress(total=count_documents(args.paths), enabled=False if args.no_progress else None)
    pages = iter_pages(args.paths, url=args.url, limit=options.max_bytes)
    try:
        with sink:
            for outcome in process_pages(pages, options, jobs):
                sink.write(outcome.to_record())
                stats.add(outcome)
                progress.update(outcome.ok)
    except BrokenPipeError:
        raise
    except OSError as exc:  # the output, not a document, failed (disk full, name too long): stop, no traceback
        progress.close()
        print(f"presswash clean: cannot write the output: {exc}", file=sys.stderr)
        return EXIT_USAGE
    progress.close()
    if not args.quiet:
        print(stats.summary(rulebook), file=sys.stderr)
    return EXIT_DOC_ERRORS if stats.errors else EXIT_OK


def cmd_rules(args: argparse.Namespace) -> int:
    try:
        book = RuleBook.load(args.rules)
    except RuleError as exc:
        print(f"presswash rules: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if not args.rule_id:
        print(render_rule_list(book))
        return EXIT_OK
    rule = book.rule(args.rule_id)
    if rule is None:
        print(f"presswash rules: no rule {args.rule_id!r}; `presswash rules` lists them", file=sys.stderr)
        return EXIT_USAGE
    print(render_rule(rule))
    return EXIT_OK


def cmd_explain(args: argparse.Namespace) -> int:
    options = _options(args)
    try:
        RuleBook.load(options.rules_dirs)
    except RuleError as exc:
        print(f"presswash explain: {exc}", file=sys.stderr)
        return EXIT_USAGE
    colour = args.color == "always" or (args.color == "auto" and sys.stdout.isatty() and "NO_COLOR" not in os.environ)
    failed = False
    pages = iter_pages([args.path], url=args.url, limit=options.max_bytes)
    for outcome in process_pages(pages, options, audit=True):
        failed |= not outcome.ok
        print(render_explain(outcome, colour))
    return EXIT_DOC_ERRORS if failed else EXIT_OK


def cmd_mine(args: argparse.Namespace) -> int:
    from . import mining

    problem = None
    if bool(args.paths) == bool(args.store):
        problem = "give saved pages (PATH…) or a crawl store (--store), one or the other"
    elif args.store and not os.path.exists(args.store):
        problem = f"no store at {args.store}"
    elif args.stored and not args.store:
        problem = "--stored needs --store"
    elif args.min_pages < 1 or not 0 < args.min_share <= 1:
        problem = "--min-pages must be 1 or more, and --min-share above 0 and at most 1"
    if problem:
        print(f"presswash mine: {problem}", file=sys.stderr)
        return EXIT_USAGE
    if args.stored:
        written = mining.write_stored_packs(args.store, args.output)
        print(f"presswash mine: {len(written)} packs mined by crawls written to {args.output}/", file=sys.stderr)
        return EXIT_OK
    try:
        reading = mining.read_store(args.store) if args.store else mining.read_files(
            args.paths, Options(rules_dirs=tuple(os.path.abspath(d) for d in args.rules)))
        results = mining.mine_reading(reading, Thresholds(min_pages=args.min_pages, min_share=args.min_share))
        written = mining.write_packs(results, args.output)
    except (RuleError, OSError) as exc:
        print(f"presswash mine: {exc}", file=sys.stderr)
        return EXIT_USAGE
    print(mining.summary_table(results))
    pages = sum(len(s) for s in reading.by_host.values())
    print(f"presswash mine: {pages} pages, {len(results)} hosts, {len(written)} candidate packs written to "
          f"{args.output}/; pages skipped: {reading.failed} without an article, {reading.no_host} without a host",
          file=sys.stderr)
    return EXIT_OK


def cmd_crawl(args: argparse.Namespace) -> int:
    from spiders.discovery import to_iso

    from .crawl import ConfigError, CrawlPlan, load_config, run_crawl, summary

    plan = CrawlPlan(feeds=args.feed, sitemaps=args.sitemap, sites=args.site, urls=args.urls, since=args.since,
                     output=args.output, rules_dirs=[os.path.abspath(d) for d in args.rules],
                     max_depth=args.max_depth, max_pages=args.max_pages)
    try:
        if args.config:
            plan = load_config(args.config, plan)
        RuleBook.load(plan.rules_dirs)
    except (ConfigError, RuleError) as exc:
        print(f"presswash crawl: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if plan.empty():
        print("presswash crawl: give a source: --feed, --sitemap, --site, --urls or --config", file=sys.stderr)
        return EXIT_USAGE
    if args.store:
        plan.store = args.store
    if args.since:  # the command line wins over the config, as for --store
        plan.since = args.since
    if plan.since and to_iso(plan.since) is None:
        print(f"presswash crawl: --since {plan.since!r} is not a date (use YYYY-MM-DD or ISO 8601)", file=sys.stderr)
        return EXIT_USAGE
    missing = [f for f in plan.urls if f != "-" and not os.path.isfile(f)]
    if missing:
        print(f"presswash crawl: no URL list at {missing[0]}", file=sys.stderr)
        return EXIT_USAGE
    if args.refetch_after is not None:
        plan.settings["PRESSWASH_REFETCH_AFTER"] = args.refetch_after * 3600
    if args.user_agent:
        plan.settings["USER_AGENT"] = args.user_agent
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
    print(summary(stats), file=sys.stderr)
    errors = stats.get("presswash/fetch_errors", 0) + stats.get("presswash/process_errors", 0)
    return EXIT_DOC_ERRORS if errors or stats.get("finish_reason") != "finished" else EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    from spiders.discovery import to_iso

    from .store import Store

    if not os.path.exists(args.store):
        print(f"presswash export: no store at {args.store}", file=sys.stderr)
        return EXIT_USAGE
    since = to_iso(args.since) if args.since else None  # the store's times are UTC ISO 8601
    if args.since and since is None:
        print(f"presswash export: --since {args.since!r} is not a date (use YYYY-MM-DD or ISO 8601)", file=sys.stderr)
        return EXIT_USAGE
    count = 0
    with Store(args.store) as store, JsonlSink(args.output) as sink:
        for record in store.articles(since=since):
            sink.write(record)
            count += 1
    print(f"presswash export: {count} articles", file=sys.stderr)
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    from .demo import run_demo

    return run_demo(args.site_dir, args.store, args.port)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["eval"]:
        from .evaluation import main as eval_main  # its own argument parser
        return eval_main(argv[1:])
    args = build_parser().parse_args(argv)
    handler = {"clean": cmd_clean, "rules": cmd_rules, "explain": cmd_explain, "mine": cmd_mine, "crawl": cmd_crawl,
               "export": cmd_export, "demo": cmd_demo}[args.command]
    try:
        return handler(args)
    except KeyboardInterrupt:
        # The JSON Lines file (or _index.jsonl) is discarded whole; .txt files already written are complete.
        print("presswash: interrupted; the output file was not written", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `presswash clean … | head`
        sys.stderr.close()
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
