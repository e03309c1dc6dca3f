"""Site-level boilerplate mining: the lines and blocks that repeat across many pages of one site.

Pure: per-page samples in (the page's host, its extracted lines, the class/id blocks of its tree), mined
candidates out, and a candidate site pack as TOML text that ``cleaners.packs.parse_pack`` reads. Reading
pages and writing packs is the caller's job (``scraper/offline/mining.py``, ``scraper/crawl/mining.py``).

A headline or an article sentence appears on one page; clutter a site template prints (a promo line, a
newsroom footer, a tip-line box) appears on most of them. So a line is a candidate when it repeats on at
least ``min_share`` of a site's pages (and on ``min_repeats`` pages at the least), once the site has
``min_pages`` distinct pages. Repeated lines are clutter for our purposes even when they are true (a
standard disclaimer): they are not the article. The thresholds are explained in docs/mining.md.
"""

from __future__ import annotations

import hashlib
import html
import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .rules import DropBlock, word_count


@dataclass(frozen=True)
class Thresholds:
    min_pages: int = 20  # distinct pages a site needs before anything is mined
    min_share: float = 0.5  # a line or block must be on at least this share of them...
    min_repeats: int = 3  # ...and on at least this many pages, whatever the share
    min_words: int = 2  # one-word lines may be a recurring subheading; the generic packs cover "Advertisement"
    max_rules: int = 40  # a pack stays small enough for a person to review
    block_purity: float = 0.9  # share of a block target's occurrences that must carry repeated text

    def needed(self, pages: int) -> int:
        """Pages a line or block must be on, for a site of ``pages`` pages."""
        return max(self.min_repeats, math.ceil(self.min_share * pages - 1e-9))


@dataclass(frozen=True, slots=True)
class Block:
    """An element with a class or an id, as found in a page: its tag, class tokens, id and text."""

    tag: str
    classes: tuple[str, ...] = ()
    id: str = ""
    text: str = ""


@dataclass(slots=True)
class PageSample:
    """What mining needs of one page. ``page`` names it in examples (a URL or a file path)."""

    page: str
    host: str
    lines: list[str]
    blocks: list[Block] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"page": self.page, "host": self.host, "lines": self.lines,
                "blocks": [[b.tag, list(b.classes), b.id, b.text] for b in self.blocks]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PageSample:
        blocks = [Block(tag, tuple(classes), ident, text) for tag, classes, ident, text in data.get("blocks", [])]
        return cls(page=data["page"], host=data["host"], lines=list(data["lines"]), blocks=blocks)


@dataclass(frozen=True, order=True, slots=True)
class BlockTarget:
    """What a drop-block rule looks for: a tag with an exact class attribute, or with an exact id."""

    tag: str
    attr: str  # "class" or "id"
    value: str  # the class tokens joined by one space, or the id

    def label(self) -> str:
        if self.attr == "id":
            return f"{self.tag}#{self.value}"
        return self.tag + "".join(f".{c}" for c in self.value.split())

    def rule_fields(self) -> dict[str, Any]:
        """The fast form of drop-block: the tag, and a regex matching the whole attribute value."""
        pattern = r"^\s*" + r"\s+".join(re.escape(token) for token in self.value.split()) + r"\s*$"
        return {"tags": [self.tag], f"{self.attr}_match": pattern}

    def html(self, text: str) -> str:
        """An HTML fragment of this block with ``text``: the rule's remove example."""
        return f'<{self.tag} {self.attr}="{html.escape(self.value)}">{html.escape(text, quote=False)}</{self.tag}>'


@dataclass(slots=True)
class Candidate:
    """A repeated line (``target`` None) or block: on ``pages`` of the site's pages, seen on ``examples``."""

    text: str  # the line or block text as one page had it
    pages: int
    share: float
    examples: list[str]
    max_words: int
    target: BlockTarget | None = None
    covers: list[str] = field(default_factory=list)  # for a block: the repeated lines it holds

    @property
    def kind(self) -> str:
        return "line" if self.target is None else "block"


@dataclass(slots=True)
class SiteMining:
    """The candidates of one host; ``skipped`` says why none were looked for."""

    host: str
    pages: int
    candidates: list[Candidate] = field(default_factory=list)
    skipped: str | None = None


# -- comparing lines ---------------------------------------------------------------------------------------

_WORD = re.compile(r"\w+")


