"""Patterns that can backtrack catastrophically are refused when a pack loads, with the file, the rule and the
reason; the built-in packs' patterns all pass, and so do common safe shapes of nested repeats."""

from __future__ import annotations

import re

import pytest

from cleaners import RuleBook, RuleError
from cleaners.backtracking import backtracking_risk

EVIL = [
    r"(a+)+",
    r"(a|a)*",
    r"(\w+\s?)*$",
    r"(.*a){20}",
    r"(a|aa)*b",
    r"(.|\s)*x",
    r"((a+)b?)+",
    r"(x+x+)+y",
    r"(\d+|\d+,)*$",
    r"^(\s*\w+)*:$",
    r"(?:[a-z]+\.?)*@",
    r"(?:share|share)+ this",
    r"(?x) ( \w+ \s? ) * $",
    r"(a+){2}",
]

SAFE = [
    r"(a+b)*",
    r"(ab|ac)*",
    r"(ab|a)*c",
    r"(advertisement\s*){1,4}",
    r"( [A-Z][\w.'’-]*){0,3}",
    r"(a+b+)*",
    r"\d+(,\d{3})*",
    r"[\w.-]+@[\w-]+(\.[\w-]+)+",
    r"(\s*[,;|/•·]\s*[^\s,;|/•·]+([ \t]+[^\s,;|/•·]+){0,4}){0,40}",
    r"(?P<n>no|\d[\d,]*) comments?\s*:",
    r"(newer posts?\s*)?(older posts?\s*)?home",
    r"\w+(?:\s+\w+){0,5}",
    r"(comments?\s*){2,}",
]


@pytest.mark.parametrize("pattern", EVIL)
def test_catastrophic_patterns_are_flagged(pattern):
    assert backtracking_risk(pattern)


@pytest.mark.parametrize("pattern", SAFE)
def test_safe_nested_repeats_pass(pattern):
    assert backtracking_risk(pattern) is None


def test_a_flagged_pattern_has_a_safe_twin_that_matches_the_same():
    # The checker's advice: the nested repeat "(\w+\s?)*" is flagged, its rewrite "\w+(\s\w+)*\s?" is not, and
    # the two accept the same texts. (How slow the flagged one gets is a matter for a benchmark, not a test.)
    evil, twin = r"(\w+\s?)*$", r"\w+(\s\w+)*\s?$"
    assert backtracking_risk(evil) and backtracking_risk(twin) is None
    for text in ["a", "ab cd", "ab cd ", "ab  cd", "a" * 12 + "!", "x y z"]:
        assert (re.fullmatch(evil, text) is None) == (re.fullmatch(twin, text) is None), text


def test_every_builtin_pattern_passes():
    book = RuleBook.load()
    patterns = [p.pattern for pack in book.packs for p in pack.detect_html + pack.detect_lines]
    patterns += [getattr(r, a) for r in book.rules() for a in ("pattern", "class_match", "id_match")
                 if getattr(r, a, "")]
    assert len(patterns) > 100
    assert [p for p in patterns if backtracking_risk(p)] == []


def _pack(folder, body: str):
    (folder / "mine.toml").write_text('[pack]\nname = "mine"\nprefix = "MY"\n' + body, encoding="utf-8")


def _rule(folder, rule_id: str, kind: str, key: str, pattern: str):
    _pack(folder, f"[[rule]]\nid = '{rule_id}'\nname = 'evil'\nkind = '{kind}'\n{key} = '{pattern}'\n"
                  "why = 'a test'\nremove = ['subscribe']\n")


def test_a_rule_pattern_is_refused_at_load_with_file_rule_and_reason(tmp_path):
    _rule(tmp_path, "MY001", "drop-line", "pattern", r"(\w+\s?)*subscribe")
    with pytest.raises(RuleError) as err:
        RuleBook.load([tmp_path])
    message = str(err.value)
    assert "mine.toml" in message and "MY001" in message
    assert repr(r"(\w+\s?)*subscribe") in message
    assert "exponential time" in message and "nested quantifiers" in message


def test_a_block_rule_class_pattern_is_refused(tmp_path):
    _rule(tmp_path, "MY002", "drop-block", "class_match", "(share|share)+-box")
    with pytest.raises(RuleError, match=r"mine\.toml: rule MY002: pattern .*overlapping alternatives"):
        RuleBook.load([tmp_path])


def test_a_detect_pattern_is_refused(tmp_path):
    _pack(tmp_path, "detect.lines = ['(a+)+ comments']\n")
    with pytest.raises(RuleError, match=r"mine\.toml: detect pattern: pattern '\(a\+\)\+ comments'"):
        RuleBook.load([tmp_path])
