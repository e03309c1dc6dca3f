"""The clutter-run rules (cleaners/packs/runs.toml, kind ``clutter-run``): a line that is not prose, inside a run
of clutter the other rules removed, goes too; prose, and an article's end above the run, stay."""

from __future__ import annotations

import pytest

from cleaners import Cleaner, RuleBook
from cleaners.examples import example_runs
from cleaners.packs import parse_pack
from cleaners.rules import ClutterRun, RuleError

BOOK = RuleBook.load()
CLEANER = Cleaner(BOOK)
WITHOUT_RUNS = Cleaner(BOOK.selected(ignore=["RUN", "LRN"]))  # nor the learned scorer, which reads no phrase either
RUNS = [BOOK.rule("RUN001"), BOOK.rule("RUN002"), BOOK.rule("RUN003")]
ARTICLE = ("The council voted on Tuesday to keep the central library open on Sundays, reversing a plan that "
           "would have saved two million pounds a year. Residents had gathered more than eight thousand "
           "signatures against the closure, and the debate ran for almost four hours.")
LAST = "The mayor said the library would also open later on weekdays from March, paid for from the reserve."


def _by(result, rule_id):
    return [e.text for e in result.edits if e.rule == rule_id]


@pytest.mark.parametrize("rule", RUNS, ids=lambda r: r.id)
def test_every_example_does_what_it_says(rule):
    runs = list(example_runs(rule))
    assert runs and all(run.failure is None for run in runs), [str(r.failure) for r in runs if r.failure]
    assert {run.kind for run in runs} == {"remove", "keep"}


def test_a_line_between_two_removed_lines_goes_with_its_shape_in_the_detail():
    text = "\n".join([ARTICLE, "ADVERTISEMENT", "Gallery: Library protest in pictures", "ADVERTISEMENT", LAST])
    result = CLEANER.clean_text(text)
    assert result.text == "\n".join([ARTICLE, LAST])
    [edit] = [e for e in result.edits if e.rule == "RUN001"]
    assert edit.text == "Gallery: Library protest in pictures"
    assert edit.detail == "not prose: no sentence end; between lines removed by GEN025 and GEN025"


def test_a_prose_sentence_between_two_removed_lines_stays():
    text = "\n".join([ARTICLE, "ADVERTISEMENT", "The vote is expected on Friday.", "ADVERTISEMENT", LAST])
    assert CLEANER.clean_text(text).text == "\n".join([ARTICLE, "The vote is expected on Friday.", LAST])


def test_the_tail_below_a_removed_line_goes_whatever_its_words():
    tail = ["Share this:", "Budget talks resume in the spring", "Politics | Libraries | Budget",
            "Mayor opens new bridge"]
    result = CLEANER.clean_text("\n".join([ARTICLE, LAST] + tail))
    assert result.text == "\n".join([ARTICLE, LAST])
    assert _by(result, "RUN002") == tail[1:]
    # Without the clutter-run rules the three lines stay: no phrase rule lists them.
    assert WITHOUT_RUNS.clean_text("\n".join([ARTICLE, LAST] + tail)).text == "\n".join([ARTICLE, LAST] + tail[1:])


def test_the_articles_short_last_line_stays_with_or_without_clutter_below():
    signed = [ARTICLE, LAST, "— Jane Roe, Berlin"]
    assert CLEANER.clean_text("\n".join(signed)).text == "\n".join(signed)
    assert CLEANER.clean_text("\n".join(signed + ["Share this:"])).text == "\n".join(signed)


def test_a_subhead_before_the_last_paragraph_stays():
    text = "\n".join([ARTICLE, "What happens next", LAST, "Share this:", "Mayor opens new bridge"])
    assert CLEANER.clean_text(text).text == "\n".join([ARTICLE, "What happens next", LAST])


def test_a_short_text_with_no_article_above_loses_nothing_to_the_run():
    # Fewer than min_words_before words of prose above the run: not an article's tail.
    text = "\n".join(["The vote is expected on Friday.", "Share this:", "Mayor opens new bridge"])
    assert _by(CLEANER.clean_text(text), "RUN002") == []


def test_the_headline_starts_no_run():
    title = "Library stays open on Sundays"
    text = "\n".join([title, "Town hall | Culture", "ADVERTISEMENT", ARTICLE, LAST])
    result = CLEANER.clean_text(text, title=title)
    assert "Town hall | Culture" in result.text.split("\n")
    assert _by(result, "RUN001") == []


def test_a_long_gap_is_not_one_block():
    gap = ["Opening hours", "Monday to Friday", "Sunday afternoons"]
    text = "\n".join([ARTICLE, "ADVERTISEMENT"] + gap + ["ADVERTISEMENT", LAST])
    assert CLEANER.clean_text(text).text == "\n".join([ARTICLE] + gap + [LAST])


def test_the_tail_run_is_capped():
    rule = RUNS[1]
    teasers = [f"Headline number {i} of the box" for i in range(rule.max_tail_lines + 1)]
    text = "\n".join([ARTICLE, LAST, "Share this:"] + teasers)
    assert _by(CLEANER.clean_text(text), "RUN002") == []


