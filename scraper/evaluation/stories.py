"""Pairwise scores of near-duplicate and story links (issue 14), against expected labels or for inspection.

A record links to others through two fields:
- its near-duplicate cluster is ``duplicate_of or id``: an original and its copies share the original's id;
- its story is ``story or id``: a record in no story is alone in its own.

Over all pairs of labelled pages, a pair is *predicted* linked when its two records share the cluster (or the
story) and *expected* linked when the labels say so; precision = matched / predicted pairs, recall =
matched / expected pairs (``scoring.PRF``; with no pair on either side, both are 1). A *false link* is a pair
linked either way whose pages the labels put in different stories: the issue's target is none.

For a dev set, which has no labels, ``linked_pairs`` lists every linked pair for a person to read.

``overlap_by_kind`` measures what a threshold has to separate, independent of any signature: the exact overlap
of the clean texts' word shingles (lower-case ``\\w+``, k words) for each kind of labelled pair (copies of one
text, one story in other words, one topic, unrelated): the Jaccard index and the containment (shared shingles
over the smaller text's). ``closest_pairs`` finds the pairs of a dev set whose texts overlap most.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from itertools import combinations
from typing import Any, Callable, Iterable, Mapping

from scraper.evaluation.scoring import PRF, tokens

NEAR_DUPLICATE = "near-duplicate"
STORY = "story"
STORY_FIELDS = ("duplicate_of", "story")

Record = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Expected:
    """A page's labels: the first-seen page of its near-duplicate group, its story, and (for reports) its topic."""

    original: str
    story: str
    topic: str = ""


@dataclass(frozen=True, slots=True)
class Link:
    """Two records linked: ``how`` is "near-duplicate" (one cluster) or "story" (one story only). ``a`` and
    ``b`` are page names (scored) or record ids (a dev set); ``where_a``/``where_b`` their URL or source."""

    a: str
    b: str
    how: str
    where_a: str = ""
    where_b: str = ""
    note: str = ""


@dataclass(frozen=True, slots=True)
class StoryScores:
    near_duplicates: PRF
    stories: PRF
    false_links: list[Link]  # linked, but the labels put the two in different stories
    missed: list[Link]  # expected links that the records lack ("near-duplicate" or "story")
    overlinked: list[Link]  # one story, but linked as near-duplicates where the labels say they are not
    unmatched: list[str]  # labelled pages with no record (they count as alone)


def has_story_fields(records: Iterable[Record]) -> bool:
    """Whether the records carry ``duplicate_of`` and ``story`` (error records aside); False with no record."""
    records = [r for r in records if not r.get("error")]
    return bool(records) and all(name in r for r in records for name in STORY_FIELDS)


def cluster_of(record: Record) -> str:
    return record.get("duplicate_of") or record["id"]


def story_of(record: Record) -> str:
    return record.get("story") or record["id"]


def where(record: Record) -> str:
    return record.get("url") or record.get("canonical_url") or record.get("source") or ""


def _prf(matched: int, predicted: int, true: int) -> PRF:
    p = matched / predicted if predicted else 1.0
    r = matched / true if true else 1.0
    return PRF(p, r, 2 * p * r / (p + r) if p + r else 0.0, predicted, true, matched)


def score_stories(records: Mapping[str, Record], expected: Mapping[str, Expected]) -> StoryScores:
    """Score ``records`` (page name -> its record) against ``expected`` (page name -> labels) over all pairs of
    the labelled pages. A record whose page has no label is left out; a labelled page with no record is alone."""
    pages = sorted(expected)
    unmatched = [p for p in pages if p not in records]
    # A page without a record is alone: a key nobody else has.
    cluster = {p: ("record", cluster_of(records[p])) if p in records else ("page", p) for p in pages}
    story = {p: ("record", story_of(records[p])) if p in records else ("page", p) for p in pages}
    counts = {NEAR_DUPLICATE: [0, 0, 0], STORY: [0, 0, 0]}  # matched, predicted, true
    false_links, missed, overlinked = [], [], []
    for a, b in combinations(pages, 2):
        ea, eb = expected[a], expected[b]
        wa = where(records[a]) if a in records else ""
        wb = where(records[b]) if b in records else ""
        for how, got, want in ((NEAR_DUPLICATE, cluster[a] == cluster[b], ea.original == eb.original),
                               (STORY, story[a] == story[b], ea.story == eb.story)):
            tally = counts[how]
            tally[0] += got and want
            tally[1] += got
            tally[2] += want
            if want and not got:
                missed.append(Link(a, b, how, wa, wb))
            elif got and not want and how == NEAR_DUPLICATE and ea.story == eb.story:
                overlinked.append(Link(a, b, how, wa, wb))
        linked = NEAR_DUPLICATE if cluster[a] == cluster[b] else STORY if story[a] == story[b] else None
        if linked and ea.story != eb.story:
            same_topic = "same topic, another story" if pair_kind(ea, eb) == "same topic" else ""
            false_links.append(Link(a, b, linked, wa, wb, same_topic))
    return StoryScores(near_duplicates=_prf(*counts[NEAR_DUPLICATE]), stories=_prf(*counts[STORY]),
                       false_links=false_links, missed=missed, overlinked=overlinked, unmatched=unmatched)


