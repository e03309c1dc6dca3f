"""Run a crawl from Python or the CLI: a CrawlPlan in, a Scrapy crawl of the news spider out."""

from __future__ import annotations

import logging
import math
import os
import signal
import sys
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings, default_settings as scrapy_defaults
from scrapy.utils.ossignal import install_shutdown_handlers, signal_names

from cleaners.packs import RuleNames

from scraper.core.progress import Progress
from scraper.core.stats import StepStats, rules_fired_line
from scraper.core.workers import start_fork_server
from scraper.crawl import settings as default_settings
from scraper.crawl.config import ConfigError, CrawlPlan
from scraper.crawl.middlewares import SkipRequest, drop_waiting_requests
from scraper.crawl.pipelines import StorePipeline
from scraper.crawl.ssrf import Policy

logger = logging.getLogger(__name__)

# Scrapy's loggers that list versions, overridden settings and enabled components at INFO when a crawl starts.
_STARTUP_LOGGERS = ("scrapy.utils.log", "scrapy.crawler", "scrapy.middleware", "scrapy.addons")

# Scrapy settings whose defaults are whole numbers but which Scrapy reads as floats.
_READ_AS_FLOAT = {"DNS_TIMEOUT", "DOWNLOAD_DELAY", "DOWNLOAD_TIMEOUT"}


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
    """Run the crawl to the end (or to Ctrl-C); return Scrapy's stats. ConfigError, before anything starts,
    for a setting that cannot be used (see check_settings) or an allow list (PRESSWASH_ALLOW_PRIVATE, from -s)
    the request guard cannot read."""
    from spiders.news import NewsSpider

    settings = crawl_settings(plan)
    check_settings(settings, plan.settings)
    if settings.get("PRESSWASH_WORKERS") is None or int(settings.get("PRESSWASH_WORKERS")) > 0:
        start_fork_server()  # the extraction workers' fork server: its start-up overlaps with Scrapy's
    try:
        Policy.from_entries(settings.getlist("PRESSWASH_ALLOW_PRIVATE"))
    except ValueError as exc:
        raise ConfigError(f"PRESSWASH_ALLOW_PRIVATE: {exc}") from None
    if settings.get("LOG_LEVEL") != "DEBUG":  # startup listings (versions, settings, middlewares): --verbose only
        for name in _STARTUP_LOGGERS:  # a filter: Scrapy's logging set-up resets these loggers' levels
            logging.getLogger(name).addFilter(lambda record: record.levelno >= logging.WARNING)
    process = BoundedShutdownProcess(settings)
    quiet_scrapy_loggers(settings)
    crawler = process.create_crawler(NewsSpider)
    process.crawl(crawler, feed=plan.feeds, sitemap=plan.sitemaps, site=plan.sites, urls=plan.urls,
                  since=plan.since, max_depth=plan.max_depth, max_pages=plan.max_pages)
    process.start()
    return crawler.stats.get_stats()


def quiet_scrapy_loggers(settings: Settings) -> None:
    """Raise the ``scrapy`` logger to LOG_LEVEL. Scrapy's logging set-up puts it at DEBUG and filters in its
    handler only, so every page still builds the DEBUG records of "Crawled (200)" and "Scraped from" (their
    messages and arguments) for the handler to drop: about 2 % of the crawl process's CPU per page."""
    level = settings.get("LOG_LEVEL")
    number = level if isinstance(level, int) else logging.getLevelName(str(level).upper())
    if isinstance(number, int) and number > logging.DEBUG:
        logging.getLogger("scrapy").setLevel(number)


def check_settings(settings: Settings, given: dict[str, Any]) -> None:
    """ConfigError for a setting given (-s, config) that Scrapy could not read as the kind of value its default
    is (DOWNLOAD_MAXSIZE=abc would raise deep inside Scrapy), or a delay over PRESSWASH_MAX_DELAY."""
    for name in given:
        default = getattr(default_settings, name, getattr(scrapy_defaults, name, None))
        try:
            if isinstance(default, bool):
                settings.getbool(name)
            elif isinstance(default, float) or (isinstance(default, int) and name in _READ_AS_FLOAT):
                value = settings.getfloat(name)
                if not math.isfinite(value) or value < 0:
                    raise ValueError
            elif isinstance(default, int):
                if settings.getint(name) < 0:
                    raise ValueError
            elif isinstance(default, dict):
                settings.getdict(name)
        except (ValueError, TypeError):
            kind = ("true or false" if isinstance(default, bool) else
                    "a whole number of 0 or more" if isinstance(default, int) and name not in _READ_AS_FLOAT else
                    "a number of 0 or more" if isinstance(default, (int, float)) else "a JSON object")
            raise ConfigError(f"{name} must be {kind}, not {settings.get(name)!r}") from None
    limit = settings.getfloat("PRESSWASH_MAX_DELAY")
    if settings.getfloat("DOWNLOAD_DELAY") > limit:
        raise ConfigError(f"DOWNLOAD_DELAY ({settings.getfloat('DOWNLOAD_DELAY'):g} s) is over PRESSWASH_MAX_DELAY "
                          f"({limit:g} s): no host would be crawled")
    timeout = settings.getfloat("PRESSWASH_SHUTDOWN_TIMEOUT")
    if timeout > 30:
        raise ConfigError(f"PRESSWASH_SHUTDOWN_TIMEOUT must be at most 30 seconds, not {timeout:g}")


