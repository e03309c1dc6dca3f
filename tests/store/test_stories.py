"""Placement among near-duplicates and stories in the store, on SQLite and PostgreSQL: a copy points at the
first-seen original, a story is shared through long quotes, a revision keeps its place, several processes
saving copies at once record one original, a version 2 store is upgraded in place, and a version 4 store's
signatures are made again."""

from __future__ import annotations

import multiprocessing
import queue
from pathlib import Path

import pytest

from scraper.core.fingerprint import fingerprint
from scraper.store import Store
from scraper.store.schema import SCHEMA_VERSION
from tests.conftest import call_main
from tests.store.conftest import record, sql
from tests.test_stories import SEEDS, edited, retitled, storm, trimmed

WIRE = (SEEDS / "004_efbc13fa41935e45.txt").read_text(encoding="utf-8")
OWN = (SEEDS / "000_deef46564a097fc2.txt").read_text(encoding="utf-8")


def url(name: str) -> str:
    return f"https://{name}.example.com/2026/11/story.html"


def save(store: Store, name: str, text: str, when: str = "2026-11-20T08:00:00+00:00",
         published: str | None = None) -> dict:
    rec = record(url(name), text, fetched_at=when, date_published=published)
    store.save_article(rec, url(name), fingerprint=fingerprint(text, published))
    return rec


def article_id(store: Store, name: str) -> str:
    return sql(store, "SELECT id FROM articles WHERE url = :u", u=url(name))[0][0]


def test_copies_point_at_the_first_seen_original_and_share_its_story(store):
    first = save(store, "wire", WIRE)
    original = article_id(store, "wire")
    assert first["duplicate_of"] is None and first["story"] == original
    for name, text in (("trimmed", trimmed(WIRE)), ("retitled", retitled(WIRE)), ("edited", edited(WIRE))):
        copy = save(store, name, text)
        assert copy["duplicate_of"] == original and copy["story"] == original, name
    # a copy of a copy names the original too
    again = save(store, "again", retitled(trimmed(WIRE)))
    assert again["duplicate_of"] == original
    own = save(store, "own", OWN)  # the same story, written anew: shares two long quotes, not the text
    assert own["duplicate_of"] is None and own["story"] == original
    other = save(store, "storm", storm(1))
    assert other["duplicate_of"] is None and other["story"] == article_id(store, "storm")
    rows = dict(sql(store, "SELECT url, duplicate_of FROM articles"))
    assert rows[url("trimmed")] == original and rows[url("wire")] is None
    assert sql(store, "SELECT COUNT(*) FROM story_signatures") == [(7,)]


@pytest.mark.parametrize("published, same_story", [
    ("2026-11-25", True),             # five days after the wire: a write-up of the same story
    ("2026-12-04T09:30:00Z", True),   # fourteen days, the window's edge
    ("2027-01-15", False),            # two months on: the quotes came back in later coverage
    (None, True),                     # no date: the quotes decide
])
def test_a_shared_quote_makes_one_story_only_within_the_window(store, published, same_story):
    save(store, "wire", WIRE, published="2026-11-20")
    wire = article_id(store, "wire")
    own = save(store, "own", OWN, published=published)
    assert own["duplicate_of"] is None
    assert (own["story"] == wire) is same_story
    assert (own["story"] == article_id(store, "own")) is not same_story
    # a copy is a copy whatever its date
    late = save(store, "late", trimmed(WIRE), published="2027-06-01")
    assert late["duplicate_of"] == wire and late["story"] == wire


def test_a_revision_keeps_its_first_placement_and_short_texts_are_never_linked(store):
    save(store, "wire", WIRE)
    save(store, "copy", edited(WIRE))
    changed = save(store, "copy", storm(2), when="2026-11-21T08:00:00+00:00")  # rewritten entirely
    assert changed["duplicate_of"] == article_id(store, "wire")
    short = save(store, "short", " ".join(WIRE.split()[:40]))
    assert short["duplicate_of"] is None and short["story"] == article_id(store, "short")


def copy_worker(store_url: str, n: int, ready, results) -> None:
    with Store(store_url) as store:
        ready.wait(timeout=300)
        for i, base in enumerate([storm(0), storm(1), storm(2), WIRE, OWN]):
            text = edited(base, seed=n, changes=2)  # every worker saves its own copy of five texts at once
            rec = record(f"https://w{n}.example.com/{i}.html", text)
            store.save_article(rec, rec["url"], fingerprint=fingerprint(text))
            results.put((n, i, rec["duplicate_of"]))


def test_workers_saving_copies_at_once_record_one_original(store_url):
    Store(store_url).close()  # the tables, made once
    workers = 4
    spawn = multiprocessing.get_context("spawn")
    ready, results = spawn.Barrier(workers), spawn.Queue()
    procs = [spawn.Process(target=copy_worker, args=(store_url, n, ready, results)) for n in range(workers)]
    for proc in procs:
        proc.start()
    got = []
    try:
        while len(got) < workers * 5:
            try:
                got.append(results.get(timeout=1))
            except queue.Empty:
                assert not [p.exitcode for p in procs if p.exitcode not in (None, 0)], "a worker failed"
        for proc in procs:
            proc.join(timeout=120)
    finally:
        for proc in procs:
            if proc.is_alive():
                proc.kill()
    with Store(store_url, read_only=True) as store:
        originals = sql(store, "SELECT id, story FROM articles WHERE duplicate_of IS NULL")
        assert len(originals) == 5  # one per text, whichever worker came first
        stories = dict(originals)
        copies = sql(store, "SELECT duplicate_of, story FROM articles WHERE duplicate_of IS NOT NULL")
        assert len(copies) == 15 and all(story == stories[dup] for dup, story in copies)
        assert len(set(stories.values())) == 4  # the two seeds' texts are one story