def line_key(text: str) -> str:
    """The form lines are compared in: spacing collapsed, lower case. Digits count: a sentence that differs
    from page to page only in its figures ("The index closed 0.3% higher at 7,412") is a report's text."""
    return " ".join(text.split()).lower()


def line_pattern(text: str) -> str:
    """A regex matching the whole line ``text``, with any spacing between its words. Case is left to the
    rule (drop-line rules ignore case)."""
    return r"\s+".join(re.escape(w) for w in text.split())


def _squash(text: str) -> str:
    return "".join(text.split()).lower()


def _inside(line: str, block: str) -> bool:
    """Whether a line lies in a block's text. Spacing is ignored: an element's text joins its paragraphs
    with no space between them ("Got a tip?Call the newsdesk")."""
    return _squash(line) in _squash(block)


def _counts_as_text(text: str, min_words: int) -> bool:
    return len(_WORD.findall(text)) >= min_words


# -- mining ------------------------------------------------------------------------------------------------

@dataclass(slots=True)
class _Tally:
    """Pages a key was seen on, with the first text seen, its longest occurrence in words and how many
    times it occurred in all (a block can occur twice on a page)."""

    text: str
    pages: list[str] = field(default_factory=list)
    max_words: int = 0
    occurrences: int = 0

    def see(self, page: str, text: str) -> None:
        self.occurrences += 1
        if not self.pages or self.pages[-1] != page:
            self.pages.append(page)
        self.max_words = max(self.max_words, word_count(text))


def distinct_pages(samples: Iterable[PageSample]) -> list[PageSample]:
    """Samples with the same text counted once: a site folder holding one story under several names (print
    view, AMP copy) must not make that story's lines look like boilerplate."""
    seen: set[str] = set()
    out = []
    for sample in samples:
        key = "\n".join(line_key(ln) for ln in sample.lines)
        if key not in seen:
            seen.add(key)
            out.append(sample)
    return out


def _count(tallies: dict[str, _Tally], page: str, text: str, min_words: int) -> None:
    """Count a line (or a block's text) seen on a page, unless it is too short to be clutter we can tell."""
    if _counts_as_text(text, min_words):
        tallies.setdefault(line_key(text), _Tally(text)).see(page, text)


def _tally_lines(samples: list[PageSample], min_words: int) -> dict[str, _Tally]:
    tallies: dict[str, _Tally] = {}
    for sample in samples:
        for line in sample.lines:
            _count(tallies, sample.page, line.strip(), min_words)
    return tallies


def _targets(block: Block) -> list[BlockTarget]:
    out = []
    if block.classes:
        out.append(BlockTarget(block.tag, "class", " ".join(block.classes)))
    if block.id:
        out.append(BlockTarget(block.tag, "id", block.id))
    return out


@dataclass(slots=True)
class _TargetTally:
    occurrences: int = 0
    texts: dict[str, _Tally] = field(default_factory=dict)


def _tally_blocks(samples: list[PageSample], min_words: int) -> dict[BlockTarget, _TargetTally]:
    tallies: dict[BlockTarget, _TargetTally] = {}
    for sample in samples:
        for block in sample.blocks:
            for target in _targets(block):
                tally = tallies.setdefault(target, _TargetTally())
                tally.occurrences += 1
                _count(tally.texts, sample.page, block.text, min_words)
    return tallies


# A block target and its repeated texts (text key -> tally).
_Found = tuple[BlockTarget, dict[str, _Tally]]


def _repeated_block_texts(tally: _TargetTally, needed: int) -> dict[str, _Tally]:
    return {key: t for key, t in tally.texts.items() if len(t.pages) >= needed}


def _block_targets(samples: list[PageSample], repeated_lines: dict[str, _Tally], th: Thresholds,
                   needed: int) -> list[_Found]:
    """Block targets worth a drop-block rule: their repeated text reached the extracted lines (else the
    extractor already leaves the block out), and nearly every element they match carries repeated text,
    so the rule cannot hit the same class holding article text on another page."""
    found = []
    for target, tally in _tally_blocks(samples, th.min_words).items():
        texts = _repeated_block_texts(tally, needed)
        if not texts:
            continue
        carrying = sum(t.occurrences for t in texts.values())
        if carrying < th.block_purity * tally.occurrences:
            continue
        if not any(_inside(line, text) for text in texts for line in repeated_lines):
            continue
        found.append((target, texts))
    return _outermost(found)


