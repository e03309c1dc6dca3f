"""Human-readable views of the rules and of what they did to a document."""

from __future__ import annotations

from typing import Any

from cleaners import Rule, RuleBook
from cleaners.model import CleanResult, Edit

from .document import Outcome

RED, YELLOW, DIM, RESET = "\x1b[31m", "\x1b[33m", "\x1b[2m", "\x1b[0m"


def _paint(text: str, colour: str, colour_on: bool) -> str:
    return f"{colour}{text}{RESET}" if colour_on else text


def _clip(text: str, width: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


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
    out.append(f"packs: {', '.join(outcome.packs) or '-'}")
    out.append(f"removed: {len(outcome.removed)} edits, {words} words; kept {outcome.word_count} words"
               + (f"; flags: {', '.join(outcome.flags)}" if outcome.flags else ""))
    facts = {k: getattr(outcome, k) for k in ("attribution", "comment_count", "images") if getattr(outcome, k)}
    if facts:
        out.append("facts: " + ", ".join(f"{k}={v!r}" for k, v in facts.items()))
    out.append("")
    for edit in dom_edits:
        out.append(_paint(f"x [{edit.rule} {edit.name}] {_clip(edit.text)}", DIM, colour))
    if cleaned is not None:
        out.extend(_render_lines(cleaned, colour))
    return "\n".join(out)


def _render_lines(cleaned: CleanResult, colour: bool) -> list[str]:
    strips: dict[int, list[Edit]] = {}
    for edit in cleaned.edits:
        if edit.action == "strip":
            strips.setdefault(edit.line, []).append(edit)
    out = []
    for line in cleaned.lines:
        for edit in strips.get(line.index, []):
            out.append(_paint(f"~ [{edit.rule} {edit.name}] {edit.text}", YELLOW, colour))
        if line.removed_by is not None:
            e = line.removed_by
            out.append(_paint(f"- [{e.rule} {e.name}] {line.text}", RED, colour))
        else:
            out.append(f"  {line.text}")
    return out


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
        lines.append("  ".join(str(row[i]).ljust(wid[i]) for i in range(4)) + "  " + _clip(row[4], 90))
    lines.append(f"\n{len(rows)} rules in {len(rulebook.packs)} packs; `presswash rules ID` explains one.")
    return "\n".join(lines)
