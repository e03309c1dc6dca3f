"""Named steps with stats: where a run's time goes, step by step, and which rules fired.

The Processor times each named step of a page (``StepStats.step``) and hands the page's stats back with its
outcome (``Article.steps``, ``Failure.steps``; not part of the record). A run merges them (``StepStats.add``):
`presswash clean --stats` and `presswash crawl --stats` print ``table()``, and a crawl stores ``to_dict()``
with its run.
"""

from __future__ import annotations

import collections
import contextlib
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

# The steps, in the order a page goes through them. "other" is the rest of the Processor's time for the page
# (choosing a mode, building the Article): the steps add up to the whole.
STEPS = (
    "check",          # read errors, empty, size, binary bytes; sniffing HTML from text
    "decode",         # bytes to text (scraper/core/decoding.py)
    "parse",          # HTML to a tree, once per page
    "mining",         # site-pack mining's blocks and sample (only when asked for)
    "signals",        # canonical URL, declared language, date modified, read before anything edits the tree
    "metadata",       # title, author, dates… (scraper/core/page_metadata.py), from the page as it came
    "plan",           # --mode auto and fast: the page's paragraph and body words, which further runs a page gets
    "content",        # --mode fast: presswash's own content scorer, kept where it is sure
    "prune",          # code and drawings out of <body>, once, before the DOM cleaners and trafilatura
    "dom-rules",      # the DOM cleaners
    "lead",           # the article's lead blocks, put back in a text that lacks them (scraper/core/lead.py)
    "extract",        # trafilatura, first mode (precision in --mode auto)
    "extract-modes",  # trafilatura, the other runs of --mode auto (recall, balanced) or fast, where needed, text only
    "language",       # identifying the language of a page that declares none (scraper/core/language.py)
    "text-rules",     # the text cleaners, on every mode's text
    "fallback",       # trafilatura's baseline extractor, and whether its text wins
    "fingerprint",    # the clean text's MinHash, LSH band keys and long quotes (scraper/core/fingerprint.py)
    "other",
)


@dataclass(slots=True)
class StepStats:
    """Per step: seconds spent, pages it ran on, and named counts; plus the documents seen and the rules
    that fired in their records. One page's stats, or a run's once merged; picklable."""

    documents: int = 0
    seconds: dict[str, float] = field(default_factory=dict)
    pages: dict[str, int] = field(default_factory=dict)
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    rules: collections.Counter = field(default_factory=collections.Counter)

    # One page ---------------------------------------------------------------------------------------

    @contextlib.contextmanager
    def step(self, name: str) -> Iterator[None]:
        """Time a step of this page (also when it raises)."""
        start = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - start
            self.pages[name] = 1  # a step that runs several times on a page (text-rules) counts the page once

    def count(self, step: str, what: str, n: int = 1) -> None:
        counts = self.counts.setdefault(step, {})
        counts[what] = counts.get(what, 0) + n

    def finish_page(self, whole: float) -> None:
        """Close one page's stats: ``whole`` is the Processor's time for it; the untimed rest is "other"."""
        self.documents = 1
        self.seconds["other"] = max(0.0, whole - sum(self.seconds.values()))
        self.pages["other"] = 1

    # A run ------------------------------------------------------------------------------------------

    def add(self, outcome: Any) -> None:
        """Merge a page's outcome: its step stats (none for a page whose worker was killed or died) and,
        for an article, the rules its record says removed something."""
        if getattr(outcome, "steps", None) is not None:
            self.merge(outcome.steps)
        if outcome.ok:
            self.rules.update(r["rule"] for r in outcome.removed)

    def merge(self, other: StepStats) -> None:
        self.documents += other.documents
        for name, seconds in other.seconds.items():
            self.seconds[name] = self.seconds.get(name, 0.0) + seconds
        for name, pages in other.pages.items():
            self.pages[name] = self.pages.get(name, 0) + pages
        for name, counts in other.counts.items():
            for what, n in counts.items():
                self.count(name, what, n)
        self.rules.update(other.rules)

    @property
    def total_seconds(self) -> float:
        return sum(self.seconds.values())

    def to_dict(self) -> dict[str, Any]:
        """For the store's ``runs.stats`` (JSON); ``from_dict`` reads it back."""
        return {"documents": self.documents,
                "steps": {name: {"seconds": round(self.seconds[name], 6), "pages": self.pages.get(name, 0),
                                 **({"counts": self.counts[name]} if self.counts.get(name) else {})}
                          for name in ordered(self.seconds)},
                "rules": dict(self.rules.most_common())}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> StepStats:
        stats = cls(documents=data.get("documents", 0), rules=collections.Counter(data.get("rules", {})))
        for name, step in data.get("steps", {}).items():
            stats.seconds[name] = step.get("seconds", 0.0)
            stats.pages[name] = step.get("pages", 0)
            if step.get("counts"):
                stats.counts[name] = dict(step["counts"])
        return stats

    def table(self, rulebook: Any = None, top: int = 10) -> str:
        """The steps' share of the time, milliseconds per page (over all pages) and the pages each ran on,
        then the rules that fired most."""
        total = self.total_seconds
        per_page = max(self.documents, 1)
        lines = [f"{'step':14} {'time':>7} {'ms/page':>9} {'pages':>7}  counts"]
        for name in ordered(self.seconds):
            seconds = self.seconds[name]
            share = 100 * seconds / total if total > 0 else 0.0
            counts = ", ".join(f"{what} {n}" for what, n in sorted(self.counts.get(name, {}).items()))
            lines.append(f"{name:14} {share:6.1f}% {1000 * seconds / per_page:9.2f} {self.pages.get(name, 0):7d}"
                         + (f"  {counts}" if counts else ""))
        lines.append(f"{'total':14} {100.0 if total > 0 else 0.0:6.1f}% {1000 * total / per_page:9.2f} "
                     f"{self.documents:7d}")
        fired = rules_fired(self.rules, rulebook, top)
        if fired:
            lines.append(f"rules fired ({len(self.rules)} rules, {sum(self.rules.values())} removals; top {len(fired)}):")
            lines += [f"  {label:40} {n:7d}" for label, n in fired]
        return "\n".join(lines)


def ordered(names: Iterator[str] | Mapping[str, Any]) -> list[str]:
    """Step names in flow order; a name STEPS does not know goes last."""
    rank = {name: i for i, name in enumerate(STEPS)}
    return sorted(names, key=lambda name: (rank.get(name, len(STEPS)), name))


def rules_fired(rules: Mapping[str, int], rulebook: Any = None, top: int = 5) -> list[tuple[str, int]]:
    """The rules that removed most, as ("ID name", count), most first; the name comes from ``rulebook``."""
    def label(rule_id: str) -> str:
        rule = rulebook.rule(rule_id) if rulebook else None
        return f"{rule_id} {rule.name}" if rule else rule_id
    ranked = sorted(rules.items(), key=lambda item: -item[1])  # stable: ties keep the order they came in
    return [(label(rule_id), n) for rule_id, n in ranked[:top]]


def rules_fired_line(rules: Mapping[str, int], rulebook: Any = None, top: int = 5) -> str | None:
    """The summary's "rules fired most" line, or None when no rule fired."""
    fired = rules_fired(rules, rulebook, top)
    if not fired:
        return None
    return "  rules fired most: " + ", ".join(f"{label} ×{n}" for label, n in fired)
