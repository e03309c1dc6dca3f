"""The fast pre-check for block rules: it must never miss a value that a rule's pattern matches."""

from __future__ import annotations

import re
import sys

from hypothesis import given, settings, strategies as st

from cleaners import RuleBook
from cleaners.literals import (
    any_match_check,
    branch_literal_runs,
    ignorecase_lower,
    required_literals,
    top_level_branches,
    trie_regex,
)
from cleaners.rules import DropBlock


def test_branches_are_split_at_the_top_level_only():
    assert top_level_branches(r"a|(b|c)|[|]|\|d") == ["a", "(b|c)", "[|]", r"\|d"]


def test_required_literals_survive_prefix_factoring():
    # The regex parser would factor "s" out of these; each branch keeps its own literal.
    assert required_literals("share|social|sharing") == ["share", "social", "sharing"]
    assert required_literals(r"(?:^|\s)cta(?:\s|$)|^toc$") == ["cta", "toc"]


def test_a_branch_without_a_literal_gives_up():
    assert required_literals(r"a|\w+") is None
    # ...and the check falls back to the plain union, which is still exact.
    check = any_match_check([r"a|\w+", "zz"])
    assert check.search("q") and not check.search("--")


def test_trie_regex_matches_exactly_the_words_anywhere():
    rx = trie_regex(["share", "sharing", "social", "sh-x"])
    assert rx.search("post-sharing-bar") and rx.search("xsocialx") and rx.search("sh-x")
    assert not rx.search("shar") and not rx.search("soci al")
    assert trie_regex([]) is None


FAST_RULES = [r for r in RuleBook.load().rules() if isinstance(r, DropBlock) and r.fast]
CLASS_CHECK = any_match_check([r.class_match for r in FAST_RULES if r.class_match])
ID_CHECK = any_match_check([r.id_match for r in FAST_RULES if r.id_match])

# Values built from pieces of real class names, so the rules do fire on a good share of them.
PIECES = ["share", "related", "post", "newsletter", "cta", "toc", "ad", "wrapper", "-", "_", " ", "box", "x",
          "author", "bio", "read", "time", "div-gpt-ad", "modal", "entry", "content"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=8).map("".join))
def test_the_pre_check_never_misses_a_rule_match(value):
    for rule in FAST_RULES:
        if rule.class_re is not None and rule.class_re.search(value):
            assert CLASS_CHECK.search(value), (rule.id, value)
        if rule.id_re is not None and rule.id_re.search(value):
            assert ID_CHECK.search(value), (rule.id, value)


def test_fast_rules_exist_and_compile():
    assert FAST_RULES and all(isinstance(r.class_re or r.id_re, re.Pattern) for r in FAST_RULES)


# --- line rules: the literals every match needs -------------------------------------------------------

from cleaners.literals import required_any  # noqa: E402
from cleaners.rules import VOCABULARY_MARK, LineRule, expand_vocabulary, pattern_literals  # noqa: E402


def test_required_any_looks_inside_groups_and_alternations():
    assert required_any(r"(share|tweet) (on|via) .+") == ("share", "tweet")
    assert required_any(r"(?:read more|also read)\s*[:»]?") == ("also read", "read more")
    assert required_any(r"(advertisement\s*){1,4}") == ("advertisement",)
    assert required_any(r"(?=.*newsletter).+") == ("newsletter",)  # a lookahead needs its text in the line


def test_required_any_gives_up_where_a_branch_or_a_repeat_may_hold_no_literal():
    assert required_any(r"share|\w+") is None
    assert required_any(r"(share)?\s*\d+") is None
    assert required_any(r"x") is None  # one character is too little to look for


def test_required_any_takes_a_lone_sign_when_nothing_longer_is_required():
    # One letter is in almost every line, a sign like © or @ in few: a pattern that needs one is skipped
    # on the lines without it.
    assert required_any(r"(?=[^@]*+@)\w+") == ("@",)
    assert required_any(r"(©|\(c\)|copyright)\s*\d{4}") == ("(c)", "copyright", "©")
    assert required_any(r"(©|x)\d") is None and required_any(r"\s\d+") is None


