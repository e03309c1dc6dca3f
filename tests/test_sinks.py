"""Where records go: JSON Lines (atomic when written to a file) and a folder of safely named text files."""

from __future__ import annotations

import json
import os

import pytest
from tests.conftest import FERRY, HARBOUR, HARBOUR_WORDS, LIBRARY, WarcRecord, call_main, english_page, write_warc

from scraper.sinks import JsonlSink, TextDirSink
from scraper.sinks.atomic import AtomicFile, write_atomic
from scraper.sinks.textdir import INDEX_NAME, safe_stem, stem_for

WINDOWS_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)), *(f"lpt{i}" for i in range(1, 10))}


def record(i: int = 0, **over) -> dict:
    base = {"id": f"{i:016x}", "source": f"page{i}.html", "url": None, "title": None, "text": f"Text {i}.",
            "error": None}
    return {**base, **over}


# --- safe_stem ----------------------------------------------------------------------------------------------

NASTY = [
    "../../etc/passwd", "..", ".", "/", "/etc/passwd", "C:\\Windows\\system32\\cmd", "a/../../b", "x\x00y",
    "\x00", "con", "CON", "Con.txt", "nul", "COM1", "lpt9.report", "aux.", "prn ", " ", "", "-_-", "...",
    "a" * 500, "é" * 500, "中" * 500, "😀" * 100, "name\nwith\rcontrol\tchars", "with spaces and ?*:|<>\"",
    "ﬁle", "ＣＯＮ", "../" * 100 + "x",
]


@pytest.mark.parametrize("name", NASTY)
def test_safe_stem_is_always_a_harmless_file_name(name):
    stem = safe_stem(name, "fallback-id")
    assert stem and stem not in (".", "..")
    assert "/" not in stem and "\\" not in stem and "\x00" not in stem
    assert all(ch.isalnum() or ch in "-_." for ch in stem), stem
    assert len(stem) <= 80 and len(stem.encode("utf-8")) <= 120
    assert not stem.startswith((".", "-")) and not stem.endswith((".", " "))
    assert stem.split(".")[0].lower() not in WINDOWS_RESERVED


def test_safe_stem_examples():
    assert safe_stem("../../etc/passwd", "fb") == "etc-passwd"
    assert safe_stem("/abs/path/story", "fb") == "abs-path-story"
    assert safe_stem("x\x00y", "fb") == "xy"
    assert safe_stem("CON", "fb") == "_CON"
    assert safe_stem("com1.draft", "fb") == "_com1.draft"
    assert safe_stem("console", "fb") == "console"  # only the exact reserved names
    assert safe_stem("..", "fb") == "fb"
    assert safe_stem("", "fb") == "fb"
    assert safe_stem("Ünïcödé Straße", "fb") == "Ünïcödé-Straße"
    assert len(safe_stem("a" * 500, "fb")) == 80


def test_stem_for_prefers_the_file_then_the_url_then_the_title():
    assert stem_for(record(source="in/dir/Story One.html.gz")) == "Story-One"
    assert stem_for(record(source="C:\\in\\story.htm")) == "story"
    assert stem_for(record(source="x.warc.gz#4", url="https://n.example/2024/05/big-story.html")) == "big-story"
    assert stem_for(record(source="-", url="https://n.example/", title="Big: story?")) == "Big-story"
    assert stem_for(record(7, source="-", url=None, title=None)) == f"{7:016x}"


# --- the text folder ----------------------------------------------------------------------------------------

def test_textdir_names_stay_inside_the_folder(tmp_path):
    out = tmp_path / "out"
    sources = ["../escape.html", "/etc/passwd", "CON.html", "a" * 300 + ".html", "中" * 200 + ".html", "-",
               "x\x00y.html", "dup.html", "dup.html", "dup.html", "DUP.html", "sub/dup.html"]
    with TextDirSink(out) as sink:
        for i, src in enumerate(sources):
            sink.write(record(i, source=src, text=f"Body {i}"))
        sink.write(record(99, source="bad.html", text=None, error="the document is empty"))
    files = sorted(p for p in out.rglob("*") if p.is_file())
    assert all(p.parent == out for p in files)  # nothing in subfolders, nothing outside
    assert not (tmp_path / "escape.txt").exists()
    index = [json.loads(line) for line in (out / INDEX_NAME).read_text().splitlines()]
    assert len(index) == len(sources) + 1
    names = [r.get("file") for r in index]
    assert names[-1] is None and index[-1]["error"] == "the document is empty"
    assert len(set(n.lower() for n in names[:-1])) == len(sources)  # no file overwrote another
    for i, (entry, name) in enumerate(zip(index, names[:-1])):
        assert "text" not in entry
        assert (out / name).read_text() == f"Body {i}\n"
        assert len(name.encode()) <= 255
    assert names[2] == "_CON.txt"
    assert len(files) == len(sources) + 1  # + _index.jsonl; no temporary files left


def test_textdir_refuses_a_file_as_folder(tmp_path):
    (tmp_path / "f").write_text("x")
    with pytest.raises(NotADirectoryError):
        TextDirSink(tmp_path / "f")


