"""Serve a folder as a web site on loopback: the demo's news site and the crawl tests' mini sites.

Beyond plain files it understands, in the folder:
- ``_routes.toml``: ``[redirect]`` ("/old" = "/new"), ``[status]`` ("/broken" = 500) and ``[headers]``;
- ``{{BASE}}`` inside .xml, .html, .txt and .json files, replaced by the server's own base URL;
- ``NAME.gz`` for a file ``NAME`` that exists: served gzipped on the fly (a ``.xml.gz`` sitemap);
- ETag and Last-Modified on every file, and 304 answers to conditional requests.
Every request is logged in ``server.hits`` (path, status) so tests can count downloads, and in
``server.log`` with its arrival time (``time.monotonic()``) and request headers, so tests can check spacing
(Crawl-delay), conditional GETs and the User-Agent; ``server.peak`` is the most requests served at once.
``delay`` (seconds) slows every answer down.
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
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


class SiteServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, folder: str | Path, port: int = 0, delay: float = 0.0):
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
        super().__init__(("127.0.0.1", port), _Handler)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def start(self) -> "SiteServer":
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()

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
        path = self.path.split("?")[0]
        with self.server.lock:
            self.server.hits.append((path, status))
            self.server.log.append(Hit(self.arrived, path, status, {k.lower(): v for k, v in self.headers.items()}))
        if self.server.delay:
            time.sleep(self.server.delay)
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_HEAD(self) -> None:  # noqa: N802 - http.server's naming
        self.do_GET()

    def do_GET(self) -> None:  # noqa: N802
        self.arrived = time.monotonic()
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
            self._send(301, headers={"Location": self.server.base_url + routes["redirect"][path]})
            return
        if path in routes.get("status", {}):
            self._send(int(routes["status"][path]), b"error", {"Content-Type": "text/plain"})
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
        self._send(200, body, headers)
