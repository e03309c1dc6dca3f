"""Serve a folder as a web site on loopback: the demo's news site and the crawl tests' mini sites.

Beyond plain files it understands, in the folder:
- ``_routes.toml``: ``[redirect]`` ("/old" = "/new", or a full URL, where ``{{PORT}}`` is the server's
  port), ``[status]`` ("/broken" = 500) and ``[headers]``, and the faults of a hostile server (the crawl
  tests' ``hostile`` site):
  - ``[flaky]`` "/p" = { status = 503, times = 2, retry_after = 1 }: the first ``times`` requests get that
    status (and Retry-After), later ones the file;
  - ``[slow]`` "/p" = 5: the headers and half the file at once, the rest after that many seconds;
  - ``[reset]`` "/p" = 200: the headers and that many bytes of the file, then a TCP reset;
  - ``[oversize]`` "/p" = 3_000_000: an HTML page of that many bytes, with its Content-Length;
  - ``[endless]`` "/p" = 3_000_000: the same, streamed with no Content-Length, as long as the client reads;
  - ``[gzip_bomb]`` "/p" = 100_000_000: a page that inflates to that many bytes, sent with
    ``Content-Encoding: gzip``; for a path ending in ``.gz``, a gzip file (a ``.xml.gz`` sitemap);
- ``{{BASE}}`` inside .xml, .html, .txt and .json files, replaced by the server's own base URL;
- ``NAME.gz`` for a file ``NAME`` that exists: served gzipped on the fly (a ``.xml.gz`` sitemap);
- ETag and Last-Modified on every file, and 304 answers to conditional requests.
Every request is logged in ``server.hits`` (path, status) so tests can count downloads, and in
``server.log`` with its arrival time (``time.monotonic()``), the time its answer began and its request headers,
so tests can check spacing (Crawl-delay), the requests in flight at once, conditional GETs and the User-Agent;
``server.peak`` is the most requests served at once.
``delay`` (seconds) slows every answer down. ``gate=True`` holds every ``.html`` page until the test lets it
through (``release(n)`` lets n more through, ``open_gate()`` all of them): a test then knows that a crawl
is still running, instead of guessing how long it takes.
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
import socket
import struct
import sys
import threading
import time
import tomllib
from dataclasses import dataclass
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

_TEMPLATED = {".xml", ".html", ".htm", ".txt", ".json"}
_TYPES = {".xml": "application/xml", ".gz": "application/gzip", ".json": "application/feed+json",
          ".html": "text/html; charset=utf-8", ".txt": "text/plain; charset=utf-8"}


@dataclass(frozen=True, slots=True)
class Hit:
    time: float  # time.monotonic() when the request arrived
    path: str
    status: int
    headers: dict[str, str]  # request headers, lower-case names
    answered: float = 0.0  # time.monotonic() when the answer began: the client cannot have it whole before


class SiteServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, folder: str | Path, port: int = 0, delay: float = 0.0, gate: bool = False):
        self.folder = Path(folder).resolve()
        routes_file = self.folder / "_routes.toml"
        self.routes: dict[str, Any] = tomllib.loads(routes_file.read_text()) if routes_file.exists() else {}
        self.hits: list[tuple[str, int]] = []
        self.log: list[Hit] = []
        self.delay = delay
        self.active = 0
        self.peak = 0
        self.lock = threading.Lock()
        self.mtime = formatdate(1_767_225_600, usegmt=True)  # fixed, so Last-Modified is stable across runs
        self.bombs: dict[int, bytes] = {}  # gzip bombs made so far, by inflated size
        self.gated = gate
        self.allowance = 0  # .html pages the gate still lets through
        self.gate = threading.Condition()
        super().__init__(("127.0.0.1", port), _Handler)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def start(self) -> "SiteServer":
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self

    def release(self, pages: int) -> None:
        """With ``gate``: let this many more .html pages through."""
        with self.gate:
            self.allowance += pages
            self.gate.notify_all()

    def open_gate(self) -> None:
        """With ``gate``: let every .html page through from now on, the ones waiting too."""
        with self.gate:
            self.gated = False
            self.gate.notify_all()

    def _pass_gate(self) -> None:
        with self.gate:
            self.gate.wait_for(lambda: not self.gated or self.allowance > 0)
            if self.gated:
                self.allowance -= 1

    def stop(self) -> None:
        self.open_gate()
        self.shutdown()
        self.server_close()

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hung up (a crawler cancelling a download that grew too large) is no error here."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)

    def count(self, path: str) -> int:
        with self.lock:
            return sum(1 for p, _ in self.hits if p == path)

    def __enter__(self) -> "SiteServer":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()


class _Handler(BaseHTTPRequestHandler):
    server: SiteServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet: tests and the demo print their own
        pass

    def _send(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
        self._head(status, {**(headers or {}), "Content-Length": str(len(body))})
        if self.command != "HEAD":
            self.wfile.write(body)

    def _head(self, status: int, headers: dict[str, str]) -> None:
        """Log the request and send the status line and headers."""
        path = self.path.split("?")[0]
        if self.server.delay:
            time.sleep(self.server.delay)
        with self.server.lock:
            self.server.hits.append((path, status))
            self.server.log.append(Hit(self.arrived, path, status, {k.lower(): v for k, v in self.headers.items()},
                                       time.monotonic()))
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()

    def do_HEAD(self) -> None:  # noqa: N802 - http.server's naming
        self.do_GET()

    def do_GET(self) -> None:  # noqa: N802
        self.arrived = time.monotonic()
        if self.path.split("?")[0].endswith(".html"):
            self.server._pass_gate()
        with self.server.lock:
            self.server.active += 1
            self.server.peak = max(self.server.peak, self.server.active)
        try:
            self._get()
        finally:
            with self.server.lock:
                self.server.active -= 1

    def _get(self) -> None:
        path = self.path.split("?")[0].split("#")[0]
        routes = self.server.routes
        if path in routes.get("redirect", {}):
            target = routes["redirect"][path].replace("{{PORT}}", str(self.server.server_address[1]))
            self._send(301, headers={"Location": target if "://" in target else self.server.base_url + target})
            return
        if path in routes.get("status", {}):
            self._send(int(routes["status"][path]), b"error", {"Content-Type": "text/plain"})
            return
        flaky = routes.get("flaky", {}).get(path)
        if flaky and self.server.count(path) < flaky["times"]:
            retry = {"Retry-After": str(flaky["retry_after"])} if "retry_after" in flaky else {}
            self._send(int(flaky["status"]), b"busy", {"Content-Type": "text/plain", **retry})
            return
        try:
            if self._generated(path, routes):
                return
        except OSError:  # the client hung up on a fault (too large, too slow): what the fault is for
            self.close_connection = True
            return
        file = (self.server.folder / path.lstrip("/")).resolve()
        if file.is_dir():
            file = file / "index.html"
        gzipped = file.suffix == ".gz" and not file.exists()
        if gzipped:
            file = file.with_suffix("")
        if self.server.folder not in file.parents or not file.is_file() or file.name.startswith("_"):
            self._send(404, b"not found", {"Content-Type": "text/plain"})
            return
        body = file.read_bytes()
        if file.suffix in _TEMPLATED:
            body = body.replace(b"{{BASE}}", self.server.base_url.encode())
        if gzipped:
            body, file = gzip.compress(body, mtime=0), file.with_name(file.name + ".gz")
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        headers = {"Content-Type": _TYPES.get(file.suffix) or mimetypes.guess_type(file.name)[0]
                   or "application/octet-stream", "ETag": etag, "Last-Modified": self.server.mtime}
        headers.update(routes.get("headers", {}).get(path, {}))
        if self.headers.get("If-None-Match") == etag:
            self._send(304, headers={"ETag": etag})
            return
        try:
            if not self._faulty(path, routes, body, headers):
                self._send(200, body, headers)
        except OSError:
            self.close_connection = True

    # faults --------------------------------------------------------------------------------------------
    def _generated(self, path: str, routes: dict[str, Any]) -> bool:
        """Answer a fault that needs no file (oversize, endless, gzip bomb); False if the path has none."""
        html = {"Content-Type": "text/html; charset=utf-8"}
        if path in routes.get("oversize", {}):
            self._send(200, _filler(int(routes["oversize"][path])), html)
        elif path in routes.get("endless", {}):
            self._head(200, {**html, "Connection": "close"})
            self.close_connection = True
            left, chunk = int(routes["endless"][path]), _filler(64 * 1024)
            while left > 0:
                self.wfile.write(chunk[:left])
                left -= len(chunk)
        elif path in routes.get("gzip_bomb", {}):
            bomb = self._bomb(int(routes["gzip_bomb"][path]))
            if path.endswith(".gz"):
                self._send(200, bomb, {"Content-Type": "application/gzip"})
            else:
                self._send(200, bomb, {**html, "Content-Encoding": "gzip"})
        else:
            return False
        return True

    def _faulty(self, path: str, routes: dict[str, Any], body: bytes, headers: dict[str, str]) -> bool:
        """Send a file slowly, or reset the connection in the middle of it; False if the path has no fault."""
        if path in routes.get("slow", {}):
            self._head(200, {**headers, "Content-Length": str(len(body))})
            self.wfile.write(body[:len(body) // 2])
            self.wfile.flush()
            time.sleep(float(routes["slow"][path]))
            self.wfile.write(body[len(body) // 2:])
        elif path in routes.get("reset", {}):
            self._head(200, {**headers, "Content-Length": str(len(body))})
            self.wfile.write(body[:int(routes["reset"][path])])
            self.wfile.flush()
            time.sleep(0.2)  # let the client read what came, so the reset lands in the middle of the body
            # SO_LINGER 0: close() sends a TCP RST instead of a FIN
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            self.close_connection = True
        else:
            return False
        return True

    def _bomb(self, size: int) -> bytes:
        with self.server.lock:
            if size not in self.server.bombs:
                self.server.bombs[size] = _gzip_bomb(size)
            return self.server.bombs[size]


def _filler(size: int) -> bytes:
    """An HTML page of ``size`` bytes."""
    head = b"<!DOCTYPE html><html><head><title>Filler</title></head><body>"
    para = b"<p>" + b"All work and no play makes a dull page. " * 20 + b"</p>\n"
    return (head + para * (size // len(para) + 1))[:size]


def _gzip_bomb(size: int) -> bytes:
    """Gzip data that inflates to an HTML page of about ``size`` bytes (mostly spaces): one member of up to
    16 MB, repeated (a gzip file may hold many members, and readers join them)."""
    step = min(size, 16 << 20)
    first = gzip.compress(b"<!DOCTYPE html><html><body><p>" + b" " * step, mtime=0)
    return first + gzip.compress(b" " * step, mtime=0) * (size // step - 1)
