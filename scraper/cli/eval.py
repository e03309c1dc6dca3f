"""`presswash eval`: score the pipeline on both dev sets against plain trafilatura (its own argument parser;
the scoring itself is scraper/evaluation/)."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

from cleaners import RuleBook, RuleError
from scraper.evaluation.devset import (
    DEFAULT_DEVSETS,
    TRAFILATURA_EVAL,
    WCXB,
    DevSet,
    default_devset,
    examples_from_devset,
    open_devset,
)
from scraper.evaluation.reports import (
    ablation_table,
    by_rule,
    by_rule_table,
    json_report,
    language_table,
    markdown_table,
    summarise,
)
from scraper.evaluation.runs import ablate_rules, evaluate
from scraper.evaluation.systems import (
    ABLATION_SYSTEMS,
    DEFAULT_SYSTEMS,
    PIPELINE_SYSTEMS,
    SYSTEMS,
)
from scraper.cli.options import add_quiet_options, show_progress
from scraper.core.progress import Progress
from scraper.sinks.atomic import write_atomic


def add_parser(sub: argparse._SubParsersAction) -> None:
    sub.add_parser("eval", help="score the pipeline on both dev sets against plain trafilatura", add_help=False)


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="presswash eval",
        description="Score presswash and plain trafilatura side by side on dev sets, each with its own metric: "
                    "a WCXB dev set (html/ and ground-truth/: bag-of-words F1 per page, averaged, and the "
                    "snippets leaked and kept) and a trafilatura evaluation corpus (evaldata.json and html/: "
                    "with/without snippets found, summed into P, R, F1 and accuracy).",
    )
    ap.add_argument("devsets", nargs="*", metavar="DEVSET",
                    help="dev set folders, each scored with its kind's metric "
                         f"(default: both, {' and '.join(DEFAULT_DEVSETS)})")
    ap.add_argument("--limit", type=int, default=None, metavar="N", help="score only the first N pages of each dev set")
    ap.add_argument("--jobs", "-j", type=int, default=1, metavar="N",
                    help="worker processes (default 1; 0 = one per CPU)")
    ap.add_argument("--json", metavar="FILE", help="write per-page results of every dev set to FILE (JSON)")
    ap.add_argument("--texts", action="store_true", help="with --json: include each system's output text")
    ap.add_argument("--systems", metavar="A,B", default=",".join(DEFAULT_SYSTEMS),
                    help=f"comma-separated systems to score (known: {', '.join(SYSTEMS)})")
    ap.add_argument("--ablation", action="store_true",
                    help="also score presswash with each means left out (extraction modes, fallback, DOM rules, "
                         "text rules, tail-zone rules, headline handling, all rules, language packs, the category "
                         "recognisers, the clutter runs, language detection)")
    ap.add_argument("--min-language-pages", type=int, default=10, metavar="N",
                    help="in the per-language table, languages with fewer pages go into 'other' (default 10; "
                         "0 leaves the table out)")
    ap.add_argument("--by-rule", action="store_true",
                    help="per cleaner rule: words removed and how many of them the ground truth holds "
                         "(WCXB dev sets only: it needs ground-truth text)")
    ap.add_argument("--rule-ablation", action="store_true",
                    help="per rule, rerun the pages where it fired without it and report what it is worth "
                         "(needs the presswash system; WCXB dev sets only; takes about as long again as the "
                         "main run)")
    ap.add_argument("--ablate", metavar="ID,ID", default="",
                    help="with --rule-ablation: rerun only for these rules (a candidate pack, say)")
    ap.add_argument("--rules", action="append", default=[], metavar="DIR",
                    help="extra folder of rule packs for the presswash systems (repeatable); a pack named "
                         "like a built-in one replaces it")
    add_quiet_options(ap)
    return ap


METRIC = {
    WCXB: "WCXB: bag-of-words F1, P and R per page, averaged; leaks and with kept: snippets found, "
          "case-insensitive, over all pages",
    TRAFILATURA_EVAL: "trafilatura evaluation: with snippets found are TP, without snippets found FP, summed "
                      "over pages; whitespace-normalised, case-sensitive",
}


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    systems = [s.strip() for s in args.systems.split(",") if s.strip()]
    if args.ablation:
        systems += [s for s in ABLATION_SYSTEMS if s not in systems]
    unknown = [s for s in systems if s not in SYSTEMS]
    if unknown or not systems:
        print(f"error: unknown system(s) {', '.join(unknown) or '(none given)'}; known: {', '.join(SYSTEMS)}",
              file=sys.stderr)
        return 2
    if args.limit is not None and args.limit < 1:
        print("error: --limit must be at least 1", file=sys.stderr)
        return 2
    if args.min_language_pages < 0:
        print("error: --min-language-pages must be 0 or more", file=sys.stderr)
        return 2
    paths = args.devsets or [default_devset(path) for path in DEFAULT_DEVSETS]
    try:  # every dev set is read before any is scored, so a bad one fails the run at once
        devsets = [open_devset(path, args.limit) for path in paths]
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        book = RuleBook.load(args.rules)  # fail here, once, on a bad pack rather than on every page
    except (RuleError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    jobs = args.jobs if args.jobs > 0 else (os.cpu_count() or 1)
    dom_rules = {r.id for r in book.rules() if r.stage == "dom"}
    pipeline = next((s for s in systems if s in PIPELINE_SYSTEMS), None)
    reports = []
    for number, devset in enumerate(devsets):
        if number:
            print()
        reports.append(_score_devset(devset, systems, pipeline, book, dom_rules, jobs, args))
    if args.json:
        write_atomic(args.json, json.dumps({"devsets": reports}, ensure_ascii=False, indent=1))
    return 0


def _score_devset(devset: DevSet, systems: list[str], pipeline: str | None, book: RuleBook, dom_rules: set[str],
                  jobs: int, args: argparse.Namespace) -> dict:
    """Score one dev set, print its tables, and return what --json keeps of it."""
    pages = devset.pages
    for rule_id, example in examples_from_devset(book, pages):
        print(f"warning: {rule_id} has an example that is dev-set text ({example[:60]!r}); rule examples must "
              "be written for the tests, not taken from the ground truth", file=sys.stderr)

    started = time.perf_counter()
    with Progress(f"pages of {devset.path}", len(pages), show_progress(args), tallies=()) as bar:
        results = evaluate(pages, systems, jobs=jobs, texts=args.texts, rules_dirs=tuple(args.rules),
                           progress=lambda done, total: bar.update(completed=done))
    elapsed = time.perf_counter() - started

    print(f"## {devset.path} ({METRIC[devset.kind]})\n")
    print(markdown_table(summarise(results, systems, devset.kind)))
    print(f"\n{len(pages)} pages from {devset.path}, {len(systems)} systems, {elapsed:.1f} s with {jobs} job(s).")
    if args.min_language_pages:
        print(f"\nBy language (the presswash record's; languages with fewer than {args.min_language_pages} pages "
              "in 'other'). Each cell: F1 (without snippets found).\n")
        print(language_table(results, systems, devset.kind, args.min_language_pages))
    rows = ablation = None
    wcxb_only = devset.kind != WCXB and (args.by_rule or args.rule_ablation)
    if wcxb_only:
        print("\n--by-rule and --rule-ablation need ground-truth text: WCXB dev sets only", file=sys.stderr)
    if args.by_rule and devset.kind == WCXB:
        if pipeline is None:
            print("\n--by-rule needs a presswash system among --systems", file=sys.stderr)
        else:
            rows = by_rule(results, pipeline)
            print(f"\nRemovals by rule ({pipeline}). Ground-truth words: removed words the output lacks and the "
                  "ground truth holds. A hit is a removal of ground-truth text (see rule_damage). F1 gain and "
                  "leaks stopped: estimated by putting the rule's removals back (text rules only).\n")
            print(by_rule_table(rows, dom_rules))
    if args.rule_ablation and devset.kind == WCXB:
        if "presswash" not in systems:
            print("\n--rule-ablation needs the presswash system among --systems", file=sys.stderr)
        else:
            ablation = ablate_rules(pages, results, jobs=jobs, rules_dirs=tuple(args.rules),
                                    only=[r.strip() for r in args.ablate.split(",") if r.strip()])
            print("\nRule ablation (presswash): each rule's pages run again without it.\n")
            print(ablation_table(ablation))
    return json_report(devset.path, devset.kind, systems, results, args.min_language_pages or 10, rows, ablation)
