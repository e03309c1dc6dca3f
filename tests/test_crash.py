"""Crash consistency of `presswash clean -o FILE` (issue 5, part 4): a slow reliability test, run in CI.

A folder of inputs (the fixture pages and seeds, renamed copies of them, generated articles, a WARC file
and a few bad documents that become error records) is cleaned by `presswash clean DIR -o out.jsonl`, killed
with SIGKILL 12 times, each kill followed by a re-run. The kills cover every combination, once each, of where
the kill lands (at a random point of the start-up, at a random point while the output is being written, just
after it is in place), what it kills (the whole process group, workers included, or the run alone, whose
workers must then exit by themselves) and `--jobs 1` or `--jobs 2`. After every kill the output is absent or
complete (the atomic write: a temporary file, then a rename); the killed run's temporary file is removed by
the next run, and the run's story index (a temporary SQLite file) is nowhere. The last run goes to the end:
every input is in the output exactly once, every line a whole record.
"""

from __future__ import annotations

import gzip
import json
import os
import random
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from scraper.core.document import RECORD_FIELDS
from tests.conftest import PAGES, PRESSWASH, ROOT, WarcRecord, english_page, write_warc
from tests.crawl.conftest import article_page
from tests.crawl.test_interrupt import wait_group_gone

pytestmark = pytest.mark.reliability

SEED = 20261122
GENERATED = 60
ENV = {**os.environ, "PYTHONIOENCODING": "utf-8"}
# Where a kill is aimed; where it landed is then read from the output folder (a run may be quicker or slower
# than the timed one).
PHASES = ("before the output was opened", "while writing", "after the output was in place")
# Each (phase, the run alone?, --jobs) once: 3 x 2 x 2 kills. In each group of three the runs that open their
# output come first: they tell how long the start-up takes now, where the third kill is aimed.
KILLS = [(phase, alone, jobs) for jobs in (1, 2) for alone in (False, True) for phase in PHASES[1:] + PHASES[:1]]


