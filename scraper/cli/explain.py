"""`presswash explain`: the clean text of a document with each removal shown in place, with its rule."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from cleaners import RuleError
from cleaners.model import CleanResult, Edit, Line

from scraper.cli.clean import open_store
from scraper.cli.options import (EXIT_DOC_ERRORS, EXIT_OK, EXIT_USAGE, add_pipeline_options, add_store_option,
                                 options_from_args)
from scraper.cli.render import DIM, GREEN, RED, YELLOW, clip, paint
from scraper.core.document import Article, Outcome
from scraper.offline.batch import process_pages
from scraper.offline.sources import iter_pages
from scraper.offline.stories import placements
from scraper.sinks.atomic import AtomicFile

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
    explain.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                         help="colour the terminal text (auto: on a terminal, unless NO_COLOR is set)")
    explain.add_argument("--html", action="store_true",
                         help="write one self-contained HTML page instead: the removals struck through in place, "
                              "the rules on hover, the metadata with its sources, the duplicate and story links")
    explain.add_argument("-o", "--output", metavar="FILE",
                         help="write to FILE (atomically) instead of stdout ('-': stdout)")
    add_pipeline_options(explain)
    explain.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    options = options_from_args(args)
    try:
        rulebook = options.rule_book()
    except RuleError as exc:
        print(f"presswash explain: {exc}", file=sys.stderr)
        return EXIT_USAGE
    to_file = args.output not in (None, "-")
    colour = not args.html and (args.color == "always" or (
        args.color == "auto" and not to_file and sys.stdout.isatty() and "NO_COLOR" not in os.environ))
    from scraper.store import StoreError

    try:
        against = open_store(args.store)
    except StoreError as exc:
        print(f"presswash explain: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        output = AtomicFile(args.output) if to_file else None
    except OSError as exc:
        print(f"presswash explain: cannot write the output: {exc}", file=sys.stderr)
        return EXIT_USAGE
    write = output.write if output is not None else sys.stdout.write
    pages = iter_pages(args.paths, url=args.url, limit=options.max_bytes)
    show_placements = against is not None or len(args.paths) > 1
    names: dict[str, str] = {}  # the run's articles' ids -> their source, for the placement lines
    page = None
    if args.html:
        from scraper.cli.explain_html import ExplainPage  # it builds on this module's pieces

        page = ExplainPage(rulebook, against)
    failed = False
    try:
        with output or contextlib.nullcontext(), against or contextlib.nullcontext():
            for outcome, placement in placements(process_pages(pages, options, audit=True), against):
                failed |= not outcome.ok
                if page is not None:
                    page.add(outcome, placement if show_placements else None)
                    continue
                names[outcome.id] = outcome.url or outcome.source
                write(render_explain(outcome, colour) + "\n")
                if placement is not None and show_placements:
                    write("\n".join(render_placement(outcome.id, placement, _text_name(names, against))) + "\n\n")
            if page is not None:
                write(page.render(_page_title(args.paths)))
    except BrokenPipeError:
        raise
    except OSError as exc:  # the output, not a document, failed (disk full): the file is not left half written
        print(f"presswash explain: cannot write the output: {exc}", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_DOC_ERRORS if failed else EXIT_OK


def _page_title(paths: list[str]) -> str:
    return f"presswash explain: {paths[0]}" if len(paths) == 1 else f"presswash explain: {len(paths)} inputs"


def _text_name(names: dict[str, str], against: Store | None) -> Callable[[str], str]:
    """How a terminal placement line names another article: its id, and its source or stored URL."""
    def name(other: str) -> str:
        where = names.get(other) or (against.article_url(other) if against is not None else None)
        return f"{other} ({where})" if where else other
    return name


def render_placement(article_id: str, placement: Placement, name: Callable[[str], str],
                     text: Callable[[str], str] = str) -> list[str]:
    """What the article duplicates and which story it is in, and why (docs/stories.md). ``name`` names
    another article; ``text`` turns the words around the names into the output's form (``escape`` for HTML)."""
    lines = []
    if placement.duplicate_of:
        nearest = "" if placement.nearest == placement.duplicate_of else \
            text(", through its copy ") + name(placement.nearest)
        lines.append(text("duplicate of: ") + name(placement.duplicate_of)
                     + text(f": estimated similarity {placement.similarity:.2f}") + nearest)
    else:
        lines.append(text("duplicate of: - (an original)"))
    if placement.quoted:
        via = text("it") if placement.quoted == placement.story else name(placement.quoted)
        lines.append(text("story: ") + name(placement.story)
                     + text(f": shares {placement.shared_quotes} long quote(s) with ") + via)
    else:
        lines.append(text("story: its own") if placement.story == article_id
                     else text("story: ") + name(placement.story))
    return lines


