"""Unit tests for the pure parts of the crawl: feeds, sitemaps and robots.txt (spiders/discovery.py), article
or listing (spiders/detect.py) and URL canonicalisation (scraper/core/urls.py)."""

from __future__ import annotations

import json

import pytest

from scraper.crawl.siteserver import SiteServer
from scraper.core.urls import canonical_url, same_site
from spiders.detect import fetchable, looks_like_article_url, looks_like_listing_url, page_says_article
from scraper.core.dates import to_iso
from spiders.discovery import Entry, feed_links, parse_feed, parse_sitemap, parse_xml, read_feed, sitemaps_in_robots

BASE = "https://news.example.com/feeds/main.xml"


# feeds -------------------------------------------------------------------------------------------------
def test_rss2_items_links_guids_and_dates():
    body = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Example</title><link>https://news.example.com/</link>
  <item><title>First story</title><link>https://news.example.com/2026/11/20/first.html</link>
        <pubDate>Fri, 20 Nov 2026 08:00:00 GMT</pubDate></item>
  <item><title>Relative link</title><link>/2026/11/19/second.html</link>
        <pubDate>Thu, 19 Nov 2026 10:30:00 +0200</pubDate></item>
  <item><title>Only a permalink guid</title><guid>https://news.example.com/2026/11/18/third.html</guid></item>
  <item><title>A guid that is not a link</title><guid isPermaLink="false">tag:example,2026:4</guid></item>
  <item><title>Script link</title><link>javascript:alert(1)</link></item>
  <item><title>Bad date</title><link>https://news.example.com/fifth.html</link><pubDate>soon</pubDate></item>
</channel></rss>"""
    assert parse_feed(body, BASE) == [
        Entry("https://news.example.com/2026/11/20/first.html", "First story", "2026-11-20T08:00:00+00:00"),
        Entry("https://news.example.com/2026/11/19/second.html", "Relative link", "2026-11-19T08:30:00+00:00"),
        Entry("https://news.example.com/2026/11/18/third.html", "Only a permalink guid", None),
        Entry("https://news.example.com/fifth.html", "Bad date", None),
    ]


def test_rss2_with_leading_whitespace_and_empty_channel():
    assert parse_feed(b'\n\n  <?xml version="1.0"?><rss version="2.0"><channel></channel></rss>', BASE) == []
    assert parse_feed(b'<rss version="2.0"></rss>', BASE) == []


def test_rss1_rdf_items_with_dublin_core_dates():
    body = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
         xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="https://news.example.com/"><title>Example</title>
    <items><rdf:Seq><rdf:li rdf:resource="https://news.example.com/a.html"/></rdf:Seq></items></channel>
  <item rdf:about="https://news.example.com/a.html"><title>A</title><link>https://news.example.com/a.html</link>
    <dc:date>2026-11-01T10:00:00+02:00</dc:date></item>
  <item rdf:about="https://news.example.com/b.html"><title>B</title><link>https://news.example.com/b.html</link></item>
</rdf:RDF>"""
    assert parse_feed(body, BASE) == [
        Entry("https://news.example.com/a.html", "A", "2026-11-01T08:00:00+00:00"),
        Entry("https://news.example.com/b.html", "B", None),
    ]


def test_atom_entries_take_the_alternate_link():
    body = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://news.example.com/"><title>Example</title>
  <link rel="self" href="https://news.example.com/atom.xml"/>
  <entry><title>Enclosure first</title>
    <link rel="enclosure" href="https://cdn.example.com/a.mp3"/>
    <link rel="alternate" type="text/html" href="https://news.example.com/2026/11/20/a.html"/>
    <published>2026-11-20T08:00:00Z</published><updated>2026-11-21T08:00:00Z</updated></entry>
  <entry><title>No rel means alternate</title><link href="/2026/11/19/b.html"/>
    <updated>2026-11-19T08:00:00+01:00</updated></entry>
  <entry><title>No link at all</title><id>urn:uuid:1</id></entry>
