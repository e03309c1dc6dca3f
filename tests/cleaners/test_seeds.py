"""The two seed texts the project started from, through the library API, against exact expected outputs.

fixtures/seeds/<name>.txt is the seed as scraped; fixtures/expected/seeds/<name>.txt is the exact clean text
(no final newline: it is compared with Article.text as it is); fixtures/expected/seeds/<name>.json holds the
harvested facts. The expected files live apart so that `presswash clean fixtures/seeds` cleans seeds only.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scraper import clean_text

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
SEEDS = FIXTURES / "seeds"
EXPECTED = FIXTURES / "expected" / "seeds"
NAMES = ["000_deef46564a097fc2", "004_efbc13fa41935e45"]


def read(name: str, suffix: str) -> str:
    return (SEEDS / f"{name}{suffix}").read_text(encoding="utf-8")


def expected(name: str, suffix: str) -> str:
    return (EXPECTED / f"{name}{suffix}").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def articles() -> dict:
    out = {}
    for name in NAMES:
        article = clean_text(read(name, ".txt"))
        assert article.ok, getattr(article, "error", None)
        out[name] = article
    return out


@pytest.mark.parametrize("name", NAMES)
def test_text_equals_the_expected_file(articles, name):
    assert articles[name].text == expected(name, ".txt")


@pytest.mark.parametrize("name", NAMES)
def test_facts_equal_the_expected_file(articles, name):
    a = articles[name]
    facts = {"title": a.title, "images": a.images, "attribution": a.attribution, "comment_count": a.comment_count}
    assert facts == json.loads(expected(name, ".json"))


@pytest.mark.parametrize("name", NAMES)
def test_no_whitespace_only_lines(articles, name):
    seed_lines = read(name, ".txt").splitlines()
    text = articles[name].text
    assert all(line.strip() and line == line.strip() for line in text.split("\n"))
    assert "\u00a0" not in text and "\n\n" not in text
    # Every non-blank seed line is accounted for: kept, or removed with an audit entry.
    kept = text.split("\n")
    removed = [r["text"] for r in articles[name].removed]
    for line in (ln.strip() for ln in seed_lines if ln.strip()):
        assert line in kept or line in removed or any(line.endswith(k) for k in kept), line


def test_seed_000_image_title_and_check_also_box(articles):
    a = articles["000_deef46564a097fc2"]
    assert a.title == "Iran, USA talk after 27 years"
    assert a.text.startswith("Bush regimes’ puppet Ryan Crocker")
    assert a.text.endswith("This is just the beginning of the process.”")
    assert a.images == ["151.jpg"]
    assert "151.jpg" not in a.text
    assert "Iran, USA talk after 27 years" not in a.text
    for clutter in ("Check Also", "Starmer", "exiled activists", "cosying up"):
        assert clutter not in a.text
    assert {r["rule"] for r in a.removed} == {"GEN001", "GEN002", "WPN001"}
    assert len(a.text.split("\n")) == 11
    assert a.flags == []


def test_seed_004_blogger_footer(articles):
    a = articles["004_efbc13fa41935e45"]
    assert a.text.startswith("The Iranian ambassador later said the two sides would meet again")
    assert a.text.endswith("organized by the United States and its Western allies.")
    assert a.attribution == "news.yahoo.com"
    assert a.comment_count == 0
    for clutter in ("Post a Comment", "0 comments", "Source :", "news.yahoo.com"):
        assert clutter not in a.text
    assert [(r["rule"], r["text"]) for r in a.removed] == [
        ("GEN010", "Source : news.yahoo.com"), ("BLG001", "0 comments:"), ("BLG002", "Post a Comment")]
    assert "blogger" in a.packs
    assert len(a.text.split("\n")) == 23
    assert a.flags == []


@pytest.mark.parametrize("name", NAMES)
def test_seed_fixtures_are_the_shared_seeds_unchanged(name):
    shared = SEEDS.parents[2] / "shared" / "seeds" / f"{name}.txt"  # ../shared/ from the project root
    if not shared.exists():
        pytest.skip("the shared seeds folder is not available here")
    assert (SEEDS / f"{name}.txt").read_bytes() == shared.read_bytes()