def build_inputs(folder: Path) -> list[str]:
    """The input folder; returns the source of every document it holds."""
    folder.mkdir()
    fixtures = sorted(PAGES.iterdir()) + sorted((ROOT / "fixtures" / "seeds").iterdir())
    for f in fixtures:
        shutil.copy(f, folder / f.name)
        for copy in range(2):  # the same document under other names: other sources, other records
            shutil.copy(f, folder / f"copy{copy}-{f.name}")
    sub = folder / "generated"
    sub.mkdir()
    for i in range(GENERATED):
        (sub / f"article-{i:03d}.html").write_text(article_page(i), encoding="utf-8")
    (folder / "empty.html").write_bytes(b"")
    (folder / "photo.html").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8)
    whole = gzip.compress(english_page("GZ").encode())
    (folder / "cut.html.gz").write_bytes(whole[: len(whole) // 2])
    write_warc(folder / "archive.warc.gz", [
        WarcRecord("response", f"https://n.example/2026/warc-{i}.html", english_page(f"WARC-{i}").encode())
        for i in range(3)])
    sources = [str(p) for p in folder.rglob("*") if p.is_file() and not p.name.endswith(".warc.gz")]
    return sources + [f"{folder / 'archive.warc.gz'}#{i}" for i in range(3)]


def clean_cmd(inputs: Path, out: Path, jobs: int) -> list[str]:
    return [PRESSWASH, "clean", str(inputs), "-o", str(out), "--jobs", str(jobs), "--no-progress", "-q"]


def read_complete(out: Path, sources: list[str]) -> list[dict]:
    """The output file, which must hold every input exactly once, each line a whole record."""
    data = out.read_bytes()
    assert data.endswith(b"\n"), "a torn last line"
    records = [json.loads(line) for line in data.decode("utf-8").splitlines()]
    assert sorted(r["source"] for r in records) == sorted(sources), "an input missing or written twice"
    for r in records:
        assert list(r) == list(RECORD_FIELDS)
        assert (r["text"] is None) == (r["error"] is not None)
    return records


def temporaries(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".part"))


def own_temporary(out: Path, pid: int) -> int | None:
    """The size of the temporary file that the run ``pid`` writes beside ``out`` (scraper/sinks/atomic.py);
    None before it opened it, or after the rename."""
    for name in temporaries(out.parent):
        if name.startswith(f".{out.name}.{pid}."):
            try:
                return (out.parent / name).stat().st_size
            except FileNotFoundError:  # renamed just now
                return None
    return None


def wait_until(done, proc: subprocess.Popen) -> None:
    """Poll ``done()`` until it holds or ``proc`` has ended."""
    while not done() and proc.poll() is None:
        time.sleep(0.005)


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    root = tmp_path_factory.mktemp("crash")
    sources = build_inputs(root / "in")
    # One whole run, timed: until it opened its output (the start-up), and to the end.
    reference_out = root / "reference.jsonl"
    started = time.monotonic()
    proc = subprocess.Popen(clean_cmd(root / "in", reference_out, 1), env=ENV, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wait_until(lambda: own_temporary(reference_out, proc.pid) is not None, proc)
    startup = time.monotonic() - started
    stderr = proc.communicate()[1]
    elapsed = time.monotonic() - started
    assert proc.returncode == 1 and b"Traceback" not in stderr  # 1: the bad inputs are error records
    reference = read_complete(reference_out, sources)
    assert sum(r["error"] is not None for r in reference) == 3
    return root, sources, reference, startup, elapsed, reference_out.stat().st_size


def test_clean_killed_12_times_then_rerun_has_every_input_once(batch):
    root, sources, reference, startup, elapsed, size = batch
    work = root / "work"
    work.mkdir()
    out = work / "out.jsonl"
    tmp = root / "tmp"  # the runs' temporary folder: a killed run must leave its story index nowhere
    tmp.mkdir()
    env = {**ENV, "TMPDIR": str(tmp)}
    rng = random.Random(SEED)
    landed = dict.fromkeys(PHASES, 0)
    killed: list[int] = []
    started = time.monotonic()
    for aim, alone, jobs in KILLS:
        before = out.stat().st_ino if out.exists() else None
        proc = subprocess.Popen(clean_cmd(root / "in", out, jobs), env=env, stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        launched = time.monotonic()
        if aim == "before the output was opened":
            time.sleep(rng.uniform(0, startup))
        else:
            wait_until(lambda: own_temporary(out, proc.pid) is not None, proc)
            if proc.poll() is None:
                startup = min(startup, time.monotonic() - launched)
            if aim == "while writing":  # once the temporary file holds a random share (up to 90%) of the output
                least = rng.uniform(0, 0.9) * size
                wait_until(lambda: (own_temporary(out, proc.pid) or 0) >= least, proc)
            else:  # just after the rename
                wait_until(lambda: out.exists() and out.stat().st_ino != before, proc)
        try:
            if alone:
                os.kill(proc.pid, signal.SIGKILL)  # the run alone: its workers must notice and exit
            else:
                os.killpg(proc.pid, signal.SIGKILL)  # the run and its workers, as a terminal or systemd would
        except ProcessLookupError:
            pass
        code = proc.wait(timeout=30)
        alive = wait_group_gone(proc.pid)
        if alive:  # a live member keeps the group id from being reused, so this reaches only our workers
            os.killpg(proc.pid, signal.SIGKILL)
        assert alive == [], "worker processes outlived the killed run"
        left = temporaries(work)
        killed.append(proc.pid)
        mine = [name for name in left if name.startswith(f".out.jsonl.{proc.pid}.")]
        # Temporary files are those of killed runs. A run that got as far as opening its own removed the
        # older ones; one killed before that (while Python started) leaves them for the next.
        assert all(any(name.startswith(f".out.jsonl.{pid}.") for pid in killed) for name in left), left
        assert not mine or left == mine, left
        assert not [p.name for p in tmp.iterdir() if p.name.startswith("presswash-")]  # the run's index is unlinked
        if out.exists():
            read_complete(out, sources)  # never half a file: the old one whole, or the new one whole
        if mine:
            landed["while writing"] += 1
        elif out.exists() and out.stat().st_ino != before:
            landed["after the output was in place"] += 1
            assert code in (1, -signal.SIGKILL)
        else:
            landed["before the output was opened"] += 1
    kill_loop = time.monotonic() - started

    final = subprocess.run(clean_cmd(root / "in", out, 2), env=ENV, capture_output=True, timeout=120, check=False)
    assert final.returncode == 1 and b"Traceback" not in final.stderr
    records = read_complete(out, sources)
    assert records == reference  # the same records, in the same order, as a run never killed
    assert os.listdir(work) == ["out.jsonl"]  # no temporary file left behind
    print(f"\nclean: {len(KILLS)} kills in {kill_loop:.1f} s (one run {elapsed:.2f} s, start-up {startup:.2f} s); "
          f"kills landed: {landed}")
    assert landed["while writing"] >= 3, landed  # the kills did hit runs in the middle of writing
    assert all(landed.values()), landed  # and in each phase
