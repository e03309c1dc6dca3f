"""Parse once, read the metadata trafilatura does not give, and run trafilatura on the same tree."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

import lxml.html
import trafilatura
from lxml import etree
from trafilatura.settings import CUT_EMPTY_ELEMS, set_date_params

from cleaners.packs import primary_language
from cleaners.rules import remove_element
from scraper.core import __version__
from scraper.core.metadata import Metadata
from scraper.core.page_metadata import JsonLd, jsonld_scripts, read_metadata, squash
from scraper.core.paywall import PaywallEvidence, read_paywall
from scraper.core.urls import absolute_http_url

EXTRACTOR = {"name": "trafilatura", "version": trafilatura.__version__}


def extractor_info(mode: str | None = None) -> dict[str, str]:
    """What made a record; ``mode`` is the trafilatura setting whose text was kept."""
    found = {**EXTRACTOR, "presswash": __version__}
    return {**found, "mode": mode} if mode else found


class ExtractionError(Exception):
    """The page could not be parsed or held no article text; the message says why."""


# Every element as lxml.html's HtmlElement (text_content(), drop_tree()…), chosen by libxml2's side of lxml: the
# parser lxml.html offers calls a Python method for each element lxml wraps, about 5,500 times a page with
# trafilatura's walks (wrapping an element: 445 -> 275 ns).
_HTML_CLASSES = etree.ElementDefaultClassLookup(element=lxml.html.HtmlElement, comment=lxml.html.HtmlComment,
                                                pi=lxml.html.HtmlProcessingInstruction, entity=lxml.html.HtmlEntity)


@lru_cache(maxsize=2)
def _parser(huge: bool = False) -> etree.HTMLParser:
    # Text arrives already decoded and is handed over as UTF-8, so lxml must ignore <meta charset>.
    # No huge_tree by default: libxml2's depth and size limits are a guard against hostile pages.
    parser = etree.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True, huge_tree=huge)
    parser.set_element_class_lookup(_HTML_CLASSES)
    return parser


def _limit_hit(parser: etree.HTMLParser) -> str | None:
    """The message of a libxml2 resource-limit error from the last parse, or None.

    Such an error is fatal: the parser stops there and silently drops the rest of the page."""
    for error in parser.error_log:
        if error.type_name == "ERR_RESOURCE_LIMIT" or "XML_PARSE_HUGE" in error.message:
            return error.message
    return None


# Characters XML forbids. libxml2's HTML parser keeps them in the tree, and lxml then refuses to set any text
# that holds one, which trafilatura does (a page with a stray \x1f failed in the fallback extractor).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


# What holds no article text but costs every trafilatura run a copy and a walk (svg drawings run to hundreds
# of elements). Taken out of <body> once the metadata has been read (JSON-LD sits in <script>).
CODE_TAGS = ("script", "style", "template", "svg", "link", "meta")


def prune_code(tree: Any) -> None:
    """Take code and drawings out of the page's <body>, keeping the text that follows each."""
    body = tree.find("body")
    if body is None:
        return
    for element in list(body.iter(*CODE_TAGS)):
        remove_element(element)


_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
# Where an <a> without href is a target inside the text, not a link, and an empty element's tail is the
# block's own text. Elsewhere (lists, widgets) unwrapping such anchors measured worse: link density is what
# lets trafilatura drop those blocks.
_TEXT_BLOCKS = frozenset((*_HEADINGS, "p"))


def ready_for_precision(tree: Any) -> None:
    """Mend what trafilatura's precision mode (the first run of ``--mode auto``) would wrongly drop, in one walk
    of the page's <body>: anchors that link nowhere else (unlink_anchors), empty marks before the words of a
    heading or paragraph (keep_text_after_empty_elements) and the article's own header (open_article_header).
    docs/quality.md, "The tree made ready for precision mode"."""
    body = tree.find("body")
    if body is None:
        return
    anchors, blocks, header = [], [], None
    for element in body.iter("a", "header", *_TEXT_BLOCKS):
        if element.tag == "a":
            anchors.append(element)
        elif element.tag != "header":
            blocks.append(element)
        elif header is None and element.find(".//h1") is not None and next(
                element.iterancestors("article", "main"), None) is not None:
            header = element
    unlink_anchors(anchors)
    keep_text_after_empty_elements(blocks)
    if header is not None:
        open_article_header(header)


