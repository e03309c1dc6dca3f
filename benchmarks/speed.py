"""Speed and memory of presswash on a WCXB-style dev set. Prints results; asserts nothing.

Run from the repository root with the project's virtualenv active:

    python benchmarks/speed.py                      # everything, default sizes (about 7 minutes on 2 cores)
    python benchmarks/speed.py --quick              # a smoke run: 100 pages, 400 streamed files
    python benchmarks/speed.py --only jobs --limit 300

Four measurements, in one run (see benchmarks/README.md for what each prints and how it is judged):

1. throughput  pages/s of ``scraper.core.process.Processor`` in the default mode and ``--mode fast`` (or the
               modes ``--mode`` names) against plain ``trafilatura.extract(html, url=...)`` on the same pages,
               in this process, one page after the other, and each mode's ratio to plain trafilatura;
2. breakdown   the real Processor's own step stats (check, decode, parse, DOM rules, extract, the other
               modes, text rules, …: ``outcome.steps``, as ``presswash clean --stats`` prints them), to give
               the share of time the cleaners add to parsing + extraction;
3. jobs        wall time of the real CLI, ``presswash clean --jobs 2`` against ``--jobs 1``, as
               subprocesses on a temporary folder of the dev files;
4. memory      RSS of the CLI's process tree, sampled from /proc every 0.2 s, while ``--jobs 2`` streams
               a temporary folder of a few thousand files (symlinks to the dev pages, repeated).

Only the standard library and the project's own dependencies are used. Linux only (/proc, wait4).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run as a script from anywhere: import the working copy's packages
    sys.path.insert(0, str(REPO))

DEFAULT_DEVSET = os.environ.get("PRESSWASH_DEVSET") or str(REPO.parent / "shared" / "devset" / "wcxb-dev-articles")

# Targets (printed, never asserted).
CLEANER_SHARE_TARGET = 0.10    # DOM + text cleaners, as a share of parse + trafilatura time
JOBS_SPEEDUP_TARGET = 1.9      # --jobs 2 against --jobs 1, wall time (issue 12)
RSS_GROWTH_TARGET = 0.10       # RSS at 90 % of the stream run at most 10 % above RSS at 10 %
# presswash's pages/s over plain trafilatura.extract's, one process, same pages, same run (issue 12).
MODE_RATIO_TARGETS = {"auto": 1.0, "fast": 3.0}
DEFAULT_MODES = ("auto", "fast")
MODE_CHOICES = ("auto", "balanced", "precision", "recall", "fast")

PAGE_SIZE_KB = os.sysconf("SC_PAGE_SIZE") // 1024
CLK_TCK = os.sysconf("SC_CLK_TCK")


# ------------------------------------------------------------------------------------------------ inputs

@dataclass(slots=True)
class DevFile:
    id: str
    path: Path
    url: str | None
    body: bytes = b""


def load_devset(root: Path, limit: int | None, read: bool = True) -> list[DevFile]:
    html_dir, gt_dir = root / "html", root / "ground-truth"
    if not html_dir.is_dir():
        sys.exit(f"speed.py: {root}: no html/ folder; pass --devset DIR (or set PRESSWASH_DEVSET)")
    files = []
    for path in sorted(html_dir.glob("*.html.gz")):
        page_id = path.name.removesuffix(".html.gz")
        url = None
        gt = gt_dir / f"{page_id}.json"
        if gt.is_file():
            url = json.loads(gt.read_text(encoding="utf-8")).get("url") or None
        files.append(DevFile(page_id, path, url))
        if limit and len(files) >= limit:
            break
    if read:
        for f in files:
            with gzip.open(f.path, "rb") as fh:
                f.body = fh.read()
    return files


# ------------------------------------------------------------------------------------- machine load

def machine_busy_seconds() -> float:
    """CPU seconds spent busy by the whole machine since boot (all cores), from /proc/stat."""
    with open("/proc/stat") as fh:
        fields = fh.readline().split()[1:]
    user, nice, system, idle, iowait, irq, softirq, steal = (int(x) for x in (fields + ["0"] * 8)[:8])
    return (user + nice + system + irq + softirq + steal) / CLK_TCK


@dataclass
class LoadWindow:
    """How busy the machine was during a measurement, and how much of that was someone else."""

    wall: float = 0.0
    busy: float = 0.0
    own_cpu: float = 0.0

    @property
    def foreign_cores(self) -> float:
        """Average number of cores other processes kept busy while we measured."""
        return max(0.0, self.busy - self.own_cpu) / self.wall if self.wall > 0 else 0.0


def load_note(load: LoadWindow) -> str:
    cores = os.cpu_count() or 1
    note = f"other processes used {load.foreign_cores:.2f} of {cores} cores on average"
    if load.foreign_cores > 0.25:
        note += "  ⚠ the machine was not idle: wall-clock numbers are pessimistic"
    return note


def wait_idle(timeout: float, what: str, threshold: float = 0.2, period: float = 2.0) -> None:
    """Wait (at most ``timeout`` s) until other processes use under ``threshold`` cores: on a shared machine,
    someone else's job halves a wall-clock measurement."""
    if timeout <= 0:
        return
    deadline = time.monotonic() + timeout
    told = False
    while True:
        b0, w0 = machine_busy_seconds(), time.perf_counter()
        time.sleep(period)
        busy = (machine_busy_seconds() - b0) / (time.perf_counter() - w0)
        if busy < threshold:
            return
        if time.monotonic() >= deadline:
            print(f"  (still {busy:.1f} cores busy elsewhere after {timeout:.0f} s; measuring anyway)",
                  file=sys.stderr, flush=True)
            return
        if not told:
            print(f"  waiting for an idle machine before {what} ({busy:.1f} cores busy elsewhere)…",
                  file=sys.stderr, flush=True)
            told = True


