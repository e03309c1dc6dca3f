"""Site packs mined during crawls: a host's first PRESSWASH_MINE_AFTER article pages are kept as samples in
the store (across runs), the pack is mined when there are enough, stored, and used for the host's later
pages, in this run and the next ones. Real crawls of the chronicle fixture site on loopback."""

from __future__ import annotations

import tomllib

import pytest

from cleaners import RuleBook
from cleaners.mining import PageSample, Thresholds, rule_prefix
from cleaners.packs import parse_pack
from scraper.crawl.config import ConfigError, load_config
from scraper.crawl.mining import CrawlMiner

from tests.conftest import call_main

from .conftest import SITES, crawl, query, stored_articles

CHRONICLE = SITES / "chronicle"
PROMO = "Chronicle Plus members read ad-free — join today."
FOOTER = "The Riverside Chronicle has served the valley since 1921."
TIPLINE = "Got a story for us?"
PATHS = sorted("/" + p.relative_to(CHRONICLE).as_posix() for p in (CHRONICLE / "2026").rglob("*.html"))
AFTER = 8


def cluttered(records: dict[str, dict]) -> set[str]:
    return {url for url, r in records.items() if PROMO in r["text"]}


def assert_clean(record: dict, prefix: str) -> None:
    assert not any(c in record["text"] for c in (PROMO, FOOTER, TIPLINE)), record["text"]
    assert {e["rule"] for e in record["removed"] if e["rule"].startswith(prefix)} == {
        f"{prefix}-001", f"{prefix}-002", f"{prefix}-003"}
    assert record["word_count"] > 80


def test_a_crawl_mines_a_site_pack_and_later_pages_use_it(serve, tmp_path):
    server = serve(CHRONICLE)
    base = server.base_url
    prefix = rule_prefix("127.0.0.1")
    store, urls = tmp_path / "chronicle.db", tmp_path / "urls.txt"
    # One worker, in the crawl process: pages are processed one after the other, so the counts are exact.
    one_by_one = {"PRESSWASH_MINE_AFTER": AFTER, "PRESSWASH_WORKERS": 0}

    # Run 1: five pages, under the threshold. Their samples wait in the store; no pack yet.
    urls.write_text("\n".join(base + p for p in PATHS[:5]) + "\n")
    run = crawl("--urls", urls, store=store, settings=one_by_one)
    assert run.code == 0, run.stderr
    assert len(cluttered(stored_articles(store))) == 5
    assert query(store, "SELECT host, COUNT(*) FROM site_samples GROUP BY host") == [("127.0.0.1", 5)]
    assert query(store, "SELECT COUNT(*) FROM site_packs") == [(0,)]

    # Run 2: seven new pages. Three more samples reach the threshold; the four pages after that use the pack.
    urls.write_text("\n".join(base + p for p in PATHS[:12]) + "\n")
    run = crawl("--urls", urls, store=store, settings=one_by_one)
    assert run.code == 0, run.stderr
    assert "7 new" in run.stderr and "site packs mined: 1" in run.stderr
    records = stored_articles(store)
    assert len(records) == 12 and len(cluttered(records)) == AFTER  # pages before the pack are not redone
    for url in set(records) - cluttered(records):
        assert_clean(records[url], prefix)
    assert query(store, "SELECT host, pages, rules FROM site_packs") == [("127.0.0.1", AFTER, 3)]
    assert query(store, "SELECT COUNT(*) FROM site_samples") == [(0,)]  # they have served

    # Run 3: the whole site, with worker processes. The pack comes from the store at the start, so every
    # new page is clean, and nothing is mined again.
    run = crawl("--sitemap", f"{base}/robots.txt", store=store, settings={"PRESSWASH_MINE_AFTER": AFTER})
    assert run.code == 0, run.stderr
    assert "12 new" in run.stderr and "site packs mined" not in run.stderr
    records = stored_articles(store)
    assert len(records) == 24 and len(cluttered(records)) == AFTER
    for url in set(records) - cluttered(records):
        assert_clean(records[url], prefix)

    # The stored pack, written out for review
    out = tmp_path / "review"
    proc = call_main("mine", "--store", store, "--stored", "-o", out)
    assert proc.code == 0 and "1 packs mined by crawls" in proc.stderr
    pack = parse_pack(tomllib.loads((out / "127.0.0.1.toml").read_text(encoding="utf-8")), "review")
    assert pack.domains == ("127.0.0.1",) and {r.remove[0].text for r in pack.rules} >= {PROMO, FOOTER}


