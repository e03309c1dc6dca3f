"""The engine's shortcuts give what the plain computation gives: the pack detection's runs check, the page
word count that stops at the guards' cap, the shared scan of the fast block rules."""

from __future__ import annotations

import math

import lxml.html
from hypothesis import given, settings, strategies as st

from cleaners import Cleaner, RuleBook
from cleaners.engine import _PageWords, split_lines, words_cap
from cleaners.examples import page_with
from cleaners.rules import CleaningContext, DropBlock, LineRule, fold, glued_parts, literal_miss, marked_elements

BOOK = RuleBook.load()
DETECTED = [p for p in BOOK.packs if p.detect_html]
FAST = tuple(r for r in BOOK.rules() if isinstance(r, DropBlock) and r.fast)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(DETECTED),
       st.lists(st.sampled_from(["<meta content=", "'blogger'", '"Blogger"', "content=", ".BLOGSPOT.com",
                                 "www.blogger.com/", "/wp-content/", "wp-includes", "jetpack", "ſharedaddy",
                                 "JETPAC\u212a", "İ", "ı", " ", "x", "WordPress", "wordpreſs"]), max_size=8))
def test_pack_detection_answers_as_its_regex_does(pack, parts):
    sample = "".join(parts)
    lowered = sample.lower()
    pack.html_detected(sample, lowered)  # fills the literals on first use
    plain = (not pack._literals or any(lit in lowered for lit in pack._literals)) and \
        pack.html_signature.search(sample) is not None
    assert pack.html_detected(sample, lowered) == plain


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 400), st.one_of(st.floats(0, 2), st.just(math.inf), st.just(math.nan))),
                min_size=1, max_size=3),
       st.integers(0, 2000), st.integers(0, 400))
def test_the_capped_page_count_gives_every_guard_its_exact_answer(params, page, block):
    rules = [DropBlock(id=f"TST{i}", name="t", why="t", class_match="x", max_words=w, max_share=s)
             for i, (w, s) in enumerate(params)]
    tree = lxml.html.document_fromstring("<html><body><p>" + "word " * page + "</p></body></html>")
    counted = _PageWords(tree, words_cap(rules))()
    for rule in rules:
        if block <= rule.max_words:
            assert bool(page and block > rule.max_share * page) == bool(counted and block > rule.max_share * counted)


def test_the_shared_scan_finds_what_each_rule_finds_alone():
    fragments = "".join(ex.text for r in FAST for ex in r.remove + r.keep)
    tree = lxml.html.document_fromstring(page_with(fragments + '<p class="Share">x</p><span id="related">y</span>'))
    marked = marked_elements(tree)
    assert marked == tree.xpath("//*[@class or @id]")
    found = Cleaner(BOOK)._memo(FAST).candidates(marked)
    assert found == [[el for el in marked if rule.matches(el)] for rule in FAST]
    assert any(found)


FEW = [r for r in BOOK.rules() if isinstance(r, LineRule) and r.literals is not None and len(r.literal_words) <= 12]


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(FEW), st.lists(st.text(alphabet="share tocmnpiRADMOE:İ\u017f", max_size=40), max_size=12),
       st.integers(1, 8))
def test_holding_lets_through_the_lines_the_literal_check_lets_through(rule, texts, cap):
    lines = split_lines("\n".join(texts))
    ctx = CleaningContext()
    ctx.start_pass(lines)
    through = ctx.holding(lines, cap, rule.literal_words)
    assert through == {ln.index for ln in lines if ln.words <= cap and not literal_miss(rule.literals, ln)}
    ctx.text_changed()
    assert ctx.holding(lines, cap, rule.literal_words) is None


def test_a_token_line_reads_a_plain_word_as_one_part():
    for token in ("Reading", "reading", "Übersicht", "WhatsApp", "TwitterFacebook", "2Kommentare", "ABC"):
        assert (len(glued_parts(token)) == 1) or not (token.isalpha() and token[1:].islower())


def test_a_rule_that_read_every_line_reads_again_only_after_a_text_changed():
    ctx = CleaningContext()
    assert not ctx.read_all("GEN001")
    ctx.has_read_all("GEN001")
    assert ctx.read_all("GEN001")
    ctx.text_changed()
    assert not ctx.read_all("GEN001")


def test_folds_are_those_of_fold():
    ctx = CleaningContext(title="The Headline — Today")
    assert ctx.folded_title() == fold("The Headline — Today")
    assert ctx.folded("ＴＨＥ headline, today!") == fold("ＴＨＥ headline, today!") == ctx.folded_title()