def _outermost(found: list[_Found]) -> list[_Found]:
    """Drop a target whose texts all lie inside texts of a target already kept (an inner element of the
    same box, or the box found again by its id). Longer texts first, class before id, then by name."""
    def size(item):
        target, texts = item
        return (-max(len(k) for k in texts), target.attr != "class", target)

    kept: list[_Found] = []
    for target, texts in sorted(found, key=size):
        covered = [k for _, other in kept for k in other]
        if not all(any(_inside(key, outer) for outer in covered) for key in texts):
            kept.append((target, texts))
    return kept


def _candidate(tally: _Tally, pages: int) -> Candidate:
    return Candidate(text=tally.text, pages=len(tally.pages), share=len(tally.pages) / pages,
                     examples=tally.pages[:3], max_words=tally.max_words)


def _block_candidate(found: _Found, lines: dict[str, _Tally], pages: int) -> Candidate:
    """A block target as a candidate: shown by its most frequent text, counted on the pages where any of its
    repeated texts is, and listing the repeated lines it holds."""
    target, texts = found
    candidate = _candidate(max(texts.values(), key=lambda t: len(t.pages)), pages)
    candidate.target = target
    candidate.pages = len({p for t in texts.values() for p in t.pages})
    candidate.share = candidate.pages / pages
    candidate.covers = [lines[k].text for k in lines if any(_inside(k, text) for text in texts)]
    return candidate


def mine_site(samples: Iterable[PageSample], thresholds: Thresholds = Thresholds()) -> SiteMining:
    """Candidates of one host (all samples are from the same host): repeated blocks first, each holding the
    repeated lines found inside it, then the repeated lines no block covers; most pages first."""
    samples = list(samples)
    host = samples[0].host if samples else ""
    pages = distinct_pages(samples)
    if len(pages) < thresholds.min_pages:
        count = f"{len(pages)} page" + ("" if len(pages) == 1 else "s")
        return SiteMining(host, len(pages), skipped=f"{count}, fewer than {thresholds.min_pages}")
    needed = thresholds.needed(len(pages))
    lines = {k: t for k, t in _tally_lines(pages, thresholds.min_words).items() if len(t.pages) >= needed}
    blocks = _block_targets(pages, lines, thresholds, needed)
    candidates = [_block_candidate(found, lines, len(pages)) for found in blocks]
    block_texts = [text for _, texts in blocks for text in texts]
    candidates += [_candidate(t, len(pages)) for k, t in lines.items()
                   if not any(_inside(k, b) for b in block_texts)]
    candidates.sort(key=lambda c: -c.pages)  # stable: page order of first appearance breaks ties
    return SiteMining(host, len(pages), candidates[: thresholds.max_rules])


# -- blocks of a page --------------------------------------------------------------------------------------

# Elements whose text is code or markup, or that wrap the whole page, are never block candidates.
_NOT_BLOCKS = frozenset({"html", "head", "body", "script", "style", "noscript", "template", "svg", "iframe"})


def page_blocks(tree: Any, lines: Iterable[str] | None = None, max_words: int = DropBlock.max_words) -> list[Block]:
    """The elements of a parsed page that have a class or an id and some text, at most ``max_words`` words
    (a drop-block rule leaves bigger ones alone anyway), in document order.

    With ``lines`` (the page's extracted lines), only the blocks that hold one of them whole: a block whose
    text never reached the extracted text is never mined, and a page has hundreds of blocks to keep."""
    blocks = tree_blocks(tree, max_words)
    return blocks if lines is None else blocks_holding(blocks, lines)


def tree_blocks(tree: Any, max_words: int = DropBlock.max_words) -> list[Block]:
    """Every block candidate of a page (see ``page_blocks``). Read from the tree as parsed, before any cleaner
    or extractor edits it; ``blocks_holding`` keeps the ones the clean text shows were extracted."""
    body = tree.find(".//body")
    root = body if body is not None else tree
    out = []
    for el in root.xpath(".//*[@class or @id]"):
        if el.tag in _NOT_BLOCKS:
            continue
        text = " ".join(el.text_content().split())
        if not text or word_count(text) > max_words:
            continue
        out.append(Block(el.tag, tuple((el.get("class") or "").split()), (el.get("id") or "").strip(), text))
    return out


def blocks_holding(blocks: Iterable[Block], lines: Iterable[str]) -> list[Block]:
    """The blocks whose text holds one of ``lines`` whole (compared squashed)."""
    wanted = [_squash(ln) for ln in lines if ln.strip()]
    out = []
    for block in blocks:
        squashed = _squash(block.text)
        if any(w in squashed for w in wanted):
            out.append(block)
    return out


