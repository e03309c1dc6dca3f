"""`presswash rules`: list the cleaner rules, explain one with its examples as the engine treats them, or
check every example of the packs in a folder (--check)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from cleaners import Rule, RuleBook, RuleError
from cleaners.examples import ExampleRun, check_rules, example_runs
from cleaners.packs import Pack, load_pack_folder

from scraper.cli.explain import render_block, render_lines
from scraper.cli.options import EXIT_DOC_ERRORS, EXIT_OK, EXIT_USAGE, add_rule_options
from scraper.cli.render import clip

EXIT_EXAMPLES_FAIL = EXIT_DOC_ERRORS  # 1: an example does not do what it says


def add_parser(sub: argparse._SubParsersAction) -> None:
    rules = sub.add_parser("rules", help="list the cleaner rules, explain one, or check the examples of packs")
    rules.add_argument("rule_id", nargs="?", metavar="ID")
    rules.add_argument("--check", metavar="DIR", action="append", default=[],
                       help="run every example of the packs in DIR (repeatable); exit 1 when one fails, "
                            "2 when a pack does not load")
    add_rule_options(rules)
    rules.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.check:
        if args.rule_id:
            print("presswash rules: give either an ID or --check DIR, not both", file=sys.stderr)
            return EXIT_USAGE
        return check(args.check, args.rules)
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


def check(folders: list[str], rules_dirs: list[str] | tuple[str, ...] = ()) -> int:
    """Load the packs in ``folders`` with the built-in ones (and those of ``rules_dirs``), as --rules does,
    then run every example of the packs in ``folders`` and print each failure."""
    try:
        checked = [pack for folder in folders for pack in _packs_in(folder)]
        RuleBook.load([*rules_dirs, *folders], check=False)  # loads together: no id or prefix used twice
    except RuleError as exc:
        print(f"presswash rules: {exc}", file=sys.stderr)
        return EXIT_USAGE
    failures = 0
    examples = 0
    for pack in checked:
        examples += sum(len(r.remove) + len(r.keep) for r in pack.rules)
        for failure in check_rules(pack.rules):
            failures += 1
            print(f"{pack.origin}: rule {failure}")
    rules = sum(len(p.rules) for p in checked)
    summary = f"{examples} examples of {rules} rules in {len(checked)} packs"
    if failures:
        print(f"{failures} of {summary} failed", file=sys.stderr)
        return EXIT_EXAMPLES_FAIL
    print(f"{summary}: all pass")
    return EXIT_OK


def _packs_in(folder: str) -> list[Pack]:
    packs = load_pack_folder(Path(folder))
    if not packs:
        raise RuleError(f"{folder}: no .toml packs to check")
    return packs


def _render_run(run: ExampleRun) -> list[str]:
    """One example as the engine treats it, with explain's markers, indented under its heading."""
    out = []
    if run.example.title:
        out.append(f"(title: {run.example.title!r})")
    if run.cleaned is not None:
        out.extend(render_lines(run.cleaned))
    else:  # a drop-block example: the HTML fragment, the blocks dropped and the text left
        out.append(f"html: {clip(run.example.text)}")
        out.extend(render_block(edit) for edit in run.blocks or [])
        if run.fragment_text:
            out.append(f"  {clip(run.fragment_text)}")
    if run.problem:
        out.append(f"! this example fails: {run.problem}")
    return ["    " + line for line in out]


def render_rule(rule: Rule) -> str:
    out = [f"{rule.id} {rule.name}  ({rule.kind}, pack {rule.pack})", "", f"  {rule.why}", ""]
    for key, value in rule.describe().items():
        out.append(f"  {key} = {value!r}")
    runs = list(example_runs(rule))
    for kind, heading in (("remove", "Removes, for example:"), ("keep", "Keeps, for example:")):
        chosen = [r for r in runs if r.kind == kind]
        if not chosen:
            continue
        out += ["", f"  {heading}"]
        for i, example_run in enumerate(chosen):
            if i:
                out.append("")
            out.extend(_render_run(example_run))
    return "\n".join(out)


def render_rule_list(rulebook: RuleBook) -> str:
    rows: list[tuple[Any, ...]] = [(r.id, r.kind, r.pack, r.name, r.why) for r in rulebook.rules()]
    wid = [max(len(str(row[i])) for row in rows) for i in range(4)] if rows else [0] * 4
    lines = []
    for row in rows:
        lines.append("  ".join(str(row[i]).ljust(wid[i]) for i in range(4)) + "  " + clip(row[4], 90))
    lines.append(f"\n{len(rows)} rules in {len(rulebook.packs)} packs; `presswash rules ID` explains one.")
    return "\n".join(lines)
