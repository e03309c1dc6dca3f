"""The article's lead put back where trafilatura left it out (scraper/core/lead.py): which blocks read as a lead,
where one goes in the text, and the whole pipeline with it and without it (--no-lead)."""

from cleaners import RuleBook
from scraper.cli.explain import render_explain
from scraper.cli.explain_html import ExplainPage
from scraper.core.document import Page
from scraper.core.extraction import extract_text, parse_html
from scraper.core.lead import attribute_words, page_leads, with_leads
from scraper.core.process import Options
from tests.conftest import processor

LEAD = "The city will close two of its five public pools this summer to pay for repairs to the others."
PROSE = ("The council met on Tuesday to vote on the new budget for the city's schools, libraries and pools, "
         "and the debate ran well into the evening before the final count was taken. ")
OTHER = "Three candidates have entered the race for mayor, each promising to cut the waiting lists for housing."


def _page(header: str, after: str = "", aside: str = "") -> str:
    """A news page whose lead sits in the article's header block, beside the body's container."""
    body = "".join(f"<p>{PROSE * 2}</p>" for _ in range(4))
    return ("<html><head><title>Two pools to close</title></head><body>"
            f"<div class=\"page\"><div class=\"article-top\"><h1>Two pools to close</h1>{header}</div>"
            f"<div class=\"article-body\">{body}</div>{after}</div>{aside}</body></html>")


def _leads(html: str) -> list[str]:
    return [lead.text for lead in page_leads(parse_html(html))]


def test_attribute_words_split_bem_and_camel_case():
    assert attribute_words("c-article-head__subtitle") == {"c", "article", "head", "subtitle"}
    assert attribute_words("storyLead intro_box") == {"story", "lead", "intro", "box"}
    assert attribute_words("leaderboard-ad") == {"leaderboard", "ad"}  # not a lead
    assert attribute_words(None) == set()


def test_a_block_named_for_a_lead_in_any_of_the_languages_reads_as_one():
    for name in ("lead", "article-intro", "standfirst", "entry-excerpt", "chapo", "entradilla", "sommario",
                 "c-article-head__subtitle", "storyLead", "teaser-text"):
        assert _leads(_page(f'<p class="{name}">{LEAD}</p>')) == [LEAD], name


def test_blocks_that_are_not_the_articles_lead_are_not_taken():
    cases = {
        "a leaderboard ad": f'<div class="leaderboard">{LEAD}</div>',
        "the lead's picture and credit": f'<div class="lead-image">{LEAD}</div>',
        "a byline named intro": f'<p class="intro-byline">{LEAD}</p>',
        "a link to another story": f'<div class="teaser"><a href="/other">{LEAD}</a></div>',
        "the headline's block": f'<div class="intro"><h1>Two pools to close</h1><p>{LEAD}</p></div>',
        "a summary list": f'<div class="summary"><ul><li>{LEAD}</li><li>{OTHER}</li></ul></div>',
        "too short": '<p class="lead">Pools</p>',
    }
    for what, header in cases.items():
        assert _leads(_page(header)) == [], what
    # teaser cards of other stories: one class on several blocks
    cards = f'<div class="teaser">{LEAD}</div><div class="teaser">{OTHER}</div>'
    assert _leads(_page("", after=cards)) == []
    # a lead-looking block in a sidebar
    assert _leads(_page("", aside=f'<aside><p class="intro">{OTHER}</p></aside>')) == []


def test_the_innermost_block_is_the_lead():
    html = _page(f'<div class="story-lead"><p class="story-lead-text">{LEAD}</p></div>')
    leads = page_leads(parse_html(html))
    assert [lead.element.get("class") for lead in leads] == ["story-lead-text"]


def test_a_missing_lead_goes_right_before_the_bodys_first_paragraph():
    tree = parse_html(_page(f'<p class="lead">{LEAD}</p>'))
    leads = page_leads(tree)
    text = "Two pools to close\nBy Jane Roe\n" + PROSE.strip() + "\n" + PROSE.strip()
    added, put_in = with_leads(text, leads)
    assert put_in == (LEAD,)
    assert added.split("\n") == ["Two pools to close", "By Jane Roe", LEAD, PROSE.strip(), PROSE.strip()]
    assert with_leads(added, leads) == (added, ())  # already there: nothing more


