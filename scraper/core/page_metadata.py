"""A page's metadata read from the tree presswash already parsed, cheaply, each field with its source.

What is read, from the most trusted source to the least (the first that gives a value wins; docs/record.md):

- title: JSON-LD headline, the page's only ``<h1>`` (not the site's name), Open Graph / twitter / name=title
  meta, ``<title>``;
- author: JSON-LD author (Person), meta (article:author, name=author, citation_author, ...), byline markup
  (rel=author, itemprop=author, a class naming the author or byline);
- date_published: JSON-LD datePublished, meta (article:published_time, ...), then htmldate (fast settings:
  a date in the URL, then the markup's time elements and date classes);
- sitename: meta og:site_name, JSON-LD publisher, meta application-name, the host;
- description, image, tags: JSON-LD, then meta (tags: article:tag, keywords, ...; else the section).

Authors pass through trafilatura's own normaliser (``normalize_authors``: "By Jane Doe" -> "Jane Doe", several
names split), then non-names are refused: URLs, e-mail addresses, dates and numbers, role words ("Staff",
"Admin", "Email the author"), and in byline markup the site's own name (a company blog's structured data may
declare the company its author, and that is kept). The names are a list (``authors``); the record's ``author``
joins them with "; ", as trafilatura does (scraper/core/metadata.py).

trafilatura's ``extract_metadata`` reads more (licence, categories from links, a pruned copy of the tree for
bylines) and costs several times as much; ``benchmarks/metadata.py`` compares the two.
"""

from __future__ import annotations

import html
import json
import re
from datetime import date
from typing import Any, NamedTuple

from htmldate import find_date
from lxml import etree
from trafilatura.json_metadata import normalize_authors

from scraper.core.metadata import Metadata
from scraper.core.urls import absolute_http_url, hostname_of

# The meta elements read, by their property / name / itemprop (lower-cased), for each field, in order.
_META = {
    "title": ("og:title", "twitter:title", "title", "headline", "parsely-title", "sailthru.title", "dc.title"),
    "author": ("author", "article:author", "parsely-author", "sailthru.author", "byl", "dc.creator",
               "citation_author", "dcterms.creator", "og:article:author", "cxenseparse:author"),
    "date_published": ("article:published_time", "datepublished", "og:published_time", "published_time",
                       "parsely-pub-date", "sailthru.date", "pubdate", "publishdate", "publish-date",
                       "article.published", "citation_publication_date", "dcterms.created", "dc.date.issued",
                       "dc.date", "date"),
    "sitename": ("og:site_name",),
    "description": ("og:description", "description", "twitter:description", "dc.description"),
    "image": ("og:image", "og:image:url", "og:image:secure_url", "twitter:image", "twitter:image:src"),
    "tags": ("article:tag", "keywords", "news_keywords", "parsely-tags", "sailthru.tags"),
    "section": ("article:section", "parsely-section"),
    "application": ("application-name",),
}
_LAST_FIRST = frozenset({"citation_author", "dc.creator", "dcterms.creator"})
_META_FIELD = {key: name for name, keys in _META.items() for key in keys}
_META_ORDER = {name: {key: i for i, key in enumerate(keys)} for name, keys in _META.items()}

_ARTICLE_TYPE = re.compile(r"(?:article|posting|report)$", re.IGNORECASE)  # NewsArticle, BlogPosting, ...
_PAGE_TYPE = re.compile(r"page$", re.IGNORECASE)  # WebPage, ItemPage: Yoast puts the dates there
_SITE_TYPES = {"organization", "newsmediaorganization", "website", "corporation"}

_ISO_DATE = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")
EARLIEST_YEAR = 1995  # no web article is older; a smaller year is a placeholder or a misread

