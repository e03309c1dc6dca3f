"""Every rule's own examples, run by the same checker that `presswash rules --check` and the loading of user
and mined packs use (cleaners/examples.py): each `remove` example makes the rule fire when it runs alone,
and only on text the example holds; each `keep` example does not. DOM rules' examples are HTML fragments
run in a page. Plus pack hygiene: ids, prefixes, names, rationales and examples are present and consistent."""

from __future__ import annotations

import re
import tomllib
from collections import defaultdict

import pytest

from cleaners import RuleBook, RuleError
from cleaners.examples import check_rules, run_example
from cleaners.packs import parse_pack, parse_pack_text
from cleaners.rules import DropBlock, DropLine, Example, StripPrefix

BOOK = RuleBook.load()
TEXT_RULES = [r for r in BOOK.rules() if r.stage == "text"]
ID_FORMAT = re.compile(r"(?P<prefix>[A-Z]{2,4})(?P<number>\d{3})")


def _examples(kind: str):
    for rule in BOOK.rules():
        for number in range(1, len(getattr(rule, kind)) + 1):
            yield pytest.param(rule, number, id=f"{rule.id}-{kind}{number - 1}")


@pytest.mark.parametrize(("rule", "number"), list(_examples("remove")))
def test_remove_example_fires(rule, number):
    run = run_example(rule, "remove", number)
    assert run.failure is None, str(run.failure)
    if isinstance(rule, DropBlock):
        assert run.blocks and all(e.rule == rule.id for e in run.blocks)
    else:
        assert [e for e in run.cleaned.edits if e.rule == rule.id]


@pytest.mark.parametrize(("rule", "number"), list(_examples("keep")))
def test_keep_example_is_kept(rule, number):
    run = run_example(rule, "keep", number)
    assert run.failure is None, str(run.failure)
    # (a clutter run's examples run with the built-in rules around it, which remove the clutter around the line)
    assert (run.blocks if isinstance(rule, DropBlock) else [e for e in run.cleaned.edits if e.rule == rule.id]) == []


# --- the checker catches what it should ----------------------------------------------------------------

def _line_rule(**changes) -> DropLine:
    fields = {"id": "TST001", "name": "promo", "why": "a rule made up for a test", "pack": "test",
              "pattern": "read our newsletter", "remove": (Example("Read our newsletter"),),
              "keep": (Example("We read our newsletter every day, the mayor said."),)}
    return DropLine(**{**fields, **changes})


def test_the_checker_passes_a_good_rule():
    assert check_rules([_line_rule()]) == []


def test_the_checker_reports_a_remove_example_that_does_not_fire():
    rule = _line_rule(remove=(Example("Read our newsletter"), Example("Subscribe to our newsletter")))
    [failure] = check_rules([rule])
    assert (failure.rule, failure.kind, failure.number) == ("TST001", "remove", 2)
    assert "removed nothing" in failure.problem
    assert str(failure).startswith("TST001: remove example 2 ('Subscribe to our newsletter'): ")


def test_the_checker_reports_a_keep_example_that_fires():
    [failure] = check_rules([_line_rule(keep=(Example("Read our NEWSLETTER"),))])
    assert (failure.kind, failure.number) == ("keep", 1) and "removed ['Read our NEWSLETTER']" in failure.problem


def test_the_checker_runs_a_rule_under_its_zone_and_word_cap():
    # The engine's guards apply: a tail-zone rule does not fire at the head of a long example.
    text = "Read our newsletter\n" + "\n".join(f"Paragraph {i} of the article." for i in range(8))
    [failure] = check_rules([_line_rule(zone="tail", zone_lines=2, remove=(Example(text),), keep=())])
    assert failure.kind == "remove" and "removed nothing" in failure.problem


def test_a_strip_prefix_example_is_checked_on_what_it_strips():
    rule = StripPrefix(id="TST002", name="image-name", why="a rule made up for a test", pack="test",
                       pattern=r"(?P<value>\w+\.jpg)", remove=(Example("151.jpgBush visits the harbour"),))
    run = run_example(rule, "remove", 1)
    assert run.failure is None and [e.text for e in run.cleaned.edits] == ["151.jpg"]


def _block_rule(**changes) -> DropBlock:
    fields = {"id": "TST003", "name": "share-bar", "why": "a rule made up for a test", "pack": "test",
              "tags": ["div"], "class_match": "share", "remove": (Example('<div class="share">Share this</div>'),),
              "keep": (Example('<div class="story">Share prices rose.</div>'),)}
    return DropBlock(**{**fields, **changes})


def test_the_checker_runs_dom_examples_in_a_page():
    assert check_rules([_block_rule()]) == []
    [failure] = check_rules([_block_rule(keep=(Example('<div class="share-box">Share prices rose.</div>'),))])
    assert (failure.rule, failure.kind) == ("TST003", "keep") and "dropped ['Share prices rose.']" in failure.problem
    [failure] = check_rules([_block_rule(remove=(Example('<div class="story">Share this</div>'),))])
    assert failure.kind == "remove" and "dropped nothing" in failure.problem
    [failure] = check_rules([_block_rule(remove=(Example("Share this"),))])
    assert "HTML fragment" in failure.problem


