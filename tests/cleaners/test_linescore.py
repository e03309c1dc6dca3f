"""The learned line scorer (cleaners/linescore.py, kind ``line-score``, rules LRN001 and LRN002 in
cleaners/packs/learned.toml): its weights load from the package with no network and score a known line; its
removals say why; it runs only where other rules removed something; the ``sentences`` setting scores the short
sentences the default never scores, and nothing else; and training on a small built set (benchmarks/train_scorer.py, with
scikit-learn) gives a scorer that separates that set."""

from __future__ import annotations

import importlib
import json
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from cleaners import Cleaner, RuleBook
from cleaners.engine import split_lines
from cleaners.linescore import (
    GRAM_PREFIX,
    SHAPE_FEATURES,
    DocumentView,
    LineScore,
    Scorer,
    builtin_scorer,
    letter_grams,
)
from cleaners.packs import parse_pack
from cleaners.rules import RuleError

ROOT = Path(__file__).resolve().parents[2]
BOOK = RuleBook.load()
CLEANER = Cleaner(BOOK)
RULE = BOOK.rule("LRN001")
ARTICLE = ("The council voted on Tuesday to keep the central library open on Sundays, reversing a plan that "
           "would have saved two million pounds a year. Residents had gathered more than eight thousand "
           "signatures against the closure, and the debate ran for almost four hours.")


def test_weights_load_versioned_small_and_described():
    path = ROOT / "cleaners" / "packs" / RULE.weights
    data = json.loads(path.read_text(encoding="utf-8"))
    assert path.stat().st_size < 64_000  # about a thousand n-gram weights beside the shape features
    assert data["version"] >= 1 and "tuning part" in data["description"]
    scorer = builtin_scorer(RULE.weights)
    assert scorer.version == data["version"]
    assert set(scorer.weights) == set(data["features"])
    assert set(SHAPE_FEATURES) <= set(scorer.weights)
    assert scorer.classes and all(c in BOOK.packs[[p.name for p in BOOK.packs].index("categories")].vocabulary
                                  for c in scorer.classes)


def test_letter_grams_reach_inflections_and_fold_digits():
    one, other = letter_grams(["kommentare"]), letter_grams(["kommentar"])
    assert GRAM_PREFIX + "<kom" in one and set(one) & set(other) and set(one) != set(other)
    assert set(letter_grams(["2021"])) == set(letter_grams(["1999"]))  # a number is its shape, not its value
    values = set(letter_grams(["share", "this"]).values())
    assert len(values) == 1 and abs(values.pop() ** 2 * len(letter_grams(["share", "this"])) - 1.0) < 1e-9
    assert letter_grams([]) == {}
    only = letter_grams(["share", "this"], frozenset({GRAM_PREFIX + "<sha", GRAM_PREFIX + "nope"}))
    assert only == {GRAM_PREFIX + "<sha": letter_grams(["share", "this"])[GRAM_PREFIX + "<sha"]}
    # the shipped weights read them: the featurizer computes them for a scored line
    assert RULE.scorer.grams and any(n.startswith(GRAM_PREFIX) for n in RULE.features(
        split_lines(f"{ARTICLE}\nShare this:")[1], DocumentView(split_lines(f"{ARTICLE}\nShare this:"))))


def test_a_known_line_scores_high_and_a_sentence_low():
    lines = split_lines(f"{ARTICLE}\nUpdated on March 3, 2021\nShare this:\nThe vote is set for Friday.")
    lines[2].removed_by = CLEANER.clean_text("Share this:").edits[0]
    view = DocumentView(lines)
    clutter = RULE.scorer.score(RULE.features(lines[1], view))
    assert clutter >= RULE.threshold
    assert RULE.candidate(lines[1], view)
    assert not RULE.candidate(lines[0], view)  # the article paragraph: too long to be scored
    # The sentence below the removed line stands where clutter does (the tail, under a removal), so its score is
    # not low by place alone: it is never scored, being a sentence, and its own words score under the label's.
    assert not RULE.candidate(lines[3], view)
    assert RULE.scorer.score(RULE.features(lines[3], view)) < clutter


def test_removal_carries_score_and_features():
    result = CLEANER.clean_text(f"{ARTICLE}\nPolitics · Libraries · Budget 2021\nShare this:")
    edits = [e for e in result.edits if e.rule == "LRN001"]
    assert [e.text for e in edits] == ["Politics · Libraries · Budget 2021"]
    # The line comes right below a paragraph, where the rule asks for its surer score.
    assert edits[0].detail.startswith("score ") and f"≥ {RULE.after_prose_threshold:g}" in edits[0].detail
    assert "+" in edits[0].detail  # the features that raised the score, with what each added


def test_right_below_a_paragraph_the_rule_asks_for_its_surer_score():
    # Where an article signs off ("Jane Roe, Berlin"), the line below its last paragraph, a score must reach
    # after_prose_threshold; elsewhere threshold is enough.
    rules = [BOOK.rule("GEN050"), replace(RULE, threshold=0.5, after_prose_threshold=0.9999)]
    below_paragraph = f"{ARTICLE}\nPolitics · Libraries · Budget 2021\nShare this:"
    assert "Politics · Libraries" in CLEANER.clean_text(below_paragraph, rules=rules).text
    below_a_label = f"{ARTICLE}\nFiled:\nPolitics · Libraries · Budget 2021\nShare this:"
    assert "Politics · Libraries" not in CLEANER.clean_text(below_a_label, rules=rules).text
    assert RULE.threshold < RULE.after_prose_threshold


