"""Run rule packs over a document. Pure: text or a tree in, clean text and an audit trail out."""

from __future__ import annotations

import re
from typing import Any, Iterable

from .literals import any_match_check
from .model import CleanResult, Edit, Line
from .packs import Pack, RuleBook
from .rules import KIND_ORDER, CleaningContext, DropBlock, Rule, marked_elements, word_count

# Share of the words the rules may remove before the document is flagged for a person to look at.
LARGE_REMOVAL_SHARE = 0.5


def split_lines(text: str) -> list[Line]:
    """Lines with surrounding whitespace trimmed; whitespace-only lines go (they carry no text)."""
    out = []
    for raw in text.splitlines():
        stripped = raw.strip()
        if stripped:
            out.append(Line(index=len(out), text=stripped))
    return out


def join_lines(lines: Iterable[Line], paragraph_gap: str = "\n") -> str:
    return paragraph_gap.join(ln.text for ln in lines if ln.kept)


def _ordered_text_rules(packs: list[Pack]) -> list[Rule]:
    """The packs' text rules by kind (KIND_ORDER); within a kind, the rules of ``runs_last`` packs (the
    recognisers) after the others, so a phrase rule that fits a line gets the credit and its fact."""
    rank = {kind: i for i, kind in enumerate(KIND_ORDER)}
    rules = [(rank.get(r.kind, len(rank)), p.runs_last, r) for p in packs for r in p.rules if r.stage == "text"]
    return [r for *_, r in sorted(rules, key=lambda t: (t[0], t[1]))]


def run_text_rules(lines: list[Line], rules: list[Rule], ctx: CleaningContext) -> list[Edit]:
    """Apply rules pass after pass until a pass changes nothing.

    Reaching that fixed point is what makes cleaning idempotent: a fixed number of passes is not enough,
    because one removal can bring the next piece of clutter into a rule's zone (or a stripped prefix can
    uncover another). Every pass that changes something removes a line or shortens one, so the loop ends;
    the bound below is that measure, not a tuning knob.
    """
    edits: list[Edit] = []
    ctx.lines = lines
    bound = sum(len(ln.text) + 1 for ln in lines if ln.kept) + 1
    for _ in range(bound):
        changed = []
        live = [ln for ln in lines if ln.kept]  # rules look at kept lines only (and check again: a rule
        ctx.start_pass(live)                     # earlier in the pass may have removed one)
        for rule in rules:
            changed += rule.apply(live, ctx)
        if not changed:
            break
        edits += changed
    return edits


def clean_with_rules(text: str, title: str | None, rules: list[Rule]) -> CleanResult:
    """Clean text with exactly these text rules, in the order given, choosing no pack: how one rule is
    tried on its own examples (cleaners/examples.py) and what ``Cleaner.clean_text(rules=…)`` does."""
    lines = split_lines(text)
    ctx = CleaningContext(title=title)
    edits = run_text_rules(lines, rules, ctx)
    return _result(text, lines, ctx, edits, sorted({r.pack for r in rules}))


def _result(text: str, lines: list[Line], ctx: CleaningContext, edits: list[Edit],
            pack_names: list[str]) -> CleanResult:
    flags = []
    before = word_count(text)
    if before and edits and sum(len(e.text.split()) for e in edits) > LARGE_REMOVAL_SHARE * before:
        flags.append("large-removal")
    return CleanResult(text=join_lines(lines), edits=edits, facts=dict(ctx.facts.values), flags=flags,
                       packs=pack_names, lines=lines)


class _PageWords:
    """The page's word count, counted only if a block guard needs it (most pages' blocks are small)."""

    def __init__(self, tree: Any):
        self.tree = tree
        self.value: int | None = None

    def __call__(self) -> int:
        if self.value is None:
            body = self.tree.find(".//body")
            self.value = word_count((body if body is not None else self.tree).text_content())
        return self.value


class _ValueMemo:
    """Remembers whether a class or id value matches a combined pattern; bounded, cleared when full."""

    MAX_ENTRIES = 50_000

    def __init__(self, class_re: re.Pattern[str] | None, id_re: re.Pattern[str] | None):
        self.patterns = {"class": class_re, "id": id_re}
        self.seen: dict[tuple[str, str], bool] = {}

    def _test(self, attr: str, value: str | None) -> bool:
        pattern = self.patterns[attr]
        if not value or pattern is None:
            return False
        key = (attr, value)
        hit = self.seen.get(key)
        if hit is None:
            if len(self.seen) >= self.MAX_ENTRIES:
                self.seen.clear()
            hit = self.seen[key] = pattern.search(value) is not None
        return hit

    def hit(self, class_value: str | None, id_value: str | None) -> bool:
        return self._test("class", class_value) or self._test("id", id_value)