</feed>"""
    assert parse_feed(body, BASE) == [
        Entry("https://news.example.com/2026/11/20/a.html", "Enclosure first", "2026-11-20T08:00:00+00:00"),
        Entry("https://news.example.com/2026/11/19/b.html", "No rel means alternate", "2026-11-19T07:00:00+00:00"),
    ]


def test_json_feed_items():
    body = json.dumps({
        "version": "https://jsonfeed.org/version/1.1", "title": "Example",
        "items": [
            {"id": "1", "url": "https://news.example.com/a.html", "title": "A",
             "date_published": "2026-11-20T08:00:00Z"},
            {"id": "2", "external_url": "/b.html", "title": "B"},
            {"id": "3", "content_text": "no URL: skipped"},
            "not an object",
        ],
    }).encode()
    assert parse_feed(body, BASE) == [
        Entry("https://news.example.com/a.html", "A", "2026-11-20T08:00:00+00:00"),
        Entry("https://news.example.com/b.html", "B", None),
    ]


@pytest.mark.parametrize("body", [
    b"<!DOCTYPE html><html><head><title>Home</title></head><body><p>Hello</p></body></html>",
    b"just some text",
    b"",
    b'{"title": "JSON, but no jsonfeed.org version"}',
    b"[1, 2, 3]",
    b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"></urlset>',
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
])
def test_not_a_feed_is_none(body):
    assert parse_feed(body, BASE) is None


def test_broken_feeds_say_what_is_wrong():
    # A JSON Feed cut off: a feed by its version, with no entries and the JSON error.
    feed = read_feed(b'{"version": "https://jsonfeed.org/version/1.1", "items": [', BASE)
    assert feed.entries == [] and feed.problem.startswith("malformed JSON (")
    # XML libxml2 recovers from: the entries before the damage, and the first error.
    feed = read_feed(b'<rss version="2.0"><channel><item><title>Fish & chips</title><link>/a.html</link></item>'
                     b"<item><title>cut off <b>", BASE)
    assert feed.entries == [Entry(url="https://news.example.com/a.html", title="Fish  chips")]
    assert feed.problem.startswith("malformed XML (line 1: xmlParseEntityRef: no name")
    assert read_feed(b'<rss version="2.0"><channel></channel></rss>', BASE).problem is None
    sitemap = parse_sitemap(b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>/a</loc>', BASE)
    assert sitemap.problem.startswith("malformed XML")


def test_feed_autodiscovery_links():
    html = b"""<!DOCTYPE html><html><head><title>Home</title>
<link rel="alternate" type="application/rss+xml" title="RSS" href="/feed.xml">
<link rel="alternate" type="application/atom+xml" href="https://news.example.com/atom.xml">
<link rel="Alternate" type="application/feed+json; charset=utf-8" href="/feed.json">
<link rel="alternate" type="application/rss+xml" href="/feed.xml">
<link rel="alternate" hreflang="de" type="text/html" href="/de/">
<link rel="stylesheet" type="text/css" href="/style.css">
<link rel="alternate" type="application/rss+xml" href="javascript:void(0)">
</head><body><a rel="alternate" type="application/rss+xml" href="/not-in-head.xml">x</a></body></html>"""
    found = feed_links(html, "https://news.example.com/")
    assert found[:3] == ["https://news.example.com/feed.xml", "https://news.example.com/atom.xml",
                         "https://news.example.com/feed.json"]
    assert "https://news.example.com/de/" not in found and "https://news.example.com/style.css" not in found
    assert len(found) == len(set(found))
    assert feed_links(b"", "https://news.example.com/") == []
    assert feed_links(b"<html><head></head><body>no feeds</body></html>", "https://news.example.com/") == []


# sitemaps ----------------------------------------------------------------------------------------------
def test_sitemap_index():
    body = b"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap><loc>https://news.example.com/news-sitemap.xml.gz</loc><lastmod>2026-11-20T08:00:00+01:00</lastmod></sitemap>
  <sitemap><loc>/old-sitemap.xml</loc></sitemap>
  <sitemap><lastmod>2026-11-20</lastmod></sitemap>
</sitemapindex>"""
    sitemap = parse_sitemap(body, "https://news.example.com/sitemap_index.xml")
    assert sitemap.kind == "index"
    assert sitemap.entries == [
        Entry("https://news.example.com/news-sitemap.xml.gz", lastmod="2026-11-20T07:00:00+00:00"),
        Entry("https://news.example.com/old-sitemap.xml"),
    ]