class BoundedShutdownProcess(CrawlerProcess):
    """Scrapy's CrawlerProcess, with a shutdown that ends.

    Scrapy's first SIGINT/SIGTERM stops the crawl gracefully: no new requests, and it waits for every request
    it holds, including those waiting out a download slot's delay, and for the item pipelines. Its second
    signal stops the reactor, whose shutdown waits for that same graceful stop, so neither ends a crawl stuck
    on a long delay. Here the first signal also fails the requests still waiting in slots (they are fetched on
    the next run) and sets a deadline, PRESSWASH_SHUTDOWN_TIMEOUT seconds; at the deadline, or on a second
    signal, the run is recorded as interrupted, the summary printed, and the process exits at once. The store
    needs nothing more: each article is one SQLite transaction, and the -o file gets whole lines."""

    def _signal_shutdown(self, signum: int, frame: Any) -> None:
        from twisted.internet import reactor

        super()._signal_shutdown(signum, frame)  # installs _signal_kill for the next signal
        reactor.callFromThread(self._start_deadline)

    def _signal_kill(self, signum: int, frame: Any) -> None:
        from twisted.internet import reactor

        install_shutdown_handlers(signal.SIG_IGN)
        reactor.callFromThread(self._force_stop, f"a second {signal_names[signum]}")

    def _start_deadline(self) -> None:
        from twisted.internet import reactor

        timeout = self.settings.getfloat("PRESSWASH_SHUTDOWN_TIMEOUT")
        for crawler in list(self.crawlers):
            drop_waiting_requests(crawler, SkipRequest("the crawl is stopping"))
        logger.info("stopping: the pages in flight are finished; in %g s at most the crawl stops at once", timeout)
        reactor.callLater(timeout, self._force_stop, f"PRESSWASH_SHUTDOWN_TIMEOUT ({timeout:g} s) passed")

    def _force_stop(self, why: str) -> None:
        if not self.crawlers:  # the graceful stop has finished: the run is recorded and the reactor stopping
            return
        logger.warning("stopping at once: %s", why)
        Progress.close_all()  # the bar wiped and the cursor shown again, before the summary
        for crawler in list(self.crawlers):
            crawler.stats.set_value("finish_reason", "shutdown")
            record_interrupted(crawler)
            print(summary(crawler.stats.get_stats()), file=sys.stderr)
        logging.shutdown()  # flush the log file
        sys.stderr.flush()
        os._exit(1)  # the reactor's own shutdown would wait for the graceful stop again


def record_interrupted(crawler: Any) -> None:
    """Record the crawl's run as interrupted, as the store pipeline does when the spider closes."""
    scraper = getattr(crawler.engine, "scraper", None)
    for component in getattr(getattr(scraper, "itemproc", None), "middlewares", ()):
        if isinstance(component, StorePipeline):
            try:
                component.spider_closed(reason="shutdown")
            except Exception as exc:  # the process exits next: say why the run could not be recorded
                logger.error("the run could not be recorded as interrupted: %s", exc)


def summary(stats: dict[str, Any], rulebook: Any = None) -> str:
    """The crawl in a few lines; the rules that fired are named from ``rulebook`` (the run's rule book, or
    ``RuleNames``), else from the built-in packs."""
    get = lambda key: stats.get(f"presswash/{key}", 0)  # noqa: E731
    fired = rules_fired_line(stats.get("presswash/rules_fired") or {}, rulebook or RuleNames.builtin(), top=10)
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
    if get("hosts_skipped_delay"):
        lines.append(f"  hosts skipped: {get('hosts_skipped_delay')} asked for a delay over PRESSWASH_MAX_DELAY "
                     "(recorded in errors)")
    if get("site_packs_mined"):
        lines.append(f"  site packs mined: {get('site_packs_mined')} (presswash mine --store … --stored writes them out)")
    if stats.get("presswash/frontier_run"):
        role = "started here (this worker read the sources)" if stats.get("presswash/frontier_started") else "joined"
        lines.append(f"  frontier: run {stats['presswash/frontier_run']}, {role}")
    if get("frontier_lost"):
        lines.append(f"  frontier: {get('frontier_lost')} worker(s) left run {stats.get('presswash/frontier_run')} "
                     "holding requests (killed or stopped): run the crawl again to complete the set")
    reason = stats.get("finish_reason")
    if reason and reason != "finished":
        lines.append(f"  stopped: {reason} (run it again to resume)")
    alerts = stats.get("presswash/health_alerts") or []
    if alerts:  # last, so cron mail ends with them (docs/health.md)
        lines.append(f"  health alerts: {len(alerts)} host{'s' if len(alerts) > 1 else ''} "
                     "(presswash health --store … shows each host against its history)")
        lines.extend(f"    {line}" for line in alerts)
    return "\n".join(lines)


def steps_table(stats: dict[str, Any], rulebook: Any = None) -> str:
    """The crawl's step stats (what StorePipeline keeps with the run) as the `--stats` table."""
    return StepStats.from_dict(stats.get("presswash/steps") or {}).table(rulebook)
