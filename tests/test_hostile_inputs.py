"""Careless and hostile inputs (issue 10): file names that are not UTF-8, FIFOs, sockets and devices, UTF-16
and UTF-32 pages, output written inside the input folder, files that are not presswash stores, bad
command-line values, and the modes of output files."""

from __future__ import annotations

import codecs
import json
import os
import socket
import sqlite3
import stat
from pathlib import Path

import pytest
from tests.conftest import (
    HARBOUR, HARBOUR_WORDS, ROOT, WarcRecord, assert_error, assert_ok, call_main, run_cli, write_warc,
)

from scraper import Page, process_page
from scraper.cli import build_parser
from scraper.core.decoding import decode, wide_encoding
from scraper.core.sniffing import binary_kind, sniff_kind
from scraper.sinks.atomic import AtomicFile
from scraper.store import Store, StoreError, check_store

HARBOUR_HTML = HARBOUR.read_text(encoding="utf-8")


def lines_of(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_bytes().decode("utf-8").splitlines()]


# --- file names that are not UTF-8 ----------------------------------------------------------------------------

BAD_NAME = b"caf\xe9 \\x41 r\xe9sum\xe9.html"  # Latin-1 bytes, and a literal backslash that must survive too


def test_a_file_name_that_is_not_utf8_is_escaped_reversibly_in_source(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / os.fsdecode(BAD_NAME)).write_bytes(HARBOUR.read_bytes())
    run = run_cli("clean", folder)  # run_cli decodes stdout as strict UTF-8
    assert run.code == 0, run.stderr
    (record,) = run.records
    assert_ok(record, *HARBOUR_WORDS)
    name = record["source"].rsplit("/", 1)[1]
    assert name == "caf\\xe9 \\\\x41 r\\xe9sum\\xe9.html"
    assert codecs.escape_decode(name.encode("utf-8"))[0] == BAD_NAME

    # The same name given directly (as Python decodes it from argv), and the outputs written to files: all valid
    # UTF-8.
    direct = tmp_path / "direct.jsonl"
    assert call_main("clean", folder / os.fsdecode(BAD_NAME), "-o", direct).code == 0
    assert lines_of(direct)[0]["source"].endswith(name)
    assert call_main("clean", folder, "--format", "txt", "-o", tmp_path / "txt").code == 0
    (meta,) = lines_of(tmp_path / "txt" / "_index.jsonl")
    assert meta["source"] == record["source"]
    for written in os.listdir(os.fsencode(tmp_path / "txt")):
        written.decode("utf-8")  # raises for a file name that is not UTF-8


def test_a_value_that_is_not_utf8_still_gives_valid_utf8_json(tmp_path):
    run = run_cli("clean", HARBOUR, "--url", os.fsdecode(b"https://example.com/caf\xe9"))
    assert run.code == 0
    assert run.records[0]["url"] == "https://example.com/caf\udce9"  # the JSON escape of the lone byte


# --- FIFOs, sockets and devices ---------------------------------------------------------------------------------