# ------------------------------------------------------------------------------ 1. throughput

@dataclass
class Rate:
    """One system's time over the same pages."""

    wall: float = 0.0
    cpu: float = 0.0
    ok: int = 0


@dataclass
class Throughput:
    pages: int
    presswash: dict[str, Rate]  # --mode -> its Processor's time
    trafilatura: Rate
    load: LoadWindow

    def rate(self, mode: str | None = None) -> float:
        """Pages/s of presswash in ``mode``, or of plain trafilatura (``None``)."""
        return self.pages / (self.presswash[mode] if mode else self.trafilatura).wall

    def ratio(self, mode: str) -> float:
        """presswash in ``mode`` against plain trafilatura, pages/s over pages/s (wall)."""
        return self.rate(mode) / self.rate()

    def cpu_ratio(self, mode: str) -> float:
        return self.trafilatura.cpu / self.presswash[mode].cpu


def _timed(fn: Callable[[], Any]) -> tuple[Any, float, float]:
    w0, c0 = time.perf_counter(), time.process_time()
    result = fn()
    return result, time.perf_counter() - w0, time.process_time() - c0


def measure_throughput(files: list[DevFile], modes: list[str]) -> Throughput:
    """Plain trafilatura and a Processor per mode on the same pages, interleaved page by page."""
    import trafilatura

    from scraper.core.document import Page
    from scraper.core.process import Options, Processor

    processors = {mode: Processor(Options(mode=mode)) for mode in modes}

    def presswash_in(mode: str) -> Callable[[DevFile], Any]:
        # What the CLI hands over for a .html.gz file: bytes, the name's kind, no HTTP headers.
        return lambda f: processors[mode](Page(body=f.body, source=str(f.path), url=f.url, kind="html"))

    def run_trafilatura(f: DevFile):
        # Plain trafilatura from the same bytes (the files are UTF-8), defaults, url passed.
        return trafilatura.extract(f.body.decode("utf-8", errors="replace"), url=f.url)

    systems: list[tuple[str | None, Callable[[DevFile], Any]]] = [(mode, presswash_in(mode)) for mode in modes]
    systems.append((None, run_trafilatura))
    warm_up()
    for _, run in systems:  # warm-up: lazy imports, caches, rule book
        run(files[0])
    freeze_like_fork_server()
    rates = {mode: Rate() for mode in modes}
    plain = Rate()
    busy0, own0, wall0 = machine_busy_seconds(), time.process_time(), time.perf_counter()
    # Interleaved page by page, the order turning by one each page, so a burst of load elsewhere on the machine
    # hits every system alike.
    for i, f in enumerate(files):
        turn = i % len(systems)
        for mode, run in systems[turn:] + systems[:turn]:
            out, wall, cpu = _timed(lambda: run(f))
            rate = rates[mode] if mode else plain
            rate.wall += wall
            rate.cpu += cpu
            rate.ok += bool(out.ok) if mode else bool(out)
    load = LoadWindow(time.perf_counter() - wall0, machine_busy_seconds() - busy0, time.process_time() - own0)
    return Throughput(len(files), rates, plain, load)


