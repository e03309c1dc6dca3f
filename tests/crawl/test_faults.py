"""A crawl against a hostile server (fixtures/sites/hostile, faults in its _routes.toml): every fault ends as
an error with a reason that names it, the good articles are stored, no local file is read (an XXE feed and
sitemap, and a redirect to file://, point at a canary file), and the crawl's processes stay within a
memory limit while a gzip bomb inflates towards 1 GB.

One crawl serves every assertion (a module fixture): it takes about 10 s, most of it the slow page's three
timeouts and the Retry-After waits.
"""

from __future__ import annotations

import itertools
import os
import secrets
import sqlite3
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from scraper.crawl.siteserver import SiteServer

from .conftest import (
    ENV,
    SITES,
    copy_site,
    crawl_cmd,
    errors,
    read_jsonl,
    runs,
    stored_articles,
)

HOSTILE = SITES / "hostile"
# The whole crawl: the Scrapy process, the fork server and its extraction workers, each process's RSS summed
# (pages they share count once per process). 504 MiB measured before issue 14; each worker then took datasketch
# and the scipy it imports, about 50 MiB (607 MiB); the fork server now also parses the rule packs before it
# forks the workers, and the packs grew (651 MiB on 2026-11-29, 645 without the fork server's packs); it also
# reads jusText's stoplists for its forks, about 30 MiB that the fork server and each worker count in their RSS
# though they share them (750 MiB under load on 2026-11-30; the proportional sum fell). The bombs inflate to
# 1 GB each, so the limit still catches one read whole.
MEMORY_LIMIT_MB = 820
MAX_BYTES = 2 * 1024 * 1024  # DOWNLOAD_MAXSIZE for this crawl; the bombs inflate to 1 GB
SETTINGS = {"DOWNLOAD_TIMEOUT": 2, "DOWNLOAD_MAXSIZE": MAX_BYTES, "DOWNLOAD_WARNSIZE": MAX_BYTES // 2,
            "REDIRECT_MAX_TIMES": 2, "CONCURRENT_REQUESTS_PER_DOMAIN": 8, "LOG_LEVEL": "DEBUG"}

GOOD = ["/2026/11/20/harbour-council-backs-plan.html", "/2026/11/20/second-good-story-stays.html",
        "/2026/11/20/third-good-story-stays.html", "/2026/11/21/busy-then-fine.html"]
UTF8_DECLARED_LATIN1 = "/2026/11/21/cafe-owners-say-merci.html"  # UTF-8 bytes, declared ISO-8859-1
LATIN1_DECLARED_UTF8 = "/2026/11/21/declared-utf8-sent-latin1.html"  # ISO-8859-1 bytes, declared UTF-8
P = "/2026/11/22/"


@dataclass
class HostileCrawl:
    server: SiteServer
    base: str
    store: Path
    out: Path
    code: int
    log: str
    wall: float
    peak_mb: float
    canary: str


