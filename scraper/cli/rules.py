"""`presswash rules`: list the cleaner rules, or explain one with its examples."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from cleaners import Rule, RuleBook, RuleError

from scraper.cli.options import EXIT_OK, EXIT_USAGE, add_rule_options
from scraper.cli.render import clip


def add_parser(sub: argparse._SubParsersAction) -> None:
    rules = sub.add_parser("rules", help="list the cleaner rules, or explain one")
    rules.add_argument("rule_id", nargs="?", metavar="ID")
    add_rule_options(rules)
    rules.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
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


def _examples(label: str, examples: tuple) -> list[str]:
    out = []
    for ex in examples:
        text = ex.text.replace("\n", "\n      ")
        title = f" (title: {ex.title!r})" if ex.title else ""
        out.append(f"  {label} {text}{title}")
    return out


def render_rule(rule: Rule) -> str:
    out = [f"{rule.id} {rule.name}  ({rule.kind}, pack {rule.pack})", "", f"  {rule.why}", ""]
    for key, value in rule.describe().items():
        out.append(f"  {key} = {value!r}")
    out.append("")
    out.append("  Removes, for example:")
    out.extend(_examples("  -", rule.remove))
    if rule.keep:
        out.append("  Keeps, for example:")
        out.extend(_examples("  +", rule.keep))
    return "\n".join(out)


def render_rule_list(rulebook: RuleBook) -> str:
    rows: list[tuple[Any, ...]] = [(r.id, r.kind, r.pack, r.name, r.why) for r in rulebook.rules()]
    wid = [max(len(str(row[i])) for row in rows) for i in range(4)] if rows else [0] * 4
    lines = []
    for row in rows:
        lines.append("  ".join(str(row[i]).ljust(wid[i]) for i in range(4)) + "  " + clip(row[4], 90))
    lines.append(f"\n{len(rows)} rules in {len(rulebook.packs)} packs; `presswash rules ID` explains one.")
    return "\n".join(lines)
