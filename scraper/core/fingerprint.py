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
import sys
from dataclasses import dataclass
from datetime import date
from itertools import filterfalse

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
    return list(filterfalse(str.isdigit, WORD.findall(text.casefold())))


@functools.cache
def band_layout(threshold: float = LSH_THRESHOLD, num_perm: int = NUM_PERM) -> tuple[int, int]:
    """(bands, rows) datasketch's optimiser gives for ``threshold`` (false positives and negatives weighed
    alike)."""
    from datasketch.lsh import _optimal_param
    return _optimal_param(threshold, num_perm, 0.5, 0.5)


@functools.cache
def permutations() -> tuple[np.ndarray, np.ndarray]:
    """The (a, b) uint32 arrays of datasketch's NUM_PERM affine permutations for SEED, h -> a * h + b modulo
    2**32 (its ``affine32`` scheme; making them costs more than hashing a page)."""
    from datasketch import MinHash
    a, b = MinHash(num_perm=NUM_PERM, seed=SEED, scheme="affine32").permutations
    return a.astype(np.uint32), b.astype(np.uint32)


def preload() -> None:
    """Import datasketch and make what every signature shares, before the first page is timed."""
    permutations()
    band_layout()
    char_classes()


# Every code point's class for word splitting in numpy: a word character (re's ``\w``), and whether it is a
# digit (``str.isdigit``; every digit is a word character).
WORD_CHAR, DIGIT = np.uint8(1), np.uint8(2)
# The word hash is a polynomial of the word's code points modulo 2**64 (numpy's uint64 arithmetic wraps),
# with FNV-1a's 64-bit prime as base (odd, so it has an inverse modulo 2**64).
BASE = 0x100000001B3


@functools.cache
def char_classes() -> np.ndarray:
    """WORD_CHAR | DIGIT flags of every code point (1.1 MB; made in about 0.1 s, shared by forked workers)."""
    every = "".join(map(chr, range(sys.maxunicode + 1)))
    word_chars = "".join(WORD.findall(every))
    digits = "".join(filter(str.isdigit, word_chars))
    table = np.zeros(sys.maxunicode + 1, dtype=np.uint8)
    table[code_points(word_chars)] = WORD_CHAR
    table[code_points(digits)] |= DIGIT
    return table


def code_points(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


@functools.cache
def _powers(size: int) -> tuple[np.ndarray, np.ndarray]:
    up = np.full(size, BASE, dtype=np.uint64)
    up[0] = 1
    down = np.full(size, pow(BASE, -1, 2 ** 64), dtype=np.uint64)
    down[0] = 1
    return np.cumprod(up), np.cumprod(down)


def powers(n: int) -> tuple[np.ndarray, np.ndarray]:
    """BASE**i and BASE**-i modulo 2**64 for i < n at least (uint64; the tables grow by doubling)."""
    return _powers(1 << max(12, n.bit_length()))


def word_hashes(text: str) -> np.ndarray:
    """The 32-bit hashes of the text's words as ``words`` splits them, in order (uint32): the top half of
    the polynomial of each word's case-folded code points. numpy splits and hashes all words at once from
    prefix sums, so no Python object is made per word: a quarter of the time of splitting with the regex and
    hashing each word's UTF-8 with CRC-32, as signatures of schema versions 3 and 4 did (the store remakes
    those when it upgrades, schema.py)."""
    codes = code_points(text.casefold())
    classes = char_classes()[codes]
    edges = np.flatnonzero(np.diff(classes != 0, prepend=False, append=False))
    starts, ends = edges[0::2], edges[1::2]
    non_digits = np.zeros(len(codes) + 1, dtype=np.int64)
    np.cumsum(classes == WORD_CHAR, out=non_digits[1:])
    kept = non_digits[ends] != non_digits[starts]  # digits-only words are left out
    starts, ends = starts[kept], ends[kept]
    up, down = powers(len(codes))
    sums = np.zeros(len(codes) + 1, dtype=np.uint64)
    np.cumsum(codes * down[:len(codes)], out=sums[1:])
    # sum of c[j] * BASE**(end-1-j) over the word = BASE**(end-1) * (sum of c[j] * BASE**-j)
    return ((up[ends - 1] * (sums[ends] - sums[starts])) >> np.uint64(32)).astype(np.uint32)


def shingle_hashes(hashes_of_words: np.ndarray) -> np.ndarray:
    """The 32-bit hashes of the text's SHINGLE-word shingles (repeats kept: they leave a minimum as it is),
    a polynomial of their words' hashes, for all shingles at once."""
    n = len(hashes_of_words) - SHINGLE + 1
    hashes = hashes_of_words[:n].copy()
    for k in range(1, SHINGLE):  # modulo 2**32: uint32 arithmetic wraps
        hashes *= np.uint32(0x9E3779B1)
        hashes += hashes_of_words[k:k + n]
    return hashes


# MurmurHash3's 32-bit finalizer, which datasketch applies to every value before its permutations.
FMIX32 = (np.uint32(16), np.uint32(0x85EBCA6B), np.uint32(13), np.uint32(0xC2B2AE35), np.uint32(16))


def minhash(values: np.ndarray) -> np.ndarray:
    """The NUM_PERM uint32 values of datasketch's MinHash (NUM_PERM, SEED, ``affine32``) updated with
    ``values`` (uint32, at least one): each mixed by datasketch's finalizer, then the minimum of each
    permutation. The same values as ``MinHash.update_batch`` (tests/test_stories.py), in a third of its
    time: no Python int per value."""
    s1, m1, s2, m2, s3 = FMIX32
    h = values ^ (values >> s1)
    h *= m1
    h ^= h >> s2
    h *= m2
    h ^= h >> s3
    a, b = permutations()
    permuted = np.multiply.outer(a, h)  # one row per permutation, so each minimum reads a contiguous row
    permuted += b[:, None]
    return permuted.min(axis=1)


def fingerprint(text: str, published: str | None = None) -> Fingerprint | None:
    """The fingerprint of a clean text published on ``published`` (an ISO 8601 date, or None when unknown);
    None when the text has fewer than MIN_WORDS words."""
    signed = signature(text)
    if signed is None:
        return None
    return Fingerprint(minhash=signed[0], bands=signed[1], quotes=quote_keys(text), published=day_of(published))


def signature(text: str) -> tuple[bytes, tuple[int, ...]] | None:
    """The text's MinHash (``Fingerprint.minhash``) and its LSH band keys; None under MIN_WORDS words."""
    hashes = word_hashes(text)
    if len(hashes) < MIN_WORDS:
        return None
    values = minhash(shingle_hashes(hashes)).astype("<u4", copy=False)
    return values.tobytes(), band_keys(values)


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