# ------------------------------------------------------------------------------- 2. breakdown

# The Processor's own step names (scraper/core/stats.py STEPS) that the headline figure compares: the cleaners
# against the work any extractor does, parsing and the first extraction (metadata and trafilatura's text).
CLEANER_STEPS = ("dom-rules", "text-rules")
BASE_STEPS = ("parse", "extract")


@dataclass
class Breakdown:
    pages: int
    steps: Any  # a scraper.core.stats.StepStats: the Processor's own step stats, merged over the pages
    slowest_cleaners: list[tuple[float, str, float]]  # (cleaner seconds, page id, share of that page)
    processor_cpu: float
    load: LoadWindow
    mode: str = "auto"

    def seconds(self, *steps: str) -> float:
        return sum(self.steps.seconds.get(step, 0.0) for step in steps)

    @property
    def base(self) -> float:
        return self.seconds(*BASE_STEPS)

    @property
    def cleaners(self) -> float:
        return self.seconds(*CLEANER_STEPS)

    @property
    def share(self) -> float:
        return self.cleaners / self.base if self.base else 0.0


def warm_up() -> None:
    """Load the language identifier before timing, as `presswash clean`'s fork server does before any worker
    starts (scraper/core/forkserver_preload.py); otherwise the first page without a declared language pays for
    loading the model, about half a second, and a 300-page run counts it as 1.5 ms a page."""
    from scraper.core.language import preload

    preload()


def freeze_like_fork_server() -> None:
    """Move what the warm-up loaded (rule book, models, caches) out of the garbage collector's reach, as the fork
    server does before it forks workers (scraper/core/forkserver_preload.py): otherwise each full collection
    walks all of it, and its pause (up to 70 ms) lands on whichever step is running, most often the cleaners."""
    import gc

    gc.collect()
    gc.freeze()


def measure_breakdown(files: list[DevFile], processor_cpu: float = 0.0, mode: str = "auto") -> Breakdown:
    """Run the real ``Processor`` page by page and merge the step stats it records for each page
    (``outcome.steps``: every named step timed where the Processor runs it; "other" is the rest)."""
    from scraper.core.document import Page
    from scraper.core.process import Options, Processor
    from scraper.core.stats import StepStats

    processor = Processor(Options(mode=mode))
    warm_up()
    processor(Page(body=files[0].body, source=str(files[0].path), url=files[0].url, kind="html"))  # warm-up
    freeze_like_fork_server()
    merged = StepStats()
    per_page: list[tuple[float, str, float]] = []
    busy0, own0, wall0 = machine_busy_seconds(), time.process_time(), time.perf_counter()
    for f in files:
        outcome = processor(Page(body=f.body, source=str(f.path), url=f.url, kind="html"))
        merged.add(outcome)
        seconds = outcome.steps.seconds
        cleaners = sum(seconds.get(step, 0.0) for step in CLEANER_STEPS)
        base = sum(seconds.get(step, 0.0) for step in BASE_STEPS)
        per_page.append((cleaners, f.id, cleaners / max(base, 1e-9)))
    load = LoadWindow(time.perf_counter() - wall0, machine_busy_seconds() - busy0, time.process_time() - own0)
    per_page.sort(reverse=True)
    return Breakdown(len(files), merged, per_page[:5], processor_cpu, load, mode)