# Bylines in the page's markup, read only when no structured source names an author: an element marked as
# the author (rel=author, itemprop=author, a class or id naming an author or byline) in the article's header,
# the few levels of markup around its only <h1>, nearest first; then anywhere outside comments and sidebars.
_BYLINE_MARK = re.compile(r"author|byline|byl\b|writer|posted-?by|submitted-?by", re.IGNORECASE)
_BYLINE_NOT = re.compile(r"avatar|image|img|photo|pic|bio|date|time|comment|share|social|follow|more|box",
                         re.IGNORECASE)
_BYLINE_NAME = re.compile(r"author-?_*name", re.IGNORECASE)  # "authorDateBlock_authorName": the name itself
_BYLINE_LEVELS = 5  # how far up from the <h1> the article's header may reach
_BYLINE_MAX_ELEMENTS = 600  # a region bigger than this is no longer the header
# The elements _marks_byline then checks (XPath has no case-insensitive match: "uthor" finds "Author" too).
_BYLINE_CANDIDATES = etree.XPath(
    './/*[@rel="author" or @itemprop="author" or contains(@class, "uthor") or contains(@id, "uthor") '
    'or contains(@class, "yline") or contains(@class, "byl") or contains(@class, "riter") '
    'or contains(@class, "osted") or contains(@class, "ubmitted")]')
_BYLINE_MAX_GLOBAL = 20  # of the whole page's marked elements, the first few
_FURNITURE = re.compile(r"comment|sidebar|related|widget|recommend|popular|trending|newsletter|respond",
                        re.IGNORECASE)
_BYLINE_MAX_CHARS = 120
_BYLINE_GLOBAL = ('//a[@rel="author"]|//*[@itemprop="author"]|//*[self::a or self::span or self::div or self::p]'
                  '[contains(@class, "author") or contains(@class, "byline")]')
# What sites write before and after the name in a byline.
_BYLINE_LABEL = re.compile(r"^(?:(?:posted|written|words|published|reviewed|story|text|article|authored)\s+)?"
                           r"(?:(?:by|von|par|por|di|door)\b|authors?\b)\s*[:|-]?\s*", re.IGNORECASE)
_BYLINE_TAIL = re.compile(r"\s*(?:[•·|]|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d"
                          r"|\b(?:updated|published|posted|last|sponsored|on)\b|\d).*$", re.IGNORECASE)
_BYLINE_COMMENT = re.compile(r"\b(?:says|said|replied|wrote)$", re.IGNORECASE)  # a comment's author line

# Role words and labels that sites put where a name belongs (compared lower-cased, without punctuation).
_NOT_NAMES = frozenset({
    "admin", "administrator", "anonymous", "author", "by", "contributor", "contributors", "editor", "editors",
    "editorial", "editorial staff", "editorial team", "email", "email the author", "email author", "guest",
    "guest author", "posted by", "staff", "staff writer", "staff writers", "staff reporter", "team",
    "the editors", "contact the author", "contact author", "about the author",
    "more by this author", "all posts", "read more", "sponsored", "sponsored content", "advertisement",
    "redaktion", "die redaktion", "redacción", "la redacción", "rédaction", "la rédaction", "redazione",
    "unknown", "user", "webmaster", "written by", "view all posts", "follow", "share", "name", "the author",
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "mon", "tue", "wed", "thu",
    "fri", "sat", "sun", "january", "february", "march", "april", "june", "july", "august", "september",
    "october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "oct", "nov",
    "dec", "sept",
})
_NAME_MAX_WORDS = 6
# A picture's credit ("Fotos EL HERALDO", "Photo: AFP") where a byline is looked for: no author's name.
_CREDIT = re.compile(r"^(?:fotos?|photos?|photographs?|photography|bild(?:er)?|images?|pictures?|illustrations?|"
                     r"grafik|graphics?|video)\b", re.IGNORECASE)
_HAS_DIGIT_RUN = re.compile(r"\d{2,}")
_EMAIL = re.compile(r"\S+@\S+\.\w+")


