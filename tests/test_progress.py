"""The progress display (scraper/core/progress.py) as a user at a terminal meets it: `presswash clean` run with
its stderr on a real pseudo-terminal shows the bar and leaves the records whole; in a pipe nothing of it
appears; --quiet prints nothing on stderr for a clean run and still prints errors."""

from __future__ import annotations

import os
import re
import sys

from tests.conftest import HARBOUR, HARBOUR_WORDS, LIBRARY, LIBRARY_WORDS, ROOT, parse_jsonl, run_cli
from tests.terminal import run_on_terminal

ENV = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8"}


def clean_on_terminal(*args: object):
    return run_on_terminal([sys.executable, "-m", "scraper.cli", "clean", *map(str, args)], env=ENV)


def test_clean_on_a_terminal_shows_the_bar_and_keeps_the_records(tmp_path):
    (tmp_path / "empty.html").write_bytes(b"")
    run = clean_on_terminal(HARBOUR, tmp_path / "empty.html", LIBRARY)
    assert run.code == 1  # the empty page is an error record
    assert "3/3 docs, 1 errors" in run.text  # the bar reached the end, with its tally
    assert "\x1b[?25l" in run.terminal and "\x1b[?25h" in run.terminal  # the cursor hidden, then shown again
    assert "3 documents, 2 ok, 1 error" in run.text  # the summary after it
    records = parse_jsonl(run.stdout)  # stdout holds the records and nothing of the bar
    assert [r["source"] for r in records] == [str(HARBOUR), str(tmp_path / "empty.html"), str(LIBRARY)]
    assert all(w in records[0]["text"] for w in HARBOUR_WORDS) and all(w in records[2]["text"] for w in LIBRARY_WORDS)
    assert records[1]["error"]


def test_no_progress_and_quiet_on_a_terminal():
    run = clean_on_terminal("--no-progress", HARBOUR)
    assert run.code == 0 and "docs," not in run.text and "\x1b[" not in run.terminal
    assert "1 document, 1 ok" in run.text
    run = clean_on_terminal("-q", HARBOUR)
    assert run.code == 0 and run.terminal == ""  # a clean run: nothing at all on stderr
    assert len(parse_jsonl(run.stdout)) == 1


def test_no_bar_where_the_records_go_to_the_same_terminal():
    run = run_on_terminal([sys.executable, "-m", "scraper.cli", "clean", str(HARBOUR)], env=ENV, stdout_too=True)
    assert run.code == 0 and "docs," not in run.text and "\x1b[" not in run.terminal
    assert '"text":' in run.text and "1 document, 1 ok" in run.text  # the record, then the summary


def test_quiet_still_prints_errors_on_a_terminal(tmp_path):
    (tmp_path / "empty.html").write_bytes(b"")
    run = clean_on_terminal("--quiet", HARBOUR, tmp_path / "empty.html")
    assert run.code == 1
    assert "\x1b[" not in run.terminal  # no bar
    assert "2 documents, 1 ok, 1 error" in run.text and "error ×1:" in run.text
    assert "rules fired" not in run.text  # the rest of the summary is left out


def test_nothing_of_the_bar_in_a_pipe(tmp_path):
    (tmp_path / "empty.html").write_bytes(b"")
    run = run_cli("clean", HARBOUR, tmp_path / "empty.html", LIBRARY)
    assert "\x1b" not in run.stderr and "\r" not in run.stderr and "docs," not in run.stderr
    assert run.stderr.startswith("presswash: 3 documents, 2 ok, 1 error")
    assert len(run.records) == 3


def test_eval_and_mine_on_a_terminal(tmp_path):
    mini = ROOT / "fixtures" / "trafilatura-eval-mini"
    run = run_on_terminal([sys.executable, "-m", "scraper.cli", "eval", str(mini), "--systems", "presswash"], env=ENV)
    assert run.code == 0, run.text
    assert f"3/3 pages of {mini}" in run.text  # the bar reached the end
    assert "| presswash |" in run.stdout and "\x1b" not in run.stdout  # the tables on stdout, untouched
    run = run_on_terminal([sys.executable, "-m", "scraper.cli", "eval", str(mini), "--systems", "presswash", "-q"],
                          env=ENV)
    assert run.code == 0 and run.terminal == "" and "| presswash |" in run.stdout

    pages = ROOT / "fixtures" / "pages"
    run = run_on_terminal([sys.executable, "-m", "scraper.cli", "mine", str(pages), "-o", str(tmp_path / "m")], env=ENV)
    assert run.code == 0, run.text
    counted = re.findall(r"(\d+)/(\d+) pages read", run.text)
    assert counted and counted[-1][0] == counted[-1][1]  # every page read
    assert "presswash mine:" in run.text and "host" in run.stdout
    run = run_on_terminal([sys.executable, "-m", "scraper.cli", "mine", "--quiet", str(pages), "-o",
                           str(tmp_path / "m")], env=ENV)
    assert run.code == 0 and run.terminal == "" and "host" in run.stdout