def unlink_anchors(anchors: list[Any]) -> None:
    """Take away the <a> elements that link nowhere else.

    trafilatura's link-density tests count every <a> in a block as a link, and precision mode runs them on
    headings too: a heading with a permalink icon (an empty ``<a href="#section">``), a heading that is its
    own fragment link, or a paragraph inside a named anchor (``<a name="q3">``) reads as all link and is
    dropped. These go: an empty link to a place on the same page (its tail kept); the <a> tag, not its
    text, of a named anchor in a heading or paragraph and of a heading's fragment link. Table-of-contents
    lists and ``href="#"`` toggles keep their links (DOM008 and link density take those)."""
    for anchor in anchors:
        href = anchor.get("href")
        if href is not None and not href.startswith("#"):
            continue
        parent = anchor.getparent()
        if parent is None:
            continue
        if href is None:
            if parent.tag in _TEXT_BLOCKS:
                anchor.drop_tag()
        elif not anchor.text_content().strip():
            if anchor.find(".//img") is None:
                remove_element(anchor)
        elif len(href) > 1 and parent.tag in _HEADINGS:
            anchor.drop_tag()


def keep_text_after_empty_elements(blocks: list[Any]) -> None:
    """Take the empty elements out of these headings and paragraphs, keeping the text after each.

    trafilatura deletes the empty elements of a page before extracting (CUT_EMPTY_ELEMS: span, b, i, div and
    others with no text and no children), and in precision mode it deletes the text that follows them too. A
    heading with an empty anchor span before its words (``<h2><span id="costs"></span>Costs</h2>``, the mark a
    table-of-contents plugin leaves) or a paragraph after WordPress's ``<span id="more-12"></span>`` lost its
    text that way. An element holding whitespace is not empty to trafilatura and stays (it keeps words apart)."""
    for block in blocks:
        for element in list(block):
            if (element.text is None and not len(element) and element.tag in CUT_EMPTY_ELEMS and element.tail
                    and element.tail.strip()):
                remove_element(element)


def open_article_header(header: Any) -> None:
    """Make the article's own <header> a plain block, so trafilatura's precision mode keeps its standfirst.

    Precision mode drops every <header> element (its PRECISION_DISCARD_XPATH), which is right for a page's
    banner but also takes the article's header: headline, standfirst, byline. The first <header> inside an
    <article> or <main> that holds the <h1> is the article's (ready_for_precision finds it); it becomes a <div>,
    and its lines meet the same tests and rules as the rest of the text (the repeated headline goes by GEN002).
    Only the first: on pages that append the next stories, each comes as another <article> with a header and
    an <h1>."""
    header.tag = "div"


def parse_html(text: str, notes: list[str] | None = None) -> Any:
    """Parse a page. When libxml2 had to stop early, the tree holds only what came before that point,
    and a sentence saying why is appended to ``notes``."""
    if _NOT_XML.search(text):
        text = _NOT_XML.sub(" ", text)
    data = text.encode("utf-8", "surrogatepass")
    try:
        parser = _parser()
        tree = lxml.html.document_fromstring(data, parser=parser)
        limit = _limit_hit(parser)
        if limit and "depth" not in limit.lower():
            # A text node over libxml2's 10 MB cap (an inline script or JSON blob) would cut the page
            # there, article and all. The input is already capped by --max-size, so lift the cap.
            parser = _parser(huge=True)
            tree = lxml.html.document_fromstring(data, parser=parser)
            limit = _limit_hit(parser)
    except (etree.ParserError, ValueError) as exc:
        raise ExtractionError(f"the HTML could not be parsed: {exc}") from None
    if tree is None or len(tree) == 0:
        raise ExtractionError("the HTML is empty once parsed")
    if limit and notes is not None:
        what = ("the HTML is nested too deeply (over 255 levels)" if "depth" in limit.lower()
                else f"the HTML hit a parser limit ({limit.strip()})")
        notes.append(f"{what}: the parser stopped there and dropped the rest of the page")
    return tree


@dataclass(slots=True)
class PageSignals:
    """Metadata read from the tree before trafilatura cleans it in place."""

    canonical_url: str | None = None
    language: str | None = None
    language_source: str | None = None  # where the page declared it (scraper/core/metadata.py PROVENANCE)
    date_modified: str | None = None
    date_modified_source: str | None = None  # "meta" or "json-ld"
    paywall: PaywallEvidence | None = None  # what the page says of a paywall (scraper/core/paywall.py)


_JSONLD_MODIFIED = re.compile(r'"dateModified"\s*:\s*"([^"]{8,40})"')


def _first(tree: Any, xpath: str) -> str | None:
    for value in tree.xpath(xpath):
        value = str(value).strip()
        if value:
            return value
    return None


_LANGUAGE_CODE = re.compile(r"[a-z]{2,3}")


