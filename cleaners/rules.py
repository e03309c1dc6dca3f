"""Rule kinds. A rule is data (from a TOML pack) plus one of these behaviours.

Every text rule works on whole lines, within a zone, under a word cap: a sentence that merely contains a
trigger word is never touched. Rules mark lines as removed instead of deleting them, so positions stay
stable for the audit trail and for ``presswash explain``.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from bisect import bisect_right
from collections import Counter as Tally
from dataclasses import dataclass, field
from typing import Any, Callable, ClassVar

from lxml import etree

from .backtracking import backtracking_risk
from .literals import LiteralScan, group_needs, required_any, trie_regex, trie_source
from .model import Edit, Facts, Line

ZONES = ("any", "head", "tail")


class RuleError(ValueError):
    """A rule in a pack is malformed; the message names the pack, the rule and the problem."""


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    title: str | None = None

    @classmethod
    def parse(cls, raw: Any, where: str) -> "Example":
        if isinstance(raw, str):
            return cls(raw)
        if isinstance(raw, dict) and isinstance(raw.get("text"), str):
            return cls(raw["text"], raw.get("title"))
        raise RuleError(f"{where}: an example is a string or a table with 'text' (and optional 'title')")


# A rule with at most this many required literals is first looked for in the text of the pass's short
# lines as a whole (a few substring tests); one with more (a vocabulary) is checked line by line.
FEW_LITERALS = 12


@dataclass(slots=True)
class CleaningContext:
    """What one run of the text cleaners shares between rules."""

    title: str | None = None
    facts: Facts = field(default_factory=Facts)
    # The rule book's shared literal scan (literals.LiteralScan), or None: a line rule it covers asks it
    # whether a line may match instead of searching its own literals in the line.
    scan: LiteralScan | None = None
    # The text rules of the passes running now, in order (run_passes sets them): the rules that judge a line's
    # parts (PartsJudged) ask them.
    rules: list = field(default_factory=list)
    # Ids of the rules whose removals are not clutter (the repeated headline): no run of clutter starts there;
    # and of the clutter-run rules that removed a line: their lines belong to a run but start none.
    not_clutter: set = field(default_factory=set)
    run_rules: set = field(default_factory=set)
    # This pass's kept lines, and those of them within a word cap (built once per cap and pass): a rule
    # that looks at every line under its cap walks only those.
    live: list[Line] | None = None
    lines: list[Line] | None = None  # every line of the document, removed ones too, by index
    _short: dict[int, list[Line]] = field(default_factory=dict)
    _words: list[int] = field(default_factory=list)
    _short_text: dict[int, str] = field(default_factory=dict)

    _title_fold: str | None = None
    _folds: dict[str, str] = field(default_factory=dict)

    def folded_title(self) -> str:
        """``fold(title)``, folded once per document rather than once per pass."""
        if self._title_fold is None:
            self._title_fold = fold(self.title or "")
        return self._title_fold

    def folded(self, text: str) -> str:
        """``fold(text)`` for a line, folded once per document (the first lines are compared on every pass)."""
        out = self._folds.get(text)
        if out is None:
            out = self._folds[text] = fold(text)
        return out

    _starts: dict[int, list[int]] = field(default_factory=dict)  # where each short line starts in its text
    _changed: bool = False  # a rule changed a line's text in this pass
    # This pass's lines within ``scan.max_words`` words by the rules whose literals they hold (built on first
    # use in the pass, again after a text change): rule number -> lines, in order.
    _holding: dict[int, list[Line]] | None = None
    _version: int = 0  # how many times a rule changed a line's text in this document
    _read: dict[str, int] = field(default_factory=dict)  # rule id -> the version it last read every line at

    def start_pass(self, live: list[Line]) -> None:
        self.live = live
        self._short = {}
        self._short_text = {}
        self._starts = {}
        self._changed = False
        self._holding = None
        self._words = [ln.words for ln in live]

    def text_changed(self) -> None:
        """A rule changed a line's text (a stripped prefix): for the rest of the pass, ``holding`` says
        nothing, as the texts joined at the start of the pass are out of date."""
        self._changed = True
        self._version += 1
        self._holding = None

    def read_all(self, rule_id: str) -> bool:
        """Whether a rule that reads every line on its own text has read this document since the last text
        change: it then found every line it could take (no line comes back, and a line that did not match
        is remembered in ``Line.misses``), so running it again finds nothing."""
        return self._read.get(rule_id) == self._version

    def has_read_all(self, rule_id: str) -> None:
        self._read[rule_id] = self._version

    def within(self, lines: list[Line], cap: int) -> list[Line] | None:
        """This pass's lines within ``cap`` words, in order; None when ``lines`` is not this pass's list
        (a rule tried alone on its examples): the rule then checks the cap itself."""
        if lines is not self.live:
            return None
        short = self._short.get(cap)
        if short is None:
            short = self._short[cap] = [ln for ln, n in zip(lines, self._words) if n <= cap]
        return short

    def literal_lines(self, lines: list[Line], rule: "LineRule") -> list[Line] | None:
        """This pass's lines that the rule's literal pre-check lets through (those within the scan's word
        cap that hold one of its literals, and those too long for the check), in order: found with one scan
        of each line for every rule (``LiteralScan``) instead of one check per rule and line. They may
        exceed the rule's own word cap, and a rule earlier in the pass may have removed one. None when the
        scan does not cover the rule or its cap, or ``lines`` is not this pass's list."""
        scan = self.scan
        if scan is None or lines is not self.live or rule.max_words > scan.max_words:
            return None
        bit = scan.bit(rule)
        if bit is None:
            return None
        return self.held().get(bit, [])

    def held(self) -> dict[int, list[Line]]:
        """This pass's lines within the scan's word cap by the number of each rule whose literals they hold
        (``LiteralScan.holders``; a line too long for the check holds them all), in order; a rule that none
        holds is not in it. Built on first use in the pass, again after a text change."""
        holding = self._holding
        if holding is None:
            scan = self.scan
            holding = self._holding = {}
            holders, cap, every = scan.holders, scan.max_words, range(len(scan.bits))
            for ln in self.within(self.live, cap) or ():
                text = ln.text
                for b in (every if len(text) > _LITERAL_CHECK_CHARS else holders(ln.lower)):
                    found = holding.get(b)
                    if found is None:
                        holding[b] = [ln]
                    else:
                        found.append(ln)
        return holding

    def none_within(self, lines: list[Line], cap: int, words: tuple[str, ...]) -> bool:
        """Whether no line of this pass within ``cap`` words holds one of a rule's few required literals
        (so the rule cannot fire): a substring test over those lines' text, instead of one per line."""
        if not words or len(words) > FEW_LITERALS or lines is not self.live:
            return False
        return not any(map(self._text(lines, cap).__contains__, words))

    def _text(self, lines: list[Line], cap: int) -> str:
        """The lower-cased text of this pass's lines within ``cap`` words, one a line, as they read when it
        is first asked for in the pass (``lines`` is this pass's list)."""
        text = self._short_text.get(cap)
        if text is None:
            if self._changed:
                text = "\n".join(ln.lower for ln in self.within(lines, cap) or ())
            else:  # the texts are those read at the start of the pass
                text = "\n".join([ln.lower for ln, n in zip(lines, self._words) if n <= cap])
            self._short_text[cap] = text
        return text

    def holding(self, lines: list[Line], cap: int, words: tuple[str, ...]) -> set[int] | None:
        """The indexes of this pass's lines within ``cap`` words that ``literal_miss`` lets through for a
        rule with these few literals: those that hold one, and those too long for the check. Found with a
        few substring searches in those lines' joined text instead of one regex search per line. None when
        ``none_within`` would not look, a literal holds the line separator, or a text changed in the pass."""
        if (not words or len(words) > FEW_LITERALS or lines is not self.live or self._changed
                or any("\n" in w for w in words)):
            return None
        text, short = self._text(lines, cap), self.within(lines, cap) or []
        starts = self._starts.get(cap)
        if starts is None:
            starts, at = [], 0
            for ln in short:
                starts.append(at)
                at += len(ln.lower) + 1
            self._starts[cap] = starts
        through = {ln.index for ln in short if len(ln.text) > _LITERAL_CHECK_CHARS} if \
            len(text) > _LITERAL_CHECK_CHARS else set()
        last = len(starts) - 1
        for word in words:
            at = text.find(word)
            while at >= 0:  # the line it is in; then on from the next line
                k = bisect_right(starts, at) - 1
                through.add(short[k].index)
                if k == last:
                    break
                at = text.find(word, starts[k + 1])
        return through


# A line longer than this (a megabyte under a word cap: degenerate input) skips the literal pre-check: the
# trie searches every position, while the anchored pattern usually fails at the first characters.
_LITERAL_CHECK_CHARS = 2000


def literal_miss(literals: re.Pattern[str], line: Line) -> bool:
    """Whether the line surely holds none of a rule's required literals (so its pattern cannot match)."""
    return len(line.text) <= _LITERAL_CHECK_CHARS and literals.search(line.lower) is None


def word_count(text: str) -> int:
    return len(text.split())


