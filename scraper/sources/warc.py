"""WARC files (plain or gzipped), read with warcio: each HTML response record becomes a Page.

Request, metadata and warcinfo records, and responses that are not HTML (images, scripts, CSS) or not
successful, are not documents and are passed over. The ``source`` of a page is ``PATH#N``, N being the
record's position in the file (0-based, counting every record).
"""

from __future__ import annotations

import io
import zlib
from pathlib import Path
from typing import Iterator

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from ..document import Page, too_big

_HTML_TYPES = ("text/html", "application/xhtml+xml")


def is_warc_name(name: str) -> bool:
    lower = name.lower()
    return lower.endswith((".warc", ".warc.gz"))


def looks_like_warc(data: bytes) -> bool:
    return data[:5] == b"WARC/"


def _is_html(content_type: str | None, body: bytes) -> bool:
    if content_type:
        return content_type.split(";")[0].strip().lower() in _HTML_TYPES
    return b"<html" in body[:4096].lower()


def warc_pages(src: Path | bytes, given: str, limit: int) -> Iterator[Page]:
    """HTML response records of a WARC file (a path) or of WARC bytes (stdin)."""
    try:
        stream = io.BytesIO(src) if isinstance(src, bytes) else open(src, "rb")
    except OSError as exc:
        yield Page(body=b"", source=given, read_error=f"the WARC file cannot be read: {exc.strerror or exc}")
        return
    position = -1
    with stream:
        try:
            for position, record in enumerate(ArchiveIterator(stream)):
                if record.rec_type != "response" or record.http_headers is None:
                    continue
                status = record.http_headers.get_statuscode()
                if not status or not status.startswith("2"):
                    continue
                url = record.rec_headers.get_header("WARC-Target-URI")
                body = record.content_stream().read(limit + 1)
                content_type = record.http_headers.get_header("Content-Type")
                if not _is_html(content_type, body):
                    continue
                source = f"{given}#{position}"
                headers = {k.lower(): v for k, v in record.http_headers.headers}
                if len(body) > limit:
                    yield Page(body=b"", source=source, url=url, read_error=too_big(limit, what="the record"))
                    continue
                yield Page(body=body, source=source, url=url, headers=headers, kind="html",
                           fetched_at=record.rec_headers.get_header("WARC-Date"))
        except (ArchiveLoadFailed, EOFError, zlib.error, ValueError, OSError) as exc:
            where = f"after record {position}" if position >= 0 else "at its start"
            yield Page(body=b"", source=f"{given}#{position + 1}",
                       read_error=f"the WARC file is damaged {where}: {exc}".strip())