def removal_summary(outcome: Article) -> str:
    """How much the rules removed and how much was kept, with the record's flags."""
    dom_edits, cleaned, _ = outcome.audit or ([], None, ())
    words = sum(len(e.text.split()) for e in dom_edits + (cleaned.edits if cleaned else []))
    return (f"removed: {len(outcome.removed)} edits, {words} words; kept {outcome.word_count} words"
            + (f"; flags: {', '.join(outcome.flags)}" if outcome.flags else ""))


def harvested(outcome: Article) -> str:
    """The facts the rules kept from the clutter they removed, or ''."""
    facts = {k: getattr(outcome, k) for k in ("attribution", "comment_count", "images") if getattr(outcome, k)}
    return ", ".join(f"{k}={v!r}" for k, v in facts.items())


def render_explain(outcome: Outcome, colour: bool = False) -> str:
    """The clean text with every removal shown in place: ``-`` a dropped line, ``~`` a stripped prefix,
    ``x`` a block dropped from the page before extraction; ``+`` a lead line the lead step put back."""
    out = [f"== {outcome.source}" + (f"  <{outcome.url}>" if outcome.url else "")]
    dom_edits, cleaned, put_in = outcome.audit or ([], None, ())
    if not outcome.ok:  # with the removals when the rules removed everything
        out.append(f"error: {outcome.error}")
        out.extend(render_block(edit, colour) for edit in dom_edits)
        if cleaned is not None:
            out.extend(render_lines(cleaned, colour, put_in))
        return "\n".join(out)
    out.append(f"title: {outcome.title or '-'}")
    source = outcome.provenance.get("language")
    out.append(f"language: {outcome.language or '-'}" + (f" ({source})" if source else ""))
    out.append(f"packs: {', '.join(outcome.packs) or '-'}")
    out.append(removal_summary(outcome))
    facts = harvested(outcome)
    if facts:
        out.append(f"facts: {facts}")
    out.append("")
    out.extend(render_block(edit, colour) for edit in dom_edits)
    if cleaned is not None:
        out.extend(render_lines(cleaned, colour, put_in))
    return "\n".join(out)


def render_block(edit: Edit, colour: bool = False) -> str:
    """A block dropped from the page tree before extraction, marked ``x``."""
    return paint(f"x [{edit.rule} {edit.name}] {clip(edit.text)}", DIM, colour)


def render_lines(cleaned: CleanResult, colour: bool = False, put_in: tuple[str, ...] = ()) -> list[str]:
    """Each line of a cleaned text as the engine left it: `-` dropped, `~` a stripped prefix (above the rest
    of its line), two spaces kept, `+` kept and put in by the lead step (``put_in``: the article's lead, which
    the extractor left out). `presswash rules ID` shows its examples the same way."""
    out = []
    for line, strips in lines_with_strips(cleaned):
        for edit in strips:
            out.append(paint(f"~ [{edit.rule} {edit.name}] {edit.text}", YELLOW, colour))
        if line.removed_by is not None:
            e = line.removed_by
            detail = f" ({e.detail})" if e.detail else ""  # what a scoring recogniser counted
            out.append(paint(f"- [{e.rule} {e.name}{detail}] {line.text}", RED, colour))
        elif line.text in put_in:
            out.append(paint(f"+ [lead: put back, the extractor left it out] {line.text}", GREEN, colour))
        else:
            out.append(f"  {line.text}")
    return out


def lines_with_strips(cleaned: CleanResult) -> Iterator[tuple[Line, list[Edit]]]:
    """Each line of a cleaned text (``removed_by`` says whether a rule dropped it) with the prefixes rules
    stripped from it, in the order stripped."""
    strips: dict[int, list[Edit]] = {}
    for edit in cleaned.edits:
        if edit.action == "strip":
            strips.setdefault(edit.line, []).append(edit)
    for line in cleaned.lines:
        yield line, strips.get(line.index, [])
