"""Scrapy settings for presswash crawls (`scrapy.cfg` points here). Polite by default."""

BOT_NAME = "presswash"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"

USER_AGENT = "presswash/0.1 (news text cleaner; set USER_AGENT to add a contact address)"
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
# Scrapy starts this many tasks for every callback's output, however little it yields (an article page yields
# one item): 8 instead of Scrapy's 100 saves about 1 ms of the crawl process's CPU a page
# (benchmarks/scale.py's "CPU ms/page" column), and items of different pages are still processed at once.
CONCURRENT_ITEMS = 8
DOWNLOAD_DELAY = 0.5
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
RETRY_ENABLED = True
RETRY_TIMES = 2
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 32 * 1024 * 1024
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False  # Scrapy 2.19 would serve a code-running HTTP endpoint on localhost
FEED_EXPORT_ENCODING = "utf-8"
# Logs fit for cron: INFO, items named by kind and URL (never their text), no stats dump (the CLI prints one
# summary). `presswash crawl --verbose` turns on DEBUG and the stats dump; --log-file sets LOG_FILE.
LOG_LEVEL = "INFO"
LOG_FORMATTER = "scraper.crawl.logs.ItemLabelLogFormatter"
STATS_DUMP = False
# A listing (a big sitemap) is streamed while articles are fetched: the response it came in must not hold the
# engine back (Scrapy stops taking requests while responses of more than this many bytes are being processed).
SCRAPER_SLOT_MAX_ACTIVE_SIZE = 2 * 32 * 1024 * 1024

# The asyncio reactor lets item pipelines await worker processes.
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"

ITEM_PIPELINES = {
    "scraper.crawl.pipelines.ProcessPipeline": 300,  # Page -> Article | Failure, in worker processes
    "scraper.crawl.pipelines.StorePipeline": 500,  # articles, revisions, crawl state, errors
    "scraper.crawl.pipelines.JsonlPipeline": 800,  # new and changed records to PRESSWASH_OUTPUT, if set
}
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "scraper.crawl.ssrf.PrivateAddressGuard": 80,  # before robots.txt (100) and every download, redirects included
    "scraper.crawl.middlewares.BackoffRetryMiddleware": 550,
    "scraper.crawl.middlewares.IncrementalMiddleware": 560,
    "scraper.crawl.middlewares.CrawlDelayMiddleware": 570,
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
    "scraper.crawl.middlewares.LoopRedirectMiddleware": 600,  # Scrapy's place for it; names redirect loops
}
# The progress display on a terminal (pages fetched, queued, articles, errors): on with PRESSWASH_PROGRESS,
# which `presswash crawl` sets unless --quiet or --no-progress; never where stderr is not a terminal.
EXTENSIONS = {"scraper.crawl.logs.CrawlProgress": 600}
PRESSWASH_PROGRESS = False
# Scrapy's downloader, fixed so CONCURRENT_REQUESTS_PER_DOMAIN holds under the asyncio reactor.
DOWNLOADER = "scraper.crawl.downloader.Downloader"
RETRY_BACKOFF_BASE = 1.0  # seconds before the first retry; doubles each time
RETRY_BACKOFF_MAX = 60.0

# Crawl control (docs/crawling.md#delays-and-stopping). A host that would have to wait longer than
# PRESSWASH_MAX_DELAY seconds between requests (robots.txt Crawl-delay, a config `rate`, DOWNLOAD_SLOTS) is
# skipped, with a warning and an error row per request. After SIGTERM or Ctrl-C the crawl stops taking new
# requests and finishes what is in flight; after PRESSWASH_SHUTDOWN_TIMEOUT seconds (or a second signal) it
# stops at once, the run recorded as interrupted.
PRESSWASH_MAX_DELAY = 60.0
PRESSWASH_SHUTDOWN_TIMEOUT = 20.0

# presswash's own settings
PRESSWASH_STORE = "presswash.db"
# Seconds a crawl waits for a lost store connection to come back (a PostgreSQL restart or failover) before it
# stops with the reason store-lost (docs/scaling.md).
PRESSWASH_STORE_RECONNECT = 60.0
PRESSWASH_REFETCH_AFTER = 24 * 3600  # seconds: an article fetched more recently is not downloaded again
PRESSWASH_OUTPUT = None  # a .jsonl file to append new and changed records to
PRESSWASH_RULES = []  # extra rule pack folders
PRESSWASH_SELECT = []  # only these rules (ids, id prefixes or names); empty: all
PRESSWASH_IGNORE = []  # not these rules
PRESSWASH_KEEP_HEADLINE = False  # keep the headline where it also opens the text (it is in `title` anyway)
PRESSWASH_MODE = "auto"  # trafilatura setting: auto, balanced, precision or recall (see docs/quality.md)
PRESSWASH_WORKERS = None  # worker processes for extraction; None: one per core
# Seconds one page may take in a worker before the worker is killed and the page gets an error record; 0: no
# limit. Pages processed on the reactor thread (PRESSWASH_WORKERS = 0) have no limit.
PRESSWASH_TIME_LIMIT = 60.0
# Mine a site pack for a host once this many of its article pages are processed, and use it for the host's
# later pages; 0 turns mining off. A line or block must repeat on PRESSWASH_MINE_MIN_SHARE of those pages.
# See docs/mining.md.
PRESSWASH_MINE_AFTER = 20
PRESSWASH_MINE_MIN_SHARE = 0.5
# Private, loopback, link-local and cloud-metadata addresses a crawl may fetch besides the hosts it was started
# on: networks ("10.0.0.0/8"), addresses, host names, "host:port"; "*" turns the guard off. See
# docs/crawling.md#request-guard-ssrf.
PRESSWASH_ALLOW_PRIVATE = []
# A shared frontier: a Redis URL (redis://host:port/db). Workers given the same frontier, store and sources
# share one request queue and one seen-set, and per-host limits hold across them (docs/scaling.md). A worker
# whose heartbeat stops for PRESSWASH_FRONTIER_TTL seconds counts as gone.
PRESSWASH_FRONTIER = None
PRESSWASH_FRONTIER_TTL = 30.0
ADDONS = {"scraper.crawl.frontier.FrontierAddon": 0}  # reads PRESSWASH_FRONTIER
