"""Scale: one loopback site of N article pages crawled, in one run, by
  1. the single-process crawl into SQLite (no frontier: the first run of the README),
  2. one worker on a Redis frontier and a PostgreSQL store,
  3. two workers on the same frontier and store, started together,
  4. for comparison, the single-process SQLite crawl with one extraction process per core (the one-box default),
then pages per second of each, its ratio to (1), and the peak memory of each worker (its process tree: the
Scrapy process, its fork server and its extraction processes, sampled from /proc; forked processes share
pages, which this sum counts once per process, so it overstates). It also prints the CPU milliseconds a page
costs in the Scrapy process and in extraction: with one extraction process per worker, one worker keeps more
than one core busy, and that bounds what a second worker on a 2-core machine can add.

    python benchmarks/scale.py                  # 1,000 pages, one extraction process per worker
    python benchmarks/scale.py --pages 300      # a quicker look
    python benchmarks/scale.py --pool 2         # two extraction processes per worker

The site is built in a temporary folder from ../shared/devset/wcxb-dev-articles/html, as in crawl_speed.py.
Each run gets a fresh store and frontier; the PostgreSQL and Redis servers are real server processes started
here on free loopback ports (the same starters as the tests, tests/services/) and stopped at the end.
Politeness is switched off (no delay, no AutoThrottle, 16 requests at a time to the host, shared by the
workers), so the figures measure the pipeline, not a site's limits. Every worker runs extraction in its own process pool of
``--pool`` processes (PRESSWASH_WORKERS). The target (issue 13): two workers at 1.7x one worker or more.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from crawl_speed import build_site  # noqa: E402  (this folder is on sys.path when run as a script)
from speed import cpu_seconds, machine_busy_seconds, rss_kb, tree_pids  # noqa: E402

from scraper.crawl.siteserver import SiteServer  # noqa: E402
from tests.services import free_port  # noqa: E402
from tests.services.postgresql import PostgreSQLServer  # noqa: E402

TWO_WORKERS_TARGET = 1.7  # two workers against one, pages/s (issue 13)
SAMPLE_EVERY = 0.25  # seconds between memory samples of a worker's process tree

SETTINGS = {
    "LOG_LEVEL": "WARNING", "DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_ENABLED": "False",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "16",
    # Every page is served from one loopback host, though they come from hundreds of sites: a site pack mined
    # from them would be meaningless.
    "PRESSWASH_MINE_AFTER": "0",
}


@dataclass
class Worker:
    proc: subprocess.Popen
    log: Path
    peak_kb: int = 0
    exit_code: int | None = None
    cpu: dict[int, float] = field(default_factory=dict)  # pid -> CPU seconds at its last sample, for its tree

    @property
    def own_cpu(self) -> float:
        """The Scrapy process's CPU seconds: fetching, scheduling, the store, the frontier."""
        return self.cpu.get(self.proc.pid, 0.0)

    @property
    def tree_cpu(self) -> float:
        return sum(self.cpu.values())


@dataclass
class Run:
    name: str
    wall: float
    workers: list[Worker] = field(default_factory=list)
    articles: int = 0
    served: int = 0
    redis_commands: int = 0  # commands the Redis server processed during the run (frontier runs)
    machine_cpu: float = 0.0  # CPU seconds the whole machine spent during the run (every process: servers too)


