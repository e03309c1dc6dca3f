"""Fast pre-checks for many patterns at once.

Python's ``re`` tries every branch of an alternation at every position, so a union of dozens of block-rule
patterns costs microseconds per class value. Most of those patterns are literals with anchors around them;
the literal each branch must contain is a necessary condition, and a trie of those literals compiles to a
regex that rejects a value in one pass.
"""

from __future__ import annotations

import functools
import re
import re._constants as C  # the parsed form of a pattern (stable across 3.11-3.13)
import re._parser as P

import ahocorasick


def top_level_branches(pattern: str) -> list[str]:
    """Split a pattern at its top-level "|" (not inside groups, classes or after a backslash). The parser
    would factor common prefixes out of the branches ("share|social" becomes "s" + a branch), so split
    first."""
    branches, depth, start, i, in_class = [], 0, 0, 0, False
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            branches.append(pattern[start:i])
            start = i + 1
        i += 1
    branches.append(pattern[start:])
    return branches


def required_literals(pattern: str) -> list[str] | None:
    """One literal per top-level branch that every match of that branch contains (the longest run of plain
    characters), or None when some branch has no literal of two or more characters."""
    out = []
    for branch in top_level_branches(pattern):
        try:
            parsed = P.parse(branch)
        except re.error:
            return None
        best = run = ""
        for op, arg in parsed:
            if op is C.LITERAL:
                run += chr(arg)
                best = max(best, run, key=len)
            else:
                run = ""
        if len(best) < 2:
            return None
        out.append(best)
    return out


def branch_literal_runs(pattern: str) -> list[list[str]] | None:
    """For each top-level branch, every run of plain characters (two or more) outside groups, classes and
    repeats: a match of that branch holds all of them. None when some branch has no run, or the pattern
    is verbose (its branches, read alone, would lose the flag)."""
    try:
        if P.parse(pattern).state.flags & C.SRE_FLAG_VERBOSE:
            return None
        out = []
        for branch in top_level_branches(pattern):
            runs, run = [], ""
            for op, arg in list(P.parse(branch)) + [(None, None)]:
                if op is C.LITERAL:
                    run += chr(arg)
                    continue
                if len(run) >= 2:
                    runs.append(run)
                run = ""
            if not runs:
                return None
            out.append(runs)
        return out
    except re.error:
        return None


# Besides the ASCII letters themselves, the only characters a case-insensitive ``re`` pattern matches with
# an ASCII character: "İ" and "ı" match "i", "ſ" matches "s" (the Kelvin sign lower-cases to "k" anyway).
_IGNORECASE_TO_ASCII = {0x130: "i", 0x131: "i", 0x17F: "s"}


def ignorecase_lower(text: str, lowered: str | None = None) -> str:
    """``text`` lower-cased so that where a case-insensitive pattern matches an ASCII literal, the
    literal (lower-cased) is a substring: ``lowered`` (``text.lower()``, when given) unless the text holds
    one of the three letters ``str.lower`` maps elsewhere."""
    if "İ" in text or "ı" in text or "ſ" in text:
        return text.translate(_IGNORECASE_TO_ASCII).lower()
    return text.lower() if lowered is None else lowered


def trie_source(alternatives: list[list[str]], shortest: bool = False) -> str:
    """Regex source matching any of ``alternatives`` (each a list of regex tokens: "a", "\\.", "\\s+"), built
    as a trie so each position tries one branch per possible next token instead of one per alternative.
    Where one alternative is a prefix of another, the longer is tried first, as in an alternation listed
    longest first; with ``shortest`` the shorter ends the branch instead (enough to find a word anywhere)."""
    trie: dict = {}
    for tokens in alternatives:
        node = trie
        for token in tokens:
            node = node.setdefault(token, {})
        node[""] = {}  # an alternative ends here

    def build(node: dict) -> str:
        ends = "" in node
        if ends and shortest:  # anything longer is already covered
            return ""
        parts = [token + build(child) for token, child in node.items() if token]
        if not parts:
            return ""
        body = parts[0] if len(parts) == 1 else "(?:" + "|".join(parts) + ")"
        if not ends:
            return body
        return body + "?" if len(parts) == 1 and len(parts[0]) == 1 else "(?:" + body + ")?"

    return build(trie)


def trie_regex(words: list[str]) -> re.Pattern[str] | None:
    """A regex matching any of ``words`` anywhere, built as a trie (``trie_source``)."""
    if not words:
        return None
    return re.compile(trie_source([[re.escape(ch) for ch in word] for word in sorted(set(words))], shortest=True))