def fold(text: str) -> str:
    """Compare-friendly form of a line: case-folded, punctuation and spacing ignored."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(re.findall(r"\w+", text))


@dataclass(kw_only=True)
class Rule:
    """Fields every rule has. Subclasses add their parameters and ``apply``."""

    kind: ClassVar[str] = ""
    stage: ClassVar[str] = "text"  # "text" rules run on extracted text, "dom" rules on the tree
    # The rule reads what other rules removed (a clutter run): the engine runs it once they found nothing more,
    # and its examples run with the built-in text rules around it.
    needs_context: ClassVar[bool] = False
    # The rule asks the pass's other line rules about part of a line (``CleaningContext.rules``): its examples run
    # with the built-in text rules around it, as a clutter run's do.
    reads_rules: ClassVar[bool] = False

    id: str
    name: str
    why: str
    pack: str = ""
    # The line this rule removes is itself proof of the pack's CMS: it runs on every page, detected or not,
    # and switches the rest of its pack on when it fires (packs.py).
    signature: bool = False
    remove: tuple[Example, ...] = ()
    keep: tuple[Example, ...] = ()

    def apply(self, lines: list[Line], ctx: CleaningContext) -> list[Edit]:
        raise NotImplementedError

    def idle_unless(self, scan: LiteralScan) -> int | None:
        """See ``LineRule.idle_unless``: None, the rule may act in any pass."""
        return None

    def needs_removals(self) -> bool:
        """For a rule that ``needs_context``: whether it can act only where another rule removed a line (the
        engine does not run it on a text where none did)."""
        return self.needs_context

    def describe(self) -> dict[str, Any]:
        """Parameters worth showing in ``presswash rules ID``."""
        return {}

    def _edit(self, line: Line, text: str, action: str = "drop", detail: str = "") -> Edit:
        return Edit(rule=self.id, name=self.name, text=text, line=line.index, action=action, detail=detail)


def _compile(pattern: str, case_sensitive: bool, where: str) -> re.Pattern[str]:
    try:
        compiled = re.compile(vocabulary_tries(pattern), 0 if case_sensitive else re.IGNORECASE)
    except re.error as exc:
        raise RuleError(f"{where}: bad pattern {pattern!r}: {exc}") from None
    check_backtracking(pattern, where)
    return compiled


_VOCABULARY_REF = re.compile(r"\{\{([a-z][a-z0-9_]*(?:\|[a-z][a-z0-9_]*)*)\}\}")
# A vocabulary class expands to a group of literal alternatives that starts with this comment (``re`` ignores
# it). The pattern's text stays a plain list of words, from which its literals and the backtracking check are
# read; ``vocabulary_tries`` compiles each marked group as a trie, which ``re`` runs two to three times faster.
VOCABULARY_MARK = "(?#vocabulary)"
_MARKED_GROUP = re.compile(r"\(\?:" + re.escape(VOCABULARY_MARK) + r"((?:\\.|[^\\)])*)\)")
_ALTERNATIVE_TOKEN = re.compile(r"\\s\+|\\.|.", re.DOTALL)


def parse_vocabulary(raw: Any, origin: str) -> dict[str, tuple[str, ...]]:
    """The ``[vocabulary]`` table: names (small letters, digits, _) to lists of words or phrases."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise RuleError(f"{origin}: [vocabulary] must be a table of word lists")
    out = {}
    for name, words in raw.items():
        if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
            raise RuleError(f"{origin}: vocabulary name {name!r}: use small letters, digits and _")
        if not isinstance(words, list) or not words or not all(isinstance(w, str) and w.strip() for w in words):
            raise RuleError(f"{origin}: vocabulary {name!r} must be a non-empty list of words")
        out[name] = tuple(" ".join(w.split()) for w in words)
    return out


def expand_vocabulary(pattern: str, vocabulary: dict[str, tuple[str, ...]], where: str) -> str:
    """A pattern with each ``{{name}}`` replaced by the pack's vocabulary class of that name, as a group of
    literal alternatives (longest first; a space in an entry matches any run of spaces). Vocabulary lives
    in the pack's ``[vocabulary]`` table, so a recogniser's words are data, shared by its rules."""

    def alternatives(m: re.Match[str]) -> str:
        names = m.group(1).split("|")  # {{a|b}}: the union of classes, still longest first
        for name in names:
            if name not in vocabulary:
                known = ", ".join(sorted(vocabulary)) or "none"
                raise RuleError(f"{where}: the pattern names vocabulary {{{{{name}}}}}, which the pack does not "
                                f"define (its [vocabulary] has: {known})")
        words = sorted({w for name in names for w in vocabulary[name]}, key=lambda w: (-len(w), w))
        return "(?:" + VOCABULARY_MARK + "|".join(re.escape(w).replace("\\ ", r"\s+") for w in words) + ")"

    return _VOCABULARY_REF.sub(alternatives, pattern)


def vocabulary_tries(pattern: str) -> str:
    """The pattern with each expanded vocabulary class (a group marked ``VOCABULARY_MARK``) rewritten as a
    trie of its words: the same matches, tried in the same order (longest first), but at each position ``re``
    tries one branch per next letter instead of one per word. (Words keep their case: a class may sit in a
    case-sensitive group, ``(?-i:…)``.)"""

    return _MARKED_GROUP.sub(lambda m: _vocabulary_trie(m.group(1)), pattern) if VOCABULARY_MARK in pattern else pattern


@functools.lru_cache(maxsize=None)
def _vocabulary_trie(words: str) -> str:
    """One marked group's alternatives (its text after the mark) as a trie group; read once a process, as
    many rules share a class."""
    alternatives: list[list[str]] = [[]]
    for token in _ALTERNATIVE_TOKEN.findall(words):
        if token == "|":
            alternatives.append([])
            continue
        alternatives[-1].append(token)
    return "(?:" + trie_source(alternatives) + ")"


# Stand-ins for vocabulary groups while ``pattern_literals`` reads a pattern: private-use characters, which
# no pack's pattern holds (one that does is read whole).
_STAND_IN = 0xE000
_STAND_INS = re.compile("[\uE000-\uF8FF]")


def pattern_literals(pattern: str) -> tuple[str, ...] | None:
    """``literals.required_any`` of a pattern, with each expanded vocabulary class (a marked group) read once
    a process: hundreds of rules share a few hundred classes, and reading a class's words is most of the
    cost of loading the rule book. The same literals as ``required_any(pattern)``
    (tests/cleaners/test_literals.py)."""
    if VOCABULARY_MARK not in pattern or _STAND_INS.search(pattern):
        return required_any(pattern)
    stood_for: dict[str, tuple[str, ...] | None] = {}

    def stand_in(m: re.Match[str]) -> str:
        key = chr(_STAND_IN + len(stood_for))
        stood_for[key] = group_needs(m.group(0))
        return "(" + key + ")"  # a capturing group, which the parser neither unwraps nor merges into a [set]

    return required_any(_MARKED_GROUP.sub(stand_in, pattern), stood_for)


def check_zone(rule_id: str, zone: str) -> None:
    if zone not in ZONES:
        raise RuleError(f"{rule_id}: zone must be one of {', '.join(ZONES)}, not {zone!r}")


def check_backtracking(pattern: str, where: str) -> None:
    """Refuse a pattern that can backtrack catastrophically (see backtracking.py)."""
    risk = backtracking_risk(pattern)
    if risk:
        raise RuleError(f"{where}: pattern {pattern!r} can take exponential time on a line that almost matches: "
                        f"{risk}. Give the rounds of the outer repeat a separator the inner part cannot match, "
                        "or make the inner repeat possessive, like \\w++ (docs/rules.md#catastrophic-backtracking)")


