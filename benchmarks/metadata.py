"""presswash's metadata reader against trafilatura's, on the dev sets. Prints results; asserts nothing.

Run from the repository root with the project's virtualenv active:

    python benchmarks/metadata.py                  # both dev sets (about a minute)
    python benchmarks/metadata.py --limit 200 --show author

Both readers get the same tree (presswash's parse of the page, parsing not timed), one after the other,
the order turning each page:

- presswash: ``scraper.core.page_metadata.read_metadata(tree, url)``;
- trafilatura: ``trafilatura.metadata.extract_metadata(tree, url, set_date_params(False))``, what presswash
  called before (with ``with_metadata=True``).

It prints CPU ms per page (``time.process_time``) for each, then, on WCXB (whose ground truth has title,
author and publish_date), how many pages each reader gets right per field, and on trafilatura-eval-dev
(no metadata truth) how many pages each fills per field. Both titles go through ``strip_site_name`` first,
as the record's title does. What "right" means (``title_ok``, ``author_ok``, ``date_ok``):

- title: equal once lower-cased with punctuation and spaces squashed, or a token F1 of at least 0.9
  (tokens: lower-case ``\\w+``, as the extraction metric);
- author: the same set of names, in any order: each side split on , ; & | and "and", each name lower-cased
  with punctuation removed, credentials (MD, PhD, RN, ... : a part of at most 5 letters, all capitals in
  the truth) dropped;
- authors: the reader's list of names as it gives it (presswash's ``authors``; trafilatura's author split on
  "; ", its separator), not split again: each name lower-cased, its punctuation and credentials dropped, the
  set equal to the truth's names (split as for author). This is what a consumer of ``authors`` gets, where
  author forgives a reader that left "A and B" as one name;
- date: the same YYYY-MM-DD.

A page whose truth has no value for a field is not counted for it; a reader that gives one there is counted
as a wrong fill.

For the authors and the date it also prints, on WCXB, what each of presswash's sources says alone (its
JSON-LD, its meta elements, its byline; for the date htmldate, which also reads the URL) and how many pages
each order of those sources gets right: the order read_metadata uses should be the best.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter
from itertools import permutations
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from trafilatura.metadata import extract_metadata
from trafilatura.settings import set_date_params

from scraper.core.decoding import decode
from scraper.core.extraction import (
    ExtractionError,
    parse_html,
    read_signals,
    strip_site_name,
)
from scraper.core.page_metadata import (
    _as_date,
    _byline,
    _date_from_page,
    _only_h1,
    _read_jsonld,
    _read_meta,
    author_names,
    read_metadata,
)
from scraper.core.process import Options, Processor
from scraper.core.urls import hostname_of
from scraper.evaluation.devset import (
    DEFAULT_DEVSETS,
    default_devset,
    open_devset,
    read_html,
)

FIELDS = ("title", "author", "authors", "date")
FILLED = ("title", "author", "date", "sitename", "description", "image", "tags")
_TOKENS = re.compile(r"\w+")
_AUTHOR_SPLIT = re.compile(r"\s*(?:[,;&|]|\band\b)\s*", re.IGNORECASE)


def _tokens(text: str) -> list[str]:
    return _TOKENS.findall(text.lower())


def title_ok(found: str | None, truth: str) -> bool:
    if not found:
        return False
    a, b = _tokens(found), _tokens(truth)
    if a == b:
        return True
    common = sum((Counter(a) & Counter(b)).values())
    if not common:
        return False
    p, r = common / len(a), common / len(b)
    return 2 * p * r / (p + r) >= 0.9


def _names(value: str, credentials: set[str]) -> set[str]:
    names = set()
    for part in _AUTHOR_SPLIT.split(value):
        part = part.strip()
        if not part or part in credentials:
            continue
        name = " ".join(_tokens(part))
        if name:
            names.add(name)
    return names


def _credentials(truth: str) -> set[str]:
    credentials = {p.strip() for p in _AUTHOR_SPLIT.split(truth) if p.strip().isupper() and len(p.strip()) <= 5}
    return credentials | {"MD", "PhD", "RN", "MS", "RD", "MBA", "Jr", "Sr", "DO", "MA", "BSc"}


def author_ok(found: str | None, truth: str) -> bool:
    if not found:
        return False
    credentials = _credentials(truth)
    return _names(found, credentials) == _names(truth, credentials)


def authors_ok(found: list[str] | None, truth: str) -> bool:
    if not found:
        return False
    credentials = _credentials(truth)
    names = set()
    for name in found:  # a name that is a credential ("MD") is left out, as in the truth, and so are its words
        words = [word for word in name.replace(",", " ").split() if word not in credentials]
        if name.strip() not in credentials and words:
            names.add(" ".join(_tokens(" ".join(words))))
    return names == _names(truth, credentials)


def date_ok(found: str | None, truth: str) -> bool:
    return bool(found) and found[:10] == truth[:10]


CHECKS = {"title": title_ok, "author": author_ok, "authors": authors_ok, "date": date_ok}


def _ours(tree: Any, url: str | None) -> dict[str, Any]:
    meta = read_metadata(tree, url)
    return {"title": strip_site_name(meta.title, meta.sitename, url), "author": meta.author,
            "authors": meta.authors, "date": meta.date_published, "sitename": meta.sitename, "description": meta.description,
            "image": meta.image, "tags": meta.tags, "provenance": meta.provenance}


def _theirs(tree: Any, url: str | None) -> dict[str, Any]:
    doc = extract_metadata(tree, url, set_date_params(False))
    return {"title": strip_site_name(doc.title, doc.sitename, url), "author": doc.author,
            "authors": doc.author.split("; ") if doc.author else [], "date": doc.date,
            "sitename": doc.sitename, "description": doc.description, "image": doc.image,
            "tags": doc.tags or doc.categories, "provenance": {}}


READERS = {"presswash": _ours, "trafilatura": _theirs}


def _truth(page_id: str, root: str) -> dict[str, str | None]:
    data = json.loads((Path(root) / "ground-truth" / f"{page_id}.json").read_text(encoding="utf-8"))
    gt = data.get("ground_truth") or {}
    return {"title": gt.get("title"), "author": gt.get("author"), "authors": gt.get("author"),
            "date": gt.get("publish_date")}


def each_source(tree: Any, url: str | None, sitename: str | None) -> dict[str, dict[str, Any]]:
    """What each of presswash's sources alone says of the authors and the date (read_metadata takes the
    first that speaks), to measure the order on the pages where they disagree."""
    jsonld, meta = _read_jsonld(tree), _read_meta(tree)
    h1, _ = _only_h1(tree)
    found, source = _date_from_page(tree, url, None)
    return {
        "authors": {"json-ld": author_names(jsonld.get("author")), "meta": author_names(meta.get("author")),
                    "byline": author_names(_byline(tree, h1, sitename), sitename)},
        "date": {"json-ld": _as_date(jsonld.get("date_published")), "meta": _as_date(meta.get("date_published")),
                 "htmldate": found if source else None},
    }


ORDERED = ("authors", "date")  # the fields whose sources' order is measured


def run(root: str, limit: int | None, show: str | None, after_dom_rules: bool = False) -> None:
    devset = open_devset(root, limit)
    cleaner = Processor(Options()).cleaner if after_dom_rules else None
    cpu = dict.fromkeys(READERS, 0.0)
    right = {name: Counter() for name in READERS}
    wrong_fill = {name: Counter() for name in READERS}
    filled = {name: Counter() for name in READERS}
    sources: Counter = Counter()
    truths: Counter = Counter()
    alone: dict[str, Counter] = {field: Counter() for field in ORDERED}
    orders: dict[str, Counter] = {field: Counter() for field in ORDERED}
    pages = 0
    for index, page in enumerate(devset.pages):
        html = decode(read_html(page.html_path), None, is_html=True).text
        try:
            tree = parse_html(html)
        except ExtractionError:
            continue
        if cleaner is not None:  # as in the Processor, where the metadata is read after the DOM rules
            signals = read_signals(tree, page.url, {})
            cleaner.clean_tree(tree, hostname_of(page.url or signals.canonical_url), html[:20_000], signals.language)
        pages += 1
        order = list(READERS) if index % 2 == 0 else list(READERS)[::-1]
        got = {}
        for name in order:
            start = time.process_time()
            got[name] = READERS[name](tree, page.url)
            cpu[name] += time.process_time() - start
        for name, found in got.items():
            for field in FILLED:
                filled[name][field] += bool(found[field])
        for field, source in got["presswash"]["provenance"].items():
            sources[field, source] += 1
        if devset.kind != "wcxb":
            continue
        truth = _truth(page.id, root)
        by_source = each_source(tree, page.url, got["presswash"]["sitename"])
        for field in ORDERED:
            given = {source: value for source, value in by_source[field].items() if value}
            if not truth[field] or not given:
                continue
            ok = {source: CHECKS[field](value, truth[field]) for source, value in given.items()}
            disagree = len(set(ok.values())) > 1
            for ranking in permutations(by_source[field]):  # each order: the first source that gives a value
                orders[field][ranking] += ok[next(source for source in ranking if source in given)]
            for source, right_here in ok.items():
                alone[field][source, "gives"] += 1
                alone[field][source, "right"] += right_here
                alone[field][source, "disputed"] += disagree
                alone[field][source, "right when disputed"] += disagree and right_here
        for field in FIELDS:
            if truth[field]:
                truths[field] += 1
            for name, found in got.items():
                if truth[field]:
                    right[name][field] += CHECKS[field](found[field], truth[field])
                elif found[field]:
                    wrong_fill[name][field] += 1
            if show == field and truth[field]:
                ok = {name: CHECKS[field](got[name][field], truth[field]) for name in READERS}
                if ok["presswash"] != ok["trafilatura"] or not ok["presswash"]:
                    print(f"  {page.id} {field}: truth={truth[field]!r} presswash={got['presswash'][field]!r} "
                          f"({got['presswash']['provenance'].get(_PROV.get(field, field))}) "
                          f"trafilatura={got['trafilatura'][field]!r}")
    print(f"\n{devset.path} ({devset.kind}): {pages} pages" + (", after the DOM rules" if cleaner else ""))
    print("| reader | CPU ms/page |")
    print("|---|---|")
    for name in READERS:
        print(f"| {name} | {1000 * cpu[name] / max(pages, 1):.2f} |")
    if devset.kind == "wcxb":
        print("\n| field | pages with truth | presswash right | trafilatura right | presswash wrong fills | "
              "trafilatura wrong fills |")
        print("|---|---|---|---|---|---|")
        for field in FIELDS:
            print(f"| {field} | {truths[field]} | {right['presswash'][field]} | {right['trafilatura'][field]} | "
                  f"{wrong_fill['presswash'][field]} | {wrong_fill['trafilatura'][field]} |")
    if devset.kind == "wcxb":
        print("\nEach source alone (pages with truth where it gives a value; disputed: another source is right "
              "where it is wrong, or wrong where it is right):")
        print("| field | source | gives | right | disputed | right when disputed |")
        print("|---|---|---|---|---|---|")
        for field in ORDERED:
            for source in dict.fromkeys(s for s, _ in alone[field]):
                counts = [alone[field][source, k] for k in ("gives", "right", "disputed", "right when disputed")]
                print(f"| {field} | {source} | " + " | ".join(map(str, counts)) + " |")
        print("\nEach order of the sources (the first that gives a value wins; pages with truth):")
        print("| field | order | right |")
        print("|---|---|---|")
        for field in ORDERED:
            for ranking, right_here in orders[field].most_common():
                print(f"| {field} | {' > '.join(ranking)} | {right_here} |")
    print("\n| field | presswash filled | trafilatura filled |")
    print("|---|---|---|")
    for field in FILLED:
        print(f"| {field} | {filled['presswash'][field]} | {filled['trafilatura'][field]} |")
    print("\npresswash's sources:", ", ".join(f"{f}/{s} {n}" for (f, s), n in sorted(sources.items())))


_PROV = {"date": "date_published"}  # the other fields' provenance keys are their names


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--devset", action="append", help="a dev set folder (repeatable; default: both)")
    parser.add_argument("--limit", type=int, help="only the first N pages of each")
    parser.add_argument("--show", choices=FIELDS, help="print the WCXB pages where a reader is wrong on FIELD")
    parser.add_argument("--after-dom-rules", action="store_true",
                        help="read the tree after presswash's DOM rules, as the Processor does (not timed)")
    args = parser.parse_args(argv)
    for root in args.devset or [default_devset(path) for path in DEFAULT_DEVSETS]:
        run(root, args.limit, args.show, args.after_dom_rules)
    return 0


if __name__ == "__main__":
    sys.exit(main())