class AnyLiteral:
    """Whether a text holds any of some literals: an Aho-Corasick automaton finds the first in one pass over
    the text, about twice as fast as the search of their trie regex (``trie_regex``)."""

    def __init__(self, words: list[str]):
        self.automaton = ahocorasick.Automaton()
        for word in set(words):
            self.automaton.add_word(word, word)
        self.automaton.make_automaton()

    def search(self, text: str) -> bool:
        return next(self.automaton.iter(text), None) is not None

    def found(self, text: str) -> frozenset[str]:
        """Which of the literals the text holds (one pass)."""
        return frozenset(word for _, word in self.automaton.iter(text))


def any_match_check(patterns: list[str]) -> AnyLiteral | re.Pattern[str] | None:
    """Something whose ``search(text)`` is true wherever any of ``patterns`` could match: the required
    literals of each when each has them (``AnyLiteral``), else the plain union. None for no patterns."""
    literals: list[str] = []
    for pattern in patterns:
        found = required_literals(pattern)
        if found is None:
            return re.compile("|".join(f"(?:{p})" for p in patterns))
        literals += found
    return AnyLiteral(literals) if literals else None


class LiteralOwners:
    """Which of some keyed patterns a text may match: those one of whose required literals (one per top-level
    branch, ``required_literals``) it holds, found in one Aho-Corasick pass for all of them. A pattern without
    such literals, or with an inline flag (a case-insensitive part may match a literal in another case), is
    named for every text."""

    def __init__(self, patterns: list[tuple[int, str]]):
        owners: dict[str, set[int]] = {}
        always = set()
        for key, pattern in patterns:
            found = required_literals(pattern)
            if found is None or _INLINE_FLAG.search(pattern):
                always.add(key)
                continue
            for literal in found:
                owners.setdefault(literal, set()).add(key)
        self.always = frozenset(always)
        self.automaton = ahocorasick.Automaton()
        for literal, keys in owners.items():
            self.automaton.add_word(literal, tuple(sorted(keys)))
        if owners:
            self.automaton.make_automaton()
        self._empty = not owners

    def owners(self, text: str) -> set[int]:
        """The keys of the patterns that may match ``text`` (a necessary condition, not a match)."""
        found = set(self.always)
        if not self._empty:
            for _, keys in self.automaton.iter(text):
                found.update(keys)
        return found


_INLINE_FLAG = re.compile(r"\(\?[aiLmsux-]")


def max_width(pattern: str, flags: int = 0) -> int | None:
    """The most characters a match of ``pattern`` can span, or None when it has no bound (or cannot be read)."""
    try:
        width = P.parse(pattern, flags).getwidth()[1]
    except (re.error, OverflowError):
        return None
    return width if width < C.MAXREPEAT else None


def required_any(pattern: str, opaque: dict[str, tuple[str, ...] | None] | None = None) -> tuple[str, ...] | None:
    """Literals at least one of which every match of ``pattern`` contains, or None when the pattern gives
    no such set (each literal has two or more characters, or is one sign that is neither a letter, a digit
    nor a space, like "©" or "@": such a sign is rare in running text, one letter is not). Unlike
    ``required_literals`` it looks inside groups, alternations and repeats of one or more rounds:
    ``(share|tweet) (on|via) .+`` gives ("share", "tweet"). A line rule skips a document or a line that holds none of them.

    ``opaque`` maps a stand-in character to the requirement of the group it replaced (``group_needs``): the
    stand-in in ``pattern`` needs that, so a group many patterns share is read once."""
    try:
        parsed = P.parse(pattern)
    except re.error:
        return None
    found = _sequence_needs(list(parsed), opaque or {})
    return tuple(sorted(set(found))) if found else None


@functools.lru_cache(maxsize=None)
def group_needs(group: str) -> tuple[str, ...] | None:
    """What one group (a pattern of its own, like ``(?:share|tweet)``) needs, for ``required_any``'s
    ``opaque``: the literals one of which it holds, best first as ``required_any`` would choose them
    in place, or None. Remembered for the process: many patterns share a group (a vocabulary class)."""
    try:
        parsed = P.parse(group)
    except re.error:
        return None
    found = _sequence_needs(list(parsed), {})
    return tuple(found) if found else None