def _primary_subtag(value: str | None) -> str | None:
    """"de" of "de-AT", "de_at" or "DE, en"; None for a value that names no language ("", "x-default",
    "und" for undetermined, or a broken attribute such as "lang=")."""
    primary = primary_language(value.split(",")[0]) if value else None
    return primary if primary and _LANGUAGE_CODE.fullmatch(primary) and primary != "und" else None


# Where a page declares its language, in the order they are trusted, each with its provenance.
_DECLARED_LANGUAGE = (
    ("html-lang", lambda tree, headers: _first(tree, "/html/@lang")),
    ("meta", lambda tree, headers: _first(
        tree, '//head/meta[@http-equiv="content-language" or @http-equiv="Content-Language"]/@content')),
    ("meta", lambda tree, headers: _first(tree, '//head/meta[@property="og:locale"]/@content')),
    ("http-header", lambda tree, headers: headers.get("content-language")),
)


def read_signals(tree: Any, url: str | None, headers: dict[str, str],
                 jsonld: list[JsonLd] | None = None) -> PageSignals:
    """The page's canonical URL, declared language, modification date and paywall evidence; ``jsonld`` its
    JSON-LD scripts when the caller has read them (page_metadata.jsonld_scripts)."""
    if jsonld is None:
        jsonld = jsonld_scripts(tree)
    canonical = _first(tree, '//head/link[@rel="canonical"]/@href')
    if canonical:
        canonical = absolute_http_url(canonical, url)
    lang, lang_source = None, None
    for source, found in _DECLARED_LANGUAGE:
        lang = _primary_subtag(found(tree, headers))
        if lang:
            lang_source = source
            break
    modified = _first(
        tree,
        '//meta[@property="article:modified_time" or @property="og:updated_time" '
        'or @itemprop="dateModified" or @name="last-modified"]/@content',
    )
    modified_source = "meta" if modified else None
    if not modified:
        for script in jsonld:
            m = _JSONLD_MODIFIED.search(script.text) if script.kind == "application/ld+json" else None
            if m:
                modified, modified_source = m.group(1), "json-ld"
                break
    return PageSignals(canonical_url=canonical, language=lang, language_source=lang_source, date_modified=modified,
                       date_modified_source=modified_source, paywall=read_paywall(tree, jsonld))


# htmldate's "extensive" date search runs regexes and dateparser over the page's free text. On the WCXB dev
# pages it finds the right date on 2% more pages (148 against 144 of 200) for 40% more extraction time, and
# on digit-heavy inline JSON it costs ~0.6 s per MB. It is an option (--extensive-dates), off by default,
# and never used on pages over this many characters.
EXTENSIVE_DATE_SEARCH_MAX = 2_000_000


# " | ", " - ", " – ", " — ", " • ", " · ", " » ", " :: ": what sites put between a headline and their name.
_TITLE_SEP = re.compile(r"(\s+(?:[|•·»]|::|[-–—])\s+)")


def _names_site(segment: str, sitename: str | None, host: str | None) -> bool:
    """Whether a title segment is the site's name: its site name, its host, or its host's main label."""
    seg = squash(segment)
    if not seg:
        return False
    if sitename:
        site = squash(sitename)
        if site and (seg == site or (len(seg) >= 5 and site.startswith(seg)) or seg.startswith(site)):
            return True
    if host:
        labels = host.lower().removeprefix("www.").split(".")
        full = squash(".".join(labels))
        main = max(labels[:-1] or labels, key=len)  # "tarkett" in home.tarkett.co.uk
        if seg in (full, squash(main)) or (len(seg) >= 4 and seg in full):
            return True
    return False


def strip_site_name(title: str | None, sitename: str | None = None, url: str | None = None) -> str | None:
    """The headline without the site name that page titles carry ("Rates rise again | The Daily" ->
    "Rates rise again"). Only a segment that names the site (its site name or host) goes, with any
    tagline after it, or a leading one; a title with no such segment is returned as it is."""
    if not title:
        return title
    parts = _TITLE_SEP.split(title.strip())
    segments = parts[::2]  # separators sit at odd positions
    if len(segments) < 2:
        return title
    host = urlsplit(url).hostname if url else None
    for i in range(1, len(segments)):
        if _names_site(segments[i], sitename, host):
            return "".join(parts[: 2 * i - 1]).strip() or title
    # A leading site name ("The Daily | Rates rise again") only before a bar-like separator: a dash after
    # a leading name is as often part of the headline ("Google - the company that ...").
    if _names_site(segments[0], sitename, host) and not re.search(r"[-–—]", parts[1]):
        return "".join(parts[2:]).strip() or title
    return title