@dataclass(kw_only=True)
class LineRule(Rule):
    """A rule that looks at single lines, inside a zone, under a word cap."""

    pattern: str
    zone: str = "any"
    zone_lines: int = 5
    max_words: int = 12
    case_sensitive: bool = False
    regex: re.Pattern[str] = field(init=False, repr=False)
    # Lower-cased literals one of which every match holds (literals.required_any), as one trie regex, or
    # None: a line holding none of them cannot match, which the trie tells faster than the pattern. Both
    # sides are lower-cased, so the test only widens for a case-sensitive rule (and its (?i:…) parts).
    literals: re.Pattern[str] | None = field(init=False, repr=False)
    literal_words: tuple[str, ...] = field(init=False, repr=False)
    # The pattern as the pack writes it, with {{vocabulary}} names (``pattern`` has them expanded).
    written: str = field(init=False, repr=False, default="")

    def __post_init__(self) -> None:
        check_zone(self.id, self.zone)
        self.regex = _compile(self.pattern, self.case_sensitive, self.id)
        found = pattern_literals(self.pattern)
        self.literal_words = tuple(sorted({lit.lower() for lit in found})) if found else ()
        self.literals = trie_regex(list(self.literal_words)) if found else None

    def describe(self) -> dict[str, Any]:
        out: dict[str, Any] = {"pattern": self.written or self.pattern, "zone": self.zone,
                               "max_words": self.max_words}
        if self.zone != "any":
            out["zone_lines"] = self.zone_lines
        if self.signature:
            out["signature"] = True
        return out

    def candidates(self, lines: list[Line]):
        """Kept lines in this rule's zone. Zones count kept lines only, which keeps cleaning idempotent.
        (``removed_by is None`` is ``Line.kept`` without the property call: every zone rule walks its lines.)"""
        if self.zone == "any":
            yield from (ln for ln in lines if ln.removed_by is None)
            return
        ordered = lines if self.zone == "head" else reversed(lines)
        seen = 0
        for ln in ordered:
            if seen >= self.zone_lines:
                return
            if ln.removed_by is not None:
                continue
            yield ln
            if ln.removed_by is None:  # the rule did not remove it, so it counts towards the zone
                seen += 1

    def match(self, line: Line, scan: LiteralScan | None = None) -> re.Match[str] | None:
        """The pattern matched against the whole line (lines arrive trimmed), within the word cap; ``scan``
        (the context's shared literal scan) answers the literal pre-check when it covers this rule."""
        if line.words > self.max_words or self.lacks_literals(line, scan):
            return None
        return self.fullmatch(line.text)

    def fullmatch(self, text: str) -> re.Match[str] | None:
        """The pattern over the whole line; a kind may refuse a match its pattern cannot tell apart."""
        return self.regex.fullmatch(text)

    def lacks_literals(self, line: Line, scan: LiteralScan | None) -> bool:
        """Whether the line surely holds none of the rule's required literals (so the pattern cannot match): the
        shared scan answers when it covers this rule, the rule's own trie regex otherwise."""
        if self.literals is None:
            return False
        bit = scan.bit(self) if scan is not None else None
        if bit is None:
            return literal_miss(self.literals, line)
        return len(line.text) <= _LITERAL_CHECK_CHARS and bit not in scan.holders(line.lower)

    def idle_unless(self, scan: LiteralScan) -> int | None:
        """The rule's number in the scan (``LiteralScan.bit``) when ``apply`` can remove only a line that holds
        one of its literals and that the scan reads (the pass's lines within the scan's word cap), and so does
        nothing in a pass where no line holds one (the engine then does not call it); None otherwise. A head or
        tail zone's lines are some of the pass's lines, so this holds for zone rules too."""
        if type(self).apply is not LineRule.apply or self.literals is None or self.max_words > scan.max_words:
            return None
        return scan.bit(self)

    def apply(self, lines: list[Line], ctx: CleaningContext) -> list[Edit]:
        edits: list[Edit] = []
        rid, cap, literals, fullmatch = self.id, self.max_words, self.literals, self.fullmatch
        # Which lines to read: those the shared scan says hold a literal (the others cannot match), else the
        # short lines (zone "any"), else the zone's lines.
        held = ctx.literal_lines(lines, self) if self.zone == "any" and literals is not None else None
        if held is not None and not held:  # no line can match (most rules on most passes)
            return edits
        short = held if held is not None else ctx.within(lines, cap) if self.zone == "any" else None
        if short is not None:
            if ctx.read_all(rid):
                return edits
            ctx.has_read_all(rid)  # (a line rule changes no text: the version stays as it is now)
        if held is None and ctx.none_within(lines, cap, self.literal_words):
            return edits
        scan = ctx.scan
        through = ctx.holding(lines, cap, self.literal_words) \
            if held is None and short is not None and literals is not None else None
        for ln in (short if short is not None else self.candidates(lines)):
            # The checks of match(), inline: this loop runs for every rule on every short line.
            if ln.removed_by is not None or rid in ln.misses or ln.words > cap:
                continue
            if held is not None:
                m = fullmatch(ln.text)
            elif through is not None:
                m = fullmatch(ln.text) if ln.index in through else None
            elif self.lacks_literals(ln, scan):
                m = None
            else:
                m = fullmatch(ln.text)
            if m is None:
                ln.misses.add(rid)  # the text does not match: no later pass needs to try again
                continue
            self.harvest(m, ctx)
            ln.removed_by = self._edit(ln, ln.text)
            edits.append(ln.removed_by)
        return edits

    def harvest(self, match: re.Match[str], ctx: CleaningContext) -> None:
        """Record facts carried by the matched clutter (nothing, for a plain drop)."""


@dataclass(kw_only=True)
class DropLine(LineRule):
    kind: ClassVar[str] = "drop-line"


# "no" and "one" of English counters, and the zero words of the language packs' counters ("Keine
# Kommentare", "Aucun commentaire", "Sin comentarios", "Nessun commento", "Brak komentarzy"…).
_NUMBER_WORDS = {"no": 0, "zero": 0, "one": 1, "two": 2, "three": 3, "keine": 0, "aucun": 0, "sin": 0,
                 "nessun": 0, "nenhum": 0, "brak": 0, "geen": 0}


_SUFFIXES = {"k": 1_000, "m": 1_000_000}


def parse_count(raw: str) -> int | None:
    """The number a counter shows: "12", "1,234", "1.234", "1.2k", "3K", "no", "one". None if it is none.

    Without a suffix, "," and "." group thousands; before a k/m suffix they mark decimals ("1.2k" is 1200).
    """
    raw = "".join(raw.split()).lower()
    if raw in _NUMBER_WORDS:
        return _NUMBER_WORDS[raw]
    mult = _SUFFIXES.get(raw[-1:], 1)
    if mult > 1:
        raw = raw[:-1].replace(",", ".")
        if raw.count(".") > 1:
            return None
    else:
        raw = raw.replace(",", "").replace(".", "")
    if not re.fullmatch(r"\d+(\.\d+)?|\.\d+", raw):
        return None
    try:
        value = float(raw) if "." in raw else int(raw)
    except ValueError:  # \d also matches digits int() does not read
        return None
    return int(round(value * mult))


@dataclass(kw_only=True)
class Counter(LineRule):
    """A counter line ("0 comments:", "12 Shares"). The named group ``n`` becomes the fact."""

    kind: ClassVar[str] = "counter"
    fact: str = "comment_count"
    max_words: int = 6

    def __post_init__(self) -> None:
        super().__post_init__()
        if "n" not in self.regex.groupindex:
            raise RuleError(f"{self.id}: a counter pattern needs a named group (?P<n>…) for the number (n2, n3… in other branches)")

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "fact": self.fact}

    def harvest(self, match: re.Match[str], ctx: CleaningContext) -> None:
        # Alternatives of one pattern name their groups n, n2, n3…; the one that matched holds the number.
        for name, value in match.groupdict().items():
            if value is not None and (name == "n" or (name[0] == "n" and name[1:].isdigit())):
                count = parse_count(value)
                if count is not None:
                    ctx.facts.add(self.fact, count)
                return


@dataclass(kw_only=True)
class Attribution(LineRule):
    """A source line ("Source : news.yahoo.com"). The named group ``source`` moves to ``attribution``."""

    kind: ClassVar[str] = "attribution"
    fact: str = "attribution"
    zone: str = "tail"

    def __post_init__(self) -> None:
        super().__post_init__()
        if "source" not in self.regex.groupindex:
            raise RuleError(f"{self.id}: an attribution pattern needs a named group (?P<source>…) "
                            "(source2, source3… in other branches)")

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "fact": self.fact}

    def fullmatch(self, text: str) -> re.Match[str] | None:
        # A source is a name ("The Conversation", "portalu Onet", "nos.nl"), not a clause: a line whose "source"
        # starts with a word in lower case or a number and holds many words in lower case is a sentence that
        # begins like a credit ("Dzięki uprzejmości muzeum dzieła zostaną pokazane w Krakowie."). A name may be
        # followed by a clause of its own ("… in The Guardian and is republished here with permission").
        match = self.regex.fullmatch(text)
        if match is None:
            return None
        source = _matched_source(match)
        if source and _is_clause(source):
            return None
        return match

    def harvest(self, match: re.Match[str], ctx: CleaningContext) -> None:
        source = _matched_source(match)
        if source:
            ctx.facts.add(self.fact, source)


CLAUSE_WORDS = 5  # a source with this many words in lower case is a clause, not a publisher's name
_WORD_START = re.compile(r"(?<![\w.@/-])[^\W\d_][\w'’-]*(?![\w.@/])")
_ADDRESS_TOKEN = re.compile(r"[.@/]\w")


def _is_clause(source: str) -> bool:
    """Whether an attribution's source reads as a clause: it opens with a number or a lower-case word that is no
    address, and holds CLAUSE_WORDS words in lower case or more."""
    first = source.split(None, 1)[0]
    opens_clause = first[0].isdigit() or (first[0].islower() and not _ADDRESS_TOKEN.search(first))
    return opens_clause and sum(w[0].islower() for w in _WORD_START.findall(source)) >= CLAUSE_WORDS


def _matched_source(match: re.Match[str]) -> str | None:
    """The source an attribution pattern matched: alternatives name their groups source, source2…"""
    for name, value in match.groupdict().items():
        if value is not None and name.startswith("source") and (name == "source" or name[6:].isdigit()):
            return value.strip(" .:;-–—")
    return None


