"""The `presswash` command as a user meets it: exit codes, the summary, progress, --jobs, --rules, and the
rules and explain commands."""

from __future__ import annotations

import gzip
import json
import os

import pytest

from cleaners import RuleBook
from tests.conftest import (
    COUNCIL, FERRY, HARBOUR, HARBOUR_WORDS, LIBRARY, LIBRARY_WORDS, assert_error, assert_ok, call_main,
    english_page, run_cli,
)


# --- exit codes and the summary -----------------------------------------------------------------------------


def test_exit_0_when_every_document_is_clean_with_a_summary_on_stderr():
    run = run_cli("clean", HARBOUR, LIBRARY, FERRY, COUNCIL)
    assert run.code == 0
    assert [r["error"] for r in run.records] == [None] * 4
    assert "4 documents, 4 ok, 0 errors" in run.stderr
    assert "rules fired most:" in run.stderr
    # The rule that fired most often across these four pages is named first, with its name and count.
    counts: dict[str, int] = {}
    for r in run.records:
        for e in r["removed"]:
            counts[e["rule"]] = counts.get(e["rule"], 0) + 1
    top = max(counts, key=counts.get)
    fired = run.stderr.split("rules fired most:")[1].splitlines()[0]
    assert fired.strip().startswith(f"{top} {RuleBook.load().rule(top).name} ×{counts[top]}")
    assert run.stdout.count("\n") == 4  # stdout holds the records and nothing else
    assert "\r" not in run.stderr  # not a terminal: no progress line


def test_exit_1_when_any_document_failed(tmp_path):
    (tmp_path / "empty.html").write_bytes(b"")
    run = run_cli("clean", HARBOUR, tmp_path / "empty.html", tmp_path / "missing.html")
    assert run.code == 1
    assert "3 documents, 1 ok, 2 errors" in run.stderr
    assert "error ×1: the document is empty" in run.stderr and "error ×1: no such file" in run.stderr
    assert_ok(run.one(HARBOUR), *HARBOUR_WORDS)


def test_quiet_drops_the_summary():
    run = call_main("clean", "-q", HARBOUR)
    assert run.code == 0 and run.stderr == "" and len(run.records) == 1


@pytest.mark.parametrize("args, message", [
    (["clean"], "the following arguments are required"),
    (["clean", "x.html", "--format", "pdf"], "invalid choice"),
    (["frobnicate"], "invalid choice"),
])
def test_usage_errors_exit_2(args, message):
    run = run_cli(*args)
    assert run.code == 2 and message in run.stderr


def test_unwritable_output_is_a_clear_error_not_a_traceback(tmp_path):
    (tmp_path / "afile").write_text("x")
    run = call_main("clean", HARBOUR, "-o", tmp_path / "afile" / "out.jsonl")
    assert run.code == 2 and run.stderr.startswith("presswash clean:")


def test_output_failing_midway_stops_cleanly(tmp_path, monkeypatch):
    """Disk full halfway: a message, exit 2, and no partial output file."""
    from scraper.sinks.atomic import AtomicFile

    def full(self, text):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(AtomicFile, "write", full)
    out = tmp_path / "out.jsonl"
    run = call_main("clean", HARBOUR, LIBRARY, "-o", out)
    assert run.code == 2
    assert "cannot write the output" in run.stderr and "No space left" in run.stderr
    assert os.listdir(tmp_path) == []


def test_version():
    run = run_cli("--version")
    assert run.code == 0 and run.stdout.startswith("presswash ")


# --- progress: tests/test_progress.py, on a real pseudo-terminal ----------------------------------------


# --- --jobs -------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def job_inputs(tmp_path_factory):
    """Documents of very different cost, slow ones first, with failures between, so that a pool that
    returned results as they finish would reorder them."""
    d = tmp_path_factory.mktemp("jobs")
    paths = []
    for i in range(3):
        big = english_page(f"SLOW-{i}").replace(  # ~0.4 s each, against ~0.02 s for a quick one
            "</article>", "</article><div class='related'><p>" + f"SLOW-{i} other words. " * 8000 + "</p></div>")
        (d / f"slow{i}.html").write_text(big)
        paths.append(d / f"slow{i}.html")
    for i in range(8):
        (d / f"quick{i}.html").write_text(english_page(f"QUICK-{i}"))
        paths.append(d / f"quick{i}.html")
        if i % 3 == 0:
            (d / f"bad{i}.html.gz").write_bytes(gzip.compress(b"<html>")[:10])
            paths.append(d / f"bad{i}.html.gz")
    paths += [HARBOUR, LIBRARY, FERRY, d / "missing.html"]
    return paths


