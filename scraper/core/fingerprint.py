"""An article's fingerprint: what the stores need to find its near-duplicates and its story (docs/stories.md).

Pure and small: a MinHash (datasketch) over word shingles of the clean text, its LSH band keys, and the
hashes of the text's distinctive long quotes. The Processor computes it in the worker (step ``fingerprint``)
and it crosses the worker pipe on ``Article.fingerprint`` (not part of the record); the store decides the
placement (scraper/store/stories.py).

datasketch is imported by ``preload`` (the Processor calls it when it is built), not with this module:
datasketch imports scipy, 60 MB in every process, and the processes that only compare signatures (a crawl's
Scrapy process, the store) need none of it.
"""

from __future__ import annotations

import functools
import hashlib
import re
import zlib
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

NUM_PERM = 128     # permutations of the MinHash: an estimate's standard error is about 0.04 at J = 0.5
SEED = 14          # fixed: signatures stay comparable across runs, processes and machines
SHINGLE = 4        # words per shingle (measured: docs/stories.md)
MIN_WORDS = 50     # a shorter text gets no fingerprint: it is never linked (a caption, a teaser, an error page)
# The estimated Jaccard similarity of the shingle sets from which a text is a near-duplicate of another.
DUPLICATE_THRESHOLD = 0.5
# The LSH's threshold, for which datasketch's optimiser picks the bands and rows: lower than the decision's,
# so a pair just above DUPLICATE_THRESHOLD is a candidate with high probability.
LSH_THRESHOLD = 0.4
QUOTE_MIN_WORDS = 10  # a quotation of at least this many words is a story signal
# A shared quote makes one story only between articles published at most this many days apart (when both
# dates are known): quotes return in later coverage (anniversaries, profiles, court follow-ups) that is not
# the same story. Copies (DUPLICATE_THRESHOLD) are linked whatever their dates.
STORY_WINDOW_DAYS = 14

# Passages in quotation marks: straight, curly (English “…”, German „…“ and „…”), guillemets (« » and » «).
QUOTES = re.compile(r'"([^"\n]+)"|“([^“”\n]+)”|„([^„“”\n]+)[“”]|«([^«»\n]+)»|»([^«»\n]+)«')
WORD = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """A text's signature (the MinHash's NUM_PERM values, little-endian uint32), its LSH band keys, its long
    quotes' keys, and the article's publication day (``YYYY-MM-DD``, for STORY_WINDOW_DAYS); picklable."""

    minhash: bytes
    bands: tuple[int, ...]
    quotes: tuple[int, ...]
    published: str | None = None

    def similarity(self, other_minhash: bytes) -> float:
        """The estimated Jaccard similarity of this text's shingles and those of ``other_minhash``'s text."""
        return similarity(self.minhash, other_minhash)


def words(text: str) -> list[str]:
    """The text's words as compared: case-folded word characters, digits-only tokens (dates, counts, times,
    which copies update) left out; punctuation separates words and is dropped."""
    return [w for w in WORD.findall(text.casefold()) if not w.isdigit()]


@functools.cache
def band_layout(threshold: float = LSH_THRESHOLD, num_perm: int = NUM_PERM) -> tuple[int, int]:
    """(bands, rows) datasketch's optimiser gives for ``threshold`` (false positives and negatives weighed
    alike)."""
    from datasketch.lsh import _optimal_param
    return _optimal_param(threshold, num_perm, 0.5, 0.5)


@functools.cache
def _blank() -> Any:
    """An empty datasketch MinHash of NUM_PERM and SEED, which every signature copies (making its
    permutations costs more than hashing a page)."""
    from datasketch import MinHash
    return MinHash(num_perm=NUM_PERM, seed=SEED, hashfunc=int)


def preload() -> None:
    """Import datasketch and make what every signature shares, before the first page is timed."""
    _blank()
    band_layout()


def shingle_hashes(tokens: list[str]) -> np.ndarray:
    """The distinct 32-bit hashes of the text's SHINGLE-word shingles: each word hashed once (CRC-32), a
    shingle's hash a polynomial of its words' hashes, computed for all shingles at once (numpy); hashing each
    shingle's string in Python cost five times more."""
    seen = dict.fromkeys(tokens)
    for token in seen:
        seen[token] = zlib.crc32(token.encode("utf-8", "surrogatepass"))
    word_hashes = np.fromiter(map(seen.__getitem__, tokens), dtype=np.uint32, count=len(tokens))
    n = len(tokens) - SHINGLE + 1
    hashes = word_hashes[:n].copy()
    for k in range(1, SHINGLE):  # modulo 2**32: uint32 arithmetic wraps
        hashes *= np.uint32(0x9E3779B1)
        hashes += word_hashes[k:k + n]
    return np.unique(hashes)


def fingerprint(text: str, published: str | None = None) -> Fingerprint | None:
    """The fingerprint of a clean text published on ``published`` (an ISO 8601 date, or None when unknown);
    None when the text has fewer than MIN_WORDS words."""
    tokens = words(text)
    if len(tokens) < MIN_WORDS:
        return None
    mh = _blank().copy()
    mh.update_batch(shingle_hashes(tokens).tolist())
    values = mh.hashvalues.astype("<u4")  # the affine32 scheme's values fit
    return Fingerprint(minhash=values.tobytes(), bands=band_keys(values), quotes=quote_keys(text),
                       published=day_of(published))


def day_of(published: str | None) -> str | None:
    """``YYYY-MM-DD`` of an ISO 8601 date or time; None when there is none or it is not one."""
    try:
        return date.fromisoformat((published or "")[:10]).isoformat()
    except ValueError:
        return None


def within_story_window(a: str | None, b: str | None) -> bool:
    """Whether two publication days (``YYYY-MM-DD`` or None) are close enough for a shared quote to make one
    story: at most STORY_WINDOW_DAYS apart, or either unknown."""
    if a is None or b is None:
        return True
    return abs((date.fromisoformat(a) - date.fromisoformat(b)).days) <= STORY_WINDOW_DAYS


def band_keys(hashvalues: np.ndarray) -> tuple[int, ...]:
    """One key per LSH band: a 64-bit hash of the band's number and its rows' values."""
    bands, rows = band_layout()
    return tuple(key(bytes([b]) + hashvalues[b * rows:(b + 1) * rows].tobytes()) for b in range(bands))


def quotes(text: str) -> list[list[str]]:
    """The words of each passage in quotation marks with at least QUOTE_MIN_WORDS words."""
    found = []
    for match in QUOTES.finditer(text):
        passage = words(next(g for g in match.groups() if g is not None))
        if len(passage) >= QUOTE_MIN_WORDS:
            found.append(passage)
    return found


def quote_keys(text: str) -> tuple[int, ...]:
    """The keys of the text's long quotes (64-bit hashes of their words), sorted and without repeats."""
    return tuple(sorted({key(" ".join(passage).encode("utf-8", "surrogatepass")) for passage in quotes(text)}))


def similarity(a: bytes, b: bytes) -> float:
    """The share of equal MinHash values: datasketch's MinHash.jaccard, without importing datasketch."""
    return float(np.count_nonzero(np.frombuffer(a, "<u4") == np.frombuffer(b, "<u4"))) / NUM_PERM


def key(data: bytes) -> int:
    """A signed 64-bit hash: an index key as small as a number (a BIGINT column), and on PostgreSQL the
    advisory lock of that key."""
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "big", signed=True)
