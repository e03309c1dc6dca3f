"""Worker processes that run one document at a time each, under a time limit.

Python cannot stop a thread that is inside C code: libxml2 parsing a hostile page, or a regex of the ``re``
module backtracking (it holds the GIL), ignore signals and exceptions until they return. A worker process
can always be killed. So every document of a batch (``presswash clean``, any ``--jobs``) and of a crawl runs
in a worker, and a worker still busy with one document when the time limit runs out is killed: the document
gets an error record, a fresh worker takes the next one, and the run goes on. A worker that dies on its own
(a crash in a C library, the OOM killer) costs only the document it held, the same way.

``WorkerPool.submit`` returns a ``concurrent.futures.Future``; the batch waits on it in input order, the
crawl awaits it (``asyncio.wrap_future``). A manager thread hands tasks to idle workers and watches the
deadlines. A busy worker is also handed its next task when that task is small (``PREFETCH_BYTES``), so it
starts on it as soon as it sends its result, instead of waiting for the manager thread to answer; a task
a worker never started (it was killed or died first) goes back to the head of the queue.
"""

from __future__ import annotations

import collections
import contextlib
import multiprocessing
import multiprocessing.forkserver
from multiprocessing.reduction import ForkingPickler
import os
import socket
import threading
import time
from collections.abc import Callable
from concurrent.futures import CancelledError, Future
from multiprocessing.connection import Connection, wait
import signal
from typing import Any

# Workers come from a fork server, a process started once and kept single-threaded, never from the calling
# process: a crawl forks from a process with running threads (the reactor, DNS lookups, this pool's manager),
# and a child forked while another thread held a lock it needs hangs for good.
_CONTEXT = multiprocessing.get_context("forkserver")
# The fork server first makes itself deaf to Ctrl-C and SIGTERM, which its forks inherit from birth (see
# forkserver_preload.py); then it imports the pipeline's modules, so forks start with them loaded.
_CONTEXT.set_forkserver_preload(["scraper.core.forkserver_preload", "scraper.core.process"])


# The largest task (pickled) handed to a worker that is still busy with another. It waits in the pipe's socket
# buffer until the worker reads it, so the manager thread never blocks on the send: only where that buffer holds
# twice as much (Linux: about 208 KiB; not macOS, whose pipes hold 8 KiB) is a busy worker handed a task.
PREFETCH_BYTES = 64 * 1024


def start_fork_server() -> None:
    """Start the fork server now, so that its imports and preloading (about a second) overlap with what the
    caller does before it needs workers. Pools start it anyway; calling this is only earlier."""
    multiprocessing.forkserver.ensure_running()