def test_jobs_2_gives_exactly_the_output_of_jobs_1(job_inputs):
    # In this process (the pools' workers are processes either way): the runs need not start Python and parse
    # the rule packs again.
    one = call_main("clean", "--jobs", "1", *job_inputs)
    two = call_main("clean", "--jobs", "2", *job_inputs)
    assert len(one.records) == len(job_inputs)
    assert [r["source"] for r in one.records] == [str(p) for p in job_inputs]
    assert one.code == two.code == 1

    def key(r):
        return (r["id"], r["source"], r["text"], r["error"], r["title"], r["removed"], r["flags"])

    assert [key(r) for r in two.records] == [key(r) for r in one.records]
    for r in two.records:
        if "slow" in r["source"] or "quick" in r["source"]:
            marker = os.path.basename(r["source"]).split(".")[0].upper().replace("SLOW", "SLOW-").replace(
                "QUICK", "QUICK-")
            assert_ok(r, marker)
    assert "4 errors" in two.stderr


# --- --rules ------------------------------------------------------------------------------------------------

USER_PACK = '''
[pack]
name = "coastal-herald"
prefix = "CH"
domains = ["coastal-herald.example"]

[[rule]]
id = "CH001"
name = "brass-band-line"
kind = "drop-line"
pattern = 'Commuters queued from before dawn.*'
max_words = 60
why = "A test rule: this paragraph is the site's boilerplate in our pretend world."
remove = ["Commuters queued from before dawn to be among the first to cross."]
keep = ["The mayor said the bridge was safe."]
'''


def test_user_rule_pack_changes_the_outcome(tmp_path):
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "coastal.toml").write_text(USER_PACK)
    before = call_main("clean", HARBOUR, LIBRARY).records
    after = call_main("clean", HARBOUR, LIBRARY, "--rules", tmp_path / "rules").records
    assert "Commuters queued from before dawn" in before[0]["text"]
    assert "Commuters queued from before dawn" not in after[0]["text"]
    [mine] = [e for e in after[0]["removed"] if e["rule"] == "CH001"]
    assert mine["text"].startswith("Commuters queued from before dawn")
    assert "CH001" not in {e["rule"] for e in before[0]["removed"]}
    assert after[0]["word_count"] < before[0]["word_count"]
    # A site pack touches only its site.
    assert after[1]["text"] == before[1]["text"]


def test_user_pack_named_like_a_builtin_replaces_it(tmp_path):
    (tmp_path / "generic.toml").write_text(USER_PACK.replace('name = "coastal-herald"', 'name = "generic"')
                                           .replace('domains = ["coastal-herald.example"]', ""))
    # Without the recognisers and the learned scorer, which would take the share line the generic pack no longer does.
    record = call_main("clean", HARBOUR, "--rules", tmp_path, "--ignore", "CAT,LRN").records[0]
    fired = {e["rule"] for e in record["removed"]}
    assert "CH001" in fired
    assert not any(r.startswith("GEN") for r in fired)
    assert "Share this article" in record["text"]  # the built-in generic rule is gone


def test_broken_user_pack_is_a_usage_error(tmp_path):
    (tmp_path / "bad.toml").write_text('[pack]\nname = "x"\nprefix = "X"\n[[rule]]\nid = "X1"\nname = "n"\nkind = "nope"\n'
                                       'why = "w"\npattern = "p"\nremove = ["p"]\n')
    run = call_main("clean", HARBOUR, "--rules", tmp_path)
    assert run.code == 2 and "bad.toml" in run.stderr and "unknown kind" in run.stderr
    assert run.records == []
    run = call_main("clean", HARBOUR, "--rules", tmp_path / "no-such-dir")
    assert run.code == 2 and "--rules expects a folder" in run.stderr


