"""Bytes to text: BOM, then UTF-16 or UTF-32 told by its NUL bytes, then the HTTP charset, then <meta charset>, then UTF-8, then detection.

A declared charset that does not fit the bytes still wins over detection (browsers do the same), but
the bad bytes become U+FFFD and the page is flagged ``decode-errors`` so nothing is silently garbled.
One exception: a page declared in a Western single-byte charset (ISO-8859-1, windows-1252, ISO-8859-15)
whose bytes are valid UTF-8 with multi-byte characters is read as UTF-8. That is the usual lie of a server
configured for ISO-8859-1, and Latin-1 text almost never forms valid UTF-8 sequences by accident.
"""

from __future__ import annotations

import codecs
import re
import zlib
from dataclasses import dataclass

from bs4.dammit import EncodingDetector

from scraper.core.document import too_big

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: it starts with the same two bytes
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# Where ASCII characters (all of HTML's markup) have their NUL bytes in each wide encoding: the code unit's
# width and the positions of its zero bytes.
_NUL_PATTERNS = (
    ("utf-32-le", 4, (1, 2, 3)),
    ("utf-32-be", 4, (0, 1, 2)),
    ("utf-16-le", 2, (1,)),
    ("utf-16-be", 2, (0,)),
)
_WIDE_SAMPLE = 1024


def wide_encoding(data: bytes) -> str | None:
    """"utf-16-le", "utf-16-be", "utf-32-le" or "utf-32-be" when the bytes are text in that encoding: a BOM
    says so, or most code units of the first KB are ASCII characters written in it (one non-zero byte, the
    rest NUL). None for everything else, which never has that many NUL bytes so placed."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding if encoding != "utf-8" else None
    sample = data[:_WIDE_SAMPLE]
    if b"\x00" not in sample:
        return None
    for encoding, width, zeros in _NUL_PATTERNS:
        units = [sample[i:i + width] for i in range(0, len(sample) - width + 1, width)]
        if len(units) < 4:
            continue
        (char,) = set(range(width)) - set(zeros)
        ascii_units = sum(1 for u in units if u[char] and not any(u[z] for z in zeros))
        if ascii_units >= 0.6 * len(units):
            try:
                sample[:len(units) * width].decode(encoding)
            except UnicodeDecodeError:
                continue
            return encoding
    return None


# Labels browsers treat as another codec (the WHATWG encoding standard maps these the same way).
_ALIASES = {
    "iso-8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252", "us-ascii": "cp1252",
    "ascii": "cp1252", "iso8859-1": "cp1252", "shift_jis": "cp932", "shift-jis": "cp932",
    "sjis": "cp932", "x-sjis": "cp932", "windows-31j": "cp932", "gb2312": "gb18030", "gbk": "gb18030",
    "euc-kr": "cp949", "tis-620": "cp874", "iso-8859-9": "cp1254", "utf8": "utf-8",
}

_CHARSET_PARAM = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.IGNORECASE)
# How much of the page detection looks at: enough to decide, cheap on a 20 MB page.
_DETECT_SAMPLE = 256 * 1024
_HIGH_BYTES = bytes(range(128, 256))


@dataclass(frozen=True, slots=True)
class Decoded:
    text: str
    encoding: str
    how: str  # bom | sniffed | http | meta | utf-8 | detected | fallback
    errors: bool = False


def normalise_label(label: str | None) -> str | None:
    """A codec name Python knows for a charset label, or None for an unknown or unusable one."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    label = _ALIASES.get(label, label)
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    # A page cannot really be UTF-16 if it declared that in ASCII-compatible bytes we could read.
    return "utf-8" if name.startswith("utf-16") or name.startswith("utf-32") else name


def charset_from_content_type(value: str | None) -> str | None:
    if not value:
        return None
    m = _CHARSET_PARAM.search(value)
    return normalise_label(m.group(1)) if m else None


# Declared charsets whose text is never valid UTF-8 with multi-byte characters by accident.
_WESTERN_SINGLE_BYTE = {"cp1252", "iso8859-1", "iso8859-15"}


