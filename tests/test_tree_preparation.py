"""The page tree made ready for trafilatura's precision mode in the prune step (scraper/core/extraction.py
ready_for_precision): permalink icons, headings that are their own fragment link and named anchors around a
paragraph do not count as links, an empty span before a heading's or paragraph's text does not take that
text with it, and the article's own header is not dropped as a page banner."""

from lxml import etree

from scraper.core.document import Page
from scraper.core.extraction import extract_text, parse_html, prune_code, ready_for_precision
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


def _body(html: str, prepare: bool = True) -> str:
    tree = parse_html(f"<html><body>{html}</body></html>")
    if prepare:
        ready_for_precision(tree)
    return etree.tostring(tree.find("body"), encoding="unicode")


def _prepared(html: str) -> object:
    tree = parse_html(html)
    prune_code(tree)
    ready_for_precision(tree)
    return tree


def test_an_empty_link_to_the_same_page_goes_and_its_tail_stays():
    assert _body('<h2>Costs<a href="#costs"></a> today</h2>') == "<body><h2>Costs today</h2></body>"


def test_a_heading_that_is_its_own_fragment_link_keeps_its_text_as_text():
    assert _body('<h3><a href="#tips">Tips for renters</a></h3>') == "<body><h3>Tips for renters</h3></body>"


def test_a_named_anchor_in_a_paragraph_keeps_its_text_as_text():
    assert _body('<p><a name="q7">Why now?</a> She answered.</p>') == "<body><p>Why now? She answered.</p></body>"


def test_real_links_and_navigation_stay_links():
    toc = '<ul><li><a href="#costs">Costs</a></li><li><a href="#tips">Tips</a></li></ul>'
    assert _body(toc) == _body(toc, prepare=False)
    for kept in ('<p>See <a href="/budget">the budget</a>.</p>',  # a link to another page
                 '<h2><a href="#">Comments</a></h2>',  # a toggle, not a place on the page
                 '<p><a href="#gallery"><img src="a.jpg"></a></p>',  # an image that opens a gallery
                 '<ul><li><a name="top">Latest news</a></li></ul>'):  # a named anchor in a widget's list
        assert _body(kept) == _body(kept, prepare=False)


def test_precision_mode_keeps_headings_and_paragraphs_that_held_such_anchors():
    html = _interview()
    raw = extract_text(parse_html(html), None, mode="precision")
    # trafilatura alone drops them as all-link blocks: what the step is for
    assert sum(question in raw for question in QUESTIONS) < len(QUESTIONS)
    prepared = extract_text(_prepared(html), None, mode="precision")
    for question in QUESTIONS:
        assert question in prepared
    assert "will the pool reopen" in prepared

    article = processor(Options(mode="precision"))(Page(body=html.encode(), source="interview.html",
                                                        url="https://example.org/interview", kind="html"))
    assert article.ok
    for question in QUESTIONS:
        assert question in article.text


def test_an_empty_mark_in_a_heading_or_paragraph_goes_and_the_text_after_it_stays():
    assert _body('<h2><span id="costs"></span>Costs</h2>') == "<body><h2>Costs</h2></body>"
    assert _body('<p>Intro.<span id="more-12"></span> The rest.</p>') == "<body><p>Intro. The rest.</p></body>"


def test_whitespace_marks_and_empty_blocks_elsewhere_stay():
    for kept in ('<p>cloud<b> </b>services</p>',  # whitespace keeps two words apart
                 '<div><div class="clear"></div>Sidebar text</div>',  # not inside a heading or paragraph
                 '<h2>Costs<span id="end"></span></h2>'):  # nothing after it to lose
        assert _body(kept) == _body(kept, prepare=False)


SECTIONS = ("Why the council voted again", "What the new plan costs", "Where the money comes from")


def test_precision_mode_keeps_headings_that_start_with_an_empty_mark():
    parts = "".join(f'<h2><span class="toc-section" id="s{i}"></span>{title}</h2><p>{PROSE * 3}</p>'
                    for i, title in enumerate(SECTIONS))
    html = (f"<html><body><article><div class='entry'><p>{PROSE * 2}</p>{parts}</div></article></body></html>")
    raw = extract_text(parse_html(html), None, mode="precision")
    assert not any(title in raw for title in SECTIONS)  # trafilatura alone loses them with the empty span
    prepared = extract_text(_prepared(html), None, mode="precision")
    assert all(title in prepared for title in SECTIONS)


STANDFIRST = "Rents rose faster than wages in every district last year, and the council now wants a cap."


def test_the_article_header_with_the_headline_becomes_a_block_and_other_headers_stay():
    page = ('<header class="banner"><h1>The Daily</h1></header>'
            '<article><header><h1>Rents rise</h1><p>A standfirst.</p></header><p>Body.</p></article>'
            '<article><header><h1>Next story</h1></header><p>More.</p></article>')
    prepared = _body(page)
    assert "<article><div><h1>Rents rise</h1><p>A standfirst.</p></div>" in prepared
    assert '<header class="banner"><h1>The Daily</h1></header>' in prepared  # the page's banner
    assert "<header><h1>Next story</h1></header>" in prepared  # an appended story's header
    assert prepared.count("<header") == _body(page, prepare=False).count("<header") - 1
    teaser = '<article><header><h3>Teaser</h3></header><p>More.</p></article>'  # a card with no <h1>
    assert _body(teaser) == _body(teaser, prepare=False)
    in_main = '<main><header><h1>Rents rise</h1></header><p>Body.</p></main>'
    assert _body(in_main) == _body(in_main, prepare=False).replace("<header>", "<div>").replace("</header>", "</div>")


def test_precision_mode_keeps_the_standfirst_of_the_article_header():
    html = ("<html><body><article><header><h1>Rents rise again</h1>"
            f'<p class="lead">{STANDFIRST}</p></header><p>{PROSE * 3}</p><p>{PROSE * 2}</p>'
            "</article></body></html>")
    assert STANDFIRST not in extract_text(parse_html(html), None, mode="precision")  # trafilatura drops <header>
    assert STANDFIRST in extract_text(_prepared(html), None, mode="precision")
