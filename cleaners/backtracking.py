"""A static check for regex patterns that can backtrack catastrophically, run on every pack pattern at load.

Python's ``re`` is a backtracking engine: a pattern whose repeated part can match the same text in many ways
(``(a+)+``, ``(a|a)*``, ``(\\w+\\s?)*$``, ``(.*a){20}``) takes exponential or high-polynomial time on a line
that almost matches, and holds the GIL while it does. The check reads the parsed pattern (``re._parser``)
and rejects a repeat (``*``, ``+``, ``{m,n}`` with n > 1) when

- its body holds another repeat (n > 1) and no required part of the body is disjoint from what that inner
  repeat consumes: nothing marks where one round ends and the next begins, so the text can be split between
  rounds and the inner repeat in exponentially many ways; or
- its body holds alternatives that can start with the same character, each made only of characters the
  other may match (neither has a required character the other cannot take).

Characters are compared on a sample alphabet (ASCII, common punctuation and letters of other scripts, and
every literal of the pattern), case-folded: conservative, so a pattern may be flagged that is in fact safe.
A flagged pattern can nearly always be written safely: make the repeated part start or end with a required
separator (``( [A-Z]\\w*){0,3}``), or make the inner repeat possessive (``\\w++``).
"""

from __future__ import annotations

import re
import re._constants as C  # the parsed form of a pattern (stable across 3.11-3.13)
import re._parser as P
from functools import lru_cache

_SAMPLE = (
    [chr(i) for i in range(128)]
    + list("\u00a0\u2009\u3000\u200b\u00e9\u00c9\u00fc\u00df\u00e7\u00f1\u0434\u0416\u4e2d\u0627\u05d0")
    + list("\u2019\u2018\u201c\u201d\u00ab\u00bb\u2039\u203a\u2022\u00b7\u00a9\u2013\u2014\u2026\u2192\u2190")
    + list("\u2191\u2193\u2935\uff1a\u25aa\u25ba\u00b2\u0660\u0663")
)
_CATEGORY_TESTS = {
    C.CATEGORY_DIGIT: re.compile(r"\d"), C.CATEGORY_NOT_DIGIT: re.compile(r"\D"),
    C.CATEGORY_SPACE: re.compile(r"\s"), C.CATEGORY_NOT_SPACE: re.compile(r"\S"),
    C.CATEGORY_WORD: re.compile(r"\w"), C.CATEGORY_NOT_WORD: re.compile(r"\W"),
    C.CATEGORY_LINEBREAK: re.compile(r"\n"), C.CATEGORY_NOT_LINEBREAK: re.compile(r"[^\n]"),
}
_REPEATS = (C.MAX_REPEAT, C.MIN_REPEAT)
_SINGLE = (C.LITERAL, C.NOT_LITERAL, C.IN, C.ANY)
_LIMIT = 10_000  # patterns longer than this are not analysed (none of a pack's are)
_VERBOSE = re.compile(r"\(\?[aiLmsux-]*x")  # (?x): "( a+ ) +" has spaces before the quantifier
_QUANTIFIED_GROUP = re.compile(r"\)(?:[*+]|\{\d*,\d*\}|\{\d*[2-9]\d*\}|\{\d{2,}\})")


class _Analysis:
    def __init__(self, pattern: str):
        self.alphabet = sorted(set(_SAMPLE) | {ch for ch in pattern} | {ch.swapcase() for ch in pattern})
        self.everything = frozenset(self.alphabet)

    def single(self, op, av) -> frozenset[str]:
        """The characters one single-character item matches, case-folded."""
        if op is C.ANY:
            return self.everything
        if op is C.LITERAL:
            found = {chr(av)}
        elif op is C.NOT_LITERAL:
            found = {ch for ch in self.alphabet if ch.lower() != chr(av).lower()}
        else:
            found, negate = set(), False
            for item_op, item_av in av:
                if item_op is C.NEGATE:
                    negate = True
                elif item_op is C.LITERAL:
                    found.add(chr(item_av))
                elif item_op is C.RANGE:
                    lo, hi = item_av
                    found.update(ch for ch in self.alphabet if lo <= ord(ch) <= hi)
                elif item_op is C.CATEGORY:
                    test = _CATEGORY_TESTS.get(item_av)
                    found.update(ch for ch in self.alphabet if test is None or test.match(ch))
                else:  # an item this check does not know: assume it may match anything
                    found.update(self.alphabet)
            if negate:
                folded = {ch.lower() for ch in found} | {ch.upper() for ch in found}
                return frozenset(ch for ch in self.alphabet if ch not in folded)
        return frozenset(found | {ch.lower() for ch in found} | {ch.upper() for ch in found})

    def chars(self, items) -> frozenset[str]:
        """Every character a sequence of items may consume."""
        out: set[str] = set()
        for op, av in items:
            if op in _SINGLE:
                out |= self.single(op, av)
            elif op in _REPEATS or op is C.POSSESSIVE_REPEAT:
                out |= self.chars(av[2])
            elif op is C.SUBPATTERN:
                out |= self.chars(av[3])
            elif op is C.ATOMIC_GROUP:
                out |= self.chars(av)
            elif op is C.BRANCH:
                for alt in av[1]:
                    out |= self.chars(alt)
            elif op is C.GROUPREF or op is C.GROUPREF_EXISTS:
                return self.everything
        return frozenset(out)

    def required(self, items, skip=None) -> list[frozenset[str]]:
        """Character sets of the parts every match of the sequence must consume (``skip`` left out)."""
        out = []
        for item in items:
            if item is skip:
                continue
            op, av = item
            if op in _SINGLE:
                out.append(self.single(op, av))
            elif op in _REPEATS or op is C.POSSESSIVE_REPEAT:
                if av[0] >= 1:
                    out += self.required(av[2], skip)
            elif op is C.SUBPATTERN:
                out += self.required(av[3], skip)
            elif op is C.ATOMIC_GROUP:
                out += self.required(av, skip)
        return out

    def first(self, items) -> frozenset[str]:
        """Characters a match of the sequence may start with."""
        out: set[str] = set()
        for op, av in items:
            if op in _SINGLE:
                return frozenset(out | self.single(op, av))
            if op in _REPEATS or op is C.POSSESSIVE_REPEAT:
                out |= self.first(av[2])
                if av[0] >= 1:
                    return frozenset(out)
            elif op is C.SUBPATTERN:
                out |= self.first(av[3])
                if self.required(av[3]):
                    return frozenset(out)
            elif op is C.BRANCH:
                for alt in av[1]:
                    out |= self.first(alt)
                if all(self.required(alt) for alt in av[1]):
                    return frozenset(out)
            elif op in (C.AT, C.ASSERT, C.ASSERT_NOT):
                continue
            else:
                return self.everything
        return frozenset(out)


