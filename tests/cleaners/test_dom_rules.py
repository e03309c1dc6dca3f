"""Drop-block (DOM) rules on real parsed pages: the pack's examples together, the guards, the two ways to find
blocks. Each rule's own examples run, one by one, in tests/cleaners/test_rule_examples.py (an example is an
HTML fragment placed in a page after a long article paragraph, see cleaners/examples.py).
"""

from __future__ import annotations

import lxml.html
import pytest

from cleaners import Cleaner, RuleBook
from cleaners.examples import ARTICLE, page_with
from cleaners.rules import DropBlock, word_count

BOOK = RuleBook.load()
DOM_RULES = [r for r in BOOK.rules() if isinstance(r, DropBlock)]



def test_the_dom_pack_is_loaded():
    assert "dom-generic" in {p.name for p in BOOK.packs}
    assert len([r for r in DOM_RULES if r.pack == "dom-generic"]) >= 10


@pytest.mark.parametrize("rule", DOM_RULES, ids=lambda r: r.id)
def test_dom_rule_has_remove_and_keep_examples(rule):
    assert rule.remove and rule.keep, f"{rule.id} needs remove and keep examples"
    for example in rule.remove + rule.keep:
        assert example.text.lstrip().startswith("<"), f"{rule.id}: DOM examples are HTML fragments"


def test_the_whole_pack_keeps_every_keep_example_and_the_article():
    cleaner = Cleaner(BOOK)
    keeps = "".join(ex.text for r in DOM_RULES for ex in r.keep)
    tree = lxml.html.document_fromstring(page_with(keeps))
    before = " ".join(tree.text_content().split())
    edits = cleaner.clean_tree(tree)
    assert edits == [] and " ".join(tree.text_content().split()) == before


def test_a_block_bigger_than_the_guards_is_left_alone():
    # A "related" class on the container that holds the article itself must not take the article with it.
    rule = next(r for r in DOM_RULES if r.id == "DOM003")
    html = f'<html><body><div class="post related-content"><p>{ARTICLE}</p></div></body></html>'
    tree = lxml.html.document_fromstring(html)
    edits = rule.apply_tree(tree, word_count(tree.text_content()))
    assert edits == [] and ARTICLE in " ".join(tree.text_content().split())


def _block_rule(**params) -> DropBlock:
    return DropBlock(id="TST001", name="test-block", why="test", remove=(), **params)


def test_fast_form_and_css_selector_drop_the_same_blocks():
    page = page_with('<div class="post-share-bar">Share: X Facebook</div><aside id="related-box">More</aside>'
                     '<a class="share-link" href="#">shared link text</a><div class="entry">Tail words here.</div>')
    css = _block_rule(selector=':is(div, aside):is([class*="share"], [id*="related"])')
    fast = _block_rule(tags=["div", "aside"], class_match="share", id_match="related")
    results = []
    for rule in (css, fast):
        tree = lxml.html.document_fromstring(page)
        edits = rule.apply_tree(tree, 300)
        results.append(([e.text for e in edits], lxml.html.tostring(tree)))
    assert results[0] == results[1]
    assert results[1][0] == ["Share: X Facebook", "More"]  # the <a> is not a block tag: kept


@pytest.mark.parametrize("params", [{}, {"selector": "div.x", "class_match": "x"}, {"tags": ["div"]}])
def test_a_block_rule_needs_exactly_one_way_to_find_blocks(params):
    from cleaners import RuleError

    with pytest.raises(RuleError, match="TST001"):
        _block_rule(**params)


def test_a_dropped_block_is_recorded_as_a_reader_sees_it():
    """A block's heading and its items are separate words in the record ("Related Budget…", not
    "RelatedBudget…"); its script and comments are not text; its tail stays with the page."""
    tree = lxml.html.document_fromstring(page_with(
        '<div class="related-posts"><h3>Related</h3><ul><li><a href="/a">Budget talks stall again</a></li>'
        "<li>Mayor<b>'s</b> plan<br>for the harbour</li></ul><!-- teaser --><script>track()</script></div>"
        "<p>After the box.</p>"))
    edits = Cleaner(BOOK).clean_tree(tree)
    assert [e.text for e in edits if e.action == "block"] == [
        "Related Budget talks stall again Mayor's plan for the harbour"]
    assert "After the box." in tree.text_content()
