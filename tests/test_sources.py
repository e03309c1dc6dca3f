"""Where pages come from: files, folders, gzip, WARC and stdin, each checked through the records they give."""

from __future__ import annotations

import gzip
import io

import pytest
from tests.conftest import (
    COUNCIL, COUNCIL_WORDS, FERRY, FERRY_WORDS, HARBOUR, HARBOUR_WORDS, LIBRARY, LIBRARY_WORDS, PAGES,
    WarcRecord, assert_error, assert_ok, call_main, english_page, run_cli, write_warc,
)

from scraper.offline.sources import count_documents, iter_pages
from scraper.offline.sources.files import kind_from_name, stdin_pages
from scraper.offline.sources.warc import warc_pages

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.mark.parametrize("name, kind", [
    ("a.html", "html"), ("a.HTM", "html"), ("a.xhtml", "html"), ("a.html.gz", "html"), ("a.txt", "text"),
    ("a.txt.gz", "text"), ("a", None), ("a.gz", None), ("a.json", None), ("archive.tar.gz", None),
])
def test_kind_from_name(name, kind):
    assert kind_from_name(name) == kind


# --- files and folders --------------------------------------------------------------------------------------

@pytest.fixture
def tree(tmp_path):
    """A folder of mixed inputs, nested, with hidden files and folders that must be skipped."""
    root = tmp_path / "in"
    (root / "b" / "deeper").mkdir(parents=True)
    (root / "a").mkdir()
    (root / ".git").mkdir()
    (root / "a" / "one.html").write_text(english_page("ONE"))
    (root / "b" / "two.htm.gz").write_bytes(gzip.compress(english_page("TWO").encode()))
    (root / "b" / "deeper" / "three").write_text(english_page("THREE"))  # no extension: sniffed
    (root / "b" / "four.txt").write_text(FERRY.read_text())
    (root / "b" / "five.txt.gz").write_bytes(gzip.compress(FERRY.read_bytes()))
    (root / ".git" / "config.html").write_text(english_page("HIDDEN"))
    (root / "a" / ".hidden.html").write_text(english_page("HIDDEN"))
    (root / "a" / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    (root / "Thumbs.db").write_bytes(b"\xd0\xcf\x11\xe0")
    return root


def test_folder_is_walked_recursively_in_a_stable_order(tree):
    run = call_main("clean", tree)
    # A folder's files (sorted), then its subfolders (sorted).
    expected = [tree / "a" / "one.html", tree / "b" / "five.txt.gz", tree / "b" / "four.txt",
                tree / "b" / "two.htm.gz", tree / "b" / "deeper" / "three"]
    assert [r["source"] for r in run.records] == [str(p) for p in expected]
    assert run.code == 0
    assert_ok(run.records[0], "ONE")
    assert_ok(run.records[1], *FERRY_WORDS)
    assert_ok(run.records[2], *FERRY_WORDS)
    assert_ok(run.records[3], "TWO")
    assert_ok(run.records[4], "THREE")
    assert "HIDDEN" not in run.stdout


def test_count_documents(tree):
    assert count_documents([str(tree)]) == 5
    assert count_documents([str(HARBOUR), str(tree), "missing.html"]) == 7
    assert count_documents([str(HARBOUR), "-"]) is None
    assert count_documents([str(tree / "x.warc.gz")]) is None


def test_files_folders_and_missing_paths_mixed(tree, tmp_path):
    run = call_main("clean", HARBOUR, tree / "a", tmp_path / "nope", LIBRARY)
    assert [r["source"] for r in run.records] == [str(HARBOUR), str(tree / "a" / "one.html"),
                                                  str(tmp_path / "nope"), str(LIBRARY)]
    assert_error(run.records[2], "no such file")
    assert run.code == 1


def test_source_is_the_path_as_given(monkeypatch):
    monkeypatch.chdir(PAGES.parent)
    run = call_main("clean", "pages/harbour-bridge.html", "./pages/library-vote.htm")
    assert [r["source"] for r in run.records] == ["pages/harbour-bridge.html", "./pages/library-vote.htm"]


def test_the_fixture_pages_come_out_whole_with_metadata():
    run = call_main("clean", HARBOUR, LIBRARY, FERRY, COUNCIL)
    harbour, library, ferry, council = run.records
    assert_ok(harbour, *HARBOUR_WORDS)
    assert harbour["title"] == "Harbour bridge reopens after two years of repairs"
    assert harbour["author"] == "Maria Lindqvist"
    assert harbour["date_published"] == "2024-03-18"
    assert harbour["sitename"] == "The Coastal Herald"
    assert harbour["language"] == "en"
    # No --url: the canonical link is the best URL known.
    assert harbour["url"] == "https://coastal-herald.example/news/2024/harbour-bridge-reopens"
    assert harbour["attribution"] == "news.example.org"
    assert "Share this article" not in harbour["text"] and "Advertisement" not in harbour["text"]
    assert_ok(library, *LIBRARY_WORDS)
    assert library["comment_count"] == 12 and library["images"] == ["IMG_2041.JPG"]
    assert library["url"] is None and library["language"] == "en"
    assert "IMG_2041" not in library["text"]
    assert_ok(ferry, *FERRY_WORDS)
    assert ferry["title"] == "Ferry crews strike over pay for a second week"  # a text dump's headline
    assert ferry["attribution"] == "Reuters"
    assert_ok(council, *COUNCIL_WORDS)
    assert council["language"] == "nl"
    for r in run.records:
        assert set(r) >= {"id", "source", "url", "title", "author", "date_published", "sitename", "language",
                          "text", "word_count", "removed", "attribution", "comment_count", "images", "error"}
        assert all(set(e) == {"rule", "text"} for e in r["removed"])


def test_url_option_sets_the_url(tmp_path):
    (tmp_path / "page.html").write_text(english_page("URL"))
    record = call_main("clean", tmp_path / "page.html", "--url", "https://news.example/rail/1").records[0]
    assert record["url"] == "https://news.example/rail/1" and record["hostname"] == "news.example"


def test_text_dump_with_cjk_first_line_is_not_taken_for_a_headline(tmp_path):
    # A Japanese sentence has no spaces, so it counts as one "word"; its 。 says it is not a headline.
    lines = ["東京都は月曜日、新しい橋の開通式を行った。", "橋の建設には三年かかり、総工費は約四十億円だった。通勤客は朝早くから列を作った。"]
    (tmp_path / "ja.txt").write_text("\n".join(lines))
    record = call_main("clean", tmp_path / "ja.txt").records[0]
    assert_ok(record, "開通式", "四十億円")
    assert record["title"] is None


# --- stdin --------------------------------------------------------------------------------------------------

def test_stdin_pages_unit():
    html = english_page("STDIN").encode()
    [page] = stdin_pages("https://x.example/a", 10**6, io.BytesIO(html))
    assert (page.source, page.url, page.kind, page.body) == ("-", "https://x.example/a", None, html)
    [page] = stdin_pages(None, 10**6, io.BytesIO(gzip.compress(html)))
    assert page.body == html and page.read_error is None
    [page] = stdin_pages(None, 10**6, io.BytesIO(gzip.compress(html)[:50]))
    assert "truncated or damaged gzip" in page.read_error
    # Two gzip members one after the other (`cat a.gz b.gz`): both are read, as gunzip does.
    [page] = stdin_pages(None, 10**6, io.BytesIO(gzip.compress(html[:500]) + gzip.compress(html[500:])))
    assert page.body == html


def test_stdin_html_through_the_cli():
    run = run_cli("clean", "-", "--url", "https://coastal-herald.example/a", stdin=HARBOUR.read_bytes())
    assert run.code == 0
    [record] = run.records
    assert record["source"] == "-" and record["url"] == "https://coastal-herald.example/a"
    assert_ok(record, *HARBOUR_WORDS)
    assert record["title"] == "Harbour bridge reopens after two years of repairs"


def test_stdin_text_and_files_in_one_run():
    # "-" between two files: stdin's record keeps its place; a text dump is sniffed as text.
    run = run_cli("clean", LIBRARY, "-", COUNCIL, stdin=FERRY.read_bytes())
    assert [r["source"] for r in run.records] == [str(LIBRARY), "-", str(COUNCIL)]
    assert_ok(run.records[1], *FERRY_WORDS)
    assert run.records[1]["title"] == "Ferry crews strike over pay for a second week"
    assert_ok(run.records[0], *LIBRARY_WORDS)
    assert_ok(run.records[2], *COUNCIL_WORDS)


def test_empty_stdin_is_an_error_record():
    run = run_cli("clean", "-", HARBOUR, stdin=b"")
    assert run.code == 1
    assert_error(run.one("-"), "empty")
    assert_ok(run.one(HARBOUR), *HARBOUR_WORDS)


# --- WARC ---------------------------------------------------------------------------------------------------

def mixed_records() -> list[WarcRecord]:
    return [
        WarcRecord("warcinfo"),                                                                    # 0
        WarcRecord("request", "https://news.example/rail/1"),                                      # 1
        WarcRecord("response", "https://news.example/rail/1", english_page("WARC-ONE").encode()),  # 2
        WarcRecord("response", "https://news.example/logo.png", PNG, "image/png"),                 # 3
        WarcRecord("response", "https://news.example/gone", english_page("GONE").encode(),
                   status="404 Not Found"),                                                        # 4
        WarcRecord("metadata", "https://news.example/rail/1", b'{"k": 1}'),                        # 5
        WarcRecord("response", "https://news.example/app.js", b"var x = 1;", "application/javascript"),  # 6
        WarcRecord("response", "https://news.example/rail/2", english_page("WARC-TWO").encode(),
                   "application/xhtml+xml"),                                                       # 7
        WarcRecord("response", "https://news.example/rail/3", english_page("WARC-THREE").encode(), None),  # 8
    ]


@pytest.mark.parametrize("name", ["mixed.warc", "mixed.warc.gz"])
def test_warc_html_responses_become_records_and_the_rest_is_skipped(tmp_path, name):
    warc = write_warc(tmp_path / name, mixed_records())
    run = call_main("clean", HARBOUR, warc, LIBRARY)
    assert run.code == 0
    assert [r["source"] for r in run.records] == [
        str(HARBOUR), f"{warc}#2", f"{warc}#7", f"{warc}#8", str(LIBRARY)]
    one, two, three = run.records[1:4]
    assert one["url"] == "https://news.example/rail/1" and one["hostname"] == "news.example"
    assert_ok(one, "WARC-ONE", "twelve new trains")
    assert one["fetched_at"] and one["fetched_at"].startswith("20")
    assert_ok(two, "WARC-TWO")
    assert_ok(three, "WARC-THREE")  # no Content-Type: sniffed as HTML
    assert "GONE" not in run.stdout
    assert_ok(run.records[0], *HARBOUR_WORDS)
    assert_ok(run.records[-1], *LIBRARY_WORDS)


def test_warc_named_otherwise_is_recognised_by_its_bytes(tmp_path):
    warc = write_warc(tmp_path / "crawl.dat", mixed_records()[:3], gzip=False)
    run = call_main("clean", warc)
    assert [r["source"] for r in run.records] == [f"{warc}#2"]


def test_warc_on_stdin(tmp_path):
    # Many gzip members (one per record), and more bytes in all than --max-size allows one document.
    records = mixed_records()[:3] + [WarcRecord("response", f"https://news.example/more/{i}",
                                                english_page(f"MORE-{i}").encode()) for i in range(3)]
    data = write_warc(tmp_path / "s.warc.gz", records).read_bytes()
    assert len(data) > 3000
    run = run_cli("clean", "-", "--max-size", "0.003", stdin=data)
    assert [r["source"] for r in run.records] == ["-#2", "-#3", "-#4", "-#5"]
    assert_ok(run.records[0], "WARC-ONE")
    assert run.records[0]["url"] == "https://news.example/rail/1"
    assert_ok(run.records[3], "MORE-2")
    assert run.code == 0


@pytest.mark.parametrize("name", ["cut.warc", "cut.warc.gz"])
def test_truncated_warc_reports_the_cut_record_and_keeps_the_whole_ones(tmp_path, name):
    whole = write_warc(tmp_path / ("whole" + name[3:]), mixed_records()[:3] + [
        WarcRecord("response", "https://news.example/rail/9", english_page("WARC-LAST").encode())])
    data = whole.read_bytes()
    (tmp_path / name).write_bytes(data[: len(data) - 150])  # inside the last page
    run = call_main("clean", tmp_path / name, HARBOUR)
    assert run.code == 1
    first, cut, harbour = run.records
    assert first["source"] == f"{tmp_path / name}#2"
    assert_ok(first, "WARC-ONE")
    assert cut["source"] == f"{tmp_path / name}#3"
    assert_error(cut, "truncated WARC", "missing")
    assert cut["url"] == "https://news.example/rail/9"
    assert_ok(harbour, *HARBOUR_WORDS)


@pytest.mark.parametrize("ext", ["warc", "warc.gz"])
def test_warc_cut_anywhere_never_crashes_and_never_passes_silently(tmp_path, ext):
    """Cut a WARC at many points: every cut inside a record must show up as an error record."""
    whole = write_warc(tmp_path / f"w.{ext}", mixed_records()[:3] + [
        WarcRecord("response", "https://news.example/rail/9", english_page("WARC-LAST").encode())])
    data = whole.read_bytes()
    target = tmp_path / f"cut.{ext}"
    clean_ends = 0
    for cut in range(1, len(data), 37):
        target.write_bytes(data[:cut])
        pages = list(warc_pages(target, "w", 10**7))  # must not raise
        errors = [p for p in pages if p.read_error]
        if not errors:
            clean_ends += 1
            continue
        assert all(p.source.startswith("w") for p in pages)
    # Only a cut that falls exactly between records can look whole; with a step of 37, almost none do.
    assert clean_ends <= 2


def test_damaged_and_foreign_warc_files(tmp_path):
    (tmp_path / "junk.warc.gz").write_bytes(b"this is not a WARC file at all\n" * 20)
    (tmp_path / "empty.warc").write_bytes(b"")
    (tmp_path / "bad-gzip.warc.gz").write_bytes(b"\x1f\x8b\x08\x00" + b"\xff" * 200)
    write_warc(tmp_path / "images.warc.gz", [
        WarcRecord("request", "https://news.example/logo.png"),
        WarcRecord("response", "https://news.example/logo.png", PNG, "image/png")])
    # Gzipped as one whole instead of one member per record: warcio refuses, and says how to fix it.
    plain = write_warc(tmp_path / "p.warc", mixed_records()[:3]).read_bytes()
    (tmp_path / "one-member.warc.gz").write_bytes(gzip.compress(plain))
    run = call_main("clean", tmp_path / "junk.warc.gz", tmp_path / "empty.warc", tmp_path / "bad-gzip.warc.gz",
                    tmp_path / "images.warc.gz", tmp_path / "one-member.warc.gz", HARBOUR)
    assert len(run.records) == 6
    junk, empty, bad, images, one_member, harbour = run.records
    assert_error(one_member, "damaged", "warcio recompress")
    assert "\n" not in one_member["error"]
    assert_error(junk, "not a WARC file", "WARC/1.x record header")
    assert_error(empty, "not a WARC file", "empty")
    assert_error(bad, "not a WARC file")
    assert_error(images, "no HTML pages", "2 records")
    assert images["source"] == str(tmp_path / "images.warc.gz")
    assert_ok(harbour, *HARBOUR_WORDS)
    assert run.code == 1


def test_warc_record_over_the_size_limit(tmp_path):
    big = english_page("BIG").replace("</body>", "<div hidden>" + "x " * 700_000 + "</div></body>").encode()
    warc = write_warc(tmp_path / "big.warc.gz", [
        WarcRecord("response", "https://news.example/big", big),
        WarcRecord("response", "https://news.example/small", english_page("SMALL").encode())])
    run = call_main("clean", warc, "--max-size", "1")
    big_rec, small = run.records
    assert big_rec["source"] == f"{warc}#0"
    assert_error(big_rec, "the record is over the 1 MB limit", "--max-size")
    assert_ok(small, "SMALL")


def test_iter_pages_reads_lazily(tmp_path):
    # A generator: nothing is read before it is asked for, so a huge folder streams.
    (tmp_path / "a.html").write_text(english_page("A"))
    pages = iter_pages([str(tmp_path / "a.html"), str(tmp_path / "missing.html")])
    first = next(pages)
    assert first.source.endswith("a.html") and first.read_error is None
    second = next(pages)
    assert second.read_error == "no such file"
    assert next(pages, None) is None


def test_a_gz_file_reaches_the_processor_compressed_and_gives_the_plain_files_article(tmp_path):
    # The reading process only checks the gzip magic; the Processor (in a worker) decompresses.
    from scraper.core.process import Processor

    html = (PAGES / "harbour-bridge.html").read_bytes()
    (tmp_path / "plain.html").write_bytes(html)
    (tmp_path / "packed.html.gz").write_bytes(gzip.compress(html))
    plain, packed = sorted(iter_pages([str(tmp_path)]), key=lambda p: p.source, reverse=True)
    assert packed.source.endswith(".gz") and packed.gzipped and packed.body[:2] == b"\x1f\x8b"
    assert not plain.gzipped
    processor = Processor()
    assert processor(packed).text == processor(plain).text


def test_a_cut_gz_file_is_an_error_record_from_the_processor(tmp_path):
    from scraper.core.process import Processor

    (tmp_path / "cut.html.gz").write_bytes(gzip.compress(b"<html><body><p>words</p></body></html>" * 50)[:40])
    page, = iter_pages([str(tmp_path)])
    outcome = Processor()(page)
    assert not outcome.ok and "truncated gzip file" in outcome.error
