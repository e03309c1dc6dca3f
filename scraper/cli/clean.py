"""`presswash clean`: saved HTML, text and WARC files in, one record per document out."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from typing import TYPE_CHECKING

from cleaners import RuleError

from scraper.cli.options import (EXIT_DOC_ERRORS, EXIT_OK, EXIT_USAGE, add_pipeline_options, add_quiet_options,
                                 add_store_option, options_from_args, show_progress)
from scraper.offline.batch import BatchStats, process_pages
from scraper.core.progress import Progress, on_terminal
from scraper.offline.sources import count_documents, iter_pages
from scraper.offline.stories import placed

if TYPE_CHECKING:
    from scraper.store import Store
from scraper.sinks import FORMATS, OutputError, open_sink, output_needed


def add_parser(sub: argparse._SubParsersAction) -> None:
    clean = sub.add_parser("clean", help="clean saved HTML, text and WARC files",
                           description="Clean saved pages: files, folders (recursive), .gz, .txt, .warc[.gz], "
                                       "or - for stdin. One JSON record per document.")
    clean.add_argument("paths", nargs="+", metavar="PATH")
    clean.add_argument("-o", "--output", metavar="OUT",
                       help="output file (jsonl, default stdout; parquet) or folder (--format txt)")
    clean.add_argument("--format", choices=FORMATS, default="jsonl",
                       help="jsonl: one record per line; txt: one .txt per document in -o DIR plus _index.jsonl; "
                            "parquet: one Parquet file, -o FILE (docs/record.md)")
    clean.add_argument("-j", "--jobs", type=int, default=1, metavar="N",
                       help="worker processes (output keeps the input order); 0 means one per core")
    add_quiet_options(clean)
    clean.add_argument("--stats", action="store_true",
                       help="after the summary, print each step's share of the time, ms per page, and the rules that fired")
    add_store_option(clean, "also mark near-duplicates and stories of the articles in this store (only read; "
                            "docs/stories.md)", default=False)
    add_pipeline_options(clean)
    clean.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    options = options_from_args(args)
    missing = output_needed(args.format, args.output)
    if missing:
        print(f"presswash clean: {missing}", file=sys.stderr)
        return EXIT_USAGE
    overlap = output_among_inputs(args.paths, args.output, args.format)
    if overlap:
        print(f"presswash clean: {overlap}", file=sys.stderr)
        return EXIT_USAGE
    jobs = args.jobs if args.jobs > 0 else (os.cpu_count() or 1)
    try:
        rulebook = options.rule_names()  # fails fast, before any work, on a broken --rules pack or a bad --select
        sink = open_sink(args.format, args.output)
    except (RuleError, OSError) as exc:
        print(f"presswash clean: {exc}", file=sys.stderr)
        return EXIT_USAGE
    from scraper.store import StoreError  # SQLAlchemy: loaded when clean runs, not whenever the CLI starts

    try:
        against = open_store(args.store)
    except StoreError as exc:
        print(f"presswash clean: {exc}", file=sys.stderr)
        return EXIT_USAGE
    stats = BatchStats()
    # The output (a file, or a folder with its _index.jsonl) is never read back in, as it would be on the
    # next run when it sits inside an input folder.
    skip = [args.output] if args.output and args.output != "-" else []
    # No bar where the records go to the same terminal: they would be written through it.
    records_shown = args.format == "jsonl" and args.output in (None, "-") and sys.stdout.isatty()
    shown = on_terminal(show_progress(args) and not records_shown)  # counting the inputs first is for the bar alone
    total = count_documents(args.paths, skip) if shown else None
    pages = iter_pages(args.paths, url=args.url, limit=options.max_bytes, skip=skip)
    try:
        with sink, against or contextlib.nullcontext(), Progress("docs", total, shown) as progress:
            for outcome in placed(process_pages(pages, options, jobs), against):
                sink.write(outcome.to_record())
                stats.add(outcome)
                progress.advance(errors=stats.errors)
    except BrokenPipeError:
        raise
    except (OSError, OutputError) as exc:  # the output, not a document, failed (disk full, name too long): stop
        print(f"presswash clean: cannot write the output: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if not args.quiet:
        print(stats.summary(rulebook), file=sys.stderr)
    elif stats.errors:  # --quiet keeps the errors
        print(stats.summary(rulebook, errors_only=True), file=sys.stderr)
    if args.stats:
        print(stats.steps.table(rulebook), file=sys.stderr)
    return EXIT_DOC_ERRORS if stats.errors else EXIT_OK


def open_store(target: str | None) -> Store | None:
    """The store whose articles clean's run is compared with (--store), read-only; None without one. A store
    whose signatures an older presswash made (schema versions 3 and 4) cannot be compared with: StoreError
    saying what to run."""
    from scraper.store import Store, StoreError
    from scraper.store.schema import SIGNATURES_VERSION

    if not target:
        return None
    store = Store(target, read_only=True)
    version = store.version()
    if 3 <= version < SIGNATURES_VERSION:
        store.close()
        raise StoreError(f"{store.where} holds near-duplicate signatures made by an older presswash (schema version "
                         f"{version}), which this one cannot compare with its own: `presswash upgrade --store` with "
                         "this store makes them again in place (about a millisecond of CPU an article)")
    return store


def output_among_inputs(paths: list[str], output: str | None, fmt: str) -> str | None:
    """Why the output cannot go where it was asked to: it is an input named on the command line, or (a
    folder for --format txt) it is or holds an input folder, so skipping it would skip the inputs too.
    An output inside an input folder is fine: the walk passes over it."""
    if not output or output == "-":
        return None
    out = os.path.realpath(output)
    for given in paths:
        if given == "-":
            continue
        real = os.path.realpath(given)
        if real == out or real.startswith(out.rstrip(os.sep) + os.sep):
            what = "is an input" if real == out else f"holds the input {given}"
            return f"the output {output} {what}; write the output somewhere else"
    return None