def _decode_declared(data: bytes, encoding: str, how: str) -> Decoded:
    if encoding in _WESTERN_SINGLE_BYTE and not data.isascii():
        try:
            return Decoded(data.decode("utf-8"), "utf-8", "utf-8")  # declared Latin-1, but the bytes are UTF-8
        except UnicodeDecodeError:
            pass
    try:
        return Decoded(data.decode(encoding), encoding, how)
    except UnicodeDecodeError:
        return Decoded(data.decode(encoding, errors="replace"), encoding, how, errors=True)


def detect_encoding(data: bytes) -> str | None:
    from charset_normalizer import from_bytes

    sample = data[:_DETECT_SAMPLE]
    results = from_bytes(sample)
    best = results.best()
    if best is None:
        return None
    # Western European text often scores the same in cp1250 and cp1252, or a hair apart when only a few
    # bytes are not ASCII, and list order decides (cp1250: "après" becomes "aprčs"). cp1252 is the web's
    # default legacy charset (what browsers assume): prefer it unless the evidence is clearly elsewhere.
    few = len(sample) - len(sample.translate(None, _HIGH_BYTES)) < 64
    for candidate in results:
        # could_be_from_charset: codecs that decode these bytes to the very same text.
        if ("cp1252" in candidate.could_be_from_charset and candidate.chaos <= best.chaos
                and (few or candidate.coherence == best.coherence)
                and not _SYMBOL_IN_WORD.search(sample.decode("cp1252", errors="replace"))):
            return "cp1252"
    return normalise_label(best.encoding)


# A symbol glued to a letter ("odby³o", "£odzi"): how Central European letters look when read as cp1252.
_SYMBOL_IN_WORD = re.compile(r"[^\W\d_][¹²³£¥¯¤¦¨¬°±´¸¼½¾×÷]|[¹²³£¥¯¤¦¨¬°±´¸¼½¾×÷][^\W\d_]")


def decode(data: bytes, content_type: str | None = None, is_html: bool = True) -> Decoded:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _decode_declared(data[len(bom):], encoding, "bom")
    # UTF-16 and UTF-32 without a BOM: whatever the page or server declares (often "utf-16", which
    # normalise_label reads as UTF-8), the bytes say it plainly.
    wide = wide_encoding(data)
    if wide:
        return _decode_declared(data, wide, "sniffed")
    declared = charset_from_content_type(content_type)
    if declared:
        return _decode_declared(data, declared, "http")
    if is_html:
        meta = EncodingDetector.find_declared_encoding(data[:64 * 1024], is_html=True)
        meta = normalise_label(meta)
        if meta:
            return _decode_declared(data, meta, "meta")
    try:
        return Decoded(data.decode("utf-8"), "utf-8", "utf-8")
    except UnicodeDecodeError as exc:
        # Mostly valid UTF-8 with a few bad bytes is UTF-8 with damage, not another charset.
        if exc.start > 0 and _mostly_utf8(data):
            return Decoded(data.decode("utf-8", errors="replace"), "utf-8", "utf-8", errors=True)
    detected = detect_encoding(data)
    if detected:
        return _decode_declared(data, detected, "detected")
    return Decoded(data.decode("cp1252", errors="replace"), "cp1252", "fallback", errors=True)


def _mostly_utf8(data: bytes) -> bool:
    """True when nearly all non-ASCII bytes form valid UTF-8 sequences."""
    sample = data[:_DETECT_SAMPLE]
    text = sample.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    good = sum(1 for ch in text if ord(ch) > 127) - bad
    return good > 0 and bad <= max(2, good // 20)


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


def gunzip_file_body(data: bytes, limit: int) -> tuple[bytes, str | None]:
    """A .gz file's bytes decompressed (at most ``limit`` bytes), or b"" and the reason they cannot be."""
    try:
        out = gunzip_limited(data, limit)
    except EOFError:
        return b"", "truncated gzip file: the compressed data ends early (was the download cut off?)"
    except zlib.error as exc:
        return b"", f"damaged gzip file: {exc}"
    if len(out) > limit:
        return b"", too_big(limit, what="the file, once decompressed,")
    return out, None
