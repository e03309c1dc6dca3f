"""The paywalled and teaser flags (docs/record.md#paywalls), through the real `clean` on fixture pages of
each kind: a declaration alone never flags a page, the text must also look cut short."""

from __future__ import annotations

import lxml.html
import pytest
from tests.conftest import ROOT, assert_ok, call_main

from scraper.core.paywall import PaywallEvidence, cut_short, paywall_flags, read_paywall

PAYWALL = ROOT / "fixtures" / "paywall"

EXPECTED = {
    # JSON-LD isAccessibleForFree false, wordCount 940 against the ~185 words before the paywall box
    "cut-short.html": (["paywalled"], "spent on the pipes as promised"),
    # "False" strings, a hasPart WebPageElement, and only the standfirst came through
    "teaser.html": (["paywalled", "teaser"], "Carrow pit, closed since 1988"),
    # no JSON-LD: a paywall overlay right after the text the page served
    "markup-only.html": (["paywalled"], "until the list began to fall"),
    # declared, but the whole text is there: its wordCount matches
    "declared-but-whole.html": ([], "improve the signs to the car parks"),
    # isAccessibleForFree true
    "free-declared.html": ([], "front desk on Thursday evenings"),
    # a newsletter "subscribe" box in a free article
    "free-subscribe-box.html": ([], "reached the town"),
}


@pytest.fixture(scope="module")
def records():
    run = call_main("clean", PAYWALL)
    assert run.code == 0, run.err
    return {r["source"].rsplit("/", 1)[-1]: r for r in run.records}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_paywall_flags(records, name):
    flags, words = EXPECTED[name]
    record = records[name]
    assert_ok(record, words)
    assert [f for f in record["flags"] if f in ("paywalled", "teaser")] == flags


def _evidence(head: str, body: str = "<p>text</p>") -> PaywallEvidence:
    return read_paywall(lxml.html.fromstring(f"<html><head>{head}</head><body>{body}</body></html>"))


@pytest.mark.parametrize("jsonld", [
    '{"@type": "NewsArticle", "isAccessibleForFree": false}',
    '{"@type": "NewsArticle", "isAccessibleForFree": "False"}',
    '{"@graph": [{"@type": "WebPage"}, {"@type": "Article", "hasPart": [{"@type": "WebPageElement", '
    '"isAccessibleForFree": "false", "cssSelector": ".locked"}]}]}',
])
def test_json_ld_declarations(jsonld):
    assert _evidence(f'<script type="application/ld+json">{jsonld}</script>').declared == "json-ld"


@pytest.mark.parametrize("body, declared", [
    ('<div class="tp-modal"></div>', "markup"),
    ('<section id="meteredContent"></section>', "markup"),
    ('<div class="box subscriber-only"></div>', "markup"),
    ('<div class="piano-offer"></div>', "markup"),
    ('<div class="subscribe-box newsletter"></div>', None),
    ('<div class="pianist-profile"></div>', None),
    ('<script>document.body.className = "paywall"</script>', None),
])
def test_markup_declarations(body, declared):
    assert _evidence("", body).declared == declared


def test_cut_short_rules():
    text = " ".join(["word"] * 150)
    assert cut_short(PaywallEvidence(declared="json-ld", word_count=400), text) == "word-count"
    assert cut_short(PaywallEvidence(declared="json-ld", word_count=240), text) is None  # not twice and 100 more
    assert cut_short(PaywallEvidence(declared="markup", before_paywall="word word"), text) == "ends-at-paywall"
    assert cut_short(PaywallEvidence(declared="markup", article_page=True), "a few words") == "short"
    assert cut_short(PaywallEvidence(declared="markup", article_page=True, word_count=20), "a few words") is None


def test_a_short_whole_text_with_its_word_count_is_no_teaser():
    text = "One paragraph of a short brief that the page serves whole, as its word count says."
    whole = PaywallEvidence(declared="json-ld", word_count=len(text.split()), article_page=True)
    assert paywall_flags(whole, text, None) == []
    assert paywall_flags(PaywallEvidence(declared="json-ld", article_page=True), text, None) == ["paywalled", "teaser"]