def tree_rss_kb(root: int) -> int:
    """Resident memory of ``root`` and all its descendants (KiB), from /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                stat = Path(f"/proc/{entry.name}/stat").read_bytes()
            except OSError:
                continue
            ppid = int(stat[stat.rindex(b")") + 2:].split()[1])  # the command name may hold ")"
            children.setdefault(ppid, []).append(int(entry.name))
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        todo += children.get(pid, [])
        try:
            total += int(Path(f"/proc/{pid}/statm").read_bytes().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024
        except (OSError, IndexError, ValueError):
            pass
    return total


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> HostileCrawl:
    tmp = tmp_path_factory.mktemp("hostile")
    canary = tmp / "canary.txt"
    secret = f"CANARY-{secrets.token_hex(12)}"
    canary.write_text(secret + "\n")
    site = copy_site(HOSTILE, tmp / "site")
    for file in site.rglob("*"):  # the XXE entities and the file:// redirect point at the canary
        if file.is_file() and b"{{CANARY}}" in file.read_bytes():
            file.write_bytes(file.read_bytes().replace(b"{{CANARY}}", str(canary).encode()))
    server = SiteServer(site).start()
    base = server.base_url
    store, out = tmp / "hostile.db", tmp / "hostile.jsonl"
    # The home page names five feeds (<link rel="alternate">); robots.txt names the sitemap index.
    cmd = crawl_cmd("--feed", f"{base}/", "--sitemap", f"{base}/robots.txt", "-o", out, store=store,
                    settings=SETTINGS)
    started = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=ENV)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_rss_kb(proc.pid))
            done.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        log, _ = proc.communicate(timeout=120)
    finally:
        done.set()
        sampler.join()
        if proc.poll() is None:
            proc.kill()
    wall = time.monotonic() - started
    yield HostileCrawl(server, base, store, out, proc.returncode, log.decode("utf-8", "replace"), wall,
                       peak / 1024, secret)
    server.stop()


def test_the_crawl_finishes_and_keeps_the_good_articles(hostile):
    assert "Traceback" not in hostile.log, hostile.log[-5000:]
    assert "stopped:" not in hostile.log and "presswash crawl:" in hostile.log
    assert hostile.code == 1  # pages failed, and the exit status says so
    assert [status for status, _ in runs(hostile.store)] == ["finished"]
    assert hostile.wall < 60, hostile.wall
    articles = stored_articles(hostile.store)
    base = hostile.base
    assert set(articles) == {base + p for p in GOOD + [UTF8_DECLARED_LATIN1, LATIN1_DECLARED_UTF8]}
    for path in GOOD:
        assert articles[base + path]["word_count"] > 50 and articles[base + path]["error"] is None


def test_every_fault_is_an_error_with_a_reason(hostile):
    base = hostile.base
    errs = errors(hostile.store)
    reason = {url: reasons[0] for url, reasons in errs.items()}
    assert all(len(r) == 1 for r in errs.values()), errs
    expected = {
        # network faults (retried twice, then recorded)
        P + "slow-story.html": "DownloadTimeoutError: Getting " + base + P + "slow-story.html took longer than 2.0 seconds",
        P + "always-busy.html": "HTTP 503",
        P + "server-error.html": "HTTP 500",
        # size limits: declared, streamed, inflated (Content-Encoding and a .xml.gz sitemap)
        P + "huge-story.html": "DownloadCancelledError: Expected to receive 3000000 bytes which is larger than "
                               f"download max size ({MAX_BYTES})",
        P + "endless-story.html": "DownloadCancelledError: the body grew past the size limit, so the download was "
                                  f"cancelled (DOWNLOAD_MAXSIZE is {MAX_BYTES} bytes)",
        P + "gzip-bomb-story.html": f"Ignored response <200 {base}{P}gzip-bomb-story.html> because its body",
        "/bomb-sitemap.xml.gz": f"the sitemap's gzip data decompresses to over DOWNLOAD_MAXSIZE ({MAX_BYTES} bytes)",
        # redirects
        P + "moved-to-a-local-file.html": "HTTP 301: a redirect to a URL that is not http(s), not followed (file://",
        # hostile XML: entities refused (external: XXE; internal: a billion laughs), broken feeds
        "/xxe-feed.xml": "feed: XML entities refused: the DOCTYPE declares 1 (1 external); none was expanded or "
                         "loaded; 1 entries read",
        "/xxe-sitemap.xml": "sitemap: XML entities refused: the DOCTYPE declares 1 (1 external)",
        "/laughs-feed.xml": "feed: XML entities refused: the DOCTYPE declares 10 (0 external)",
        "/laughs-sitemap.xml": "sitemap: XML entities refused: the DOCTYPE declares 10 (0 external)",
        "/broken-feed.xml": "feed: malformed XML (line 2: xmlParseEntityRef: no name",
        "/broken-feed.json": "feed: malformed JSON (",
        # binary files served as text/html
        P + "annual-report": "not a web page or text: the bytes are a PDF document",
        P + "chart-of-the-week": "not a web page or text: the bytes are a PNG image",
    }
    for path, start in expected.items():
        assert reason.get(base + path, "").startswith(start), (path, reason.get(base + path))
    # The reset comes after the headers and 300 bytes: Scrapy sees a body shorter than its Content-Length
    # (or, when the reset overtakes the bytes on a busy machine, a lost connection).
    reset = reason[base + P + "reset-story.html"]
    assert reset.startswith("ResponseDataLossError: the connection was lost or reset before the whole body") \
        or "ConnectionLost" in reset, reset
    assert "exceeded DOWNLOAD_MAXSIZE" in reason[base + P + "gzip-bomb-story.html"]
    assert "during decompression" in reason[base + P + "gzip-bomb-story.html"]
    # The redirect loop fails on the request that would go round again.
    loop = f"{base}{P}redirect-loop-a.html -> {base}{P}redirect-loop-b.html -> {base}{P}redirect-loop-a.html"
    assert reason[base + P + "redirect-loop-b.html"] == f"redirect loop: {loop}"
    # A chain longer than REDIRECT_MAX_TIMES, even one that ends at a good article, fails where it stopped.
    assert reason[base + P + "redirect-chain-3.html"] == (
        f"too many redirects: more than REDIRECT_MAX_TIMES (2), from {base}{P}redirect-chain-1.html")
    # The redirect to another host (127.0.0.2, which nothing serves) fails there; the request guard may refuse
    # it first. Either way the crawl goes on, and nothing from that host is stored.
    elsewhere = [url for url in reason if "127.0.0.2" in url]
    assert len(elsewhere) == 1
    assert not [url for url, record in stored_articles(hostile.store).items()
                if "127.0.0.2" in url + (record["url"] or "") or "moved-to" in url + (record["url"] or "")]
    odd = {base + P + name for name in ("reset-story.html", "redirect-loop-b.html", "redirect-chain-3.html")}
    assert set(reason) == {base + p for p in expected} | odd | set(elsewhere)

    # JSON Lines: one error record per error, with the same reason
    records = read_jsonl(hostile.out)
    assert {r["url"]: r["error"] for r in records if r["error"]} == reason
    assert len([r for r in records if not r["error"]]) == 6


def test_retries_honour_retry_after(hostile):
    log = hostile.server.log

    def answers(path: str) -> list[tuple[float, int]]:
        return [(h.time, h.status) for h in log if h.path == path]

    # Two 503s with Retry-After: 1, then the article: fetched on the third try, each after a full second
    # (the backoff alone would wait 0.05 s and 0.1 s: RETRY_BACKOFF_BASE is 0.05 in the tests).
    busy = answers("/2026/11/21/busy-then-fine.html")
    assert [status for _, status in busy] == [503, 503, 200]
    for path in ("/2026/11/21/busy-then-fine.html", P + "always-busy.html", P + "server-error.html"):
        times = [t for t, _ in answers(path)]
        assert len(times) == 3, path  # RETRY_TIMES = 2
        assert all(b - a >= 0.95 for a, b in itertools.pairwise(times)), (path, times)
    assert len(answers(P + "slow-story.html")) == 3 and len(answers(P + "reset-story.html")) == 3
    # Too large, a bomb, a redirect loop: not worth asking again.
    for path in ("huge-story.html", "endless-story.html", "gzip-bomb-story.html", "redirect-loop-a.html",
                 "redirect-chain-3.html"):
        assert len(answers(P + path)) == 1, path


def test_lying_charsets_still_give_readable_text(hostile):
    articles = stored_articles(hostile.store)
    # UTF-8 bytes declared ISO-8859-1: read as UTF-8, no mojibake
    cafe = articles[hostile.base + UTF8_DECLARED_LATIN1]
    assert cafe["title"] == "Café owners say merci to the night market"
    assert "Zoë Müller" in cafe["text"] and "Brasserie du Pêcheur" in cafe["text"]
    assert "Ã" not in cafe["text"] and "decode-errors" not in cafe["flags"]
    # ISO-8859-1 bytes declared UTF-8: the declaration wins (as in browsers), and the damage is flagged
    crepe = articles[hostile.base + LATIN1_DECLARED_UTF8]
    assert "decode-errors" in crepe["flags"] and "\ufffd" in crepe["text"]
    assert "sellers say merci to the night market" in crepe["title"]


def test_no_local_file_is_read(hostile):
    """The canary's content is nowhere: not in the store (any table, the WAL included), the JSON Lines file
    or the crawl's log (at DEBUG level, which prints every item)."""
    places = {"log": hostile.log, "output": hostile.out.read_text(encoding="utf-8")}
    db = sqlite3.connect(f"file:{hostile.store}?mode=ro", uri=True)
    try:
        places["store"] = "\n".join(db.iterdump())
    finally:
        db.close()
    for file in hostile.store.parent.glob(hostile.store.name + "*"):
        places[file.name] = file.read_bytes().decode("latin-1")
    assert len(places["log"]) > 10_000  # DEBUG: the items were logged
    for name, text in places.items():
        assert hostile.canary not in text, name
    # the XXE feed was read all the same: its entry (a good article) is stored
    assert hostile.base + "/2026/11/20/second-good-story-stays.html" in stored_articles(hostile.store)


def test_memory_stays_within_the_limit(hostile):
    # Each bomb inflates to 1 GB: reading either whole would blow the limit many times over.
    print(f"peak RSS of the crawl's processes: {hostile.peak_mb:.0f} MiB; wall {hostile.wall:.1f} s")
    assert 0 < hostile.peak_mb < MEMORY_LIMIT_MB, hostile.peak_mb
