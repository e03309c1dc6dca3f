"""The clutter-injection benchmark (benchmarks/clutter.py): the generator's bookkeeping, its determinism, the
scorer on outputs whose answer is known, and the two parts of phrasings. Built from the fixtures' bodies only, so
it needs no dev set. The held-out phrasings are checked here for coverage and separation, never printed."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _load_bench():
    name = "presswash_clutter_bench"
    if name not in sys.modules:  # benchmarks/ is not a package: load the file by its path
        spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / "clutter.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # dataclasses look their module up while the file runs
        spec.loader.exec_module(module)
    return sys.modules[name]


bench = _load_bench()


@pytest.fixture(scope="module")
def bodies():
    found = {}
    for body in bench.fixture_bodies():
        found.setdefault(body.language, []).append(body)
    return found


@pytest.fixture(scope="module")
def tuning():
    return bench.load_part("tuning")


@pytest.fixture(scope="module")
def cases(tuning, bodies):
    return bench.build_part(tuning, bodies, seed=5, repeats=1)


def test_fixture_bodies_are_clean_article_text(bodies):
    assert sorted(bodies) == ["en", "nl"]
    assert len(bodies["en"]) == 2 and all(b.words > 100 for b in bodies["en"])
    dutch = bodies["nl"][0]
    assert dutch.title == "Gemeente schrapt nieuwe sporthal uit begroting" and len(dutch.paragraphs) == 3


def test_every_injection_is_recorded_with_its_kind_and_the_body_comes_back(cases, bodies):
    assert {c.language for c in cases} == {"en", "nl"}
    for case in cases:
        assert case.clutter, case.id
        for item in case.items:
            assert item.kind in bench.KINDS and item.role in ("clutter", "lookalike")
            assert item.place in ("head", "between", "tail", "glued")
        # Taking out every recorded injection gives the headline and the body, paragraph for paragraph: no
        # line was added without being recorded, and the body was not altered.
        assert bench.strip_injections(case) == [case.title, *case.body.paragraphs], case.id
        lines = [ln for ln in case.text.split("\n") if ln.strip()]
        assert len(lines) == 1 + len(case.body.paragraphs) + sum(1 for i in case.items if i.place != "glued")
        for item in case.items:
            if item.place == "glued":
                assert any(ln.startswith(item.text) for ln in lines)
            else:
                assert item.text in lines


def test_every_phrasing_of_the_part_is_used(cases, tuning):
    for lang in ("en", "nl"):
        used = {(i.kind, i.template) for c in cases if c.language == lang for i in c.clutter}
        wanted = {(kind, t) for kind, templates in tuning.clutter[lang].items() for t in templates}
        assert used == wanted
        looks = {i.text for c in cases if c.language == lang for i in c.lookalikes}
        assert looks == {s for sentences in tuning.lookalikes[lang].values() for s in sentences}


def test_the_seed_decides_the_cases(tuning, bodies, cases):
    again = bench.build_part(tuning, bodies, seed=5, repeats=1)
    assert [(c.id, c.text, c.items) for c in again] == [(c.id, c.text, c.items) for c in cases]
    other = bench.build_part(tuning, bodies, seed=6, repeats=1)
    assert [c.text for c in other] != [c.text for c in cases]


def test_a_cleaner_that_removes_nothing_removes_no_clutter_and_keeps_every_word(cases):
    outcomes = [bench.score_case(case, case.text) for case in cases]
    summary = bench.summarize(outcomes)["all"]
    assert summary.items and summary.lines and summary.lookalikes
    assert summary.removed == 0 and summary.items_removed == 0 and summary.removed_share == 0.0
    assert summary.kept == summary.lookalikes
    assert summary.recall == 1.0


def test_a_cleaner_that_keeps_only_the_body_removes_everything_it_should(cases):
    outcomes = [bench.score_case(case, "\n".join(case.body.paragraphs)) for case in cases]
    summary = bench.summarize(outcomes)
    assert summary["all"].removed_share == 1.0 and summary["all"].items_share == 1.0
    assert summary["all"].kept == 0  # it also removed the look-alikes, which must be kept
    assert summary["all"].recall == 1.0
    assert set(summary["kinds"]) == set(bench.KINDS)


def test_partial_outputs_score_as_counted_by_hand(cases):
    case = next(c for c in cases if any(i.place == "glued" for i in c.items)
                and any(i.place == "tail" for i in c.clutter))
    image = next(i for i in case.items if i.place == "glued")
    tail = [i for i in case.clutter if i.place == "tail"]
    # Drop one tail line and the image name, keep the rest; lose the last paragraph's words.
    lines = [ln for ln in case.text.split("\n") if ln.strip()]
    lines.remove(tail[0].text)
    lines = [ln[len(image.text):].lstrip() if ln.startswith(image.text) else ln for ln in lines]
    lines.remove(case.body.paragraphs[-1])
    outcome = bench.score_case(case, "\n".join(lines))
    assert tail[0] in outcome.removed and image in outcome.removed
    assert len(outcome.removed) == 2 and len(outcome.leaked) == len(case.clutter) - 2
    lost_words = len(bench.tokens(case.body.paragraphs[-1]))
    assert outcome.body_words - outcome.body_words_kept <= lost_words
    assert outcome.body_words_kept < outcome.body_words


def test_presswash_runs_on_the_cases_and_the_baseline_removes_nothing(cases):
    systems = bench.make_systems(["presswash", "rules-off"])
    outcomes, _ = bench.run_part(cases[:6], systems)
    off = bench.summarize(outcomes["rules-off"])["all"]
    assert off.removed == 0 and off.kept == off.lookalikes
    on = bench.summarize(outcomes["presswash"])["all"]
    assert on.lines == off.lines and on.removed > 0


def test_both_parts_cover_every_kind_and_language_and_the_heldout_one_is_separate(tuning):
    heldout, _ = bench.without_seen(bench.load_part("heldout"), bench.rule_example_lines(), tuning)
    # Counted, never printed: pytest shows the operands of a failing assert, and a failure message showing the
    # phrasings (or the parts) would leak the held-out part. So every check ends in pytest.fail with counts.
    if not tuning.languages == heldout.languages == list(bench.LANGUAGES):
        pytest.fail(f"languages: tuning {len(tuning.languages)}, held-out {len(heldout.languages)}")
    problems = []
    for lang in bench.LANGUAGES:
        for kind in bench.KINDS:
            ours, theirs = tuning.clutter[lang].get(kind, []), heldout.clutter[lang].get(kind, [])
            # Without the phrasings rule examples or tuning data have come to hold, held-out still covers every
            # kind with enough phrasings to give a share (it was written with at least as many as tuning had).
            if not ours or len(theirs) < 5:
                problems.append(f"{lang} {kind}: {len(ours)} tuning, {len(theirs)} held-out phrasings")
        ours_alike = sum(map(len, tuning.lookalikes[lang].values()))
        theirs_alike = sum(map(len, heldout.lookalikes[lang].values()))
        if not ours_alike or theirs_alike < 15:
            problems.append(f"{lang}: {theirs_alike} held-out look-alikes for {ours_alike} tuning ones")
    if problems:
        pytest.fail("; ".join(problems))


def test_a_part_reads_its_extra_files_as_one_part_without_repeats(tmp_path):
    (tmp_path / "tuning.toml").write_text(
        '[en.fill]\nnames = ["Ann"]\n[en.clutter]\nshare = ["Share this", "Tweet"]\n[en.lookalike]\n'
        'share = ["She shared the prize."]\n', encoding="utf-8")
    (tmp_path / "tuning-retired.toml").write_text(
        '[en.fill]\nnames = ["Ann", "Bo"]\n[en.clutter]\nshare = ["Tweet", "Email this"]\nad = ["Advertisement"]\n'
        '[de.clutter]\nshare = ["Teilen"]\n', encoding="utf-8")
    (tmp_path / "heldout.toml").write_text('[en.clutter]\nshare = ["Pin it"]\n', encoding="utf-8")
    spec = bench.load_part("tuning", tmp_path)
    assert spec.name == "tuning" and spec.languages == ["en", "de"]
    assert spec.clutter["en"] == {"share": ["Share this", "Tweet", "Email this"], "ad": ["Advertisement"]}
    assert spec.fills["en"]["names"] == ["Ann", "Bo"] and spec.lookalikes["en"]["share"] == ["She shared the prize."]
    assert bench.load_part("heldout", tmp_path).clutter == {"en": {"share": ["Pin it"]}}  # its own file only
    (tmp_path / "tuning-typo.toml").write_text('[en.clutter]\nshares = ["x"]\n', encoding="utf-8")
    with pytest.raises(ValueError, match="tuning-typo.toml.*unknown kinds"):
        bench.load_part("tuning", tmp_path)


def test_heldout_phrasings_a_rule_example_matches_are_left_out():
    spec = bench.PartSpec(name="heldout", fills={}, lookalikes={},
                          clutter={"en": {"share": ["Share it on {network}", "Pass this story along"]}})
    kept, seen = bench.without_seen(spec, {"share it on mastodon"})
    assert kept.clutter["en"]["share"] == ["Pass this story along"]
    assert seen == {"en": {"share": 1}}
    assert bench.without_seen(spec, {"share prices fell"})[1] == {}
    tuning = bench.PartSpec(name="tuning", fills={}, lookalikes={}, clutter={"en": {"follow": ["pass this  STORY along"]},
                                                                             "de": {"share": ["Share it on {network}"]}})
    kept, seen = bench.without_seen(spec, set(), tuning)  # the same words in English, any kind, any case
    assert kept.clutter["en"]["share"] == ["Share it on {network}"] and seen == {"en": {"share": 1}}


def test_the_runner_prints_both_parts_and_writes_json(tmp_path, capsys):
    out = tmp_path / "clutter.json"
    assert bench.main(["--no-devsets", "--repeats", "1", "--systems", "presswash,rules-off", "--json", str(out),
                       "--show-leaks", "--part", "both"]) == 0
    printed = capsys.readouterr().out
    assert "## tuning" in printed and "## heldout" in printed
    # Leaks are listed for the tuning part; the held-out part's only with --part heldout alone.
    assert "Leaks of the tuning part" in printed and "Leaks of the heldout part" not in printed
    report = json.loads(out.read_text(encoding="utf-8"))
    assert set(report["parts"]) == {"tuning", "heldout"}
    tally = report["parts"]["heldout"]["systems"]["rules-off"]["all"]
    assert tally["removed"] == 0 and tally["content_recall"] == 1.0
    assert "de" in report["missing_languages"]  # fixtures alone give English and Dutch bodies


def test_the_ablation_systems_leave_their_means_out(cases):
    systems = bench.make_systems(["presswash", *bench.ABLATIONS])
    outcomes, _ = bench.run_part(cases[:12], systems)
    full = bench.summarize(outcomes["presswash"])["all"]
    for name in bench.ABLATIONS:
        assert bench.summarize(outcomes[name])["all"].removed <= full.removed, name
    with pytest.raises(ValueError, match="unknown systems"):
        bench.make_systems(["presswash-no-such-means"])
