"""Offline inputs: files, folders (walked recursively), gzip files and stdin, as Pages.

Reading never raises for a bad input: a file that cannot be read becomes a Page with ``read_error``,
which the pipeline turns into an error record, so every input is accounted for.
"""

from __future__ import annotations

import os
import shutil
import stat
import sys
import tempfile
import zlib
from pathlib import Path
from typing import BinaryIO, Iterable, Iterator

from scraper.core.decoding import gunzip_limited
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
    return data, None


def source_name(path: str | Path) -> str:
    """A path as the record's ``source``: itself when it is valid UTF-8. Otherwise (a name the file system
    holds as bytes that are not UTF-8) each such byte is written ``\\xNN`` and each backslash ``\\\\``,
    so the record stays valid UTF-8 and ``codecs.escape_decode`` gives the name's bytes back exactly
    (docs/record.md)."""
    name = str(path)
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:  # os.fsdecode() kept the bad bytes as lone surrogates (surrogateescape)
        return os.fsencode(name.replace("\\", "\\\\")).decode("utf-8", "backslashreplace")


_SPECIAL_FILES = (
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


def not_a_regular_file(path: Path) -> str | None:
    """Why ``path`` is not read (it is a FIFO, socket or device: reading may block for ever or never end),
    or None for a regular file, a folder or a missing file, which reading reports on its own."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return None
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    what = next((w for test, w in _SPECIAL_FILES if test(mode)), "a special file")
    return f"not a regular file: this is {what}, so it was not read"


def file_pages(path: Path, given: str, url: str | None, limit: int) -> Iterator[Page]:
    """Pages of one file: one Page, or one per HTML response record of a WARC file."""
    special = not_a_regular_file(path)
    if special:
        yield Page(body=b"", source=given, url=url, read_error=special)
        return
    if is_warc_name(path.name):
        yield from warc_pages(path, given, limit)
        return
    data, error = _read_file(path, limit)
    if error is None and looks_like_warc(sniff_head(data)):
        yield from warc_pages(path, given, limit)
        return
    # A .gz file stays compressed until the Processor reads it, in a worker: less work for this process,
    # which feeds them all.
    gzipped = error is None and path.name.lower().endswith(".gz") and bool(data)
    yield Page(body=data, source=given, url=url, kind=kind_from_name(path.name), read_error=error, gzipped=gzipped)


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


def walk(folder: Path, skip: frozenset[str] = frozenset()) -> Iterator[Path]:
    """Files under a folder, in a stable order, hidden files and folders skipped, and so are the paths in
    ``skip`` (real paths: the run's own output, which must not be read back)."""
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".")
                         and not (skip and os.path.realpath(os.path.join(root, d)) in skip))
        for name in sorted(files):
            if name.startswith(".") or name in SKIP_NAMES:
                continue
            if skip and os.path.realpath(os.path.join(root, name)) in skip:
                continue
            yield Path(root) / name


def iter_pages(inputs: Iterable[str], url: str | None = None, limit: int = 32_000_000,
               skip: Iterable[str | Path] = ()) -> Iterator[Page]:
    """Every document named by ``inputs`` (paths, folders, or "-" for stdin), in order. Folder walks pass
    over the paths in ``skip`` (the output of this run: a file, or a folder and all in it)."""
    skipped = frozenset(os.path.realpath(p) for p in skip)
    for given in inputs:
        if given == "-":
            yield from stdin_pages(url, limit)
            continue
        path = Path(given)
        if path.is_dir():
            for file in walk(path, skipped):
                yield from file_pages(file, source_name(file), url, limit)
        else:
            yield from file_pages(path, source_name(given), url, limit)


def count_documents(inputs: Iterable[str], skip: Iterable[str | Path] = ()) -> int | None:
    """How many documents ``inputs`` hold, when that is cheap to know (no stdin, no WARC); else None."""
    skipped = frozenset(os.path.realpath(p) for p in skip)
    total = 0
    for given in inputs:
        if given == "-":
            return None
        path = Path(given)
        files = walk(path, skipped) if path.is_dir() else [path]
        for file in files:
            if is_warc_name(file.name):
                return None
            total += 1
    return total
