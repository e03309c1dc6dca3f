"""Anchors that link nowhere else (scraper/core/extraction.py unlink_anchors): permalink icons, headings that
are their own fragment link and named anchors around a paragraph do not count as links, so trafilatura's
link-density tests keep the headings and paragraphs that hold them."""

from lxml import etree

from scraper.core.document import Page
from scraper.core.extraction import extract_text, parse_html, prune_code, unlink_anchors
from scraper.core.process import Options
from tests.conftest import processor

PROSE = ("The council met on Tuesday to vote on the new budget for the city's schools and libraries, "
         "and the debate ran well into the evening before the final count was taken. ")

QUESTIONS = ("What did the council decide about the libraries?", "How will the schools pay for repairs?",
             "When does the new budget take effect?")


def _interview() -> str:
    parts = []
    for i, question in enumerate(QUESTIONS):
        if i == 1:  # a heading that is its own fragment link
            parts.append(f'<h2 id="q{i}"><a href="#q{i}">{question}</a></h2>')
        else:  # a heading with an empty permalink icon
            parts.append(f'<h2 id="q{i}"><b>{question}</b><a class="anchor" href="#q{i}"></a></h2>')
        parts.append(f"<p>{PROSE * 3}</p>")
    parts.append('<p><a name="listener">A listener asked: will the pool reopen this summer as planned?</a></p>')
    parts.append(f"<p>{PROSE * 2}</p>")
    return ("<html><head><title>Budget interview</title></head><body><article>"
            f"<h1>Budget interview</h1><div class=\"entry\">{''.join(parts)}</div></article></body></html>")


def _body(html: str, unlink: bool = True) -> str:
    tree = parse_html(f"<html><body>{html}</body></html>")
    if unlink:
        unlink_anchors(tree)
    return etree.tostring(tree.find("body"), encoding="unicode")


def test_an_empty_link_to_the_same_page_goes_and_its_tail_stays():
    assert _body('<h2>Costs<a href="#costs"></a> today</h2>') == "<body><h2>Costs today</h2></body>"


def test_a_heading_that_is_its_own_fragment_link_keeps_its_text_as_text():
    assert _body('<h3><a href="#tips">Tips for renters</a></h3>') == "<body><h3>Tips for renters</h3></body>"


def test_a_named_anchor_in_a_paragraph_keeps_its_text_as_text():
    assert _body('<p><a name="q7">Why now?</a> She answered.</p>') == "<body><p>Why now? She answered.</p></body>"


def test_real_links_and_navigation_stay_links():
    toc = '<ul><li><a href="#costs">Costs</a></li><li><a href="#tips">Tips</a></li></ul>'
    assert _body(toc) == _body(toc, unlink=False)
    for kept in ('<p>See <a href="/budget">the budget</a>.</p>',  # a link to another page
                 '<h2><a href="#">Comments</a></h2>',  # a toggle, not a place on the page
                 '<p><a href="#gallery"><img src="a.jpg"></a></p>',  # an image that opens a gallery
                 '<ul><li><a name="top">Latest news</a></li></ul>'):  # a named anchor in a widget's list
        assert _body(kept) == _body(kept, unlink=False)


def test_precision_mode_keeps_headings_and_paragraphs_that_held_such_anchors():
    html = _interview()
    raw = extract_text(parse_html(html), None, mode="precision")
    # trafilatura alone drops them as all-link blocks: what the step is for
    assert sum(question in raw for question in QUESTIONS) < len(QUESTIONS)
    tree = parse_html(html)
    prune_code(tree)
    unlink_anchors(tree)
    prepared = extract_text(tree, None, mode="precision")
    for question in QUESTIONS:
        assert question in prepared
    assert "will the pool reopen" in prepared

    article = processor(Options(mode="precision"))(Page(body=html.encode(), source="interview.html",
                                                        url="https://example.org/interview", kind="html"))
    assert article.ok
    for question in QUESTIONS:
        assert question in article.text
