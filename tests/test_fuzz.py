"""Bounded, deterministic fuzzing of the reading, decoding and extraction pipeline.

Mutated HTML (byte flips, truncation, stray ``<`` ``>`` ``&#`` and NUL bytes, deep nesting, a huge attribute, a
random charset) and mutated WARC files (damaged headers, wrong lengths, broken gzip members), built from the
fixture pages, go through the real readers (``scraper.offline.sources``) and the real Processor in worker processes.
Nothing may escape as an exception, every document gets exactly one outcome (an article, or an error with a
reason), and none may need the time limit: a hang would show as a time-limit error record.
"""

from __future__ import annotations

import gzip
import io
import random
from pathlib import Path

import pytest

from scraper.offline.batch import process_pages
from scraper.core.decoding import decode
from scraper.core.document import Page
from scraper.core.process import Options
from scraper.offline.sources import iter_pages
from scraper.offline.sources.warc import is_warc_name
from tests.conftest import PAGES, WarcRecord, english_page, processor, write_warc

SEED = 20261122
HTML_DOCS = 300
WARC_FILES = 60

CHARSETS = ["utf-8", "utf-16", "utf-32", "utf-7", "shift_jis", "iso-2022-jp", "euc-kr", "gb2312", "big5",
            "koi8-r", "windows-1256", "x-user-defined", "latin1", "bogus-charset", "", "utf-8\x00", "'utf-8",
            "iso-8859-1; charset=utf-16", "unicode-1-1-utf-8", "cp037"]
INSERTS = [b"<", b">", b"&#", b"&#x", b"&#99999999999;", b"&#x110000;", b"\x00", b"<!--", b"-->", b"<![CDATA[",
           b"</", b"<script>", b"<style>", b"\xff\xfe", b"\xef\xbb\xbf", b"\xc3", b"\xe2\x80", b"<?xml ?>",
           b"<p", b'"', b"'", b"=", b"<meta charset=utf-16>", b"<html lang='\x00'>", b"\r", b"\x1b$B"]


def base_pages() -> list[bytes]:
    pages = [p.read_bytes() for p in sorted(PAGES.iterdir()) if p.suffix != ".txt"]
    return pages + [english_page("FUZZ").encode()]


def mutate_html(rng: random.Random, body: bytes) -> bytes:
    data = bytearray(body)
    for _ in range(rng.randint(1, 4)):
        how = rng.randrange(9)
        pos = rng.randrange(len(data) + 1)
        if how == 0:  # flip some bytes
            for _ in range(rng.randint(1, 20)):
                if data:
                    data[rng.randrange(len(data))] = rng.randrange(256)
        elif how == 1:  # cut
            del data[pos:]
        elif how == 2:
            data[pos:pos] = rng.choice(INSERTS) * rng.randint(1, 50)
        elif how == 3:  # deep nesting
            tag = rng.choice([b"div", b"a", b"b", b"table", b"li", b"span", b"font", b"p"])
            depth = rng.choice([50, 300, 3000])
            data[pos:pos] = b"<" + tag + b">" * 1 + (b"<" + tag + b">") * depth
        elif how == 4:  # a huge attribute
            data[pos:pos] = b'<div class="' + b"share-box " * rng.choice([100, 20_000]) + b'">x</div>'
        elif how == 5:  # a charset
            data[pos:pos] = b'<meta charset="' + rng.choice(CHARSETS).encode() + b'">'
        elif how == 6:  # a long line of one word
            data[pos:pos] = b"<p>" + b"x" * rng.choice([1000, 100_000]) + b"</p>"
        elif how == 7:  # splice in part of itself
            start = rng.randrange(len(data) + 1)
            data[pos:pos] = data[start:start + rng.randint(1, 500)]
        else:  # random bytes
            data[pos:pos] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 64)))
    return bytes(data)


def warc_bytes(tmp: Path, rng: random.Random, pages: list[bytes], gz: bool) -> bytes:
    records = [WarcRecord("warcinfo")]
    for i in range(rng.randint(1, 3)):
        records.append(WarcRecord("request", url=f"https://news.example/{i}"))
        records.append(WarcRecord("response", url=f"https://news.example/{i}", body=rng.choice(pages),
                                  content_type=f"text/html; charset={rng.choice(CHARSETS)}"))
    path = write_warc(tmp / "one.warc", records, gzip=gz)
    return path.read_bytes()


