"""presswash's own content scorer: a fast first guess at the article's text, with a measure of how sure it is.

trafilatura is thorough and slow: about 13 ms a page even without its comparisons, against 2–3 ms for this
scorer. The scorer finds the block that holds most of the page's prose, the way readability-style extractors do,
and reads its text. It says whether it is sure (``ContentGuess.sure``), and --mode fast hands the page to
trafilatura only where it is not (scraper/core/process.py). The thresholds were chosen on the WCXB dev set and
checked on trafilatura-eval-dev (docs/quality.md, "The content scorer").

1. A copy of <body> without code, furniture (nav, footer, aside, forms, figures), hidden blocks, and the blocks
   whose class or id names site furniture (share, related, comments, sidebar, byline…) unless they hold prose.
2. Every paragraph-like element of PROSE_MIN_CHARS or more scores 1 + its commas + its length in hundreds of
   characters (at most 3); its parent gets the score, its grandparent half of it. A block's score is weighed
   down by the share of its text that is link text.
3. The best block, widened to an ancestor that adds only prose (an intro beside the body), with those of its
   siblings that score well or are prose paragraphs, is the content. Its text is read one line per block,
   leaving out link lists, links that are a block's whole text (buttons, menu entries) and a closing heading.
4. Sure when the text holds most of the page's prose, of its body text and of its <p> text, and is not a stub.
"""

from __future__ import annotations

import re
from copy import deepcopy
from dataclasses import dataclass
from typing import Any

from lxml import etree

from cleaners.rules import remove_element  # keeps the text that follows the element

# Never article text, with everything in them.
FURNITURE_TAGS = ("script", "style", "noscript", "template", "svg", "nav", "footer", "aside", "form", "button",
                  "select", "iframe", "object", "embed", "canvas", "textarea", "input", "label", "figure",
                  "figcaption", "menu", "dialog")
# A class or id token naming site furniture (matched on word boundaries: "share-bar", "post_comments", "sidebar").
_FURNITURE_NAME = re.compile(
    r"(?:^|[\s_-])(?:comments?|share|sharing|social|related|sidebar|widgets?|footer|navbar|navigation|nav|menu|"
    r"breadcrumbs?|promo|newsletter|subscribe|subscription|cookies?|consent|advert|advertisement|ads?|banner|"
    r"popup|modal|tags|tag-list|author-bio|recommended|more-stories|read-more|trending|popular|outbrain|"
    r"taboola|toolbar|pagination|caption|credits?|hidden|skip-link|sr-only|visually-hidden|author|authors|"
    r"byline|dateline|date|posted-on|published|timestamp|meta|disclaimer|disclosure|affiliate|"
    r"sponsored|jump-link|toc|table-of-contents)(?:$|[\s_-])",
    re.IGNORECASE)
# ARIA roles of page furniture and controls (a <div role="button">Print recipe</div>).
_FURNITURE_ROLES = frozenset(("navigation", "banner", "contentinfo", "complementary", "button", "menu",
                              "menubar", "toolbar", "dialog", "alertdialog", "search", "tablist", "tooltip"))
PARAGRAPH_TAGS = ("p", "pre", "blockquote", "td", "li", "h2", "h3", "h4", "dd")
# Elements whose start and end break a line in the text.
_BLOCK_TAGS = frozenset(("p", "pre", "blockquote", "td", "th", "li", "h1", "h2", "h3", "h4", "h5", "h6", "dd",
                         "dt", "div", "section", "article", "tr", "ul", "ol", "dl", "table", "br", "hr", "main",
                         "header", "address", "details", "summary", "center"))
PROSE_MIN_CHARS = 25  # a paragraph shorter than this scores nothing
PROSE_GUARD_CHARS = 80  # a block named as furniture stays when two of its paragraphs are longer than this
SIBLING_SHARE = 0.2  # a sibling of the best block joins it with this share of its score…
SIBLING_MIN_SCORE = 10.0  # …and at least this score
LINK_LIST_SHARE = 0.5  # a list or table whose text is mostly link text is left out
# The thresholds of ContentGuess.sure, chosen on the WCXB dev set and checked on trafilatura-eval-dev
# (docs/quality.md, "Content scorer").
COVERAGE = 0.6  # the text holds this share of the page's prose characters…
BODY_SHARE = 0.5  # … and of the words of the page's body outside furniture (extraction.body_words)…
PARAGRAPH_SHARE = 0.6  # … and of the words of its <p> elements (extraction.paragraph_words)
MIN_WORDS = 50  # a shorter text is a teaser, a caption or a stub as often as an article