# trafilatura's three settings: its defaults, favor_precision and favor_recall.
MODES = ("balanced", "precision", "recall")
# "auto" runs precision first, and recall where precision's text may be short of the page's (recall_may_add);
# when they show precision's text whole it is kept, otherwise balanced runs too, one text is picked (pick_mode)
# and checked against the fallback (precision_is_whole, prefer_fallback).
MODE_CHOICES = ("auto", *MODES, "fast")
# "fast", for bulk archives: one run of this setting without trafilatura's comparison with its readability
# and jusText extractors (its own ``fast``), no other mode and no fallback; the full run of the setting only
# where the fast one's text does not hold the page's paragraphs (holds_paragraphs; docs/quality.md).
FAST_MODE = "balanced"
FALLBACK = "baseline"  # the mode name a record carries when trafilatura's fallback extractor made its text
SCORER = "scorer"  # … and when presswash's own content scorer did (scraper/core/content.py)


def _mode_flags(mode: str) -> dict[str, bool]:
    if mode not in MODES:
        raise ValueError(f"unknown extraction mode {mode!r}; known: {', '.join(MODE_CHOICES)}")
    return {"favor_precision": mode == "precision", "favor_recall": mode == "recall"}


def page_metadata(tree: Any, url: str | None, page_chars: int = 0, extensive_dates: bool = False,
                  jsonld: list[JsonLd] | None = None) -> Metadata:
    """The page's metadata from presswash's own reader (page_metadata.read_metadata: cheaper than trafilatura's,
    each field with its provenance), the title without the site's name. ``tree`` is left as it was;
    ``extensive_dates`` lets htmldate search the page's free text for a date where no structured source gives
    one. ``jsonld``: the page's JSON-LD scripts when the caller has read them."""
    date_params = set_date_params(extensive_dates and page_chars <= EXTENSIVE_DATE_SEARCH_MAX)
    meta = read_metadata(tree, url, date_params, jsonld)
    meta.title = strip_site_name(meta.title, meta.sitename, url) or None
    return meta


def extract_text(tree: Any, url: str | None, include_comments: bool = False, mode: str = "balanced",
                 fast: bool = False) -> str:
    """trafilatura's main text of an already parsed tree, in one mode ("" if none). It works on its own copy,
    so ``tree`` is left as it was. ``fast`` skips trafilatura's comparison with its readability and jusText
    extractors (see MANY_ELEMENTS)."""
    doc = trafilatura.bare_extraction(tree, url=url, with_metadata=False, include_comments=include_comments,
                                      include_tables=True, fast=fast, **_mode_flags(mode))
    return (doc.text or "") if doc is not None else ""


# A page short enough that trafilatura's full run compares its text with jusText's.
_WARM_UP_PAGE = ("<html><body><article><p>" + "A short paragraph about the council's vote. " * 3
                 + "</p></article></body></html>")


def preload() -> None:
    """Run trafilatura once in full on a short page: its first comparison with jusText reads every language's
    stoplist (about 30 MiB and 0.1 s). The fork server does this, so its forks share one copy of them."""
    extract_text(parse_html(_WARM_UP_PAGE), None)


def baseline_text(tree: Any) -> str:
    """trafilatura's fallback extractor: the text of the page's paragraphs and article blocks, no scoring."""
    _, text, _ = trafilatura.baseline(tree)
    return text or ""


# The fallback is kept when it holds this many times the words of the chosen text, and most of what it adds
# is prose: lines of FALLBACK_PROSE_WORDS or more words ending like a sentence.
FALLBACK_GAIN = 2.0
FALLBACK_PROSE_SHARE = 0.7
FALLBACK_PROSE_WORDS = 12
_SENTENCE_END = tuple('.!?:"”’)')


def prefer_fallback(chosen: str, fallback: str) -> bool:
    """Whether the fallback text should replace the chosen one: every mode cut the article short (it held
    far fewer words than the page's paragraphs) and the paragraphs it missed read as article prose, not as
    link lists or teasers."""
    if len(fallback.split()) <= FALLBACK_GAIN * max(len(chosen.split()), 1):
        return False
    have = {line.strip() for line in chosen.splitlines()}
    extra = [line.strip() for line in fallback.splitlines() if line.strip() and line.strip() not in have]
    words = sum(len(line.split()) for line in extra)
    prose = sum(len(line.split()) for line in extra
                if len(line.split()) >= FALLBACK_PROSE_WORDS and line.endswith(_SENTENCE_END))
    return words > 0 and prose >= FALLBACK_PROSE_SHARE * words


NO_TEXT = "no article text found: the page may be a listing, a login or consent wall, or rendered by script"

