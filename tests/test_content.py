"""presswash's own content scorer (scraper/core/content.py) and how the Processor uses it."""

from lxml import etree

from scraper.core.content import MIN_WORDS, ContentGuess, guess_content
from scraper.core.document import Page
from scraper.core.extraction import body_words, paragraph_words, parse_html
from scraper.core.process import Options
from tests.conftest import processor

SENTENCES = [
    "The council voted on Tuesday to keep the harbour ferry running through the winter, the clerk said.",
    "Fares will rise by a tenth in January, and the early crossing moves to half past six in the morning.",
    "Opponents said the subsidy, which costs the town about four hundred thousand a year, was too high.",
    "The ferry company, which has run the line since 1998, welcomed the vote and promised new boats.",
    "Passengers interviewed on the quay were relieved, although several complained about the fares.",
    "A final decision on the summer timetable, including the late boat, is expected at the next meeting.",
]


def article_page(*, intro: str = "", extra: str = "", byline: str = "") -> str:
    paragraphs = "".join(f"<p>{s}</p>" for s in SENTENCES)
    return (
        "<html><head><title>Ferry keeps running | The Harbour Times</title>"
        "<meta property='og:site_name' content='The Harbour Times'></head><body>"
        "<nav><ul><li><a href='/'>Home</a></li><li><a href='/news'>News</a></li></ul></nav>"
        "<div class='layout'>"
        f"<div class='summary'>{intro}</div>"
        f"<div class='article-body'>{byline}{paragraphs}{extra}</div>"
        "</div>"
        "<div class='sidebar'><h3>Most read</h3><ul>"
        + "".join(f"<li><a href='/s{i}'>Another story number {i} on the site</a></li>" for i in range(8))
        + "</ul></div><footer>Contact us. Copyright The Harbour Times.</footer></body></html>"
    )


def guess(html: str) -> ContentGuess:
    return guess_content(parse_html(html))


def test_the_article_block_is_found_one_line_per_paragraph_without_the_page_furniture():
    found = guess(article_page())
    assert found.text.splitlines() == SENTENCES
    assert found.coverage > 0.9


def test_the_tree_is_left_as_it_was():
    tree = parse_html(article_page())
    before = etree.tostring(tree)
    guess_content(tree)
    assert etree.tostring(tree) == before


def test_blocks_named_as_furniture_go_unless_they_hold_prose():
    share = "<div class='share-buttons'><span>Share on Facebook</span> <span>Tweet this</span></div>"
    assert "Share on Facebook" not in guess(article_page(extra=share)).text
    # A wrapper whose class names a sidebar but which holds the article itself stays.
    html = article_page().replace("class='layout'", "class='layout has-sidebar'")
    assert guess(html).text.splitlines() == SENTENCES


def test_buttons_link_lists_and_a_trailing_heading_are_left_out():
    extra = ("<p><a href='/shop'>Check price at the shop</a></p>"
             "<h3>You might also like</h3><ul><li><a href='/a'>First related story</a></li>"
             "<li><a href='/b'>Second related story</a></li></ul>")
    text = guess(article_page(extra=extra)).text
    assert "Check price" not in text and "related story" not in text and "might also like" not in text
    assert text.splitlines() == SENTENCES


def test_a_heading_over_a_link_list_and_controls_by_role_are_left_out():
    middle = ("<h3>More on this</h3><ul><li><a href='/a'>First related story</a></li>"
              "<li><a href='/b'>Second related story</a></li></ul>"
              "<div role='button'>Print this story</div>")
    html = article_page().replace(f"<p>{SENTENCES[3]}</p>", f"{middle}<p>{SENTENCES[3]}</p>")
    assert guess(html).text.splitlines() == SENTENCES  # the prose after the list stays


def test_a_link_inside_a_sentence_stays():
    extra = "<p>The full report is on <a href='/r'>the council's website</a>, the clerk added on Wednesday.</p>"
    assert "the council's website, the clerk added" in guess(article_page(extra=extra)).text