def test_fifos_sockets_and_devices_get_an_error_record_and_are_never_opened(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.html").write_bytes(HARBOUR.read_bytes())
    os.mkfifo(folder / "b-pipe.html")  # opening it for reading would block until a writer comes: for ever
    sock = socket.socket(socket.AF_UNIX)
    try:
        sock.bind(str(folder / "c-socket"))
        run = run_cli("clean", folder, "/dev/zero")
    finally:
        sock.close()
    assert run.code == 1
    by_source = run.by_source()
    assert_ok(by_source[str(folder / "a.html")], *HARBOUR_WORDS)
    assert_error(by_source[str(folder / "b-pipe.html")], "not a regular file", "FIFO")
    assert_error(by_source[str(folder / "c-socket")], "not a regular file", "socket")
    zero = by_source["/dev/zero"]
    assert_error(zero, "not a regular file", "character device")
    assert "MB" not in zero["error"]  # not "the file is 0.0 MB, over the limit"


# --- UTF-16 and UTF-32 pages ------------------------------------------------------------------------------------

WIDE = ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"]


@pytest.mark.parametrize("encoding", WIDE)
@pytest.mark.parametrize("bom", [True, False], ids=["bom", "no-bom"])
@pytest.mark.parametrize("name", ["page", "page.html"])
def test_utf16_and_utf32_files_are_articles(tmp_path, encoding, bom, name):
    body = ("\ufeff" if bom else "") + HARBOUR_HTML
    path = tmp_path / name
    path.write_bytes(body.encode(encoding))
    (record,) = call_main("clean", path).records
    assert_ok(record, *HARBOUR_WORDS)
    assert "<" not in record["text"] and "\x00" not in record["text"]


@pytest.mark.parametrize("declared", ["utf-16", "utf-32"])
def test_a_wide_page_declaring_its_charset_in_meta_or_http_is_an_article(declared):
    html = HARBOUR_HTML.replace("<head>", f'<head><meta charset="{declared}">', 1)
    body = html.encode(declared + "-le")
    for headers in ({}, {"content-type": f"text/html; charset={declared}"}):
        outcome = process_page(Page(body=body, source="x", url="https://example.com/a", headers=headers))
        assert outcome.ok, outcome.error
        assert all(w in outcome.text for w in HARBOUR_WORDS)


def test_a_warc_page_served_as_utf32_is_an_article(tmp_path):
    warc = write_warc(tmp_path / "site.warc", [WarcRecord(
        "response", url="https://example.com/bridge", body=HARBOUR_HTML.encode("utf-32-le"),
        content_type="text/html; charset=utf-32")])
    (record,) = call_main("clean", warc).records
    assert_ok(record, *HARBOUR_WORDS)


def test_wide_encoding_is_told_by_the_bom_or_the_nul_pattern_and_nothing_else():
    assert wide_encoding("<p>a</p>".encode("utf-16")) in ("utf-16-le", "utf-16-be")
    assert wide_encoding("<p>hello</p>".encode("utf-32-be")) == "utf-32-be"
    assert wide_encoding("<p>hello</p>".encode("utf-16-le")) == "utf-16-le"
    assert wide_encoding(HARBOUR_HTML.encode("utf-8")) is None
    assert wide_encoding(b"\x00" * 64) is None  # zeros are no text
    assert wide_encoding(bytes(range(256)) * 4) is None
    # What was binary before stays binary, and sniffing still works on bytes of single-byte charsets.
    assert binary_kind(b"\x00\x00\x00\x00" + bytes(range(1, 200))) is not None
    assert binary_kind(HARBOUR_HTML.encode("utf-32-be")) is None
    assert sniff_kind(HARBOUR_HTML.encode("utf-16-be")) == "html"
    assert sniff_kind("\ufeff<html><p>é</p>".encode("utf-8")) == "html"
    assert sniff_kind("Just a line of text\n".encode("utf-16-le")) == "text"
    assert decode("<p>é</p>".encode("utf-16-le"), "text/html; charset=utf-16").text == "<p>é</p>"


# --- the output is never read back --------------------------------------------------------------------------------

def test_a_jsonl_output_inside_the_input_folder_is_not_read_back(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.html").write_bytes(HARBOUR.read_bytes())
    out = folder / "out.jsonl"
    for _ in range(2):
        run = call_main("clean", folder, "-o", out)
        assert run.code == 0, run.stderr
        assert [r["source"] for r in lines_of(out)] == [str(folder / "a.html")]


def test_a_text_folder_inside_the_input_folder_is_not_read_back(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.html").write_bytes(HARBOUR.read_bytes())
    out = folder / "sub"
    for _ in range(2):
        run = call_main("clean", folder, "--format", "txt", "-o", out)
        assert run.code == 0, run.stderr
        assert [r["source"] for r in lines_of(out / "_index.jsonl")] == [str(folder / "a.html")]
    assert sorted(p.name for p in out.iterdir()) == ["_index.jsonl", "a.txt"]


def test_an_output_that_is_an_input_is_refused(tmp_path):
    (tmp_path / "a.html").write_bytes(HARBOUR.read_bytes())
    for args in (["clean", tmp_path / "a.html", "-o", tmp_path / "a.html"],
                 ["clean", tmp_path, "--format", "txt", "-o", tmp_path]):
        run = call_main(*args)
        assert run.code == 2
        assert "write the output somewhere else" in run.stderr
    assert (tmp_path / "a.html").read_bytes() == HARBOUR.read_bytes()


# --- files that are not presswash stores ---------------------------------------------------------------------------

@pytest.fixture
def not_stores(tmp_path) -> dict[str, Path]:
    other = tmp_path / "other_app.db"
    db = sqlite3.connect(other)
    db.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)")
    db.execute("INSERT INTO users (name) VALUES ('ada')")
    db.commit()
    db.close()
    image = tmp_path / "img.png"
    image.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    folder = tmp_path / "somedir"
    folder.mkdir()
    return {"sqlite of another app": other, "image": image, "folder": folder}


def _snapshot(path: Path) -> tuple:
    if path.is_dir():
        return ("dir", sorted(os.listdir(path)), path.stat().st_mtime_ns)
    return (path.read_bytes(), path.stat().st_mtime_ns, sorted(os.listdir(path.parent)))


@pytest.mark.parametrize("command", ["export", "crawl", "mine"])
def test_a_file_that_is_not_a_store_is_refused_untouched(not_stores, tmp_path, command):
    extra = {"export": ["-o", tmp_path / "out.jsonl"], "crawl": ["--feed", "http://127.0.0.1:9/feed.xml"],
             "mine": ["-o", tmp_path / "mined"]}[command]
    for what, path in not_stores.items():
        before = _snapshot(path)
        given = f"{path}/" if path.is_dir() else path
        run = call_main(command, "--store", given, *extra)
        assert run.code == 2, (what, run.stderr)
        assert "presswash store" in run.stderr and str(path) in run.stderr, run.stderr
        assert _snapshot(path) == before, what
    assert not (tmp_path / "out.jsonl").exists() and not (tmp_path / "mined").exists()


def test_check_store_allows_a_new_or_empty_store_and_refuses_other_files(tmp_path, not_stores):
    check_store(tmp_path / "new.db")  # a crawl creates it
    (tmp_path / "empty.db").write_bytes(b"")
    check_store(tmp_path / "empty.db")
    sqlite3.connect(tmp_path / "blank.db").execute("PRAGMA user_version=1").connection.close()
    check_store(tmp_path / "blank.db")  # an SQLite file without tables: a store can be made in it
    for path in [tmp_path / "new.db", tmp_path / "empty.db", tmp_path / "blank.db", *not_stores.values()]:
        with pytest.raises(StoreError):
            check_store(path, read_only=True)
    for path in not_stores.values():
        with pytest.raises(StoreError):
            Store(path)


def test_export_opens_the_store_read_only(tmp_path):
    path = tmp_path / "presswash.db"
    with Store(path) as store:
        store.save_article({"url": "https://example.com/a", "text": "Some text.", "content_hash": "h1"},
                           "https://example.com/a")
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    with Store(path, read_only=True) as store:
        assert [r["url"] for r in store.articles()] == ["https://example.com/a"]
        with pytest.raises(StoreError, match="read-only"):
            store.start_run()
    out = tmp_path / "out.jsonl"
    run = call_main("export", "--store", path, "-o", out)
    assert run.code == 0, run.stderr
    assert [r["url"] for r in lines_of(out)] == ["https://example.com/a"]
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before


def test_export_to_an_output_that_cannot_be_written_is_a_usage_error(tmp_path):
    path = tmp_path / "presswash.db"
    Store(path).close()
    (tmp_path / "a-file").write_text("x")
    targets = [tmp_path / "a-file" / "x.jsonl"]
    if Path("/proc").is_dir():
        targets.append(Path("/proc/nope/x.jsonl"))  # the case in the issue
    for target in targets:
        run = call_main("export", "--store", path, "-o", target)
        assert run.code == 2
        assert "cannot write the output" in run.stderr


# --- --max-size --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["nan", "inf", "-1", "0", "abc"])
def test_a_max_size_that_is_not_a_size_is_a_usage_error(value, capsys):
    with pytest.raises(SystemExit) as exit_:
        build_parser().parse_args(["clean", str(HARBOUR), "--max-size", value])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "--max-size" in err and repr(value) in err and "Traceback" not in err


def test_the_max_size_default_reads_the_same_in_help_errors_and_readme(tmp_path):
    assert "(default 32)" in " ".join(build_parser()._subparsers._group_actions[0].choices["clean"]
                                      .format_help().split())
    assert "`--max-size MB`\n  (default 32" in (ROOT / "README.md").read_text(encoding="utf-8")
    big = tmp_path / "big.html"
    big.write_bytes(b"<p>" + b"x" * 32_000_001 + b"</p>")
    (record,) = call_main("clean", big).records
    assert_error(record, "over the 32 MB limit")


# --- modes of output files ------------------------------------------------------------------------------------------

@pytest.fixture
def umask():
    old = os.umask(0o022)
    os.umask(old)

    def set_(mask: int) -> None:
        os.umask(mask)

    yield set_
    os.umask(old)


@pytest.mark.parametrize("mask, mode", [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600)])
def test_a_new_output_file_honours_the_umask(tmp_path, umask, mask, mode):
    umask(mask)
    run = call_main("clean", HARBOUR, "-o", tmp_path / "out.jsonl")
    assert run.code == 0
    assert stat.S_IMODE((tmp_path / "out.jsonl").stat().st_mode) == mode
    assert call_main("clean", HARBOUR, "--format", "txt", "-o", tmp_path / "txt").code == 0
    for written in (tmp_path / "txt").iterdir():
        assert stat.S_IMODE(written.stat().st_mode) == mode, written


def test_a_replaced_output_file_keeps_its_mode(tmp_path, umask):
    target = tmp_path / "out.jsonl"
    target.write_text("old\n")
    target.chmod(0o640)
    umask(0o077)
    assert call_main("clean", HARBOUR, "-o", target).code == 0
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert lines_of(target)[0]["source"] == str(HARBOUR)
    with AtomicFile(target) as out:
        out.write("new\n")
    assert stat.S_IMODE(target.stat().st_mode) == 0o640 and target.read_text() == "new\n"
