"""Site-level mining (cleaners/mining.py) on made-up sites: thresholds, what is never mined, blocks, and the
candidate pack as TOML that loads as a real pack and removes what was mined."""

from __future__ import annotations

import tomllib

import lxml.html
import pytest

from cleaners import Cleaner, RuleBook
from cleaners.mining import (
    Block,
    PageSample,
    Thresholds,
    line_key,
    line_pattern,
    mine_site,
    page_blocks,
    render_pack,
    rule_prefix,
    toml_string,
)
from cleaners.examples import check_rules
from cleaners.packs import parse_pack, parse_pack_text
from cleaners.rules import DropBlock, DropLine

HOST = "gazette.example"
PROMO = "Gazette Plus members read without ads — join today"
FOOTER = "The Valley Gazette has reported on the valley since 1921."
SOMETIMES = "Listen to this story on the Gazette podcast."
TIP = "Got a tip? Call the newsdesk on 0555 0199."


NAMES = ["Ashby", "Brook", "Carter", "Dale", "Ellis", "Fenwick", "Garside", "Hale", "Irving", "Jessop", "Kemp",
         "Lowther", "Marsh", "Nuttall", "Oakes", "Pickering", "Quarmby", "Redfern", "Sutcliffe", "Thwaite",
         "Umpleby", "Varley"]


def story(i: int) -> list[str]:
    """Two sentences only page ``i`` has (a headline-like one and a paragraph)."""
    name, other = NAMES[i % len(NAMES)], NAMES[(i * 7 + 3) % len(NAMES)]
    return [f"Councillor {name} opened the debate on the {other} Street plan with a long speech.",
            f"Residents of {other} Street told {name} that the plan deserved a proper vote."]


def site(pages: int, extra=lambda i: [], blocks=lambda i: [], host: str = HOST) -> list[PageSample]:
    return [PageSample(page=f"https://{host}/story-{i}", host=host,
                       lines=[f"{NAMES[i % len(NAMES)]} wins the vote"] + story(i)[:1] + [PROMO] + story(i)[1:]
                       + extra(i) + [FOOTER],
                       blocks=blocks(i))
            for i in range(pages)]


def texts(mining) -> set[str]:
    return {c.text for c in mining.candidates}


def test_lines_on_most_pages_are_mined_and_article_lines_never():
    mining = mine_site(site(20))
    assert mining.skipped is None and mining.pages == 20
    assert texts(mining) == {PROMO, FOOTER}
    assert all(c.pages == 20 and c.share == 1.0 and c.kind == "line" for c in mining.candidates)
    assert mining.candidates[0].examples == [f"https://{HOST}/story-{i}" for i in range(3)]


def test_nothing_is_mined_below_the_minimum_number_of_pages():
    mining = mine_site(site(19))
    assert mining.candidates == [] and mining.skipped == "19 pages, fewer than 20"
    assert texts(mine_site(site(5), Thresholds(min_pages=5))) == {PROMO, FOOTER}


def test_share_threshold():
    half = site(20, extra=lambda i: [SOMETIMES] if i % 2 == 0 else [])  # on 10 of 20 pages
    assert SOMETIMES in texts(mine_site(half))  # 50 %: at the default share
    fewer = site(20, extra=lambda i: [SOMETIMES] if i % 3 == 0 else [])  # on 7 of 20
    assert SOMETIMES not in texts(mine_site(fewer))
    assert SOMETIMES in texts(mine_site(fewer, Thresholds(min_share=0.3)))


def test_min_repeats_holds_on_small_sites():
    # With 4 pages and a share of 0.5, two pages would do; a line must still be on 3.
    pages = site(4, extra=lambda i: [SOMETIMES] if i < 2 else [])
    assert SOMETIMES not in texts(mine_site(pages, Thresholds(min_pages=4)))
    assert Thresholds(min_pages=4).needed(4) == 3 and Thresholds().needed(20) == 10 and Thresholds().needed(21) == 11


def test_one_word_and_wordless_lines_are_left_alone():
    pages = site(20, extra=lambda i: ["Background", "* * *", "Share"])
    assert texts(mine_site(pages)) == {PROMO, FOOTER}


def test_duplicate_pages_count_once():
    # One story saved under 12 names, among 8 others: its lines must not look like boilerplate.
    same = PageSample(page="", host=HOST, lines=story(99) + [PROMO])
    pages = [PageSample(page=f"copy-{k}", host=HOST, lines=same.lines) for k in range(12)]
    pages += site(8)
    mining = mine_site(pages, Thresholds(min_pages=5))
    assert mining.pages == 9
    assert texts(mining) == {PROMO, FOOTER}


