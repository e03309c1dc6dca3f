"""The pairwise scorer of near-duplicate and story links (scraper/evaluation/stories.py), on records built by hand.

The labelled pages: story A is a wire text a1 with two copies (a2, a3) and an own write-up (aw); story B (the same
topic as A, another story) is b1 with one copy b2; c is alone. Expected pairs: near-duplicates a1-a2, a1-a3,
a2-a3, b1-b2 (4); stories those plus a1-aw, a2-aw, a3-aw (7).
"""

from __future__ import annotations

import pytest

from scraper.evaluation.stories import (
    NEAR_DUPLICATE,
    STORY,
    Close,
    Expected,
    Link,
    Overlap,
    closest_pairs,
    has_story_fields,
    linked_pairs,
    overlap_by_kind,
    pages_by,
    score_stories,
)

EXPECTED = {
    "a1": Expected("a1", "A", "storm"), "a2": Expected("a1", "A", "storm"), "a3": Expected("a1", "A", "storm"),
    "aw": Expected("aw", "A", "storm"),
    "b1": Expected("b1", "B", "storm"), "b2": Expected("b1", "B", "storm"),
    "c": Expected("c", "C", "culture"),
}


def record(page: str, duplicate_of: str | None = None, story: str | None = None) -> dict:
    """A record whose id is ``id-<page>``; ``duplicate_of`` and ``story`` name pages too."""
    return {"id": f"id-{page}", "url": f"https://site.example/{page}", "error": None,
            "duplicate_of": duplicate_of and f"id-{duplicate_of}", "story": f"id-{story or page}"}


def perfect() -> dict[str, dict]:
    return {"a1": record("a1", story="a1"), "a2": record("a2", "a1", "a1"), "a3": record("a3", "a1", "a1"),
            "aw": record("aw", story="a1"), "b1": record("b1"), "b2": record("b2", "b1", "b1"), "c": record("c")}


def test_perfect_records_score_one():
    scores = score_stories(perfect(), EXPECTED)
    assert (scores.near_duplicates.precision, scores.near_duplicates.recall, scores.near_duplicates.f1) == (1, 1, 1)
    assert (scores.near_duplicates.predicted, scores.near_duplicates.true, scores.near_duplicates.matched) == (4, 4, 4)
    assert (scores.stories.predicted, scores.stories.true, scores.stories.matched) == (7, 7, 7)
    assert scores.stories.f1 == 1
    assert scores.false_links == scores.missed == scores.overlinked == scores.unmatched == []


def test_one_missed_copy():
    records = perfect()
    records["a3"] = record("a3", story="a1")  # in the story, but not known as a copy of a1
    scores = score_stories(records, EXPECTED)
    nd = scores.near_duplicates
    assert (nd.predicted, nd.true, nd.matched) == (2, 4, 2)
    assert nd.precision == 1 and nd.recall == 0.5 and nd.f1 == pytest.approx(2 / 3)
    assert scores.stories.f1 == 1
    assert [(m.a, m.b, m.how) for m in scores.missed] == [("a1", "a3", NEAR_DUPLICATE), ("a2", "a3", NEAR_DUPLICATE)]
    assert scores.false_links == []


def test_one_false_link_across_stories():
    records = perfect()
    records["b2"] = record("b2", "a1", "a1")  # the other storm taken for a copy of a1
    scores = score_stories(records, EXPECTED)
    nd, st = scores.near_duplicates, scores.stories
    assert (nd.predicted, nd.true, nd.matched) == (6, 4, 3)
    assert nd.precision == 0.5 and nd.recall == 0.75 and nd.f1 == pytest.approx(0.6)
    assert (st.predicted, st.true, st.matched) == (10, 7, 6)
    assert st.precision == pytest.approx(0.6) and st.recall == pytest.approx(6 / 7)
    assert [(f.a, f.b, f.how) for f in scores.false_links] == [
        ("a1", "b2", NEAR_DUPLICATE), ("a2", "b2", NEAR_DUPLICATE), ("a3", "b2", NEAR_DUPLICATE), ("aw", "b2", STORY)]
    assert {f.note for f in scores.false_links} == {"same topic, another story"}
    assert scores.false_links[0].where_b == "https://site.example/b2"
    assert [(m.a, m.b, m.how) for m in scores.missed] == [("b1", "b2", NEAR_DUPLICATE), ("b1", "b2", STORY)]