def test_urlset_with_google_news_fields():
    body = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"
        xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">
  <url><loc>https://news.example.com/2026/11/20/a.html</loc><lastmod>2026-11-20T09:00:00Z</lastmod>
    <news:news><news:publication><news:name>Example</news:name><news:language>en</news:language></news:publication>
      <news:publication_date>2026-11-20T08:00:00+00:00</news:publication_date>
      <news:title>Ferry strike ends</news:title></news:news>
    <image:image><image:loc>https://cdn.example.com/a.jpg</image:loc></image:image></url>
  <url><loc> https://news.example.com/b.html </loc></url>
  <url><loc>mailto:desk@example.com</loc></url>
</urlset>"""
    sitemap = parse_sitemap(body, "https://news.example.com/news-sitemap.xml")
    assert sitemap.kind == "urlset"
    assert sitemap.entries == [
        Entry("https://news.example.com/2026/11/20/a.html", title="Ferry strike ends",
              published="2026-11-20T08:00:00+00:00", lastmod="2026-11-20T09:00:00+00:00"),
        Entry("https://news.example.com/b.html"),
    ]


@pytest.mark.parametrize("body", [
    b"<html><body>not a sitemap</body></html>",
    b'<?xml version="1.0"?><rss version="2.0"><channel></channel></rss>',
    b"User-agent: *\nDisallow:\n",
    b"",
])
def test_not_a_sitemap_is_none(body):
    assert parse_sitemap(body, "https://news.example.com/sitemap.xml") is None


def test_sitemap_lines_in_robots_txt():
    robots = (b"# comment\nUser-agent: *\nDisallow: /private/\nCrawl-delay: 5\n"
              b"Sitemap: https://news.example.com/sitemap_index.xml\n"
              b"sitemap:/news-sitemap.xml\r\n"
              b"  SITEMAP :  https://news.example.com/sitemap_index.xml  \n"
              b"Sitemap: ftp://news.example.com/x.xml\n"
              b"Allow: /sitemap-in-a-path.xml\n\xff\xfe garbage bytes\n")
    assert sitemaps_in_robots(robots, "https://news.example.com/robots.txt") == [
        "https://news.example.com/sitemap_index.xml", "https://news.example.com/news-sitemap.xml"]
    assert sitemaps_in_robots(b"User-agent: *\nDisallow:\n", "https://news.example.com/robots.txt") == []


def test_dates_become_iso_utc():
    assert to_iso("Fri, 20 Nov 2026 08:00:00 GMT") == "2026-11-20T08:00:00+00:00"
    assert to_iso("2026-11-20T10:00:00+02:00") == "2026-11-20T08:00:00+00:00"
    assert to_iso("2026-11-20T08:00:00Z") == "2026-11-20T08:00:00+00:00"
    assert to_iso("2026-11-20T08:00:00.123456") == "2026-11-20T08:00:00+00:00"  # naive: taken as UTC
    assert to_iso(" 2026-11-20 ") == "2026-11-20T00:00:00+00:00"
    assert to_iso("last Tuesday") is None and to_iso("") is None and to_iso(None) is None


# hostile XML -------------------------------------------------------------------------------------------
LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
"""