@dataclass(kw_only=True)
class StripPrefix(LineRule):
    """Clutter glued to the start of a line ("151.jpgBush …"). The named group ``value`` is harvested."""

    kind: ClassVar[str] = "strip-prefix"
    zone: str = "head"
    max_words: int = 10_000
    fact: str | None = "images"

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "fact": self.fact}

    def apply(self, lines: list[Line], ctx: CleaningContext) -> list[Edit]:
        edits = []
        rid = self.id
        for ln in self.candidates(lines):
            if rid in ln.misses:  # its text has no prefix to strip (a stripped line's text is new)
                continue
            m = self.regex.match(ln.text)
            if m is None or m.end() == 0:
                ln.misses.add(rid)
                continue
            rest = ln.text[m.end():].lstrip()
            if not rest:  # the whole line is the prefix: that is a drop-line's job, not ours
                ln.misses.add(rid)
                continue
            if self.fact:
                value = m.group("value") if "value" in self.regex.groupindex else m.group(0)
                if value and value.strip():
                    ctx.facts.add(self.fact, value.strip())
            edit = self._edit(ln, ln.text[: m.end()], action="strip")
            ln.replace_text(rest)
            ctx.text_changed()
            edits.append(edit)
        return edits


# A token of a line: a number ("12", "1,234", "1.2k") or a word (letters and digits, with inner ' ’ or -).
_TOKEN = re.compile(r"\d[\d.,]*[kKmM]?(?![^\W_])|[^\W_]+(?:['’-][^\W_]+)*")
_NUMBER = re.compile(r"\d[\d.,]*[km]?")
# Roles of the tokens that make a row (fillers, joiners and numbers do not).
_MAKERS = frozenset({"word", "counted", "fact"})

# What a row of buttons may hold besides its words: spaces and separators. Anything else left once the
# words are taken out (code, markup, sums, a puzzle's dots) means the line is something else.
# (and the icons that share, listen and print buttons carry: "🎧 Listen", "✉ Email")
_SEPARATORS = frozenset(" \t|•·/,:;–—-()[]!+…»«›‹→←>*\"'“”„‘’&@🎧🔊🔉📢✉📧📩🖨🔗📤💬🔖📌\ufe0f")


def foreign_marks(text: str) -> bool:
    """Whether the line holds characters no row of buttons does: besides separators, only an ellipsis or
    a closing full stop may stay once its words are taken out; a call like "print(e)" is code."""
    if re.search(r"\w\(", text):
        return True
    rest = _TOKEN.sub(" ", text).replace("...", " ").rstrip()
    rest = rest[:-1] if rest.endswith(".") else rest
    return any(ch not in _SEPARATORS for ch in rest)


def glued_parts(token: str) -> list[str]:
    """A token cut where share buttons glue their labels together: before a capital that follows a small
    letter ("TwitterFacebook", "ThisBlogThis"), and between digits and letters ("2Kommentare")."""
    parts, start = [], 0
    for i in range(1, len(token)):
        a, b = token[i - 1], token[i]
        if (b.isupper() and a.islower()) or (a.isdigit() != b.isdigit()):
            parts.append(token[start:i])
            start = i
    parts.append(token[start:])
    return parts


@dataclass(kw_only=True)
class TokenLine(Rule):
    """A recogniser: a short line every token of which belongs to the pack's vocabulary classes.

    Not a list of phrases but a category: a line made only of call-to-action, channel and counter words
    ("Share on Facebook | Tweet | Email", "12 Kommentare", "Teilen Drucken Mailen") is a row of buttons or
    a counter, in whatever order or punctuation the site prints it. Classes named in ``words`` make a
    line (one such token at least); ``fillers`` may stand between them but never make a line alone, and
    at most ``max_filler_share`` of the tokens are fillers; a number (or a ``zero_words`` word) is allowed
    only next to a word of a ``numbers_with`` class. A token glued from known words ("TwitterFacebook") is
    read as its parts. A line that ends with a question mark is a question and stays ("Teilen Sie diese
    Ansicht?"), and one word outside the vocabulary ("Share prices fell") keeps the line. The edit's detail
    gives the tokens counted, which ``presswash explain`` shows.
    """

    kind: ClassVar[str] = "token-line"
    words: list = field(default_factory=list)  # vocabulary classes whose words make a line
    fillers: list = field(default_factory=list)  # classes allowed between them, never alone
    numbers_with: list = field(default_factory=list)  # classes whose words may carry a number
    zero_words: list = field(default_factory=list)  # classes read as the number 0 ("no", "keine")
    fact_with: list = field(default_factory=list)  # classes whose number becomes ``fact``
    joiners: list = field(default_factory=list)  # conjunctions: only between two such words, on a line of 3+
    tail_alone: list = field(default_factory=list)  # classes whose word alone counts only at the end
    list_need: list = field(default_factory=list)  # classes one of which a list item ("- …") must hold
    fact: str = "comment_count"
    zone: str = "any"
    zone_lines: int = 5
    alone_lines: int | None = None  # the last lines where a tail_alone word alone counts (zone_lines if unset)
    max_words: int = 12
    max_filler_share: float = 0.75
    vocabulary: dict = field(default_factory=dict)  # the pack's [vocabulary]; given by the pack loader
    classes: dict = field(init=False, repr=False)  # folded word -> its role
    longest: int = field(init=False, repr=False)
    zero_fillers: frozenset = field(init=False, repr=False)
    kinds: dict = field(init=False, repr=False)

    def __post_init__(self) -> None:
        check_zone(self.id, self.zone)
        if not self.words:
            raise RuleError(f"{self.id}: a token-line rule needs 'words', the vocabulary classes that make a line")
        roles = (("joiner", self.joiners), ("filler", self.fillers), ("zero", self.zero_words),
                 ("word", self.words), ("counted", self.numbers_with), ("fact", self.fact_with))
        for role, names in (("tail_alone", self.tail_alone), ("list_need", self.list_need)):
            if not set(names) <= set(self.words):
                raise RuleError(f"{self.id}: '{role}' names classes that are not in 'words'")
        self.classes = {}
        for role, names in roles:  # later roles win: a counted word is also a word, a fact word also counted
            if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
                raise RuleError(f"{self.id}: '{role}' classes must be a list of vocabulary names")
            for name in names:
                if name not in self.vocabulary:
                    raise RuleError(f"{self.id}: vocabulary class {name!r} is not in the pack's [vocabulary]")
                for word in self.vocabulary[name]:
                    self.classes[fold_token(word)] = role
        for name in self.numbers_with + self.fact_with:
            if name not in self.words:
                raise RuleError(f"{self.id}: class {name!r} takes a number, so it must also be in 'words'")
        self.longest = max((len(w) for w in self.classes), default=0)
        # The class each word comes from, for the guards that ask for a network or a counter.
        self.kinds = {fold_token(w): name for name in self.words for w in self.vocabulary[name]}
        # A zero word that is also a filler ("no" in "Compartilhe no WhatsApp") is a filler on a line with
        # no counted word.
        self.zero_fillers = frozenset(fold_token(w) for n in self.zero_words for w in self.vocabulary[n]) & \
            frozenset(fold_token(w) for n in self.fillers for w in self.vocabulary[n])

    def describe(self) -> dict[str, Any]:
        return {"words": self.words, "fillers": self.fillers, "numbers_with": self.numbers_with,
                "zone": self.zone, "max_words": self.max_words, "max_filler_share": self.max_filler_share,
                **({"zone_lines": self.zone_lines} if self.zone != "any" else {}),
                **({"alone_lines": self.alone_lines} if self.alone_lines is not None else {})}

    candidates = LineRule.candidates

    def roles(self, text: str) -> list[tuple[str, str]] | None:
        """(token, role) for each token of the line, or None when a token is outside the vocabulary."""
        out: list[tuple[str, str]] = []
        for found in _TOKEN.finditer(text):  # one at a time: most lines stop at their first word
            raw = found.group()
            token = fold_token(raw)
            role = self._role(token)
            if role is not None and len(token) == 1 and role not in ("filler", "number") and not raw.isupper():
                return None
            if role is not None:
                out.append((token, role))
                continue
            if len(raw) > 4 * self.longest:  # no row of labels glues that many together
                return None
            if raw.isalpha() and raw[1:].islower():  # no digit and no capital after the first letter: one part
                return None
            split = self._segment([fold_token(p) for p in glued_parts(raw)])
            if split is None:
                return None
            out += split
        return out

    def _role(self, token: str) -> str | None:
        role = self.classes.get(token)
        if role is None and _NUMBER.fullmatch(token):
            return "number"
        return role

    def _segment(self, parts: list[str]) -> list[tuple[str, str]] | None:
        """Glued parts read as known tokens, joining neighbours where a word was cut ("Whats"+"App"), or None."""
        if len(parts) < 2:
            return None
        best: list[list[tuple[str, str]] | None] = [[]] + [None] * len(parts)
        for end in range(1, len(parts) + 1):
            for start in range(end - 1, -1, -1):
                if best[start] is None:
                    continue
                token = "".join(parts[start:end])
                if len(token) > self.longest and not token.isdigit():
                    break
                role = self._role(token)
                if role is not None:
                    best[end] = best[start] + [(token, role)]
                    break
        return best[-1]

    def score(self, text: str, in_tail: bool = True) -> tuple[bool, str]:
        """Whether the line is made of the vocabulary, and what was counted (the edit's detail).

        Besides the vocabulary: a question, a line with code or puzzle characters (``_FOREIGN``), a line that
        ends on a comma, or a list item without a channel or a counter, is not a button row; a line with
        one such word and no number ("TikTok" or "Comments", headings in an article) counts only in the
        last ``zone_lines`` lines, and one-letter labels ("X", a capital: "x" is a variable) never alone."""
        stripped = text.rstrip()
        if stripped.endswith(("?", "¿", "？", ",", ";")):
            return False, ""
        roles = self.roles(text)
        if not roles or foreign_marks(stripped):
            return False, ""
        makers = [t for t, r in roles if r in _MAKERS]
        if all(len(t) == 1 for t in makers):
            return False, ""
        for i, (_, role) in enumerate(roles):
            if role == "joiner" and (len(makers) < 3 or not 0 < i < len(roles) - 1
                                     or roles[i - 1][1] not in _MAKERS or roles[i + 1][1] not in _MAKERS):
                return False, ""
        kinds = {self.kinds.get(t) for t in makers}
        if self.list_need and _LIST_ITEM.match(text) and not kinds & set(self.list_need):
            return False, ""
        if (len(makers) == 1 and not in_tail and kinds <= set(self.tail_alone)
                and not any(r in ("number", "zero") for _, r in roles)):
            return False, ""
        if not any(r in ("counted", "fact") for _, r in roles):
            roles = [(t, "filler" if r == "zero" and t in self.zero_fillers else r) for t, r in roles]
        count = {r: 0 for r in ("word", "counted", "fact", "filler", "number", "zero")}
        for _, role in roles:
            count["filler" if role == "joiner" else role] += 1
        makers = count["word"] + count["counted"] + count["fact"]
        numbers = count["number"] + count["zero"]
        if makers == 0 or count["filler"] > self.max_filler_share * len(roles):
            return False, ""
        if numbers and not (count["counted"] + count["fact"]):
            return False, ""
        detail = f"{len(roles)}/{len(roles)} tokens in the vocabulary: {makers} action/channel/counter"
        if count["filler"]:
            detail += f", {count['filler']} filler"
        if numbers:
            detail += f", {numbers} number"
        return True, detail

    def apply(self, lines: list[Line], ctx: CleaningContext) -> list[Edit]:
        edits = []
        kept = [ln for ln in lines if ln.removed_by is None]
        alone = self.zone_lines if self.alone_lines is None else self.alone_lines
        tail = {id(ln) for ln in kept[-alone:]} if alone > 0 else set()  # 0: a word alone never counts
        short = ctx.within(lines, self.max_words) if self.zone == "any" else None
        for ln in (short if short is not None else self.candidates(lines)):
            if ln.removed_by is not None or self.id in ln.misses:
                continue
            if ln.words > self.max_words or not self.score(ln.text)[0]:
                ln.misses.add(self.id)  # not made of the vocabulary, wherever it stands
                continue
            ok, detail = self.score(ln.text, id(ln) in tail or self.under_a_row(ln, ctx))
            if not ok:
                continue
            self.harvest(ln.text, ctx)
            ln.removed_by = self._edit(ln, ln.text, detail=detail)
            edits.append(ln.removed_by)
        return edits

    def under_a_row(self, line: Line, ctx: CleaningContext) -> bool:
        """Whether the line just above (kept or removed) reads as a row of buttons: a lone "Facebook" under
        "Share this:" or under "Twitter" belongs to the same block, wherever it stands."""
        above = ctx.lines[line.index - 1] if ctx.lines and 0 < line.index <= len(ctx.lines) else None
        return above is not None and above.index == line.index - 1 and self.score(above.text)[0]

    def harvest(self, text: str, ctx: CleaningContext) -> None:
        """The number next to a ``fact_with`` word ("12 Kommentare", "Comments (4)") becomes the fact."""
        roles = self.roles(text) or []
        for i, (token, role) in enumerate(roles):
            if role not in ("number", "zero"):
                continue
            near = [r for _, r in roles[max(i - 1, 0):i] + roles[i + 1:i + 2]]
            if "fact" in near:
                value = 0 if role == "zero" else parse_count(token)
                if value is not None:
                    ctx.facts.add(self.fact, value)
                return