def test_the_rule_cap():
    many = site(20, extra=lambda i: [f"Repeated menu entry {chr(97 + k)} of the site" for k in range(50)])
    assert len(mine_site(many, Thresholds(max_rules=10)).candidates) == 10


def test_lines_compare_by_words_and_case_but_figures_count():
    assert line_key("Call  0555 0100 TODAY") == line_key("call 0555 0100 today")
    assert line_key("The index closed at 7,412") != line_key("The index closed at 7,398")
    assert line_pattern("Call 0555 0100 (free) today") == r"Call\s+0555\s+0100\s+\(free\)\s+today"


# -- blocks ------------------------------------------------------------------------------------------------

def tip_box(i: int) -> list[Block]:
    return [Block("div", ("gz-tipline", "box"), "", TIP), Block("p", ("lead",), "", story(i)[0])]


def test_a_repeated_block_whose_text_reached_the_article_becomes_a_block_rule():
    pages = site(20, extra=lambda i: ["Got a tip?", "Call the newsdesk on 0555 0199."], blocks=tip_box)
    mining = mine_site(pages)
    blocks = [c for c in mining.candidates if c.kind == "block"]
    assert len(blocks) == 1
    block = blocks[0]
    assert block.target.label() == "div.gz-tipline.box" and block.pages == 20
    assert block.covers == ["Got a tip?", "Call the newsdesk on 0555 0199."]
    # the lines the block holds are not mined a second time as line rules
    assert texts(mining) == {TIP, PROMO, FOOTER}


def test_a_block_the_extractor_left_out_is_not_mined():
    pages = site(20, blocks=tip_box)  # the box is in the page, but its text is not in the extracted lines
    assert [c for c in mine_site(pages).candidates if c.kind == "block"] == []


def test_a_class_that_also_holds_other_text_is_not_a_block_rule():
    def boxes(i: int) -> list[Block]:
        other = Block("div", ("gz-tipline", "box"), "", f"An editor's note only page {i} has, with its own words.")
        return tip_box(i) + ([other] if i % 4 == 0 else [])  # 5 of 25 occurrences hold other text

    pages = site(20, extra=lambda i: ["Got a tip?", "Call the newsdesk on 0555 0199."], blocks=boxes)
    mining = mine_site(pages)
    assert [c for c in mining.candidates if c.kind == "block"] == []
    assert {"Got a tip?", "Call the newsdesk on 0555 0199."} <= texts(mining)  # the lines are still mined


def test_an_inner_element_of_a_mined_block_is_not_mined_again():
    def nested(i: int) -> list[Block]:
        return [Block("aside", (), "gz-promo", f"{PROMO} {TIP}"), Block("span", ("gz-promo-text",), "", PROMO)]

    mining = mine_site(site(20, extra=lambda i: [TIP], blocks=nested))
    blocks = [c for c in mining.candidates if c.kind == "block"]
    assert [b.target.label() for b in blocks] == ["aside#gz-promo"]
    assert sorted(blocks[0].covers) == sorted([PROMO, TIP])


def test_page_blocks_reads_class_and_id_elements_with_text():
    tree = lxml.html.document_fromstring(
        '<html><body><div id="top" class="a  b"><p>Hello there</p></div><script class="x">var a = 1;</script>'
        '<p class="empty"> </p><section class="big">' + "word " * 200 + "</section></body></html>")
    assert page_blocks(tree) == [Block("div", ("a", "b"), "top", "Hello there")]
    # with the page's clean lines, only the blocks that hold one of them whole
    assert page_blocks(tree, ["hello  THERE"]) == page_blocks(tree)
    assert page_blocks(tree, ["Hello there, world", "Goodbye"]) == []


# -- the candidate pack ------------------------------------------------------------------------------------

def mined_pack(pages: list[PageSample]):
    text = render_pack(mine_site(pages), "2026-11-22")
    return text, parse_pack(tomllib.loads(text), "mined.toml")


