"""Run rule packs over a document. Pure: text or a tree in, clean text and an audit trail out."""

from __future__ import annotations

import itertools
import math
import sys
from typing import Any, Iterable

from .literals import LiteralOwners, LiteralScan, any_match_check
from .model import CleanResult, Edit, Line
from .packs import Pack, RuleBook
from .rules import (FEW_LITERALS, KIND_ORDER, CleaningContext, DropBlock, LineRule, PartsJudged, Rule, StripPrefix,
                    marked_elements, word_count)

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
    """Apply the rules to a fixed point: those that read lines first, then those that read what the others
    removed (``run_context_rules``)."""
    edits = run_passes(lines, [r for r in rules if not r.needs_context], ctx)
    return edits + run_context_rules(lines, rules, ctx, edits)


def run_context_rules(lines: list[Line], rules: list[Rule], ctx: CleaningContext, done: list[Edit]) -> list[Edit]:
    """Once the other rules found nothing more (their edits: ``done``), the rules among ``rules`` that read
    what they removed (a clutter run, ``Rule.needs_context``); when those remove a line, every rule again to a
    fixed point (a zone may now reach further). With no line removed there is nothing for most of them to read:
    only those that need no removal run (``Rule.needs_removals``: a box of links that ends the text)."""
    context = [r for r in rules if r.needs_context]
    if all(e.action == "strip" for e in done):
        context = [r for r in context if not r.needs_removals()]
    if not context:
        return []
    live = [ln for ln in lines if ln.kept]  # one pass of them first: most often they find nothing
    edits = [edit for rule in context for edit in rule.apply(live, ctx)]
    if edits:
        edits += run_passes(lines, rules, ctx)
    return edits


def run_passes(lines: list[Line], rules: list[Rule], ctx: CleaningContext,
               idle: list[int | None] | None = None) -> list[Edit]:
    """Apply rules pass after pass until a pass changes nothing.

    Reaching that fixed point is what makes cleaning idempotent: a fixed number of passes is not enough,
    because one removal can bring the next piece of clutter into a rule's zone (or a stripped prefix can
    uncover another). Every pass that changes something removes a line or shortens one, so the loop ends;
    the bound below is that measure, not a tuning knob.

    ``idle``: for each rule, its ``Rule.idle_unless`` number in the context's literal scan (or None); a rule
    whose number no line of the pass holds would find nothing, and is not called.
    """
    edits: list[Edit] = []
    ctx.lines, ctx.rules = lines, rules
    bound = sum(len(ln.text) + 1 for ln in lines if ln.removed_by is None) + 1
    for _ in range(bound):
        changed = []
        # Rules look at kept lines only (and check again: a rule earlier in the pass may have removed one).
        live = [ln for ln in lines if ln.removed_by is None]
        ctx.start_pass(live)
        if idle is None:
            for rule in rules:
                changed += rule.apply(live, ctx)
        else:
            for rule, bit in zip(rules, idle):
                if bit is None or bit in ctx.held():
                    changed += rule.apply(live, ctx)
        if not changed:
            break
        edits += changed
    return edits


def clean_with_rules(text: str, title: str | None, rules: list[Rule]) -> CleanResult:
    """Clean text with exactly these text rules, in the order given, choosing no pack: how one rule is
    tried on its own examples (cleaners/examples.py) and what ``Cleaner.clean_text(rules=…)`` does. A rule
    that needs context runs with the built-in text rules around it (``_with_context``)."""
    lines = split_lines(text)
    ctx = CleaningContext(title=title)
    edits = run_text_rules(lines, _with_context(lines, rules), ctx)
    return _result(text, lines, ctx, edits, sorted({r.pack for r in rules}))


def _with_context(lines: list[Line], rules: list[Rule]) -> list[Rule]:
    """The rules, and when one of them reads what other rules removed (``Rule.needs_context``: a clutter run) or
    asks them about part of a line (``Rule.reads_rules``), the built-in packs' other text rules chosen for the text
    around them, by kind, as a real run has them."""
    if not any(r.needs_context or r.reads_rules for r in rules):
        return rules
    given = {r.id for r in rules}
    packs = default_cleaner().packs_for(lines=[ln.text for ln in lines])
    context = [r for r in _ordered_text_rules(packs) if r.id not in given and not r.needs_context]
    rank = {kind: i for i, kind in enumerate(KIND_ORDER)}
    return sorted(context + list(rules), key=lambda r: rank.get(r.kind, len(rank)))


def _result(text: str, lines: list[Line], ctx: CleaningContext, edits: list[Edit],
            pack_names: list[str]) -> CleanResult:
    flags = []
    if edits:  # the text's words are counted only when something went: as the lines' words, known already,
        # when no line's text changed (the line breaks split words as spaces do)
        changed = any(e.action == "strip" for e in edits)
        before = word_count(text) if changed else sum(ln.words for ln in lines)
        if before and sum(len(e.text.split()) for e in edits) > LARGE_REMOVAL_SHARE * before:
            flags.append("large-removal")
    return CleanResult(text=join_lines(lines), edits=edits, facts=dict(ctx.facts.values), flags=flags,
                       packs=pack_names, lines=lines)


