"""presswash's metadata reader (scraper/core/page_metadata.py): one small hand-written page per source and
per precedence decision, and the record's provenance."""

import json

from scraper.core.document import Page
from scraper.core.extraction import extract_text, page_metadata, parse_html
from scraper.core.metadata import PROVENANCE
from scraper.core.page_metadata import author_names, is_name, read_metadata
from scraper.core.process import Options
from tests.conftest import processor

URL = "https://harbourtimes.example/news/ferry-returns"
BODY = ("<p>The island ferry sailed again on Monday after three days of gales kept it in port, the operator "
        "said, and queues formed at dawn as residents who had been stranded waited to go home.</p>") * 3


def page(head: str = "", body: str = "", h1: str | None = "Ferry returns after storm") -> str:
    heading = f"<h1>{h1}</h1>" if h1 else ""
    return f"<html><head>{head}</head><body><article>{heading}{body}{BODY}</article></body></html>"


def jsonld(**fields) -> str:
    return f'<script type="application/ld+json">{json.dumps({"@context": "https://schema.org", **fields})}</script>'


def meta(key: str, value: str, attr: str = "property") -> str:
    return f'<meta {attr}="{key}" content="{value}">'


def read(html: str, url: str | None = URL):
    return read_metadata(parse_html(html), url)


def test_json_ld_gives_every_field_with_its_source():
    found = read(page(jsonld(**{
        "@type": "NewsArticle", "headline": "Ferry returns after storm", "datePublished": "2024-03-05T08:00:00+01:00",
        "author": {"@type": "Person", "name": "Mara Quinn"}, "description": "The island ferry is back.",
        "image": {"@type": "ImageObject", "url": "/img/ferry.jpg"}, "keywords": "ferries, weather",
        "publisher": {"@type": "NewsMediaOrganization", "name": "Harbour Times"}})))
    assert (found.title, found.author) == ("Ferry returns after storm", "Mara Quinn")
    assert found.date_published == "2024-03-05"
    assert found.description == "The island ferry is back." and found.tags == ["ferries", "weather"]
    assert found.image == "https://harbourtimes.example/img/ferry.jpg" and found.sitename == "Harbour Times"
    assert found.hostname == "harbourtimes.example"
    assert found.authors == ["Mara Quinn"]
    assert found.provenance == {"title": "json-ld", "author": "json-ld", "authors": "json-ld",
                                "date_published": "json-ld",
                                "description": "json-ld", "image": "json-ld", "tags": "json-ld",
                                "sitename": "json-ld", "hostname": "url"}
    assert set(found.provenance.values()) <= set(PROVENANCE)


def test_json_ld_graph_references_are_followed():
    graph = {"@context": "https://schema.org", "@graph": [
        {"@type": "WebPage", "@id": "#page", "datePublished": "2023-11-20"},
        {"@type": "Article", "@id": "#article", "headline": "Ferry returns", "author": {"@id": "#mara"}},
        {"@type": "Person", "@id": "#mara", "name": "Mara Quinn"}]}
    found = read(page(f'<script type="application/ld+json">{json.dumps(graph)}</script>'))
    assert found.author == "Mara Quinn" and found.date_published == "2023-11-20"
    assert found.provenance["date_published"] == "json-ld"


def test_json_ld_beats_meta():
    head = jsonld(**{"@type": "BlogPosting", "author": "Mara Quinn", "datePublished": "2024-03-05"})
    head += meta("author", "Owen Hale", "name") + meta("article:published_time", "2024-03-09T10:00:00Z")
    found = read(page(head))
    assert (found.author, found.date_published) == ("Mara Quinn", "2024-03-05")


