"""Unit tests for the crawl config loader (scraper/crawl/config.py) and the crawl summary. The store's own tests
are in tests/store/."""

from __future__ import annotations

import pytest

from scraper.crawl.config import ConfigError, CrawlPlan, load_config
from scraper.crawl.runner import crawl_settings, summary


# crawl config ------------------------------------------------------------------------------------------
def write(tmp_path, text: str):
    path = tmp_path / "sites.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_load_config(tmp_path):
    (tmp_path / "packs").mkdir()
    path = write(tmp_path, """
[crawl]
store = "news.db"
since = "2026-11-01"
refetch_after_hours = 2
user_agent = "ExampleBot/1.0 (+mailto:data@example.com)"

[[site]]
name = "Example News"
feeds = ["https://news.example.com/feed.xml"]
sitemaps = "https://news.example.com/robots.txt"
start_urls = ["https://news.example.com/"]
urls = "urls.txt"
rules = "packs"
rate = 0.5
concurrency = 1

[[site]]
name = "Other"
feeds = ["https://other.example.org/rss"]
""")
    plan = load_config(path, CrawlPlan(feeds=["https://cli.example.net/feed"]))
    assert plan.feeds == ["https://cli.example.net/feed", "https://news.example.com/feed.xml",
                          "https://other.example.org/rss"]
    assert plan.sitemaps == ["https://news.example.com/robots.txt"]
    assert plan.sites == ["https://news.example.com/"]
    assert plan.urls == [str(tmp_path / "urls.txt")]
    assert plan.rules_dirs == [str(tmp_path / "packs")]
    assert plan.store == "news.db" and plan.since == "2026-11-01T00:00:00+00:00"  # read once, as UTC ISO 8601
    assert plan.settings == {"PRESSWASH_REFETCH_AFTER": 7200.0,
                             "USER_AGENT": "ExampleBot/1.0 (+mailto:data@example.com)"}
    assert plan.slots == {"news.example.com": {"delay": 2.0, "concurrency": 1}}
    settings = crawl_settings(plan)
    assert settings.getdict("DOWNLOAD_SLOTS") == {"news.example.com": {"delay": 2.0, "concurrency": 1}}
    assert settings.get("USER_AGENT").startswith("ExampleBot/1.0")
    assert settings.getfloat("PRESSWASH_REFETCH_AFTER") == 7200.0
    assert settings.getbool("ROBOTSTXT_OBEY") and settings.getbool("AUTOTHROTTLE_ENABLED")


@pytest.mark.parametrize("text, message", [
    ("[[site]\nfeeds = 1", "sites.toml"),  # not TOML
    ("[crawl]\nstore = 'x.db'\n", "no [[site]] tables"),
    ("[[site]]\nname = 'A'\nfeed = ['https://a.example/']\n", "unknown key(s) feed"),
    ("[[site]]\nname = 'A'\nfeeds = [1, 2]\n", "feeds: expected a string or a list of strings"),
    ("[[site]]\nname = 'A'\nstart_urls = {url = 'https://a.example/'}\n", "start_urls"),
    ("[[site]]\nname = 'A'\nfeeds = 'https://a.example/feed'\nrate = 0\n", "rate must be above 0"),
    ("[[site]]\nname = 'A'\nfeeds = 'https://a.example/feed'\nrate = -1\n", "rate must be above 0"),
    ("[[site]]\nname = 'A'\nfeeds = 'https://a.example/feed'\nrate = 'fast'\n", "rate"),
    ("[[site]]\nname = 'A'\nfeeds = 'https://a.example/feed'\nconcurrency = 'two'\n", "concurrency"),
    ("[[site]]\nname = 'A'\nfeeds = 'https://a.example/feed'\nconcurrency = 0\n", "concurrency"),
    ("[crawl]\nrefetch_after_hours = 'daily'\n[[site]]\nfeeds = 'https://a.example/feed'\n", "refetch_after_hours"),
    ("[crawl]\nsince = 'last week'\n[[site]]\nfeeds = 'https://a.example/feed'\n", "since"),
    ("site = 'https://a.example/'\n", "site"),
    ("crawl = 3\n[[site]]\nfeeds = 'https://a.example/feed'\n", "crawl"),
])
def test_load_config_errors(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(path) in str(info.value)
    assert message in str(info.value)


def test_load_config_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="nothing.toml"):
        load_config(tmp_path / "nothing.toml")


def test_summary_names_an_interrupted_run():
    stats = {"downloader/response_count": 7, "presswash/articles_new": 3, "presswash/fetch_errors": 1,
             "presswash/rules_fired": {"GEN002": 3}, "finish_reason": "shutdown"}
    text = summary(stats)
    assert "7 pages fetched" in text and "3 new" in text and "errors 1" in text
    assert "GEN002 repeated-title ×3" in text  # named, as clean's summary names them
    assert "stopped: shutdown" in text
    assert "stopped" not in summary({**stats, "finish_reason": "finished"})
