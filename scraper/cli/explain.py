"""`presswash explain`: the clean text of a document with each removal shown in place, with its rule."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from typing import TYPE_CHECKING

from cleaners import RuleError
from cleaners.model import CleanResult, Edit

from scraper.cli.clean import open_store
from scraper.cli.options import (EXIT_DOC_ERRORS, EXIT_OK, EXIT_USAGE, add_pipeline_options, add_store_option,
                                 options_from_args)
from scraper.cli.render import DIM, RED, YELLOW, clip, paint
from scraper.core.document import Outcome
from scraper.offline.batch import process_pages
from scraper.offline.sources import iter_pages
from scraper.offline.stories import placements

if TYPE_CHECKING:  # the store (SQLAlchemy) loads when explain runs
    from scraper.store import Store
    from scraper.store.stories import Placement


def add_parser(sub: argparse._SubParsersAction) -> None:
    explain = sub.add_parser("explain", help="show the clean text with each removal and its rule",
                             description="The clean text of each document with every removal and its rule. With "
                                         "several files or --store, also what each duplicates, and why.")
    explain.add_argument("paths", nargs="+", metavar="FILE")
    add_store_option(explain, "also say which of this store's articles each document duplicates (only read)",
                     default=False)
    explain.add_argument("--color", choices=("auto", "always", "never"), default="auto")
    add_pipeline_options(explain)
    explain.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    options = options_from_args(args)
    try:
        options.rule_book()
    except RuleError as exc:
        print(f"presswash explain: {exc}", file=sys.stderr)
        return EXIT_USAGE
    colour = args.color == "always" or (args.color == "auto" and sys.stdout.isatty() and "NO_COLOR" not in os.environ)
    failed = False
    from scraper.store import StoreError

    try:
        against = open_store(args.store)
    except StoreError as exc:
        print(f"presswash explain: {exc}", file=sys.stderr)
        return EXIT_USAGE
    pages = iter_pages(args.paths, url=args.url, limit=options.max_bytes)
    names: dict[str, str] = {}  # the run's articles' ids -> their source, for the placement lines
    with against or contextlib.nullcontext():
        for outcome, placement in placements(process_pages(pages, options, audit=True), against):
            failed |= not outcome.ok
            names[outcome.id] = outcome.url or outcome.source
            print(render_explain(outcome, colour))
            if placement is not None and (against is not None or len(args.paths) > 1):
                print("\n".join(render_placement(outcome.id, placement, names, against)) + "\n")
    return EXIT_DOC_ERRORS if failed else EXIT_OK


def render_placement(article_id: str, placement: Placement, names: dict[str, str],
                     against: Store | None) -> list[str]:
    """What the article duplicates and which story it is in, and why (docs/stories.md)."""
    def name(other: str) -> str:
        where = names.get(other) or (against.article_url(other) if against is not None else None)
        return f"{other} ({where})" if where else other

    lines = []
    if placement.duplicate_of:
        nearest = "" if placement.nearest == placement.duplicate_of else f", through its copy {name(placement.nearest)}"
        lines.append(f"duplicate of: {name(placement.duplicate_of)}: estimated similarity "
                     f"{placement.similarity:.2f}{nearest}")
    else:
        lines.append("duplicate of: - (an original)")
    if placement.quoted:
        via = "it" if placement.quoted == placement.story else name(placement.quoted)
        lines.append(f"story: {name(placement.story)}: shares {placement.shared_quotes} long quote(s) with {via}")
    else:
        lines.append(f"story: {'its own' if placement.story == article_id else name(placement.story)}")
    return lines


def render_explain(outcome: Outcome, colour: bool = False) -> str:
    """The clean text with every removal shown in place: ``-`` a dropped line, ``~`` a stripped prefix,
    ``x`` a block dropped from the page before extraction."""
    out = [f"== {outcome.source}" + (f"  <{outcome.url}>" if outcome.url else "")]
    if not outcome.ok:
        out.append(f"error: {outcome.error}")
        return "\n".join(out)
    dom_edits, cleaned = outcome.audit or ([], None)
    words = sum(len(e.text.split()) for e in dom_edits + (cleaned.edits if cleaned else []))
    out.append(f"title: {outcome.title or '-'}")
    source = outcome.provenance.get("language")
    out.append(f"language: {outcome.language or '-'}" + (f" ({source})" if source else ""))
    out.append(f"packs: {', '.join(outcome.packs) or '-'}")
    out.append(f"removed: {len(outcome.removed)} edits, {words} words; kept {outcome.word_count} words"
               + (f"; flags: {', '.join(outcome.flags)}" if outcome.flags else ""))
    facts = {k: getattr(outcome, k) for k in ("attribution", "comment_count", "images") if getattr(outcome, k)}
    if facts:
        out.append("facts: " + ", ".join(f"{k}={v!r}" for k, v in facts.items()))
    out.append("")
    out.extend(render_block(edit, colour) for edit in dom_edits)
    if cleaned is not None:
        out.extend(render_lines(cleaned, colour))
    return "\n".join(out)


def render_block(edit: Edit, colour: bool = False) -> str:
    """A block dropped from the page tree before extraction, marked ``x``."""
    return paint(f"x [{edit.rule} {edit.name}] {clip(edit.text)}", DIM, colour)


def render_lines(cleaned: CleanResult, colour: bool = False) -> list[str]:
    """Each line of a cleaned text as the engine left it: `-` dropped, `~` a stripped prefix (above the rest
    of its line), two spaces kept. `presswash rules ID` shows its examples the same way."""
    strips: dict[int, list[Edit]] = {}
    for edit in cleaned.edits:
        if edit.action == "strip":
            strips.setdefault(edit.line, []).append(edit)
    out = []
    for line in cleaned.lines:
        for edit in strips.get(line.index, []):
            out.append(paint(f"~ [{edit.rule} {edit.name}] {edit.text}", YELLOW, colour))
        if line.removed_by is not None:
            e = line.removed_by
            detail = f" ({e.detail})" if e.detail else ""  # what a scoring recogniser counted
            out.append(paint(f"- [{e.rule} {e.name}{detail}] {line.text}", RED, colour))
        else:
            out.append(f"  {line.text}")
    return out