@dataclass(slots=True)
class ContentGuess:
    """The scorer's text ("" when it found no prose) and what it knew when it chose it."""

    text: str = ""
    prose_chars: int = 0  # the page's prose: characters of its paragraphs of PROSE_MIN_CHARS or more

    @property
    def coverage(self) -> float:
        """The text's characters over the page's prose characters."""
        return len(self.text) / max(self.prose_chars, 1)

    def sure(self, body_words: int, paragraph_words: int) -> bool:
        """Whether the text can be kept without asking trafilatura: it holds most of the page's prose, body
        text and paragraphs."""
        words = len(self.text.split())
        return (words >= MIN_WORDS and self.coverage >= COVERAGE and words >= BODY_SHARE * body_words
                and words >= PARAGRAPH_SHARE * paragraph_words)


def guess_content(tree: Any) -> ContentGuess:
    """The scorer's guess at the page's article text. ``tree`` is left as it was."""
    body = tree.find("body")
    if body is None:
        return ContentGuess()
    body = deepcopy(body)
    _strip_furniture(body)
    scores: dict[Any, float] = {}
    prose = 0
    for element in body.iter(*PARAGRAPH_TAGS):
        text = element.text_content().strip()
        chars = len(text)
        if chars < PROSE_MIN_CHARS:
            continue
        prose += chars
        parent = element.getparent()
        if parent is None:
            continue
        score = 1 + text.count(",") + min(chars / 100, 3)
        scores[parent] = scores.get(parent, 0.0) + score
        grandparent = parent.getparent()
        if grandparent is not None:
            scores[grandparent] = scores.get(grandparent, 0.0) + score / 2
    if not scores:
        return ContentGuess(prose_chars=prose)
    best, best_score = _best_block(scores)
    best = _widened(best, body)
    lines: list[tuple[str, str]] = []
    for part in _with_siblings(best, best_score, scores):
        _drop_link_lists(part)
        _drop_lone_links(part)
        _read_lines(part, lines)
    lines = [(tag, " ".join(raw.split())) for tag, raw in lines]  # _read_lines keeps no blank line
    while lines and lines[-1][0] in _HEADINGS:  # a heading with nothing after it introduced what was left out
        lines.pop()
    text = "\n".join(line for _, line in lines)
    return ContentGuess(text=text, prose_chars=prose)


def _strip_furniture(body: Any) -> None:
    for element in list(body.iter(*FURNITURE_TAGS)):
        remove_element(element)
    furniture: dict[str, bool] = {}  # pages repeat their class names: each is matched once
    for element in body.xpath(".//*[@class or @id or @hidden or @aria-hidden or @role]"):
        if element.getparent() is None:  # inside something already removed
            continue
        if (element.get("hidden") is not None or element.get("aria-hidden") == "true"
                or element.get("role") in _FURNITURE_ROLES):
            remove_element(element)
            continue
        names = f"{element.get('class') or ''} {element.get('id') or ''}"
        named = furniture.get(names)
        if named is None:
            named = furniture[names] = _FURNITURE_NAME.search(names) is not None
        if named and element.tag not in ("article", "main") and not _holds_prose(element):
            remove_element(element)


def _holds_prose(element: Any) -> bool:
    """Two paragraphs of over PROSE_GUARD_CHARS: a block named "comments" or "has-sidebar" that holds the
    article."""
    found = 0
    for paragraph in element.iter("p"):
        if len(paragraph.text_content()) > PROSE_GUARD_CHARS:
            found += 1
            if found == 2:
                return True
    return False


def _link_chars(element: Any) -> int:
    return sum(len(link.text_content()) for link in element.iter("a"))


def _best_block(scores: dict[Any, float]) -> tuple[Any, float]:
    best, best_score = None, -1.0
    for element, score in scores.items():
        chars = len(element.text_content()) or 1
        score *= 1 - min(_link_chars(element) / chars, 1.0)
        if score > best_score:
            best, best_score = element, score
    return best, best_score


