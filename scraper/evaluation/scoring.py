"""The benchmark's metrics: bag-of-words precision, recall and F1, snippet matching, and what each cleaner rule
did to a page's scores (the package docstring defines them)."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterable

if TYPE_CHECKING:
    from scraper.evaluation.devset import DevPage

_TOKEN = re.compile(r"\w+")
_SPACE = re.compile(r"\s+")


def tokens(text: str | None) -> list[str]:
    """Lowercase ``\\w+`` tokens, the benchmark's tokenisation."""
    return _TOKEN.findall(text.lower()) if text else []


@dataclass(frozen=True, slots=True)
class PRF:
    precision: float
    recall: float
    f1: float
    predicted: int = 0
    true: int = 0
    matched: int = 0


def bow_prf(predicted: str | None, truth: str | None) -> PRF:
    """Bag-of-words precision, recall and F1 of ``predicted`` against ``truth``."""
    pred, gold = Counter(tokens(predicted)), Counter(tokens(truth))
    n_pred, n_true = sum(pred.values()), sum(gold.values())
    matched = sum((pred & gold).values())
    if n_pred == 0 and n_true == 0:
        return PRF(1.0, 1.0, 1.0, 0, 0, 0)
    p = matched / n_pred if n_pred else 0.0
    r = matched / n_true if n_true else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return PRF(p, r, f1, n_pred, n_true, matched)


def snippet_key(text: str | None) -> str:
    """The form snippets and outputs are compared in: whitespace runs collapsed to one space, lower case."""
    if not text:
        return ""
    return _SPACE.sub(" ", text).strip().lower()


def found_snippets(output: str | None, snippets: Iterable[str]) -> list[bool]:
    """For each snippet, whether it occurs in ``output`` (see :func:`snippet_key`). Empty snippets are
    skipped, so the list may be shorter than the input."""
    hay = snippet_key(output)
    out = []
    for s in snippets:
        key = snippet_key(s)
        if key:
            out.append(key in hay)
    return out


def normalise_spaces(text: str | None) -> str:
    """trafilatura's evaluation form: whitespace runs collapsed to one space, case kept."""
    return _SPACE.sub(" ", text).strip() if text else ""


@dataclass(frozen=True, slots=True)
class SnippetCounts:
    """The trafilatura evaluation's confusion counts: a ``with`` snippet found is a true positive (not
    found: a false negative), a ``without`` snippet found a false positive (not found: a true negative)."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    def __add__(self, other: SnippetCounts) -> SnippetCounts:
        return SnippetCounts(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn, self.tn + other.tn)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        return 2 * self.tp / (2 * self.tp + self.fp + self.fn) if self.tp + self.fp + self.fn else 0.0

    @property
    def accuracy(self) -> float:
        total = self.tp + self.fp + self.fn + self.tn
        return (self.tp + self.tn) / total if total else 0.0


def snippet_counts(output: str | None, with_: Iterable[str], without: Iterable[str]) -> SnippetCounts:
    """One page's counts under the trafilatura evaluation's matching: the whitespace-normalised snippet is
    a substring of the whitespace-normalised output, case-sensitive (:func:`normalise_spaces`). Empty
    snippets are skipped (the corpus has none; an empty one would be found in any output)."""
    hay = normalise_spaces(output)
    wanted = [key for key in map(normalise_spaces, with_) if key]
    unwanted = [key for key in map(normalise_spaces, without) if key]
    tp = sum(key in hay for key in wanted)
    fp = sum(key in hay for key in unwanted)
    return SnippetCounts(tp=tp, fp=fp, fn=len(wanted) - tp, tn=len(unwanted) - fp)


def rule_damage(removed: list[dict[str, str]], output: str, page: DevPage) -> dict[str, dict[str, Any]]:
    """Per rule: removals, words removed, how many removed words the ground truth needed, and what the
    rule did to the scores.

    A removed word counts as ground truth when the ground truth holds more of that token than the output
    does (the output lacks it); each missing occurrence is charged once, to the first removal holding it.
    A removal is a ``hit`` (it took ground-truth text) when at least half of its tokens were charged this
    way and its text is in the ground truth: its token sequence occurs there, and for a removal of one or
    two words (a "Home" or a "Sign in", which any text may contain) it is a whole ground-truth paragraph.

    ``f1_gain`` is this page's F1 minus the F1 of the output with the rule's removals put back (appended),
    and ``leaks_stopped`` counts ``without`` snippets found in the put-back text but not in the output. Both
    ignore interplay between rules, and for DOM rules the put-back text may be text the extractor would
    have dropped anyway, so they are estimates.
    """
    gold = tokens(page.main_content)
    gold_seq = f" {' '.join(gold)} "
    gold_paras = {" ".join(tokens(para)) for para in page.main_content.splitlines()}
    deficit = Counter(gold)
    deficit.subtract(Counter(tokens(output)))
    deficit = +deficit  # keep positive counts only
    stats: dict[str, dict[str, Any]] = {}
    texts: dict[str, list[str]] = {}
    for edit in removed:
        rule = edit.get("rule", "?")
        toks = tokens(edit.get("text", ""))
        charged = 0
        for t in toks:
            if deficit[t] > 0:
                deficit[t] -= 1
                charged += 1
        s = stats.setdefault(rule, {"removals": 0, "words": 0, "gt_words": 0, "hits": 0})
        s["removals"] += 1
        s["words"] += len(toks)
        s["gt_words"] += charged
        if toks and charged * 2 >= len(toks):
            seq = " ".join(toks)
            if seq in gold_paras or (len(toks) > 2 and f" {seq} " in gold_seq):
                s["hits"] += 1
        texts.setdefault(rule, []).append(edit.get("text", ""))
    if stats:
        f1 = bow_prf(output, page.main_content).f1
        leaked = sum(found_snippets(output, page.without))
        for rule, parts in texts.items():
            restored = "\n".join([output, *parts])
            stats[rule]["f1_gain"] = f1 - bow_prf(restored, page.main_content).f1
            stats[rule]["leaks_stopped"] = sum(found_snippets(restored, page.without)) - leaked
    return stats
