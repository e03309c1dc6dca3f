"""What a crawl is asked to do: sources, store, output and settings (CrawlPlan), from the command line or a
crawl config.

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
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit


from scraper.core.dates import parse_since
from scraper.crawl import settings as default_settings
from scraper.crawl.ssrf import Policy


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


def source_url_problem(url: str) -> str | None:
    """Why URL cannot start a crawl (a feed, sitemap or start page), or None: it must be http(s) with a host
    and a valid port."""
    try:
        parts = urlsplit(url)
        parts.port  # raises for a port out of range or not a number
    except ValueError as exc:
        return f"not a URL: {url!r} ({exc})"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"not an http(s) URL: {url!r}"
    return None


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
        try:
            plan.since = parse_since(crawl["since"], f"{path}: [crawl] since:")
        except ValueError as exc:
            raise ConfigError(str(exc)) from None
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
        for key, urls in (("feeds", feeds), ("sitemaps", sitemaps), ("start_urls", starts)):
            problem = next((p for p in map(source_url_problem, urls) if p), None)
            if problem:
                raise ConfigError(f"{where}: {key}: {problem}")
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
            if not rate > 0 or rate == float("inf"):  # nan and inf too
                raise ConfigError(f"{where}: rate must be above 0 requests per second, and finite, not {rate!r}")
            slot["delay"] = 1.0 / rate
        if "concurrency" in site:
            slot["concurrency"] = _whole(site["concurrency"], f"{where}: concurrency", 1)
        for host in hosts:
            if slot:
                plan.slots[host] = slot
    return plan
