"""The `presswash` command: clean | rules | explain | eval."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Sequence

from cleaners import RuleBook, RuleError

from . import __version__
from .batch import BatchStats, process_pages
from .explain import render_explain, render_rule, render_rule_list
from .process import DEFAULT_MAX_BYTES, Options, Processor
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
    p.add_argument("--include-comments", action="store_true", help="keep reader comments that trafilatura finds")
    p.add_argument("--precision", action="store_true", help="trafilatura's favor_precision mode")
    p.add_argument("--no-dom-rules", action="store_true", help="skip the cleaners that run on the page tree")
    p.add_argument("--no-text-rules", action="store_true", help="skip the cleaners that run on the text")


def _options(args: argparse.Namespace) -> Options:
    return Options(
        max_bytes=int(args.max_size * 1e6),
        include_comments=args.include_comments,
        favor_precision=args.precision,
        dom_rules=not args.no_dom_rules,
        text_rules=not args.no_text_rules,
        rules_dirs=tuple(os.path.abspath(d) for d in args.rules),
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

    sub.add_parser("eval", help="score the pipeline on a dev set against plain trafilatura", add_help=False)
    return parser


def cmd_clean(args: argparse.Namespace) -> int:
    options = _options(args)
    if args.format == "txt" and not args.output:
        print("presswash clean: --format txt needs -o DIR", file=sys.stderr)
        return EXIT_USAGE
    jobs = args.jobs if args.jobs > 0 else (os.cpu_count() or 1)
    try:
        RuleBook.load(options.rules_dirs)  # fail fast, before any work, on a broken pack
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
        print(stats.summary(RuleBook.load(options.rules_dirs)), file=sys.stderr)
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
        processor = Processor(options)
    except RuleError as exc:
        print(f"presswash explain: {exc}", file=sys.stderr)
        return EXIT_USAGE
    colour = args.color == "always" or (args.color == "auto" and sys.stdout.isatty() and "NO_COLOR" not in os.environ)
    failed = False
    for page in iter_pages([args.path], url=args.url, limit=options.max_bytes):
        outcome = processor(page)
        failed |= not outcome.ok
        print(render_explain(outcome, colour))
    return EXIT_DOC_ERRORS if failed else EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["eval"]:
        from .evaluation import main as eval_main  # its own argument parser
        return eval_main(argv[1:])
    args = build_parser().parse_args(argv)
    handler = {"clean": cmd_clean, "rules": cmd_rules, "explain": cmd_explain}[args.command]
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