def redis_server(folder: Path) -> tuple[subprocess.Popen, str]:
    """A throwaway redis-server on a free port, without persistence; returns it and its URL once it answers."""
    import redis

    port = free_port()
    proc = subprocess.Popen([shutil.which("redis-server") or "/usr/bin/redis-server", "--port", str(port),
                             "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(folder)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)
    for _ in range(200):
        try:
            client.ping()
            return proc, url
        except redis.ConnectionError:
            if proc.poll() is not None:
                sys.exit(f"redis-server exited with {proc.returncode}")
            time.sleep(0.05)
    sys.exit("redis-server did not answer")


def crawl(name: str, base: str, store: str, count: int, pool: int, work: Path, frontier: str | None = None
          ) -> Run:
    """``count`` `presswash crawl` processes started together on the site's sitemap; waits for all of them."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])))
    # The per-host limit (16) holds across workers (shared_politeness.py): each worker asks for its share of
    # it, so that no worker polls Redis for a lease another holds (docs/scaling.md, Limits).
    settings = {**SETTINGS, "PRESSWASH_WORKERS": str(pool), "CONCURRENT_REQUESTS": str(max(1, 16 // count))}
    argv = [sys.executable, "-m", "scraper.cli", "crawl", "--sitemap", f"{base}/robots.txt", "--store", store]
    if frontier:
        argv += ["--frontier", frontier]
    for key, value in settings.items():
        argv += ["-s", f"{key}={value}"]
    workers: list[Worker] = []
    busy = machine_busy_seconds()
    started = time.perf_counter()
    for i in range(count):
        log = work / f"{name}-{i}.log"
        with log.open("wb") as err:
            workers.append(Worker(subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=err, cwd=REPO, env=env),
                                  log))
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            for worker in workers:
                if worker.proc.poll() is None:
                    pids = tree_pids(worker.proc.pid)
                    worker.peak_kb = max(worker.peak_kb, sum(rss_kb(p) for p in pids))
                    for pid in pids:
                        worker.cpu[pid] = max(worker.cpu.get(pid, 0.0), cpu_seconds(pid))
            done.wait(SAMPLE_EVERY)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    for worker in workers:
        worker.exit_code = worker.proc.wait()
    wall = time.perf_counter() - started
    busy = machine_busy_seconds() - busy
    done.set()
    sampler.join()
    return Run(name, wall, workers, machine_cpu=busy)


def redis_commands(url: str) -> int:
    import redis

    with redis.Redis.from_url(url) as client:
        return int(client.info("stats")["total_commands_processed"]) - 1  # less this INFO itself


def stored_articles(store: str) -> int:
    if store.startswith("postgresql"):
        import psycopg

        with psycopg.connect(store) as conn:
            return conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
    with sqlite3.connect(store) as db:
        return db.execute("SELECT COUNT(*) FROM articles").fetchone()[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=1000, help="article pages on the site (default 1000)")
    parser.add_argument("--pool", type=int, default=1,
                        help="extraction processes per worker, PRESSWASH_WORKERS (default 1)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="presswash-scale-"))
    postgresql = PostgreSQLServer().init().start()
    redis_proc, redis_url = redis_server(work)
    runs: list[Run] = []
    try:
        build_site(work, args.pages)
        import psycopg

        cores = os.cpu_count() or 1
        plan = [("sqlite, 1 process", 1, None, args.pool), ("redis + postgresql, 1 worker", 1, redis_url, args.pool),
                ("redis + postgresql, 2 workers", 2, redis_url, args.pool),
                # The one-box default for comparison: one crawl process whose pool has a process per core.
                (f"sqlite, 1 process, {cores} extraction processes", 1, None, cores)]
        for i, (name, count, frontier, pool) in enumerate(plan):
            if frontier:
                with psycopg.connect(postgresql.url(), autocommit=True) as conn:
                    conn.execute(f'CREATE DATABASE "scale{i}"')
                store = postgresql.url(f"scale{i}")
            else:
                store = str(work / f"scale{i}.db")
            print(f"… {name}", file=sys.stderr, flush=True)
            commands = redis_commands(redis_url)
            with SiteServer(work / "site") as server:
                run = crawl(f"run{i}", server.base_url, store, count, pool, work, frontier)
                run.served = sum(1 for path, status in server.hits if path.startswith("/a/") and status == 200)
            run.redis_commands = redis_commands(redis_url) - commands if frontier else 0
            run.name = name
            run.articles = stored_articles(store)
            runs.append(run)
            for w, worker in enumerate(run.workers):
                if worker.exit_code != 0:
                    print(f"⚠ {name}, worker {w} exited {worker.exit_code}:\n"
                          f"{worker.log.read_text(errors='replace')[-2000:]}", file=sys.stderr)
        report(runs, args.pages, args.pool)
        return 0
    finally:
        redis_proc.terminate()
        redis_proc.wait()
        postgresql.destroy()
        shutil.rmtree(work, ignore_errors=True)


def report(runs: list[Run], pages: int, pool: int) -> None:
    base = pages / runs[0].wall
    print(f"# presswash scale: {pages} article pages on one loopback host, {os.cpu_count()} cores, "
          f"{pool} extraction process(es) per worker unless the row says otherwise\n")
    print("| run | wall s | pages/s | ratio to SQLite, 1 process | articles stored | article URLs served | "
          "peak memory per worker (MiB) | CPU ms/page: Scrapy process, extraction |")
    print("|---|---|---|---|---|---|---|---|")
    for run in runs:
        rate = pages / run.wall
        peaks = ", ".join(f"{w.peak_kb / 1024:.0f}" for w in run.workers)
        own = sum(w.own_cpu for w in run.workers) * 1000 / pages
        rest = sum(w.tree_cpu - w.own_cpu for w in run.workers) * 1000 / pages
        print(f"| {run.name} | {run.wall:.1f} | {rate:.1f} | {rate / base:.2f}× | {run.articles} | {run.served} | "
              f"{peaks} | {own:.1f}, {rest:.1f} |")
    for run in runs:
        if run.redis_commands:
            print(f"{run.name}: {run.redis_commands / pages:.1f} Redis commands a page (scripts count as one)")
    one, two = pages / runs[1].wall, pages / runs[2].wall
    ratio = two / one
    print(f"\n2 workers / 1 worker: {ratio:.2f}× (target ≥ {TWO_WORKERS_TARGET}×: "
          f"{'met' if ratio >= TWO_WORKERS_TARGET else 'NOT met'})")
    # What the two-worker run could reach with every core busy all the time, at the CPU a page cost it (the
    # whole machine's, servers included): a ceiling that no scheduling can lift, only cheaper pages.
    cores = os.cpu_count() or 1
    for run in runs[1:3]:
        per_page = run.machine_cpu / pages * 1000
        print(f"{run.name}: the machine spent {per_page:.1f} ms of CPU a page (every process), its cores "
              f"{100 * run.machine_cpu / (cores * run.wall):.0f} % busy")
    ceiling = cores / (runs[2].machine_cpu / pages) / one
    print(f"ceiling of 2 workers / 1 worker with all {cores} cores busy at that cost: {ceiling:.2f}×")
    load = os.getloadavg()
    print(f"load average at the end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


if __name__ == "__main__":
    sys.exit(main())