def fold_token(token: str) -> str:
    """A token as the vocabulary compares it: NFKC, case-folded, the typographic apostrophe made plain."""
    if token.isascii():
        return token.lower()
    return unicodedata.normalize("NFKC", token).casefold().replace("’", "'")


# How a line ends: a full sentence (closing quotes and brackets allowed), or an excerpt cut short.
_SENTENCE_END = re.compile(r"[.!][\"'”’»)\]]*\s*$")
_LIST_ITEM = re.compile(r"\s*([-–—•·*▪►]|\d{1,2}[.)])\s")
_CUT_EXCERPT_END = re.compile(r"(\.\.\.|…|\[\s*(…|\.\.\.)\s*\])[\"'”’»)\]]*\s*$")
# A teaser headline has at least this many words; a shorter line below a box of links (a counter, a label) ends it.
TEASER_MIN_WORDS = 3


# A lead-in: a short question or exclamation opening a line ("Have something to say?", "Liked it?"), then the rest.
_LEAD_IN = re.compile(r"\W{0,2}+(?P<lead>[^.!?\n]{1,60}?[?!]++)\s++(?P<rest>\S.*+)")


@dataclass(kw_only=True)
class PartsJudged(Rule):
    """A line in parts, judged by the pass's drop-line rules (``CleaningContext.rules``): when the parts that
    ``parts`` names would each be removed as a line where the line stands (a head or tail rule only in its zone),
    the whole line goes. Subclasses say how a line splits and which of its parts are judged."""

    reads_rules: ClassVar[bool] = True
    # What a line of this shape surely holds: the shared literal scan gives the rule those lines only.
    literal_words: ClassVar[tuple[str, ...]] = ()
    max_words: int = 25
    max_chars: ClassVar[int] = 400  # a longer line is no prompt, whatever its word count (one huge token)

    def idle_unless(self, scan: LiteralScan) -> int | None:
        return scan.bit(self) if self.max_words <= scan.max_words else None

    def parts(self, text: str) -> tuple[list[str], str] | None:
        """The parts to judge and what the edit says about the rest of the line, or None: not this shape."""
        raise NotImplementedError

    def apply(self, lines: list[Line], ctx: CleaningContext) -> list[Edit]:
        edits: list[Edit] = []
        judges: _Judges | None = None
        held = ctx.literal_lines(lines, self)
        for ln in (held if held is not None else lines):
            if not ln.kept or ln.words > self.max_words or self.id in ln.misses:
                continue
            split = self.parts(ln.text) if len(ln.text) <= self.max_chars else None
            if split is None:
                ln.misses.add(self.id)
                continue
            judges = judges or _Judges(ctx, lines)
            found = []
            for text in split[0]:
                judge = judges.judge(ln, text)
                if judge is None:
                    break
                found.append(judge.id)
            if len(found) < len(split[0]):
                if not judges.zoned:  # no zone left a rule out: later passes would find the same
                    ln.misses.add(self.id)
                continue
            ln.removed_by = self._edit(ln, ln.text, detail=f"{split[1]}{' | '.join(found)}")
            edits.append(ln.removed_by)
        return edits


class _Judges:
    """The pass's drop-line rules as judges of a part of a line: only those whose literals the part holds are tried
    (the shared literal scan says which), each where it may act (a head or tail rule in its zone)."""

    # The rules, their order and their literal numbers, per list of pass rules and scan (the engine keeps one list
    # per choice of packs): the entry holds both, so no other object takes their ids meanwhile.
    _sets: dict[tuple[int, int], tuple[Any, ...]] = {}

    def __init__(self, ctx: CleaningContext, lines: list[Line]):
        self.scan, self.lines = ctx.scan, lines
        key = (id(ctx.rules), id(ctx.scan))
        found = self._sets.get(key)
        if found is None:
            if len(self._sets) >= 64:
                self._sets.clear()
            rules = [r for r in ctx.rules if type(r) is DropLine]
            bits = {id(r): self.scan.bit(r) if self.scan is not None else None for r in rules}
            by_bit: dict[int, list[DropLine]] = {}
            for r in rules:
                if bits[id(r)] is not None:
                    by_bit.setdefault(bits[id(r)], []).append(r)
            found = self._sets[key] = (ctx.rules, ctx.scan, {id(r): i for i, r in enumerate(rules)},
                                       [r for r in rules if bits[id(r)] is None], by_bit)
        self.order, self.unscanned, self.by_bit = found[2], found[3], found[4]
        self.zones: dict[str, set[int]] = {}  # a head or tail rule's zone: the indexes of its lines in this pass
        self.zoned = False  # whether a zone left a rule out of the last judgement

    def judge(self, line: Line, text: str) -> DropLine | None:
        self.zoned = False
        part = Line(index=line.index, text=text)
        if self.scan is not None and len(text) <= _LITERAL_CHECK_CHARS:
            held = self.scan.holders(part.lower)
            rules = self.unscanned + [r for b in held for r in self.by_bit.get(b, ())]
            rules.sort(key=lambda r: self.order[id(r)])
        else:
            rules = self.unscanned + [r for found in self.by_bit.values() for r in found]
        for r in rules:
            if r.zone != "any":
                zone = self.zones.get(r.id)
                if zone is None:
                    zone = self.zones[r.id] = {z.index for z in r.candidates(self.lines)}
                if line.index not in zone:
                    self.zoned = True
                    continue
            if r.match(part, self.scan) is not None:
                return r
        return None


