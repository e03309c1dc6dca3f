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
    import scraper.cli.clean as cli

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


# --- names from URLs and titles (issue 5: output safety) ----------------------------------------------------
# Every attack on the output folder, as the last part of a URL path and as a title: the file must land
# directly in the folder, under a harmless name, whatever the name says.

ATTACKS = [
    "..", "../..", "../../etc/passwd", "..\\..\\Windows\\win.ini", "/etc/passwd", "C:\\Windows\\system32\\cmd.exe",
    "\\\\server\\share\\x", "x\x00y", "\x00", "a" * 500, "é" * 500, "中" * 500,
    "CON", "con", "PRN", "AUX", "NUL", "COM1", "com9", "LPT1", "lpt9", "con.txt", "NUL.tar.gz", "aux.html",
    "CON.", "con ", "aux...", "prn . .", "COM¹", "ＬＰＴ１", "story.", "story ", "story. . .", " . ",
]


def check_names(out) -> list[str]:
    """Every file is directly in ``out`` (resolved, so no link or '..' leads out), with a harmless name."""
    names = []
    root = out.resolve()
    for p in out.rglob("*"):
        assert p.is_file() and p.resolve().parent == root, p
        name = p.name
        assert len(name.encode("utf-8")) <= 255 and "\x00" not in name
        assert not name.endswith((".", " ")) and not name.startswith(".")
        assert name.split(".")[0].lower() not in WINDOWS_RESERVED, name
        names.append(name)
    return names


@pytest.mark.parametrize("route", ["url", "title"])
def test_names_from_urls_and_titles_never_leave_the_folder(tmp_path, route):
    out = tmp_path / "deep" / "out"
    records = []
    for i, attack in enumerate(ATTACKS):
        if route == "url":  # a WARC record or stdin: no file name, so the URL's last path part names the file
            over = {"source": f"crawl.warc.gz#{i}", "url": "https://n.example/news/" + attack}
        else:  # no URL path either: the title names the file
            over = {"source": "-", "url": "https://n.example/", "title": attack}
        records.append(record(i, text=f"Body {i}", **over))
    with TextDirSink(out) as sink:
        for rec in records:
            sink.write(rec)
    names = check_names(out)
    assert len(names) == len(ATTACKS) + 1  # one file each, none overwrote another, + _index.jsonl
    assert sorted(os.listdir(tmp_path)) == ["deep"] and os.listdir(tmp_path / "deep") == ["out"]
    index = [json.loads(line) for line in (out / INDEX_NAME).read_text().splitlines()]
    for i, entry in enumerate(index):
        assert (out / entry["file"]).read_text() == f"Body {i}\n"
        assert (out / entry["file"]).resolve().parent == out.resolve()


@pytest.mark.parametrize("attack", ATTACKS)
def test_stem_for_url_and_title_attacks(attack):
    for rec in (record(source="x.warc#1", url="https://n.example/" + attack),
                record(source="x.warc#1", url="https://n.example/a/" + attack + ".html"),
                record(source="-", url=None, title=attack),
                record(source="dir/" + attack + ".html")):
        stem = stem_for(rec)
        assert stem and stem not in (".", "..") and all(ch.isalnum() or ch in "-_." for ch in stem), stem
        assert len(stem.encode("utf-8")) <= 120 and not stem.endswith((".", " "))
        assert stem.split(".")[0].lower() not in WINDOWS_RESERVED


def test_cli_names_from_warc_urls_and_titles(tmp_path):
    """Through the real CLI: a WARC whose target URIs and titles attack the folder."""
    records, expected = [], 0
    for i, attack in enumerate(["../../escape", "CON", "con.txt", "aux.", "a" * 500, "x%00y", "%2e%2e"]):
        records.append(WarcRecord("response", "https://n.example/2024/" + attack, english_page(f"U{i}").encode()))
        expected += 1
    for i, attack in enumerate(["../../escape", "NUL", "LPT1.txt", "/etc/passwd", "t" * 500]):
        records.append(WarcRecord("response", "https://n.example/", english_page(f"T{i}", title=attack).encode()))
        expected += 1
    warc = write_warc(tmp_path / "attack.warc.gz", records)
    out = tmp_path / "out"
    run = call_main("clean", warc, "--format", "txt", "-o", out)
    assert run.code == 0, run.stderr
    names = check_names(out)
    assert len(names) == expected + 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["attack.warc.gz", "out"]  # nothing escaped


# --- temporary files left by a run killed outright ----------------------------------------------------------

def dead_pid() -> int:
    import subprocess
    import sys
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_stale_temporary_files_of_killed_writers_are_removed(tmp_path):
    gone, alive = dead_pid(), os.getppid()
    stale = tmp_path / f".records.jsonl.{gone}.abcd1234.part"
    live = tmp_path / f".records.jsonl.{alive}.efgh5678.part"  # a writer still running: keep its file
    other = tmp_path / f".other.jsonl.{gone}.ijkl9012.part"  # another target's: not this sink's business
    mine = tmp_path / ".records.jsonl.not-a-pid.part"  # not a name presswash makes
    for p in (stale, live, other, mine):
        p.write_text("half a record")
    with JsonlSink(str(tmp_path / "records.jsonl")) as sink:
        sink.write(record(1))
    assert sorted(os.listdir(tmp_path)) == sorted(["records.jsonl", live.name, other.name, mine.name])
    # a text folder sweeps the whole folder once
    folder = tmp_path / "txt"
    folder.mkdir()
    (folder / f".story.txt.{gone}.abcd1234.part").write_text("half")
    (folder / f"._index.jsonl.{gone}.abcd1234.part").write_text("half")
    (folder / f".keep.txt.{alive}.abcd1234.part").write_text("live")
    with TextDirSink(folder) as sink:
        sink.write(record(2))
    assert sorted(os.listdir(folder)) == sorted([INDEX_NAME, "page2.txt", f".keep.txt.{alive}.abcd1234.part"])


def test_temporary_file_names_carry_the_writer_pid(tmp_path):
    f = AtomicFile(tmp_path / "x.jsonl")
    assert f.tmp.name.startswith(f".x.jsonl.{os.getpid()}.") and f.tmp.name.endswith(".part")
    f.discard()