def test_meta_tags_when_there_is_no_json_ld():
    head = (meta("og:title", "Ferry returns after storm | Harbour Times") + meta("og:site_name", "Harbour Times")
            + meta("author", "Owen Hale", "name") + meta("article:published_time", "2022-07-01T06:00:00Z")
            + meta("description", "The ferry is back.", "name") + meta("og:image", "https://cdn.example/f.jpg")
            + meta("article:tag", "ferries") + meta("article:tag", "weather"))
    found = read(page(head, h1=None))
    assert found.title == "Ferry returns after storm | Harbour Times"
    assert (found.author, found.date_published, found.sitename) == ("Owen Hale", "2022-07-01", "Harbour Times")
    assert found.tags == ["ferries", "weather"] and found.image == "https://cdn.example/f.jpg"
    assert {found.provenance[f] for f in ("title", "author", "date_published", "sitename", "tags")} == {"meta"}


def test_the_only_h1_beats_meta_and_the_title_element():
    head = meta("og:title", "Ferry back | Harbour Times") + "<title>Ferry back - Harbour Times</title>"
    found = read(page(head, h1="Ferry returns after storm"))
    assert found.title == "Ferry returns after storm" and found.provenance["title"] == "h1"


def test_the_title_element_is_the_last_resort():
    found = read(page("<title>Ferry returns after storm</title>", h1=None))
    assert found.title == "Ferry returns after storm" and found.provenance["title"] == "title"
    two = read(page("<title>Ferry returns</title>", body="<h1>Weather</h1>", h1="Ferry returns"))
    assert two.provenance["title"] == "title"  # two <h1>: neither is taken for the headline


def test_a_url_author_is_refused_and_the_next_source_speaks():
    head = meta("article:author", "https://www.facebook.com/harbourtimes") + meta("author", "Owen Hale", "name")
    assert read(page(head)).author == "Owen Hale"
    assert read(page(meta("author", "https://harbourtimes.example/staff", "name"))).author is None


def test_role_words_and_dates_are_no_names():
    for word in ("Staff", "Email the author", "admin", "Posted by", "March", "12/04/2024", "jane@example.com",
                 "https://example.com/jane"):
        assert not is_name(word), word
    assert is_name("Mara Quinn") and is_name("Newsdesk")
    assert not is_name("Harbour Times", sitename="Harbour Times")


def test_a_byline_near_the_headline():
    body = '<div class="post-meta"><span class="author-name">By Mara Quinn</span> <time>May 3, 2024</time></div>'
    header = f"<header><h1>Ferry returns</h1>{body}</header>"
    html = f"<html><head></head><body><article>{header}{BODY}</article></body></html>"
    found = read(html)
    assert found.author == "Mara Quinn" and found.provenance["author"] == "byline"


def test_a_byline_naming_the_site_is_refused_but_the_page_may_declare_it():
    head = meta("og:site_name", "Harbour Times")
    byline = '<p class="byline">Harbour Times</p>'
    assert read(page(head, body=byline)).author is None
    declared = read(page(head + jsonld(**{"@type": "Article", "author": {"@type": "Person", "name": "Harbour Times"}})))
    assert declared.author == "Harbour Times"


def test_several_authors_are_split_and_joined_as_trafilatura_does():
    found = read(page(jsonld(**{"@type": "NewsArticle", "author": [
        {"@type": "Person", "name": "Mara Quinn"}, {"@type": "Person", "name": "Owen Hale"},
        {"@type": "Organization", "name": "Harbour Times"}]})))
    assert found.author == "Mara Quinn; Owen Hale"


def test_dates_from_the_markup_and_then_the_url():
    body = '<time datetime="2021-09-14T07:30:00Z" class="published">14 September 2021</time>'
    found = read(page(body=body))
    assert found.date_published == "2021-09-14" and found.provenance["date_published"] == "htmldate"
    from_url = read(page(), url="https://harbourtimes.example/2020/02/11/ferry-returns")
    assert from_url.date_published == "2020-02-11" and from_url.provenance["date_published"] == "url"


def test_a_placeholder_date_is_not_structured_evidence():
    head = jsonld(**{"@type": "NewsArticle", "datePublished": "0000-00-00"})
    found = read(page(head), url="https://harbourtimes.example/2020/02/11/ferry-returns")
    assert found.date_published == "2020-02-11"


def test_broken_json_ld_is_skipped():
    head = '<script type="application/ld+json">{"@type": "NewsArticle", "headline": </script>' + meta(
        "author", "Owen Hale", "name")
    assert read(page(head)).author == "Owen Hale"


