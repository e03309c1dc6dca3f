"""WARC files (plain or gzipped), read with warcio: each HTML response record becomes a Page.

Request, metadata and warcinfo records, and responses that are not HTML (images, scripts, CSS) or not
successful, are not documents and are passed over. The ``source`` of a page is ``PATH#N``, N being the
record's position in the file (0-based, counting every record).
"""

from __future__ import annotations

import io
import zlib
from pathlib import Path
from typing import BinaryIO, Iterator

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from scraper.core.document import Page, too_big
from scraper.core.sniffing import is_html

def is_warc_name(name: str) -> bool:
    lower = name.lower()
    return lower.endswith((".warc", ".warc.gz"))


def looks_like_warc(data: bytes) -> bool:
    return data[:5] == b"WARC/"


def sniff_head(raw: bytes) -> bytes:
    """The first bytes of data that may be gzipped, decompressed: enough to tell a WARC file."""
    if raw[:2] == b"\x1f\x8b":
        try:
            return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(raw, 16)
        except zlib.error:
            return b""
    return raw[:16]


def _head(stream: BinaryIO) -> bytes:
    """The first bytes of the (possibly gzipped) stream, which is left rewound."""
    raw = stream.read(4096)
    stream.seek(0)
    return sniff_head(raw)


def _missing(record) -> int:
    """Bytes of the record's declared length that the file does not hold (it was cut off)."""
    return getattr(record.raw_stream, "limit", 0)


def _truncated(record) -> str:
    # warcio hands over a cut-off record as if whole; half an article is not an article.
    return (f"truncated WARC file: record is cut off, {_missing(record)} bytes of it are missing "
            "(was the download interrupted?)")


def _cut_tail(archive: ArchiveIterator, stream: BinaryIO) -> tuple[int, str] | None:
    """Why the file does not end cleanly after the last record warcio read, or None when it does, with
    0 when the cut is inside that record and 1 when it is after it. Reads in bounded chunks: the last
    record may be a video of a gigabyte.

    warcio stops without a word when a file ends inside a record's header block or gzip member."""
    try:
        start, length = archive.get_record_offset(), archive.get_record_length()
        stream.seek(start)
        if stream.read(2) != b"\x1f\x8b":
            # Every record ends with a blank line (CRLF CRLF; LF LF from sloppy writers).
            size = stream.seek(0, io.SEEK_END)
            stream.seek(start + length)
            if stream.read(64 * 1024).strip():
                return 1, f"{size - start - length} bytes that are not a whole record"
            stream.seek(max(size - 4, 0))
            return None if stream.read(4).replace(b"\r", b"").endswith(b"\n\n") else (0, "a record cut off")
        stream.seek(start)
        return _gzip_cut(stream)
    except (OSError, ValueError, TypeError, AttributeError):
        return None


def _gzip_cut(stream: BinaryIO) -> tuple[int, str] | None:
    """Check that the gzip members from here to the end of the stream are whole (one member per record)."""
    member, fed, pending = 0, False, b""
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    while True:
        if not pending:
            pending = stream.read(1 << 20)
            if not pending:
                break
        try:
            inflater.decompress(pending, 1 << 20)  # output is thrown away; cap it so a bomb cannot bite
        except zlib.error:
            return min(member, 1), "damaged gzip data"
        fed = True
        if inflater.eof:
            pending = inflater.unused_data
            inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
            member, fed = member + 1, False
        else:
            pending = inflater.unconsumed_tail
    return (min(member, 1), "an incomplete gzip member") if fed else None


def warc_pages(src: Path | bytes | BinaryIO, given: str, limit: int) -> Iterator[Page]:
    """HTML response records of a WARC file: a path, bytes, or a seekable binary file (closed after)."""
    try:
        if isinstance(src, bytes):
            stream: BinaryIO = io.BytesIO(src)
        else:
            stream = open(src, "rb") if isinstance(src, (str, Path)) else src
    except OSError as exc:
        yield Page(body=b"", source=given, read_error=f"the WARC file cannot be read: {exc.strerror or exc}")
        return
    position = -1
    found = 0
    with stream:
        head = _head(stream)
        if not looks_like_warc(head):
            # warcio reads anything else as ARC records with no HTTP part: the file would vanish unreported.
            what = "the file is empty" if not head else "it does not start with a WARC/1.x record header"
            yield Page(body=b"", source=given, read_error=f"not a WARC file: {what}")
            return
        last = None
        reported = False  # a cut-off record already said so
        archive = ArchiveIterator(stream)
        try:
            for position, record in enumerate(archive):
                last = record
                if record.rec_type != "response" or record.http_headers is None:
                    continue
                status = record.http_headers.get_statuscode()
                if not status or not status.startswith("2"):
                    continue
                url = record.rec_headers.get_header("WARC-Target-URI")
                body = record.content_stream().read(limit + 1)
                content_type = record.http_headers.get_header("Content-Type")
                if not is_html(content_type, body):
                    continue
                source = f"{given}#{position}"
                headers = {k.lower(): v for k, v in record.http_headers.headers}
                found += 1
                if len(body) > limit:
                    yield Page(body=b"", source=source, url=url, read_error=too_big(limit, what="the record"))
                    continue
                if _missing(record):
                    reported = True
                    yield Page(body=b"", source=source, url=url, read_error=_truncated(record))
                    continue
                yield Page(body=body, source=source, url=url, headers=headers, kind="html",
                           fetched_at=record.rec_headers.get_header("WARC-Date"))
        except Exception as exc:  # warcio fails on damaged headers in many ways, even with AttributeError
            where = f"after record {position}" if position >= 0 else "at its start"
            detail = " ".join(str(exc).split()) if isinstance(
                exc, (ArchiveLoadFailed, EOFError, zlib.error, ValueError, OSError)) \
                else "a record header is cut off or invalid"
            yield Page(body=b"", source=f"{given}#{position + 1}",
                       read_error=f"the WARC file is damaged {where}: {detail}".strip())
            return
        if reported:
            return
        if last is not None and _missing(last):
            # The file ends inside a record that was not a page (a request, an image): still say it is cut.
            yield Page(body=b"", source=f"{given}#{position}", read_error=_truncated(last))
            return
        cut = _cut_tail(archive, stream) if last is not None else (0, "no whole record")
        if cut:
            after, what = cut
            where = f"after record {position}" if after else f"inside record {max(position, 0)}"
            yield Page(body=b"", source=f"{given}#{max(position, 0) + after}",
                       read_error=f"truncated WARC file: it ends {where} with {what} (was the download interrupted?)")
            return
    if not found:
        # A file given to clean that yields nothing must still say so.
        yield Page(body=b"", source=given,
                   read_error=f"no HTML pages in this WARC file: none of its {position + 1} records is "
                              "a successful HTML response")
