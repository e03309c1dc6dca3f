"""`presswash mine`: candidate site packs from the lines and blocks that repeat across a site's pages."""

from __future__ import annotations

import argparse
import os
import sys

from cleaners import RuleError
from cleaners.mining import SiteMining, Thresholds

from scraper.cli.options import (EXIT_OK, EXIT_USAGE, add_quiet_options, add_rule_options, add_store_option,
                                 rules_dirs, show_progress)
from scraper.cli.render import clip
from scraper.core.process import Options
from scraper.core.progress import Progress, on_terminal
from scraper.offline.sources import count_documents


def add_parser(sub: argparse._SubParsersAction) -> None:
    mine = sub.add_parser("mine", help="find lines and blocks that repeat across a site's pages: candidate site packs",
                          description="Read many pages of the same sites (saved files, or a crawl store), find the "
                                      "lines and blocks that repeat across each site's pages, and write one "
                                      "candidate site pack per host into -o DIR (see docs/mining.md).")
    mine.add_argument("paths", nargs="*", metavar="PATH", help="saved pages: files and folders, as for clean")
    add_store_option(mine, "read the articles of this crawl store instead of files (with no PATH given: "
                           "$PRESSWASH_STORE, when set)", default=False)
    mine.add_argument("--stored", action="store_true",
                      help="write the packs crawls have mined into --store, instead of mining")
    mine.add_argument("-o", "--output", default="mined", metavar="DIR",
                      help="folder for the candidate packs, one HOST.toml each (default %(default)s)")
    mine.add_argument("--min-pages", type=int, default=Thresholds.min_pages, metavar="N",
                      help="pages a site needs before it is mined (default %(default)s)")
    mine.add_argument("--min-share", type=float, default=Thresholds.min_share, metavar="SHARE",
                      help="a line or block must be on this share of the site's pages (default %(default)s)")
    add_quiet_options(mine)
    add_rule_options(mine)
    mine.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    # The store (SQLAlchemy) loads when mining runs, not whenever the CLI starts (`clean`).
    from scraper.offline import mining
    from scraper.store import STORE_ENV, StoreError, check_store

    problem = None
    if not args.paths and not args.store:
        args.store = os.environ.get(STORE_ENV)
    if bool(args.paths) == bool(args.store):
        problem = "give saved pages (PATH…) or a crawl store (--store), one or the other"
    elif args.stored and not args.store:
        problem = "--stored needs --store"
    elif args.min_pages < 1 or not 0 < args.min_share <= 1:
        problem = "--min-pages must be 1 or more, and --min-share above 0 and at most 1"
    if not problem and args.store:
        try:
            check_store(args.store, read_only=True)
        except StoreError as exc:
            problem = str(exc)
    if problem:
        print(f"presswash mine: {problem}", file=sys.stderr)
        return EXIT_USAGE
    if args.stored:
        written = mining.write_stored_packs(args.store, args.output)
        if not args.quiet:
            print(f"presswash mine: {len(written)} packs mined by crawls written to {args.output}/", file=sys.stderr)
        return EXIT_OK
    shown = on_terminal(show_progress(args))
    try:
        if args.store:
            with Progress("articles read", enabled=shown, tallies=()) as progress:
                reading = mining.read_store(args.store, progress)
        else:
            total = count_documents(args.paths) if shown else None
            with Progress("pages read", total, enabled=shown) as progress:
                reading = mining.read_files(args.paths, Options(rules_dirs=rules_dirs(args)), progress)
        results = mining.mine_reading(reading, Thresholds(min_pages=args.min_pages, min_share=args.min_share))
        written = mining.write_packs(results, args.output)
    except (RuleError, OSError) as exc:
        print(f"presswash mine: {exc}", file=sys.stderr)
        return EXIT_USAGE
    print(summary_table(results))
    if args.quiet:
        return EXIT_OK
    pages = sum(len(s) for s in reading.by_host.values())
    print(f"presswash mine: {pages} pages, {len(results)} hosts, {len(written)} candidate packs written to "
          f"{args.output}/; pages skipped: {reading.failed} without an article, {reading.no_host} without a host",
          file=sys.stderr)
    return EXIT_OK


def summary_table(results: list[SiteMining], top: int = 3, skipped_shown: int = 5) -> str:
    """host, pages, rules, and the top candidates with their page counts. Hosts with too few pages are
    listed last, and only the first few: a folder of many sites has hundreds."""
    mined = [m for m in results if m.skipped is None]
    skipped = [m for m in results if m.skipped is not None]
    width = max([len("host")] + [len(m.host) for m in mined + skipped[:skipped_shown]])
    out = [f"{'host':<{width}}  pages  rules  top candidates"]
    for m in mined:
        head = f"{m.host:<{width}}  {m.pages:>5}  {len(m.candidates):>5}  "
        tops = [f"{c.pages}× " + (f"[{c.target.label()}] " if c.target else "") + clip(c.text, 70)
                for c in m.candidates[:top]] or ["nothing repeats enough"]
        out += [head + tops[0]] + [" " * len(head) + t for t in tops[1:]]
    for m in skipped[:skipped_shown]:
        out.append(f"{m.host:<{width}}  {m.pages:>5}  {'-':>5}  skipped: {m.skipped}")
    if len(skipped) > skipped_shown:
        out.append(f"… and {len(skipped) - skipped_shown} more hosts skipped with too few pages")
    return "\n".join(out)
