"""Extraction modes: "auto" runs precision, recall where precision may be short of the page's text, the third
setting and the fallback only when those show precision's text is not whole, and keeps one text per page; "fast" runs one setting without trafilatura's
comparisons."""

from pathlib import Path

import pytest

from scraper.core.document import Page
from scraper.core.extraction import (MODES, body_words, paragraph_words, parse_html, pick_mode, precision_is_whole,
                                      prefer_fallback, recall_may_add)
from scraper.core.process import Options, Processor
from tests.conftest import processor

PAGES = Path(__file__).resolve().parents[1] / "fixtures" / "pages"


def test_balanced_is_kept_when_the_other_modes_agree_with_it():
    assert pick_mode({"balanced": 500, "precision": 200, "recall": 520}) == "balanced"


def test_recall_is_taken_when_it_finds_much_more_text():
    assert pick_mode({"balanced": 100, "precision": 90, "recall": 400}) == "recall"
    assert pick_mode({"balanced": 100, "precision": 90, "recall": 115}) != "recall"


def test_precision_is_taken_when_it_keeps_most_of_the_text():
    assert pick_mode({"balanced": 500, "precision": 480, "recall": 500}) == "precision"


def test_a_fuller_balanced_text_wins_over_precision_that_dropped_a_tenth():
    # pick_mode runs where precision's text did not look whole: a tenth fewer words is a cut, not furniture
    assert pick_mode({"balanced": 500, "precision": 450, "recall": 500}) == "balanced"


def test_a_mode_with_text_wins_over_an_empty_balanced_result():
    assert pick_mode({"balanced": 0, "precision": 0, "recall": 80}) == "recall"
    assert pick_mode({"balanced": 0, "precision": 30}) == "precision"


def _page(name: str) -> Page:
    path = PAGES / name
    return Page(body=path.read_bytes(), source=str(path), url="https://example.org/story", kind="html")


def _any_page() -> str:
    return sorted(p.name for p in PAGES.glob("*.html"))[0]


@pytest.mark.parametrize("mode", ["auto", *MODES])
def test_every_mode_makes_an_article_and_names_the_mode_it_kept(mode):
    outcome = processor(Options(mode=mode))(_page(_any_page()))
    assert outcome.ok, outcome
    assert outcome.extractor["mode"] in MODES
    if mode != "auto":
        assert outcome.extractor["mode"] == mode


def test_auto_keeps_the_text_of_the_mode_it_names():
    page = _page(_any_page())
    auto = processor(Options(mode="auto"))(page)
    single = processor(Options(mode=auto.extractor["mode"]))(page)
    assert auto.text == single.text


def test_an_unknown_mode_is_refused_with_the_known_ones():
    with pytest.raises(ValueError, match="known: auto, balanced, precision, recall, fast"):
        Processor(Options(mode="quick"))


def test_precision_is_whole_when_recall_adds_little_and_it_holds_most_paragraph_words():
    assert precision_is_whole({"precision": 500, "recall": 560}, paragraphs=700)


def test_precision_is_not_whole_when_recall_finds_much_more():
    assert not precision_is_whole({"precision": 500, "recall": 700}, paragraphs=600)


def test_precision_is_not_whole_when_it_holds_a_fraction_of_the_paragraph_text():
    assert not precision_is_whole({"precision": 80, "recall": 90}, paragraphs=900)
    # a little over half is not enough either: the modes are compared
    assert not precision_is_whole({"precision": 550, "recall": 560}, paragraphs=1000)
    assert precision_is_whole({"precision": 650, "recall": 660}, paragraphs=1000)


def test_precision_is_not_whole_when_it_found_nothing():
    assert not precision_is_whole({"recall": 300}, paragraphs=300)
    assert not precision_is_whole({"precision": 0, "recall": 0}, paragraphs=0)


def test_a_page_without_paragraph_text_gives_no_evidence_that_precision_is_whole():
    assert not precision_is_whole({"precision": 200, "recall": 210}, paragraphs=0)
    assert precision_is_whole({"precision": 200, "recall": 210}, paragraphs=300)


def test_paragraph_words_counts_the_words_of_every_paragraph():
    tree = parse_html("<html><body><p>One two <b>three</b></p><div>not this</div><p>four</p></body></html>")
    assert paragraph_words(tree) == 4