WIDEN_LEVELS = 3  # how far up the content block may widen to take in an intro or a summary beside it
WIDEN_SMALL = 0  # characters an ancestor may add whatever they are (a headline, a dateline)
WIDEN_PROSE = 0.7  # … or the share of what it adds that must be prose, with few links


def _widened(best: Any, body: Any) -> Any:
    """The best block, or the ancestor that adds little to it but prose: the article's intro or summary often
    sits in a block of its own beside the body's, a paragraph too small to win."""
    node = best
    node_chars, node_prose = len(node.text_content()), _prose_chars(node)
    for _ in range(WIDEN_LEVELS):
        parent = node.getparent()
        if parent is None or parent is body:
            break
        chars, prose = len(parent.text_content()), _prose_chars(parent)
        extra, extra_prose = chars - node_chars, prose - node_prose
        if extra > WIDEN_SMALL and not (extra_prose >= WIDEN_PROSE * extra
                                        and _link_chars(parent) - _link_chars(node) <= 0.3 * extra):
            break
        node, node_chars, node_prose = parent, chars, prose
    return node


def _prose_chars(element: Any) -> int:
    return sum(n for n in (len(p.text_content().strip()) for p in element.iter(*PARAGRAPH_TAGS))
               if n >= PROSE_MIN_CHARS)


def _with_siblings(best: Any, best_score: float, scores: dict[Any, float]) -> list[Any]:
    """The best block and its siblings that score at least SIBLING_SHARE of it, or are prose paragraphs."""
    parent = best.getparent()
    if parent is None:
        return [best]
    threshold = max(SIBLING_MIN_SCORE, best_score * SIBLING_SHARE)
    parts = []
    for sibling in parent:
        if sibling is best or scores.get(sibling, 0.0) >= threshold:
            parts.append(sibling)
        elif sibling.tag == "p":
            text = sibling.text_content()
            if len(text) > 80 and _link_chars(sibling) < 0.25 * len(text):
                parts.append(sibling)
    return parts


_HEADINGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6"))
LONE_LINK_WORDS = 10  # a block that is one link of at most this many words is a button or a teaser


def _drop_lone_links(root: Any) -> None:
    """Take out the links that are a block's whole text ("Check price", "Read the review", "Home"): buttons,
    teasers and menu entries, not prose."""
    for link in list(root.iter("a")):
        block = link.getparent()
        while block is not None and block.tag not in _BLOCK_TAGS:
            block = block.getparent()
        if block is None:
            continue
        text = link.text_content().strip()
        if text and len(text.split()) <= LONE_LINK_WORDS and block.text_content().strip() == text:
            remove_element(link)


def _drop_link_lists(root: Any) -> None:
    """Take out the lists and tables that are mostly link text (related stories, tag clouds, menus), with a
    heading right before one ("More on this")."""
    for element in list(root.iter("ul", "ol", "table", "dl")):
        if element is root or element.getparent() is None or not _is_link_list(element):
            continue
        heading = element.getprevious()
        if heading is not None and heading.tag in _HEADINGS and not (heading.tail or "").strip():
            remove_element(heading)
        remove_element(element)


def _read_lines(root: Any, lines: list[tuple[str, str]]) -> None:
    """The text of ``root``, one line per block, with the tag of the block that opened it."""
    buffer: list[str] = []
    opened = root.tag  # the block the buffered text belongs to

    def flush() -> None:
        text = "".join(buffer)
        if text.strip():
            lines.append((opened, text))
        buffer.clear()

    for event, element in etree.iterwalk(root, events=("start", "end")):
        tag = element.tag
        if not isinstance(tag, str):  # comments and processing instructions (the parser drops most)
            continue
        if event == "start":
            if tag in _BLOCK_TAGS:
                flush()
                opened = tag
            if element.text:
                buffer.append(element.text)
        else:
            if tag in _BLOCK_TAGS:
                flush()
                parent = element.getparent()
                opened = parent.tag if element is not root and parent is not None else tag
            if element is not root and element.tail:
                buffer.append(element.tail)
    flush()


def _is_link_list(element: Any) -> bool:
    text = element.text_content()
    return bool(text.strip()) and _link_chars(element) >= LINK_LIST_SHARE * len(text)