PAIR_KINDS = ("copies", "same story", "same topic", "unrelated")


@dataclass(frozen=True, slots=True)
class Overlap:
    kind: str  # one of PAIR_KINDS
    pairs: int
    jaccard: tuple[float, float]  # lowest, highest
    containment: tuple[float, float]


def pair_kind(a: Expected, b: Expected) -> str:
    if a.original == b.original:
        return "copies"
    if a.story == b.story:
        return "same story"
    return "same topic" if a.topic and a.topic == b.topic else "unrelated"


def shingles(text: str | None, k: int = 5) -> set[tuple[str, ...]]:
    words = tokens(text)
    return {tuple(words[i:i + k]) for i in range(max(len(words) - k + 1, 0))}


def overlap_by_kind(records: Mapping[str, Record], expected: Mapping[str, Expected], k: int = 5) -> list[Overlap]:
    """For each kind of labelled pair that occurs, the lowest and highest shingle Jaccard and containment of the
    two records' texts (pages without a record are left out)."""
    sets = {p: shingles(records[p].get("text"), k) for p in sorted(expected) if p in records}
    found: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for a, b in combinations(sets, 2):
        shared, smaller = len(sets[a] & sets[b]), min(len(sets[a]), len(sets[b]))
        union = len(sets[a] | sets[b])
        found[pair_kind(expected[a], expected[b])].append((shared / union if union else 0.0,
                                                           shared / smaller if smaller else 0.0))
    return [Overlap(kind, len(found[kind]), (min(j for j, _ in found[kind]), max(j for j, _ in found[kind])),
                    (min(c for _, c in found[kind]), max(c for _, c in found[kind])))
            for kind in PAIR_KINDS if found[kind]]


@dataclass(frozen=True, slots=True)
class Close:
    """Two records' texts and what they share: ``jaccard`` and ``containment`` of their word shingles."""

    a: str
    b: str
    jaccard: float
    containment: float
    shared: int


def closest_pairs(records: Iterable[Record], k: int = 5, top: int = 10) -> list[Close]:
    """The ``top`` pairs of records (by id) whose texts share the largest part of the smaller one's shingles,
    found through the shingles they share (no pair that shares none is compared): how close unrelated pages
    of a dev set come."""
    records = [r for r in records if not r.get("error")]
    sets = [shingles(r.get("text"), k) for r in records]
    holders: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for i, shingle_set in enumerate(sets):
        for shingle in shingle_set:
            holders[shingle].append(i)
    shared: dict[tuple[int, int], int] = defaultdict(int)
    for members in holders.values():
        if len(members) > 1:
            for pair in combinations(members, 2):
                shared[pair] += 1
    close = [Close(records[i]["id"], records[j]["id"], n / len(sets[i] | sets[j]),
                   n / min(len(sets[i]), len(sets[j])), n) for (i, j), n in shared.items()]
    return sorted(close, key=lambda c: (-c.containment, -c.shared, c.a, c.b))[:top]


def linked_pairs(records: Iterable[Record]) -> list[Link]:
    """Every pair of records that share a near-duplicate cluster ("near-duplicate") or only a story ("story"),
    by record id, in the records' order: the links of a dev set, for a person to inspect."""
    records = [r for r in records if not r.get("error")]
    by_key: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, record in enumerate(records):
        by_key[(NEAR_DUPLICATE, cluster_of(record))].append(i)
        by_key[(STORY, story_of(record))].append(i)
    how: dict[tuple[int, int], str] = {}
    for (kind, _), members in by_key.items():
        for pair in combinations(members, 2):
            if kind == NEAR_DUPLICATE or pair not in how:
                how[pair] = kind
    return [Link(records[i]["id"], records[j]["id"], kind, where(records[i]), where(records[j]))
            for (i, j), kind in sorted(how.items())]


def pages_by(records: Iterable[Record], page_of: Callable[[Record], str | None]) -> dict[str, Record]:
    """Records keyed by their page name (``page_of(record)``; None leaves a record out). Two records for one
    page are an error: the fixture names each page once."""
    out: dict[str, Record] = {}
    for record in records:
        page = page_of(record)
        if page is None:
            continue
        if page in out:
            raise ValueError(f"two records for the page {page}: {out[page]['id']} and {record['id']}")
        out[page] = record
    return out