def test_runs_only_where_other_rules_removed_something():
    result = CLEANER.clean_text(f"{ARTICLE}\nTell a friend about this story")
    assert not result.edits  # nothing removed: the context rules do not run
    result = CLEANER.clean_text(f"{ARTICLE}\nTell a friend about this story\nShare this:")
    assert [e.rule for e in result.edits if e.rule == "LRN001"] == ["LRN001"]
    # Next to removed clutter, an article's subheads, datelines and signatures stay.
    for line in ("What happens next", "Jane Roe, Berlin", "The budget"):
        text = f"{ARTICLE}\n{line}\n{ARTICLE}\nShare this:"
        assert CLEANER.clean_text(text).text == f"{ARTICLE}\n{line}\n{ARTICLE}", line


def test_sentences_setting_scores_short_sentences_only():
    sentences = BOOK.rule("LRN002")
    assert sentences.sentences and not RULE.sentences and sentences.weights != RULE.weights
    lines = split_lines("\n".join([ARTICLE, "Comments are moderated.", "Updated on March 3, 2021",
                                    "– „Ok.“", "Read more stories like this …", " ".join(["word"] * 21) + ".",
                                    "Is the library open?"]))
    view = DocumentView(lines)
    picked = [ln.text for ln in lines if sentences.candidate(ln, view)]
    # sentences (closing quotes of any language allowed) up to max_words words; not labels, cut excerpts or prose
    assert picked == ["Comments are moderated.", "– „Ok.“", "Is the library open?"]
    # the two rules' candidates never overlap: each line is scored by one of them at most
    assert not [ln.text for ln in lines if RULE.candidate(ln, view) and sentences.candidate(ln, view)]
    assert [ln.text for ln in lines if RULE.candidate(ln, view)] == ["Updated on March 3, 2021",
                                                                      "Read more stories like this …"]
    assert sentences.describe()["sentences"] is True and "prose_words" not in sentences.describe()
    assert "sentences" not in RULE.describe()
    # in the tail zone, only the last zone_lines kept lines
    tail = replace(sentences, zone="tail", zone_lines=2)
    assert [ln.text for ln in lines if tail.candidate(ln, view)] == ["Is the library open?"]


def test_sentence_rule_removes_with_its_score_and_runs_after_removals_only():
    line = "We welcome your feedback on this story."  # (a republication notice is CAT036's now)
    assert CLEANER.clean_text(f"{ARTICLE}\n{line}").text == f"{ARTICLE}\n{line}"  # nothing else removed
    result = CLEANER.clean_text(f"{ARTICLE}\n{line}\nShare this:")
    edits = [e for e in result.edits if e.rule == "LRN002"]
    assert [e.text for e in edits] == [line] and edits[0].detail.startswith("score ")
    assert CLEANER.clean_text(result.text).text == result.text
    # its zone is the tail: the same line above ten kept lines is not scored
    above = "\n".join([ARTICLE, line] + [f"{ARTICLE} ({n})" for n in range(10)] + ["Share this:"])
    assert line in CLEANER.clean_text(above).text


def test_cleaning_twice_changes_nothing():
    once = CLEANER.clean_text(f"{ARTICLE}\nTell a friend about this story\nShare this:\nJane Roe, Berlin")
    assert CLEANER.clean_text(once.text).text == once.text


def test_bad_parameters_are_load_errors():
    base = {"pack": {"name": "x", "prefix": "X"}}
    rule = {"id": "X001", "name": "n", "kind": "line-score", "why": "w", "remove": ["a"]}
    with pytest.raises(RuleError, match="threshold"):
        parse_pack({**base, "rule": [{**rule, "threshold": 1.5}]}, "x.toml")
    with pytest.raises(RuleError, match="weights"):
        parse_pack({**base, "rule": [{**rule, "weights": "../secret.json"}]}, "x.toml")
    with pytest.raises(RuleError, match="zone"):
        parse_pack({**base, "rule": [{**rule, "zone": "head"}]}, "x.toml")
    with pytest.raises(RuleError, match="after_prose_threshold"):
        parse_pack({**base, "rule": [{**rule, "after_prose_threshold": 1.0}]}, "x.toml")
    with pytest.raises(RuleError, match="sentences"):
        parse_pack({**base, "rule": [{**rule, "sentences": "yes"}]}, "x.toml")
    with pytest.raises(RuleError, match="features"):
        Scorer.from_json({"version": 1, "features": ["no-such-feature"], "weights": [1.0], "bias": 0}, "w.json")
    assert isinstance(RULE, LineScore)


def _trainer():
    """benchmarks/train_scorer.py, imported from its folder (benchmarks/ is not a package)."""
    folder = str(ROOT / "benchmarks")
    if folder not in sys.path:
        sys.path.append(folder)
    return importlib.import_module("train_scorer")


def test_training_on_a_tiny_built_set_separates_it():
    train = _trainer()
    rule, featurizer = train.stand_in()
    cleaner = Cleaner(train.rules_before())
    clutter = ["Tell a friend", "Posted in Politics", "Weekend reading", "Photos: Archive", "Comments (4)"]
    body = ["What happens next", "The budget", "A long campaign", "Opening hours", "Who pays"]  # subheads
    rows = []
    for i in range(12):
        line, sentence = clutter[i % 5], body[i % 5]
        text = f"{ARTICLE}\n{sentence}\n{ARTICLE}\n{line}\nShare this:"

        def label_of(t, line=line, sentence=sentence):
            return (1, "clutter", line) if t == line else (0, "body", sentence) if t == sentence else None

        rows += train.document_rows(cleaner, text, None, "en", set(), label_of, rule, featurizer, source="tiny")
    assert {r.label for r in rows} == {0, 1}
    model = train.fit(rows, train.feature_names(), c=10.0)
    scored = train.scores(model, rows)
    assert min(s for s, r in zip(scored, rows) if r.label) > max(s for s, r in zip(scored, rows) if not r.label)
