"""What near-duplicates and stories cost (issue 14, point 5): time per page, look-up time as the store grows,
storage and memory. Prints results; asserts nothing.

Run from the repository root with the project's virtualenv active (the PostgreSQL server binaries installed:
Debian ``apt-get install -y postgresql``):

    python benchmarks/stories.py                       # 300 WCXB dev pages; stores of 10,000 and 100,000 articles
    python benchmarks/stories.py --pages 100 --sizes 1000,10000 --backend sqlite    # a quicker look

1. **Processing**: the real Processor over the first ``--pages`` WCXB dev pages, in this process; the
   ``fingerprint`` step's share of each page's processing time, from the Processor's own step stats (as
   ``presswash clean --stats`` prints them).
2. **Placement in the store's save**: those pages' records saved with ``Store.save_article`` into a new store,
   once with their fingerprints (the look-up and placement run in the save's transaction) and once, under other
   URLs, without (``fingerprint=None``: the save with no look-up); the difference per page, against the
   page's processing time of part 1. The target (issue 14) is about the two together: the fingerprint's share
   plus the placement's at most 5 %, printed as each backend's TOTAL (and in the last columns of part 3).
3. **Look-up as the store grows**: a store filled with ``--sizes`` synthetic fingerprinted articles (random
   MinHash values, their band keys made by the product's ``band_keys``, one long quote each; batch inserts, to
   fill fast; on PostgreSQL then VACUUM ANALYZE, as autovacuum has done in a store that grew), then the same
   timing as part 2 (the product's own ``save_article``, with and without the fingerprint) for the dev pages'
   records under new URLs; they are deleted again before the next size.
4. **Storage and memory**: the bytes of the story tables and their indexes per article, from the database's
   own figures (SQLite's ``dbstat``, PostgreSQL's ``pg_total_relation_size``/``pg_relation_size``), and the
   estimate per million articles; the band index is what a database keeps in memory to look up fast. Also
   the resident memory datasketch (with scipy) adds to a process that computes fingerprints.
"""

from __future__ import annotations

import argparse
import gzip
import resource
import sys
import tempfile
import time
from pathlib import Path
from statistics import median

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run as a script from anywhere: import the working copy's packages
    sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402
from sqlalchemy import text  # noqa: E402

from scraper.core.document import now_iso, short_hash  # noqa: E402
from scraper.core.fingerprint import NUM_PERM, band_keys, key  # noqa: E402
from scraper.evaluation.devset import default_devset, open_devset  # noqa: E402
from scraper.store import Store  # noqa: E402
from scraper.store.schema import articles, story_bands, story_quotes, story_signatures  # noqa: E402
from tests.services.postgresql import PostgreSQLServer  # noqa: E402

STORY_TABLES = ("story_signatures", "story_bands", "story_quotes")
STORY_INDEXES = ("articles_duplicate_of", "articles_story")
TARGET = 0.05


def rss_mib() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def process_pages(root: str, count: int) -> tuple[list[tuple[dict, object]], object, float]:
    """The first ``count`` dev pages through the real Processor: (record, fingerprint) of each article, the
    merged step stats, and the MiB of resident memory datasketch's import added."""
    from scraper.core.document import Page
    from scraper.core.language import preload as preload_language
    from scraper.core.process import Options, Processor
    from scraper.core.stats import StepStats

    devset = open_devset(root, count)
    preload_language()
    before = rss_mib()
    processor = Processor(Options())  # imports datasketch (fingerprint.preload)
    datasketch_mib = rss_mib() - before
    pages = [(gzip.decompress(Path(p.html_path).read_bytes()) if p.html_path.endswith(".gz")
              else Path(p.html_path).read_bytes(), p) for p in devset.pages]
    processor(Page(body=pages[0][0], source=pages[0][1].html_path, url=pages[0][1].url, kind="html"))  # warm-up
    merged, saved = StepStats(), []
    for body, page in pages:
        outcome = processor(Page(body=body, source=page.html_path, url=page.url, kind="html"))
        merged.add(outcome)
        if outcome.ok:
            saved.append((outcome.to_record(), outcome.fingerprint))
    return saved, merged, datasketch_mib


