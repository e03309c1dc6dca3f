"""What the store's operations cost on SQLite and on PostgreSQL. Prints results; asserts nothing.

Run from the repository root with the project's virtualenv active (the PostgreSQL server binaries installed:
Debian ``apt-get install -y postgresql``):

    python benchmarks/store.py                 # 2,000 articles on each backend
    python benchmarks/store.py --articles 500

For each backend, one process: ``save_article`` of N new articles (one transaction each), ``page_state`` of
each (what the incremental middleware asks per request), then ``articles()`` reading them all back. The
PostgreSQL server is a throwaway one on a loopback port (tests/services/postgresql.py), with fsync off.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scraper.store import Store  # noqa: E402
from tests.services.postgresql import PostgreSQLServer  # noqa: E402


def measure(name: str, target: str, count: int) -> None:
    with Store(target) as store:
        urls = [f"https://news.example.com/2026/11/{i}.html" for i in range(count)]
        start = time.perf_counter()
        for i, url in enumerate(urls):
            text = f"Paragraph {i} of the story. " * 100
            store.save_article({"url": url, "title": "T", "text": text, "flags": [],
                                "content_hash": hashlib.sha256(text.encode()).hexdigest()}, url)
        save = time.perf_counter() - start
        start = time.perf_counter()
        for url in urls:
            store.page_state(url)
        state = time.perf_counter() - start
        start = time.perf_counter()
        read = sum(1 for _ in store.articles())
        export = time.perf_counter() - start
    print(f"{name:28}  save_article {save / count * 1000:5.2f} ms  page_state {state / count * 1000:5.3f} ms  "
          f"articles() {export / read * 1000:5.3f} ms a record")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        measure("SQLite (WAL)", str(Path(folder) / "store.db"), args.articles)
    server = PostgreSQLServer().init().start()
    try:
        measure(f"PostgreSQL {server.bindir.parent.name}, loopback", server.url(server.create_database()),
                args.articles)
    finally:
        server.destroy()


if __name__ == "__main__":
    main()
