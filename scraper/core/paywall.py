"""The ``paywalled`` and ``teaser`` flags: what the page itself says about a paywall, and whether the text
that came through looks cut short against the page's own signals (docs/record.md#paywalls).

Nothing here tries to get past a paywall: the page as it was fetched is only read.

A page *declares* a paywall when
- its JSON-LD says ``"isAccessibleForFree": false`` (also the strings "false"/"False"/"no"), on any node,
  the article's own or a ``hasPart`` WebPageElement's; or
- an element's class or id holds a paywall token (_PAYWALL_PARTS, _PAYWALL_TOKENS: ``paywall``, ``meteredContent``,
  ``subscriber-only``, ``premium-content``, Piano's ``tp-modal``/``piano-...``).

A declaration alone is not enough (many publishers mark free-to-read pages, or serve the whole text to
crawlers): ``paywalled`` also needs the text to look cut short, by one of
- ``word-count``: JSON-LD ``wordCount`` is at least twice the extracted words and 100 words more;
- ``ends-at-paywall``: the text ends with the last text that comes before the first paywall element;
- ``short``: an article page (a JSON-LD Article-like type or ``og:type`` article) that declares no word count
  and whose text has under SHORT_ARTICLE_WORDS words.

``teaser`` (with ``paywalled``) when the paywall is declared and the text is only the teaser: at most
TEASER_MAX_WORDS words, and either one paragraph or mostly the page's description; not when the page declares
a word count the text does not fall short of.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from lxml import etree

from scraper.core.page_metadata import JsonLd, is_article, jsonld_scripts

# A class or id token (lower-cased) that marks paywall markup: containing one of these ...
_PAYWALL_PARTS = ("paywall", "meteredcontent", "subscriber-only", "subscribers-only", "premium-content")
# ... or being one of these, or starting with "piano-" (Piano's templates)
_PAYWALL_TOKENS = frozenset({"tp-modal", "tp-backdrop", "piano"})
# Every token _is_paywall_token accepts holds one of these: a quick test of a page's (or an element's) class
# and id strings, before the tokens are looked at one by one
_GATE_PARTS = (*_PAYWALL_PARTS, "tp-", "piano")
_MAY_BE_PAYWALL = re.compile("|".join(_GATE_PARTS), re.IGNORECASE)
_CLASS_AND_ID = "//body//@class | //body//@id"
_CLASS_AND_ID_ATTRS = etree.XPath(_CLASS_AND_ID)  # strings that know their element
_CLASS_AND_ID_TEXT = etree.XPath(_CLASS_AND_ID, smart_strings=False)  # plain strings: cheaper
_NOT_FREE = frozenset({"false", "no"})

WORD_COUNT_RATIO = 2  # declared words at least twice the extracted ...
WORD_COUNT_MARGIN = 100  # ... and this many more
SHORT_ARTICLE_WORDS = 100
TEASER_MAX_WORDS = 120
_TAIL_CHARS = 60  # how much of the text before the paywall element must end the extracted text


@dataclass(frozen=True)
class PaywallEvidence:
    """What a page says of a paywall, read from the tree as it came (before any cleaner edits it)."""

    declared: str | None = None  # "json-ld" or "markup": how the page declares a paywall; None when it does not
    word_count: int | None = None  # JSON-LD wordCount of the article
    article_page: bool = False  # a JSON-LD Article-like type or og:type article
    before_paywall: str | None = None  # the end of the text that comes before the first paywall element


def _is_paywall_token(token: str) -> bool:
    token = token.lower()
    return token in _PAYWALL_TOKENS or token.startswith("piano-") or any(p in token for p in _PAYWALL_PARTS)


def _walk(data: Any, found: dict[str, Any], depth: int = 0) -> None:
    """isAccessibleForFree anywhere in a JSON-LD document (hasPart included); an Article node's wordCount."""
    if depth > 6:
        return
    if isinstance(data, list):
        for item in data:
            _walk(item, found, depth + 1)
        return
    if not isinstance(data, dict):
        return
    free = data.get("isAccessibleForFree")
    if free is False or (isinstance(free, str) and free.strip().lower() in _NOT_FREE):
        found["not_free"] = True
    if is_article(data):
        found["article"] = True
        count = data.get("wordCount")
        if "word_count" not in found and isinstance(count, (int, str)) and str(count).strip().isdigit():
            found["word_count"] = int(str(count).strip())
    for value in data.values():
        if isinstance(value, (dict, list)):
            _walk(value, found, depth + 1)


