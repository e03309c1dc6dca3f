"""A learned line scorer: the ``line-score`` rule kind.

A logistic regression over general features of a short line gives the probability that it is clutter: its
length, punctuation, the share of capitals, digits and symbols, separators, an address, where it stands,
whether the lines next to it were removed as clutter by other rules, and which vocabulary classes of the
categories pack it holds (the classes are read from that pack, never copied). No feature names a phrase.

The weights are a small JSON file beside the pack (``cleaners/packs/``): a ``version``, a description of the
data they were trained on, the feature names and one weight each. Scoring is a dot product in pure Python;
nothing is downloaded. ``benchmarks/train_scorer.py`` trains them (docs/rules.md#the-learned-pack).

The rule reads what the other rules removed, so the engine runs it with the clutter runs, once every other
rule found nothing more (``Rule.needs_context``). Its edits carry the score and the features that raised it
most (``Edit.detail``), which ``presswash explain`` shows.
"""

from __future__ import annotations

import json
import math
import re
import tomllib
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources
from typing import Any, ClassVar

from .model import Edit, Line
from .rules import (
    _CUT_EXCERPT_END,
    _PROSE_END,
    _RUN_SEPARATOR,
    _TOKEN,
    KINDS,
    CleaningContext,
    Rule,
    RuleError,
    check_zone,
    fold_token,
    has_address,
    parse_vocabulary,
)

# The shape features, each in [0, 1]; the vocabulary features ("vocab:<class>") follow, as the weights name them.
SHAPE_FEATURES = (
    "words", "one_word", "few_words", "chars", "sentence_end", "colon_end", "cut_end", "question", "starts_lower",
    "capitalised", "all_caps", "digits", "symbols", "separator", "address", "year", "comma", "quote",
    "head", "tail3", "tail10", "position", "above_removed", "below_removed", "between_removed", "prose_after",
    "little_before", "vocab_share", "vocab_any", "label", "near_removed", "label_near_removed", "vocab_label",
    "vocab_near_removed", "label_tail", "label_after_prose",
)
VOCAB_PREFIX = "vocab:"
# Letter n-grams of the line's words ("gram:<n-gram>", 3 to 5 letters of "<word>", digits as "0"): a learned
# vocabulary that reaches inflections and compounds the pack's classes do not list ("Kommentar-", "-abonnieren").
GRAM_PREFIX = "gram:"
GRAM_SIZES = (3, 4, 5)
_DIGIT = re.compile(r"\d")
_YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")
_QUOTE = re.compile(r"[\"“”„«»]")
_CLOSERS = "\"'“”„‘’«»‹›)] \u00a0"
PROSE_LINE_WORDS = 15  # a kept line this long is article text: "prose_after" asks for one below


