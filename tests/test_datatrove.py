"""presswash as a datatrove step: WARC files through PresswashWarcReader -> PresswashStep -> JsonlWriter under
datatrove's LocalPipelineExecutor, 2 tasks, give the same records as `presswash clean` on the same files."""

from __future__ import annotations

import json
from pathlib import Path

from datatrove.data import Document
from datatrove.executor import LocalPipelineExecutor
from datatrove.pipeline.writers import JsonlWriter
from tests.conftest import ENGLISH_PARAGRAPHS, WarcRecord, article_html, call_main, english_page, write_warc
from tests.crawl.conftest import NEWSROOM

from scraper.core.document import RECORD_FIELDS
from scraper.offline.datatrove import PresswashStep, PresswashWarcReader, page_of, presswash_record


def newsroom_page(path: Path) -> bytes:
    return path.read_bytes().replace(b"{{BASE}}", b"https://newsroom.example")


def warc_folder(folder: Path) -> list[str]:
    """Four WARC files: the newsroom's articles, a page whose charset only the HTTP header gives, records
    that are no documents (a 404, a script, a request), a page with no article, a cut-off file and a file
    with no HTML at all. Returns their names."""
    folder.mkdir()
    articles = sorted((NEWSROOM / "2026").rglob("*.html"))
    url = "https://newsroom.example/{}".format
    write_warc(folder / "one.warc.gz", [
        WarcRecord("warcinfo"),
        *(WarcRecord("response", url(p.name), newsroom_page(p)) for p in articles[:2]),
        WarcRecord("response", url("gone"), b"<html>gone</html>", status="404 Not Found"),
        WarcRecord("response", url("app.js"), b"var x = 1;", "application/javascript"),
        WarcRecord("request", url("x")),
        WarcRecord("response", url("empty"), b"<html><head><title>Empty</title></head><body></body></html>"),
    ])
    cp1252 = article_html(ENGLISH_PARAGRAPHS, title="Café owners welcome the new trains – at last")
    write_warc(folder / "two.warc", [
        *(WarcRecord("response", url(p.name), newsroom_page(p)) for p in articles[2:]),
        WarcRecord("response", url("cafe"), cp1252.encode("windows-1252"), "text/html; charset=windows-1252"),
    ])
    cut = write_warc(folder / "three.warc.gz", [
        WarcRecord("response", url(f"cut-{i}"), english_page(f"CUT-{i}").encode()) for i in range(3)])
    cut.write_bytes(cut.read_bytes()[:-200])
    write_warc(folder / "four.warc", [WarcRecord("warcinfo"), WarcRecord("request", url("y"))])
    return ["one.warc.gz", "two.warc", "three.warc.gz", "four.warc"]


def test_datatrove_pipeline_writes_the_records_clean_writes(tmp_path, monkeypatch):
    names = warc_folder(tmp_path / "warcs")
    out = tmp_path / "out"
    LocalPipelineExecutor(
        pipeline=[PresswashWarcReader(str(tmp_path / "warcs")), PresswashStep(),
                  JsonlWriter(str(out), adapter=presswash_record, compression=None)],
        tasks=2, workers=2, logging_dir=str(tmp_path / "logs")).run()
    per_task = {path.name: [json.loads(line) for line in path.read_text("utf-8").splitlines()]
                for path in sorted(out.glob("*.jsonl"))}
    assert list(per_task) == ["00000.jsonl", "00001.jsonl"] and all(per_task.values())  # both tasks had work
    records = [r for task in per_task.values() for r in task]

    # `presswash clean` run from the reader's folder, on the same files
    monkeypatch.chdir(tmp_path / "warcs")
    clean = call_main("clean", *names)
    assert clean.code == 1  # some documents failed
    expected = [json.loads(line) for line in clean.stdout.splitlines()]

    by_id = {r["id"]: r for r in records}
    assert len(by_id) == len(records) == len(expected)  # nothing lost, nothing doubled
    for want in expected:
        got = by_id[want["id"]]
        assert list(got) == list(RECORD_FIELDS)
        for name in RECORD_FIELDS:  # every field, none ignored: fetched_at is the WARC's date, not the run's
            if name not in ("duplicate_of", "story"):  # placed among the task's own documents (docs/stories.md)
                assert got[name] == want[name], (want["source"], name)
        assert (got["story"] is None) == (want["story"] is None) == (want["error"] is not None)

    # what the comparison covers
    sources = {r["source"]: r for r in records}
    assert sum(r["error"] is None for r in records) == 7  # four newsroom articles, the café page, CUT-0 and CUT-1
    assert "Café owners" in sources["two.warc#2"]["title"] and not sources["two.warc#2"]["flags"]
    assert sources["one.warc.gz#6"]["error"]
    assert sources["three.warc.gz#2"]["error"].startswith("truncated WARC file")
    assert sources["four.warc"]["error"].startswith("no HTML pages in this WARC file")
    assert all(r["fetched_at"] for r in records if r["error"] is None)


def test_documents_of_other_readers_are_cleaned_too():
    """A Document from any reader (the stock WarcReader gives the HTML as text, its URL and date) becomes a
    page; a PresswashWarcReader Document carries its Page itself."""
    html = english_page("OTHER-READER")
    document = Document(text=html, id="<urn:uuid:1>", metadata={"url": "https://x.example/a", "date": "2026-11-20"})
    page = page_of(document)
    assert page.url == "https://x.example/a" and page.fetched_at == "2026-11-20" and page.source == "<urn:uuid:1>"
    [out, empty] = PresswashStep(jobs=1).run(iter([document, Document(text="", id="e")]))
    record = presswash_record(None, out)
    assert record["error"] is None and "OTHER-READER" in record["text"] and record["url"] == page.url
    assert presswash_record(None, empty)["error"] == "the document is empty" and empty.text == ""