# ------------------------------------------------------------------------- CLI subprocess runner

def presswash_command() -> tuple[list[str], dict[str, str]]:
    """The `presswash` command, run from this working copy: ``python -m scraper.cli`` is what the installed
    entry point runs, and PYTHONPATH makes the subprocess import the same code as parts 1 and 2."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    return [sys.executable, "-m", "scraper.cli"], env


def tree_pids(root: int) -> list[int]:
    """``root`` and all its descendants, from a scan of /proc/*/stat."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:
            continue
        # The command name may contain spaces and parentheses: the fields start after the last ")".
        ppid = int(stat[stat.rindex(b")") + 2:].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo += children.get(pid, [])
    return out


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of one process so far (0 if it is gone)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            stat = fh.read()
    except OSError:
        return 0.0
    fields = stat[stat.rindex(b")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime, stime (fields 14 and 15 of stat)


def rss_kb(pid: int) -> int:
    """Resident set size of one process in KiB (VmRSS), 0 if it is gone."""
    try:
        with open(f"/proc/{pid}/statm", "rb") as fh:  # cheaper to read than status; same number as VmRSS
            return int(fh.read().split()[1]) * PAGE_SIZE_KB
    except (OSError, IndexError, ValueError):
        return 0


@dataclass
class Sample:
    t: float
    parent_kb: int
    children_kb: list[int]
    parent_cpu: float = 0.0  # user + sys seconds of the CLI's main process so far

    @property
    def total_kb(self) -> int:
        return self.parent_kb + sum(self.children_kb)


@dataclass
class CliRun:
    argv: list[str]
    returncode: int
    wall: float
    cpu: float            # user + sys of the CLI and its workers (wait4, or the /proc samples: see run_cli)
    maxrss_kb: int        # ru_maxrss from wait4: the largest single process of the tree
    output_lines: int
    output_sha: str
    stderr: str
    load: LoadWindow
    samples: list[Sample] = field(default_factory=list)

    @property
    def parent_cpu(self) -> float:
        """CPU seconds of the CLI's main process alone (last /proc sample before it exited)."""
        return max((x.parent_cpu for x in self.samples), default=0.0)


def run_cli(args: list[str], out: Path, sample_every: float = 0.5) -> CliRun:
    command, env = presswash_command()
    argv = command + ["clean", *args, "-o", str(out), "--no-progress", "-q"]
    samples: list[Sample] = []
    busy0 = machine_busy_seconds()
    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=str(REPO), env=env)
    stderr_chunks: list[bytes] = []
    reader = threading.Thread(target=lambda: stderr_chunks.append(proc.stderr.read()), daemon=True)
    reader.start()
    stop = threading.Event()
    last_cpu: dict[int, float] = {}  # pid -> its CPU seconds at the last sample, for every process of the tree

    def sampler() -> None:
        while not stop.is_set():
            now = time.perf_counter() - t0
            pids = tree_pids(proc.pid)
            parent = rss_kb(pids[0])
            if parent:  # 0: the CLI has just exited
                for pid in pids:
                    last_cpu[pid] = max(last_cpu.get(pid, 0.0), cpu_seconds(pid))
                samples.append(Sample(now, parent, [rss_kb(p) for p in pids[1:]], last_cpu[pids[0]]))
            stop.wait(sample_every)

    thread = threading.Thread(target=sampler, daemon=True)
    thread.start()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    busy = machine_busy_seconds() - busy0
    proc.returncode = os.waitstatus_to_exitcode(status)
    stop.set()
    thread.join()
    reader.join()
    # wait4 counts the CLI and the children it reaped; the workers come from a fork server and are not its
    # children, so their CPU is read from /proc while they run (up to one sampling period short per process).
    cpu = max(usage.ru_utime + usage.ru_stime, sum(last_cpu.values()))
    lines, digest = 0, hashlib.sha256()
    if out.exists():
        with out.open("rb") as fh:
            for line in fh:
                lines += 1
                digest.update(line)
    return CliRun(argv, proc.returncode, wall, cpu, usage.ru_maxrss, lines, digest.hexdigest()[:12],
                  b"".join(stderr_chunks).decode("utf-8", "replace"), LoadWindow(wall, busy, cpu), samples)


def check_run(run: CliRun, expected: int) -> None:
    # Exit code 1 means "some documents failed", which is normal on a dev set; anything else is not.
    if run.returncode not in (0, 1) or run.output_lines != expected:
        print(f"\n⚠ `{' '.join(run.argv)}` exited {run.returncode} with {run.output_lines}/{expected} records\n"
              f"{run.stderr[-2000:]}", file=sys.stderr)


def link_files(files: list[DevFile], folder: Path, count: int) -> None:
    """``count`` symlinks in ``folder`` to the dev files, cycling through them, in a stable order."""
    folder.mkdir(parents=True)
    width = len(str(count))
    for i in range(count):
        src = files[i % len(files)].path.resolve()
        (folder / f"{i:0{width}d}-{src.name}").symlink_to(src)


# ------------------------------------------------------------------------------------ 3. jobs

@dataclass
class JobsResult:
    files: int
    jobs: int
    one: CliRun
    many: CliRun

    @property
    def speedup(self) -> float:
        return self.one.wall / self.many.wall

    @property
    def cpu_bound_estimate(self) -> float:
        """The speed-up idle cores would give if both runs were bound by CPU alone: --jobs 1 takes its CPU
        seconds; --jobs N takes the longest of its CPU spread over the cores, its workers' CPU spread over
        N, and its main process's CPU (one process, one core)."""
        cores = min(os.cpu_count() or 1, self.jobs + 1)
        parent = self.many.parent_cpu
        many = max(self.many.cpu / cores, (self.many.cpu - parent) / self.jobs, parent)
        return self.one.cpu / many if many else 0.0


def measure_jobs(files: list[DevFile], work: Path, jobs: int, idle_wait: float = 0.0) -> JobsResult:
    folder = work / "jobs-input"
    link_files(files, folder, len(files))
    wait_idle(idle_wait, "--jobs 1")
    one = run_cli([str(folder), "--jobs", "1"], work / "jobs1.jsonl")
    check_run(one, len(files))
    wait_idle(idle_wait, f"--jobs {jobs}")
    many = run_cli([str(folder), "--jobs", str(jobs)], work / f"jobs{jobs}.jsonl")
    check_run(many, len(files))
    return JobsResult(len(files), jobs, one, many)


# ---------------------------------------------------------------------------------- 4. memory

@dataclass
class MemoryResult:
    files: int
    jobs: int
    run: CliRun

    def at(self, fraction: float, window: float = 0.05) -> float:
        """Median total RSS (MiB) of the samples within ±window of ``fraction`` of the run."""
        s = self.run.samples
        if not s:
            return 0.0
        end = s[-1].t
        near = [x.total_kb for x in s if abs(x.t / end - fraction) <= window] if end else []
        if not near:
            near = [min(s, key=lambda x: abs(x.t - fraction * end)).total_kb]
        return statistics.median(near) / 1024

    @property
    def peak(self) -> Sample | None:
        return max(self.run.samples, key=lambda x: x.total_kb, default=None)

    @property
    def growth(self) -> float:
        early = self.at(0.10)
        return (self.at(0.90) - early) / early if early else 0.0


def measure_memory(files: list[DevFile], work: Path, count: int, jobs: int, every: float) -> MemoryResult:
    folder = work / "stream-input"
    link_files(files, folder, count)
    run = run_cli([str(folder), "--jobs", str(jobs)], work / "stream.jsonl", sample_every=every)
    check_run(run, count)
    return MemoryResult(count, jobs, run)


# -------------------------------------------------------------------------------------- report

def yes_no(ok: bool) -> str:
    return "yes" if ok else "**no**"


def report(tp: Throughput | None, bds: list[Breakdown], jb: JobsResult | None, mem: MemoryResult | None) -> str:
    rows = [("measure", "value", "target", "met")]
    if tp:
        rows.append(("trafilatura.extract, pages/s (1 process)",
                     f"{tp.rate():.1f}  ({1000 * tp.trafilatura.cpu / tp.pages:.1f} ms CPU/page)", "—", "—"))
        for mode in tp.presswash:
            rows.append((f"presswash --mode {mode}, pages/s (1 process)",
                         f"{tp.rate(mode):.1f}  ({1000 * tp.presswash[mode].cpu / tp.pages:.1f} ms CPU/page)",
                         "—", "—"))
        for mode in tp.presswash:
            target = MODE_RATIO_TARGETS.get(mode)
            rows.append((f"--mode {mode} / trafilatura speed (wall; CPU)",
                         f"{tp.ratio(mode):.2f}×; {tp.cpu_ratio(mode):.2f}×",
                         f"≥ {target}×" if target else "—", yes_no(tp.ratio(mode) >= target) if target else "—"))
    for bd in bds:
        rows.append((f"cleaners' time / (parse + trafilatura) time, --mode {bd.mode}",
                     f"{100 * bd.share:.1f} %  (DOM {100 * bd.seconds('dom-rules') / bd.base:.1f} %, "
                     f"text {100 * bd.seconds('text-rules') / bd.base:.1f} %)",
                     f"≤ {100 * CLEANER_SHARE_TARGET:.0f} %", yes_no(bd.share <= CLEANER_SHARE_TARGET)))
    if jb:
        rows.append((f"`presswash clean --jobs {jb.jobs}` vs `--jobs 1`, wall ({jb.files} files)",
                     f"{jb.speedup:.2f}×  ({jb.one.wall:.1f} s → {jb.many.wall:.1f} s)",
                     f"≥ {JOBS_SPEEDUP_TARGET}×", yes_no(jb.speedup >= JOBS_SPEEDUP_TARGET)))
    if mem:
        peak = mem.peak
        rows.append((f"RSS of `clean --jobs {mem.jobs}` tree at 10 / 50 / 90 % ({mem.files} files)",
                     f"{mem.at(0.1):.0f} / {mem.at(0.5):.0f} / {mem.at(0.9):.0f} MiB "
                     f"(growth {100 * mem.growth:+.1f} %)",
                     f"growth ≤ {100 * RSS_GROWTH_TARGET:.0f} %", yes_no(mem.growth <= RSS_GROWTH_TARGET)))
        if peak:
            rows.append(("peak RSS of the tree (sampled) / largest process (ru_maxrss)",
                         f"{peak.total_kb / 1024:.0f} MiB / {mem.run.maxrss_kb / 1024:.0f} MiB", "—", "—"))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = []
    for n, r in enumerate(rows):
        lines.append("| " + " | ".join(c.ljust(w) for c, w in zip(r, widths)) + " |")
        if n == 0:
            lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def print_details(tp, bds, jb, mem) -> None:
    if tp:
        print(f"\n## 1. throughput, {tp.pages} pages in this process (interleaved page by page)")
        for mode, rate in [*tp.presswash.items(), (None, tp.trafilatura)]:
            name = f"presswash --mode {mode}" if mode else "trafilatura.extract"
            print(f"{name:24} {rate.wall:6.1f} s wall, {rate.cpu:6.1f} s CPU, {tp.pages / rate.wall:6.1f} pages/s, "
                  f"{rate.ok} {'articles' if mode else 'non-empty'}")
        print("note: presswash also reads metadata (scraper/core/page_metadata.py), which plain extract() skips")
        print(load_note(tp.load))
    for bd in bds:
        total = bd.steps.total_seconds
        print(f"\n## 2. time by step, --mode {bd.mode}, {bd.pages} pages: the Processor's own step stats "
              "(as `presswash clean --stats`)")
        print(bd.steps.table(top=0))
        if bd.processor_cpu:
            print(f"(the whole Processor in part 1: {bd.processor_cpu:.2f} s CPU; here {total:.2f} s wall)")
        print(f"cleaners (DOM + text) = {bd.cleaners:.2f} s = {100 * bd.share:.1f} % of parse + trafilatura "
              f"({bd.base:.2f} s), {100 * bd.cleaners / total:.1f} % of the whole pipeline")
        print("slowest pages for the cleaners: " + ", ".join(
            f"{pid} {1000 * s:.1f} ms ({100 * share:.0f} % of its parse+extract)"
            for s, pid, share in bd.slowest_cleaners[:3]))
        print(load_note(bd.load))
    if jb:
        print(f"\n## 3. CLI wall time, {jb.files} files")
        for run in (jb.one, jb.many):
            jobs = run.argv[run.argv.index("--jobs") + 1]
            print(f"--jobs {jobs}: {run.wall:6.1f} s wall, {run.cpu:6.1f} s CPU (CLI + workers), "
                  f"{jb.files / run.wall:5.1f} files/s, max RSS of one process {run.maxrss_kb / 1024:.0f} MiB, "
                  f"exit {run.returncode}; {load_note(run.load)}")
        same = jb.one.output_sha == jb.many.output_sha
        print(f"outputs identical (same records, same order): {'yes' if same else 'NO'}")
        print(f"CPU cost of parallel mode: {jb.many.cpu / jb.one.cpu:.2f}× the CPU seconds of --jobs 1; "
              f"the main process of --jobs {jb.jobs} used {jb.many.parent_cpu:.1f} s "
              f"({1000 * jb.many.parent_cpu / jb.files:.1f} ms/file: read, pickling, JSON, write; "
              "the workers decompress .gz files)")
        print(f"CPU-bound estimate of the speed-up on idle cores (from CPU seconds, not wall time): "
              f"{jb.cpu_bound_estimate:.2f}×")
    if mem:
        s = mem.run.samples
        print(f"\n## 4. memory, `clean --jobs {mem.jobs}` over {mem.files} files "
              f"({mem.run.wall:.1f} s, {mem.files / mem.run.wall:.1f} files/s, {len(s)} samples)")
        print("total RSS (MiB) at each tenth of the run: "
              + " ".join(f"{mem.at(i / 10):.0f}" for i in range(1, 10)))
        peak = mem.peak
        if peak:
            print(f"peak sample at {peak.t:.1f} s: {peak.total_kb / 1024:.0f} MiB = parent "
                  f"{peak.parent_kb / 1024:.0f} + workers "
                  + " + ".join(f"{c / 1024:.0f}" for c in peak.children_kb) + " MiB")
        parents = [x.parent_kb for x in s]
        workers = [max(x.children_kb, default=0) for x in s]
        if parents:
            print(f"parent RSS max {max(parents) / 1024:.0f} MiB; largest worker max {max(workers) / 1024:.0f} MiB; "
                  f"ru_maxrss {mem.run.maxrss_kb / 1024:.0f} MiB")
        print(load_note(mem.run.load))


# ------------------------------------------------------------------------------------------ main

PARTS = ("throughput", "breakdown", "jobs", "memory")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description="presswash speed and memory on a dev set (prints, asserts nothing)")
    p.add_argument("--devset", default=DEFAULT_DEVSET, help="folder with html/*.html.gz (default %(default)s)")
    p.add_argument("--limit", type=int, default=None, metavar="N",
                   help="use the first N dev pages for parts 1-3 (default: all)")
    p.add_argument("--files", type=int, default=3000, metavar="N",
                   help="files streamed in the memory run (dev pages repeated; default %(default)s)")
    p.add_argument("--jobs", type=int, default=2, metavar="N", help="parallel jobs to compare with 1 (default 2)")
    p.add_argument("--interval", type=float, default=0.2, metavar="S", help="RSS sampling period (default 0.2 s)")
    p.add_argument("--wait-idle", type=float, default=0.0, metavar="S",
                   help="before each wall-clock measurement, wait up to S seconds for other processes to leave "
                        "the cores idle (for shared machines; default: don't wait)")
    p.add_argument("--only", action="append", choices=PARTS, help="run only this part (repeatable)")
    p.add_argument("--mode", action="append", choices=MODE_CHOICES, dest="modes",
                   help="presswash's extraction mode for throughput and breakdown; repeatable "
                        f"(default: {' and '.join(DEFAULT_MODES)}, in the same run)")
    p.add_argument("--quick", action="store_true", help="a smoke run: --limit 100 --files 400")
    p.add_argument("--keep", action="store_true", help="keep the temporary folder (its path is printed)")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.quick:
        args.limit = args.limit or 100
        args.files = min(args.files, 400)
    parts = set(args.only or PARTS)
    devset = Path(args.devset)
    need_bodies = bool(parts & {"throughput", "breakdown"})
    files = load_devset(devset, args.limit, read=need_bodies)
    if not files:
        sys.exit(f"speed.py: no .html.gz files in {devset / 'html'}")
    all_files = files if args.limit is None else load_devset(devset, None, read=False)

    import lxml.etree
    import trafilatura

    from scraper.core import __version__

    cores = os.cpu_count() or 1
    with open("/proc/loadavg") as fh:
        loadavg = fh.read().split()[:3]
    print(f"# presswash {__version__} speed — {len(files)} dev pages from {devset}")
    print(f"Python {sys.version.split()[0]}, trafilatura {trafilatura.__version__}, "
          f"lxml {'.'.join(map(str, lxml.etree.LXML_VERSION))}, {cores} cores, load average {' '.join(loadavg)}")

    modes = args.modes or list(DEFAULT_MODES)
    tp = jb = mem = None
    bds: list[Breakdown] = []
    if "throughput" in parts:
        print("… 1/4 throughput: Processor vs trafilatura.extract", file=sys.stderr, flush=True)
        wait_idle(args.wait_idle, "part 1")
        tp = measure_throughput(files, modes)
    if "breakdown" in parts:
        print("… 2/4 time by step", file=sys.stderr, flush=True)
        wait_idle(args.wait_idle, "part 2")  # the steps are timed in wall time
        bds = [measure_breakdown(files, tp.presswash[mode].cpu if tp else 0.0, mode) for mode in modes]
    work = Path(tempfile.mkdtemp(prefix="presswash-speed-"))
    try:
        if "jobs" in parts:
            print(f"… 3/4 presswash clean --jobs 1 and --jobs {args.jobs} on {len(files)} files",
                  file=sys.stderr, flush=True)
            jb = measure_jobs(files, work, args.jobs, args.wait_idle)
        if "memory" in parts:
            print(f"… 4/4 memory: presswash clean --jobs {args.jobs} streaming {args.files} files",
                  file=sys.stderr, flush=True)
            mem = measure_memory(all_files, work, args.files, args.jobs, args.interval)
    finally:
        if args.keep:
            print(f"temporary files kept in {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)

    print()
    print(report(tp, bds, jb, mem))
    print_details(tp, bds, jb, mem)
    return 0


if __name__ == "__main__":
    sys.exit(main())
