"""Shared helpers: the fixture pages, page builders, WARC writing, and two ways to run the real CLI.

``call_main`` (also the ``run_main`` fixture) calls ``scraper.cli.main`` in this process (fast); ``run_cli``
starts ``presswash`` as a subprocess (for stdin, exit codes seen by a shell, and worker processes).
Test modules import these helpers with ``from tests.conftest import ...``.
"""

from __future__ import annotations

import contextlib
import functools
import io
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from scraper.cli import main
from scraper.core.process import Options, Processor

# Real servers the tests start for themselves (fixtures postgresql_server, postgresql_url).
pytest_plugins = ["tests.services.postgresql"]

ROOT = Path(__file__).resolve().parent.parent
PAGES = ROOT / "fixtures" / "pages"
VENV_BIN = Path(sys.executable).parent
PRESSWASH = str(VENV_BIN / "presswash") if (VENV_BIN / "presswash").exists() else "presswash"

# Words each fixture's clean text must contain, so a test can tell a good document came out whole.
HARBOUR = PAGES / "harbour-bridge.html"
HARBOUR_WORDS = ("corroded steel inside the main piers", "final load test in the summer")
LIBRARY = PAGES / "library-vote.htm"
LIBRARY_WORDS = ("keep the central library open on Sundays", "street lighting and grass cutting")
FERRY = PAGES / "ferry-strike.txt"
FERRY_WORDS = ("stranded at the mainland port", "both blamed the other")
COUNCIL = PAGES / "council-budget"  # HTML with no extension: sniffed
COUNCIL_WORDS = ("nieuwe sporthal", "Eva de Groot")


@dataclass
class Run:
    code: int
    records: list[dict]
    stdout: str
    stderr: str

    def by_source(self) -> dict[str, dict]:
        return {r["source"]: r for r in self.records}

    def one(self, source: str | Path) -> dict:
        matches = [r for r in self.records if r["source"] == str(source)]
        assert len(matches) == 1, f"expected one record for {source}, got {[r['source'] for r in self.records]}"
        return matches[0]


def parse_jsonl(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def run_cli(*args: str | Path, stdin: bytes | None = None, cwd: Path | None = None, timeout: float = 120) -> Run:
    """``presswash ARGS`` in a subprocess."""
    proc = subprocess.run([PRESSWASH, *map(str, args)], input=stdin if stdin is not None else b"",
                          capture_output=True, cwd=cwd, timeout=timeout,
                          env={**os.environ, "PYTHONIOENCODING": "utf-8"})
    out = proc.stdout.decode("utf-8")
    err = proc.stderr.decode("utf-8", "replace")
    assert "Traceback" not in err, err
    records = parse_jsonl(out) if args and str(args[0]) == "clean" else []
    return Run(proc.returncode, records, out, err)


def call_main(*args: str | Path) -> Run:
    """``scraper.cli.main(ARGS)`` in this process, with stdout and stderr captured."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in args])
    assert "Traceback" not in err.getvalue(), err.getvalue()
    records = parse_jsonl(out.getvalue()) if args and str(args[0]) == "clean" and "-o" not in args else []
    return Run(code, records, out.getvalue(), err.getvalue())


@pytest.fixture
def run_main():
    return call_main


@functools.cache
def processor(options: Options = Options()) -> Processor:
    """One Processor per set of options in this test process, as a batch or crawl worker keeps one for all its
    pages (building one builds its cleaners and their prefilters; the parsed packs are kept per process)."""
    return Processor(options)


# The tests that take longest start first, so that the two test processes finish together: with
# `--dist loadgroup` (pyproject.toml) each process takes the next test in this order when it is free.
# First the reliability tests (the kill loops, the big shared crawls), then the crawls and stores (each runs
# crawls in subprocesses), then the rest, each group in the order pytest collected it.
def _start_order(item: pytest.Item) -> int:
    if item.get_closest_marker("reliability"):
        return 0
    return 1 if item.nodeid.startswith(("tests/crawl/", "tests/store/")) else 2


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=_start_order)


def article_html(paragraphs: list[str], title: str = "A test article", charset: str | None = None,
                 lang: str | None = None, head_extra: str = "", body_extra: str = "") -> str:
    """A plain news page around ``paragraphs``; ``charset`` adds <meta charset>."""
    meta = f'<meta charset="{charset}">' if charset else ""
    lang_attr = f' lang="{lang}"' if lang else ""
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return (f"<!DOCTYPE html>\n<html{lang_attr}>\n<head>{meta}<title>{title}</title>{head_extra}</head>\n"
            f"<body>\n<nav><a href='/'>Home</a> <a href='/news'>News</a></nav>\n"
            f"<article>\n<h1>{title}</h1>\n{body}\n</article>\n{body_extra}\n"
            f"<footer>Contact us</footer>\n</body>\n</html>\n")


ENGLISH_PARAGRAPHS = [
    "The regional rail operator will add twelve new trains to the coastal line next spring, its chief "
    "executive said on Wednesday, ending years of complaints about crowded carriages.",
    "Passenger numbers on the line have risen by a quarter since the pandemic, and commuters have often "
    "had to stand for the whole of the hour-long journey into the city.",
    "The new trains, built at a factory in the north of the country, will run every fifteen minutes at "
    "peak times. Ticket prices will not change this year, the operator said.",
]


def english_page(marker: str = "", title: str = "Coastal line to get twelve new trains") -> str:
    paragraphs = list(ENGLISH_PARAGRAPHS)
    if marker:
        paragraphs.append(f"The operator gave its reference for the plan as {marker} in a short statement.")
    return article_html(paragraphs, title=title, charset="utf-8", lang="en")


@dataclass
class WarcRecord:
    kind: str  # response | request | warcinfo | metadata
    url: str = "https://example.com/"
    body: bytes = b""
    content_type: str | None = "text/html; charset=utf-8"
    status: str = "200 OK"


def write_warc(path: Path, records: list[WarcRecord], gzip: bool | None = None) -> Path:
    """Write a WARC file with warcio; gzipped when the name ends in .gz (or ``gzip`` says so)."""
    gz = path.name.endswith(".gz") if gzip is None else gzip
    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=gz)
        for rec in records:
            if rec.kind == "warcinfo":
                writer.write_record(writer.create_warcinfo_record(path.name, {"software": "presswash tests"}))
            elif rec.kind == "request":
                http = StatusAndHeaders(f"GET {rec.url} HTTP/1.1", [("Host", "example.com")],
                                        is_http_request=True)
                writer.write_record(writer.create_warc_record(rec.url, "request", http_headers=http,
                                                              payload=io.BytesIO(b"")))
            elif rec.kind == "metadata":
                writer.write_record(writer.create_warc_record(rec.url, "metadata", payload=io.BytesIO(rec.body),
                                                              warc_content_type="application/json"))
            else:
                headers = [("Content-Type", rec.content_type)] if rec.content_type else []
                http = StatusAndHeaders(rec.status, headers, protocol="HTTP/1.1")
                writer.write_record(writer.create_warc_record(rec.url, "response", payload=io.BytesIO(rec.body),
                                                              http_headers=http))
    return path


def assert_ok(record: dict, *words: str) -> None:
    assert record["error"] is None, record["error"]
    for w in words:
        assert w in record["text"], f"{w!r} missing from {record['source']}: {record['text'][:300]!r}"
    assert record["word_count"] == len(record["text"].split())


def assert_error(record: dict, *phrases: str) -> None:
    assert record["error"], f"{record['source']} should have failed"
    assert record["text"] is None and record["word_count"] is None
    for p in phrases:
        assert p.lower() in record["error"].lower(), record["error"]