def test_the_pack_round_trips_through_parse_pack():
    pages = site(20, extra=lambda i: ["Got a tip?", "Call the newsdesk on 0555 0199."], blocks=tip_box)
    text, pack = mined_pack(pages)
    assert pack.name == f"mined-{HOST}" and pack.domains == (HOST,)
    assert "# on 20 of 20 pages of gazette.example (100%), e.g.:" in text
    assert f"#   https://{HOST}/story-0" in text
    ids = [r.id for r in pack.rules]
    assert len(ids) == len(set(ids)) == 3
    assert all(r.id.startswith(rule_prefix(HOST) + "-") for r in pack.rules)
    assert len({r.name for r in pack.rules}) == 3
    for rule in pack.rules:
        assert "on 20 of 20 pages of gazette.example" in rule.why and rule.remove
    kinds = {type(r) for r in pack.rules}
    assert kinds == {DropLine, DropBlock}
    # The header declares the prefix, and every example passes the checker that loading a stored pack runs.
    assert pack.prefix == rule_prefix(HOST) and f"prefix = '{rule_prefix(HOST)}'" in text
    assert check_rules(pack.rules) == []
    assert parse_pack_text(text, "store:site_packs/gazette.example").rules


def test_a_pack_mined_before_packs_declared_a_prefix_still_loads():
    """Stores hold packs mined by earlier versions, with no prefix line: their ids share one stem, which is
    taken as the prefix, so the host keeps its pack."""
    text, _ = mined_pack(site(20, extra=lambda i: ["Got a tip?", "Call the newsdesk on 0555 0199."]))
    old = "\n".join(line for line in text.splitlines() if not line.startswith("prefix ="))
    assert "prefix" not in old.split("[[rule]]")[0]
    pack = parse_pack_text(old, "store:site_packs/gazette.example")
    assert pack.prefix == rule_prefix(HOST) and pack.rules


def test_mined_rules_remove_their_lines_and_keep_the_article():
    pages = site(20, extra=lambda i: [SOMETIMES] if i % 2 else [])
    _, pack = mined_pack(pages)
    cleaner = Cleaner(RuleBook(RuleBook.load().packs + [pack]))
    page = site(21, extra=lambda i: [SOMETIMES])[20]
    result = cleaner.clean_text("\n".join(page.lines), hostname=HOST)
    assert result.text.splitlines() == page.lines[:2] + story(20)[1:]  # headline, article, no clutter
    assert cleaner.clean_text("\n".join(page.lines), hostname="other.example").text.count(PROMO) == 1
    for rule in pack.rules:  # each rule fires on its own remove example, as built-in rules must
        assert cleaner.clean_text(rule.remove[0].text, rules=[rule]).text == ""


def test_a_block_rule_drops_the_block_from_a_page():
    pages = site(20, extra=lambda i: ["Got a tip?", "Call the newsdesk on 0555 0199."], blocks=tip_box)
    _, pack = mined_pack(pages)
    rule = next(r for r in pack.rules if isinstance(r, DropBlock))
    html = ("<html><body><article><p>" + " ".join(story(1) * 10) + "</p>"
            '<div class="gz-tipline box"><p>Got a tip?</p><p>Call the newsdesk on 0555 0199.</p></div>'
            '<div class="gz-tipline">A box with another class list stays.</div></article></body></html>')
    tree = lxml.html.document_fromstring(html)
    edits = rule.apply_tree(tree, 1000)
    assert [e.rule for e in edits] == [rule.id]
    left = tree.text_content()
    assert "Got a tip?" not in left and "newsdesk" not in left
    assert "A box with another class list stays." in left and story(1)[0] in left


def test_odd_text_survives_the_toml():
    odd = ["It's \"quoted\" \\ with a back\\slash", "Tab\tand\x7fcontrol", "Ünïcödé — “quotes” 1–2"]
    _, pack = mined_pack(site(20, extra=lambda i: odd))
    mined = {r.remove[0].text for r in pack.rules}
    assert set(odd) <= mined
    for value in ("plain", "it's", 'a "b" \\c', "\x00\x1f"):
        assert tomllib.loads(f"v = {toml_string(value)}")["v"] == value


def test_packs_of_many_hosts_load_together():
    packs = [mined_pack(site(20, host=f"site{i}.example"))[1] for i in range(30)]
    book = RuleBook(RuleBook.load().packs + packs)  # rule ids must not clash
    assert len({p.name for p in book.packs}) == len(book.packs)


@pytest.mark.parametrize("host", ["gazette.example", "127.0.0.1", "news.example.co.uk"])
def test_prefix_is_stable_and_readable(host):
    assert rule_prefix(host) == rule_prefix(host) and len(rule_prefix(host)) == 7
