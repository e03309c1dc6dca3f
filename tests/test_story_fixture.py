"""The wire-copies fixture itself (fixtures/stories/): its manifest holds together, its pages come through
``presswash clean`` as the wire text without the sites' clutter, and its sites answer on 127.0.0.1."""

from __future__ import annotations

import importlib.util
import json
import re
import urllib.request
from collections import defaultdict
from pathlib import Path

import pytest

from fixtures.stories import wirecopies
from scraper.evaluation.stories import linked_pairs, score_stories
from tests.conftest import call_main

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = wirecopies.load()
PAGES = FIXTURE.pages
# A long direct quote: twenty words or more between double quotes.
QUOTE = re.compile(r'"([^"]+)"')


def long_quotes(text: str) -> list[str]:
    return [q for q in QUOTE.findall(text) if len(q.split()) >= 20]


def words(text: str) -> int:
    return len(text.split())


def squash(text: str) -> str:
    return " ".join(text.split())


def test_every_page_has_a_text_and_a_unique_place():
    names = {p.stem for p in wirecopies.TEXTS.glob("*.txt")}
    assert {p.text for p in PAGES} == names  # every text is printed, every page has its text
    assert len({p.id for p in PAGES}) == len(PAGES)
    assert len({(p.site.key, p.path) for p in PAGES}) == len(PAGES)
    assert {p.site.key for p in PAGES} == set(FIXTURE.sites) and len(FIXTURE.sites) == 3


def test_each_group_has_one_original_seen_first():
    seen = {p.id: n for n, p in enumerate(PAGES)}
    groups = defaultdict(list)
    for page in PAGES:
        groups[page.original].append(page)
    for original, members in groups.items():
        assert original in seen, f"{original} is no page"
        first = FIXTURE.page(original)
        assert first.original == original and members[0] is first
        assert all(seen[m.id] > seen[original] for m in members[1:])
        assert {m.story for m in members} == {first.story} and {m.text for m in members} == {first.text}
    assert sum(len(m) > 1 for m in groups.values()) == 6  # every wire story has copies


def test_the_stories_the_issue_asks_for():
    wire = {p.text: p for p in PAGES if p.variant == ("wire",) and p.original == p.id}
    for page in wire.values():
        assert 250 <= words(page.body) <= 600, page.id
        assert len(long_quotes(page.body)) >= 2, page.id
        assert wirecopies.DATELINE.match(page.paragraphs[0]), page.id
    topics = defaultdict(set)
    for page in wire.values():
        topics[page.topic].add(page.story)
    assert len(topics["storm"]) == 2 and len(topics["court ruling"]) == 2  # same topic, different story
    assert len(wire) - 4 >= 2  # and unrelated articles
    # Own write-ups: the story in other words, repeating a wire quote or two word for word.
    write_ups = [p for p in PAGES if p.variant == ("write-up",)]
    assert len(write_ups) >= 2
    wire_of_story = {p.story: p for p in wire.values()}
    for page in write_ups:
        shared = set(long_quotes(page.body)) & set(long_quotes(wire_of_story[page.story].body))
        assert 1 <= len(shared) <= 2, page.id
        assert page.original == page.id


def test_the_variants_change_what_they_say():
    kinds = set()
    for page in PAGES:
        wire_title, wire_paragraphs = FIXTURE.texts[page.text]
        kinds.update(page.variant)
        if "trim" in page.variant:
            assert 0.65 <= words(page.body) / words(" ".join(wire_paragraphs)) <= 0.85, page.id
        if "edit" in page.variant:
            assert 3 <= len(page.edits) <= 6, page.id
            assert all(new in page.body for _, new in page.edits), page.id
        if "retitle" in page.variant:
            assert page.title != wire_title and page.paragraphs[0].startswith(page.dateline + " "), page.id
        if page.variant == ("wire",) or page.variant == ("write-up",):
            assert (page.title, list(page.paragraphs)) == (wire_title, wire_paragraphs), page.id
    assert kinds == wirecopies.VARIANTS
    assert any(len(p.variant) > 1 for p in PAGES)  # combinations


def test_files_sort_in_seen_order(tmp_path: Path):
    files = {**wirecopies.write_files(tmp_path), **wirecopies.write_seeds(tmp_path)}
    assert [page.id for _, page in sorted(files.items())] == [p.id for p in PAGES] + ["seed/000", "seed/004"]
    assert sorted(tmp_path.iterdir()) == sorted(files)


def test_the_seeds_are_one_story_and_no_copy():
    labels = wirecopies.labels()
    first, second = (labels[s.id] for s in FIXTURE.seeds)
    assert first.story == second.story and first.original != second.original
    texts = [squash(s.file.read_text(encoding="utf-8")).replace("’", "'") for s in FIXTURE.seeds]
    shared = {q for q in long_quotes(texts[0].replace("“", '"').replace("”", '"')) if q in texts[1]}
    assert len(shared) >= 1  # a long quote word for word (the seeds share two, one with other punctuation)


