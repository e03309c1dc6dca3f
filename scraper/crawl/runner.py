"""Run a crawl from Python or the CLI: a CrawlPlan in, a Scrapy crawl of the news spider out."""

from __future__ import annotations

from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from scraper.core.stats import StepStats, rules_fired_line
from scraper.crawl import settings as default_settings
from scraper.crawl.config import ConfigError, CrawlPlan
from scraper.crawl.ssrf import Policy


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
    fired = rules_fired_line(stats.get("presswash/rules_fired") or {}, top=10)
    lines = [
        f"presswash crawl: {stats.get('downloader/response_count', 0)} pages fetched; articles "
        f"{get('articles_new')} new, {get('articles_changed')} changed, {get('articles_unchanged')} unchanged, "
        f"{get('articles_skipped_fresh')} skipped (fresh), {get('articles_not_modified')} not modified (304); "
        f"errors {get('fetch_errors') + get('process_errors')}",
    ]
    if fired:
        lines.append(fired)
    if get("requests_refused"):
        lines.append(f"  requests refused: {get('requests_refused')} to private, loopback or metadata addresses "
                     "(recorded in errors; allow_private allows them)")
    if get("site_packs_mined"):
        lines.append(f"  site packs mined: {get('site_packs_mined')} (presswash mine --store … --stored writes them out)")
    reason = stats.get("finish_reason")
    if reason and reason != "finished":
        lines.append(f"  stopped: {reason} (run it again to resume)")
    return "\n".join(lines)


def steps_table(stats: dict[str, Any], rulebook: Any = None) -> str:
    """The crawl's step stats (what StorePipeline keeps with the run) as the `--stats` table."""
    return StepStats.from_dict(stats.get("presswash/steps") or {}).table(rulebook)