def _text_before(element: Any) -> str | None:
    """The last ~60 characters of visible text before ``element`` in document order."""
    tail = ""
    for text in reversed(element.xpath("preceding::text()[normalize-space()]")):
        parent = text.getparent()
        if parent is not None and parent.tag in ("script", "style", "noscript", "template"):
            continue
        tail = " ".join(str(text).split()) + " " + tail
        if len(tail) > _TAIL_CHARS:
            break
    tail = tail.strip()
    return tail[-_TAIL_CHARS:] or None


def _marked(tree: Any) -> Any:
    """The body's elements whose class or id holds a paywall token, in document order (not in <noscript>)."""
    for names in _CLASS_AND_ID_ATTRS(tree):
        if _MAY_BE_PAYWALL.search(names) and any(_is_paywall_token(t) for t in names.split()):
            element = names.getparent()
            if not any(a.tag in ("noscript", "template") for a in element.iterancestors()):
                yield element


def _may_have_markup(tree: Any) -> bool:
    """Whether any class or id in the body may hold a paywall token: a plain substring test over all of them
    (about 0.4 ms a page), so that the element scan of _marked runs on the few pages that pass (6% of the dev
    sets' pages)."""
    names = " ".join(_CLASS_AND_ID_TEXT(tree)).lower()
    return any(part in names for part in _GATE_PARTS)


def read_paywall(tree: Any, jsonld: list[JsonLd] | None = None) -> PaywallEvidence:
    """What the page says of a paywall; ``jsonld`` its JSON-LD scripts when the caller has read them."""
    found: dict[str, Any] = {}
    for script in jsonld_scripts(tree) if jsonld is None else jsonld:
        if "isAccessibleForFree" in script.text or "wordCount" in script.text:
            _walk(script.data, found)
    marker = next(_marked(tree), None) if _may_have_markup(tree) else None
    declared = "json-ld" if found.get("not_free") else "markup" if marker is not None else None
    if declared is None:  # the rest only matters where a paywall is declared
        return PaywallEvidence(word_count=found.get("word_count"), article_page=found.get("article", False))
    article = found.get("article", False) or any(
        v.strip().lower() == "article" for v in tree.xpath('//head/meta[@property="og:type"]/@content'))
    return PaywallEvidence(declared=declared, word_count=found.get("word_count"), article_page=article,
                           before_paywall=_text_before(marker) if marker is not None else None)


def cut_short(evidence: PaywallEvidence, text: str) -> str | None:
    """Why ``text`` looks cut short against the page's own signals ("word-count", "ends-at-paywall",
    "short"), or None."""
    words = len(text.split())
    declared = evidence.word_count
    if declared and declared >= WORD_COUNT_RATIO * words and declared - words >= WORD_COUNT_MARGIN:
        return "word-count"
    if evidence.before_paywall and " ".join(text.split()).endswith(evidence.before_paywall):
        return "ends-at-paywall"
    if evidence.article_page and not declared and words < SHORT_ARTICLE_WORDS:
        return "short"
    return None


def is_teaser(text: str, description: str | None) -> bool:
    """At most TEASER_MAX_WORDS words, and one paragraph or mostly (60% of its words) the description."""
    words = text.split()
    if len(words) > TEASER_MAX_WORDS:
        return False
    if sum(1 for line in text.splitlines() if line.strip()) <= 1:
        return True
    told = {w.lower() for w in (description or "").split()}
    return len(told) >= 8 and len(told & {w.lower() for w in words}) >= 0.6 * len(told)


def paywall_flags(evidence: PaywallEvidence | None, text: str, description: str | None) -> list[str]:
    """``["paywalled"]``, ``["paywalled", "teaser"]`` or ``[]`` (module docstring)."""
    if evidence is None or not evidence.declared:
        return []
    short = cut_short(evidence, text)
    # a declared word count the text matches says it is whole, however short
    teaser = is_teaser(text, description) and (short is not None or not evidence.word_count)
    if not teaser and not short:
        return []
    return ["paywalled", "teaser"] if teaser else ["paywalled"]
