"""Dev-set scoring: the bag-of-words metric, snippet matching, the trafilatura corpus's snippet counts,
per-rule accounting, and main() end to end on a two-page WCXB dev set written here (gzipped HTML and
ground-truth JSON) and on fixtures/trafilatura-eval-mini (evaldata.json, three pages, one in windows-1252)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from scraper.cli.eval import main
from scraper.evaluation.devset import (
    TRAFILATURA_EVAL,
    WCXB,
    DevPage,
    devset_kind,
    examples_from_devset,
    load_devset,
    open_devset,
)
from scraper.evaluation.reports import OTHER_LANGUAGES, language_groups
from scraper.evaluation.scoring import (
    SnippetCounts,
    bow_prf,
    found_snippets,
    rule_damage,
    snippet_counts,
    snippet_key,
    tokens,
)

MINI_EVAL = Path(__file__).resolve().parents[1] / "fixtures" / "trafilatura-eval-mini"

# --- the metric ----------------------------------------------------------------------------------------


def test_tokens_are_lowercase_word_runs():
    assert tokens("Hello, WORLD! It's 2024 — café_au_lait") == ["hello", "world", "it", "s", "2024", "café_au_lait"]
    assert tokens("") == [] and tokens(None) == []


def test_prf_on_a_subset():
    # 6 predicted tokens, 3 true ones, all 3 found: P = 3/6, R = 1, F1 = 2PR/(P+R) = 2/3.
    prf = bow_prf("The cat sat on the mat", "the cat sat")
    assert (prf.predicted, prf.true, prf.matched) == (6, 3, 3)
    assert prf.precision == pytest.approx(0.5)
    assert prf.recall == pytest.approx(1.0)
    assert prf.f1 == pytest.approx(2 / 3)


def test_prf_intersects_counts_as_multisets():
    # "a" 3x vs 1x and "b" 1x vs 2x: matched = min(3,1) + min(1,2) = 2 (a set overlap would say 2 of 2).
    prf = bow_prf("a a a b", "a b b")
    assert prf.matched == 2
    assert prf.precision == pytest.approx(2 / 4)
    assert prf.recall == pytest.approx(2 / 3)
    assert prf.f1 == pytest.approx(2 * 0.5 * (2 / 3) / (0.5 + 2 / 3))


def test_prf_ignores_case_and_punctuation_but_not_words():
    assert bow_prf("Hello, WORLD!", "hello world").f1 == pytest.approx(1.0)
    assert bow_prf("hello there", "hello world").f1 == pytest.approx(0.5)


def test_prf_of_empty_output_is_zero_and_of_two_empties_is_one():
    assert bow_prf("", "some true words").f1 == 0.0
    assert bow_prf(None, "some true words").recall == 0.0
    assert bow_prf("words nobody wanted", "").precision == 0.0
    assert bow_prf("", "").f1 == 1.0


# --- snippets ------------------------------------------------------------------------------------------


def test_snippets_match_across_whitespace_and_case():
    output = "Sign up for our\n\n  NEWSLETTER today.\nThe council met on Monday."
    assert found_snippets(output, ["sign up for our newsletter", "The council met", "Subscribe"]) == [
        True, True, False]


def test_snippet_matching_is_a_substring_test_and_skips_empty_snippets():
    assert found_snippets("Homework was due", ["Home"]) == [True]  # as the benchmark counts it
    assert found_snippets("abc", ["", "   ", "b"]) == [True]  # empty snippets are not counted at all
    assert found_snippets("", ["Home"]) == [False]
    assert snippet_key("  A\tB\n C ") == "a b c"


# --- the trafilatura corpus's snippet counts -------------------------------------------------------------


def test_snippet_counts_by_hand():
    output = "Der  Rat\ntagte am Montag.\n\nNewsletter bestellen"
    # with: "Der Rat tagte" found across the line break (TP); "am montag" not, the match keeps case (FN).
    # without: "Newsletter" found (FP); "Impressum" not (TN).
    page_a = snippet_counts(output, ["Der Rat tagte", "am montag"], ["Newsletter", "Impressum"])
    assert page_a == SnippetCounts(tp=1, fp=1, fn=1, tn=1)
    page_b = snippet_counts("Der Rat tagte am Montag.", ["Rat", "tagte  am", "Dienstag", "Mittwoch"], ["Kontakt"])
    assert page_b == SnippetCounts(tp=2, fp=0, fn=2, tn=1)
    total = page_a + page_b  # summed over pages, then P, R, F1 and accuracy of the sums
    assert total == SnippetCounts(tp=3, fp=1, fn=3, tn=2)
    assert total.precision == pytest.approx(3 / 4)
    assert total.recall == pytest.approx(3 / 6)
    assert total.f1 == pytest.approx(2 * 3 / (2 * 3 + 1 + 3))  # = 2PR/(P+R) = 0.6
    assert total.accuracy == pytest.approx(5 / 9)


def test_snippet_counts_of_no_output_and_no_snippets():
    assert snippet_counts("", ["a"], ["b"]) == SnippetCounts(tp=0, fp=0, fn=1, tn=1)
    assert snippet_counts(None, ["a"], []) == SnippetCounts(fn=1)
    assert snippet_counts("text", ["", "  "], [""]) == SnippetCounts()  # empty snippets are not counted
    assert SnippetCounts().f1 == 0.0 and SnippetCounts().precision == 0.0 and SnippetCounts().accuracy == 0.0


# --- per-rule accounting -------------------------------------------------------------------------------


def _page(main_content: str, without: list[str] | None = None) -> DevPage:
    return DevPage(id="x", html_path="x.html.gz", url=None, main_content=main_content, without=without or [])


def test_rule_damage_counts_a_removed_ground_truth_sentence_as_a_hit():
    truth = "The bridge reopened on Monday after two years of repairs.\n\nTraffic was light."
    output = "Traffic was light."
    removed = [{"rule": "R1", "text": "The bridge reopened on Monday after two years of repairs."},
               {"rule": "R2", "text": "Sign up for our newsletter"}]
    stats = rule_damage(removed, output, _page(truth, ["Sign up for our newsletter"]))
    assert stats["R1"]["hits"] == 1 and stats["R1"]["gt_words"] == 10 and stats["R1"]["words"] == 10
    assert stats["R1"]["f1_gain"] < 0  # putting the sentence back would raise F1
    assert stats["R2"]["hits"] == 0 and stats["R2"]["gt_words"] == 0
    assert stats["R2"]["leaks_stopped"] == 1 and stats["R2"]["f1_gain"] > 0


def test_rule_damage_does_not_count_a_short_label_that_merely_occurs_in_the_text():
    truth = "Home prices rose again.\n\nHome"
    # "Home" is a whole paragraph of this ground truth, so removing the only copy is a hit ...
    assert rule_damage([{"rule": "R", "text": "Home"}], "Home prices rose again.", _page(truth))["R"]["hits"] == 1
    # ... but where it is only a word inside a sentence, removing a "Home" nav label is not.
    truth = "Home prices rose again, and home sales fell."
    stats = rule_damage([{"rule": "R", "text": "Home"}], "prices rose again, and home sales fell.", _page(truth))
    assert stats["R"]["gt_words"] == 1 and stats["R"]["hits"] == 0


# --- main() end to end ---------------------------------------------------------------------------------

ARTICLE_1 = [
    "The city council voted on Tuesday to keep the central library open on Sundays, reversing a plan "
    "that would have saved two million pounds a year over the next five years.",
    "Residents had gathered more than eight thousand signatures against the closure, and the debate in "
    "the chamber ran for almost four hours before the final vote was taken late in the evening.",
    "The leader of the council said the money would now come from a smaller budget for street lighting "
    "and from delaying the repainting of two footbridges over the river until next spring.",
]
ARTICLE_2 = [
    "Ferry services to the islands were cancelled for a second day on Wednesday as crews walked out in a "
    "dispute over pay, leaving hundreds of passengers stranded at the mainland port.",
    "The operator said it had offered a rise of four percent, while the union said its members had lost "
    "far more than that to inflation over the past three years and would not accept the offer.",
    "Talks are due to resume on Friday, and both sides said they hoped to reach an agreement before the "
    "busy summer season begins at the start of next month.",
]
NEWSLETTER = "Sign up for the Morning Digest, our free daily email"
CTA = "Book a free consultation with our planning team today"  # plain trafilatura keeps this box


def _html(title: str, paragraphs: list[str]) -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{title} | The Gazette</title>"
            f"</head><body><nav><a href='/'>Home</a> <a href='/news'>News</a></nav><article><h1>{title}</h1>"
            f"{body}<div class='post-cta'><p>{CTA}</p></div>"
            f"<div class='newsletter-signup'><p>{NEWSLETTER}</p><button>Subscribe</button></div>"
            f"</article><footer><p>Copyright The Gazette. All rights reserved.</p></footer></body></html>")


def _write_devset(root: Path) -> Path:
    (root / "html").mkdir(parents=True)
    (root / "ground-truth").mkdir()
    pages = [("0001", "https://gazette.example/news/library-sundays", "Library stays open on Sundays", ARTICLE_1),
             ("0002", None, "Ferry strike enters second day", ARTICLE_2)]
    for page_id, url, title, paragraphs in pages:
        with gzip.open(root / "html" / f"{page_id}.html.gz", "wb") as fh:
            fh.write(_html(title, paragraphs).encode("utf-8"))
        truth = {"file_id": page_id, "ground_truth": {
            "title": title, "main_content": "\n\n".join(paragraphs),
            "with": [paragraphs[1][:60], "a sentence that is not in the page at all"],
            "without": [NEWSLETTER, CTA, "All rights reserved"]}}
        if url:  # one ground truth has no url, as in the real dev set
            truth["url"] = url
        (root / "ground-truth" / f"{page_id}.json").write_text(json.dumps(truth), encoding="utf-8")
    # A ground truth without its page is skipped, not an error.
    (root / "ground-truth" / "0003.json").write_text(json.dumps({"ground_truth": {"main_content": "x"}}))
    return root


@pytest.fixture(scope="module")
def devset(tmp_path_factory) -> Path:
    return _write_devset(tmp_path_factory.mktemp("devset"))


def test_load_devset_reads_pages_with_html_only(devset):
    pages = load_devset(devset)
    assert [p.id for p in pages] == ["0001", "0002"]
    assert pages[0].url.startswith("https://") and pages[1].url is None
    assert pages[0].without == [NEWSLETTER, CTA, "All rights reserved"]
    assert [p.id for p in load_devset(devset, limit=1)] == ["0001"]


def test_main_scores_three_systems_side_by_side(devset, tmp_path, capsys):
    out = tmp_path / "results.json"
    assert main([str(devset), "--jobs", "2", "--json", str(out), "--by-rule", "--quiet"]) == 0
    printed = capsys.readouterr().out
    assert "| system | F1 | P | R | leaks | with kept | pages |" in printed
    for name in ("presswash", "trafilatura", "trafilatura-precision"):
        assert f"| {name} |" in printed

    data = json.loads(out.read_text(encoding="utf-8"))["devsets"][0]
    assert data["systems"] == ["presswash", "trafilatura", "trafilatura-precision"]
    assert [p["id"] for p in data["pages"]] == ["0001", "0002"]
    summary = {s["system"]: s for s in data["summary"]}
    assert summary["presswash"]["pages"] == 2
    for page in data["pages"]:
        ours = page["systems"]["presswash"]
        # The article comes out whole; the sign-up and call-to-action boxes do not.
        assert ours["recall"] == pytest.approx(1.0)
        assert ours["f1"] > 0.9
        assert ours["leaks"] == 0 and ours["without"] == 3
        # Plain trafilatura keeps the call-to-action box, and the leak is counted against it.
        assert page["systems"]["trafilatura"]["leaked"] == [CTA]
        assert ours["with"] == 2 and ours["kept"] == 1  # the made-up sentence cannot be kept
        assert ours["missed"] == ["a sentence that is not in the page at all"]
    # The boxes went by DOM rules, and the per-rule report says so.
    rules = {row["rule"]: row for row in data["by_rule"]}
    assert rules["DOM001"]["removals"] >= 2 and rules["DOM001"]["hits"] == 0
    assert rules["DOM002"]["removals"] == 2 and rules["DOM002"]["words"] == 2 * len(CTA.split())
    assert "| DOM002 | 2 | 2 |" in printed
    # Keep rate and leak rate are shares of all snippets of all pages.
    assert summary["presswash"]["keep_rate"] == pytest.approx(2 / 4)
    assert summary["presswash"]["leak_rate"] == 0.0
    assert summary["trafilatura"]["leak_rate"] == pytest.approx(2 / 6)
    assert "| trafilatura | " in printed and "33.3% (2/6)" in printed


def test_main_rejects_a_missing_devset_and_an_unknown_system(tmp_path, devset, capsys):
    assert main([str(tmp_path / "nowhere")]) == 2
    assert main([str(devset), "--systems", "presswash,nonsense"]) == 2
    assert "nonsense" in capsys.readouterr().err


def test_main_ablation_adds_the_rule_free_systems(devset, capsys):
    assert main([str(devset), "--limit", "1", "--systems", "presswash", "--ablation", "-q"]) == 0
    printed = capsys.readouterr().out
    for name in ("presswash", "presswash-no-dom", "presswash-no-text", "presswash-no-rules"):
        assert f"| {name} |" in printed
    assert "| 1 |" in printed  # one page, as --limit asked


def test_rule_ablation_measures_what_a_rule_is_worth(devset, tmp_path, capsys):
    out = tmp_path / "ablation.json"
    assert main([str(devset), "--systems", "presswash", "--rule-ablation", "--json", str(out), "-q"]) == 0
    assert "Rule ablation" in capsys.readouterr().out
    rows = {row["rule"]: row for row in json.loads(out.read_text(encoding="utf-8"))["devsets"][0]["rule_ablation"]}
    # Without DOM002 the call-to-action box would leak on both pages and cost precision there.
    assert rows["DOM002"]["pages"] == 2
    assert rows["DOM002"]["leaks_stopped"] == 2
    assert rows["DOM002"]["f1_gain"] > 0 and rows["DOM002"]["pages_better"] == 2
    assert rows["DOM002"]["with_lost"] == 0


def test_ablate_limits_the_reruns_to_the_rules_named(devset, tmp_path):
    out = tmp_path / "ablation.json"
    assert main([str(devset), "--systems", "presswash", "--rule-ablation", "--ablate", "DOM002", "--json", str(out),
                 "-q"]) == 0
    assert [row["rule"] for row in json.loads(out.read_text(encoding="utf-8"))["devsets"][0]["rule_ablation"]] == [
        "DOM002"]


def test_rule_examples_taken_from_the_dev_set_are_reported():
    from cleaners import RuleBook

    book = RuleBook.load()
    rule = book.rule("GEN053")
    copied = _page(f"An article. {rule.remove[0].text} More of the article.")
    assert ("GEN053", rule.remove[0].text) in examples_from_devset(book, [copied])
    assert examples_from_devset(book, [_page("A story about the harbour that no rule quotes.")]) == []


# --- dev-set kinds, both in one run, languages ----------------------------------------------------------------


def test_the_kind_of_a_dev_set_is_told_by_its_layout(devset, tmp_path):
    assert devset_kind(MINI_EVAL) == TRAFILATURA_EVAL
    assert devset_kind(devset) == WCXB
    mini = open_devset(MINI_EVAL)
    assert mini.kind == TRAFILATURA_EVAL
    # evaldata.json's order; the page's id is its file name, its url the key
    assert [p.id for p in mini.pages] == ["zeitung.example.buecherei.html", "gazette.example.ferry.html",
                                          "allotments.example.plots.html"]
    assert mini.pages[1].url == "https://gazette.example/news/ferry-strike"
    assert mini.pages[0].with_[0] == "Stadtbücherei auch sonntags zu öffnen"
    assert all(p.kind == TRAFILATURA_EVAL for p in mini.pages)
    assert [p.id for p in open_devset(MINI_EVAL, limit=2).pages] == [p.id for p in mini.pages[:2]]
    with pytest.raises(FileNotFoundError, match="not a dev set"):
        devset_kind(tmp_path)


def test_the_non_utf8_page_is_decoded_as_a_users_file_would_be(tmp_path):
    out = tmp_path / "mini.json"
    assert main([str(MINI_EVAL), "--json", str(out), "-q"]) == 0
    report = json.loads(out.read_text(encoding="utf-8"))["devsets"][0]
    german = report["pages"][0]
    assert german["id"] == "zeitung.example.buecherei.html" and german["language"] == "de"
    # The windows-1252 page's umlaut snippets are found by presswash and by plain trafilatura alike.
    for name in ("presswash", "trafilatura"):
        assert german["systems"][name]["missed"] == ["ein Satz, der auf der Seite nicht steht"]
        assert german["systems"][name]["tp"] == 2


def test_main_scores_a_trafilatura_corpus_with_its_own_metric(capsys, tmp_path):
    out = tmp_path / "mini.json"
    assert main([str(MINI_EVAL), "--json", str(out), "-q"]) == 0
    printed = capsys.readouterr().out
    assert "| system | F1 | P | R | accuracy | with found (TP) | without found (FP) | pages |" in printed
    report = json.loads(out.read_text(encoding="utf-8"))["devsets"][0]
    assert report["kind"] == TRAFILATURA_EVAL
    summary = {s["system"]: s for s in report["summary"]}
    # 7 with snippets (one is on no page), 6 without snippets. presswash drops every call-to-action box and
    # footer; plain trafilatura keeps the three boxes. Summed: presswash TP 6 FP 0 FN 1 TN 6.
    ours, plain = summary["presswash"], summary["trafilatura"]
    assert (ours["tp"], ours["fp"], ours["fn"], ours["tn"]) == (6, 0, 1, 6)
    assert (plain["tp"], plain["fp"], plain["fn"], plain["tn"]) == (6, 3, 1, 3)
    assert ours["precision"] == 1.0 and ours["recall"] == pytest.approx(6 / 7)
    assert plain["f1"] == pytest.approx(12 / 16) and plain["accuracy"] == pytest.approx(9 / 13)
    assert "| presswash | 0.923 | 1.000 | 0.857 | 0.923 | 6/7 | 0/6 | 3 |" in printed
    assert "| trafilatura | 0.750 | 0.667 | 0.857 | 0.692 | 6/7 | 3/6 | 3 |" in printed


def test_both_kinds_in_one_run_each_with_its_own_table_and_languages(devset, tmp_path, capsys):
    out = tmp_path / "both.json"
    assert main([str(devset), str(MINI_EVAL), "--jobs", "2", "--ablation", "--min-language-pages", "1",
                 "--json", str(out), "-q"]) == 0
    printed = capsys.readouterr().out
    first, second = printed.split(f"## {MINI_EVAL}")
    assert f"## {devset} (WCXB" in first and "| system | F1 | P | R | leaks | with kept | pages |" in first
    assert "| accuracy |" in second and "| leaks |" not in second
    reports = json.loads(out.read_text(encoding="utf-8"))["devsets"]
    assert [(r["devset"], r["kind"]) for r in reports] == [(str(devset), WCXB), (str(MINI_EVAL), TRAFILATURA_EVAL)]
    for report in reports:
        # every ablation system runs on both kinds
        assert [s["system"] for s in report["summary"]] == report["systems"]
        assert "presswash-no-rules" in report["systems"] and "presswash-no-dom" in report["systems"]
    mini = {s["system"]: s for s in reports[1]["summary"]}
    # The call-to-action boxes go by a DOM rule: without DOM rules presswash leaks them as trafilatura does.
    assert mini["presswash"]["fp"] == 0 and mini["presswash-no-dom"]["fp"] == 3
    # Languages: the presswash record's, the same grouping for every system; the page that declares none is
    # English by its text (detected).
    languages = {g["language"]: g for g in reports[1]["languages"]}
    assert {lang: g["pages"] for lang, g in languages.items()} == {"de": 1, "en": 2}
    assert [s["system"] for s in languages["de"]["summary"]] == reports[1]["systems"]
    assert languages["de"]["summary"][0]["tp"] == 2 and languages["de"]["summary"][0]["fn"] == 1
    assert "| de | 1 | 0.800 (0) | 0.667 (1) |" in second
    assert {g["language"]: g["pages"] for g in reports[0]["languages"]} == {"en": 2}


def test_language_rows_group_small_languages_as_other():
    results = [{"language": lang, "systems": {}} for lang in ["de"] * 3 + ["en"] * 2 + [None] * 2 + ["pl"]]
    groups = language_groups(results, min_pages=2)
    assert [(lang, len(rows)) for lang, rows in groups] == [("de", 3), ("en", 2), ("unknown", 2), (OTHER_LANGUAGES, 1)]
    assert [(lang, len(rows)) for lang, rows in language_groups(results, min_pages=4)] == [(OTHER_LANGUAGES, 8)]


def test_language_is_taken_from_presswash_even_when_only_trafilatura_is_scored(tmp_path):
    out = tmp_path / "traf.json"
    assert main([str(MINI_EVAL), "--systems", "trafilatura", "--json", str(out), "-q"]) == 0
    report = json.loads(out.read_text(encoding="utf-8"))["devsets"][0]
    assert [p["language"] for p in report["pages"]] == ["de", "en", "en"]  # the last one detected
    assert list(report["pages"][0]["systems"]) == ["trafilatura"]


def test_per_rule_reports_say_they_need_a_wcxb_dev_set(capsys):
    assert main([str(MINI_EVAL), "--by-rule", "--rule-ablation", "--systems", "presswash", "-q"]) == 0
    captured = capsys.readouterr()
    assert "WCXB dev sets only" in captured.err
    assert "Rule ablation" not in captured.out and "Removals by rule" not in captured.out


def _bad_devsets(root: Path) -> dict[str, Path]:
    bad = {}
    bad["missing"] = root / "nowhere"
    bad["neither layout"] = root / "plain"
    (root / "plain" / "html").mkdir(parents=True)
    bad["broken json"] = root / "broken"
    (root / "broken").mkdir()
    (root / "broken" / "evaldata.json").write_text("{not json", encoding="utf-8")
    bad["a list"] = root / "list"
    (root / "list").mkdir()
    (root / "list" / "evaldata.json").write_text("[]", encoding="utf-8")
    bad["entry without file"] = root / "nofile"
    (root / "nofile").mkdir()
    (root / "nofile" / "evaldata.json").write_text(json.dumps({"https://a.example/": {"with": ["x"]}}))
    bad["no pages"] = root / "nopages"
    (root / "nopages" / "html").mkdir(parents=True)
    (root / "nopages" / "evaldata.json").write_text(json.dumps({"https://a.example/": {"file": "a.html"}}))
    return bad


def test_bad_dev_set_folders_are_a_clear_error_and_exit_2(tmp_path, devset, capsys):
    expected = {"missing": "no such dev set folder", "neither layout": "not a dev set",
                "broken json": "not readable JSON", "a list": "expected an object",
                "entry without file": "expected {\"file\"", "no pages": "no pages"}
    for name, folder in _bad_devsets(tmp_path).items():
        # with a good dev set beside it, nothing is scored: every folder is read before the run starts
        assert main([str(devset), str(folder), "-q"]) == 2, name
        captured = capsys.readouterr()
        assert captured.out == "", name
        assert captured.err.startswith(f"error: {folder}") and expected[name] in captured.err, (name, captured.err)