def read_metadata(tree: Any, url: str | None, date_params: dict[str, Any] | None = None,
                  jsonld: list[JsonLd] | None = None) -> Metadata:
    """The page's title, author, date_published, sitename, hostname, description, tags and image, with
    ``provenance`` naming each field's source (scraper/core/metadata.py PROVENANCE). ``date_params`` are
    htmldate's settings (trafilatura.settings.set_date_params); the fast ones by default; ``jsonld`` the
    page's JSON-LD scripts when the caller has read them (jsonld_scripts). The tree is only read."""
    found: dict[str, tuple[Any, str]] = {}  # field -> (value, source): the first source to give a value wins

    def offer(name: str, value: Any, source: str) -> None:
        if value and name not in found:
            found[name] = (value, source)

    jsonld = _read_jsonld(tree, jsonld)
    meta = _read_meta(tree)
    for declared in (jsonld, meta):
        if declared.get("title") and not _reads_as_headline(declared["title"]):
            del declared["title"]
    for name in ("title", "description", "image", "tags"):
        offer(name, jsonld.get(name), "json-ld")
    offer("sitename", meta.get("sitename"), "meta")
    offer("sitename", jsonld.get("sitename"), "json-ld")
    offer("sitename", meta.get("application"), "meta")
    sitename = found.get("sitename", (None, ""))[0]
    host = hostname_of(url)
    h1, headline = _only_h1(tree)
    if headline and not _names_site(headline, sitename, host):  # a blog's name in its header's <h1>
        offer("title", headline, "h1")
    for name in ("title", "description", "image", "tags"):
        offer(name, meta.get(name), "meta")
    offer("tags", jsonld.get("section"), "json-ld")
    offer("tags", meta.get("section"), "meta")
    offer("title", _title_element(tree), "title")

    # A source whose value is refused (not a name, not a date) leaves the field to the next one.
    offer("authors", author_names(jsonld.get("author")), "json-ld")
    offer("authors", author_names(meta.get("author")), "meta")
    if "authors" not in found:
        offer("authors", author_names(_byline(tree, h1, sitename), sitename), "byline")
    for source, values in (("json-ld", jsonld), ("meta", meta)):
        declared = values.get("date_published")
        published = _as_date(declared)
        if published:
            in_url = _url_date(url) if url else None
            if in_url and _next_day(in_url) == published and _TIME_OF_DAY.search(declared):
                # "2025-12-19T02:41:00+00:00" for a story filed on the 18th, local time, as its URL says
                published, source = in_url, "url"
            offer("date_published", published, source)
            break
    else:
        offer("date_published", *_date_from_page(tree, url, date_params))
    if host:
        offer("hostname", host, "url")
        offer("sitename", host.removeprefix("www."), "url")

    values = {name: value for name, (value, _) in found.items()}
    if "image" in values and url:
        values["image"] = absolute_http_url(values["image"], url)
    values["tags"] = _tag_list(values.get("tags"))
    provenance = {name: source for name, (_, source) in found.items() if values.get(name)}
    if "authors" in provenance:
        provenance["author"] = provenance["authors"]
    return Metadata(**{k: v for k, v in values.items() if v}, provenance=provenance)


# -- JSON-LD ---------------------------------------------------------------------------------------------


class JsonLd(NamedTuple):
    """A JSON-LD script of the page: its type attribute as written, its text, and its JSON (None when it
    does not parse)."""

    kind: str
    text: str
    data: Any


def jsonld_scripts(tree: Any) -> list[JsonLd]:
    """The page's JSON-LD scripts, each parsed once: the metadata, the page signals (dateModified) and the
    paywall evidence all read them, from one walk of the tree."""
    found = []
    for script in tree.iter("script"):
        kind = script.get("type") or ""
        if kind.strip().lower() != "application/ld+json" or not script.text:
            continue
        try:
            data = json.loads(script.text, strict=False)
        except ValueError:
            data = None  # broken JSON: the meta tags and htmldate still read the page
        found.append(JsonLd(kind, script.text, data))
    return found