class Cleaner:
    """The cleaners with a loaded rule book. Create one per process and reuse it."""

    def __init__(self, rulebook: RuleBook | None = None):
        self.rulebook = rulebook or RuleBook.load()
        self._prefilters: dict[tuple[str, ...], _ValueMemo] = {}

    def packs_for(self, hostname: str | None = None, html_sample: str | None = None,
                  lines: Iterable[str] = (), language: str | None = None, signed: Iterable[str] = ()) -> list[Pack]:
        return self.rulebook.choose(hostname, html_sample, lines, language, signed)

    def clean_tree(self, tree: Any, hostname: str | None = None, html_sample: str | None = None,
                   language: str | None = None) -> list[Edit]:
        """Drop clutter blocks from a parsed page in place, before extraction. Returns the edits."""
        packs = self.packs_for(hostname, html_sample, language=language)
        rules = [r for p in packs for r in p.rules if isinstance(r, DropBlock)]
        if not rules:
            return []
        page_words = _PageWords(tree)
        fast = tuple(r for r in rules if r.fast)
        marked = self._prefilter(fast, marked_elements(tree)) if fast else None
        edits: list[Edit] = []
        for rule in rules:
            edits += rule.apply_tree(tree, page_words, marked)
        return edits

    def _prefilter(self, fast: tuple[DropBlock, ...], elements: list[Any]) -> list[Any]:
        """Elements any of the fast rules could match (a necessary condition; the rules then test exactly).
        Class and id values repeat within a page and across a site's pages, so each distinct value is
        checked once and the answer remembered."""
        key = tuple(r.id for r in fast)
        memo = self._prefilters.get(key)
        if memo is None:
            memo = self._prefilters[key] = _ValueMemo(
                any_match_check([r.class_match for r in fast if r.class_match]),
                any_match_check([r.id_match for r in fast if r.id_match]))
        return [el for el in elements if memo.hit(el.get("class"), el.get("id"))]

    def clean_text(self, text: str, title: str | None = None, hostname: str | None = None,
                   html_sample: str | None = None, rules: list[Rule] | None = None,
                   language: str | None = None) -> CleanResult:
        """Clean extracted (or plain) text.

        ``title`` lets the repeated-title rule drop the headline from the body; ``hostname`` and
        ``html_sample`` choose site and CMS packs; ``language`` (the page's language tag, "de" or "de-AT",
        None when unknown) chooses language packs; ``rules`` overrides the choice (used to test one rule).
        """
        if rules is not None:
            return clean_with_rules(text, title, rules)
        lines = split_lines(text)
        ctx = CleaningContext(title=title)
        packs, edits = self._run_chosen_packs(lines, ctx, hostname, html_sample, language)
        return _result(text, lines, ctx, edits, _pack_names(packs, edits))

    def _run_chosen_packs(self, lines: list[Line], ctx: CleaningContext, hostname: str | None,
                          html_sample: str | None, language: str | None) -> tuple[list[Pack], list[Edit]]:
        """Choose packs from the lines, clean, and choose again while cleaning uncovers new lines or a
        signature rule's line switches its whole pack on.

        A stripped prefix can turn "151.jpgPost a Comment" into a line that detects a CMS pack. Packs are
        chosen from every line text seen so far, so cleaning the clean text again chooses no pack that
        this run did not also apply, and finds nothing left to do (idempotence).
        """
        seen = list(dict.fromkeys(ln.text for ln in lines))
        signed: set[str] = set()
        packs = self.packs_for(hostname, html_sample, seen, language)
        edits: list[Edit] = []
        while True:
            edits += run_text_rules(lines, _ordered_text_rules(packs), ctx)
            known = set(seen)
            new = [ln.text for ln in lines if ln.kept and ln.text not in known]
            now_signed = signed | _signed(packs, edits)
            if not new and now_signed == signed:
                return packs, edits
            seen += new
            signed = now_signed
            more = self.packs_for(hostname, html_sample, seen, language, signed)
            if [_pack_key(p) for p in more] == [_pack_key(p) for p in packs]:
                return packs, edits
            packs = more


def _pack_key(pack: Pack) -> tuple[str, bool]:
    return pack.name, pack.signatures_only


def _signed(packs: list[Pack], edits: list[Edit]) -> set[str]:
    """Packs applied by their signature rules alone whose signature fired: they now apply whole."""
    fired = {e.rule for e in edits}
    return {p.name for p in packs if p.signatures_only and any(r.id in fired for r in p.rules)}


def _pack_names(packs: list[Pack], edits: list[Edit]) -> list[str]:
    """The packs a document was cleaned with, for the record: a pack applied by its signature rules alone
    counts only when one of them fired."""
    signed = _signed(packs, edits)
    return [p.name for p in packs if not p.signatures_only or p.name in signed]


_default: Cleaner | None = None


def default_cleaner() -> Cleaner:
    """A process-wide cleaner with the built-in packs, loaded on first use."""
    global _default
    if _default is None:
        _default = Cleaner()
    return _default


def clean_text(text: str, title: str | None = None, hostname: str | None = None,
               language: str | None = None) -> CleanResult:
    return default_cleaner().clean_text(text, title=title, hostname=hostname, language=language)
