"""`presswash mine` on the chronicle fixture site, whose 24 pages share known clutter the built-in packs
leave in: a promo line, a newsroom footer line and a tip-line box. Mining must find exactly those, and
`presswash clean --rules` with the mined pack must remove them and nothing else."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from cleaners.packs import parse_pack
from cleaners.rules import DropBlock, DropLine
from scraper.store import Store
from tests.conftest import ROOT, call_main

CHRONICLE = ROOT / "fixtures" / "sites" / "chronicle"
HOST = "chronicle.example"
PROMO = "Chronicle Plus members read ad-free — join today."
FOOTER = "The Riverside Chronicle has served the valley since 1921."
TIPLINE = ("Got a story for us?", "Text the newsdesk on 0555 0100 or email tips@chronicle.example.")
CLUTTER = (PROMO, FOOTER) + TIPLINE
ARTICLES = sorted((CHRONICLE / "2026").rglob("*.html"))


def mine(*args) -> tuple:
    run = call_main("mine", *args)
    return run.code, run.stdout, run.stderr


def load(path: Path):
    return parse_pack(tomllib.loads(path.read_text(encoding="utf-8")), str(path))


def test_mine_finds_exactly_the_sites_clutter(tmp_path):
    out = tmp_path / "mined"
    code, stdout, stderr = mine(CHRONICLE, "-o", out)
    assert code == 0, stderr
    assert [p.name for p in out.iterdir()] == [f"{HOST}.toml"]
    pack = load(out / f"{HOST}.toml")
    assert pack.domains == (HOST,) and len(pack.rules) == 3
    lines = {r.remove[0].text: r for r in pack.rules if isinstance(r, DropLine)}
    assert set(lines) == {PROMO, FOOTER}
    block = next(r for r in pack.rules if isinstance(r, DropBlock))
    assert block.tags == ["div"] and block.class_re.search("rc-tipline")
    for rule in pack.rules:
        assert f"on 24 of 24 pages of {HOST}" in rule.why
    # the summary table: host, pages, rules, the top candidates with their counts
    assert stdout.splitlines()[1].split()[:3] == [HOST, "24", "3"]
    assert "24× [div.rc-tipline] Got a story for us?" in stdout and f"24× {PROMO}" in stdout
    assert "24 pages, 1 hosts, 1 candidate packs" in stderr
    # robots.txt and sitemap.xml are skipped, whether as pages without a host or without an article (the
    # cleaners may leave no text of robots.txt's three short lines)
    skipped = re.search(r"pages skipped: (.*)$", stderr, re.M)
    assert skipped and sum(int(n) for n in re.findall(r"(\d+) without", skipped.group(1))) == 2


def test_clean_with_the_mined_pack_removes_the_clutter_and_keeps_the_articles(tmp_path):
    out = tmp_path / "mined"
    assert mine(CHRONICLE, "-o", out)[0] == 0
    ids = {r.id for r in load(out / f"{HOST}.toml").rules}
    before = call_main("clean", *ARTICLES).records
    after = call_main("clean", "--rules", out, *ARTICLES).records
    assert len(after) == len(ARTICLES) == 24
    for old, new in zip(before, after):
        assert all(c in old["text"] for c in CLUTTER)  # the built-in packs leave the clutter in
        assert not any(c in new["text"] for c in CLUTTER)
        assert new["text"].splitlines() == [ln for ln in old["text"].splitlines() if ln not in CLUTTER]
        assert new["word_count"] > 80
        assert {e["rule"] for e in new["removed"]} >= ids


def test_too_few_pages_writes_no_pack(tmp_path):
    code, stdout, stderr = mine(CHRONICLE, "-o", tmp_path / "mined", "--min-pages", "25")
    assert code == 0
    assert "skipped: 24 pages, fewer than 25" in stdout
    assert not (tmp_path / "mined").exists() and "0 candidate packs" in stderr


def test_mine_a_crawl_store(tmp_path):
    store = tmp_path / "news.db"
    with Store(store) as db:
        for record in call_main("clean", *ARTICLES).records:
            db.save_article(record, fetched_url=record["url"])
    code, _, stderr = mine("--store", store, "-o", tmp_path / "mined", "--min-share", "0.9")
    assert code == 0, stderr
    pack = load(tmp_path / "mined" / f"{HOST}.toml")
    # the store keeps clean texts, not pages: the tip-line box comes out as its two lines
    assert sorted(r.remove[0].text for r in pack.rules) == sorted(CLUTTER)
    assert all(isinstance(r, DropLine) for r in pack.rules)


@pytest.mark.parametrize("args, message", [
    ([], "one or the other"),
    ([CHRONICLE, "--store", "x.db"], "one or the other"),
    (["--store", "nowhere.db"], "no store at nowhere.db"),
    ([CHRONICLE, "--stored"], "--stored needs --store"),
    ([CHRONICLE, "--min-share", "1.5"], "--min-share"),
])
def test_usage_errors(args, message, tmp_path):
    code, _, stderr = mine(*args, "-o", tmp_path / "mined")
    assert code == 2 and message in stderr
    assert not (tmp_path / "mined").exists()