@dataclass(kw_only=True)
class LeadIn(PartsJudged):
    """A prompt that opens with a short question or exclamation and goes on with a sentence that is clutter on its
    own: "Have something to say? Leave a comment below.", "Want more? Follow us on Instagram." The rest of the line
    after a lead of at most ``lead_max_words`` words is judged; the lead is not judged by its words: a question that
    opens article text ("Why does it matter? The council voted …") keeps its line, as the rest matches no rule."""

    kind: ClassVar[str] = "lead-in"
    literal_words: ClassVar[tuple[str, ...]] = ("?", "!")
    lead_max_words: int = 6

    def describe(self) -> dict[str, Any]:
        return {"max_words": self.max_words, "lead_max_words": self.lead_max_words}

    def parts(self, text: str) -> tuple[list[str], str] | None:
        m = _LEAD_IN.fullmatch(text)
        if m is None or word_count(m["lead"]) > self.lead_max_words:
            return None
        return [m["rest"]], f"after {m['lead']!r}, the rest: "


# Parts of a row of links or prompts: a bar, a dot, a bullet, a slash or a dash with spaces on both sides.
_PART_SEPARATOR = re.compile(r"[ \t\xa0]{1,3}[|·•/–—-][ \t\xa0]{1,3}")  # (bounded: no scan of a long run of spaces)


@dataclass(kw_only=True)
class JoinedParts(PartsJudged):
    """A row of prompts or links joined by separators, each of which is clutter on its own: "Share this article |
    Leave a comment below", "Download our app / Follow us on X". The line is split at a bar, dot, bullet, slash or
    dash with spaces around it into 2 to ``max_parts`` parts, and every part is judged. One part that no rule takes
    keeps the line ("Smith – who leads the council – said …")."""

    kind: ClassVar[str] = "joined-parts"
    literal_words: ClassVar[tuple[str, ...]] = (" | ", " · ", " • ", " / ", " - ", " – ", " — ")
    max_parts: int = 6

    def describe(self) -> dict[str, Any]:
        return {"max_words": self.max_words, "max_parts": self.max_parts}

    def parts(self, text: str) -> tuple[list[str], str] | None:
        parts = [p for p in map(str.strip, _PART_SEPARATOR.split(text)) if p]
        return (parts, "each part alone: ") if 2 <= len(parts) <= self.max_parts else None


@dataclass(kw_only=True)
class TruncateTail(LineRule):
    """A related-posts heading near the end: the heading and the teasers after it go.

    Guards: at least ``min_words_before`` words of article above; the tail is no longer than the text
    above it; every line below is teaser-sized; there are at most ``max_teaser_lines`` of them; and no two
    of them in a row read as article paragraphs (not a list item, ``prose_min_words`` words or more, ending
    with a full stop rather than the ellipsis of a cut excerpt). The last guard keeps an inline "Related
    Posts" box in the middle of an article from taking the short paragraphs after it, while a teaser with a
    one-sentence blurb is still cut. Sentences at the very end below a line too short to be a teaser (a
    counter: "12 Comments") stay (``trailing_prose``): the box ended above them.
    """

    kind: ClassVar[str] = "truncate-tail"
    max_words: int = 6
    min_words_before: int = 40
    teaser_max_words: int = 45
    max_teaser_lines: int = 40
    prose_min_words: int = 12  # 0 turns the prose guard off

    def describe(self) -> dict[str, Any]:
        return {
            "pattern": self.written or self.pattern,
            "min_words_before": self.min_words_before,
            "teaser_max_words": self.teaser_max_words,
            "max_teaser_lines": self.max_teaser_lines,
            "prose_min_words": self.prose_min_words,
            **({"signature": True} if self.signature else {}),
        }

    def is_prose(self, text: str) -> bool:
        """A line that reads as article text: not a list item, long enough, and it ends a sentence (not a
        cut excerpt)."""
        return (
            self.prose_min_words > 0
            and _LIST_ITEM.match(text) is None
            and word_count(text) >= self.prose_min_words
            and _SENTENCE_END.search(text) is not None
            and _CUT_EXCERPT_END.search(text) is None
        )

    def heading(self, line: Line, scan: LiteralScan | None = None) -> bool:
        """Whether the line is this rule's heading; a line that is not is remembered (``Line.misses``)."""
        if self.match(line, scan):
            return True
        line.misses.add(self.id)
        return False

    def has_prose_run(self, tail: list[Line]) -> bool:
        """Two article-like paragraphs in a row: the text below the heading goes on with the article."""
        flags = [self.is_prose(t.text) for t in tail]
        return any(a and b for a, b in zip(flags, flags[1:]))

    def trailing_prose(self, tail: list[Line]) -> int:
        """How many lines at the end of the text read as prose below a line too short to be a teaser (a counter,
        a label: "12 Comments"): the box of links ended above that line, and a sentence after it is not a
        teaser's blurb. Below a teaser, a sentence is its blurb and goes with it (0)."""
        count = 0
        for line in reversed(tail):
            if not self.is_prose(line.text):
                break
            count += 1
        if count == 0 or count == len(tail) or tail[-count - 1].words >= TEASER_MIN_WORDS:
            return 0
        return count

    def idle_unless(self, scan: LiteralScan) -> int | None:
        if type(self).apply is not TruncateTail.apply or self.literals is None or self.max_words > scan.max_words:
            return None
        return scan.bit(self)

    def apply(self, lines: list[Line], ctx: CleaningContext) -> list[Edit]:
        held = ctx.literal_lines(lines, self) if self.literals is not None else None
        if held is not None:  # a heading is among the lines holding a literal
            heads = {ln.index for ln in held if ln.words <= self.max_words}
            if not heads:
                return []
        elif ctx.none_within(lines, self.max_words, self.literal_words):
            return []  # no short line holds the words a heading needs
        kept = [ln for ln in lines if ln.removed_by is None]
        words_before = 0
        for pos, ln in enumerate(kept):
            if (words_before >= self.min_words_before and self.id not in ln.misses
                    and (held is None or ln.index in heads) and self.heading(ln, ctx.scan)):
                tail = kept[pos + 1:]
                tail_words = sum(t.words for t in tail)
                if (
                    len(tail) <= self.max_teaser_lines
                    and tail_words <= words_before
                    and all(t.words <= self.teaser_max_words for t in tail)
                    and not self.has_prose_run(tail)
                ):
                    edits = []
                    for t in kept[pos:len(kept) - self.trailing_prose(tail)]:
                        t.removed_by = self._edit(t, t.text)
                        edits.append(t.removed_by)
                    return edits
            words_before += ln.words
        return []


# What a line that reads as prose ends with: a full stop, "!" or "?" (closing quotes and brackets allowed).
_PROSE_END = re.compile(r"[.!?。！？][\"'”’»)\]]*$")
# A web or mail address, a handle or a bare domain ("example.com", "news.example.co.uk"): lower case only, so
# a sentence's "U.S." or "e.g." is none.
_ADDRESS = re.compile(r"https?://|www\.|\S@\S|(?<![\w.])@\w|\b[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\.[a-z]{2,12}\b")


def has_address(text: str) -> bool:
    """Whether the text holds a web or mail address, a handle or a bare domain (``_ADDRESS``). Each of those
    holds ".", "@" or ":"; most short lines hold none, and the regex is slow to say so."""
    return ("." in text or "@" in text or ":" in text) and _ADDRESS.search(text) is not None


# A date closing a line, in brackets or after a dash or bar: "(2021-03-03)", "– 12. Juni 2019", "| March 3, 2021".
_DATE = r"\d{1,4}[./-]\d{1,2}[./-]\d{1,4}|\d{1,2}\.?\s++[^\W\d_]++\.?\s++\d{4}|[^\W\d_]++\.?\s++\d{1,2},?\s++\d{4}"
_TRAILING_DATE = re.compile(rf"\s*+(?:[(\[]\s*+(?:{_DATE})\s*+[)\]]|[–—|-]\s*+(?:{_DATE}))$")
# A separator standing alone between a row's parts ("Home | News", "Politics › Europe", "More »").
_RUN_SEPARATOR = re.compile(r"(?:^|\s)[|•·»«›‹→←►▪◆★/>]+(?:\s|$)")
RUN_PLACES = ("between", "tail", "box")


def _first_letter(text: str) -> str:
    return next((ch for ch in text if ch.isalpha()), "")


def _starts_upper(text: str) -> bool:
    """Whether the line has a letter and its first is not a small one (a capital, or a script without case)."""
    first = _first_letter(text)
    return bool(first) and not first.islower()