def is_article(node: Any) -> bool:
    """Whether a JSON-LD node is Article-like (NewsArticle, BlogPosting, Report, ...)."""
    return _has_type(node, _ARTICLE_TYPE)


def _read_jsonld(tree: Any, scripts: list[JsonLd] | None = None) -> dict[str, Any]:
    """The article's fields from the page's JSON-LD: its first Article-like node (NewsArticle, BlogPosting,
    ...), with the page node's dates where the article node has none, and the publisher's name."""
    nodes: list[dict[str, Any]] = []
    for script in jsonld_scripts(tree) if scripts is None else scripts:
        _collect(script.data, nodes, 0)
    if not nodes:
        return {}
    ids = {node["@id"]: node for node in nodes if isinstance(node.get("@id"), str)}
    article = next((n for n in nodes if is_article(n)), None)
    page = next((n for n in nodes if _has_type(n, _PAGE_TYPE)), None)
    found: dict[str, Any] = {}
    for node in filter(None, (article, page)):
        _fill(found, "title", _text(node.get("headline")) or (node is article and _text(node.get("name"))))
        _fill(found, "date_published", _text(node.get("datePublished")) or _text(node.get("dateCreated")))
        _fill(found, "description", _text(node.get("description")))
        _fill(found, "image", _image(_resolve(node.get("image"), ids)))
        _fill(found, "tags", _keywords(node.get("keywords")))
        _fill(found, "section", _keywords(node.get("articleSection")))
        _fill(found, "author", "; ".join(_people(node.get("author"), ids)))
        publisher = _resolve(node.get("publisher"), ids)
        if isinstance(publisher, dict):
            _fill(found, "sitename", _text(publisher.get("name")))
    if "sitename" not in found:
        site = next((n for n in nodes if _has_type(n, None, _SITE_TYPES)), None)
        if site:
            _fill(found, "sitename", _text(site.get("name")))
    return found


def _collect(data: Any, nodes: list[dict[str, Any]], depth: int) -> None:
    """The typed objects of a JSON-LD document: top-level ones, those of an @graph, and (one level down)
    those a list wraps."""
    if depth > 3:
        return
    if isinstance(data, list):
        for item in data:
            _collect(item, nodes, depth + 1)
    elif isinstance(data, dict):
        if "@type" in data or "@id" in data:
            nodes.append(data)
        if "@graph" in data:
            _collect(data["@graph"], nodes, depth + 1)


def _types(node: dict[str, Any]) -> list[str]:
    kind = node.get("@type")
    return [t for t in (kind if isinstance(kind, list) else [kind]) if isinstance(t, str)]


def _has_type(node: Any, pattern: re.Pattern[str] | None, names: frozenset[str] | set[str] = frozenset()) -> bool:
    if not isinstance(node, dict):
        return False
    return any((pattern is not None and pattern.search(t)) or t.lower() in names for t in _types(node))


def _resolve(value: Any, ids: dict[str, dict[str, Any]]) -> Any:
    """A reference ({"@id": ...} alone) replaced by the node it names, when the page has it."""
    if isinstance(value, dict) and set(value) == {"@id"} and value["@id"] in ids:
        return ids[value["@id"]]
    return value


def _fill(found: dict[str, Any], name: str, value: Any) -> None:
    if value and name not in found:
        found[name] = value


def _text(value: Any) -> str | None:
    """A JSON-LD value as one line of text; HTML entities some sites leave in it ("&amp;#8217;") decoded."""
    if isinstance(value, list) and value:
        value = value[0]
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None
    for _ in range(2):  # "&amp;#8230;": encoded twice
        if "&" not in value:
            break
        value = html.unescape(value)
    return " ".join(value.split()) or None


def _image(value: Any) -> str | None:
    if isinstance(value, list) and value:
        value = value[0]
    if isinstance(value, dict):
        value = value.get("url") or value.get("contentUrl")
    return _text(value)


def _keywords(value: Any) -> list[str]:
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    if isinstance(value, list):
        return [v.strip() for v in value if isinstance(v, str) and v.strip()]
    return []