@pytest.mark.parametrize(("line", "why"), [
    ("Gallery: Library protest in pictures", "no sentence end"),
    ("Read more at example-news.org.", "an address"),
    ("Home | News | Politics", "a separator"),
    ("Copyright 2024 Acme Media Group", "capitalised"),
    ("12 / 345", "numbers"),
    # a teaser's date after its headline does not count towards the label's words
    ("Inside the race for the governor's mansion (2021-03-03)", "no sentence end"),
    ("Start-up entlässt ein Drittel der Belegschaft – 12. Juni 2019", "no sentence end"),
])
def test_not_prose_by_shape(line, why):
    assert why in RUNS[0].prose_shape(line)


@pytest.mark.parametrize("line", [
    "The vote is expected on Friday.",
    "Share prices fell 3 percent on Monday.",
    "Die Regierung hat am Montag neue Regeln beschlossen.",
    # running text cut by the extractor: a small letter first, many words, no full stop
    "beim letzten Rennen schlug das Team die Favoriten trotz des schlechten Wetters",
    # nine words and a date: still running text without its full stop
    "The council met on Tuesday to discuss the new library budget (2021-03-03).",
])
def test_prose_by_shape(line):
    assert RUNS[0].prose_shape(line) == ""


def test_cleaning_twice_changes_nothing():
    text = "\n".join([ARTICLE, "ADVERTISEMENT", "Gallery: Library protest in pictures", "ADVERTISEMENT", LAST,
                      "Share this:", "Politics | Libraries | Budget"])
    once = CLEANER.clean_text(text)
    assert CLEANER.clean_text(once.text).text == once.text


BOX = ["Handpicked for you", "Flood defences to be rebuilt after winter storms",
       "Minister resigns over expenses row – 12 May 2024", "Sport: Local club signs former international striker"]


@pytest.mark.parametrize("top", [["Share this:"], []], ids=["other-clutter", "nothing-else-removed"])
def test_a_box_of_links_ending_the_text_goes_whatever_its_heading_says(top):
    # Nothing is removed near the box; with "Share this:" at the top something is removed elsewhere, without it
    # nothing is: the box is its own proof (Rule.needs_removals), where the other clutter runs need a removed line.
    result = CLEANER.clean_text("\n".join(top + [ARTICLE, LAST] + BOX))
    assert result.text == "\n".join([ARTICLE, LAST])
    assert _by(result, "RUN003") == BOX
    assert {e.detail for e in result.edits if e.rule == "RUN003"} == {
        "not prose: a heading; a box of 3 links after the last paragraph",
        "not prose: a headline; a box of 3 links after the last paragraph"}
    # No phrase rule knows the heading: without the clutter runs the box stays.
    assert WITHOUT_RUNS.clean_text("\n".join(["Share this:", ARTICLE, LAST] + BOX)).text == "\n".join(
        [ARTICLE, LAST] + BOX)


@pytest.mark.parametrize("ending", [
    BOX[:2],  # one headline under a short line: a sign-off, not a box
    ["Sources", "1. Council minutes of the library committee", "2. Annual report of the library service"],
    ["Opening hours: 9 to 5", "Monday to Friday at the central library", "Sunday afternoons at the branches"],
    ["Our offers", "Annual library card for all the family ...", "Reading room pass for students ..."],
    ["What happens next", "Sunday opening from next month", "Later hours on weekdays", LAST],
    BOX + ["Readers loved the new reading room and said so."],
], ids=["one-teaser", "list-entries", "label-and-value-heading", "cut-excerpts", "text-goes-on", "sentence-after"])
def test_endings_that_are_not_a_box_of_links_stay(ending):
    for top in (["Share this:"], []):
        text = "\n".join(top + [ARTICLE, LAST] + ending)
        assert _by(CLEANER.clean_text(text), "RUN003") == []


def test_only_the_box_runs_where_no_other_rule_removed_a_line():
    assert [r.id for r in BOOK.rules() if r.needs_context and not r.needs_removals()] == ["RUN003"]
    # The learned scorer takes a label below the last paragraph when another rule removed a line, not otherwise.
    with_clutter = CLEANER.clean_text("\n".join(["Share this:", ARTICLE, LAST, "Editor picks"]))
    assert _by(with_clutter, "LRN001") == ["Editor picks"]
    text = "\n".join([ARTICLE, LAST, "Editor picks"])
    assert CLEANER.clean_text(text).text == text


def test_a_box_needs_a_paragraph_above_its_heading():
    text = "\n".join(["Share this:", ARTICLE, "Budget 2024", "In pictures"] + BOX)
    assert _by(CLEANER.clean_text(text), "RUN003") == []


def test_a_bad_place_is_a_load_error():
    data = {"pack": {"name": "mine", "prefix": "MY"},
            "rule": [{"id": "MY001", "name": "run", "kind": "clutter-run", "place": "head", "why": "a test",
                      "remove": ["x"]}]}
    with pytest.raises(RuleError, match="place must be one of between, tail"):
        parse_pack(data, "mine.toml")


def test_the_kind_reads_what_other_rules_removed():
    assert ClutterRun.needs_context and not BOOK.rule("GEN025").needs_context
