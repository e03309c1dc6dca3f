"""Scrapy spiders: discovery and fetching only (feeds, sitemaps, site crawls, URL lists). They yield
pages and know nothing of cleaning; the item pipelines in scraper/ run the shared process function."""