def test_clean_gives_the_wire_text_without_the_clutter(tmp_path: Path):
    files = wirecopies.write_files(tmp_path / "pages")
    out = tmp_path / "out.jsonl"
    run = call_main("clean", tmp_path / "pages", "-o", out, "--no-progress", "-q")
    assert run.code == 0, run.stderr
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert [Path(r["source"]).name for r in records] == [f.name for f in files]  # the seen order
    for record, page in zip(records, files.values()):
        text = squash(record["text"])
        for para in page.paragraphs:
            assert squash(para) in text, (page.id, para[:60])
            text = text.replace(squash(para), "")
        # Nothing else is left, but for the blog's post title at the head of its text.
        assert text.strip() in ("", page.title), (page.id, text.strip()[:200])
        assert record["canonical_url"] == f"https://{page.site.host}{page.path}"
        assert (record["title"], record["author"]) == (page.title, page.author)
        assert record["date_published"] == page.date[:10]


def test_the_sites_answer_on_loopback(tmp_path: Path):
    with wirecopies.serve(tmp_path) as servers:
        assert len({s.server_address for s in servers.values()}) == 3
        for page in PAGES:
            base = servers[page.site.key].base_url
            assert base.startswith("http://127.0.0.1:")
            with urllib.request.urlopen(base + page.path, timeout=30) as answer:
                assert answer.status == 200
                body = answer.read().decode("utf-8")
            assert f'<link rel="canonical" href="{base}{page.path}">' in body
            assert wirecopies._e(page.paragraphs[-1]) in body
        for key, server in servers.items():
            with urllib.request.urlopen(server.base_url + "/sitemap.xml", timeout=30) as answer:
                sitemap = answer.read().decode("utf-8")
            assert sitemap.count("<loc>") == sum(p.site.key == key for p in PAGES)
            assert f"<loc>{server.base_url}/" in sitemap


@pytest.mark.parametrize("variant, message", [
    ('variant = "rewrite"\n', "unknown variant"),
    ('variant = "edit"\nedits = [["no such words", "x"]]\n', "must occur once"),
])
def test_a_broken_manifest_is_refused(tmp_path: Path, variant: str, message: str):
    text = wirecopies.MANIFEST.read_text()
    manifest = tmp_path / "manifest.toml"
    manifest.write_text(text.replace('variant = "wire"\n', variant, 1))
    with pytest.raises(ValueError, match=message):
        wirecopies.load(manifest)


# the benchmark over the fixture (benchmarks/stories_quality.py) ---------------------------------------------
def _bench():
    spec = importlib.util.spec_from_file_location("presswash_stories_bench", ROOT / "benchmarks" / "stories_quality.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_benchmark_scores_the_fixture_and_its_crawl_or_says_why_not(capsys):
    """The files through clean, and the three served sites through a real crawl: every page comes back."""
    assert _bench().main(["--no-devsets", "--jobs", "1", "--crawl"]) == 0
    out = capsys.readouterr().out
    assert "fixture: clean took" in out and "0 error records; 20 records matched to a page" in out
    assert "fixture crawled: the crawl took" in out and "0 error records; 18 records matched to a page" in out
    if "nothing to score" in out:  # the records carry no duplicate_of/story yet: no figure at all
        assert "NOTE: the records carry no `duplicate_of` / `story`" in out and "P / R / F1" not in out
    else:
        assert "near-duplicates, pairwise P / R / F1" in out and "false links" in out


def test_the_benchmark_table_of_perfect_records():
    bench = _bench()
    labels = wirecopies.labels()
    records = {page: {"id": page, "duplicate_of": None if e.original == page else e.original,
                      "story": next(p for p in labels if labels[p].story == e.story)} for page, e in labels.items()}
    scores = score_stories(records, labels)
    part = {"pages": len(labels), "stories": 7, "fields": True, "scores": scores, "seconds": 0.0, "errors": []}
    table = bench.table(part, [{"name": "dev", "pages": 3, "fields": True, "seconds": 0.0,
                                "links": linked_pairs(list(records.values())[:3])}])
    assert "| 1.000 / 1.000 / 1.000  (14 of 14 pairs found, 14 linked)" in table
    assert "(21 of 21 pairs found, 21 linked)" in table  # the stories' pairs and the seeds' pair
    dev_row = next(line for line in table.splitlines() if "links among dev pages (3, 3 pairs)" in line)
    assert "| 3 (3 near-duplicate, 0 story only)" in dev_row
    assert "**no**" not in table