class _PageWords:
    """The page's word count, counted only if a block guard needs it, and only up to ``cap``: at or above
    ``cap`` words no block rule's ``max_share`` guard can hold (``words_cap``), so the count stops there and
    the split makes no more than ``cap`` strings of a long page's text."""

    def __init__(self, tree: Any, cap: int = -1):
        self.tree = tree
        self.cap = cap
        self.value: int | None = None

    def __call__(self) -> int:
        if self.value is None:
            body = self.tree.find(".//body")
            text = (body if body is not None else self.tree).text_content()
            self.value = len(text.split(None, self.cap))  # the exact count below cap, cap + 1 above it
        return self.value


def words_cap(rules: Iterable[DropBlock]) -> int:
    """A page word count from which on no rule's guard ``words > max_share * page_words`` holds for a block
    within its ``max_words`` (the guards then read the same with any larger count); -1 when there is none."""
    cap = 0
    for rule in rules:
        share = rule.max_share
        if not 0 < share < math.inf:  # 0, negative or NaN: the count does not matter; inf: any count is enough
            continue
        quotient = rule.max_words / share
        if quotient >= sys.maxsize:  # a share so small that only the whole count will do
            return -1
        need = max(math.ceil(quotient), 0)
        while share * need < rule.max_words:  # float rounding
            need += 1
        cap = max(cap, need)
    return cap if cap < sys.maxsize else -1


class _CandidateMemo:
    """For the fast block rules of a rule book: which of them an element with this class and id value could
    match, remembered per (class, id) pair (pairs repeat within a page and across a site's pages); bounded,
    cleared when full. A pair is first checked against the rules' required literals (one trie regex per
    attribute, a necessary condition), then against each rule's own patterns; the tag is checked per element."""

    MAX_ENTRIES = 50_000

    def __init__(self, fast: tuple[DropBlock, ...]):
        self.fast = fast
        self.class_check = any_match_check([r.class_match for r in fast if r.class_match])
        self.id_check = any_match_check([r.id_match for r in fast if r.id_match])
        # Which rules a value that passed those checks may match: only theirs are tried (a rule none of whose
        # literals the class or the id holds cannot match them).
        self.class_owners = LiteralOwners([(i, r.class_match) for i, r in enumerate(fast) if r.class_match])
        self.id_owners = LiteralOwners([(i, r.id_match) for i, r in enumerate(fast) if r.id_match])
        self.seen: dict[tuple[str | None, str | None], tuple[tuple[int, frozenset], ...]] = {}
        # The tags any of the rules takes, when each rule names its tags (else None).
        self.tags = tuple(sorted(frozenset().union(*(r.tag_set for r in fast)))) \
            if fast and all(r.tag_set for r in fast) else None

    def elements(self, tree: Any) -> Any:
        """The page's elements the rules may take, in document order: those of the rules' tags (lxml's iter
        matches the tags in C, which costs less than libxml2's XPath test for a class or an id, and makes no
        Python object for the other elements: 0.56 -> 0.33 ms a page with the class and id lookups); the
        elements with a class or an id when a rule takes any tag."""
        if self.tags is None:
            return marked_elements(tree)
        root = tree.getroottree().getroot()  # and the elements beside it (a page with a second <html>)
        return itertools.chain(root.iter(*self.tags), *(top.iter(*self.tags) for top in root.itersiblings()))

    def learn(self, key: tuple[str | None, str | None]) -> tuple[tuple[int, frozenset], ...]:
        """The (rule position, tag set) of each fast rule whose patterns match these values."""
        class_value, id_value = key
        hit = ((class_value and self.class_check is not None and self.class_check.search(class_value))
               or (id_value and self.id_check is not None and self.id_check.search(id_value)))
        found: tuple[tuple[int, frozenset], ...] = ()
        if hit:
            may = self.class_owners.owners(class_value) if class_value else set()
            if id_value:
                may |= self.id_owners.owners(id_value)
            fast = self.fast
            found = tuple((i, fast[i].tag_set) for i in sorted(may) if fast[i].matches_values(class_value, id_value))
        if len(self.seen) >= self.MAX_ENTRIES:
            self.seen.clear()
        self.seen[key] = found
        return found

    def candidates(self, elements: Iterable[Any]) -> list[list[Any]]:
        """For each fast rule, in order, the elements it matches, in document order (``elements``: those of
        the page that it may match, in document order)."""
        out: list[list[Any]] = [[] for _ in self.fast]
        seen, learn = self.seen, self.learn
        for el in elements:
            key = (el.get("class"), el.get("id"))
            found = seen.get(key)
            if found is None:
                found = learn(key)
            if found:
                tag = el.tag
                for i, tags in found:
                    if not tags or tag in tags:
                        out[i].append(el)
        return out


