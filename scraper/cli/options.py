"""What several commands share: exit codes, the pipeline options and turning them into Options."""

from __future__ import annotations

import argparse
import math
import os

from scraper.core.extraction import MODE_CHOICES
from scraper.core.process import DEFAULT_MAX_BYTES, DEFAULT_TIME_LIMIT, Options

EXIT_OK, EXIT_DOC_ERRORS, EXIT_USAGE = 0, 1, 2
EXIT_STORE_LOST = 3  # `crawl`: the store failed mid-crawl (lost past its reconnect window), so the crawl stopped
EXIT_ALERT = 4  # `health --fail-on-alert`: a host has an alert (docs/health.md)


def add_rule_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--rules", metavar="DIR", action="append", default=[],
                   help="a folder of extra .toml rule packs (repeatable); a pack named like a built-in replaces it")


def add_quiet_options(p: argparse.ArgumentParser) -> None:
    """-q/--quiet and --no-progress, the same on every command that shows progress (scraper/core/progress.py)."""
    p.add_argument("-q", "--quiet", action="store_true",
                   help="print nothing on stderr but errors: no progress, no summary")
    p.add_argument("--no-progress", action="store_true", help="no progress display, even on a terminal")


def show_progress(args: argparse.Namespace) -> bool:
    """Whether the command's progress display is wanted (it still shows only when stderr is a terminal)."""
    return not (args.quiet or args.no_progress)


def add_store_option(p: argparse.ArgumentParser, what: str, default: bool = True) -> None:
    """--store: a file, sqlite:///PATH or postgresql://USER:PASSWORD@HOST:PORT/DATABASE (docs/scaling.md)."""
    fallback = " (default $PRESSWASH_STORE, else ./presswash.db)" if default else ""
    p.add_argument("--store", metavar="PATH|URL",
                   help=f"{what}: an SQLite file or sqlite:///PATH, or postgresql://USER@HOST/DATABASE{fallback}")


def positive_int(value: str) -> int:
    """An argparse type: a whole number of at least 1 (argparse turns the error into a usage message, exit 2)."""
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {value!r}")
    return number


def add_selection_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--select", metavar="ID,…", type=_id_list, default=(),
                   help="run only these rules: ids (GEN011), id prefixes (GEN, DOM) or names, comma-separated")
    p.add_argument("--ignore", metavar="ID,…", type=_id_list, default=(),
                   help="do not run these rules (ids, id prefixes or names, comma-separated)")


def _id_list(value: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in value.split(",") if v.strip())


def add_pipeline_options(p: argparse.ArgumentParser) -> None:
    add_rule_options(p)
    add_selection_options(p)
    p.add_argument("--url", help="the URL the input came from (for a single page or stdin)")
    p.add_argument("--max-size", type=_megabytes, default=DEFAULT_MAX_BYTES / 1e6, metavar="MB",
                   help="refuse documents larger than this many megabytes, 1 MB being 1,000,000 bytes "
                        "(default %(default).0f)")
    p.add_argument("--time-limit", type=float, default=DEFAULT_TIME_LIMIT, metavar="S",
                   help="seconds one document may take before it is stopped and gets an error record "
                        "(default %(default)g; 0: no limit)")
    p.add_argument("--include-comments", action="store_true", help="keep reader comments that trafilatura finds")
    p.add_argument("--mode", choices=MODE_CHOICES, default="auto",
                   help="trafilatura setting: auto (default) runs precision, recall where precision may be "
                        "short, and balanced and the fallback where precision's text looks cut short, keeping "
                        "one text per page "
                        "(docs/quality.md); balanced, precision or recall alone; fast, for bulk archives: "
                        "presswash's own content scorer, and where it is unsure one balanced run without "
                        "trafilatura's comparisons")
    p.add_argument("--keep-headline", action="store_true",
                   help="keep the headline where it also opens the text (it is in the title field either way)")
    p.add_argument("--extensive-dates", action="store_true",
                   help="search the page text for a date when metadata has none (slower; see docs/quality.md)")
    p.add_argument("--no-dom-rules", action="store_true", help="skip the cleaners that run on the page tree")
    p.add_argument("--no-text-rules", action="store_true", help="skip the cleaners that run on the text")
    p.add_argument("--no-content-scorer", action="store_true",
                   help="in --mode fast, let trafilatura extract every page instead of keeping presswash's "
                        "own content scorer's text where it is sure (docs/quality.md)")
    p.add_argument("--no-lead", action="store_true",
                   help="do not put back the article's lead (standfirst) where trafilatura left it out "
                        "(docs/quality.md#the-lead)")
    p.add_argument("--no-detect-language", action="store_true",
                   help="do not identify the language of a page that declares none (language stays null)")


def _megabytes(value: str) -> float:
    """A size in MB: a finite number above 0 (argparse turns the error into a usage message, exit 2)."""
    try:
        size = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of megabytes, not {value!r}") from None
    if not math.isfinite(size) or size <= 0:
        raise argparse.ArgumentTypeError(f"expected a number of megabytes above 0, not {value!r}")
    if size * 1e6 < 1:
        raise argparse.ArgumentTypeError(f"{value!r} MB is less than one byte")
    return size


def rules_dirs(args: argparse.Namespace) -> tuple[str, ...]:
    return tuple(os.path.abspath(d) for d in args.rules)


def options_from_args(args: argparse.Namespace) -> Options:
    return Options(
        max_bytes=int(args.max_size * 1e6),
        include_comments=args.include_comments,
        mode=args.mode,
        keep_headline=args.keep_headline,
        extensive_dates=args.extensive_dates,
        dom_rules=not args.no_dom_rules,
        text_rules=not args.no_text_rules,
        detect_language=not args.no_detect_language,
        content_scorer=not args.no_content_scorer,
        lead=not args.no_lead,
        rules_dirs=rules_dirs(args),
        select=args.select,
        ignore=args.ignore,
        time_limit=max(0.0, args.time_limit),
    )
