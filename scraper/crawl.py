"""Run a crawl from Python or the CLI: sources and settings in, a Scrapy crawl of the news spider out.

A crawl config (``presswash crawl --config sites.toml``) lists sites:

    [crawl]
    store = "presswash.db"          # optional; --store overrides
    refetch_after_hours = 24
    user_agent = "ExampleBot/1.0 (+mailto:data@example.com)"
    mine_after = 20                 # mine a site pack after this many pages of a host; 0: never
    mine_min_share = 0.5
    allow_private = ["10.0.0.0/8"]  # private hosts the crawl may fetch besides its own start hosts

    [[site]]
    name = "Example News"
    feeds = ["https://example.com/feed.xml"]
    sitemaps = ["https://example.com/robots.txt"]
    start_urls = ["https://example.com/"]
    rules = "packs/example"         # a folder of rule packs for this site
    rate = 1.0                      # requests per second to this site
    concurrency = 2
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from spiders.discovery import to_iso

from . import settings as default_settings
from .ssrf import Policy


class ConfigError(ValueError):
    """A crawl config that cannot be used; the message names the file and the problem."""


@dataclass
class CrawlPlan:
    feeds: list[str] = field(default_factory=list)
    sitemaps: list[str] = field(default_factory=list)
    sites: list[str] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)  # files of URLs, or "-"
    since: str | None = None
    store: str = default_settings.PRESSWASH_STORE
    output: str | None = None
    rules_dirs: list[str] = field(default_factory=list)
    slots: dict[str, dict[str, float]] = field(default_factory=dict)  # per-host delay and concurrency
    settings: dict[str, Any] = field(default_factory=dict)
    max_depth: int = 2
    max_pages: int = 1000

    def empty(self) -> bool:
        return not (self.feeds or self.sitemaps or self.sites or self.urls)


def _strings(value: Any, where: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    raise ConfigError(f"{where}: expected a string or a list of strings")


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(f"{where}: expected a number, not {value!r}")
    return float(value)


def _whole(value: Any, where: str, least: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        raise ConfigError(f"{where} must be a whole number of at least {least}, not {value!r}")
    return value


def load_config(path: str | Path, plan: CrawlPlan | None = None) -> CrawlPlan:
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: {exc}") from None
    plan = plan or CrawlPlan()
    crawl = data.get("crawl", {})
    if not isinstance(crawl, dict):
        raise ConfigError(f"{path}: crawl must be a [crawl] table")
    unknown = set(crawl) - {"store", "since", "refetch_after_hours", "user_agent", "mine_after", "mine_min_share",
                            "allow_private"}
    if unknown:
        raise ConfigError(f"{path}: [crawl]: unknown key(s) {', '.join(sorted(unknown))}")
    if "store" in crawl:
        if not isinstance(crawl["store"], str):
            raise ConfigError(f"{path}: [crawl] store: expected a path")
        plan.store = crawl["store"]
    if "since" in crawl:
        since = crawl["since"]
        if isinstance(since, (datetime, date)):  # a bare TOML date is a value of its own, not a string
            since = since.isoformat()
        if not isinstance(since, str) or to_iso(since) is None:
            raise ConfigError(f"{path}: [crawl] since: {since!r} is not a date (use YYYY-MM-DD or ISO 8601)")
        plan.since = since
    if "refetch_after_hours" in crawl:
        hours = _number(crawl["refetch_after_hours"], f"{path}: [crawl] refetch_after_hours")
        plan.settings["PRESSWASH_REFETCH_AFTER"] = hours * 3600
    if "user_agent" in crawl:
        plan.settings["USER_AGENT"] = str(crawl["user_agent"])
    if "mine_after" in crawl:  # 0 turns mining off
        plan.settings["PRESSWASH_MINE_AFTER"] = _whole(crawl["mine_after"], f"{path}: [crawl] mine_after", 0)
    if "mine_min_share" in crawl:
        share = _number(crawl["mine_min_share"], f"{path}: [crawl] mine_min_share")
        if not 0 < share <= 1:
            raise ConfigError(f"{path}: [crawl] mine_min_share must be above 0 and at most 1, not {share}")
        plan.settings["PRESSWASH_MINE_MIN_SHARE"] = share
    if "allow_private" in crawl:  # networks, addresses, host names or host:port the request guard lets through
        allowed = _strings(crawl["allow_private"], f"{path}: [crawl] allow_private")
        try:
            Policy.from_entries(allowed)
        except ValueError as exc:
            raise ConfigError(f"{path}: [crawl] allow_private: {exc}") from None
        plan.settings["PRESSWASH_ALLOW_PRIVATE"] = allowed
    sites = data.get("site", [])
    if not isinstance(sites, list) or not all(isinstance(site, dict) for site in sites):
        raise ConfigError(f"{path}: site must be [[site]] tables")
    if not sites:
        raise ConfigError(f"{path}: no [[site]] tables")
    for i, site in enumerate(sites):
        where = f"{path}: site {site.get('name', i + 1)}"
        unknown = set(site) - {"name", "feeds", "sitemaps", "start_urls", "urls", "rules", "rate", "concurrency"}
        if unknown:
            raise ConfigError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
        feeds = _strings(site.get("feeds"), f"{where}: feeds")
        sitemaps = _strings(site.get("sitemaps"), f"{where}: sitemaps")
        starts = _strings(site.get("start_urls"), f"{where}: start_urls")
        plan.feeds += feeds
        plan.sitemaps += sitemaps
        plan.sites += starts
        plan.urls += [str((path.parent / u).resolve()) for u in _strings(site.get("urls"), f"{where}: urls")]
        if "rules" in site:
            for rules in _strings(site["rules"], f"{where}: rules"):
                plan.rules_dirs.append(str((path.parent / rules).resolve()))
        hosts = {urlsplit(u).hostname for u in feeds + sitemaps + starts if urlsplit(u).hostname}
        slot: dict[str, float] = {}
        if "rate" in site:
            rate = _number(site["rate"], f"{where}: rate")
            if rate <= 0:
                raise ConfigError(f"{where}: rate must be above 0 requests per second")
            slot["delay"] = 1.0 / rate
        if "concurrency" in site:
            slot["concurrency"] = _whole(site["concurrency"], f"{where}: concurrency", 1)
        for host in hosts:
            if slot:
                plan.slots[host] = slot
    return plan


def crawl_settings(plan: CrawlPlan) -> Settings:
    settings = Settings()
    settings.setmodule(default_settings, priority="project")
    settings.set("PRESSWASH_STORE", plan.store, priority="cmdline")
    settings.set("PRESSWASH_OUTPUT", plan.output, priority="cmdline")
    settings.set("PRESSWASH_RULES", plan.rules_dirs, priority="cmdline")
    if plan.slots:
        settings.set("DOWNLOAD_SLOTS", plan.slots, priority="cmdline")
    for key, value in plan.settings.items():
        settings.set(key, value, priority="cmdline")
    return settings


def run_crawl(plan: CrawlPlan) -> dict[str, Any]:
    """Run the crawl to the end (or to Ctrl-C); return Scrapy's stats. ConfigError for an allow list
    (PRESSWASH_ALLOW_PRIVATE, from -s) the request guard cannot read, before anything starts."""
    from spiders.news import NewsSpider

    settings = crawl_settings(plan)
    try:
        Policy.from_entries(settings.getlist("PRESSWASH_ALLOW_PRIVATE"))
    except ValueError as exc:
        raise ConfigError(f"PRESSWASH_ALLOW_PRIVATE: {exc}") from None
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(NewsSpider)
    process.crawl(crawler, feed=plan.feeds, sitemap=plan.sitemaps, site=plan.sites, urls=plan.urls,
                  since=plan.since, max_depth=plan.max_depth, max_pages=plan.max_pages)
    process.start()
    return crawler.stats.get_stats()


def summary(stats: dict[str, Any]) -> str:
    get = lambda key: stats.get(f"presswash/{key}", 0)  # noqa: E731
    rules = stats.get("presswash/rules_fired") or {}
    lines = [
        f"presswash crawl: {stats.get('downloader/response_count', 0)} pages fetched; articles "
        f"{get('articles_new')} new, {get('articles_changed')} changed, {get('articles_unchanged')} unchanged, "
        f"{get('articles_skipped_fresh')} skipped (fresh), {get('articles_not_modified')} not modified (304); "
        f"errors {get('fetch_errors') + get('process_errors')}",
    ]
    if rules:
        lines.append("  rules fired most: " + ", ".join(f"{r} ×{n}" for r, n in rules.items()))
    if get("requests_refused"):
        lines.append(f"  requests refused: {get('requests_refused')} to private, loopback or metadata addresses "
                     "(recorded in errors; allow_private allows them)")
    if get("site_packs_mined"):
        lines.append(f"  site packs mined: {get('site_packs_mined')} (presswash mine --store … --stored writes them out)")
    reason = stats.get("finish_reason")
    if reason and reason != "finished":
        lines.append(f"  stopped: {reason} (run it again to resume)")
    return "\n".join(lines)