def test_a_vocabulary_class_read_once_gives_the_literals_of_the_whole_pattern():
    # pattern_literals reads each vocabulary group once a process and stands in for it, wherever the parser
    # would move it: unwrapped under a repeat, one branch of an alternation of classes, in a lookahead.
    vocabulary = {"share": ("share", "tweet this"), "follow": ("follow us", "join")}
    for written in (r"{{share}}\s+(?:on|via)\s+\w+", r"(?:{{share}}\s*)+", r"(?:{{share}}|{{follow}})!?",
                    r"(?=.*{{follow}}).+", r"(?!{{follow}})\w+ {{share}}", r"more (?:{{share}})?", r"{{share|follow}}"):
        pattern = expand_vocabulary(written, vocabulary, "test")
        assert pattern_literals(pattern) == required_any(pattern), written


def test_every_built_in_pattern_gives_the_same_literals_read_with_stand_ins():
    patterns = [r.pattern for r in RuleBook.load().rules() if isinstance(r, LineRule)]
    assert sum(VOCABULARY_MARK in p for p in patterns) > 50
    assert [pattern_literals(p) for p in patterns] == [required_any(p) for p in patterns]


LINE_RULES = [r for r in RuleBook.load().rules() if isinstance(r, LineRule) and r.literals is not None]


def test_every_line_of_a_remove_example_holds_a_required_literal():
    # The pre-check may skip a line only when the pattern cannot match it: every line the pattern matches
    # in the rules' own examples holds one of the literals.
    for rule in LINE_RULES:
        for example in rule.remove + rule.keep:
            for line in example.text.splitlines():
                if rule.regex.fullmatch(line.strip()):
                    assert rule.literals.search(line.strip().lower()), (rule.id, line)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(LINE_RULES), st.text(alphabet="shareTWEcomntpi :|0123456789ÄÖü", max_size=30))
def test_the_literal_check_never_rejects_a_line_the_pattern_matches(rule, line):
    if rule.regex.fullmatch(line):
        assert rule.literals.search(line.lower())


def test_branch_literal_runs_keep_every_plain_run_of_each_branch():
    assert branch_literal_runs(r"""content=["']blogger["']|\.blogspot\.com""") == [
        ["content=", "blogger"], [".blogspot.com"]]
    assert branch_literal_runs(r"a\d+|bb") is None  # the first branch has no run of two
    assert branch_literal_runs("(?x) word | other") is None  # verbose: a branch read alone would differ


def test_ignorecase_lower_holds_every_ascii_literal_a_case_insensitive_pattern_finds():
    # Every character that a case-insensitive pattern matches with a printable ASCII character becomes that
    # character (lower-cased): so a literal found by the regex is a substring of the folded text.
    everything = "".join(chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c < 0xE000)
    for code in range(0x20, 0x7F):
        char = chr(code)
        for found in re.findall(re.escape(char), everything, re.IGNORECASE):
            assert ignorecase_lower(found) == char.lower(), (char, found)
    assert ignorecase_lower("ſharedaddy on İnstagram") == "sharedaddy on instagram"
    assert ignorecase_lower("Plain", "plain") == "plain"


# --- the shared literal scan of the text line rules ----------------------------------------------------

from cleaners.literals import LiteralScan  # noqa: E402

SCAN = LiteralScan([(r, r.literal_words) for r in LINE_RULES])


def test_the_shared_scan_answers_as_each_rule_s_own_literal_check():
    lines = ["Share on Facebook", "0 Comments", "Read more »", "Lesen Sie auch:", "plain prose here", "",
             "Ä über Twitter teilen", "sharedaddy", "comment-ahoy"]
    lines += [line.strip().lower() for r in LINE_RULES for ex in r.remove + r.keep for line in ex.text.splitlines()]
    for text in lines:
        found = SCAN.holders(text)
        assert SCAN.holders(text) is found  # remembered
        for rule in LINE_RULES:
            assert (SCAN.bit(rule) in found) == bool(rule.literals.search(text)), (rule.id, text)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="shareTWEcomntpi :|0123456789ÄÖü", max_size=40))
def test_the_shared_scan_never_disagrees_with_a_rule_s_trie(text):
    text = text.lower()
    found = SCAN.holders(text)
    assert {SCAN.bit(r) for r in LINE_RULES if r.literals.search(text)} == set(found)


def test_the_shared_scan_covers_only_rules_with_literals():
    rule = LINE_RULES[0]
    scan = LiteralScan([(rule, ()), (LINE_RULES[1], LINE_RULES[1].literal_words)])
    assert scan.bit(rule) is None and scan.bit(LINE_RULES[1]) == 0
    assert LiteralScan([]).holders("anything") == frozenset()