def test_a_write_up_taken_for_a_copy_is_overlinked_not_false():
    records = perfect()
    records["aw"] = record("aw", "a1", "a1")
    scores = score_stories(records, EXPECTED)
    assert scores.false_links == []
    assert [(o.a, o.b) for o in scores.overlinked] == [("a1", "aw"), ("a2", "aw"), ("a3", "aw")]
    assert scores.near_duplicates.precision == pytest.approx(4 / 7) and scores.near_duplicates.recall == 1
    assert scores.stories.f1 == 1


def test_singletons():
    alone = {page: {"id": f"id-{page}", "duplicate_of": None, "story": None} for page in EXPECTED}
    scores = score_stories(alone, EXPECTED)
    assert scores.near_duplicates.predicted == 0 and scores.near_duplicates.precision == 1
    assert scores.near_duplicates.recall == 0 and scores.near_duplicates.f1 == 0
    assert scores.stories.recall == 0 and scores.false_links == []
    # Pages that are all alone, and records that say so: nothing to find, nothing wrong.
    only = {"x": Expected("x", "X"), "y": Expected("y", "Y")}
    scores = score_stories({"x": alone["a1"], "y": alone["b1"]}, only)
    assert scores.near_duplicates.f1 == scores.stories.f1 == 1


def test_a_page_without_a_record_is_alone_and_listed():
    records = perfect()
    del records["a3"]
    scores = score_stories(records, EXPECTED)
    assert scores.unmatched == ["a3"]
    assert (scores.near_duplicates.matched, scores.near_duplicates.true) == (2, 4)


def test_story_fields_are_told_missing():
    assert not has_story_fields([{"id": "1", "text": "x"}])
    assert not has_story_fields([])
    assert has_story_fields([{"id": "1", "duplicate_of": None, "story": "1"}, {"id": "2", "error": "no text"}])


def test_linked_pairs_of_a_dev_set():
    records = [{"id": "p", "url": "https://one.example/p", "duplicate_of": None, "story": "p"},
               {"id": "q", "url": "https://two.example/q", "duplicate_of": "p", "story": "p"},
               {"id": "r", "source": "r.html", "duplicate_of": None, "story": "p"},
               {"id": "s", "duplicate_of": None, "story": None},
               {"id": "t", "error": "no text", "duplicate_of": None, "story": None}]
    assert linked_pairs(records) == [Link("p", "q", NEAR_DUPLICATE, "https://one.example/p", "https://two.example/q"),
                                     Link("p", "r", STORY, "https://one.example/p", "r.html"),
                                     Link("q", "r", STORY, "https://two.example/q", "r.html")]
    assert linked_pairs(records[3:]) == []


def test_pages_by_refuses_two_records_for_one_page():
    records = [{"id": "1", "source": "a.html"}, {"id": "2", "source": "b.html"}, {"id": "3", "source": "x"}]
    keyed = pages_by(records, lambda r: {"a.html": "A", "b.html": "B"}.get(r["source"]))
    assert list(keyed) == ["A", "B"]
    with pytest.raises(ValueError, match="two records for the page A"):
        pages_by(records, lambda r: "A")


def test_shingle_overlap_by_kind_of_pair():
    wire = "one two three four five six seven eight nine ten"
    texts = {"a1": wire, "a2": wire.replace("ten", "eleven"),  # 5 of 6 shingles shared, 5 of 7 in all
             "aw": "other words then one two three four five", "b1": "nothing alike here at all today"}
    records = {page: {"id": page, "text": text} for page, text in texts.items()}
    kinds = {o.kind: o for o in overlap_by_kind(records, EXPECTED)}
    assert kinds["copies"] == Overlap("copies", 1, (5 / 7, 5 / 7), (5 / 6, 5 / 6))
    assert kinds["same story"].pairs == 2 and kinds["same story"].containment == (1 / 4, 1 / 4)
    assert kinds["same topic"] == Overlap("same topic", 3, (0.0, 0.0), (0.0, 0.0))
    assert "unrelated" not in kinds  # c has no record


def test_closest_pairs_of_a_dev_set():
    records = [{"id": "p", "text": "a b c d e f g h"}, {"id": "q", "text": "x a b c d e f y"},
               {"id": "r", "text": "nothing in common with the others at all"}, {"id": "s", "error": "no text"}]
    assert closest_pairs(records, top=5) == [Close("p", "q", 2 / 6, 2 / 4, 2)]  # r shares nothing: not compared
