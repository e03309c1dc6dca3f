"""The data the cleaners pass around: lines of a document, edits (the audit trail) and the result."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Facts that rules may harvest from the clutter they remove, and how several values combine.
LIST_FACTS = frozenset({"images"})
SCALAR_FACTS = frozenset({"attribution", "comment_count", "share_count", "like_count"})
KNOWN_FACTS = LIST_FACTS | SCALAR_FACTS


@dataclass(frozen=True, slots=True)
class Edit:
    """One removal: which rule made it, what it removed, and where.

    ``line`` is the index of the line in the cleaner's input (after blank lines were dropped), or -1 for
    a block removed from the tree before extraction. ``action`` is ``drop`` (the whole line went),
    ``strip`` (a part of the line went) or ``block`` (an element of the tree went).
    """

    rule: str
    name: str
    text: str
    line: int = -1
    action: str = "drop"
    # What a recogniser that scores a line saw in it ("5/5 tokens: 3 action, 2 filler"); shown by explain.
    detail: str = ""

    def to_record(self) -> dict[str, Any]:
        return {"rule": self.rule, "text": self.text}


@dataclass(slots=True)
class Line:
    """A line of the document being cleaned. Removed lines stay in the list so positions stay stable."""

    index: int
    text: str
    removed_by: Edit | None = None
    # Word count of ``text``, computed once: every line rule checks its word cap on every pass.
    _words: int = field(default=-1, repr=False, compare=False)
    # Ids of the rules whose pattern does not match ``text`` (whatever the zone): later passes skip them.
    misses: set = field(default_factory=set, repr=False, compare=False)
    _lower: str | None = field(default=None, repr=False, compare=False)

    @property
    def kept(self) -> bool:
        return self.removed_by is None

    @property
    def words(self) -> int:
        words = self._words
        if words < 0:
            words = self._words = len(self.text.split())
        return words

    @property
    def lower(self) -> str:
        """The text lower-cased, for the rules' literal pre-checks."""
        if self._lower is None:
            self._lower = self.text.lower()
        return self._lower

    def replace_text(self, text: str) -> None:
        self.text = text
        self._words = -1
        self._lower = None
        self.misses = set()


@dataclass(slots=True)
class Facts:
    """Facts harvested from clutter: the first scalar value found wins; lists accumulate."""

    values: dict[str, Any] = field(default_factory=dict)

    def add(self, name: str, value: Any) -> None:
        if name in LIST_FACTS:
            bucket = self.values.setdefault(name, [])
            if value not in bucket:
                bucket.append(value)
        else:
            self.values.setdefault(name, value)

    def get(self, name: str, default: Any = None) -> Any:
        return self.values.get(name, default)


@dataclass(slots=True)
class CleanResult:
    """What the cleaners return: the clean text, the audit trail, harvested facts and document flags."""

    text: str
    edits: list[Edit]
    facts: dict[str, Any]
    flags: list[str]
    packs: list[str]
    lines: list[Line] = field(default_factory=list, repr=False)

    @property
    def removed_words(self) -> int:
        return sum(len(e.text.split()) for e in self.edits)