def test_a_lead_after_the_body_or_in_another_part_of_the_page_is_not_put_in():
    after = f'<div class="intro">{OTHER}</div>'
    tree = parse_html(_page("", after=after))
    assert with_leads(PROSE.strip(), page_leads(tree)) == (PROSE.strip(), ())  # it comes after the body
    # a block right under <body>, outside the part that holds the article
    html = ("<html><body>" f'<p class="intro">{OTHER}</p>'
            "<div class=\"article\">" + "".join(f"<p>{PROSE}</p>" for _ in range(3)) + "</div></body></html>")
    assert with_leads(PROSE.strip(), page_leads(parse_html(html))) == (PROSE.strip(), ())
    # no line long enough to be the body's first paragraph
    tree = parse_html(_page(f'<p class="lead">{LEAD}</p>'))
    assert with_leads("Short line\nAnother", page_leads(tree)) == ("Short line\nAnother", ())


def test_the_pipeline_puts_back_the_lead_trafilatura_leaves_out_and_no_lead_turns_it_off():
    html = _page(f'<p class="article-intro">{LEAD}</p>')
    tree = parse_html(html)
    assert LEAD not in extract_text(tree, None, mode="precision")  # what this test is about
    page = Page(body=html.encode(), source="pools.html", url="https://news.example.com/pools")
    with_lead = processor(Options())(page)
    without = processor(Options(lead=False))(page)
    assert with_lead.ok and without.ok
    assert LEAD in with_lead.text and LEAD not in without.text
    assert with_lead.text.index(LEAD) < with_lead.text.index(PROSE[:40])
    assert with_lead.steps.counts["lead"]["added"] >= 1
    # `presswash explain` marks the line the lead step put in, and the audit says which it was
    assert LEAD in with_lead.audit[2] and without.audit[2] == ()
    shown = render_explain(with_lead)
    assert f"+ [lead: put back, the extractor left it out] {LEAD}" in shown
    assert "+ [lead" not in render_explain(without)
    page_html = ExplainPage(RuleBook.load())
    page_html.add(with_lead)
    assert '<p class="lead"' in page_html.render("pools") and LEAD in page_html.render("pools")


def test_the_bodys_first_words_are_found_outside_paragraphs_and_state_classes_are_not_read():
    body = "".join(f'<div class="paragraph">{PROSE * 2}</div>' for _ in range(3))
    html = ('<html><body><div class="site__main site__main--no-sidebar"><div class="top"><h1>Two pools to close</h1>'
            f'<p class="intro">{LEAD}</p></div><div class="copy">{body}</div></div></body></html>')
    leads = page_leads(parse_html(html))
    assert [lead.text for lead in leads] == [LEAD]  # "no-sidebar" says what the page lacks: not a sidebar
    text = PROSE.strip() + "\n" + PROSE.strip()
    assert with_leads(text, leads) == (LEAD + "\n" + text, (LEAD,))


def test_a_short_label_inside_a_lead_block_does_not_hide_the_lead():
    header = f'<h2 class="intro__title"><b class="intro__categories">Sport</b> {LEAD}</h2>'
    assert _leads(_page(header)) == [f"Sport {LEAD}"]


def test_a_page_of_many_lead_like_blocks_gives_three_at_most():
    blocks = "".join(f'<p class="intro-{i}">{OTHER} Number {i}.</p>' for i in range(40))
    leads = page_leads(parse_html(_page(blocks)))
    assert len(leads) == 3 and leads[0].text.endswith("Number 0.")


def test_a_text_that_spaces_the_leads_pieces_otherwise_still_holds_it():
    header = '<p class="intro"><span class="date">19.10.2019, 15:30 Uhr</span><span>Am Samstag spielt die Elf.</span></p>'
    tree = parse_html(_page(header))
    leads = page_leads(tree)
    assert [lead.text for lead in leads] == ["19.10.2019, 15:30 UhrAm Samstag spielt die Elf."]  # as a browser
    text = "19.10.2019, 15:30 Uhr Am Samstag spielt die Elf.\n" + PROSE.strip()  # as an extractor may space it
    assert with_leads(text, leads) == (text, ())
