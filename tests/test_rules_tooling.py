"""The rules tooling from the command line: --select and --ignore on clean and explain, `presswash rules ID`
showing its examples as the engine treats them, and `presswash rules --check DIR`."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import LIBRARY, call_main

LIBRARY_RULES = {"GEN001", "GEN002", "GEN011"}  # what the default run removes from the library page


def removed_rules(record: dict) -> list[str]:
    return [e["rule"] for e in record["removed"]]


# --- --select / --ignore -------------------------------------------------------------------------------

def test_clean_runs_every_rule_by_default():
    run = call_main("clean", LIBRARY)
    assert run.code == 0 and set(removed_rules(run.one(LIBRARY))) == LIBRARY_RULES


@pytest.mark.parametrize(("args", "fired"), [
    # CAT001 and the learned scorer (LRN001) would take the counter GEN011 leaves
    (["--ignore", "GEN011,CAT,LRN"], {"GEN001", "GEN002"}),
    (["--ignore", "comment-counter,GEN001,CAT,LRN"], {"GEN002"}),  # a rule name, and a list
    (["--select", "GEN011"], {"GEN011"}),
    (["--select", "GEN00"], {"GEN001", "GEN002"}),  # an id prefix
    (["--select", "GEN", "--ignore", "GEN002"], {"GEN001", "GEN011"}),
    (["--select", "dom"], set()),  # prefixes are case-insensitive; no DOM rule fires on this page
])
def test_clean_select_and_ignore(args, fired):
    record = call_main("clean", LIBRARY, *args).one(LIBRARY)
    assert set(removed_rules(record)) == fired
    assert ("12 Comments" in record["text"]) == ("GEN011" not in fired)
    assert (record["comment_count"] == 12) == ("GEN011" in fired)


@pytest.mark.parametrize("option", ["--select", "--ignore"])
def test_an_entry_that_names_no_rule_is_a_usage_error(option):
    run = call_main("clean", LIBRARY, option, "GEN011,NOPE")
    assert run.code == 2 and run.records == []
    assert "'NOPE' names no rule" in run.stderr and "presswash rules" in run.stderr


def test_explain_shows_only_the_selected_rules():
    lines = call_main("explain", "--color", "never", "--ignore", "GEN001", LIBRARY).stdout.splitlines()
    assert "- [GEN011 comment-counter] 12 Comments" in lines
    assert not any("GEN001" in line for line in lines)
    assert any(line.startswith("  IMG_2041.JPG") for line in lines)  # the prefix stays on its line
    run = call_main("explain", "--color", "never", "--select", "GEN001", LIBRARY)
    assert "~ [GEN001 image-filename-prefix] IMG_2041.JPG" in run.stdout
    assert "- [" not in run.stdout and "  12 Comments" in run.stdout.splitlines()
    run = call_main("explain", "--select", "NOPE", LIBRARY)
    assert run.code == 2 and "names no rule" in run.stderr


# --- presswash rules ID --------------------------------------------------------------------------------

def section(out: str, heading: str) -> list[str]:
    """The lines under a heading of `presswash rules ID`, up to the next heading or the end."""
    lines = out.splitlines()
    start = lines.index(f"  {heading}") + 1
    end = next((i for i in range(start, len(lines)) if lines[i].startswith("  ") and lines[i].endswith(":")
                and not lines[i].startswith("    ")), len(lines))
    while end > start and not lines[end - 1]:
        end -= 1
    return lines[start:end]


def test_rules_id_marks_removed_and_kept_lines_as_explain_does():
    out = call_main("rules", "WPN001").stdout
    removes = section(out, "Removes, for example:")
    # the article lines above the heading stay, the heading and the teasers go
    assert removes[0].startswith("      Hoshiyar Zebari, the Iraqi foreign minister")
    assert "    - [WPN001 check-also-box] Check Also" in removes
    assert removes[-1].startswith("    - [WPN001 check-also-box] As exiled activists")
    keeps = section(out, "Keeps, for example:")
    assert keeps and all(line == "" or line.startswith("      ") for line in keeps)
    assert "      Check Also" in keeps


def test_rules_id_shows_a_stripped_prefix_above_the_rest_of_its_line():
    out = call_main("rules", "GEN001").stdout
    assert "    ~ [GEN001 image-filename-prefix] 151.jpg\n      Bush regimes' puppet" in out
    assert "      The file photo.jpg was shared widely on Monday." in section(out, "Keeps, for example:")


def test_rules_id_shows_the_blocks_a_dom_rule_drops():
    out = call_main("rules", "DOM003").stdout
    removes = section(out, "Removes, for example:")
    assert "    x [DOM003 related-posts] Five ways to save on heating" in removes
    keeps = section(out, "Keeps, for example:")
    assert "      Two related cases reached the court on Monday, the clerk said." in keeps
    assert not any(line.lstrip().startswith("x [") for line in keeps)


def test_rules_id_shows_the_title_an_example_runs_with():
    out = call_main("rules", "GEN002").stdout
    assert "(title: " in out and "- [GEN002 repeated-title]" in out


# --- presswash rules --check DIR -----------------------------------------------------------------------

GOOD_PACK = """
[pack]
name = "harbour-times"
prefix = "HT"
domains = ["harbour-times.example"]