def timed_saves(store: Store, articles_: list[tuple[dict, object]], prefix: str) -> tuple[float, float]:
    """Median ms of save_article for each record under a new URL: with its fingerprint, then without."""
    took = {True: [], False: []}
    for n, (record, fp) in enumerate(articles_):
        for with_fp in (True, False):  # alternated, so both meet the same caches and load
            url = f"https://{prefix}-{'fp' if with_fp else 'no'}.example/{n}.html"
            rec = {**record, "url": url, "canonical_url": None, "fetched_at": now_iso(), "flags": []}
            start = time.perf_counter()
            store.save_article(rec, url, fingerprint=fp if with_fp else None)
            took[with_fp].append(time.perf_counter() - start)
    return median(took[True]) * 1000, median(took[False]) * 1000


def drop_measured(store: Store, prefix: str) -> None:
    """Remove the articles a timing saved (their pages, revisions and index rows), so the next size starts
    from its synthetic articles alone."""
    pattern = f"https://{prefix}-%"
    with store.engine.connect() as conn, conn.begin():
        ids = f"(SELECT id FROM articles WHERE url LIKE '{pattern}')"
        for table in ("story_bands", "story_quotes", "story_signatures", "revisions"):
            conn.execute(text(f"DELETE FROM {table} WHERE article_id IN {ids}"))
        conn.execute(text(f"DELETE FROM articles WHERE url LIKE '{pattern}'"))
        conn.execute(text(f"DELETE FROM pages WHERE url LIKE '{pattern}'"))


def fill(store: Store, start: int, stop: int, batch: int = 5000) -> float:
    """Synthetic articles ``start``..``stop``: each an original with a random MinHash, its band keys and one
    long quote's key, inserted in batches. Returns the seconds it took."""
    rng = np.random.default_rng(start)
    began = time.perf_counter()
    for first in range(start, stop, batch):
        rows, sigs, bands, quotes = [], [], [], []
        for n in range(first, min(first + batch, stop)):
            url = f"https://synthetic.example/{n}.html"
            article_id = short_hash(url)
            when = f"2026-01-01T00:00:00+00:00#{n:09d}"
            values = rng.integers(0, 2 ** 32, NUM_PERM, dtype=np.uint32).astype("<u4")
            rows.append({"id": article_id, "url": url, "record": '{"title": "A synthetic article"}',
                         "content_hash": article_id, "revision": 1, "first_seen": when, "last_seen": when,
                         "last_changed": when, "duplicate_of": None, "story": article_id})
            sigs.append({"article_id": article_id, "minhash": values.tobytes(), "seen_at": when})
            bands += [{"band": key, "article_id": article_id} for key in band_keys(values)]
            quotes.append({"quote": key(f"quote {n}".encode()), "article_id": article_id})
        with store.engine.connect() as conn, conn.begin():
            conn.execute(articles.insert(), rows)
            conn.execute(story_signatures.insert(), sigs)
            conn.execute(story_bands.insert(), bands)
            conn.execute(story_quotes.insert(), quotes)
    return time.perf_counter() - began


def story_bytes(store: Store) -> dict[str, int]:
    """Bytes on disk of each story table (with its indexes) and of the articles' two placement indexes."""
    with store.engine.connect() as conn, conn.begin():
        if conn.dialect.name == "postgresql":
            sizes = {t: conn.execute(text(f"SELECT pg_total_relation_size('{t}')")).scalar() for t in STORY_TABLES}
            sizes.update({i: conn.execute(text(f"SELECT pg_relation_size('{i}')")).scalar() for i in STORY_INDEXES})
            return sizes
        rows = dict(conn.execute(text("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name")).all())
        indexes = dict(conn.execute(text("SELECT name, tbl_name FROM sqlite_master WHERE type = 'index'")).all())
    sizes = {t: rows.get(t, 0) for t in STORY_TABLES}
    for index, table in indexes.items():  # the primary keys' autoindexes belong to their tables
        if table in STORY_TABLES:
            sizes[table] += rows.get(index, 0)
    sizes.update({i: rows.get(i, 0) for i in STORY_INDEXES})
    return sizes


def band_index_bytes(store: Store) -> int:
    """The bytes of the bands' primary key index alone (what a look-up reads)."""
    with store.engine.connect() as conn, conn.begin():
        if conn.dialect.name == "postgresql":
            return conn.execute(text("SELECT pg_relation_size('story_bands_pkey')")).scalar()
        return conn.execute(text("SELECT SUM(pgsize) FROM dbstat WHERE name = 'sqlite_autoindex_story_bands_1'")
                            ).scalar() or 0


def settle(store: Store) -> None:
    """On PostgreSQL, VACUUM ANALYZE after a fill, as autovacuum has done in a store that grew over time;
    else the autovacuum that the batch fill sets off (PostgreSQL 13 and later vacuum after inserts) may run
    during the timing, beside it on the same cores."""
    if store.engine.dialect.name == "postgresql":
        with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))