def test_a_dom_rule_that_takes_the_article_fails_its_example():
    # Without the guards the rule drops the <article> and the paragraph the example is placed after.
    rule = DropBlock(id="TST004", name="whole-page", why="a rule made up for a test", pack="test",
                     selector="article", max_words=10_000, max_share=1.0,
                     remove=(Example('<div class="share">Share this</div>'),))
    [failure] = check_rules([rule])
    assert "cut into the article" in failure.problem


# --- examples at load ----------------------------------------------------------------------------------

BAD_PACK = """
[pack]
name = "user"
prefix = "USR"

[[rule]]
id = "USR001"
name = "promo"
kind = "drop-line"
pattern = 'read our newsletter'
why = "A promo line made up for this test."
remove = ["Read our newsletter", "Subscribe now"]
keep = ["Read our newsletter"]
"""


def test_a_user_pack_with_a_failing_example_does_not_load(tmp_path):
    (tmp_path / "user.toml").write_text(BAD_PACK, encoding="utf-8")
    with pytest.raises(RuleError) as info:
        RuleBook.load([tmp_path])
    lines = str(info.value).splitlines()
    assert lines == [f"{tmp_path / 'user.toml'}: rule USR001: remove example 2 ('Subscribe now'): the rule "
                     "removed nothing from a remove example",
                     f"{tmp_path / 'user.toml'}: rule USR001: keep example 1 ('Read our newsletter'): the rule "
                     "removed ['Read our newsletter'] from a keep example"]
    assert RuleBook.load([tmp_path], check=False).rule("USR001") is not None


def test_a_stored_mined_pack_with_a_failing_example_does_not_load():
    text = BAD_PACK.replace('keep = ["Read our newsletter"]', "")
    with pytest.raises(RuleError, match=r"^store:site_packs/news\.example: rule USR001: remove example 2"):
        parse_pack_text(text, "store:site_packs/news.example")


# --- prefixes -------------------------------------------------------------------------------------------

def _pack(head: str, rule_id: str = "USR001") -> dict:
    return {"pack": {"name": "user", **tomllib.loads(head)},
            "rule": [{"id": rule_id, "name": "promo", "kind": "drop-line", "pattern": "read our newsletter",
                      "why": "A promo line made up for this test.", "remove": ["Read our newsletter"]}]}


def test_a_pack_with_rules_must_declare_its_prefix():
    with pytest.raises(RuleError, match=r"^user\.toml: the \[pack\] table needs a 'prefix' that every rule id "
                                        r"starts with, like prefix = \"ABC\" for rule promo_1$"):
        parse_pack(_pack("", "promo_1"), "user.toml")
    assert parse_pack({"pack": {"name": "no-rules", "domains": ["a.example"]}}, "x.toml").prefix == ""


def test_a_pack_from_before_prefixes_takes_the_stem_its_ids_share():
    assert parse_pack(_pack(""), "user.toml").prefix == "USR"


def test_every_rule_id_starts_with_the_prefix():
    assert parse_pack(_pack('prefix = "USR"'), "user.toml").prefix == "USR"
    with pytest.raises(RuleError, match=r"^user\.toml: rule XYZ001: the id does not start with the pack's "
                                        r"prefix 'USR'$"):
        parse_pack(_pack('prefix = "USR"', "XYZ001"), "user.toml")


@pytest.mark.parametrize("bad", ['"usr"', '"1AB"', '""', "3", '["USR"]', '"US-R"'])
def test_a_bad_prefix_is_refused(bad):
    with pytest.raises(RuleError, match="'prefix' must be capital letters and digits"):
        parse_pack(_pack(f"prefix = {bad}"), "user.toml")


def test_two_packs_may_not_declare_one_prefix(tmp_path):
    (tmp_path / "mine.toml").write_text(BAD_PACK.replace('"user"', '"mine"').replace('"USR"', '"GEN"')
                                        .replace("USR001", "GEN901"), encoding="utf-8")
    with pytest.raises(RuleError, match=r"id prefix GEN is declared twice: by builtin:generic\.toml and .*mine\.toml"):
        RuleBook.load([tmp_path], check=False)


def test_the_builtin_packs_are_loaded():
    names = {p.name for p in BOOK.packs}
    assert {"generic", "wordpress", "jetpack", "blogger", "dom-generic", "phrases-de"} <= names
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
    for pack in BOOK.packs:
        assert ID_FORMAT.fullmatch(pack.prefix + "001"), f"{pack.name}: prefixes are 2-4 capitals, e.g. GEN"
        for rule in pack.rules:
            m = ID_FORMAT.fullmatch(rule.id)
            assert m, f"{rule.id} in {pack.name}: ids are 2-4 capitals and 3 digits, e.g. GEN001"
            assert m["prefix"] == pack.prefix, f"{rule.id} in {pack.name}: the pack's prefix is {pack.prefix}"
    by_prefix = defaultdict(list)
    for pack in BOOK.packs:
        by_prefix[pack.prefix].append(pack.name)
    assert {p: n for p, n in by_prefix.items() if len(n) > 1} == {}, "two packs share an id prefix"


def test_text_rules_have_keep_examples_unless_exempt():
    # A keep example is how a rule shows it leaves a sentence with the trigger word alone.
    missing = [r.id for r in TEXT_RULES if not r.keep]
    assert missing == []
