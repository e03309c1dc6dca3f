"""The crawl's Scrapy glue: settings, item pipelines, middlewares, the request guard (SSRF), the downloader,
crawl configs and the runner, mining during a crawl, and the loopback site server of the demo and tests.
The spiders themselves (discovery and fetching) live in the top-level ``spiders`` package."""