def test_mining_off(serve, tmp_path):
    server = serve(CHRONICLE)
    store = tmp_path / "off.db"
    run = crawl("--sitemap", f"{server.base_url}/robots.txt", store=store, settings={"PRESSWASH_MINE_AFTER": 0})
    assert run.code == 0, run.stderr
    assert len(cluttered(stored_articles(store))) == 24
    assert query(store, "SELECT COUNT(*) FROM site_samples") == [(0,)]
    assert query(store, "SELECT COUNT(*) FROM site_packs") == [(0,)]


# -- without a crawl ---------------------------------------------------------------------------------------

def sample(i: int, host: str = "news.example") -> PageSample:
    return PageSample(page=f"https://{host}/{i}", host=host,
                      lines=[f"Story number {'abcdefghij'[i]} has its own sentence here.", PROMO])


def test_a_reviewed_site_pack_wins(tmp_path):
    folder = tmp_path / "packs"
    folder.mkdir()
    (folder / "news.toml").write_text("""[pack]
name = "news-example"
domains = ["news.example"]
""")
    miner = CrawlMiner(str(tmp_path / "s.db"), 3, Thresholds(), RuleBook.load([folder]))
    assert not miner.wants_sample("news.example") and not miner.wants_sample("www.news.example")
    assert miner.wants_sample("other.example") and not miner.wants_sample(None)
    for i in range(3):
        miner.add(sample(i, "other.example"))
    assert miner.pack_for("other.example") and "other.example" in miner.mined
    miner.close()
    # a later run starts with the stored pack
    again = CrawlMiner(str(tmp_path / "s.db"), 3, Thresholds(), RuleBook.load())
    assert again.pack_for("other.example") == miner.pack_for("other.example")
    assert not again.wants_sample("other.example")
    again.close()


def test_a_host_with_nothing_repeated_is_mined_once(tmp_path):
    miner = CrawlMiner(str(tmp_path / "s.db"), 3, Thresholds(), RuleBook.load())
    for i in range(3):
        miner.add(PageSample(page=str(i), host="plain.example", lines=[f"Only page {'xyz'[i]} says this."]))
    assert miner.pack_for("plain.example") is None and not miner.wants_sample("plain.example")
    assert query(tmp_path / "s.db", "SELECT host, pack, rules FROM site_packs") == [("plain.example", "", 0)]
    miner.close()


def test_pages_with_the_same_text_count_once(tmp_path):
    miner = CrawlMiner(str(tmp_path / "s.db"), 3, Thresholds(), RuleBook.load())
    twin = sample(0)
    for page in ("a", "b"):  # one story under two URLs
        miner.add(PageSample(page=page, host=twin.host, lines=twin.lines))
    miner.add(sample(1))
    assert miner.wants_sample(twin.host) and miner.pack_for(twin.host) is None  # 2 distinct pages of 3
    miner.add(sample(2))
    assert miner.pack_for(twin.host)
    miner.close()


def test_config_keys(tmp_path):
    config = tmp_path / "sites.toml"
    config.write_text("[crawl]\nmine_after = 30\nmine_min_share = 0.6\n[[site]]\nfeeds = ['https://example.org/']\n")
    plan = load_config(config)
    assert plan.settings["PRESSWASH_MINE_AFTER"] == 30 and plan.settings["PRESSWASH_MINE_MIN_SHARE"] == 0.6
    for bad in ("mine_after = -1", "mine_after = 2.5", "mine_min_share = 0"):
        config.write_text(f"[crawl]\n{bad}\n[[site]]\nfeeds = ['https://example.org/']\n")
        with pytest.raises(ConfigError, match="mine_"):
            load_config(config)