def test_nothing_to_read():
    found = read("<html><body><p>Just a line.</p></body></html>", url=None)
    assert found.title is None and found.author is None and found.provenance == {}


def test_page_metadata_strips_the_site_name_and_leaves_the_tree_alone():
    html = page(meta("og:site_name", "Harbour Times") + "<title>Ferry returns | Harbour Times</title>", h1=None)
    tree = parse_html(html)
    before = len(list(tree.iter()))
    found = page_metadata(tree, URL)
    assert found.title == "Ferry returns" and found.provenance["title"] == "title"
    assert "ferry sailed" in extract_text(tree, URL)
    assert len(list(tree.iter())) == before


def test_the_record_carries_each_fields_provenance():
    head = jsonld(**{"@type": "NewsArticle", "headline": "Ferry returns after storm", "datePublished": "2024-03-05",
                     "author": "Mara Quinn"})
    article = processor(Options())(Page(body=page(head).encode(), source="f.html", url=URL, kind="html"))
    assert article.ok, article.error
    record = article.to_record()
    assert record["author"] == "Mara Quinn" and record["date_published"] == "2024-03-05"
    assert record["provenance"]["author"] == "json-ld" and record["provenance"]["title"] == "json-ld"


def test_the_pages_own_date_beats_the_urls():
    url = "https://harbourtimes.example/2020/02/11/ferry-returns"
    found = read(page(meta("article:published_time", "2020-03-02T09:00:00Z")), url=url)
    assert found.date_published == "2020-03-02" and found.provenance["date_published"] == "meta"
    # ... except for the day a UTC time stamp moved on: the URL keeps the local day the story was filed
    late = read(page(meta("article:published_time", "2020-02-12T02:40:00+00:00")), url=url)
    assert late.date_published == "2020-02-11" and late.provenance["date_published"] == "url"


def test_a_refused_json_ld_value_leaves_the_field_to_meta():
    head = jsonld(**{"@type": "NewsArticle", "author": "https://harbourtimes.example/staff/mara",
                     "datePublished": "0000-00-00"})
    found = read(page(head + meta("author", "Owen Hale", "name") + meta("article:published_time", "2022-07-01")))
    assert (found.author, found.date_published) == ("Owen Hale", "2022-07-01")
    assert found.provenance["author"] == found.provenance["date_published"] == "meta"


def test_an_h1_naming_the_site_is_no_headline():
    head = meta("og:title", "Doing nothing is an option too") + meta("og:site_name", "Gull Notes")
    found = read(page(head, h1='<a href="/">Gull Notes</a>'), url="https://gullnotes.example/2013/06/14/nothing/")
    assert found.title == "Doing nothing is an option too" and found.provenance["title"] == "meta"


def test_what_the_feed_said_fills_only_what_the_page_did_not_and_says_so():
    found = read(page(meta("article:published_time", "2022-07-01")), url=None)
    filled = found.filled_from({"title": "Feed title", "published": "2022-06-30T10:00:00+00:00"})
    assert filled.title == "Ferry returns after storm" and filled.provenance["title"] == "h1"
    assert filled.date_published == "2022-07-01" and filled.provenance["date_published"] == "meta"
    bare = read("<html><body><p>Just a line.</p></body></html>", url=None)
    filled = bare.filled_from({"title": "Feed title", "published": "2022-06-30T10:00:00+00:00"})
    assert filled.title == "Feed title" and filled.provenance == {"title": "feed", "date_published": "feed"}


def test_a_relative_image_or_canonical_is_resolved_and_a_hostile_one_dropped():
    from scraper.core.urls import absolute_http_url

    assert absolute_http_url("/img/ferry.jpg", URL) == "https://harbourtimes.example/img/ferry.jpg"
    assert absolute_http_url("http://[::1/x", URL) is None  # urljoin raises on it
    assert absolute_http_url("javascript:void(0)", URL) is None
    assert absolute_http_url("/x", None) is None  # nothing to resolve against