# -- the candidate pack as TOML ----------------------------------------------------------------------------

def rule_prefix(host: str) -> str:
    """A rule id prefix of its own for each host ("M" and six hex digits of a hash of the host), so mined
    packs of many sites load together without clashing ids."""
    return "M" + hashlib.blake2b(host.encode("utf-8"), digest_size=3).hexdigest().upper()


def pack_name(host: str) -> str:
    return f"mined-{host}"


_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


def toml_string(text: str) -> str:
    """A TOML string for ``text``: a literal string ('…', no escapes, easy to read for regexes and HTML) when
    it can be one, else a basic string with quotes, backslashes and control characters escaped."""
    text = text.encode("utf-8", "replace").decode("utf-8")  # lone surrogates have no TOML form
    if "'" not in text and not _CONTROL.search(text):
        return f"'{text}'"
    text = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + _CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", text) + '"'


def _comment(text: str, width: int = 110) -> str:
    """Text safe for a TOML comment: one line, no control characters, clipped."""
    text = " ".join(_CONTROL.sub(" ", text).split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _slug(text: str, taken: set[str]) -> str:
    """A rule name from the first words of the text: lower-case ASCII words joined by hyphens, unique."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    words = re.findall(r"[a-z0-9]+", ascii_text)[:5]
    base = "-".join(words) or "mined-text"
    name, n = base, 2
    while name in taken:
        name, n = f"{base}-{n}", n + 1
    taken.add(name)
    return name


def _where(c: Candidate, mining: SiteMining) -> str:
    return f"on {c.pages} of {mining.pages} pages of {mining.host}"


def _rule_lines(c: Candidate, rule_id: str, name: str, mining: SiteMining) -> list[str]:
    out = [f"# {_where(c, mining)} ({c.share:.0%}), e.g.:"] + [f"#   {_comment(page)}" for page in c.examples]
    if c.target is not None:
        out += [f"# block {c.target.label()}: {_comment(c.text)}"]
        out += [f"#   holds the repeated line: {_comment(line)}" for line in c.covers]
    out += ["[[rule]]", f"id = {toml_string(rule_id)}", f"name = {toml_string(name)}"]
    if c.target is None:
        out += ["kind = 'drop-line'", f"pattern = {toml_string(line_pattern(c.text))}",
                f"max_words = {max(c.max_words, 1)}",
                f"why = {toml_string(f'Repeats {_where(c, mining)} (mined): site boilerplate, not article text.')}",
                f"remove = [{toml_string(c.text)}]"]
    else:
        fields = c.target.rule_fields()
        tags = ", ".join(toml_string(t) for t in fields.pop("tags"))
        (attr, pattern), = fields.items()
        why = (f"A {c.target.label()} block with the same text {_where(c, mining)} (mined); its text reached "
               "the extracted article.")
        out += ["kind = 'drop-block'", f"tags = [{tags}]", f"{attr} = {toml_string(pattern)}",
                f"why = {toml_string(why)}", f"remove = [{toml_string(c.target.html(c.text))}]"]
    return out


def render_pack(mining: SiteMining, mined_on: str = "") -> str:
    """The candidate site pack of a host, as TOML: one rule per candidate, each with its count in ``why``
    and with its count and example pages in a comment above it."""
    when = f" on {mined_on}" if mined_on else ""
    out = [
        f"# Candidate site pack for {_comment(mining.host)}, mined by `presswash mine` from {mining.pages} pages{when}.",
        "# Review every rule before use: see docs/mining.md. Do not commit mined packs as they are.",
        "[pack]",
        f"name = {toml_string(pack_name(mining.host))}",
        f"prefix = {toml_string(rule_prefix(mining.host))}",
        f"description = {toml_string(f'Lines and blocks that repeat across {mining.pages} pages of {mining.host} (mined; a candidate to review).')}",
        f"domains = [{toml_string(mining.host)}]",
    ]
    prefix, taken = rule_prefix(mining.host), set()
    for n, c in enumerate(mining.candidates, 1):
        name = _slug(c.text if c.target is None else f"{c.target.value} block", taken)
        out += [""] + _rule_lines(c, f"{prefix}-{n:03d}", name, mining)
    return "\n".join(out) + "\n"