def test_an_intro_beside_the_body_is_taken_in():
    intro = "<p>The harbour ferry will keep running this winter after a close council vote on its subsidy.</p>"
    lines = guess(article_page(intro=intro)).text.splitlines()
    assert lines[0].startswith("The harbour ferry will keep running") and lines[1:] == SENTENCES


def test_a_page_without_prose_gives_no_text():
    found = guess("<html><body><ul><li><a href='/a'>One</a></li></ul><p>Short.</p></body></html>")
    assert found.text == "" and not found.sure(0, 0)
    assert guess("<html><head><title>x</title></head></html>").text == ""


def test_sure_asks_for_most_of_the_page_and_enough_words():
    tree = parse_html(article_page())
    found = guess_content(tree)
    body, paragraphs = body_words(tree), paragraph_words(tree)
    assert len(found.text.split()) >= MIN_WORDS
    assert found.sure(body, paragraphs)
    assert not found.sure(body * 3, paragraphs)  # the page's body holds far more words than the text
    assert not found.sure(body, paragraphs * 2)  # … or its paragraphs do
    short = ContentGuess(text=" ".join(SENTENCES[:2]), prose_chars=10)  # all of the page's prose
    assert not short.sure(0, 0)  # under MIN_WORDS


def _page(html: str) -> Page:
    return Page(body=html.encode(), source="ferry.html", url="https://harbour.example/ferry", kind="html")


def test_fast_mode_keeps_the_scorers_text_where_it_is_sure_and_reads_the_metadata():
    outcome = processor(Options(mode="fast"))(_page(article_page()))
    assert outcome.ok, outcome
    assert outcome.extractor["mode"] == "scorer"
    assert outcome.text.splitlines() == SENTENCES
    assert outcome.title == "Ferry keeps running"
    assert outcome.steps.counts["content"] == {"kept": 1}
    assert {"content", "metadata"} <= set(outcome.steps.seconds) and "extract" not in outcome.steps.seconds


def test_where_the_scorer_is_unsure_trafilatura_extracts():
    # most of the page's text is in a block the scorer does not read as prose (no paragraphs)
    notes = "".join(f"<div>Timetable note {i}: the boat leaves the north quay at {i} past the hour</div>"
                    for i in range(30))
    html = article_page().replace("<div class='sidebar'>", f"<div class='timetable'>{notes}</div><div class='sidebar'>")
    outcome = processor(Options(mode="fast"))(_page(html))
    assert outcome.ok and outcome.extractor["mode"] == "fast"
    assert outcome.steps.counts["content"] == {"unsure": 1} and "extract" in outcome.steps.seconds


def test_the_default_and_the_single_modes_leave_the_scorer_out():
    for options in (Options(), Options(mode="precision")):
        outcome = processor(options)(_page(article_page()))
        assert outcome.ok and outcome.extractor["mode"] != "scorer"
        assert "content" not in outcome.steps.seconds


def test_the_scorer_can_be_switched_off_and_is_not_used_when_comments_are_asked_for():
    for options in (Options(mode="fast", content_scorer=False), Options(mode="fast", include_comments=True)):
        outcome = processor(options)(_page(article_page()))
        assert outcome.ok and outcome.extractor["mode"] == "fast"
        assert "content" not in outcome.steps.seconds


def test_the_cleaners_run_on_the_scorers_text():
    extra = "<p>Posted by Harbour Desk at 10:15 AM 0 comments</p>"
    outcome = processor(Options(mode="fast"))(_page(article_page(extra=extra)))
    assert outcome.ok and outcome.extractor["mode"] == "scorer"
    assert "0 comments" not in outcome.text and outcome.text.splitlines()[-1] == SENTENCES[-1]


def test_the_command_line_switches_the_scorer_off(tmp_path):
    from tests.conftest import call_main

    page = tmp_path / "ferry.html"
    page.write_text(article_page(), encoding="utf-8")
    url = "https://harbour.example/ferry"
    with_scorer = call_main("clean", page, "--mode", "fast", "--url", url)
    without = call_main("clean", page, "--mode", "fast", "--no-content-scorer", "--url", url)
    assert with_scorer.code == without.code == 0
    assert with_scorer.records[0]["extractor"]["mode"] == "scorer"
    assert without.records[0]["extractor"]["mode"] == "fast"