def met(share: float) -> str:
    return "met" if share <= TARGET else "NOT met"


def measure_backend(name: str, target: str, saved: list, per_page_ms: float, fp_share: float,
                    sizes: list[int]) -> None:
    """Part 2 to 4 on one backend; each placement's share of a page's processing time is added to the
    fingerprint's (``fp_share``), the total the 5 % target is about."""
    print(f"\n## {name}")
    with Store(target) as store:
        with_fp, without = timed_saves(store, saved, "fresh")
        drop_measured(store, "fresh")
        share = (with_fp - without) / per_page_ms
        print(f"save_article into a new store, median of {len(saved)}: {with_fp:.2f} ms with the fingerprint, "
              f"{without:.2f} ms without: placement {with_fp - without:+.2f} ms a page, "
              f"{100 * share:+.1f} % of the page's processing time ({per_page_ms:.1f} ms)")
        print(f"TOTAL {name}, new store: fingerprint {100 * fp_share:.1f} % + placement {100 * share:.1f} % = "
              f"{100 * (fp_share + share):.1f} % (target at most {100 * TARGET:.0f} %: {met(fp_share + share)})")
        filled = 0
        print("\n| stored articles | fill (s) | save with fingerprint (ms) | without (ms) | look-up and placement (ms) "
              "| of a page | total with the fingerprint |")
        print("|---|---|---|---|---|---|---|")
        for size in sizes:
            took = fill(store, filled, size)
            settle(store)
            filled = size
            with_fp, without = timed_saves(store, saved, f"at{size}")
            drop_measured(store, f"at{size}")
            share = (with_fp - without) / per_page_ms
            print(f"| {size:,} | {took:.0f} | {with_fp:.2f} | {without:.2f} | {with_fp - without:+.2f} | "
                  f"{100 * share:.1f} % | {100 * (fp_share + share):.1f} % ({met(fp_share + share)}) |")
        count = store.count("story_signatures")
        sizes_on_disk = story_bytes(store)
        total = sum(sizes_on_disk.values())
        bands = band_index_bytes(store)
    parts = ", ".join(f"{k} {v / count:.0f}" for k, v in sizes_on_disk.items())
    print(f"\nstorage of the story index at {count:,} articles: {total / count:.0f} bytes an article ({parts}); "
          f"{total / count * 1e6 / 2 ** 30:.2f} GiB per million articles")
    print(f"the bands' index (what look-ups read; the database caches it): {bands / count:.0f} bytes an article, "
          f"{bands / count * 1e6 / 2 ** 30:.2f} GiB per million articles")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--devset", default="../shared/devset/wcxb-dev-articles", help="a WCXB dev set folder")
    parser.add_argument("--pages", type=int, default=300, help="dev pages processed and saved (default 300)")
    parser.add_argument("--sizes", default="10000,100000", help="store sizes for the look-up, comma-separated")
    parser.add_argument("--backend", choices=("both", "sqlite", "postgresql"), default="both")
    args = parser.parse_args(argv)
    sizes = sorted(int(s) for s in args.sizes.split(","))

    saved, steps, datasketch_mib = process_pages(default_devset(args.devset), args.pages)
    pages = steps.documents
    fp_ms = steps.seconds.get("fingerprint", 0.0) / pages * 1000
    per_page_ms = steps.total_seconds / pages * 1000
    share = fp_ms / per_page_ms
    print(f"## processing, {pages} WCXB dev pages ({len(saved)} articles), the Processor's step stats")
    print(f"fingerprint {fp_ms:.2f} ms of {per_page_ms:.1f} ms a page: {100 * share:.1f} % "
          "(each backend's TOTAL below adds its placement)")
    print(f"datasketch (and scipy) imported: {datasketch_mib:+.0f} MiB resident in this process")

    if args.backend in ("both", "sqlite"):
        with tempfile.TemporaryDirectory(prefix="presswash-stories-bench-") as folder:
            measure_backend("SQLite (WAL)", str(Path(folder) / "store.db"), saved, per_page_ms, share, sizes)
    if args.backend in ("both", "postgresql"):
        server = PostgreSQLServer().init().start()
        try:
            measure_backend(f"PostgreSQL {server.bindir.parent.name}, loopback", server.url(server.create_database()),
                            saved, per_page_ms, share, sizes)
        finally:
            server.destroy()
    print(f"\npeak resident memory of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