def _people(value: Any, ids: dict[str, dict[str, Any]]) -> list[str]:
    """The names of a JSON-LD author value: a name, a Person, a list of them; organisations left out."""
    names = []
    for item in value if isinstance(value, list) else [value]:
        item = _resolve(item, ids)
        if isinstance(item, str):
            names.append(item)
        elif isinstance(item, dict) and not _has_type(item, None, _SITE_TYPES):
            name = _text(item.get("name"))
            if not name and isinstance(item.get("givenName"), str):
                name = " ".join(str(item.get(k)) for k in ("givenName", "familyName") if item.get(k))
            if name:
                names.append(name)
    return names


# -- meta elements and markup -----------------------------------------------------------------------------


def _read_meta(tree: Any) -> dict[str, Any]:
    """Each field's value from the page's <meta> elements: the best-ranked key that has a value (_META);
    tags from all the keys of the best-ranked kind."""
    best: dict[str, tuple[int, Any]] = {}
    tags: dict[int, list[str]] = {}
    authors: dict[int, list[str]] = {}
    for element in tree.iter("meta"):
        key = element.get("property") or element.get("name") or element.get("itemprop")
        if not key:
            continue
        key = key.strip().lower()
        name = _META_FIELD.get(key)
        content = (element.get("content") or "").strip()
        if name is None or not content:
            continue
        rank = _META_ORDER[name][key]
        if name in ("tags", "section"):
            tags.setdefault(rank if name == "tags" else 100 + rank, []).extend(_keywords(content))
        elif name == "author":  # one element per author (citation_author): all of the best-ranked key's
            authors.setdefault(rank, []).append(_first_last(content) if key in _LAST_FIRST else content)
        elif name not in best or rank < best[name][0]:
            best[name] = (rank, " ".join(content.split()))
    found = {name: value for name, (_, value) in best.items()}
    if authors:
        found["author"] = "; ".join(" ".join(a.split()) for a in authors[min(authors)])
    for rank in sorted(tags):
        if tags[rank]:
            found["tags" if rank < 100 else "section"] = tags[rank]
            if rank < 100:
                break
    if str(found.get("author", "")).startswith(("http:", "https:", "//")):
        del found["author"]  # article:author is often a profile URL: refused, the next source speaks
    return found


HEADLINE_MAX_CHARS = 200
_SENTENCE_WORDS = 15


def _reads_as_headline(title: str) -> bool:
    """Whether a declared title reads as a headline, not as the page's summary put in its place (a long
    sentence with a full stop)."""
    return len(title) <= HEADLINE_MAX_CHARS and not (title.endswith(".") and len(title.split()) > _SENTENCE_WORDS)


def _first_last(name: str) -> str:
    """"Roy, Aniruddha" (the bibliographic order of citation_author and Dublin Core) as "Aniruddha Roy"."""
    last, comma, first = name.partition(",")
    if comma and "," not in first and 0 < len(last.split()) <= 2 and 0 < len(first.split()) <= 2:
        return f"{first.strip()} {last.strip()}"
    return name


def _only_h1(tree: Any) -> tuple[Any, str | None]:
    """The page's <h1> and its text when it has exactly one with text: the headline most sites show."""
    found, headline = None, None
    for h1 in tree.iter("h1"):
        text = " ".join(" ".join(h1.itertext()).split())  # <br> and blocks inside it part words
        if text:
            if found is not None:
                return None, None
            found, headline = h1, text
    return found, headline


def _names_site(text: str, sitename: str | None, host: str | None) -> bool:
    """Whether a text is the site's name: its declared name, or its host's main label ("gnaur" of
    gnaur.wordpress.com, "harbourtimes" of www.harbourtimes.example)."""
    squashed = squash(text)
    if sitename and squashed == squash(sitename):
        return True
    labels = host.lower().removeprefix("www.").split(".") if host else []
    return bool(labels) and squashed in {squash(label) for label in labels[:-1] or labels}


