"""What a body is: HTML, plain text, or bytes that are no page at all. The one place that sniffs, for files,
WARC records and crawled responses alike."""

from __future__ import annotations

import re

from scraper.core.decoding import wide_encoding
from scraper.core.document import PageKind

# File signatures of formats that are not pages; a renamed image should say so, not yield mojibake.
_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (or an Office document)"),
    (b"\x1f\x8b", "gzip data (name the file .gz to have it decompressed)"),
    (b"BZh", "bzip2 data"),
    (b"\x7fELF", "an executable"),
    (b"OggS", "an Ogg media file"),
    (b"ID3", "an MP3 file"),
    (b"\x00\x00\x01\x00", "an icon file"),
)
# Matched against decoded text; re.ASCII keeps \s to the ASCII spaces, as on bytes.
_HTML_START = re.compile(r"\s*(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body|meta|title|div|p|article|!--)",
                         re.IGNORECASE | re.DOTALL | re.ASCII)
_UTF8_BOM = "\xef\xbb\xbf"
_CONTROL_BYTES = bytes(b for b in range(32) if b not in b"\t\n\r\f\x1b")


def binary_kind(body: bytes) -> str | None:
    """What a binary body is, or None when it may be text."""
    if body.startswith(_UTF8_BOM.encode("latin-1")) or wide_encoding(body):  # wide text is full of NUL bytes
        return None
    if body.startswith(b"RIFF") and body[8:12] == b"WEBP":
        return "a WebP image"
    for magic, what in _MAGIC:
        if body.startswith(magic):
            return what
    head = body[:8192]
    if b"\x00" in head:
        return "binary data (it contains NUL bytes)"
    # Text in any charset a page may use has almost no C0 control bytes (ESC starts ISO-2022 shifts);
    # without this check, random bytes decode to a "text" of mojibake.
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))
    if controls > max(8, len(head) // 100):
        return f"binary data ({controls} control bytes in the first {len(head)})"
    return None


def sniff_kind(body: bytes) -> PageKind:
    """"html" when the body's text starts like HTML or holds an <html tag, else "text". Looks at the text:
    UTF-16 and UTF-32 decoded, any other body read byte for byte (its markup is ASCII whatever the charset)."""
    wide = wide_encoding(body)
    head = body[:4096]
    if wide:
        text = head[:len(head) - len(head) % (4 if "32" in wide else 2)].decode(wide, errors="replace")
    else:
        text = head.decode("latin-1")
    # A BOM is no text: U+FEFF once decoded, or the UTF-8 BOM's three bytes read as Latin-1.
    text = text.removeprefix("\ufeff") if wide else text.removeprefix(_UTF8_BOM)
    return "html" if _HTML_START.match(text) or "<html" in text.lower() else "text"


# Media types that are HTML pages. A response without one, or with one that says nothing of the content
# (servers label pages as text/plain or application/octet-stream), is sniffed instead.
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_UNTELLING_TYPES = frozenset({"", "text/plain", "application/octet-stream", "binary/octet-stream"})


def is_html(content_type: str | bytes | None, body: bytes) -> bool:
    """Whether a response or WARC record is an HTML page: its Content-Type says so, or it says nothing telling
    and the bytes start like HTML."""
    if isinstance(content_type, bytes):
        content_type = content_type.decode("latin-1")
    media = (content_type or "").split(";")[0].strip().lower()
    if media in HTML_TYPES:
        return True
    return media in _UNTELLING_TYPES and sniff_kind(body) == "html"
