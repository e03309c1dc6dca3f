"""A big sitemap: how soon the first article request goes out, and how much memory the crawl process holds.

    python benchmarks/big_sitemap.py                       # 100,000 URLs, this checkout's code
    python benchmarks/big_sitemap.py --code /path/to/other/checkout   # the same against other code

A loopback site serves robots.txt and a generated sitemap of N URLs (about 5.8 MB for 100,000); the first
PAGES of them are real article pages. `presswash crawl --sitemap …/robots.txt` runs in a subprocess, without
delays, and stops after PAGES responses (CLOSESPIDER_PAGECOUNT). Prints the seconds from the crawl's start to
the first article request the server saw, the sitemap's size, the crawl process's peak RSS (VmHWM, read from
/proc while it runs) and its wall time. Targets (issue 10): first article request within 5 s, under 250 MB.
Asserts nothing; not part of the test suite. Linux only (/proc).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from scraper.crawl.siteserver import SiteServer  # noqa: E402
from tests.crawl.conftest import article_page  # noqa: E402


def build_site(folder: Path, urls: int, pages: int) -> int:
    """robots.txt, a sitemap of ``urls`` URLs and the first ``pages`` of them as articles; the sitemap's bytes."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "robots.txt").write_text("User-agent: *\nSitemap: {{BASE}}/sitemap.xml\n")
    for i in range(pages):
        file = folder / "news" / f"story-{i}.html"
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(article_page(i), encoding="utf-8")
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    lines += [f"<url><loc>{{{{BASE}}}}/news/story-{i}.html</loc><lastmod>2026-11-20</lastmod></url>"
              for i in range(urls)]
    lines.append("</urlset>")
    data = "\n".join(lines) + "\n"
    (folder / "sitemap.xml").write_text(data)
    return len(data)


def peak_rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--urls", type=int, default=100_000, help="URLs in the sitemap (default %(default)s)")
    parser.add_argument("--pages", type=int, default=30, help="responses before the crawl stops (default %(default)s)")
    parser.add_argument("--code", type=Path, default=REPO, help="the checkout whose code crawls (default: this one)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="presswash-big-sitemap-") as tmp:
        site = Path(tmp) / "site"
        size = build_site(site, args.urls, args.pages)
        server = SiteServer(site, port=0).start()
        env = {**os.environ, "PYTHONPATH": str(args.code.resolve())}
        cmd = [sys.executable, "-m", "scraper.cli", "crawl", "--store", str(Path(tmp) / "big.db"),
               "--sitemap", f"{server.base_url}/robots.txt",
               "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "LOG_LEVEL=WARNING",
               "-s", f"CLOSESPIDER_PAGECOUNT={args.pages}", "-s", "PRESSWASH_WORKERS=1"]
        start = time.monotonic()
        proc = subprocess.Popen(cmd, env=env, cwd=args.code, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        peak = 0.0
        while proc.poll() is None:
            peak = max(peak, peak_rss_mb(proc.pid) or 0.0)
            time.sleep(0.05)
        wall = time.monotonic() - start
        stderr = proc.stderr.read().decode("utf-8", "replace")
        server.stop()
        first = next((hit.time for hit in server.log if hit.path.startswith("/news/")), None)
        print(f"code: {args.code}")
        print(f"sitemap: {args.urls} URLs, {size / 1e6:.1f} MB; crawl stopped after {args.pages} responses "
              f"(exit {proc.returncode})")
        print(f"first article request: {first - start:.2f} s after the crawl started" if first is not None
              else "first article request: none")
        print(f"crawl process peak RSS: {peak:.0f} MB; wall time {wall:.1f} s")
        if "Traceback" in stderr:
            print(stderr[-2000:])


if __name__ == "__main__":
    main()