def test_auto_runs_the_other_modes_only_when_precision_is_not_whole(monkeypatch):
    import scraper.core.process as process

    page = _page(_any_page())
    whole = processor(Options(mode="auto"))(page)
    assert whole.ok and whole.steps.counts["plan"] == {"precision whole": 1, "no recall run": 1}
    assert whole.extractor["mode"] == "precision" and "fallback" not in whole.steps.seconds
    assert "extract-modes" not in whole.steps.seconds  # precision holds most of the page's text: no recall run
    monkeypatch.setattr(process, "recall_may_add", lambda words, body: True)
    probed = processor(Options(mode="auto"))(page)
    assert probed.ok and probed.steps.counts["plan"] == {"precision whole": 1}
    assert "extract-modes" in probed.steps.seconds and "fallback" not in probed.steps.seconds
    monkeypatch.setattr(process, "precision_is_whole", lambda words, paragraphs: False)
    every = processor(Options(mode="auto"))(page)
    assert every.ok and every.steps.counts["plan"] == {"all modes": 1}
    assert "fallback" in every.steps.seconds


def test_body_words_leave_out_code_and_page_furniture():
    tree = parse_html("<html><body><nav>Home News <b>Sport</b></nav><header><h1>Big storm</h1></header>"
                      "<p>Rain fell all day.</p><aside><nav>More links</nav></aside><script>var x = 1;</script>"
                      "<footer>Contact us</footer></body></html>")
    assert body_words(tree) == 4


def test_recall_may_add_unless_precision_holds_most_of_the_body_text():
    assert recall_may_add(500, 1000)
    assert not recall_may_add(900, 1000)
    assert recall_may_add(0, 10) and not recall_may_add(0, 0)


def test_fast_mode_makes_an_article_and_says_so():
    # without the content scorer, which would take this clean fixture page on its own (test_content.py)
    outcome = processor(Options(mode="fast", content_scorer=False))(_page(_any_page()))
    assert outcome.ok, outcome
    assert outcome.extractor["mode"] == "fast"
    assert "extract-modes" not in outcome.steps.seconds and "fallback" not in outcome.steps.seconds


def test_fast_mode_runs_the_full_setting_when_its_text_misses_the_paragraphs(monkeypatch):
    import scraper.core.process as process

    monkeypatch.setattr(process, "holds_paragraphs", lambda words, paragraphs: False)
    outcome = processor(Options(mode="fast", content_scorer=False))(_page(_any_page()))
    assert outcome.ok and outcome.extractor["mode"] == "fast"
    assert outcome.steps.counts["plan"] == {"full run": 1} and "extract-modes" in outcome.steps.seconds


PROSE = "The council voted on Tuesday to keep the ferry running through the winter, the clerk said."


def test_the_fallback_replaces_a_text_that_missed_most_of_the_article_prose():
    chosen = PROSE
    fallback = "\n".join([PROSE] + [f"{PROSE} Paragraph {i} adds another detail." for i in range(4)])
    assert prefer_fallback(chosen, fallback)


def test_the_fallback_is_not_taken_when_what_it_adds_is_link_lists_or_teasers():
    fallback = "\n".join([PROSE] + [f"Related story number {i}" for i in range(40)])
    assert not prefer_fallback(PROSE, fallback)


def test_the_fallback_is_not_taken_when_it_adds_little():
    assert not prefer_fallback(PROSE + "\n" + PROSE, PROSE + "\n" + PROSE + "\n" + PROSE)


def test_a_page_too_big_for_auto_gets_the_balanced_mode_alone_and_says_so(monkeypatch):
    import scraper.core.process as process

    page = _page(_any_page())
    monkeypatch.setattr(process, "AUTO_MODE_MAX_CHARS", 100)
    outcome = processor(Options(mode="auto"))(page)
    assert outcome.ok
    assert outcome.extractor["mode"] == "balanced"
    assert "single-mode" in outcome.flags


def test_a_page_with_very_many_elements_gets_one_fast_run_and_says_so():
    from scraper.core.process import MANY_ELEMENTS

    story = "<p>" + "The council published the results of the census on Monday, ward by ward. " * 6 + "</p>"
    rows = "".join(f"<tr><td>ward {i}</td><td>{i * 7}</td></tr>" for i in range(MANY_ELEMENTS // 3 + 1))
    html = f"<html><body><article><h1>Census results</h1>{story}<table>{rows}</table></article></body></html>"
    outcome = processor(Options(mode="auto"))(
        Page(body=html.encode(), source="census.html", url="https://example.org/census", kind="html"))
    assert outcome.ok, outcome
    assert {"fast-extraction", "single-mode"} <= set(outcome.flags)
    assert outcome.extractor["mode"] == "balanced"
    assert "census on Monday" in outcome.text


def test_an_ordinary_page_is_not_flagged_fast():
    outcome = processor(Options(mode="auto"))(_page(_any_page()))
    assert "fast-extraction" not in outcome.flags and "single-mode" not in outcome.flags