def back_to_version_2(store: Store) -> None:
    """The store in version 2's layout: no placement columns, no story tables."""
    for statement in ("DROP TABLE story_quotes", "DROP TABLE story_bands", "DROP TABLE story_signatures",
                      "DROP INDEX articles_duplicate_of", "DROP INDEX articles_story",
                      "ALTER TABLE articles DROP COLUMN duplicate_of", "ALTER TABLE articles DROP COLUMN story",
                      "UPDATE meta SET value = '2' WHERE key = 'schema_version'"):
        sql(store, statement)


def test_a_version_2_store_is_upgraded_to_3_in_place(store_url):
    with Store(store_url) as store:
        save(store, "old", WIRE)
        back_to_version_2(store)
    with Store(store_url) as store:
        assert store.found_version == 2
        assert sql(store, "SELECT value FROM meta") == [(str(SCHEMA_VERSION),)]
        assert sql(store, "SELECT duplicate_of, story FROM articles") == [(None, None)]  # stored unplaced
        copy = save(store, "copy", trimmed(WIRE))
        assert copy["duplicate_of"] is None  # the old article has no fingerprint, so nothing to match
        again = save(store, "old", WIRE, when="2026-11-22T08:00:00+00:00")  # placed on its next save
        assert again["duplicate_of"] == article_id(store, "copy")
        [exported] = [r for r in store.articles() if r["url"] == url("old")]  # its stored record says so too
        assert exported["duplicate_of"] == again["duplicate_of"] and exported["revision"] == 1


def back_to_version_4(store: Store) -> None:
    """Version 4's signatures, as far as a comparison can tell: other values and other band keys."""
    for article_id, minhash in sql(store, "SELECT article_id, minhash FROM story_signatures"):
        sql(store, "UPDATE story_signatures SET minhash = :m WHERE article_id = :a", m=bytes(reversed(minhash)),
            a=article_id)
        sql(store, "UPDATE story_bands SET band = band + 1 WHERE article_id = :a", a=article_id)
    sql(store, "UPDATE meta SET value = '4' WHERE key = 'schema_version'")


def index_of(store: Store) -> tuple[dict, set]:
    return (dict(sql(store, "SELECT article_id, minhash FROM story_signatures")),
            set(sql(store, "SELECT band, article_id FROM story_bands")))


def test_a_version_4_stores_signatures_are_made_again_from_the_text_placed(store_url, tmp_path):
    with Store(store_url) as store:
        save(store, "wire", WIRE)
        save(store, "own", OWN, when="2026-11-20T09:00:00+00:00")
        save(store, "own", storm(2), when="2026-11-21T09:00:00+00:00")  # a revision keeps the placed text's
        save(store, "short", "A caption of few words.")  # no fingerprint, no signature
        made = index_of(store)
        store.place("textless", fingerprint(storm(3)))  # placed with no stored text (as clean's run index does)
        assert "textless" in index_of(store)[0]
        back_to_version_4(store)
        assert index_of(store) != made
    # read-only, it cannot be compared with: clean says what to run, and the store is left as it was
    (tmp_path / "in.txt").write_text(trimmed(WIRE), encoding="utf-8")
    refused = call_main("clean", "--store", store_url, tmp_path / "in.txt")
    assert refused.code == 2 and "presswash upgrade --store" in refused.stderr and "version 4" in refused.stderr
    upgraded = call_main("upgrade", "--store", store_url)
    assert upgraded.code == 0 and "from schema version 4 to 5" in upgraded.stderr, upgraded.stderr
    with Store(store_url) as store:  # the signature with no text to make it again from is dropped, with its keys
        assert store.found_version == SCHEMA_VERSION and index_of(store) == made
        ids = {name: article_id(store, name) for name in ("wire", "own")}
        assert {k for (k,) in sql(store, "SELECT quote FROM story_quotes WHERE article_id = :a",
                                  a=ids["own"])} == set(fingerprint(OWN).quotes)
        assert save(store, "copy", retitled(WIRE))["duplicate_of"] == ids["wire"]  # found by its new band keys
    linked = call_main("clean", "--store", store_url, tmp_path / "in.txt")
    assert linked.code == 0 and linked.records[0]["duplicate_of"] == ids["wire"]
    again = call_main("upgrade", "--store", store_url)
    assert again.code == 0 and "at schema version 5 already" in again.stderr


def test_upgrade_never_makes_a_store(tmp_path: Path):
    run = call_main("upgrade", "--store", tmp_path / "none.db")
    assert run.code == 2 and "no store at" in run.stderr and not (tmp_path / "none.db").exists()


def test_an_upgraded_sqlite_file_keeps_its_indexes(tmp_path: Path):
    with Store(tmp_path / "s.db") as store:
        names = {n for (n,) in sql(store, "SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert {"articles_duplicate_of", "articles_story"} <= names


def test_a_scratch_store_leaves_no_file_even_while_open(tmp_path: Path):
    # clean's run index (scraper/offline/stories.py): a process killed with SIGKILL must leave nothing behind,
    # so the file is gone as soon as the store has it open, and the store still works on the open file.
    path = tmp_path / "run.db"
    path.touch()
    with Store(path, scratch=True) as run:
        assert not path.exists()
        first = run.place("a", fingerprint(WIRE))
        copy = run.place("b", fingerprint(trimmed(WIRE)))
        assert first.duplicate_of is None and copy.duplicate_of == "a"
        assert not path.exists() and list(tmp_path.iterdir()) == []
