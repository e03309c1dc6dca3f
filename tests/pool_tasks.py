"""Tasks the worker-pool tests send to workers. A worker imports a task's module to unpickle it, so they live
in this small module, not in a test module: importing tests/test_limits.py (pytest, the pipeline) takes a
worker more than a second on a busy machine, which a 1 s time limit counted against the task."""

from __future__ import annotations

import os
import signal
import time


def note_run(path: str, label: str) -> int:
    """Append ``label`` and this worker's pid to the file at ``path``; return the pid."""
    with open(path, "a") as fh:
        fh.write(f"{label} {os.getpid()}\n")
    return os.getpid()


def worker_state() -> tuple[int, bool, bool]:
    """This worker's pid, and whether it ignores SIGINT and SIGTERM."""
    return os.getpid(), signal.getsignal(signal.SIGINT) == signal.SIG_IGN, \
        signal.getsignal(signal.SIGTERM) == signal.SIG_IGN


def signal_and_wait(sig: int) -> int:
    """Send ``sig`` to this worker, then wait until the kernel has handled it (the signal is no longer
    pending), so a worker that did not ignore it would be gone before this returns."""
    os.kill(os.getpid(), sig)
    while sig in signal.sigpending():
        time.sleep(0.01)
    return os.getpid()
