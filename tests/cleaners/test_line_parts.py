"""The kinds that judge parts of a line by the other rules: lead-in (CAT061 lead-in-prompt), a line that opens with a
short question or exclamation and goes when the pass's drop-line rules would remove the rest of it on its own where it
stands; joined-parts (CAT062 joined-prompts), a row whose parts between separators all are clutter on their own."""

from __future__ import annotations

import pytest

from cleaners import Cleaner, RuleBook
from cleaners.rules import KIND_ORDER, KINDS, JoinedParts, LeadIn

BOOK = RuleBook.load()
CLEANER = Cleaner(BOOK)
PARAGRAPHS = [
    "The council voted on Tuesday to keep the central library open on Sundays, reversing a plan that would have "
    "saved two million pounds a year.",
    "Residents had gathered more than eight thousand signatures against the closure, and the debate ran for almost "
    "four hours.",
    "The mayor said the library would also open later on weekdays from March, paid for from the reserve.",
]
LONG = PARAGRAPHS + [f"Paragraph {n} of the report goes on with what the committee heard from the staff and the "
                     f"readers who use the library every week." for n in range(4, 16)]


def _edits(lines: list[str], rule_id: str = "CAT061"):
    return [e for e in CLEANER.clean_text("\n".join(lines)).edits if e.rule == rule_id]


def test_a_prompt_after_a_short_question_goes_and_the_edit_names_the_rule_that_took_the_rest():
    [edit] = _edits(PARAGRAPHS + ["Have something to say? Leave a comment below."])
    assert edit.text == "Have something to say? Leave a comment below."
    assert edit.detail.startswith("after 'Have something to say?', the rest: ")
    assert BOOK.rule(edit.detail.rsplit(" ", 1)[1]) is not None  # the rule that takes the rest on its own
    # No rule knows the whole line: with the lead-in rule left out it stays.
    alone = Cleaner(BOOK.selected(ignore=["CAT061", "LRN", "RUN"]))
    assert "Have something to say? Leave a comment below." in alone.clean_text(
        "\n".join(PARAGRAPHS + ["Have something to say? Leave a comment below."])).text


@pytest.mark.parametrize("line", [
    "Why does it matter? The library is the only one in the valley that opens on Sundays.",
    "What did the residents who signed the petition want to say? Leave a comment below.",  # a lead of 11 words
    "Questions remain about the budget, the mayor said.",  # no lead at all
])
def test_article_sentences_after_a_question_stay(line):
    assert _edits(PARAGRAPHS[:2] + [line] + PARAGRAPHS[2:]) == []


@pytest.mark.parametrize("rest", ["Leave a comment below.", "Follow us on Instagram.", "Contact us."])
@pytest.mark.parametrize("where", ["head", "tail"])
def test_the_line_goes_where_its_rest_alone_would(rest, where):
    # The rule asks the others where the line stands: a rule for the end of the text does not judge it at the top.
    line = f"Want more? {rest}"
    doc = (lambda x: [x] + LONG) if where == "head" else (lambda x: LONG + [x])
    rest_goes = any(e.text == rest for e in CLEANER.clean_text("\n".join(doc(rest))).edits)
    line_goes = any(e.text == line for e in CLEANER.clean_text("\n".join(doc(line))).edits)
    assert line_goes == rest_goes


def test_cleaning_twice_changes_nothing():
    once = CLEANER.clean_text("\n".join(PARAGRAPHS + ["Questions? Contact us.", "Want more? Follow us on Instagram."]))
    assert "Questions?" not in once.text
    assert CLEANER.clean_text(once.text).text == once.text


def test_the_kind_is_registered_and_runs_with_the_line_rules():
    assert KINDS["lead-in"] is LeadIn and "lead-in" in KIND_ORDER
    rule = BOOK.rule("CAT061")
    assert isinstance(rule, LeadIn) and rule.reads_rules and not rule.needs_context
    assert rule.describe() == {"max_words": 25, "lead_max_words": 6}


def test_a_rule_for_the_end_of_the_text_does_not_judge_the_line_at_the_top():
    line = "Any thoughts on the vote? Leave a comment below."
    assert _edits([line] + LONG) == []
    assert [e.text for e in _edits(LONG + [line])] == [line]


@pytest.mark.parametrize("row", [
    "Share this article | Leave a comment below",
    "Join our WhatsApp channel | Follow us on Google News",
    "Download our app / Follow us on X",
    "Leave a comment - Share on Facebook",
])
def test_a_row_of_prompts_goes_and_the_edit_names_each_parts_rule(row):
    [edit] = _edits(PARAGRAPHS + [row], "CAT062")
    assert edit.text == row
    assert edit.detail.startswith("each part alone: ") and edit.detail.count(" | ") == 1
    # No rule knows the whole row.
    alone = Cleaner(BOOK.selected(ignore=["CAT062", "LRN", "RUN"]))
    assert row in alone.clean_text("\n".join(PARAGRAPHS + [row])).text


@pytest.mark.parametrize("line", [
    "Leave a comment – the mayor asked residents to write to the council before Friday.",
    "The mayor – follow us on Instagram for her replies – said the library would stay open.",
    "Politics / Libraries",  # parts no rule takes alone
])
def test_a_row_with_a_part_no_rule_takes_stays(line):
    assert _edits(PARAGRAPHS[:2] + [line] + PARAGRAPHS[2:], "CAT062") == []


def test_the_parts_are_judged_where_the_row_stands():
    row = "Leave a comment below | Share on Facebook"  # a comment prompt is taken at the end of a text only
    assert _edits([row] + LONG, "CAT062") == []
    assert [e.text for e in _edits(LONG + [row], "CAT062")] == [row]


def test_the_joined_parts_kind_is_registered():
    assert KINDS["joined-parts"] is JoinedParts and "joined-parts" in KIND_ORDER
    rule = BOOK.rule("CAT062")
    assert isinstance(rule, JoinedParts) and rule.reads_rules
    assert rule.describe() == {"max_words": 25, "max_parts": 6}