@dataclass(kw_only=True)
class ClutterRun(Rule):
    """A line that is not prose, inside a run of clutter the other rules removed: clutter too, whatever its words.

    Sites print clutter in runs: below the article the source line, copyright, post footer, share row,
    follow and newsletter prompts, related box and comments follow each other; ad labels and read-more lines
    sit between paragraphs. This kind recognises a line by its place and its shape, not by a phrase:

    - ``place = "between"``: a block of at most ``max_gap_lines`` kept lines with a removed clutter line
      right above and right below it, every line of it not prose (not the entries of a list that one label,
      removed ``list_labels`` times or more, frames);
    - ``place = "tail"``: the lines after the article's last prose line (or last line over ``max_words``)
      that lie below a removed clutter line, and the ``max_lines_above`` nearest above it; at most
      ``max_tail_lines`` lines, below at least ``min_words_before`` words of article;
    - ``place = "box"``: the text's last kept lines, when they are a box of links whatever its heading says:
      right below the article's last paragraph, a heading of at most ``heading_max_words`` words with no
      sentence end and no colon inside it, then ``min_teasers`` to ``max_teasers`` headline-shaped lines
      (``TEASER_MIN_WORDS`` to ``max_words`` words, no sentence end or cut excerpt's ellipsis, not a list's
      entry) and nothing else.

    "Not prose" is decided by shape alone (``prose_shape``): few words or no sentence end on a short line
    that starts with a capital, an address or a domain, a separator standing alone, mostly capitalised words,
    or mostly numbers. A line the headline rule removed (``CleaningContext.not_clutter``) starts no run, nor
    does one a clutter run removed (``CleaningContext.run_rules``). The engine runs these rules once the other
    rules found nothing more (``engine.run_context_rules``), and the edit's detail says what it saw.
    """

    kind: ClassVar[str] = "clutter-run"
    needs_context: ClassVar[bool] = True
    place: str = "tail"
    max_words: int = 15  # a longer line is never taken, and ends the tail run as prose does
    prose_min_words: int = 4
    label_max_words: int = 8  # a longer line without a sentence end is running text, not a label
    max_capital_share: float = 0.75  # of the words after the first
    max_number_share: float = 0.5  # of the tokens
    max_gap_lines: int = 2
    list_labels: int = 3  # copies of one removed label that make the lines between them a list's entries
    max_tail_lines: int = 12
    max_lines_above: int = 0  # run lines above the first removed clutter line that may go (the article's end)
    min_words_before: int = 40
    heading_max_words: int = 6  # place "box": its heading
    min_teasers: int = 2
    max_teasers: int = 8
    paragraph_words: int = 12  # the line above its heading is a paragraph of at least this many words

    def __post_init__(self) -> None:
        if self.place not in RUN_PLACES:
            raise RuleError(f"{self.id}: place must be one of {', '.join(RUN_PLACES)}, not {self.place!r}")

    def describe(self) -> dict[str, Any]:
        out: dict[str, Any] = {"place": self.place, "max_words": self.max_words,
                               "prose_min_words": self.prose_min_words, "label_max_words": self.label_max_words,
                               "max_capital_share": self.max_capital_share,
                               "max_number_share": self.max_number_share}
        if self.place == "between":
            out.update(max_gap_lines=self.max_gap_lines, list_labels=self.list_labels)
        elif self.place == "box":
            out.update(heading_max_words=self.heading_max_words, min_teasers=self.min_teasers,
                       max_teasers=self.max_teasers, paragraph_words=self.paragraph_words,
                       min_words_before=self.min_words_before)
        else:
            out.update(max_tail_lines=self.max_tail_lines, max_lines_above=self.max_lines_above,
                       min_words_before=self.min_words_before)
        return out

    def prose_shape(self, text: str) -> str:
        """Why the line is not prose ("3 words, no sentence end"), or "" when it reads as prose.

        Few words, or no sentence end on a line of at most ``label_max_words`` words, say "a label" only on a
        line that starts with a capital or a sign: one that starts with a small letter goes on with running
        text. An address, a separator standing alone, mostly capitalised words or mostly numbers say it on
        any line."""
        tokens = _TOKEN.findall(text)
        if not tokens:
            return "no words"
        why = []
        if not _first_letter(text).islower():
            if len(tokens) < self.prose_min_words:
                why.append(f"{len(tokens)} word{'s' if len(tokens) > 1 else ''}")
            stripped = text.rstrip()
            # A teaser's date after its headline ("… (2021-03-03)", "… – 12. Juni 2019") does not make it longer.
            dated = _TRAILING_DATE.search(stripped)
            label_words = len(_TOKEN.findall(stripped[:dated.start()])) if dated else len(tokens)
            if label_words <= self.label_max_words and (
                    _PROSE_END.search(stripped) is None or _CUT_EXCERPT_END.search(stripped) is not None):
                why.append("no sentence end")
        if has_address(text):
            why.append("an address")
        if _RUN_SEPARATOR.search(text):
            why.append("a separator")
        words = [t for t in tokens[1:] if t[0].isalpha()]
        capitals = sum(1 for t in words if t[0].isupper())
        if len(words) >= 2 and capitals > self.max_capital_share * len(words):
            why.append(f"{capitals}/{len(words)} capitalised")
        numbers = sum(1 for t in tokens if t[0].isdigit())
        if numbers > self.max_number_share * len(tokens):
            why.append(f"{numbers}/{len(tokens)} numbers")
        return ", ".join(why)

    def apply(self, lines: list[Line], ctx: CleaningContext) -> list[Edit]:
        doc = ctx.lines if ctx.lines is not None else lines
        if self.place == "box":  # the box's shape is its own proof: no other clutter is needed
            return self._box(doc, ctx)
        if not any(self._clutter(ln, ctx) for ln in doc):
            return []
        return self._between(doc, ctx) if self.place == "between" else self._tail(doc, ctx)

    def needs_removals(self) -> bool:
        return self.place != "box"

    def _clutter(self, line: Line, ctx: CleaningContext) -> bool:
        """Whether another rule removed the line as clutter (a line a clutter run removed starts no run)."""
        edit = line.removed_by
        return edit is not None and edit.rule not in ctx.not_clutter and edit.rule not in ctx.run_rules

    def _edits(self, taken: list[tuple[Line, str]], where: str, ctx: CleaningContext) -> list[Edit]:
        edits = []
        for ln, shape in taken:
            ln.removed_by = self._edit(ln, ln.text, detail=f"not prose: {shape}; {where}")
            edits.append(ln.removed_by)
        if edits:
            ctx.run_rules.add(self.id)
        return edits

    def _between(self, doc: list[Line], ctx: CleaningContext) -> list[Edit]:
        edits: list[Edit] = []
        above: Line | None = None  # the clutter line above the current gap
        gap: list[Line] = []
        # A label removed after every entry of a list ("Title / Authors / Read More", again and again) frames
        # the entries, which are content: a gap between two copies of a label seen list_labels times stays.
        labels = Tally(ln.text for ln in doc if self._clutter(ln, ctx))
        for ln in doc:
            if ln.kept:
                gap.append(ln)
            elif ln.removed_by.rule in ctx.run_rules:
                continue  # taken by a clutter run: part of the run, neither a gap line nor its end
            elif not self._clutter(ln, ctx):
                above, gap = None, []
            else:
                if (above is not None and 0 < len(gap) <= self.max_gap_lines
                        and not (above.text == ln.text and labels[ln.text] >= self.list_labels)):
                    shapes = [self.prose_shape(g.text) if g.words <= self.max_words else "" for g in gap]
                    if all(shapes):
                        where = f"between lines removed by {above.removed_by.rule} and {ln.removed_by.rule}"
                        edits += self._edits(list(zip(gap, shapes)), where, ctx)
                above, gap = ln, []
        return edits

    def _box(self, doc: list[Line], ctx: CleaningContext) -> list[Edit]:
        kept = [ln for ln in doc if ln.kept]
        top = len(kept)  # where the headlines start, walking up from the end
        while top > 0 and self._teaser_shaped(kept[top - 1]):
            top -= 1
        if top > 0 and not self._paragraph(kept[top - 1]):
            top -= 1  # a heading too short to be a headline ("Elsewhere")
        if not 0 < top < len(kept) or not self._paragraph(kept[top - 1]):
            return []
        heading, teasers = kept[top], kept[top + 1:]
        label = heading.text.rstrip()
        if not (heading.words <= self.heading_max_words and _starts_upper(label) and ":" not in label[:-1]
                and _PROSE_END.search(label) is None):
            return []
        if not self.min_teasers <= len(teasers) <= self.max_teasers:
            return []
        if sum(ln.words for ln in kept[:top]) < self.min_words_before:
            return []
        taken = [(heading, "a heading")] + [(ln, "a headline") for ln in teasers]
        return self._edits(taken, f"a box of {len(teasers)} links after the last paragraph", ctx)

    def _paragraph(self, line: Line) -> bool:
        return line.words >= self.paragraph_words and _PROSE_END.search(line.text.rstrip()) is not None

    def _teaser_shaped(self, line: Line) -> bool:
        """A headline: TEASER_MIN_WORDS to max_words words from a capital, no sentence end and no cut excerpt's
        ellipsis (cards of products and offers have those), not a list's entry."""
        stripped = line.text.rstrip()
        return (TEASER_MIN_WORDS <= line.words <= self.max_words and _starts_upper(stripped)
                and _LIST_ITEM.match(stripped) is None and _PROSE_END.search(stripped) is None
                and _CUT_EXCERPT_END.search(stripped) is None)

    def _tail(self, doc: list[Line], ctx: CleaningContext) -> list[Edit]:
        run: list[tuple[Line, str]] = []  # kept lines after the last prose line, bottom up
        removed: list[str] = []
        top = -1  # the highest line another rule removed as clutter below the boundary
        taken_above = 0  # lines above it a clutter run took already
        boundary = -1
        for ln in reversed(doc):
            if not ln.kept:
                if ln.removed_by.rule in ctx.run_rules:
                    taken_above += 1
                elif self._clutter(ln, ctx):
                    top, taken_above = ln.index, 0
                    if ln.removed_by.rule not in removed:
                        removed.append(ln.removed_by.rule)
                continue
            shape = self.prose_shape(ln.text) if ln.words <= self.max_words else ""
            if not shape:
                boundary = ln.index
                break
            run.append((ln, shape))
        if boundary < 0 or top < 0 or len(run) > self.max_tail_lines:
            return []
        if sum(ln.words for ln in doc[:boundary + 1] if ln.kept) < self.min_words_before:
            return []
        # The run's lines below the highest removed clutter line, and the max_lines_above nearest above it
        # (the article's end may be there: a signature, a note), counting those a clutter run took already.
        taken = [t for t in run if t[0].index > top]
        taken += [t for t in run if t[0].index < top][:max(self.max_lines_above - taken_above, 0)]
        where = f"after the last prose line, with lines removed by {', '.join(reversed(removed))}"
        return self._edits(sorted(taken, key=lambda t: t[0].index), where, ctx)