def _title_element(tree: Any) -> str | None:
    head = tree.find("head")
    element = head.find("title") if head is not None else None
    if element is None:
        element = tree.find(".//title")
    return " ".join(element.text_content().split()) or None if element is not None else None


def _byline(tree: Any, h1: Any, sitename: str | None) -> str | None:
    """The text of the page's byline markup (see _BYLINE_MARK), without its label and date."""
    for group in _byline_groups(tree, h1):
        for element in group:
            text = _byline_text(element, sitename)
            if text:
                return text
    return None


def _byline_text(element: Any, sitename: str | None) -> str | None:
    name = element.xpath('.//*[@itemprop="name"]')
    text = " ".join(" ".join((name[0] if name else element).itertext()).split())
    if len(text) > _BYLINE_MAX_CHARS:
        return None
    text = _BYLINE_TAIL.sub("", _BYLINE_LABEL.sub("", text)).strip(" ,:;-–—")
    if sitename and text.lower().endswith(" " + sitename.lower()):  # "Jane Doe USA TODAY"
        text = text[: -len(sitename)].strip(" ,:;-–—|")
    if len(text) < 2 or _BYLINE_COMMENT.search(text) or _CREDIT.match(text):
        return None
    return text


def _byline_groups(tree: Any, h1: Any) -> Any:
    """The marked elements, nearest the headline first: in the header around the <h1>, by how many levels
    up from it they join it, then the whole page outside comments and sidebars. In each group the elements
    that mark the name itself come first, then those holding no other marked element, then the rest."""
    header = []  # the <h1>'s ancestors, nearest first, while they are small enough to be its header
    region = h1.getparent() if h1 is not None else None
    while region is not None and len(header) < _BYLINE_LEVELS:
        if region.xpath("count(.//*)") > _BYLINE_MAX_ELEMENTS:
            break
        header.append(region)
        region = region.getparent()
    if header:
        levels = {id(element): level for level, element in enumerate(header)}
        groups: dict[int, list[Any]] = {}
        for element in _BYLINE_CANDIDATES(header[-1]):
            if _marks_byline(element):
                level = next(levels[id(a)] for a in element.iterancestors() if id(a) in levels)
                groups.setdefault(level, []).append(element)
        for level in sorted(groups):
            yield _nearest_name_first(groups[level])
    marked = [e for e in tree.xpath(_BYLINE_GLOBAL)[:_BYLINE_MAX_GLOBAL] if not _in_furniture(e)]
    yield _nearest_name_first(marked)


def _nearest_name_first(marked: list[Any]) -> list[Any]:
    found = set(marked)

    def rank(element: Any) -> int:
        if _BYLINE_NAME.search(element.get("class", "")) or element.get("rel") == "author" \
                or element.get("itemprop") == "author":
            return 0
        return 2 if any(d in found for d in element.iterdescendants()) else 1

    return sorted(marked, key=rank)


def _marks_byline(element: Any) -> bool:
    if element.get("rel") == "author" or element.get("itemprop") == "author":
        return True
    marks = f"{element.get('class', '')} {element.get('id', '')}"
    return bool(_BYLINE_MARK.search(marks)) and (not _BYLINE_NOT.search(marks) or bool(_BYLINE_NAME.search(marks)))


def _in_furniture(element: Any) -> bool:
    """Whether an element sits in a page's comments, sidebar or teaser lists, where bylines are other
    articles' or commenters'."""
    return any(_FURNITURE.search(f"{a.get('class', '')} {a.get('id', '')}") for a in element.iterancestors())


# -- authors ---------------------------------------------------------------------------------------------


# "A y B", "A et B": trafilatura splits "and", "und", "&" and commas; these only between two full names, as
# "y" and "et" also join the parts of one name ("José Ortega y Gasset").
_CONJUNCTION = re.compile(r"\s+(?:y|et)\s+")