def test_bylines_are_split_into_names():
    cases = {
        "By Mara Quinn and Owen Hale": ["Mara Quinn", "Owen Hale"],
        "Mara Quinn, Owen Hale and Ines Berg": ["Mara Quinn", "Owen Hale", "Ines Berg"],
        "Mara Quinn & Owen Hale": ["Mara Quinn", "Owen Hale"],
        "Von Anna Müller und Bernd Weber": ["Anna Müller", "Bernd Weber"],
        "Ana García y Luis Pérez": ["Ana García", "Luis Pérez"],
        "Jean Dupont et Marie Curie": ["Jean Dupont", "Marie Curie"],
        "José Ortega y Gasset": ["José Ortega y Gasset"],  # "y" inside one name: not split
        "Mara Quinn; Mara Quinn": ["Mara Quinn"],
    }
    for byline, names in cases.items():
        assert author_names(byline) == names, byline


def test_non_names_are_refused_from_a_list():
    assert author_names("Mara Quinn, Staff") == ["Mara Quinn"]
    assert author_names("Email the author") == []
    assert author_names("https://harbourtimes.example/staff/mara") == []
    assert author_names("12 March 2024") == []
    assert author_names("Staff Reporter; Die Redaktion; La Rédaction") == []
    assert author_names("News Desk") == ["News Desk"]  # a desk signs as one
    assert author_names("Fotos EL HERALDO") == author_names("Photo: Mara Quinn") == []  # a picture's credit
    assert author_names("Mara Quinn and Harbour Times", sitename="Harbour Times") == ["Mara Quinn"]


def test_a_byline_of_two_gives_two_authors_and_the_joined_author():
    body = ('<p class="byline">Photos: Harbour Press Agency</p>'
            '<p class="byline">By Mara Quinn and Owen Hale | May 3, 2024</p>')
    found = read(page(body=body))
    assert found.authors == ["Mara Quinn", "Owen Hale"] and found.author == "Mara Quinn; Owen Hale"
    assert found.provenance["authors"] == found.provenance["author"] == "byline"


def test_every_record_has_authors_and_the_dates_and_title_their_source():
    head = (meta("author", "Mara Quinn, Owen Hale", "name") + meta("article:modified_time", "2024-03-06T10:00:00Z")
            + meta("article:published_time", "2024-03-05T08:00:00Z"))
    record = processor(Options())(Page(page(head).encode(), "p.html", url=URL)).to_record()
    keys = list(record)
    assert keys[keys.index("author") + 1] == "authors"
    assert record["authors"] == ["Mara Quinn", "Owen Hale"] and record["author"] == "Mara Quinn; Owen Hale"
    assert {k: record["provenance"].get(k) for k in ("title", "authors", "date_published", "date_modified")} == {
        "title": "h1", "authors": "meta", "date_published": "meta", "date_modified": "meta"}
    modified = jsonld(**{"@type": "NewsArticle", "dateModified": "2024-03-07"})
    record = processor(Options())(Page(page(modified).encode(), "p.html", url=URL)).to_record()
    assert record["authors"] == [] and record["author"] is None and "authors" not in record["provenance"]
    assert record["provenance"]["date_modified"] == "json-ld"
    text = processor(Options())(Page(b"Ferry returns\n\n" + BODY.encode(), "p.txt", kind="text"))
    assert text.to_record()["provenance"]["title"] == "text" and text.to_record()["authors"] == []


def test_a_record_stored_before_authors_reads_with_its_names():
    from scraper.store.store import with_every_key

    old = {"id": "1", "author": "Mara Quinn; Owen Hale", "provenance": {"author": "meta"}}
    record = with_every_key(old)
    assert record["authors"] == ["Mara Quinn", "Owen Hale"] and record["provenance"]["authors"] == "meta"
    assert with_every_key({"id": "2"})["authors"] == [] and with_every_key({"id": "2"})["author"] is None
    now = {"id": "3", "author": "Mara Quinn", "authors": ["Mara Quinn"], "provenance": {}}
    assert with_every_key(now)["authors"] == ["Mara Quinn"]
