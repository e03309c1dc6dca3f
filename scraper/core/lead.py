"""The article's lead (standfirst, intro, teaser paragraph) where trafilatura left it out.

Many sites print the lead between the headline and the body in an element of its own, named for what it is
(``p.lead``, ``div.article-intro``, ``h2.c-article-head__subtitle``, ``div.chapo``, ``p.entradilla``), often in the
article's header or beside the body's container. trafilatura reads the body's container and drops the rest; its
precision mode also drops every element whose class says "teaser". On trafilatura's evaluation corpus these
leads are most of the article text no trafilatura mode finds (docs/quality.md, "The lead").

``page_leads`` finds such elements once a page, by their class or id alone (the words below, in the dev sets'
languages), and keeps those that read as a lead: a few words to a paragraph, not a link, not a list, not in a
link box, a sidebar or a comment, and not the headline's block. ``with_leads`` puts a lead the extracted text
lacks right before the body's first paragraph, when the lead comes before that paragraph on the page and both
sit in the same part of it (not only under <body>). The text rules then read it like any other line.
"""

from __future__ import annotations

import re
import string
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass, field
from itertools import chain
from typing import Any

import ahocorasick
from lxml import etree

from cleaners.rules import without_state_classes


# Class and id words that name a lead, whole (split at "-", "_", spaces and camelCase humps).
LEAD_WORDS = frozenset({
    "lead", "lede", "intro", "introduction", "introtext", "leadtext", "standfirst", "strapline", "teaser",
    "teasertext", "excerpt", "summary", "abstract", "preface", "subtitle", "subheadline", "deck", "dek",
    "chapo", "chapeau", "entradilla", "bajada", "copete", "sumario", "sommario", "catenaccio", "vorspann",
    "anreisser", "einleitung", "zajawka", "wstep", "inleiding",
})
# An element under one of these tags, or under a class or id with one of these words, is no article's lead.
NOT_UNDER_TAGS = frozenset({"a", "li", "nav", "aside", "footer", "figure", "form", "button", "label", "blockquote"})
NOT_UNDER_WORDS = frozenset({
    "sidebar", "related", "widget", "widgets", "comment", "comments", "menu", "nav", "navigation", "breadcrumb",
    "breadcrumbs", "footer", "newsletter", "promo", "carousel", "slider", "recommended", "popular", "trending",
    "teasers", "teaserlist", "more",
})
# A lead block named for what it holds besides words is the lead's picture, its credit or its byline.
NOT_LEAD_WORDS = frozenset({
    "image", "img", "photo", "picture", "media", "video", "figure", "caption", "credit", "credits", "art", "gallery",
    "slideshow", "visual", "author", "byline", "meta", "date", "time", "info", "share", "social",
})
MEDIA_TAGS = ("img", "picture", "video", "iframe", "figure", "figcaption", "audio")
LEAD_TAGS = ("p", "div", "section", "header", "h2", "h3", "h4", "h5", "h6", "span", "strong", "b", "em")
MIN_WORDS, MAX_WORDS, MIN_CHARS = 4, 120, 20
MAX_LEADS = 3  # a subtitle, a standfirst, an intro at most (and each text's search stays bounded on any page)
LINK_SHARE = 0.5  # a block whose text is mostly link text is a link to another story
BODY_LINE_WORDS = 12  # the body's first paragraph: the text's first line of this many words
FOLLOWING_TEXTS = 2000  # how far after a lead its page is searched for that paragraph (text nodes)
PROBE_CHARS = 30  # the paragraph's first characters looked for (its first text node holds them, mostly)
LEAD_TOO_FAR = ("html", "body")  # a lead and the body whose nearest shared block is one of these are apart
KEY_CHARS = 50  # a lead counts as in the text when its first KEY_CHARS characters but spaces are

# Candidates: the class and id values holding the start of a lead word, found with one search of all the page's
# values joined, lower-cased (a regex search of each value cost five times more); the words are checked after.
_STEMS = ahocorasick.Automaton()  # (a regex of the stems tries each of them at each position)
for _stem in {w[:4] for w in LEAD_WORDS}:
    _STEMS.add_word(_stem, len(_stem))
_STEMS.make_automaton()
_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)
_HUMP = re.compile(r"(?<=[a-z])(?=[A-Z])")
_SPLIT = re.compile(r"[^a-z0-9]+")


def attribute_words(value: str | None) -> set[str]:
    """The words of a class or id value: "c-article-head__subtitle" -> {"c", "article", "head", "subtitle"},
    "storyLead" -> {"story", "lead"}."""
    if not value:
        return set()
    return {w for w in _SPLIT.split(_HUMP.sub(" ", value).lower()) if w}


def element_words(element: Any) -> set[str]:
    """The words of the element's class and id, less the classes that say what the element has
    ("site__main--no-sidebar", "has-intro": cleaners.rules.without_state_classes)."""
    return attribute_words(without_state_classes(element.get("class") or "")) | attribute_words(element.get("id"))