def author_names(value: str | None, sitename: str | None = None) -> list[str]:
    """The names in an author value (a byline, a meta element's content, JSON-LD names joined with "; "):
    its label cut ("By Jane Doe"), split into names ("A, B and C", "A & B", "A und B", "A y B", "A et B"),
    each normalised by trafilatura, the ones that are no person's name refused (is_name); no name twice."""
    if not value:
        return []
    normalised = normalize_authors(None, value)
    names = []
    for part in (normalised or "").split("; "):
        halves = _CONJUNCTION.split(part)
        names.extend(halves if all(len(half.split()) >= 2 for half in halves) else [part])
    return list(dict.fromkeys(name for name in names if is_name(name, sitename)))


def squash(text: str) -> str:
    """Case-folded, without spaces and punctuation: how a name is compared ("The Daily" = "thedaily")."""
    return re.sub(r"[\W_]+", "", text.casefold())


def is_name(name: str, sitename: str | None = None) -> bool:
    """Whether an author value reads as a person's (or a desk's) name: not a URL, an e-mail address, a date
    or number, a role word ("Staff", "Email the author"), a picture's credit ("Photo: AFP"), the site's own
    name, or a sentence."""
    text = " ".join(name.split())
    if len(text) < 2 or text.lower().startswith(("http", "www.")) or _EMAIL.search(text):
        return False
    if _HAS_DIGIT_RUN.search(text) or len(text.split()) > _NAME_MAX_WORDS or _CREDIT.match(text):
        return False
    if re.sub(r"[^\w ]+", "", text.casefold()).strip() in _NOT_NAMES:
        return False
    squashed = squash(text)
    # The site's declared name is no author; its host is, often, on a person's own site (janedoe.com).
    return bool(squashed) and not (sitename and squashed == squash(sitename))


# -- dates -----------------------------------------------------------------------------------------------


def _as_date(value: Any) -> str | None:
    """YYYY-MM-DD of a structured date value ("2024-05-12T09:30:00+02:00", "2024/05/12"), as the page wrote
    it (no time-zone shift); None when it holds no plausible date."""
    if not isinstance(value, str):
        return None
    match = _ISO_DATE.search(value)
    if not match:
        return None
    try:
        found = date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None
    if not EARLIEST_YEAR <= found.year <= date.today().year + 1:
        return None
    return found.isoformat()


def fast_date_params() -> dict[str, Any]:
    """htmldate's fast settings: the original (published) date, no free-text search."""
    return {"original_date": True, "extensive_search": False, "max_date": date.today().isoformat()}


def _date_from_page(tree: Any, url: str | None, date_params: dict[str, Any] | None) -> tuple[str | None, str]:
    """htmldate's date, with its source: htmldate reads the page's meta and JSON-LD again (in its own way),
    then the URL, then the markup's time elements and date classes."""
    params = {**(date_params or fast_date_params())}
    try:
        found = find_date(tree, url=url or "", deferred_url_extractor=True, **params)
    except Exception:  # noqa: BLE001 - htmldate on a hostile page: no date rather than no article
        found = None
    if not found:
        return None, ""
    source = "htmldate"
    if url and _url_date(url) == found:
        source = "url"
    return found, source


_URL_DATE = re.compile(r"/((?:19|20)\d{2})[/_-](\d{1,2})[/_-](\d{1,2})(?:/|[_-]|$)")


_TIME_OF_DAY = re.compile(r"\d[T ]\d{1,2}:\d{2}")


def _next_day(day: str) -> str:
    return date.fromordinal(date.fromisoformat(day).toordinal() + 1).isoformat()


def _url_date(url: str) -> str | None:
    match = _URL_DATE.search(url)
    if not match:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3])).isoformat()
    except ValueError:
        return None


# -- the rest --------------------------------------------------------------------------------------------


def _tag_list(value: Any) -> list[str]:
    if not value:
        return []
    values = value if isinstance(value, list) else [value]
    return list(dict.fromkeys(" ".join(str(v).split()) for v in values if str(v).strip()))
