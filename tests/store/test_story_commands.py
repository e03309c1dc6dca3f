"""`presswash stories` and `presswash export --unique`, on SQLite and PostgreSQL, over stores the product fills:
the wire-copies fixture's pages processed by the pipeline and saved as a crawl saves them, in seen order (so
each group's original is known), and the fixture's three sites served on 127.0.0.1 and crawled for real."""

from __future__ import annotations

import json
from collections import defaultdict

import pyarrow.parquet as pq
import pytest

from fixtures.stories import wirecopies
from scraper.api import clean_html
from scraper.store import Store
from tests.conftest import call_main
from tests.crawl.conftest import crawl
from tests.store.conftest import sql
from tests.store.test_stories import WIRE, back_to_version_2, save
from tests.test_stories import edited

FIXTURE = wirecopies.load()


def url_of(page: wirecopies.Page) -> str:
    return f"https://{page.site.host}{page.path}"


def saved_store(store_url: str) -> dict[str, str]:
    """The fixture's pages through the pipeline (the crawl's extraction, fingerprint included) and
    Store.save_article, one an hour in seen order, the first day's before the second's; page id -> URL."""
    with Store(store_url) as store:
        for n, page in enumerate(FIXTURE.pages):
            outcome = clean_html(wirecopies.render(page), url=url_of(page))
            record = outcome.to_record()
            record["fetched_at"] = f"2026-11-{20 + n // 12}T{n % 12:02d}:00:00+00:00"
            store.save_article(record, url_of(page), status=200, fingerprint=outcome.fingerprint)
    return {p.id: url_of(p) for p in FIXTURE.pages}


def expected_stories(urls: dict[str, str]) -> list[set[str]]:
    """The fixture's stories of two pages or more, as sets of URLs."""
    groups = defaultdict(set)
    for page in FIXTURE.pages:
        if page.id in urls:
            groups[page.story].add(urls[page.id])
    return [g for g in groups.values() if len(g) > 1]


def listed(store_url: str, *args: str) -> list[dict]:
    run = call_main("stories", "--store", store_url, "--json", *args)
    assert run.code == 0, run.stderr
    return [json.loads(line) for line in run.stdout.splitlines()]


def members(cluster: dict) -> list[dict]:
    return [cluster["original"], *cluster["copies"], *cluster["others"]]


def test_stories_lists_the_clusters_largest_first_with_originals_copies_and_others(store_url):
    urls = saved_store(store_url)
    clusters = listed(store_url)
    page_of = {u: FIXTURE.page(pid) for pid, u in urls.items()}
    assert sorted(map(frozenset, (set(m["url"] for m in members(c)) for c in clusters)), key=sorted) == \
        sorted(map(frozenset, expected_stories(urls)), key=sorted)
    sizes = [c["size"] for c in clusters]
    assert sizes == sorted(sizes, reverse=True) and all(c["size"] == len(members(c)) for c in clusters)
    with Store(store_url, read_only=True) as store:
        stored = {row[0]: row[1:] for row in sql(store, "SELECT url, id, duplicate_of, story, first_seen FROM articles")}
    for cluster in clusters:
        original = cluster["original"]
        assert page_of[original["url"]].original == page_of[original["url"]].id  # the group's first seen page
        assert cluster["story"] == original["id"] == stored[original["url"]][0]
        assert original["host"] == page_of[original["url"]].site.host and original["duplicate_of"] is None
        assert original["title"] == page_of[original["url"]].title
        for copy in cluster["copies"]:  # copies of that original, in the order seen
            assert page_of[copy["url"]].original == page_of[original["url"]].id
            assert copy["duplicate_of"] == original["id"] == stored[copy["url"]][1]
        for other in cluster["others"]:  # the story told anew (a write-up), or a copy of such a write-up
            assert page_of[other["url"]].original != page_of[original["url"]].id
            assert other["duplicate_of"] == stored[other["url"]][1]
        for part in ("copies", "others"):
            seen = [m["first_seen"] for m in cluster[part]]
            assert seen == sorted(seen) and all(s > original["first_seen"] for s in seen)
            assert all(m["first_seen"] == stored[m["url"]][3] for m in cluster[part])
    assert any(c["others"] for c in clusters) and any(c["copies"] for c in clusters)

    # --limit keeps the largest; --min-size 1 lists every article alone too
    assert listed(store_url, "--limit", "2") == clusters[:2]
    every = listed(store_url, "--min-size", "1")
    assert every[:len(clusters)] == clusters and sum(c["size"] for c in every) == len(FIXTURE.pages)
    big = max(sizes)
    assert listed(store_url, "--min-size", str(big)) == [c for c in clusters if c["size"] == big]

    # the listing for people: a header per story, then its articles with time, host and clipped title
    run = call_main("stories", "--store", store_url)
    assert run.code == 0 and f"{len(clusters)} of {len(clusters)} stories of 2 articles or more listed" in run.stderr
    blocks = run.stdout.strip().split("\n\n")
    assert len(blocks) == len(clusters)
    for block, cluster in zip(blocks, clusters):
        head, *lines = block.splitlines()
        assert head.startswith(f"story {cluster['story']}: {cluster['size']} articles, the original, ")
        assert [ln.split()[:2] for ln in lines] == [[role, m["id"]] for role, part in
                                                     (("original", [cluster["original"]]), ("copy", cluster["copies"]),
                                                      ("other", cluster["others"])) for m in part]
        for line, m in zip(lines, members(cluster)):
            assert f"  {m['first_seen']}  {m['host']}  " in line and len(line) < 200