@dataclass(frozen=True, slots=True)
class Lead:
    element: Any
    text: str  # its words, one space apart

    @property
    def key(self) -> str:
        """Its first KEY_CHARS characters but spaces: a text holds the lead however its words were spaced."""
        return "".join(self.text.split())[:KEY_CHARS]


def page_leads(tree: Any) -> list[Lead]:
    """The elements of the page (after the DOM cleaners) that read as the article's lead, in document order."""
    body = tree.find("body")
    if body is None:
        return []
    placed = [el for el in _marked(body) if el.tag in LEAD_TAGS and _names_a_lead(element_words(el))
              and _reads_as_lead(el, body)]
    # A page has one lead: a class that names several such blocks names cards (teasers of other stories).
    classes = Counter(el.get("class") for el in placed if el.get("class"))
    found = []
    for el in placed:
        if el.get("class") and classes[el.get("class")] > 1:
            continue
        text = " ".join(el.text_content().split())  # (as a browser joins inline pieces, without CSS)
        if MIN_WORDS <= len(text.split()) <= MAX_WORDS and len(text) >= MIN_CHARS and not _mostly_links(el, len(text)):
            found.append(Lead(el, text))
    # The innermost: "div.story-lead > p.story-lead-text" gives the paragraph, "header.intro > h2, p" both.
    outer = {up for lead in found for up in lead.element.iterancestors()}
    return [lead for lead in found if lead.element not in outer][:MAX_LEADS]


def _names_a_lead(words: set[str]) -> bool:
    """Named for a lead, and not for the lead's picture, credit or byline as well (read once per element)."""
    return not LEAD_WORDS.isdisjoint(words) and NOT_LEAD_WORDS.isdisjoint(words)


def _marked(body: Any) -> list[Any]:
    """The elements whose class or id holds the start of a lead word, in document order: one search of all the
    values joined, each value's start remembered with its element."""
    elements, starts, parts, at = [], [], [], 0
    for element in body.iter(etree.Element):  # (a walk costs less than libxml2's XPath for @class or @id)
        for value in (element.get("class"), element.get("id")):
            if value:
                elements.append(element)
                starts.append(at)
                parts.append(value)
                at += len(value) + 1
    # (ASCII letters only: the words are ASCII, and str.lower can lengthen a value: "İ" -> "i̇")
    lowered = "\n".join(parts).translate(_ASCII_LOWER)
    hits = {bisect_right(starts, end - size + 1) - 1 for end, size in _STEMS.iter(lowered)}
    return list(dict.fromkeys(elements[i] for i in sorted(hits)))


def _reads_as_lead(element: Any, body: Any) -> bool:
    """Not the headline's block, not a list, a table or a picture, and not inside a link, a list item, a sidebar, a
    comment…"""
    if next(element.iter("h1", "ul", "ol", "table", *MEDIA_TAGS), None) is not None:
        return False
    for up in element.iterancestors():
        if up is body:
            return True
        if up.tag in NOT_UNDER_TAGS or not NOT_UNDER_WORDS.isdisjoint(element_words(up)):
            return False
    return True


def _mostly_links(element: Any, chars: int) -> bool:
    linked = sum(len(" ".join(a.text_content().split())) for a in element.iter("a"))
    return linked > LINK_SHARE * chars


@dataclass(slots=True)
class PageLeads:
    """A page's lead blocks, and the leads put into each of its texts (by the id of what the text became: the
    Processor keeps them for `presswash explain`)."""

    blocks: list[Lead]
    put_in: dict[int, tuple[str, ...]] = field(default_factory=dict)


def with_leads(text: str, leads: list[Lead]) -> tuple[str, tuple[str, ...]]:
    """``text`` with the leads it lacks put right before its body's first paragraph (the first line of
    BODY_LINE_WORDS words or more), each where the page has it before that paragraph, in the same part of the
    page; and the lines put in."""
    if not leads or not text.strip():
        return text, ()
    flat = "".join(text.split())
    missing = [lead for lead in leads if lead.key not in flat]
    if not missing:
        return text, ()
    lines = text.split("\n")
    start = next((i for i, line in enumerate(lines) if len(line.split()) >= BODY_LINE_WORDS), None)
    if start is None:
        return text, ()
    probe = " ".join(lines[start].split())
    added = tuple(lead.text for lead in missing if _before_paragraph(lead.element, probe))
    if not added:
        return text, ()
    return "\n".join(lines[:start] + list(added) + lines[start:]), added


def _before_paragraph(element: Any, probe: str) -> bool:
    """Whether the body's first words (``probe``) come after ``element`` on the page, in a text that shares a
    block with it below <body>."""
    probe = probe[:PROBE_CHARS]
    for node in element.xpath(f"following::text()[position() <= {FOLLOWING_TEXTS}]"):
        if probe in " ".join(node.split()):
            mine = set(element.iterancestors())
            holder = node.getparent()  # (for a tail, the element it follows)
            shared = next((up for up in chain((holder,), holder.iterancestors()) if up in mine), None)
            return shared is not None and shared.tag not in LEAD_TOO_FAR
    return False
