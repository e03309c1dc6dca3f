"""Offline inputs: files, folders (walked recursively), gzip files and stdin, as Pages.

Reading never raises for a bad input: a file that cannot be read becomes a Page with ``read_error``,
which the pipeline turns into an error record, so every input is accounted for.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import zlib
from pathlib import Path
from typing import BinaryIO, Iterable, Iterator

from scraper.core.document import Page, PageKind, too_big
from scraper.offline.sources.warc import is_warc_name, looks_like_warc, sniff_head, warc_pages

HTML_SUFFIXES = {".html", ".htm", ".xhtml", ".shtml"}
TEXT_SUFFIXES = {".txt", ".text"}
# Files a folder walk passes over: not documents, and reading them would only produce error records.
SKIP_NAMES = {".DS_Store", "Thumbs.db"}


def kind_from_name(name: str) -> PageKind | None:
    """The page kind a file name promises (".gz" looked through), or None to sniff the bytes."""
    lower = name.lower()
    if lower.endswith(".gz"):
        lower = lower[:-3]
    suffix = os.path.splitext(lower)[1]
    if suffix in HTML_SUFFIXES:
        return "html"
    if suffix in TEXT_SUFFIXES:
        return "text"
    return None


def read_limited(stream: BinaryIO, limit: int) -> bytes:
    """Read at most ``limit`` + 1 bytes, so an oversized input is detected without loading it all."""
    return stream.read(limit + 1)


def gunzip_limited(data: bytes, limit: int) -> bytes:
    """Decompress gzip data, stopping past ``limit`` bytes so a gzip bomb cannot exhaust memory."""
    out = b""
    # A gzip file may hold several members one after another (`cat a.gz b.gz`); gunzip reads them all.
    while True:
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        out += inflater.decompress(data, limit + 1 - len(out))
        if len(out) > limit:
            return out
        if not inflater.eof:
            raise EOFError("truncated")
        data = inflater.unused_data
        if data[:2] != b"\x1f\x8b":  # the end, or padding after the last member (gunzip ignores it too)
            return out


def _read_file(path: Path, limit: int) -> tuple[bytes, str | None]:
    try:
        with path.open("rb") as fh:
            data = read_limited(fh, limit)
            if len(data) > limit:
                return b"", too_big(limit, os.fstat(fh.fileno()).st_size)
    except IsADirectoryError:
        return b"", "this is a folder, not a file"
    except PermissionError:
        return b"", "permission denied: the file cannot be read"
    except FileNotFoundError:
        return b"", "no such file"
    except OSError as exc:
        return b"", f"the file cannot be read: {exc.strerror or exc}"
    if path.name.lower().endswith(".gz") and data:  # an empty file is reported as empty, not as bad gzip
        if data[:2] != b"\x1f\x8b":
            return b"", "not gzip data, though the name ends in .gz (rename the file without .gz)"
        try:
            data = gunzip_limited(data, limit)
        except EOFError:
            return b"", "truncated gzip file: the compressed data ends early (was the download cut off?)"
        except zlib.error as exc:
            return b"", f"damaged gzip file: {exc}"
        if len(data) > limit:
            return b"", too_big(limit, what="the file, once decompressed,")
    return data, None


def file_pages(path: Path, given: str, url: str | None, limit: int) -> Iterator[Page]:
    """Pages of one file: one Page, or one per HTML response record of a WARC file."""
    if is_warc_name(path.name):
        yield from warc_pages(path, given, limit)
        return
    data, error = _read_file(path, limit)
    if error is None and looks_like_warc(data):
        yield from warc_pages(path, given, limit)
        return
    yield Page(body=data, source=given, url=url, kind=kind_from_name(path.name), read_error=error)


def stdin_pages(url: str | None, limit: int, stream: BinaryIO | None = None) -> Iterator[Page]:
    stream = stream or sys.stdin.buffer
    head = stream.read(4096)
    if looks_like_warc(sniff_head(head)):
        # A WARC file is many documents, each under the limit, not one: spool all of it for warcio.
        spool = tempfile.TemporaryFile()
        spool.write(head)
        shutil.copyfileobj(stream, spool)
        spool.seek(0)
        yield from warc_pages(spool, "-", limit)
        return
    data = head + read_limited(stream, max(limit - len(head), 0))
    if data[:2] == b"\x1f\x8b":
        try:
            data = gunzip_limited(data, limit)
        except (EOFError, zlib.error):
            yield Page(body=b"", source="-", url=url, read_error="truncated or damaged gzip data on stdin")
            return
    yield Page(body=data, source="-", url=url)


def walk(folder: Path) -> Iterator[Path]:
    """Files under a folder, in a stable order, hidden files and folders skipped."""
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if not name.startswith(".") and name not in SKIP_NAMES:
                yield Path(root) / name


def iter_pages(inputs: Iterable[str], url: str | None = None, limit: int = 32_000_000) -> Iterator[Page]:
    """Every document named by ``inputs`` (paths, folders, or "-" for stdin), in order."""
    for given in inputs:
        if given == "-":
            yield from stdin_pages(url, limit)
            continue
        path = Path(given)
        if path.is_dir():
            for file in walk(path):
                yield from file_pages(file, str(file), url, limit)
        else:
            yield from file_pages(path, given, url, limit)


def count_documents(inputs: Iterable[str]) -> int | None:
    """How many documents ``inputs`` hold, when that is cheap to know (no stdin, no WARC); else None."""
    total = 0
    for given in inputs:
        if given == "-":
            return None
        path = Path(given)
        files = walk(path) if path.is_dir() else [path]
        for file in files:
            if is_warc_name(file.name):
                return None
            total += 1
    return total