def test_export_unique_leaves_exactly_the_copies_out(store_url, tmp_path):
    saved_store(store_url)
    with Store(store_url, read_only=True) as store:
        rows = sql(store, "SELECT url, duplicate_of, last_changed FROM articles")
    copies = {u for u, dup, _ in rows if dup is not None}
    assert copies and len(copies) < len(rows)
    out = tmp_path / "unique.jsonl"
    run = call_main("export", "--store", store_url, "--unique", "-o", out)
    assert run.code == 0 and f"{len(rows) - len(copies)} articles" in run.stderr, run.stderr
    exported = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert {r["url"] for r in exported} == {u for u, _, _ in rows} - copies
    assert all(r["duplicate_of"] is None for r in exported)

    # with --since, and as Parquet
    since = "2026-11-21"
    later = {u for u, dup, changed in rows if changed >= since and dup is None}
    assert later and later != {u for u, _, _ in rows if _ is None}
    parquet = tmp_path / "unique.parquet"
    assert call_main("export", "--store", store_url, "--unique", "--since", since, "--format", "parquet",
                     "-o", parquet).code == 0
    assert set(pq.read_table(parquet).column("url").to_pylist()) == later


def test_a_store_without_fingerprints_says_so(store_url, tmp_path):
    with Store(store_url) as store:
        store.mark_page("https://a.example/x", "error")
    run = call_main("stories", "--store", store_url)
    assert run.code == 0 and run.stdout == "" and "has a fingerprint" in run.stderr
    missing = call_main("stories", "--store", str(tmp_path / "none.db"))
    assert missing.code == 2 and "no store at" in missing.stderr
    with pytest.raises(SystemExit) as usage:
        call_main("stories", "--store", store_url, "--limit", "0")
    assert usage.value.code == 2


def test_a_store_older_than_stories_is_read_as_it_is(store_url, tmp_path):
    """A version 2 store opened read-only is not upgraded: no story to list, and no article is a copy."""
    with Store(store_url) as store:
        wire = save(store, "wire", WIRE)
        save(store, "copy", edited(WIRE))
        back_to_version_2(store)
    run = call_main("stories", "--store", store_url)
    assert run.code == 0 and "has a fingerprint" in run.stderr
    out = tmp_path / "all.jsonl"
    run = call_main("export", "--store", store_url, "--unique", "-o", out)
    assert run.code == 0 and "2 articles" in run.stderr and "--unique leaves none out" in run.stderr, run.stderr
    assert wire["url"] in out.read_text(encoding="utf-8")
    with Store(store_url, read_only=True) as store:
        assert store.version() == 2


def test_stories_after_a_real_crawl_of_the_wire_sites(store_url, tmp_path):
    """The three fixture sites on 127.0.0.1, crawled from their sitemaps: the stories are the fixture's
    (which copy of a group the crawl meets first may vary, the groups do not)."""
    with wirecopies.serve(tmp_path / "sites") as servers:
        args = []
        for server in servers.values():
            args += ["--sitemap", f"{server.base_url}/sitemap.xml"]
        run = crawl(*args, store=store_url, timeout=180)
        urls = {p.id: f"{servers[p.site.key].base_url}{p.path}" for p in FIXTURE.pages}
    assert run.code == 0, run.stderr
    clusters = listed(store_url)
    assert sorted(sorted(m["url"] for m in members(c)) for c in clusters) == \
        sorted(sorted(g) for g in expected_stories(urls))
    for cluster in clusters:  # the original and its copies are one near-duplicate group of the fixture
        group = {FIXTURE.page(pid).original for pid, u in urls.items()
                 if u in {m["url"] for m in [cluster["original"], *cluster["copies"]]}}
        assert len(group) == 1
    out = tmp_path / "unique.jsonl"
    assert call_main("export", "--store", store_url, "--unique", "-o", out).code == 0
    exported = {json.loads(line)["url"] for line in out.read_text(encoding="utf-8").splitlines()}
    groups = {FIXTURE.page(pid).original for pid in urls}
    assert len(exported) == len(groups)  # one text of each near-duplicate group
    assert {FIXTURE.page(pid).original for pid, u in urls.items() if u in exported} == groups

