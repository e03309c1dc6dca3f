"""Every rule's own examples: each `remove` example makes the rule fire when it runs alone, each `keep`
example does not. Plus pack hygiene: ids, names, rationales and examples are present and consistent."""

from __future__ import annotations

import re
from collections import defaultdict

import pytest

from cleaners import Cleaner, RuleBook

BOOK = RuleBook.load()
CLEANER = Cleaner(BOOK)
TEXT_RULES = [r for r in BOOK.rules() if r.stage == "text"]

# The built-in packs and the id prefix each one uses; a new pack brings a prefix of its own.
KNOWN_PREFIXES = {"generic": "GEN", "wordpress": "WPN", "jetpack": "JPK", "blogger": "BLG",
                  "phrases-de": "GDE", "phrases-fr": "GFR", "phrases-es": "GES"}
ID_FORMAT = re.compile(r"(?P<prefix>[A-Z]{2,4})(?P<number>\d{3})")


def _examples(kind: str):
    for rule in TEXT_RULES:
        for i, example in enumerate(getattr(rule, kind)):
            yield pytest.param(rule, example, id=f"{rule.id}-{kind}{i}")


def _fired(rule, example) -> list:
    result = CLEANER.clean_text(example.text, title=example.title, rules=[rule])
    return [e for e in result.edits if e.rule == rule.id]


@pytest.mark.parametrize(("rule", "example"), list(_examples("remove")))
def test_remove_example_fires(rule, example):
    edits = _fired(rule, example)
    assert edits, f"{rule.id} ({rule.name}) did not fire on its remove example {example.text!r}"
    # What the rule removed came from the example, and the clean text lost exactly that much.
    for e in edits:
        assert e.text and e.text in example.text
    after = CLEANER.clean_text(example.text, title=example.title, rules=[rule]).text
    assert _chars(after) == _chars(example.text) - sum(_chars(e.text) for e in edits)


def _chars(text: str) -> int:
    return len("".join(text.split()))


@pytest.mark.parametrize(("rule", "example"), list(_examples("keep")))
def test_keep_example_is_kept(rule, example):
    edits = _fired(rule, example)
    assert not edits, f"{rule.id} ({rule.name}) removed {[e.text for e in edits]!r} from its keep example"


def test_the_builtin_packs_are_loaded():
    names = {p.name for p in BOOK.packs}
    assert set(KNOWN_PREFIXES) <= names
    assert len(TEXT_RULES) >= 25


def test_rule_ids_are_unique():
    seen = defaultdict(list)
    for rule in BOOK.rules():
        seen[rule.id.upper()].append(rule.pack)
    assert {rid: packs for rid, packs in seen.items() if len(packs) > 1} == {}


def test_rule_names_are_unique_within_a_pack():
    for pack in BOOK.packs:
        names = [r.name for r in pack.rules]
        assert len(names) == len(set(names)), f"pack {pack.name} repeats a rule name"


@pytest.mark.parametrize("rule", BOOK.rules(), ids=lambda r: r.id)
def test_rule_is_documented(rule):
    assert rule.name.strip() and re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule.name), rule.name
    assert len(rule.why.split()) >= 5, f"{rule.id}: 'why' should say why in a sentence"
    assert rule.remove, f"{rule.id} has no remove example"
    assert all(e.text.strip() for e in rule.remove + rule.keep)
    assert rule.pack


def test_ids_follow_the_pack_prefix_convention():
    prefix_of_pack = {}
    for pack in BOOK.packs:
        prefixes = set()
        for rule in pack.rules:
            m = ID_FORMAT.fullmatch(rule.id)
            assert m, f"{rule.id} in {pack.name}: ids are 2-4 capitals and 3 digits, e.g. GEN001"
            prefixes.add(m["prefix"])
        if not prefixes:
            continue
        assert len(prefixes) == 1, f"pack {pack.name} mixes id prefixes {sorted(prefixes)}"
        prefix_of_pack[pack.name] = prefixes.pop()
    for name, prefix in KNOWN_PREFIXES.items():
        assert prefix_of_pack.get(name) == prefix
    by_prefix = defaultdict(list)
    for name, prefix in prefix_of_pack.items():
        by_prefix[prefix].append(name)
    assert {p: n for p, n in by_prefix.items() if len(n) > 1} == {}, "two packs share an id prefix"


def test_text_rules_have_keep_examples_unless_exempt():
    # A keep example is how a rule shows it leaves a sentence with the trigger word alone.
    missing = [r.id for r in TEXT_RULES if not r.keep]
    assert missing == []