def ignore_stop_signals() -> None:
    """Ignore the signals that stop a run: Ctrl-C (SIGINT, which the terminal sends to the whole process group)
    and SIGTERM (which systemd sends to every process of a service). The run's own process gets them and
    decides: it lets the pages in flight finish, then stops its workers itself. Only for workers."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)


class WorkerDied(Exception):
    """The worker process ended while it held the task (a crash, the OOM killer)."""


class TimeLimitExceeded(Exception):
    """The task ran past the time limit; the worker was killed."""

    def __init__(self, limit: float):
        super().__init__(f"the task took longer than {limit:g} s")
        self.limit = limit


def _worker_main(conn: Connection, initializer: Callable[..., None] | None, initargs: tuple, parent: int) -> None:
    ignore_stop_signals()  # already so from the fork server; kept for a pool on another start method
    threading.Thread(target=_exit_with_parent, args=(parent,), daemon=True).start()
    if initializer is not None:
        initializer(*initargs)
    try:
        conn.send(("ready", None))
    except OSError:  # the pool's process is gone (kill -9) before this worker was ready: nothing to do
        return
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        fn, args = task
        try:
            reply = ("ok", fn(*args))
        except Exception as exc:  # noqa: BLE001 - handed back to the caller, like concurrent.futures does
            reply = ("error", exc)
        try:
            conn.send(reply)
        except OSError:  # the pool's end of the pipe is closed: its process is gone (kill -9), so is our work
            return
        except Exception as exc:  # noqa: BLE001 - the result or the exception would not pickle
            try:
                conn.send(("error", RuntimeError(f"the result could not be sent back: {type(exc).__name__}: {exc}")))
            except OSError:
                return


class _Worker:
    def __init__(self, initializer: Callable[..., None] | None, initargs: tuple):
        self.conn, child = _CONTEXT.Pipe()
        self.process = _CONTEXT.Process(target=_worker_main, args=(child, initializer, initargs, os.getpid()),
                                        daemon=True)
        self.process.start()
        child.close()
        self.takes_prefetch = _send_buffer(self.conn) >= 2 * PREFETCH_BYTES
        self.ready = False
        # The pipe broke when a task was sent: the process is gone, and its death is read from the pipe soon.
        self.gone = False
        # What the worker holds, in the order it runs them: the first is running (or about to), a second is
        # waiting in the pipe. Each is kept whole, so a task the worker never started can go to another.
        self.tasks: collections.deque[tuple[Future, Callable[..., Any], tuple]] = collections.deque()
        self.deadline: float | None = None

    @property
    def future(self) -> Future | None:
        """The future of the task the worker is running, if any."""
        return self.tasks[0][0] if self.tasks else None

    def kill(self) -> None:
        try:
            self.process.kill()
        except (OSError, ValueError, AttributeError):
            pass
        self.process.join(5)
        self.conn.close()

    def stop(self) -> None:
        """Ask an idle worker to exit; kill it if it does not."""
        try:
            self.conn.send(None)
        except (OSError, ValueError):
            pass
        self.process.join(2)
        self.kill()


class WorkerPool:
    """``jobs`` worker processes, each built by ``initializer(*initargs)``; ``time_limit`` seconds per task
    (None or 0: no limit). Workers start when work arrives and are replaced when one dies or is killed."""

    def __init__(self, jobs: int, initializer: Callable[..., None] | None = None, initargs: tuple = (),
                 time_limit: float | None = None):
        self.jobs = max(1, jobs)
        self.initializer = initializer
        self.initargs = initargs
        self.time_limit = time_limit if time_limit and time_limit > 0 else None
        self._queue: collections.deque[tuple[Future, Callable[..., Any], tuple]] = collections.deque()
        self._workers: list[_Worker] = []
        self._lock = threading.Lock()
        self._wake_r, self._wake_w = _CONTEXT.Pipe(duplex=False)
        self._closing = False
        self._failure: WorkerDied | None = None  # why the manager thread stopped, when it was not asked to
        self._thread = threading.Thread(target=self._manage, name="presswash-workers", daemon=True)
        self._thread.start()

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future:
        future: Future = Future()
        with self._lock:
            if self._closing:
                raise RuntimeError("the worker pool is shut down")
            self._queue.append((future, fn, args))
        self._wake()
        return future

    def shutdown(self, wait: bool = False) -> None:
        """Stop the workers. With ``wait``, the tasks already submitted finish first; without, they are
        cancelled and busy workers are killed."""
        if wait:
            with self._lock:
                futures = [f for f, _, _ in self._queue] + [t[0] for w in self._workers for t in w.tasks]
            for future in futures:
                with contextlib.suppress(CancelledError):
                    future.exception()
        with self._lock:
            if self._closing:
                return
            self._closing = True
        self._wake()
        if threading.current_thread() is not self._thread:
            self._thread.join()

    def _wake(self) -> None:
        try:
            self._wake_w.send_bytes(b"!")
        except (OSError, ValueError):
            pass

    # The manager thread -------------------------------------------------------------------------------

    def _manage(self) -> None:
        try:
            while not self._closing:
                self._assign()
                deadlines = [w.deadline for w in self._workers if w.deadline is not None and w.deadline < float("inf")]
                timeout = max(0.0, min(deadlines) - time.monotonic()) if deadlines else None
                ready = wait([self._wake_r] + [w.conn for w in self._workers], timeout)
                for conn in ready:
                    if conn is self._wake_r:
                        while self._wake_r.poll():
                            self._wake_r.recv_bytes()
                    else:
                        self._receive(next(w for w in self._workers if w.conn is conn))
                self._expire()
        except Exception as exc:  # noqa: BLE001 - a worker that cannot be started (its initializer would not
            # pickle, say): every task waiting or in hand fails with the reason, and no new one is taken, so
            # that no caller waits for ever on a pool that has stopped.
            with self._lock:
                self._closing = True
            self._failure = WorkerDied(f"the worker pool stopped: {type(exc).__name__}: {exc}")
        finally:
            self._close_all()

    def _assign(self) -> None:
        with self._lock:
            for worker in self._workers:
                if worker.ready and not worker.gone and not worker.tasks and self._queue:
                    self._start(worker, *self._queue.popleft())
            for worker in self._workers:
                if (worker.ready and not worker.gone and worker.takes_prefetch and len(worker.tasks) == 1
                        and self._queue):
                    if not self._start(worker, *self._queue.popleft(), prefetch=True):
                        break  # the next task is too big to wait in a pipe: the next idle worker takes it
            missing = min(len(self._queue), self.jobs) - sum(1 for w in self._workers if not w.ready)
            spare = self.jobs - len(self._workers)
        for _ in range(max(0, min(missing, spare))):
            self._workers.append(_Worker(self.initializer, self.initargs))

    def _start(self, worker: _Worker, future: Future, fn: Callable[..., Any], args: tuple,
               prefetch: bool = False) -> bool:
        """Send a task to ``worker``; False when it was not sent and went back to the head of the queue: with
        ``prefetch`` (the worker is busy) only a small task goes."""
        # A task handed back from a worker that never started it is running already.
        if not future.running() and not future.set_running_or_notify_cancel():
            return True
        try:
            payload = ForkingPickler.dumps((fn, args))
        except Exception as exc:  # noqa: BLE001 - the task would not pickle
            future.set_exception(exc)
            return True
        if prefetch and len(payload) > PREFETCH_BYTES:
            self._queue.appendleft((future, fn, args))
            return False
        try:
            worker.conn.send_bytes(payload)
        except OSError:  # the worker died before its death was read: the task never reached it, another takes it
            worker.gone = True
            self._queue.appendleft((future, fn, args))
            return False
        worker.tasks.append((future, fn, args))
        if len(worker.tasks) == 1:
            worker.deadline = self._deadline()
        return True

    def _deadline(self) -> float:
        return time.monotonic() + self.time_limit if self.time_limit else float("inf")

    def _hand_back(self, worker: _Worker) -> None:
        """The tasks ``worker`` holds but never started go back to the head of the queue."""
        waiting = list(worker.tasks)[1:]
        with self._lock:
            self._queue.extendleft(reversed(waiting))

    def _receive(self, worker: _Worker) -> None:
        try:
            kind, value = worker.conn.recv()
        except Exception as exc:  # noqa: BLE001 - the reply would not unpickle: a failure of this task only
            if not isinstance(exc, (EOFError, OSError)):
                kind, value = "error", RuntimeError(f"the worker's reply could not be read: {type(exc).__name__}: {exc}")
            else:
                kind = "died"
        if kind == "died":
            self._remove(worker)
            if worker.future is not None:
                self._hand_back(worker)
                worker.future.set_exception(WorkerDied(f"exit code {worker.process.exitcode}"))
            elif not worker.ready:
                self._fail_one_queued(WorkerDied("the worker process could not start "
                                                 f"(exit code {worker.process.exitcode})"))
            return
        if kind == "ready":
            worker.ready = True
            return
        future = worker.tasks.popleft()[0]
        worker.deadline = self._deadline() if worker.tasks else None
        if kind == "ok":
            future.set_result(value)
        else:
            future.set_exception(value)

    def _fail_one_queued(self, exc: Exception) -> None:
        """A worker that dies before it is ready (its initializer failed) fails one waiting task, so a
        pool that cannot start a worker still answers every task instead of retrying for ever."""
        with self._lock:
            item = self._queue.popleft() if self._queue else None
        if item is not None and item[0].set_running_or_notify_cancel():
            item[0].set_exception(exc)

    def _expire(self) -> None:
        now = time.monotonic()
        for worker in [w for w in self._workers if w.deadline is not None and w.deadline <= now]:
            future = worker.future
            self._remove(worker)
            self._hand_back(worker)
            future.set_exception(TimeLimitExceeded(self.time_limit))

    def _remove(self, worker: _Worker) -> None:
        self._workers.remove(worker)
        worker.kill()

    def _close_all(self) -> None:
        with self._lock:
            queued, self._queue = list(self._queue), collections.deque()
        for future, _, _ in queued:
            if self._failure is None:
                future.cancel()
            elif future.running() or future.set_running_or_notify_cancel():
                future.set_exception(self._failure)
        for worker in self._workers:
            if worker.tasks:
                worker.kill()
                for future, _, _ in worker.tasks:
                    future.cancel() or future.set_exception(self._failure or WorkerDied("the pool was shut down"))
            else:
                worker.stop()
        self._workers = []
        self._wake_r.close()
        self._wake_w.close()


def _send_buffer(conn: Connection) -> int:
    """The send buffer of a pipe's socket in bytes (0 if it cannot be read)."""
    try:
        with socket.socket(fileno=os.dup(conn.fileno())) as sock:
            return sock.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF)
    except OSError:
        return 0


def _exit_with_parent(parent: int) -> None:
    """A worker whose pool's process is gone (kill -9) exits instead of waiting for work for ever. The worker
    is the fork server's child, not the pool's, so it watches the pool's process id."""
    while True:
        try:
            os.kill(parent, 0)
        except ProcessLookupError:
            os._exit(1)
        except PermissionError:  # the id now belongs to another user's process: ours is gone
            os._exit(1)
        time.sleep(1.0)