def test_textdir_index_is_discarded_when_interrupted(tmp_path):
    out = tmp_path / "out"
    with pytest.raises(KeyboardInterrupt):
        with TextDirSink(out) as sink:
            sink.write(record(1))
            raise KeyboardInterrupt
    assert not (out / INDEX_NAME).exists()
    assert not [p for p in out.iterdir() if p.name.endswith(".part")]


def test_format_txt_through_the_cli(tmp_path):
    warc = write_warc(tmp_path / "c.warc.gz", [
        WarcRecord("response", "https://n.example/2024/rail-plan.html", english_page("IN-WARC").encode())])
    bad = tmp_path / "CON.html"
    bad.write_bytes(b"")
    out = tmp_path / "out"
    run = call_main("clean", HARBOUR, LIBRARY, FERRY, warc, bad, "--format", "txt", "-o", out)
    assert run.code == 1 and run.stdout == ""
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [INDEX_NAME, "harbour-bridge.txt", "library-vote.txt", "ferry-strike.txt", "rail-plan.txt"])
    text = (out / "harbour-bridge.txt").read_text()
    for w in HARBOUR_WORDS:
        assert w in text
    index = [json.loads(line) for line in (out / INDEX_NAME).read_text().splitlines()]
    assert [r["source"] for r in index] == [str(HARBOUR), str(LIBRARY), str(FERRY), f"{warc}#0", str(bad)]
    assert index[-1]["error"] and "file" not in index[-1]
    assert index[0]["title"] == "Harbour bridge reopens after two years of repairs"


def test_format_txt_needs_a_folder(tmp_path):
    run = call_main("clean", HARBOUR, "--format", "txt")
    assert run.code == 2 and "needs -o DIR" in run.stderr
    (tmp_path / "file").write_text("x")
    run = call_main("clean", HARBOUR, "--format", "txt", "-o", tmp_path / "file")
    assert run.code == 2 and "not a folder" in run.stderr


# --- JSON Lines and atomic files ----------------------------------------------------------------------------

def test_jsonl_file_appears_only_when_the_run_ends_well(tmp_path):
    path = tmp_path / "out" / "records.jsonl"
    with pytest.raises(RuntimeError):
        with JsonlSink(str(path)) as sink:
            sink.write(record(1))
            sink.write(record(2))
            assert not path.exists()  # nothing visible while the run is going
            raise RuntimeError("killed halfway")
    assert not path.exists()
    assert os.listdir(path.parent) == []  # and no temporary file left behind


def test_jsonl_failed_run_keeps_the_previous_file(tmp_path):
    path = tmp_path / "records.jsonl"
    path.write_text('{"old": true}\n')
    with pytest.raises(KeyboardInterrupt):
        with JsonlSink(str(path)) as sink:
            sink.write(record(1))
            raise KeyboardInterrupt
    assert path.read_text() == '{"old": true}\n'
    with JsonlSink(str(path)) as sink:
        sink.write(record(1, text="ünïcödé 中文"))
    [line] = path.read_text(encoding="utf-8").splitlines()
    assert json.loads(line)["text"] == "ünïcödé 中文" and "ünïcödé" in line  # UTF-8, not \\u escapes
    assert sorted(os.listdir(tmp_path)) == ["records.jsonl"]


def test_jsonl_to_a_stream(capsys):
    with JsonlSink() as sink:
        sink.write(record(3))
    out = capsys.readouterr().out
    assert json.loads(out)["id"] == f"{3:016x}" and out.endswith("\n")


def test_atomic_file_with_a_long_name(tmp_path):
    # The temporary name adds a prefix and a suffix: it must still fit where the target itself just fits.
    name = "é" * 120 + ".txt"  # 244 bytes
    write_atomic(tmp_path / name, "body")
    assert (tmp_path / name).read_text() == "body"
    assert os.listdir(tmp_path) == [name]


def test_atomic_file_discard(tmp_path):
    f = AtomicFile(tmp_path / "x.txt")
    f.write("partial")
    f.discard()
    assert os.listdir(tmp_path) == []


def test_cli_output_file_is_not_left_half_written_when_interrupted(tmp_path, monkeypatch):
    """Interrupt a real run after its first record: no output file, a clear message, exit 130."""
    import scraper.cli as cli

    real = cli.process_pages

    def interrupted(pages, options, jobs):
        for i, outcome in enumerate(real(pages, options, jobs)):
            if i == 1:
                raise KeyboardInterrupt
            yield outcome

    monkeypatch.setattr(cli, "process_pages", interrupted)
    out = tmp_path / "records.jsonl"
    run = call_main("clean", HARBOUR, LIBRARY, FERRY, "-o", out)
    assert run.code == 130 and "interrupted" in run.stderr
    assert not out.exists() and os.listdir(tmp_path) == []


def test_cli_output_file(tmp_path):
    out = tmp_path / "deep" / "records.jsonl"
    run = call_main("clean", HARBOUR, tmp_path / "missing.html", "-o", out)
    assert run.code == 1 and run.stdout == ""
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["source"] for r in records] == [str(HARBOUR), str(tmp_path / "missing.html")]
    assert "2 documents, 1 ok, 1 error" in run.stderr
    assert os.listdir(out.parent) == ["records.jsonl"]
