"""`presswash export`: the store's articles as JSON Lines."""

from __future__ import annotations

import argparse
import sys

from scraper.cli.options import EXIT_OK, EXIT_USAGE, add_store_option
from scraper.sinks import OutputError, open_sink, output_needed
from scraper.core.dates import parse_since


def add_parser(sub: argparse._SubParsersAction) -> None:
    export = sub.add_parser("export", help="write the store's articles as JSON Lines or Parquet")
    add_store_option(export, "the store to export")
    export.add_argument("-o", "--output", metavar="FILE", help="output file (default stdout), written atomically")
    export.add_argument("--format", choices=("jsonl", "parquet"), default="jsonl",
                        help="jsonl: one record per line; parquet: one Parquet file, -o FILE (docs/record.md)")
    export.add_argument("--since", metavar="DATE", help="only articles changed on or after DATE (ISO 8601)")
    export.add_argument("--unique", action="store_true",
                        help="leave out near-duplicates: the articles whose duplicate_of names an original (docs/stories.md)")
    export.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from scraper.store import Store, StoreError, store_target  # loads SQLAlchemy: only when an export runs

    try:
        since = parse_since(args.since)  # the store's times are UTC ISO 8601
    except ValueError as exc:
        print(f"presswash export: {exc}", file=sys.stderr)
        return EXIT_USAGE
    missing = output_needed(args.format, args.output)
    if missing:
        print(f"presswash export: {missing}", file=sys.stderr)
        return EXIT_USAGE
    count = 0
    try:
        # Read-only: exporting never changes the store, nor a file that turns out not to be one.
        with Store(store_target(args.store), read_only=True) as store:
            with open_sink(args.format, args.output, store_columns=True) as sink:
                if args.unique and store.version() < 3:
                    print(f"presswash export: {store.where} was stored before near-duplicates were recorded: "
                          "no article is marked as a copy, so --unique leaves none out", file=sys.stderr)
                for record in store.articles(since=since, unique=args.unique):
                    sink.write(record)
                    count += 1
    except StoreError as exc:
        print(f"presswash export: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        raise
    except (OSError, OutputError) as exc:  # the output cannot be written (no such folder, disk full, permissions)
        print(f"presswash export: cannot write the output: {exc}", file=sys.stderr)
        return EXIT_USAGE
    print(f"presswash export: {count} articles", file=sys.stderr)
    return EXIT_OK
