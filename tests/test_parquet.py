"""Parquet output (`clean --format parquet`, `export --format parquet`): read back, every field of every record
equals the JSON Lines output of the same run; row groups while streaming; atomic; clear usage errors."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from tests.conftest import (COUNCIL, ENGLISH_PARAGRAPHS, FERRY, HARBOUR, LIBRARY, ROOT, WarcRecord, article_html,
                            call_main, english_page, write_warc)
from tests.crawl.conftest import NEWSROOM, crawl, serve  # noqa: F401 (serve is a fixture)

from scraper.core.document import RECORD_FIELDS
from scraper.core.extraction import extractor_info
from scraper.sinks import OutputError
from scraper.sinks.parquet import EXTRACTOR_KEYS, RECORD_SCHEMA, ROW_GROUP_RECORDS, STORE_SCHEMA, ParquetSink

STORE_FIELDS = [*RECORD_FIELDS, "revision", "first_seen", "last_changed"]


def read_parquet(path: Path) -> list[dict]:
    return pq.read_table(path).to_pylist(maps_as_pydicts="strict")


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def as_parquet_holds_it(record: dict) -> dict:
    """A JSON Lines record as Parquet gives it back: ``extractor`` is a struct, so a key it lacks reads as null
    (docs/record.md). Every other value is unchanged."""
    out = dict(record)
    if record["extractor"] is not None:
        out["extractor"] = {key: record["extractor"].get(key) for key in EXTRACTOR_KEYS}
    return out


def assert_same_records(parquet: list[dict], jsonl: list[dict], fields: list[str]) -> None:
    assert len(parquet) == len(jsonl) > 0
    for got, want in zip(parquet, jsonl):
        assert list(got) == fields and list(want) == fields
        want = as_parquet_holds_it(want)
        for name in fields:  # field by field, so a failure names the field
            assert got[name] == want[name], (want["source"], name)


def test_schema_has_a_column_for_every_record_field_in_order():
    assert RECORD_SCHEMA.names == list(RECORD_FIELDS)
    assert STORE_SCHEMA.names == STORE_FIELDS
    for name in ("authors", "tags", "images", "flags", "removed"):
        assert RECORD_SCHEMA.field(name).type.num_fields == 1, name  # list columns
    assert tuple(extractor_info("balanced")) == EXTRACTOR_KEYS  # the struct holds every key a record can have


TAGGED = article_html(ENGLISH_PARAGRAPHS, title="Coastal line to get twelve new trains – at last", lang="en",
                      head_extra='<meta name="keywords" content="rail, trains, coast">'
                                 '<meta name="author" content="Jane Doe and John Roe">'
                                 '<meta property="og:image" content="/img/train.jpg">'
                                 '<meta property="article:published_time" content="2026-11-20T08:00:00Z">')


def mixed_inputs(tmp_path: Path) -> list[Path]:
    """Pages, text dumps, a WARC file (pages with a fetch time, a 404 skipped, a cut-off file's error), an
    empty file and an image: articles and error records both."""
    warc = write_warc(tmp_path / "crawl.warc.gz", [
        WarcRecord("warcinfo"),
        WarcRecord("response", "https://news.example/rail/1", english_page("WARC-ONE").encode()),
        WarcRecord("response", "https://news.example/gone", b"<html>gone</html>", status="404 Not Found"),
        WarcRecord("response", "https://news.example/rail/2", TAGGED.encode("windows-1252"),
                   "text/html; charset=windows-1252"),
    ])
    cut = tmp_path / "cut.warc"
    write_warc(cut, [WarcRecord("response", f"https://news.example/cut/{i}", english_page(f"CUT-{i}").encode())
                     for i in range(2)])
    cut.write_bytes(cut.read_bytes()[:-300])
    empty = tmp_path / "empty.html"
    empty.write_bytes(b"")
    image = tmp_path / "logo.html"
    image.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    return [HARBOUR, LIBRARY, FERRY, COUNCIL, ROOT / "fixtures" / "seeds", warc, cut, empty, image,
            NEWSROOM / "2026" / "11" / "19" / "library-stays-open-on-sundays.html"]


def test_clean_parquet_holds_every_field_of_the_jsonl_records(tmp_path):
    inputs = mixed_inputs(tmp_path)
    as_jsonl, as_parquet = tmp_path / "out" / "run.jsonl", tmp_path / "out" / "run.parquet"
    first = call_main("clean", *inputs, "-o", as_jsonl)
    second = call_main("clean", *inputs, "--format", "parquet", "-o", as_parquet)
    assert first.code == second.code == 1  # documents failed, and both say so
    jsonl, parquet = read_jsonl(as_jsonl), read_parquet(as_parquet)
    assert_same_records(parquet, jsonl, list(RECORD_FIELDS))
    # what the comparison covers: articles with removals, tags and provenance, and error records
    assert {r["error"] is None for r in parquet} == {True, False}
    errors = [r for r in parquet if r["error"]]
    assert [r["error"].split(":")[0] for r in errors] == [
        "truncated WARC file", "the document is empty", "not a web page or text"]
    assert all(r["text"] is None and r["word_count"] is None for r in errors)
    assert any(r["removed"] for r in parquet) and any(r["provenance"] for r in parquet)
    assert any(r["fetched_at"] for r in parquet) and any(r["tags"] for r in parquet)
    assert ["Jane Doe", "John Roe"] in [r["authors"] for r in parquet]  # a list column, as in JSON Lines
    assert all(r["authors"] == [] for r in errors)
    assert any(r["extractor"]["mode"] is None for r in parquet)  # a text dump's extractor has no mode
    assert pq.ParquetFile(as_parquet).schema_arrow == RECORD_SCHEMA


def test_export_parquet_holds_every_field_of_the_jsonl_records(serve, tmp_path):  # noqa: F811
    server = serve(NEWSROOM)
    store = tmp_path / "news.db"
    crawl("--feed", f"{server.base_url}/feed.xml", store=store)
    as_jsonl, as_parquet = tmp_path / "export.jsonl", tmp_path / "export.parquet"
    assert call_main("export", "--store", store, "-o", as_jsonl).code == 0
    proc = call_main("export", "--store", store, "--format", "parquet", "-o", as_parquet)
    assert proc.code == 0 and "4 articles" in proc.stderr  # the feed's
    assert_same_records(read_parquet(as_parquet), read_jsonl(as_jsonl), STORE_FIELDS)
    assert pq.ParquetFile(as_parquet).schema_arrow == STORE_SCHEMA


def test_parquet_needs_an_output_file(tmp_path):
    for command in (["clean", HARBOUR], ["export", "--store", tmp_path / "none.db"]):
        for out in ([], ["-o", "-"]):
            run = call_main(*command, "--format", "parquet", *out)
            assert run.code == 2 and "--format parquet needs -o FILE" in run.stderr and run.stdout == ""
    assert not (tmp_path / "none.db").exists()


def record(i: int, **over) -> dict:
    base = dict.fromkeys(RECORD_FIELDS)
    base.update(id=f"{i:016x}", source=f"page{i}.html", text=f"Text {i} " * 20, tags=[], provenance={},
                images=[], removed=[], flags=[], extractor={"name": "trafilatura"})
    return {**base, **over}


def test_row_groups_are_written_while_the_run_goes(tmp_path):
    path = tmp_path / "big.parquet"
    with ParquetSink(path) as sink:
        sizes = []
        for i in range(ROW_GROUP_RECORDS * 2 + ROW_GROUP_RECORDS // 2):
            sink.write(record(i))
            if i % ROW_GROUP_RECORDS == ROW_GROUP_RECORDS - 1:
                sizes.append(os.path.getsize(sink.atomic.tmp))
                assert not sink.rows  # nothing is held back once a row group is written
        assert not path.exists()
    assert sizes[0] > 0 and sizes[1] > sizes[0]  # on disk as the run goes, not at the end
    meta = pq.ParquetFile(path).metadata
    assert meta.num_row_groups == 3 and meta.num_rows == ROW_GROUP_RECORDS * 2.5
    assert [r["id"] for r in read_parquet(path)] == [f"{i:016x}" for i in range(int(ROW_GROUP_RECORDS * 2.5))]


def test_an_interrupted_run_leaves_no_file_and_keeps_the_previous_one(tmp_path):
    path = tmp_path / "records.parquet"
    with ParquetSink(path) as sink:
        sink.write(record(1))
    before = path.read_bytes()
    with pytest.raises(KeyboardInterrupt):
        with ParquetSink(path) as sink:
            for i in range(ROW_GROUP_RECORDS + 5):
                sink.write(record(i))
            raise KeyboardInterrupt
    assert path.read_bytes() == before and os.listdir(tmp_path) == ["records.parquet"]


def test_nothing_is_dropped_without_a_word(tmp_path):
    path = tmp_path / "records.parquet"
    for bad, what in ((record(1, surprise=1), "surprise"), (record(2, extractor={"name": "x", "model": "y"}),
                                                             "extractor.model")):
        with pytest.raises(OutputError, match=what):
            with ParquetSink(path) as sink:
                sink.write(bad)
    with pytest.raises(OutputError, match="does not fit"):
        with ParquetSink(path) as sink:
            sink.write(record(3, word_count="many"))
    assert os.listdir(tmp_path) == []


def test_empty_run_and_lone_surrogates(tmp_path):
    empty = tmp_path / "empty.parquet"
    ParquetSink(empty).close()
    assert pq.read_table(empty).num_rows == 0 and pq.read_table(empty).schema == RECORD_SCHEMA
    # A --url given as bytes that are not UTF-8 reaches the record as lone surrogates: JSON Lines escapes them
    # as \udcNN, and Parquet, whose strings are UTF-8, holds that same text.
    path = tmp_path / "s.parquet"
    with ParquetSink(path) as sink:
        sink.write(record(1, url="https://x.example/\udcff", removed=[{"rule": "R", "text": "a\udce9"}]))
    [got] = read_parquet(path)
    assert got["url"] == "https://x.example/\\udcff" and got["removed"] == [{"rule": "R", "text": "a\\udce9"}]