# pick_mode's two thresholds, chosen on the WCXB dev set from a grid, PRECISION_KEEPS since on both dev sets
# (docs/quality.md, "Extraction modes").
RECALL_GAIN = 1.2  # recall mode found this many times the words: balanced mode missed part of the article
# precision mode kept this share of balanced's words: what it dropped is mostly furniture. pick_mode runs only
# where precision's text did not look whole (precision_is_whole), so a fuller balanced text wins more easily.
PRECISION_KEEPS = 0.95


# holds_paragraphs' share, chosen on the WCXB dev set and checked on trafilatura-eval-dev (docs/quality.md,
# "Extraction modes"): a text must hold this share of the page's paragraph words (--mode fast's check that its
# one run did not cut the article short).
PARAGRAPH_SHARE = 0.5
# precision_is_whole's, chosen with PRECISION_KEEPS on both dev sets (docs/quality.md, "The choice where
# precision's text is not whole"): a page below it has its modes compared.
WHOLE_SHARE = 0.6


# recall_may_add's threshold, chosen on the WCXB dev set and checked on trafilatura-eval-dev (docs/quality.md).
BODY_SHARE = 0.7
# What body_words leaves out: code, and the page's furniture by its tag.
_NOT_BODY_TEXT = ("script", "style", "noscript", "template", "svg", "nav", "header", "footer", "aside", "form",
                  "select", "button")


def body_words(tree: Any) -> int:
    """The words of the page's <body> text outside code and furniture (_NOT_BODY_TEXT): an upper bound of what
    any extraction of the page can hold. Each text node is counted on its own; the text after a furniture
    element (its tail) is the page's and counts."""
    body = tree.find("body")
    if body is None:
        return 0
    furniture = frozenset(_NOT_BODY_TEXT)
    words = len(body.text.split()) if body.text else 0
    walker = etree.iterwalk(body, events=("start",))
    next(walker)  # <body> itself
    for _, element in walker:
        if element.tail:
            words += len(element.tail.split())
        if element.tag in furniture:
            walker.skip_subtree()
        elif element.text and isinstance(element.tag, str):  # not a comment's text
            words += len(element.text.split())
    return words


def recall_may_add(precision_words: int, body: int) -> bool:
    """Whether recall mode may find much more than precision's text: precision holds less than BODY_SHARE of
    the page's body words. When it holds more, recall can add at most a fraction and need not run (on the
    dev sets, about two pages in three of WCXB and two in five of trafilatura-eval-dev)."""
    return precision_words < BODY_SHARE * body


def paragraph_words(tree: Any) -> int:
    """The words of the page's <p> elements (a cheap measure of how much prose the page holds)."""
    return sum(len(p.text_content().split()) for p in tree.iter("p"))


def holds_paragraphs(words: int, paragraphs: int, share: float = PARAGRAPH_SHARE) -> bool:
    """Whether a text of ``words`` words holds at least ``share`` of the page's paragraph words (and is not
    empty): it did not take a teaser or a caption for the article."""
    return words > 0 and words >= share * paragraphs


def precision_is_whole(words: dict[str, int], paragraphs: int) -> bool:
    """Whether precision mode's text can be kept without running the other mode and the fallback, from the
    word counts of precision's and (where it ran, see recall_may_add) recall's cleaned texts and the page's
    paragraph words: recall finds no more than RECALL_GAIN times precision's words (nothing was cut that
    recall would restore) and precision kept at least WHOLE_SHARE of the paragraph text (it did not take
    a teaser or a caption for the article). On the dev sets this holds on about nine pages in ten, where
    pick_mode chose precision anyway. A page with no paragraph text (a forum thread, a page of <div>s) gives no
    such evidence, and its modes are compared (about 12 of the dev sets' 1,278 pages)."""
    precision = words.get("precision", 0)
    return (paragraphs > 0 and holds_paragraphs(precision, paragraphs, WHOLE_SHARE)
            and words.get("recall", 0) <= RECALL_GAIN * precision)


def pick_mode(words: dict[str, int]) -> str:
    """Which mode's text to keep, from the word count each mode's cleaned text has.

    Balanced mode is the reference. When recall mode finds much more text, balanced mode cut the article
    short (a section it took for boilerplate, a page split into blocks). Otherwise, when precision mode keeps
    most of the text, the lines it left out are more often boilerplate than article: take precision."""
    balanced = words.get("balanced", 0)
    if words.get("recall", 0) > RECALL_GAIN * max(balanced, 1):
        return "recall"
    if balanced == 0:
        return "precision" if words.get("precision", 0) else "balanced"
    if words.get("precision", 0) >= PRECISION_KEEPS * balanced:
        return "precision"
    return "balanced"
