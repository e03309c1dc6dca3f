"""Crawl speed: a real Scrapy crawl of a loopback site of N article pages, against `presswash clean --jobs 2`
on the same pages saved to disk, in the same run.

    python benchmarks/crawl_speed.py                 # 1,000 pages (dev-set pages, reused to reach N)
    python benchmarks/crawl_speed.py --pages 300      # a quicker look

The site is built in a temporary folder from ../shared/devset/wcxb-dev-articles/html (never copied into the
repository): a robots.txt naming a sitemap that lists every page. Politeness is switched off for the
measurement (no delay, no AutoThrottle, 16 requests at a time): the question is whether extraction keeps up
with fetching, not how fast a site may be crawled. Prints pages/s of both, their ratio (target: the crawl at
85% or more of the offline rate, issue 12) and the crawl's peak memory (its process and its workers).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from scraper.crawl.siteserver import SiteServer  # noqa: E402

DEVSET = REPO.parent / "shared" / "devset" / "wcxb-dev-articles" / "html"


def build_site(folder: Path, pages: int) -> Path:
    """A site of ``pages`` article pages under /a/N.html and a sitemap listing them; returns the folder of
    the same pages saved as files, for the offline run."""
    sources = sorted(DEVSET.glob("*.html.gz"))
    if not sources:
        sys.exit(f"no dev pages in {DEVSET}")
    site, saved = folder / "site", folder / "saved"
    (site / "a").mkdir(parents=True)
    saved.mkdir()
    urls = []
    for i in range(pages):
        html = gzip.decompress(sources[i % len(sources)].read_bytes())
        (site / "a" / f"{i}.html").write_bytes(html)
        (saved / f"{i}.html").write_bytes(html)
        urls.append(f"  <url><loc>{{{{BASE}}}}/a/{i}.html</loc></url>")
    (site / "sitemap.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        + "\n".join(urls) + "\n</urlset>\n")
    (site / "robots.txt").write_text("User-agent: *\nAllow: /\nSitemap: {{BASE}}/sitemap.xml\n")
    return saved


def children_peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def run_crawl(base: str, store: Path, workers: int) -> tuple[float, dict]:
    code = (
        "import json, sys\n"
        "from scraper.crawl.config import CrawlPlan\nfrom scraper.crawl.runner import run_crawl\n"
        f"plan = CrawlPlan(sitemaps=['{base}/robots.txt'], store={str(store)!r}, settings={{\n"
        "  'LOG_LEVEL': 'WARNING', 'DOWNLOAD_DELAY': 0, 'AUTOTHROTTLE_ENABLED': False,\n"
        "  'CONCURRENT_REQUESTS': 16, 'CONCURRENT_REQUESTS_PER_DOMAIN': 16,\n"
        # Every page is served from one loopback host, though they come from hundreds of sites: a site pack
        # mined from them would be meaningless, and the offline run has none.
        "  'PRESSWASH_MINE_AFTER': 0,\n"
        f"  'PRESSWASH_WORKERS': {workers}}})\n"
        "stats = run_crawl(plan)\n"
        "print(json.dumps({k: v for k, v in stats.items() if k.startswith(('presswash/', 'downloader/response_count', 'memusage'))}, default=str))\n"
    )
    started = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    elapsed = time.perf_counter() - started
    return elapsed, json.loads(out.stdout.strip().splitlines()[-1])


def run_offline(saved: Path, out: Path, jobs: int) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "scraper.cli", "clean", str(saved), "-o", str(out), "--jobs", str(jobs),
                    "--quiet", "--no-progress"], cwd=REPO, check=False)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="presswash-crawlbench-"))
    try:
        saved = build_site(tmp, args.pages)
        with SiteServer(tmp / "site") as server:
            crawl_s, stats = run_crawl(server.base_url, tmp / "bench.db", args.workers)
            served = sum(1 for path, status in server.hits if path.startswith("/a/") and status == 200)
        crawl_peak = children_peak_mb()
        offline_s = run_offline(saved, tmp / "offline.jsonl", args.workers)
        articles = stats.get("presswash/articles_new", 0)
        errors = stats.get("presswash/process_errors", 0) + stats.get("presswash/fetch_errors", 0)
        crawl_rate, offline_rate = args.pages / crawl_s, args.pages / offline_s
        ratio = crawl_rate / offline_rate
        print(f"pages: {args.pages} ({served} article pages served), workers: {args.workers}, cores: {os.cpu_count()}")
        print("| run | wall s | pages/s |")
        print("|---|---|---|")
        print(f"| presswash crawl (loopback, sitemap) | {crawl_s:.1f} | {crawl_rate:.1f} |")
        print(f"| presswash clean --jobs {args.workers} (same pages on disk) | {offline_s:.1f} | {offline_rate:.1f} |")
        print(f"crawl / offline rate: {ratio:.2f} (target >= 0.85: {'met' if ratio >= 0.85 else 'NOT met'})")
        print(f"crawl: {articles} articles stored, {errors} errors; "
              f"peak memory of the crawl process tree (largest single process): {crawl_peak:.0f} MB")
        return 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