class Cleaner:
    """The cleaners with a loaded rule book. Create one per process and reuse it."""

    def __init__(self, rulebook: RuleBook | None = None):
        self.rulebook = rulebook or RuleBook.load()
        self._prefilters: dict[tuple[str, ...], _CandidateMemo] = {}
        self._caps: dict[tuple[str, ...], int] = {}
        self._orders: dict[tuple[int, ...], tuple[list[Pack], list[Rule], list[Rule], list[int | None]]] = {}
        self._scan: LiteralScan | None = None

    def literal_scan(self) -> LiteralScan:
        """One literal scan for every text line rule of the rule book (built on first use)."""
        if self._scan is None:
            rules = [r for r in self.rulebook.rules() if isinstance(r, LineRule) and not isinstance(r, StripPrefix)]
            # The scan reads lines up to the widest cap of the rules with many literals (30 words, against 60
            # before): the rules for longer lines all have a few, which they find in the pass's text with
            # substring searches (CleaningContext.none_within and holding).
            widest = max((r.max_words for r in rules if r.zone == "any" and len(r.literal_words) > FEW_LITERALS),
                         default=0)
            parted = [r for r in self.rulebook.rules() if isinstance(r, PartsJudged)]
            self._scan = LiteralScan([(r, r.literal_words) for r in rules + parted], widest)
        return self._scan

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
        page_words = _PageWords(tree, self._words_cap(rules))
        fast = tuple(r for r in rules if r.fast)
        memo = self._memo(fast) if fast else None
        found = iter(memo.candidates(memo.elements(tree)) if memo is not None else ())
        edits: list[Edit] = []
        for rule in rules:  # each fast rule gets the elements it matches (one shared scan of the page)
            edits += rule.apply_tree(tree, page_words, next(found) if rule.fast else None)
        return edits

    def _ordered(self, packs: list[Pack]) -> tuple[list[Rule], list[Rule], list[int | None]]:
        """The packs' text rules in order (``_ordered_text_rules``), those of them that need no context, and
        for each of these its ``Rule.idle_unless`` number in the literal scan; remembered per choice of packs
        (the rule book's pack objects, which live as long as it does)."""
        key = tuple(map(id, packs))  # (the entry holds the packs: no other object takes their ids meanwhile)
        found = self._orders.get(key)
        if found is None:
            if len(self._orders) >= 256:
                self._orders.clear()
            rules = _ordered_text_rules(packs)
            line_rules = [r for r in rules if not r.needs_context]
            scan = self.literal_scan()
            found = self._orders[key] = (list(packs), rules, line_rules, [r.idle_unless(scan) for r in line_rules])
        return found[1], found[2], found[3]

    def _words_cap(self, rules: list[DropBlock]) -> int:
        key = tuple(r.id for r in rules)
        cap = self._caps.get(key)
        if cap is None:
            cap = self._caps[key] = words_cap(rules)
        return cap

    def _memo(self, fast: tuple[DropBlock, ...]) -> _CandidateMemo:
        key = tuple(r.id for r in fast)
        memo = self._prefilters.get(key)
        if memo is None:
            memo = self._prefilters[key] = _CandidateMemo(fast)
        return memo

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
        ctx = CleaningContext(title=title, scan=self.literal_scan())
        packs, edits = self._run_chosen_packs(lines, ctx, hostname, html_sample, language)
        return _result(text, lines, ctx, edits, _pack_names(packs, edits))

    def _run_chosen_packs(self, lines: list[Line], ctx: CleaningContext, hostname: str | None,
                          html_sample: str | None, language: str | None) -> tuple[list[Pack], list[Edit]]:
        """Choose packs from the lines, clean, and choose again while cleaning uncovers new lines or a
        signature rule's line switches its whole pack on; then the rules that read what the others removed.

        A stripped prefix can turn "151.jpgPost a Comment" into a line that detects a CMS pack. Packs are
        chosen from every line text seen so far, so cleaning the clean text again chooses no pack that
        this run did not also apply, and finds nothing left to do (idempotence).
        """
        seen = list(dict.fromkeys(ln.text for ln in lines))
        signed: set[str] = set()
        packs = self.packs_for(hostname, html_sample, seen, language)
        edits: list[Edit] = []
        while True:
            rules, line_rules, idle = self._ordered(packs)
            edits += run_passes(lines, line_rules, ctx, idle)
            known = set(seen)
            new = [ln.text for ln in lines if ln.kept and ln.text not in known]
            now_signed = signed | _signed(packs, edits)
            more = None
            if new or now_signed != signed:
                seen += new
                signed = now_signed
                more = self.packs_for(hostname, html_sample, seen, language, signed)
            if more is None or [_pack_key(p) for p in more] == [_pack_key(p) for p in packs]:
                # The packs are settled: a clutter run reads what all their rules removed.
                return packs, edits + run_context_rules(lines, rules, ctx, edits)
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