def _walk(items):
    """Every (op, av) item of a parsed sequence, at any depth, with the sequences it holds."""
    for item in items:
        yield item
        op, av = item
        if op in _REPEATS or op is C.POSSESSIVE_REPEAT:
            yield from _walk(av[2])
        elif op is C.SUBPATTERN:
            yield from _walk(av[3])
        elif op is C.ATOMIC_GROUP:
            yield from _walk(av)
        elif op is C.BRANCH:
            for alt in av[1]:
                yield from _walk(alt)
        elif op in (C.ASSERT, C.ASSERT_NOT):
            yield from _walk(av[1])
        elif op is C.GROUPREF_EXISTS:
            yield from _walk(av[1])
            if av[2] is not None:
                yield from _walk(av[2])


def _inner_repeats(body):
    """Repeats (max > 1) inside ``body``; possessive ones (``\\w++``) never give back text, so they do not count."""
    for item in _walk(body):
        op, av = item
        if op in _REPEATS and av[1] > 1:
            yield item


def _empty_overlap(check: _Analysis, empty, other, starts: frozenset[str]) -> bool:
    """``empty`` can match nothing, and ``other`` is made only of characters that may start a round: then
    ``(a|aa)*`` reads "aa" as one round or as two."""
    if check.required(empty):
        return False
    return not any(req and not (req & starts) for req in check.required(other))


@lru_cache(maxsize=4096)
def backtracking_risk(pattern: str) -> str | None:
    """Why ``pattern`` can backtrack catastrophically, or None when the check finds no such repeat."""
    if len(pattern) > _LIMIT or not (_QUANTIFIED_GROUP.search(pattern) or _VERBOSE.search(pattern)):
        return None  # only a group can hold a repeat or alternatives, so no group repeated: nothing to find
    try:
        parsed = P.parse(pattern)
    except re.error:
        return None  # compiling reports it
    check = None
    for op, av in _walk(parsed):
        if op not in _REPEATS or av[1] <= 1:
            continue
        body = av[2]
        if not any(item[0] is C.BRANCH or (item[0] in _REPEATS and item[1][1] > 1) for item in _walk(body)):
            continue  # nothing inside that could split a round two ways
        check = check or _Analysis(pattern)
        for inner in _inner_repeats(body):
            consumed = check.chars(inner[1][2])
            if not any(req and not (req & consumed) for req in check.required(body, skip=inner)):
                return ("a repeat inside a repeat can split the same text in many ways (nested quantifiers "
                        "with nothing between the rounds that the inner one cannot match)")
        for item in _walk(body):
            if item[0] is not C.BRANCH:
                continue
            alts = item[1][1]
            starts = check.first(body)
            for i, one in enumerate(alts):
                for other in alts[i + 1:]:
                    if _empty_overlap(check, one, other, starts) or _empty_overlap(check, other, one, starts):
                        return ("alternatives inside a repeat can match the same text (overlapping alternatives "
                                "under a quantifier: one can match nothing, the other only what starts a round)")
                    if not (check.first(one) & check.first(other)):
                        continue
                    one_chars, other_chars = check.chars(one), check.chars(other)
                    if not (any(req and not (req & other_chars) for req in check.required(one))
                            or any(req and not (req & one_chars) for req in check.required(other))):
                        return ("alternatives inside a repeat can match the same text (overlapping "
                                "alternatives under a quantifier)")
    return None