@pytest.mark.parametrize("doc", [
    b'<rss version="2.0"><channel><item><title>&lol9;</title><link>https://news.example.com/a&lol9;</link>'
    b"</item></channel></rss>",
    b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://news.example.com/&lol9;</loc>'
    b"<lastmod>&lol9;</lastmod></url></urlset>",
])
def test_entity_bomb_is_not_expanded(doc):
    body = LAUGHS + doc
    for result in (parse_feed(body, BASE), parse_sitemap(body, BASE)):
        for entry in (result.entries if hasattr(result, "entries") else result) or []:
            assert "lollol" not in repr(entry)
            assert len(repr(entry)) < 1000
    root = parse_xml(body)
    if root is not None:
        assert "lollol" not in "".join(root.itertext())


def test_external_entities_read_no_file(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    uri = secret.as_uri()
    feed = (f'<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY xxe SYSTEM "{uri}">]>\n'
            '<rss version="2.0"><channel><item><title>t &xxe;</title>'
            "<link>https://news.example.com/a.html</link><description>&xxe;</description></item></channel></rss>")
    sitemap = (f'<?xml version="1.0"?>\n<!DOCTYPE urlset [<!ENTITY xxe SYSTEM "{uri}">]>\n'
               '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url>'
               "<loc>https://news.example.com/&xxe;</loc><lastmod>&xxe;</lastmod></url></urlset>")
    feed_entries = parse_feed(feed.encode(), BASE)
    sitemap_entries = parse_sitemap(sitemap.encode(), BASE)
    assert "TOP-SECRET" not in repr(feed_entries) + repr(sitemap_entries)
    assert feed_entries[0].url == "https://news.example.com/a.html"  # the rest of the feed still reads
    root = parse_xml(feed.encode())
    assert "TOP-SECRET" not in "".join(root.itertext())


def test_external_entities_and_dtds_fetch_nothing(tmp_path):
    """SYSTEM entities and external DTDs pointing at a (loopback) URL: the parser requests nothing."""
    (tmp_path / "evil.dtd").write_text('<!ENTITY leak "LEAKED-FROM-DTD">')
    (tmp_path / "payload.txt").write_text("LEAKED-FROM-ENTITY")
    with SiteServer(tmp_path) as server:
        base = server.base_url
        docs = [
            f'<?xml version="1.0"?><!DOCTYPE rss SYSTEM "{base}/evil.dtd"><rss version="2.0"><channel>'
            f"<item><title>&leak;</title><link>https://news.example.com/a.html</link></item></channel></rss>",
            f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY % ext SYSTEM "{base}/evil.dtd"> %ext;]>'
            f'<rss version="2.0"><channel><item><title>&leak;</title><link>https://news.example.com/a.html</link>'
            f"</item></channel></rss>",
            f'<?xml version="1.0"?><!DOCTYPE feed [<!ENTITY x SYSTEM "{base}/payload.txt">]>'
            f'<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>&x;</title>'
            f'<link href="https://news.example.com/a.html"/></entry></feed>',
        ]
        for doc in docs:
            found = parse_feed(doc.encode(), BASE)
            assert "LEAKED" not in repr(found)
            assert "LEAKED" not in repr(parse_sitemap(doc.encode(), BASE))
        assert server.hits == []


# article or listing ------------------------------------------------------------------------------------
@pytest.mark.parametrize("url", [
    "https://news.example.com/2026/11/20/ferry-strike-ends.html",
    "https://news.example.com/politics/2026/11/ferry-strike",
    "https://news.example.com/20261120/ferry",
    "https://news.example.com/news/ferry-strike",
    "https://news.example.com/story/12345",
    "https://news.example.com/ferry-strike-ends-after-nine-days",
])
def test_article_urls(url):
    assert looks_like_article_url(url)
    assert not looks_like_listing_url(url)