@dataclass(frozen=True)
class Scorer:
    """Weights of a logistic regression over named features; ``score`` is its probability."""

    version: int
    description: str
    weights: dict[str, float]
    bias: float

    @classmethod
    def from_json(cls, data: dict[str, Any], origin: str) -> Scorer:
        try:
            names, values = data["features"], data["weights"]
            if len(names) != len(values) or not all(isinstance(n, str) for n in names):
                raise ValueError("'features' and 'weights' must be lists of the same length")
            unknown = [n for n in names
                       if n not in SHAPE_FEATURES and not n.startswith((VOCAB_PREFIX, GRAM_PREFIX))]
            if unknown:
                raise ValueError(f"unknown features {unknown}")
            return cls(int(data["version"]), str(data.get("description", "")),
                       {n: float(w) for n, w in zip(names, values)}, float(data["bias"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise RuleError(f"{origin}: not a line scorer's weights: {exc}") from None

    @property
    def classes(self) -> tuple[str, ...]:
        """The vocabulary classes the weights name."""
        return tuple(n[len(VOCAB_PREFIX):] for n in self.weights if n.startswith(VOCAB_PREFIX))

    @property
    def grams(self) -> frozenset[str]:
        """The letter n-grams the weights name (the featurizer computes n-grams only when there are some)."""
        return frozenset(n for n in self.weights if n.startswith(GRAM_PREFIX))

    def logit(self, features: dict[str, float]) -> float:
        weights = self.weights
        return self.bias + sum(weights.get(name, 0.0) * value for name, value in features.items() if value)

    def score(self, features: dict[str, float]) -> float:
        z = self.logit(features)
        return 1.0 / (1.0 + math.exp(-z)) if z > -500 else 0.0

    def top(self, features: dict[str, float], n: int = 3) -> list[tuple[str, float]]:
        """The ``n`` features that raise the score most, with what each adds to the logit."""
        parts = [(name, self.weights.get(name, 0.0) * value) for name, value in features.items() if value]
        return sorted((p for p in parts if p[1] > 0), key=lambda p: -p[1])[:n]


@cache
def builtin_scorer(name: str) -> Scorer:
    """A scorer's weights from the built-in packs' folder (read once per process; no network)."""
    if "/" in name or "\\" in name or not name.endswith(".json"):
        raise RuleError(f"weights {name!r}: give the name of a .json file in cleaners/packs/")
    path = resources.files("cleaners") / "packs" / name
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise RuleError(f"cleaners/packs/{name}: cannot read the weights: {exc}") from None
    return Scorer.from_json(data, f"cleaners/packs/{name}")


@cache
def pack_vocabulary(pack_file: str) -> dict[str, tuple[str, ...]]:
    """The ``[vocabulary]`` of a built-in pack file ("categories.toml"), as its rules read it."""
    path = resources.files("cleaners") / "packs" / pack_file
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8")).get("vocabulary")
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise RuleError(f"cleaners/packs/{pack_file}: cannot read its vocabulary: {exc}") from None
    return parse_vocabulary(raw, f"cleaners/packs/{pack_file}")


class Featurizer:
    """The features of a line in its document, for given vocabulary classes."""

    # A text's lines are scored again in its later passes; across texts only a site's repeated lines come back.
    # Each entry is a dict of about 35 features (about 1.2 KB): at 4,096 the two learned rules' memos took several MB
    # of each worker while they filled (benchmarks/speed.py --only memory: +9.5-10.5 % against +8.1-9.0 % at 1,024).
    MEMO_LINES = 1_024

    def __init__(self, vocabulary: dict[str, tuple[str, ...]], classes: tuple[str, ...], where: str = "",
                 grams: bool | frozenset[str] = False):
        self.classes = classes
        # True: every n-gram of the line (training); a set: only those the weights name (the others add nothing)
        self.grams = grams
        # Each entry of a class as its folded tokens ("sign up" -> ("sign", "up")): a line holds the class when
        # a run of its tokens is one; looked up in a dict, a few dozen lookups a line.
        self.entries: dict[tuple[str, ...], set[str]] = {}
        for name in classes:
            if name not in vocabulary:
                raise RuleError(f"{where}: the weights name vocabulary class {name!r}, which the pack does not have")
            for entry in vocabulary[name]:
                key = tuple(fold_token(t) for t in _TOKEN.findall(entry))
                if key:
                    self.entries.setdefault(key, set()).add(name)
        self.single = frozenset(k[0] for k in self.entries if len(k) == 1)
        # The entries by their first token: (the tokens after it, the classes), so a token that begins no entry
        # costs one lookup.
        self.by_first: dict[str, list[tuple[tuple[str, ...], set[str]]]] = {}
        for key, names in self.entries.items():
            self.by_first.setdefault(key[0], []).append((key[1:], names))
        self._memo: dict[str, dict[str, float]] = {}

    def hits(self, tokens: list[str]) -> set[str]:
        """The classes that a run of the (folded) tokens is an entry of."""
        found: set[str] = set()
        by_first = self.by_first
        for i, token in enumerate(tokens):
            for rest, classes in by_first.get(token, ()):
                if not rest or tuple(tokens[i + 1:i + 1 + len(rest)]) == rest:
                    found |= classes
        return found

    def shape(self, text: str) -> dict[str, float]:
        """What the line's own text says: length, punctuation, character classes, vocabulary (remembered per
        text: a line is scored again in later passes)."""
        out = self._memo.get(text)
        if out is None:
            if len(self._memo) >= self.MEMO_LINES:
                self._memo.clear()
            out = self._memo[text] = self._shape(text)
        return out

    def _shape(self, text: str) -> dict[str, float]:
        tokens = _TOKEN.findall(text)
        n = len(tokens)
        stripped = text.rstrip()
        letters = "".join(filter(str.isalpha, text))  # (map and filter: a few times faster than generators)
        chars = len(text) or 1
        alpha = [t for t in tokens[1:] if t[0].isalpha()]
        symbols = len(text) - sum(map(str.isalnum, text)) - sum(map(str.isspace, text))  # (no char is both)
        out = {
            "words": min(n, 15) / 15,
            "one_word": float(n == 1),
            "few_words": float(n <= 3),
            "chars": min(len(text), 120) / 120,
            "sentence_end": float(_PROSE_END.search(stripped) is not None and not stripped.endswith("?")),
            "colon_end": float(stripped.endswith(":")),
            "cut_end": float(_CUT_EXCERPT_END.search(stripped) is not None),
            "question": float("?" in stripped[-2:]),
            "starts_lower": float(bool(letters) and letters[0].islower()),
            "capitalised": sum(1 for t in alpha if t[0].isupper()) / len(alpha) if alpha else 0.0,
            "all_caps": float(len(letters) >= 3 and all(map(str.isupper, letters))),
            "digits": min(sum(map(str.isdigit, text)) / chars * 4, 1.0),
            "symbols": min(symbols / chars * 4, 1.0),
            "separator": float(_RUN_SEPARATOR.search(text) is not None),
            "address": float(has_address(text)),
            "year": float(_YEAR.search(text) is not None),
            "comma": float("," in text),
            "quote": float(_QUOTE.search(text) is not None),
        }
        folded = [fold_token(t) for t in tokens]
        out["vocab_share"] = sum(1 for t in folded if t in self.single) / n if n else 0.0
        found = self.hits(folded)
        for name in found:
            out[VOCAB_PREFIX + name] = 1.0
        out["vocab_any"] = float(bool(found))
        if self.grams:
            out.update(letter_grams(folded, None if self.grams is True else self.grams))
        return out


def letter_grams(folded_tokens: list[str], known: frozenset[str] | None = None) -> dict[str, float]:
    """The line's distinct letter n-grams as features, each ``1/sqrt(count)`` (a long line does not outweigh a
    short one by its length alone); with ``known``, only those among them (the count is still of all)."""
    grams: set[str] = set()
    for token in folded_tokens:
        grams.update(token_grams(token))
    if not grams:
        return {}
    value = 1.0 / math.sqrt(len(grams))
    if known is not None:
        grams &= known
    return dict.fromkeys(grams, value)


@lru_cache(maxsize=1 << 13)
def token_grams(token: str) -> tuple[str, ...]:
    """A folded token's letter n-grams, named as features (``gram:<wo``, …; words recur, so they are cached)."""
    word = f"<{_DIGIT.sub('0', token)}>"
    return tuple({GRAM_PREFIX + word[i:i + size] for size in GRAM_SIZES for i in range(len(word) - size + 1)})


class DocumentView:
    """Where each line of a document stands, given what the rules removed: kept lines before and after it, and
    which lines other rules removed as clutter (not those of the rules in ``not_clutter``: the headline rule,
    the clutter runs and the scorer itself, so that its removals never make their neighbours score higher)."""

    def __init__(self, lines: list[Line], not_clutter: set[str] | frozenset[str] = frozenset()):
        self.lines = lines
        self.kept_before: list[int] = []
        words_before: list[int] = []
        count = words = 0
        for ln in lines:
            self.kept_before.append(count)
            words_before.append(words)
            if ln.removed_by is None:  # (kept)
                count += 1
                words += ln.words
        self.total = count
        self.words_before = words_before
        self.clutter = [ln.removed_by is not None and ln.removed_by.rule not in not_clutter for ln in lines]
        self.prose_below = [False] * len(lines)
        seen = False
        for i in range(len(lines) - 1, -1, -1):
            self.prose_below[i] = seen
            if lines[i].kept and lines[i].words >= PROSE_LINE_WORDS:
                seen = True
        # Whether the nearest kept line above is article text (a paragraph of PROSE_LINE_WORDS or more).
        self.prose_above = [False] * len(lines)
        above = False
        for i, ln in enumerate(lines):
            self.prose_above[i] = above
            if ln.kept:
                above = ln.words >= PROSE_LINE_WORDS

    def kept_after(self, i: int) -> int:
        return self.total - self.kept_before[i] - (1 if self.lines[i].kept else 0)

    def place(self, i: int) -> dict[str, float]:
        """Where line ``i`` stands (as a kept line, whether or not it is one)."""
        before, after = self.kept_before[i], self.kept_after(i)
        above = i > 0 and self.clutter[i - 1]
        below = i + 1 < len(self.lines) and self.clutter[i + 1]
        return {
            "head": float(before < 3),
            "tail3": float(after < 3),
            "tail10": float(after < 10),
            "position": before / (before + after) if before + after else 0.0,
            "above_removed": float(above),
            "below_removed": float(below),
            "between_removed": float(above and below),
            "prose_after": float(self.prose_below[i]),
            "little_before": float(self.words_before[i] < 40),
        }


def line_features(shape: dict[str, float], place: dict[str, float]) -> dict[str, float]:
    """A line's features: its shape, its place, and a few products of the two (the model is linear): a label
    (no sentence end, at most eight words) next to removed clutter, a vocabulary word on a label, …"""
    out = {**shape, **place}
    label = float(not shape["sentence_end"] and shape["words"] <= 8 / 15)
    vocab = shape["vocab_any"]
    near = float(bool(place["above_removed"] or place["below_removed"]))
    out.update(vocab_any=vocab, label=label, near_removed=near, label_near_removed=label * near,
               vocab_label=vocab * label, vocab_near_removed=vocab * near, label_tail=label * place["tail10"],
               label_after_prose=label * (1.0 - place["prose_after"]))
    return out


def ends_sentence(text: str) -> bool:
    """Whether the line ends a sentence: a full stop, "!" or "?" before any closing quotes and brackets, in any
    language's quotes ("– „Ok.“", « Oui. »), not the ellipsis of a cut excerpt."""
    stripped = text.rstrip()
    if _CUT_EXCERPT_END.search(stripped):
        return False
    return stripped.rstrip(_CLOSERS).endswith((".", "!", "?", "。", "！", "？"))


@dataclass(kw_only=True)
class LineScore(Rule):
    """A short line that a learned line scorer rates as clutter (probability at least ``threshold``).

    Candidates are kept lines of at most ``max_words`` words in the zone (``tail``: the last ``zone_lines`` kept
    lines; ``any``), that do not read as prose: a line that ends a sentence and has more than ``prose_words``
    words is never scored. Right below a paragraph (where an article signs off: "Jane Roe, Berlin") a line needs
    ``after_prose_threshold`` when that is higher. With ``sentences`` the candidates are the other way round: only
    lines that end a sentence (a second rule with weights of its own scores the short sentences the first never
    sees). The weights (``weights``, a file beside the pack) name their features; the vocabulary classes come
    from ``vocabulary_pack`` (the categories pack). The rule reads what other rules removed, so it runs with the
    clutter runs; its removals extend a clutter run but start none.
    """

    kind: ClassVar[str] = "line-score"
    needs_context: ClassVar[bool] = True
    weights: str = "learned-weights.json"
    vocabulary_pack: str = "categories.toml"
    threshold: float = 0.9
    # The line right below a paragraph is where an article signs off ("Jane Roe, Berlin"): a surer score there.
    after_prose_threshold: float = 0.0
    zone: str = "any"
    zone_lines: int = 12
    max_words: int = 12
    prose_words: int = 0
    sentences: bool = False
    scorer: Scorer = field(init=False, repr=False)
    featurizer: Featurizer = field(init=False, repr=False)

    def __post_init__(self) -> None:
        check_zone(self.id, self.zone)
        if self.zone == "head":
            raise RuleError(f"{self.id}: a line-score rule's zone is 'any' or 'tail'")
        if not 0.0 < self.threshold < 1.0:
            raise RuleError(f"{self.id}: 'threshold' is a probability between 0 and 1, not {self.threshold!r}")
        if not 0.0 <= self.after_prose_threshold < 1.0:
            raise RuleError(f"{self.id}: 'after_prose_threshold' is a probability below 1 (0: none), not "
                            f"{self.after_prose_threshold!r}")
        self.scorer = builtin_scorer(self.weights)
        self.featurizer = Featurizer(pack_vocabulary(self.vocabulary_pack), self.scorer.classes, self.id,
                                     grams=self.scorer.grams)

    def describe(self) -> dict[str, Any]:
        out: dict[str, Any] = {"weights": f"{self.weights} (version {self.scorer.version})",
                               "threshold": self.threshold, "zone": self.zone, "max_words": self.max_words,
                               **({"after_prose_threshold": self.after_prose_threshold}
                                  if self.after_prose_threshold else {}),
                               **({"sentences": True} if self.sentences else {"prose_words": self.prose_words})}
        if self.zone != "any":
            out["zone_lines"] = self.zone_lines
        return out

    def candidate(self, line: Line, view: DocumentView) -> bool:
        """Whether a line is scored: short, in the zone, not prose (a sentence of more than ``prose_words``);
        with ``sentences``, short and a sentence."""
        if line.words > self.max_words or not line.text:
            return False
        if self.zone == "tail" and view.kept_after(line.index) >= self.zone_lines:
            return False
        if self.sentences:
            return ends_sentence(line.text)
        return not (line.words > self.prose_words and ends_sentence(line.text))

    def features(self, line: Line, view: DocumentView) -> dict[str, float]:
        return line_features(self.featurizer.shape(line.text), view.place(line.index))

    def apply(self, lines: list[Line], ctx: CleaningContext) -> list[Edit]:
        doc = ctx.lines if ctx.lines is not None else lines
        if not any(ln.removed_by is not None for ln in doc):  # as the engine's gate for context rules
            return []
        view = DocumentView(doc, ctx.not_clutter | ctx.run_rules | {self.id})
        start = len(doc) if self.zone == "tail" else 0
        while start and view.kept_after(start - 1) < self.zone_lines:  # a tail zone's lines only
            start -= 1
        edits = []
        for ln in doc[start:]:
            if not ln.kept or self.id in ln.misses or not self.candidate(ln, view):
                continue
            features = self.features(ln, view)
            score = self.scorer.score(features)
            threshold = max(self.threshold, self.after_prose_threshold) if view.prose_above[ln.index] \
                else self.threshold
            if score < threshold:
                continue
            top = ", ".join(f"{name} +{value:.1f}" for name, value in self.scorer.top(features))
            ln.removed_by = self._edit(ln, ln.text, detail=f"score {score:.2f} ≥ {threshold:g}: {top}")
            edits.append(ln.removed_by)
        if edits:
            ctx.run_rules.add(self.id)  # like a clutter run's: its lines extend a run but start none
        return edits


KINDS[LineScore.kind] = LineScore
