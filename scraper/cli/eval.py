"""`presswash eval`: score the pipeline on a dev set against plain trafilatura (its own argument parser; the
scoring itself is scraper/evaluation/)."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

from cleaners import RuleBook, RuleError

from scraper.evaluation.devset import DEFAULT_DEVSET, default_devset, examples_from_devset, load_devset
from scraper.evaluation.reports import (
    ablation_table,
    by_rule,
    by_rule_table,
    json_report,
    markdown_table,
    summarise,
)
from scraper.evaluation.runs import ablate_rules, evaluate
from scraper.evaluation.systems import ABLATION_SYSTEMS, DEFAULT_SYSTEMS, PIPELINE_SYSTEMS, SYSTEMS
from scraper.sinks.atomic import write_atomic


def add_parser(sub: argparse._SubParsersAction) -> None:
    sub.add_parser("eval", help="score the pipeline on a dev set against plain trafilatura", add_help=False)


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="presswash eval",
        description="Score presswash and plain trafilatura side by side on a WCXB-style dev set.",
    )
    ap.add_argument("devset", nargs="?", default=DEFAULT_DEVSET,
                    help=f"dev set folder with html/ and ground-truth/ (default: {DEFAULT_DEVSET})")
    ap.add_argument("--limit", type=int, default=None, metavar="N", help="score only the first N pages")
    ap.add_argument("--jobs", "-j", type=int, default=1, metavar="N",
                    help="worker processes (default 1; 0 = one per CPU)")
    ap.add_argument("--json", metavar="FILE", help="write per-page results to FILE (JSON)")
    ap.add_argument("--texts", action="store_true", help="with --json: include each system's output text")
    ap.add_argument("--systems", metavar="A,B", default=",".join(DEFAULT_SYSTEMS),
                    help=f"comma-separated systems to score (known: {', '.join(SYSTEMS)})")
    ap.add_argument("--ablation", action="store_true",
                    help="also score presswash without DOM rules, without text rules, and without both")
    ap.add_argument("--by-rule", action="store_true",
                    help="per cleaner rule: words removed and how many of them the ground truth holds")
    ap.add_argument("--rule-ablation", action="store_true",
                    help="per rule, rerun the pages where it fired without it and report what it is worth "
                         "(needs the presswash system; takes about as long again as the main run)")
    ap.add_argument("--ablate", metavar="ID,ID", default="",
                    help="with --rule-ablation: rerun only for these rules (a candidate pack, say)")
    ap.add_argument("--rules", action="append", default=[], metavar="DIR",
                    help="extra folder of rule packs for the presswash systems (repeatable); a pack named "
                         "like a built-in one replaces it")
    ap.add_argument("--quiet", "-q", action="store_true", help="no progress on stderr")
    return ap


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
    if args.devset == DEFAULT_DEVSET:
        args.devset = default_devset()
    try:
        pages = load_devset(args.devset, args.limit)
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if not pages:
        print(f"error: {args.devset}: no pages with both html and ground truth", file=sys.stderr)
        return 2
    jobs = args.jobs if args.jobs > 0 else (os.cpu_count() or 1)

    def progress(done: int, total: int) -> None:
        if done == total or done % 50 == 0:
            print(f"\r{done}/{total} pages", end="\n" if done == total else "", file=sys.stderr, flush=True)

    started = time.perf_counter()
    try:
        book = RuleBook.load(args.rules)  # fail here, once, on a bad pack rather than on every page
    except (RuleError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for rule_id, example in examples_from_devset(book, pages):
        print(f"warning: {rule_id} has an example that is dev-set text ({example[:60]!r}); rule examples must "
              "be written for the tests, not taken from the ground truth", file=sys.stderr)
    dom_rules = {r.id for r in book.rules() if r.stage == "dom"}
    results = evaluate(pages, systems, jobs=jobs, texts=args.texts, rules_dirs=tuple(args.rules),
                       progress=None if args.quiet else progress)
    elapsed = time.perf_counter() - started

    print(markdown_table(summarise(results, systems)))
    print(f"\n{len(pages)} pages from {args.devset}, {len(systems)} systems, {elapsed:.1f} s with {jobs} job(s).")
    pipeline = next((s for s in systems if s in PIPELINE_SYSTEMS), None)
    if args.by_rule:
        if pipeline is None:
            print("\n--by-rule needs a presswash system among --systems", file=sys.stderr)
        else:
            print(f"\nRemovals by rule ({pipeline}). Ground-truth words: removed words the output lacks and the "
                  "ground truth holds. A hit is a removal of ground-truth text (see rule_damage). F1 gain and "
                  "leaks stopped: estimated by putting the rule's removals back (text rules only).\n")
            print(by_rule_table(by_rule(results, pipeline), dom_rules))
    ablation = None
    if args.rule_ablation:
        if "presswash" not in systems:
            print("\n--rule-ablation needs the presswash system among --systems", file=sys.stderr)
        else:
            ablation = ablate_rules(pages, results, jobs=jobs, rules_dirs=tuple(args.rules),
                                    only=[r.strip() for r in args.ablate.split(",") if r.strip()])
            print("\nRule ablation (presswash): each rule's pages run again without it.\n")
            print(ablation_table(ablation))
    if args.json:
        rows = by_rule(results, pipeline or "presswash") if args.by_rule else None
        payload = json_report(str(args.devset), systems, results, rows, ablation)
        write_atomic(args.json, json.dumps(payload, ensure_ascii=False, indent=1))
    return 0