@dataclass(kw_only=True)
class RepeatedTitle(Rule):
    """The headline repeated as a line at the top of the text (extractors often keep the <h1>)."""

    kind: ClassVar[str] = "repeated-title"
    zone_lines: int = 3

    def describe(self) -> dict[str, Any]:
        return {"zone": "head", "zone_lines": self.zone_lines}

    def apply(self, lines: list[Line], ctx: CleaningContext) -> list[Edit]:
        if not ctx.title:
            return []
        title = ctx.folded_title()
        if not title:
            return []
        edits = []
        seen = 0
        for ln in lines:
            if seen >= self.zone_lines:
                break
            if not ln.kept:
                continue
            if ctx.folded(ln.text) == title:
                ln.removed_by = self._edit(ln, ln.text)
                ctx.not_clutter.add(self.id)
                edits.append(ln.removed_by)
            else:
                seen += 1
        return edits


@dataclass(kw_only=True)
class DropBlock(Rule):
    """An element of the page tree dropped before extraction.

    Found either by ``selector`` (any CSS selector: general, but one tree search per rule) or by the fast
    form: ``tags`` plus ``class_match`` / ``id_match`` regexes searched in the class and id attributes.
    Fast-form rules share one scan of the elements that have a class or an id, which keeps a pack of
    many rules cheap. Guarded by ``max_words`` and ``max_share``: a block that big probably holds the
    article itself.
    """

    kind: ClassVar[str] = "drop-block"
    stage: ClassVar[str] = "dom"
    selector: str = ""
    tags: list = field(default_factory=list)
    class_match: str = ""
    id_match: str = ""
    max_words: int = 150
    max_share: float = 0.4  # of the page's words
    xpath: Any = field(init=False, repr=False)
    tag_set: frozenset = field(init=False, repr=False)
    class_re: re.Pattern[str] | None = field(init=False, repr=False)
    id_re: re.Pattern[str] | None = field(init=False, repr=False)

    def __post_init__(self) -> None:
        fast = bool(self.tags or self.class_match or self.id_match)
        if self.selector and fast:
            raise RuleError(f"{self.id}: give either 'selector' or 'tags'/'class_match'/'id_match', not both")
        if not self.selector and not (self.class_match or self.id_match):
            raise RuleError(f"{self.id}: a drop-block rule needs 'selector', or 'class_match' or 'id_match'")
        self.xpath = None
        if self.selector:
            from lxml.cssselect import CSSSelector, SelectorError

            try:
                self.xpath = CSSSelector(self.selector, translator="html")
            except SelectorError as exc:
                raise RuleError(f"{self.id}: bad CSS selector {self.selector!r}: {exc}") from None
        self.tag_set = frozenset(t.lower() for t in self.tags)
        self.class_re = _compile(self.class_match, True, self.id) if self.class_match else None
        self.id_re = _compile(self.id_match, True, self.id) if self.id_match else None

    @property
    def fast(self) -> bool:
        return self.xpath is None

    def describe(self) -> dict[str, Any]:
        found = ({"selector": self.selector} if self.selector else
                 {k: v for k, v in (("tags", self.tags), ("class_match", self.class_match),
                                    ("id_match", self.id_match)) if v})
        return {**found, "max_words": self.max_words, "max_share": self.max_share}

    def matches(self, el: Any) -> bool:
        """Fast form: does this element (one with a class or an id) match?"""
        if self.tag_set and el.tag not in self.tag_set:
            return False
        return self.matches_values(el.get("class"), el.get("id"))

    def matches_values(self, class_value: str | None, id_value: str | None) -> bool:
        """Fast form, the tag aside: do these class and id values match? Class names that say what an
        element holds rather than what it is (``without_state_classes``) are not read."""
        if self.class_re is not None and class_value and self.class_re.search(without_state_classes(class_value)):
            return True
        return self.id_re is not None and bool(id_value) and self.id_re.search(id_value) is not None

    def find(self, tree: Any, marked: list[Any] | None = None) -> list[Any]:
        if self.xpath is not None:
            return self.xpath(tree)
        if marked is None:
            marked = marked_elements(tree)
        return [el for el in marked if self.matches(el)]

    def apply_tree(self, tree: Any, page_words: int | Callable[[], int],
                   marked: list[Any] | None = None) -> list[Edit]:
        """Drop the matching blocks; ``page_words`` is the page's word count, or a function giving it."""
        root = tree.getroottree().getroot()
        edits = []
        for el in self.find(tree, marked):
            if el.getparent() is None or el.getroottree().getroot() is not root:
                continue  # already gone with a block removed before it
            text = " ".join(el.text_content().split())
            words = word_count(text)
            if words > self.max_words:
                continue
            total = page_words() if callable(page_words) else page_words
            if total and words > self.max_share * total:
                continue
            shown = block_text(el)  # the record's text of the block; `text` (as libxml2 joins it) decided
            remove_element(el)
            if text:
                edits.append(Edit(rule=self.id, name=self.name, text=shown, action="block"))
        return edits

    def apply(self, lines: list[Line], ctx: CleaningContext) -> list[Edit]:
        return []


# A class name, or its last BEM modifier ("o-section--has-ads"), that says what an element holds or lacks:
# "has-ads", "has-sharing", "with-share-bar", "no-social". A section that has an ad slot is not one.
_STATE_CLASS = re.compile(r"(?:has|with|without|no)[-_]")


def without_state_classes(class_value: str) -> str:
    """The class attribute's value less the names that say what the element holds (``_STATE_CLASS``)."""
    if "has" not in class_value and "with" not in class_value and "no" not in class_value:
        return class_value
    return " ".join(name for name in class_value.split() if not _STATE_CLASS.match(name.rpartition("--")[2]))


def marked_elements(tree: Any) -> list[Any]:
    """Elements with a class or an id, in document order: what fast-form block rules look at. (Filtering
    by tag in the XPath as well is slower: libxml2's self:: tests cost more than the Python check.) The
    same elements as ``//*[@class or @id]``, found in about half the time: ``//`` is
    descendant-or-self::node()/child::*, which libxml2 walks as a child step from every node of the page."""
    return tree.xpath("/descendant::*[@class or @id]")


# Elements that begin a new line where a browser shows them: their text never runs on into their neighbours'.
BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "br", "dd", "details", "dialog", "div", "dl", "dt", "fieldset",
    "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main",
    "nav", "ol", "p", "pre", "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
})
_NO_TEXT_TAGS = frozenset({"script", "style", "template"})


def block_text(element: Any) -> str:
    """The element's text as a reader sees it, squashed to single spaces: a space where a block begins or
    ends (BLOCK_TAGS), where ``text_content()`` glues a heading to the next line ("RelatedBudget talks…");
    no script or style text, no comments. libxml2 walks the subtree (iterwalk): about 0.13 ms a page for
    the blocks the DOM rules drop on WCXB dev pages."""
    if len(element) == 0:
        return "" if element.tag in _NO_TEXT_TAGS else " ".join((element.text or "").split())
    parts: list[str] = []
    for event, node in etree.iterwalk(element, events=("start", "end")):
        tag = node.tag if isinstance(node.tag, str) else None  # a comment or processing instruction: None
        if tag in BLOCK_TAGS:
            parts.append(" ")
        if event == "start":
            if tag is not None and tag not in _NO_TEXT_TAGS and node.text:
                parts.append(node.text)
        elif node is not element and node.tail:
            parts.append(node.tail)
    return " ".join("".join(parts).split())


def remove_element(el: Any) -> None:
    """Remove an element but keep its tail text, which belongs to the parent."""
    parent = el.getparent()
    tail = el.tail
    if tail and tail.strip():
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(el)


KINDS: dict[str, type[Rule]] = {
    cls.kind: cls
    for cls in (DropLine, Counter, Attribution, StripPrefix, TruncateTail, RepeatedTitle, DropBlock, TokenLine,
                ClutterRun, LeadIn, JoinedParts)
}

# The order in which kinds run inside one pass: cut the tail first, then whole lines, then prefixes.
# A token-line recogniser runs after the phrase rules, so a line both would take is credited to the phrase; a
# clutter run last (the engine runs it in a phase of its own, once the other rules found nothing more).
KIND_ORDER = ("truncate-tail", "attribution", "counter", "drop-line", "token-line", "lead-in", "joined-parts",
              "repeated-title", "strip-prefix", "clutter-run", "line-score")