def _sequence_needs(items: list, opaque: dict[str, tuple[str, ...] | None]) -> list[str] | None:
    """The best requirement of a sequence: its longest run of literals, or the requirement of one item
    (a group, an alternation, a repeat) whose shortest literal is longest."""
    candidates: list[list[str]] = []
    run = ""
    for op, arg in items + [(None, None)]:
        stand_in = op is C.LITERAL and opaque and chr(arg) in opaque
        if op is C.LITERAL and not stand_in:
            run += chr(arg)
            continue
        if len(run) >= 2 or (run and not run.isalnum() and not run.isspace()):
            candidates.append([run])
        run = ""
        if op is None:
            break
        # A stand-in is the group it replaced (the parser may have unwrapped it from its parentheses)
        need = (list(opaque[chr(arg)] or ()) or None) if stand_in else _item_needs(op, arg, opaque)
        if need:
            candidates.append(need)
    if not candidates:
        return None
    return max(candidates, key=lambda need: (min(len(w) for w in need), -len(need)))


def _item_needs(op: object, arg: object, opaque: dict[str, tuple[str, ...] | None]) -> list[str] | None:
    if op is C.SUBPATTERN:
        return _sequence_needs(list(arg[-1]), opaque)
    if op is C.BRANCH:
        out: list[str] = []
        for branch in arg[1]:
            need = _sequence_needs(list(branch), opaque)
            if not need:
                return None
            out += need
        return out
    if op in (C.MAX_REPEAT, C.MIN_REPEAT, getattr(C, "POSSESSIVE_REPEAT", None)) and arg[0] >= 1:
        return _sequence_needs(list(arg[2]), opaque)
    if op is C.ASSERT and arg[0] == 1:  # a lookahead: what it needs is in the line too
        return _sequence_needs(list(arg[1]), opaque)
    return None


class LiteralScan:
    """Which of many rules' literal sets a text holds, found in one pass over the text for all of them.

    Each rule gives the lower-cased literals one of which every match of its pattern holds (``required_any``);
    a line that holds none of a rule's literals cannot match it. One Aho-Corasick automaton (pyahocorasick)
    over every rule's literals finds, in one scan of a line, every rule the line may match, where a trie
    regex per rule scans the line once per rule. The answer for a text is remembered (texts repeat across a
    document's passes and a site's pages); the memory is bounded and cleared when full.
    """

    # Far more than the lines of one document and a site's boilerplate; at 20,000 the memo alone grew each worker by
    # about 5 MB while it filled (benchmarks/speed.py --only memory: +10.6 % against +8.8-9.0 % at 4,096).
    MAX_ENTRIES = 4_096
    MAX_CHARS = 2000  # longer texts are not remembered (the rules' literal check skips them anyway)

    def __init__(self, rules: list[tuple[object, tuple[str, ...]]], max_words: int = 0):
        """``rules``: (rule, its lower-cased literals) pairs; a rule without literals is not covered.
        ``max_words``: the widest word cap of the rules that ask which lines hold their literals
        (``CleaningContext.literal_lines``); those lines are scanned once a pass for all of them."""
        self.max_words = max_words
        owners: dict[str, set[int]] = {}
        self.bits: dict[int, int] = {}  # id(rule) -> its number in the answers
        self._rules = []  # the rules themselves, so their ids stay theirs while this scan lives
        for rule, words in rules:
            if not words or id(rule) in self.bits:
                continue
            bit = self.bits[id(rule)] = len(self._rules)
            self._rules.append(rule)
            for word in words:
                owners.setdefault(word, set()).add(bit)
        self.automaton = ahocorasick.Automaton()
        for word, bits in owners.items():
            self.automaton.add_word(word, tuple(sorted(bits)))
        if owners:
            self.automaton.make_automaton()
        self._seen: dict[str, frozenset[int]] = {}

    def bit(self, rule: object) -> int | None:
        """The rule's number in ``holders``' answers, or None when this scan does not cover it."""
        return self.bits.get(id(rule))

    def holders(self, lowered: str) -> frozenset[int]:
        """The numbers of the rules one of whose literals the lower-cased text holds."""
        found = self._seen.get(lowered)
        if found is None:
            hits: set[int] = set()
            if self.bits:
                for _, bits in self.automaton.iter(lowered):
                    hits.update(bits)
            found = frozenset(hits)
            if len(lowered) <= self.MAX_CHARS:
                if len(self._seen) >= self.MAX_ENTRIES:
                    self._seen.clear()
                self._seen[lowered] = found
        return found