@pytest.mark.parametrize("url", [
    "https://news.example.com/",
    "https://news.example.com",
    "https://news.example.com/category/city/",
    "https://news.example.com/tag/ferries",
    "https://news.example.com/author/jane-doe-reporter-at-large",
    "https://news.example.com/news/page/2/",
    "https://news.example.com/search?q=ferry",
    "https://news.example.com/news?page=3",
    "https://news.example.com/about/",
    "https://news.example.com/feed/",
])
def test_listing_urls(url):
    assert looks_like_listing_url(url)
    assert not looks_like_article_url(url)


@pytest.mark.parametrize("url", [
    "https://news.example.com/weather",  # no sign either way: a page to follow, maybe an article by its tags
    "https://news.example.com/2026/11/20/photo.jpg",
    "https://news.example.com/news/feed.xml",
    "mailto:desk@example.com",
    "ftp://news.example.com/2026/11/20/story.html",
])
def test_urls_without_article_signs(url):
    assert not looks_like_article_url(url)


def test_fetchable():
    assert fetchable("https://news.example.com/2026/11/20/story.html")
    assert fetchable("http://news.example.com/weather")
    for url in ("https://news.example.com/logo.PNG", "https://news.example.com/report.pdf",
                "https://news.example.com/style.css?v=3", "javascript:void(0)", "mailto:a@b.c",
                "https://news.example.com/sitemap.xml.gz"):
        assert not fetchable(url), url


@pytest.mark.parametrize("head", [
    '<meta property="og:type" content="article">',
    "<meta content='article' property='og:type'>",
    '<script type="application/ld+json">{"@context":"https://schema.org","@type":"NewsArticle"}</script>',
    '<script type="application/ld+json">{"@type": ["ReportageNewsArticle", "Thing"]}</script>',
    '<script type="application/ld+json">{"@graph":[{"@type":"WebPage"},{"@type":"BlogPosting"}]}</script>',
])
def test_page_signals_of_an_article(head):
    assert page_says_article(f"<html><head>{head}</head><body></body></html>".encode())


@pytest.mark.parametrize("head", [
    '<meta property="og:type" content="website">',
    '<script type="application/ld+json">{"@type":"CollectionPage"}</script>',
    "<title>An article about articles</title>",
    "",
])
def test_page_signals_of_a_listing(head):
    assert not page_says_article(f"<html><head>{head}</head><body><p>article</p></body></html>".encode())


# canonical URLs ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("url, canonical", [
    ("https://news.example.com/a.html?utm_source=rss&utm_medium=feed", "https://news.example.com/a.html"),
    ("https://news.example.com/a.html?id=7&utm_campaign=x&fbclid=abc&gclid=1#comments",
     "https://news.example.com/a.html?id=7"),
    ("HTTPS://News.Example.COM:443/a.html#top", "https://news.example.com/a.html"),
    ("http://news.example.com:80", "http://news.example.com/"),
    ("http://127.0.0.1:8765/a.html?UTM_SOURCE=x", "http://127.0.0.1:8765/a.html"),
    ("https://news.example.com/search?q=ferry&page=2&utm_term=t", "https://news.example.com/search?q=ferry&page=2"),
    ("https://news.example.com/a?b=2&a=1", "https://news.example.com/a?b=2&a=1"),  # order kept
    ("https://news.example.com/a?flag=&x=1", "https://news.example.com/a?flag=&x=1"),  # blank values kept
    ("  https://news.example.com./a.html  ", "https://news.example.com/a.html"),
])
def test_canonical_url(url, canonical):
    assert canonical_url(url) == canonical
    assert canonical_url(canonical) == canonical  # idempotent


def test_same_site():
    assert same_site("https://www.news.example.com/a", "news.example.com")
    assert same_site("https://news.example.com/a", "www.news.example.com")
    assert same_site("https://m.news.example.com/a", "news.example.com")
    assert not same_site("https://example.com/a", "news.example.com")
    assert not same_site("https://evilnews.example.com.attacker.net/a", "news.example.com")
    assert not same_site("https://othernews.example.com/a", "news.example.com")