[[rule]]
id = "HT001"
name = "print-edition"
kind = "drop-line"
pattern = 'read the print edition( every morning)?'
why = "The site's promo line for its print edition, under every article."
remove = ["Read the print edition", "Read the print edition every morning"]
keep = ["Read the print edition of the council's budget, the mayor told residents on Monday."]
"""


def write_pack(folder: Path, text: str, name: str = "harbour.toml") -> Path:
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_check_passes_a_good_pack(tmp_path):
    write_pack(tmp_path / "packs", GOOD_PACK)
    run = call_main("rules", "--check", tmp_path / "packs")
    assert run.code == 0, run.stderr
    assert run.stdout.strip() == "3 examples of 1 rules in 1 packs: all pass"


def test_check_names_every_failing_rule_and_example(tmp_path):
    bad = GOOD_PACK.replace('"Read the print edition every morning"', '"Read the weekend edition"')
    bad = bad.replace("Read the print edition of the council's budget, the mayor told residents on Monday.",
                      "Read the print edition every morning")
    path = write_pack(tmp_path / "packs", bad)
    run = call_main("rules", "--check", tmp_path / "packs")
    assert run.code == 1
    assert run.stdout.splitlines() == [
        f"{path}: rule HT001: remove example 2 ('Read the weekend edition'): the rule removed nothing from a "
        "remove example",
        f"{path}: rule HT001: keep example 1 ('Read the print edition every morning'): the rule removed "
        "['Read the print edition every morning'] from a keep example",
    ]
    assert "2 of 3 examples of 1 rules in 1 packs failed" in run.stderr
    # the same pack given to --rules does not load, and says why
    run = call_main("clean", LIBRARY, "--rules", tmp_path / "packs")
    assert run.code == 2 and f"{path}: rule HT001: remove example 2" in run.stderr


def test_check_checks_dom_examples(tmp_path):
    write_pack(tmp_path / "packs", """
[pack]
name = "harbour-blocks"
prefix = "HB"

[[rule]]
id = "HB001"
name = "print-box"
kind = "drop-block"
tags = ["div"]
class_match = "print-box"
why = "A box promoting the print edition, on every article of the site."
remove = ['<div class="print-box">Get the print edition</div>', '<div class="promo">Get the app</div>']
keep = ['<div class="story">Print is not dead, the editor said.</div>']
""")
    run = call_main("rules", "--check", tmp_path / "packs")
    assert run.code == 1
    assert "rule HB001: remove example 2 ('<div class=\"promo\">Get the app</div>'): the rule dropped nothing" \
        in run.stdout


@pytest.mark.parametrize(("text", "message"), [
    (GOOD_PACK.replace('prefix = "HT"\n', "").replace("HT001", "print_edition"), "the [pack] table needs a 'prefix'"),
    (GOOD_PACK.replace('prefix = "HT"', 'prefix = "GEN"').replace("HT001", "GEN901"),
     "id prefix GEN is declared twice"),
    (GOOD_PACK.replace("kind = ", "kind = 'nope'\n#"), "unknown kind 'nope'"),
    ("[pack\n", "cannot read pack"),
])
def test_check_exits_2_on_a_pack_that_does_not_load(tmp_path, text, message):
    write_pack(tmp_path / "packs", text)
    run = call_main("rules", "--check", tmp_path / "packs")
    assert run.code == 2 and message in run.stderr and run.stdout == ""


def test_a_pack_from_before_prefixes_loads_when_its_ids_share_one_stem(tmp_path):
    write_pack(tmp_path / "packs", GOOD_PACK.replace('prefix = "HT"\n', ""))
    run = call_main("rules", "--check", tmp_path / "packs")
    assert run.code == 0, run.stderr


def test_check_wants_a_folder_of_packs(tmp_path):
    run = call_main("rules", "--check", tmp_path / "nowhere")
    assert run.code == 2 and "expects a folder" in run.stderr
    (tmp_path / "empty").mkdir()
    run = call_main("rules", "--check", tmp_path / "empty")
    assert run.code == 2 and "no .toml packs to check" in run.stderr
