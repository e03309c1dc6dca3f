"""Helpers for the crawl tests: loopback fixture sites, crawls in subprocesses, and store inspection.

Every crawl is a real Scrapy crawl against ``scraper.crawl.siteserver.SiteServer`` on 127.0.0.1. Scrapy's reactor
cannot be restarted in one process, so each crawl runs as ``presswash crawl`` (or ``scrapy crawl``) in a
subprocess, while the server runs in the pytest process and records every request it serves. A test that
crawls twice keeps one server (one port) for both runs, since URLs key the store.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import pytest

from scraper.crawl.siteserver import SiteServer

ROOT = Path(__file__).resolve().parents[2]
SITES = ROOT / "fixtures" / "sites"
NEWSROOM = SITES / "newsroom"
WIRE = SITES / "wire"
REPOST = SITES / "repost"  # a blog that reposts one newsroom story (the demo's story link)
VENV_BIN = Path(sys.executable).parent
PRESSWASH = str(VENV_BIN / "presswash") if (VENV_BIN / "presswash").exists() else "presswash"
SCRAPY = str(VENV_BIN / "scrapy") if (VENV_BIN / "scrapy").exists() else "scrapy"

# Tests need no politeness towards their own loopback server: no delays, quick retries, quiet logs.
FAST = {"DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_ENABLED": "False", "RETRY_BACKOFF_BASE": "0.05",
        "LOG_LEVEL": "WARNING"}

# The subprocess runs this checkout's code, whatever is installed.
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep),
       "PYTHONIOENCODING": "utf-8"}

# The five articles of the newsroom site, by canonical path.
NEWSROOM_ARTICLES = {
    "/2026/11/20/harbour-ferry-strike-ends.html": "Harbour ferry strike ends after nine days",
    "/2026/11/19/library-stays-open-on-sundays.html": "Library stays open on Sundays after council vote",
    "/2026/11/18/new-tram-line-opens.html": "New tram line opens to the airport",
    "/2026/11/17/river-clean-up-volunteers.html": "Volunteers pull tonnes of waste from the river",
    "/news/market-hall-reopens-after-restoration.html": "Market hall reopens after restoration",
}


@dataclass
class Crawl:
    code: int
    stdout: str
    stderr: str


def settings_args(settings: dict[str, Any] | None = None, fast: bool = True) -> list[str]:
    merged = {**(FAST if fast else {}), **(settings or {})}
    return [arg for name, value in merged.items() for arg in ("-s", f"{name}={value}")]


def crawl_cmd(*args: str | Path, store: Path, settings: dict[str, Any] | None = None, fast: bool = True) -> list[str]:
    return [PRESSWASH, "crawl", "--store", str(store), *map(str, args), *settings_args(settings, fast)]


def crawl(*args: str | Path, store: Path, settings: dict[str, Any] | None = None, fast: bool = True,
          stdin: bytes = b"", cwd: Path | None = None, timeout: float = 90) -> Crawl:
    """``presswash crawl --store STORE ARGS`` to the end, in a subprocess."""
    proc = subprocess.run(crawl_cmd(*args, store=store, settings=settings, fast=fast), input=stdin,
                          capture_output=True, timeout=timeout, env=ENV, cwd=cwd)
    out, err = proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace")
    assert "Traceback" not in err, err
    assert "presswash crawl:" in err, err  # the summary
    assert "stopped:" not in err, err  # the crawl finished normally
    return Crawl(proc.returncode, out, err)


def start_crawl(*args: str | Path, store: Path, settings: dict[str, Any] | None = None,
                log: Path | None = None) -> subprocess.Popen:
    """A crawl in the background, in its own process group (so a signal can reach its workers too)."""
    err = open(log, "wb") if log else subprocess.DEVNULL
    try:
        return subprocess.Popen(crawl_cmd(*args, store=store, settings=settings), stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=err, env=ENV, start_new_session=True)
    finally:
        if log:
            err.close()


def presswash(*args: str | Path, cwd: Path | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    proc = subprocess.run([PRESSWASH, *map(str, args)], capture_output=True, timeout=timeout, env=ENV, cwd=cwd,
                          text=True, encoding="utf-8")
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


# the site server ---------------------------------------------------------------------------------------
@pytest.fixture
def serve() -> Callable[..., SiteServer]:
    """``serve(folder, delay=0, gate=False)``: a SiteServer on a free loopback port, stopped after the test."""
    servers: list[SiteServer] = []

    def start(folder: Path, delay: float = 0.0, gate: bool = False) -> SiteServer:
        server = SiteServer(folder, port=0, delay=delay, gate=gate).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


def copy_site(site: Path, dest: Path) -> Path:
    shutil.copytree(site, dest)
    return dest


def article_hits(server: SiteServer, status: int | None = 200) -> list[str]:
    """Paths of article pages the server answered (with ``status``; None for any)."""
    return [path for path, st in list(server.hits)
            if path.endswith(".html") and path.count("/") >= 3 and (status is None or st == status)]


# the store ---------------------------------------------------------------------------------------------
def query(store: Path, sql: str, params: tuple = ()) -> list[tuple]:
    """Read the store with plain sqlite3 (it may be in use by a running crawl: WAL lets us read)."""
    db = sqlite3.connect(f"file:{store}?mode=ro", uri=True, timeout=30)
    try:
        return db.execute(sql, params).fetchall()
    finally:
        db.close()


def stored_articles(store: Path) -> dict[str, dict]:
    """Canonical URL -> the latest record, with the revision number."""
    out = {}
    for url, blob, revision in query(store, "SELECT url, record, revision FROM articles"):
        record = json.loads(blob)
        record["revision"] = revision
        out[url] = record
    return out


def errors(store: Path) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for url, reason in query(store, "SELECT url, reason FROM errors ORDER BY id"):
        out.setdefault(url, []).append(reason)
    return out


def runs(store: Path) -> list[tuple[str, dict | None]]:
    return [(status, json.loads(stats) if stats else None)
            for status, stats in query(store, "SELECT status, stats FROM runs ORDER BY id")]


def read_jsonl(path: Path) -> list[dict]:
    data = path.read_bytes()
    assert not data or data.endswith(b"\n"), "the JSON Lines file ends in a torn line"
    return [json.loads(line) for line in data.decode("utf-8").splitlines()]


# generated sites ---------------------------------------------------------------------------------------
_TOWNS = ["Northam", "Eastbury", "Westcliff", "Southport", "Kingsbridge", "Millbrook", "Ashford", "Redhill",
          "Stonebay", "Fairmoor", "Oakhaven", "Pinecrest", "Brookfield", "Seagate", "Highmoor", "Lowmarsh"]
_TOPICS = ["a new bus depot", "the harbour wall", "school meals", "a cycle lane", "the night market",
           "flood defences", "a library extension", "street lighting", "the swimming pool", "parking fees",
           "a housing plan", "the town hall roof", "recycling rounds", "a youth centre", "the ferry pier"]
_NUMBERS = ["two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"]


def article_page(i: int, extra_head: str = "", extra_body: str = "") -> str:
    """A distinct news article (number ``i``) with enough text for extraction."""
    town, topic = _TOWNS[i % len(_TOWNS)], _TOPICS[(i * 7) % len(_TOPICS)]
    other = _TOWNS[(i * 5 + 3) % len(_TOWNS)]
    n1, n2 = _NUMBERS[i % len(_NUMBERS)], _NUMBERS[(i * 3 + 1) % len(_NUMBERS)]
    title = f"{town} council backs {topic} in vote number {i}"
    paragraphs = [
        f"Councillors in {town} voted on Tuesday to back {topic}, ending a dispute that had run for {n1} "
        f"months and divided the ruling group. This is report {i} from the council chamber.",
        f"Supporters said {topic} would serve residents for decades, while opponents argued that the money "
        f"would be better spent on repairs that have waited since the {n2} storms of last winter.",
        f"Officials from neighbouring {other} attended the meeting and said they would watch closely, since "
        f"their own council is due to consider a similar proposal before the end of the year.",
        f"The final cost will be published next month. Residents can comment on the plans at the library "
        f"in {town} or by writing to the council offices, which will reply to every letter.",
    ]
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{title} | Gazette</title>\n'
            f'<meta property="og:type" content="article">{extra_head}</head>\n'
            f'<body><nav><a href="/">Home</a></nav>\n<article><h1>{title}</h1>\n{body}\n{extra_body}</article>\n'
            f"<footer><p>The Gazette</p></footer></body></html>\n")


def make_site(folder: Path, count: int, crawl_delay: float | None = None) -> list[str]:
    """A site of ``count`` articles listed in a sitemap named by robots.txt; returns the article paths."""
    folder.mkdir(parents=True, exist_ok=True)
    delay_line = f"Crawl-delay: {crawl_delay}\n" if crawl_delay else ""
    (folder / "robots.txt").write_text(f"User-agent: *\nDisallow: /private/\n{delay_line}"
                                       "Sitemap: {{BASE}}/sitemap.xml\n")
    paths = []
    for i in range(count):
        path = f"/2026/11/{1 + i % 28:02d}/council-vote-number-{i}.html"
        file = folder / path.lstrip("/")
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(article_page(i), encoding="utf-8")
        paths.append(path)
    urls = "\n".join(f"  <url><loc>{{{{BASE}}}}{p}</loc></url>" for p in paths)
    (folder / "sitemap.xml").write_text('<?xml version="1.0" encoding="UTF-8"?>\n'
                                        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
                                        f"{urls}\n</urlset>\n")
    return paths


# a real Redis server, for crawls that share a frontier (tests/crawl/test_frontier.py)
from tests.services.redis import frontier, redis_server  # noqa: E402,F401


@pytest.fixture
def group_reaper():
    """Kills the process groups a test started, whatever happened to the test."""
    groups: list[int] = []
    yield groups.append
    for pgid in groups:
        try:
            os.killpg(pgid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