# --- presswash rules ----------------------------------------------------------------------------------------

def test_rules_lists_every_rule():
    run = call_main("rules")
    assert run.code == 0
    lines = run.stdout.splitlines()
    assert any(line.startswith("GEN001 ") and "strip-prefix" in line and "generic" in line for line in lines)
    assert "BLG001" in run.stdout
    assert "rules in" in lines[-1] and "packs" in lines[-1]


def test_rules_explains_one_rule():
    run = call_main("rules", "GEN001")
    assert run.code == 0
    out = run.stdout
    assert out.startswith("GEN001 image-filename-prefix  (strip-prefix, pack generic)")
    assert "pattern = " in out and "Removes, for example:" in out and "Keeps, for example:" in out
    assert "    ~ [GEN001 image-filename-prefix] IMG_2041.JPG\n      The minister arrives at the summit." in out
    assert call_main("rules", "gen001").stdout == out  # ids are case-insensitive


def test_rules_unknown_id_exits_2():
    run = run_cli("rules", "NOPE")
    assert run.code == 2
    assert "no rule 'NOPE'" in run.stderr and "presswash rules" in run.stderr and run.stdout == ""


def test_rules_with_a_user_pack(tmp_path):
    (tmp_path / "coastal.toml").write_text(USER_PACK)
    run = call_main("rules", "CH001", "--rules", tmp_path)
    assert run.code == 0 and "brass-band-line" in run.stdout and "pack coastal-herald" in run.stdout


# --- presswash explain --------------------------------------------------------------------------------------

def test_explain_marks_each_removal_with_its_rule():
    run = call_main("explain", "--color", "never", LIBRARY)
    assert run.code == 0
    lines = run.stdout.splitlines()
    assert lines[0] == f"== {LIBRARY}"
    assert "title: Town votes to keep its library open on Sundays" in lines
    assert any(line.startswith("removed: ") and "edits" in line for line in lines)
    assert "facts: " in run.stdout and "comment_count=12" in run.stdout
    assert "- [GEN011 comment-counter] 12 Comments" in lines
    assert "~ [GEN001 image-filename-prefix] IMG_2041.JPG" in run.stdout
    assert any(line.startswith("- [GEN002 repeated-title] Town votes") for line in lines)
    assert any(line.startswith("  Residents voted by a wide margin") for line in lines)  # kept text
    assert "\x1b[" not in run.stdout


def test_explain_in_colour_and_on_a_bad_file(tmp_path):
    run = call_main("explain", "--color", "always", HARBOUR)
    assert "\x1b[31m- [GEN020 share-prompt] Share this article\x1b[0m" in run.stdout
    (tmp_path / "photo.html").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100)
    run = call_main("explain", tmp_path / "photo.html")
    assert run.code == 1
    assert run.stdout.splitlines() == [f"== {tmp_path / 'photo.html'}",
                                       "error: not a web page or text: the bytes are a PNG image"]


def test_explain_agrees_with_clean():
    """Every removal in the record appears in explain's output under the same rule id."""
    record = call_main("clean", HARBOUR).records[0]
    shown = call_main("explain", "--color", "never", HARBOUR).stdout
    assert record["removed"]
    for edit in record["removed"]:
        assert f"[{edit['rule']} " in shown and edit["text"] in shown
    assert f"removed: {len(record['removed'])} edits" in shown
    assert f"kept {record['word_count']} words" in shown


def test_records_are_json_lines_with_the_full_schema():
    run = run_cli("clean", HARBOUR, FERRY)
    for line in run.stdout.splitlines():
        rec = json.loads(line)
        assert list(rec)[:4] == ["id", "url", "canonical_url", "source"]
        assert list(rec)[-1] == "error"
        assert isinstance(rec["removed"], list) and isinstance(rec["images"], list)


def test_error_record_has_the_same_keys_as_an_article(tmp_path):
    (tmp_path / "e.html").write_bytes(b"")
    good, bad = call_main("clean", HARBOUR, tmp_path / "e.html").records
    assert list(good) == list(bad)
    assert_error(bad, "empty")
    assert_ok(good, *HARBOUR_WORDS)
    assert_ok(call_main("clean", LIBRARY).records[0], *LIBRARY_WORDS)