def mutate_warc(rng: random.Random, data: bytes, gz: bool) -> bytes:
    data = bytearray(data)
    how = rng.randrange(7)
    if how == 0:  # cut anywhere
        del data[rng.randrange(len(data)):]
    elif how == 1 and not gz:  # a wrong Content-Length
        text = bytes(data)
        at = text.find(b"Content-Length: ", rng.randrange(len(text)))
        at = at if at >= 0 else text.find(b"Content-Length: ")
        end = text.find(b"\r\n", at)
        data[at + 16:end] = str(rng.choice([0, 1, 10, 99999, 2 ** 40])).encode()
    elif how == 2:  # flip bytes (in the gzip stream, or in the headers)
        for _ in range(rng.randint(1, 8)):
            data[rng.randrange(len(data))] = rng.randrange(256)
    elif how == 3:  # garbage between records
        pos = rng.randrange(len(data))
        data[pos:pos] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 200)))
    elif how == 4:  # a damaged header line
        text = bytes(data)
        for name in (b"WARC-Type: ", b"WARC-Record-ID: ", b"HTTP/1.1 ", b"Content-Type: "):
            at = text.find(name)
            if at >= 0 and rng.random() < 0.5:
                data[at:at + len(name)] = bytes(rng.randrange(32, 127) for _ in name)
    elif how == 5 and gz:  # one member replaced by its plain bytes
        data = bytearray(gzip.decompress(bytes(data))[: rng.randrange(1, 4000)]) + data[-200:]
    else:  # a body mutated like the HTML above, inside a valid record
        pass
    return bytes(data)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    rng = random.Random(SEED)
    d = tmp_path_factory.mktemp("fuzz")
    pages = base_pages()
    names = []
    for i in range(HTML_DOCS):
        body = mutate_html(rng, rng.choice(pages))
        suffix = rng.choice([".html", ".htm", "", ".txt", ".html.gz"])
        if suffix.endswith(".gz"):
            packed = gzip.compress(body)
            body = packed[: rng.randrange(len(packed) + 1)] if rng.random() < 0.3 else packed
        path = d / f"doc{i:03d}{suffix}"
        path.write_bytes(body)
        names.append(path)
    for i in range(WARC_FILES):
        gz = rng.random() < 0.5
        mutated_pages = [mutate_html(rng, p) if rng.random() < 0.5 else p for p in pages]
        data = mutate_warc(rng, warc_bytes(d, rng, mutated_pages, gz), gz)
        path = d / f"arc{i:03d}.warc{'.gz' if gz else ''}"
        path.write_bytes(data)
        names.append(path)
    (d / "one.warc").unlink()
    return d, names


def test_mutated_documents_each_end_in_one_outcome_without_a_hang(corpus):
    folder, files = corpus
    outcomes = list(process_pages(iter_pages([str(folder)]), Options(time_limit=20), jobs=2))
    sources = [o.source for o in outcomes]
    assert len(sources) == len(set(sources)), "a document gave two outcomes"
    by_file: dict[str, int] = {}
    for source in sources:
        name = source.split("#")[0]
        by_file[name] = by_file.get(name, 0) + 1
    for path in files:
        count = by_file.get(str(path), 0)
        if is_warc_name(path.name):
            assert count >= 1, f"{path.name} vanished without a record"
        else:
            assert count == 1, f"{path.name}: {count} outcomes"
    assert len(by_file) == len(files)
    for outcome in outcomes:
        if outcome.ok:
            assert outcome.text.strip() and outcome.word_count == len(outcome.text.split())
        else:
            assert outcome.error and outcome.error.strip()
            assert "time limit" not in outcome.error, f"{outcome.source}: {outcome.error}"
            assert "worker process died" not in outcome.error, f"{outcome.source}: {outcome.error}"
            assert not outcome.error.startswith("internal error"), f"{outcome.source}: {outcome.error}"
    assert sum(o.ok for o in outcomes) > len(files) // 4  # the mutations leave many pages readable


def test_decoding_never_raises_on_mutated_bytes():
    rng = random.Random(SEED + 1)
    pages = base_pages()
    for _ in range(300):
        body = mutate_html(rng, rng.choice(pages))
        header = rng.choice([None, "text/html", f"text/html; charset={rng.choice(CHARSETS)}",
                             f"text/html; charset=\"{rng.choice(CHARSETS)}\"", "charset="])
        decoded = decode(body, header, is_html=rng.random() < 0.8)
        assert isinstance(decoded.text, str) and decoded.encoding
        io.StringIO(decoded.text)  # a real str, whatever came in


def test_control_characters_xml_forbids_do_not_cost_the_article():
    # Found by the fuzzing above: a stray \x1f in a paragraph made lxml refuse the text trafilatura's
    # fallback extractor set, and the page ended as an "internal error".
    page = english_page("CTRL").replace("crowded carriages", "crowded\x1f carriages").replace("hour-long", "hour\x0b-long")
    outcome = processor(Options())(Page(body=page.encode(), source="ctrl.html"))
    assert outcome.ok, outcome.error
    assert "crowded carriages" in outcome.text and "CTRL" in outcome.text


def test_mutated_html_in_fast_mode_never_trips_the_content_scorer():
    # --mode fast reads most pages with presswash's own scorer (scraper/core/content.py): the same mutations
    # must end as an article or a plain error, never an internal error.
    rng = random.Random(SEED + 2)
    pages = base_pages()
    process = processor(Options(mode="fast"))
    kinds = set()
    for i in range(150):
        outcome = process(Page(body=mutate_html(rng, rng.choice(pages)), source=f"fast{i}.html", kind="html"))
        if outcome.ok:
            assert outcome.text.strip()
            kinds.add(outcome.extractor["mode"])
        else:
            assert not outcome.error.startswith("internal error"), outcome.error
    assert "scorer" in kinds  # the scorer did read some of them
