"""Several worker processes writing one store at once, as crawl workers sharing a store do: they open it
together (making its tables once), then save the same articles at the same moment. Each article gets exactly
one row, and its revisions follow one another with no gap and no repeat."""

from __future__ import annotations

import multiprocessing
import queue
from collections import Counter

from scraper.store import Store
from scraper.store.schema import SCHEMA_VERSION
from tests.store.conftest import record, sql

WORKERS = 4


def url(i: int) -> str:
    return f"https://news.example.com/2026/11/{i}.html"


def worker(store_url: str, n: int, articles: int, same_text: bool, ready, outcomes) -> None:
    """Open the store and save every article, all workers starting each step together."""
    ready.wait(timeout=300)
    with Store(store_url) as store:
        ready.wait(timeout=300)
        for i in range(articles):
            text = f"Text of article {i}." if same_text else f"Text of article {i}, as worker {n} saw it."
            outcomes.put((i, n, store.save_article(record(url(i), text), url(i))))


def run_workers(store_url: str, articles: int, same_text: bool) -> dict[int, Counter]:
    spawn = multiprocessing.get_context("spawn")
    ready, outcomes = spawn.Barrier(WORKERS), spawn.Queue()
    procs = [spawn.Process(target=worker, args=(store_url, n, articles, same_text, ready, outcomes))
             for n in range(WORKERS)]
    for proc in procs:
        proc.start()
    got: list[tuple[int, int, str]] = []
    try:
        while len(got) < WORKERS * articles:
            try:
                got.append(outcomes.get(timeout=1))
            except queue.Empty:
                failed = [p.exitcode for p in procs if p.exitcode not in (None, 0)]
                assert not failed, f"a worker failed (exit codes {failed}); {len(got)} saves reported"
        for proc in procs:
            proc.join(timeout=120)
            assert proc.exitcode == 0
    finally:
        for proc in procs:
            if proc.is_alive():
                proc.kill()
                proc.join()
    by_article: dict[int, Counter] = {}
    for i, _, outcome in got:
        by_article.setdefault(i, Counter())[outcome] += 1
    return by_article


def test_workers_saving_the_same_articles_store_each_once(store_url):
    outcomes = run_workers(store_url, articles=40, same_text=True)
    assert all(c == Counter(new=1, unchanged=WORKERS - 1) for c in outcomes.values()), outcomes
    with Store(store_url, read_only=True) as store:
        assert store.count("articles") == 40 and store.count("revisions") == 40
        assert sql(store, "SELECT COUNT(*) FROM pages") == [(40,)]
        assert sql(store, "SELECT value FROM meta") == [(str(SCHEMA_VERSION),)]


def test_workers_saving_different_texts_make_one_chain_of_revisions(store_url):
    outcomes = run_workers(store_url, articles=25, same_text=False)
    assert all(c == Counter(new=1, changed=WORKERS - 1) for c in outcomes.values()), outcomes
    with Store(store_url, read_only=True) as store:
        assert store.count("articles") == 25
        for i in range(25):
            revisions = store.revisions(url(i))
            assert [r for r, _ in revisions] == list(range(1, WORKERS + 1))
            assert len({h for _, h in revisions}) == WORKERS  # every worker's text once
        latest = sql(store, "SELECT a.url, a.content_hash, r.content_hash FROM articles a JOIN revisions r "
                            "ON r.article_id = a.id AND r.revision = a.revision")
        assert len(latest) == 25 and all(a == r for _, a, r in latest)
