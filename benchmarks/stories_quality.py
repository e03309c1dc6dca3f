"""Near-duplicate and story links, scored pairwise on the wire-copies fixture and listed on the dev sets (issue 14).

Run from the repository root with the project's virtualenv active:

    python benchmarks/stories_quality.py                 # the fixture, then both dev sets (a few minutes)
    python benchmarks/stories_quality.py --no-devsets    # the fixture alone (seconds)
    python benchmarks/stories_quality.py --limit 100 --jobs 2
    python benchmarks/stories_quality.py --no-devsets --crawl   # and the fixture's sites, crawled

1. The fixture (fixtures/stories/, 18 pages on three sites) is rendered to HTML files named in seen order, the
   two seed texts (one story, no copy) follow them, and the product's ``presswash clean`` runs over the folder,
   in this process (``scraper.cli.main``), as a user would run it. Each record is matched to its page by its
   file name, and ``scraper.evaluation.stories.score_stories`` scores it over all pairs of pages: pairwise
   precision, recall and F1 of "same near-duplicate cluster" (``duplicate_of or id``) and of "same story"
   (``story or id``), the false links (pairs linked across two stories), the links missed, and the copies
   claimed between a wire text and an own write-up of its story. Whatever the records carry, it also prints the
   exact word 5-shingle overlap of the clean texts by kind of pair (copies, one story in other words, one
   topic, unrelated): what a near-duplicate threshold has to separate.
   With ``--crawl``, the three sites are also served on 127.0.0.1 and crawled from their sitemaps by
   ``presswash crawl`` into a new SQLite store, and the crawl's records are scored the same way.
2. Each dev set's HTML (WCXB dev, trafilatura-eval-dev: about one page per site) goes through ``clean`` the
   same way, one run per dev set, and every linked pair is listed (``linked_pairs``) with both pages' URLs, for
   a person to inspect: nearly every link there is a false one. Whatever the records carry, the pairs whose
   clean texts overlap most are listed too (``closest_pairs``): how close unrelated pages come.

Targets (issue 14): near-duplicate pairwise F1 >= 0.97, and no false link among unrelated articles. Records
that carry no ``duplicate_of``/``story`` are reported as such, with nothing scored. It asserts nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import subprocess
import sys
import tempfile
import time
from math import comb
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run as a script from anywhere: import the working copy's packages
    sys.path.insert(0, str(REPO))

from fixtures.stories import wirecopies  # noqa: E402
from scraper.cli import main as presswash  # noqa: E402
from scraper.evaluation.devset import DEFAULT_DEVSETS, default_devset, open_devset  # noqa: E402
from scraper.evaluation.stories import (  # noqa: E402
    STORY_FIELDS,
    closest_pairs,
    has_story_fields,
    linked_pairs,
    overlap_by_kind,
    pages_by,
    score_stories,
    where,
)

F1_TARGET = 0.97
NO_FIELDS = "the records carry no " + " / ".join(f"`{f}`" for f in STORY_FIELDS) + ": nothing to score"


def clean(inputs: list[Path], out: Path, jobs: int, extra: list[str]) -> tuple[list[dict], float]:
    """``presswash clean INPUTS -o OUT`` in this process; its records and the seconds it took."""
    args = ["clean", *map(str, inputs), "-o", str(out), "--no-progress", "-q", "--jobs", str(jobs), *extra]
    err = io.StringIO()
    start = time.perf_counter()
    with contextlib.redirect_stderr(err):
        code = presswash(args)
    took = time.perf_counter() - start
    if code not in (0, 1) or not out.exists():  # 1: some documents failed, and have error records
        raise SystemExit(f"presswash {' '.join(args)} failed ({code}):\n{err.getvalue()}")
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines() if line.strip()], took


def fixture_part(work: Path, jobs: int, extra: list[str]) -> dict:
    fixture = wirecopies.load()
    files = {**wirecopies.write_files(work / "stories", fixture), **wirecopies.write_seeds(work / "stories", fixture)}
    records, took = clean([work / "stories"], work / "stories.jsonl", jobs, extra)
    by_name = {path.name: page.id for path, page in files.items()}
    labels = wirecopies.labels(fixture)
    part = {"pages": len(files), "stories": len({e.story for e in labels.values()}), "seconds": took,
            "errors": [r for r in records if r.get("error")], "fields": has_story_fields(records)}
    by_page = pages_by(records, lambda r: by_name.get(Path(r["source"]).name))
    part["matched"] = len(by_page)
    part["overlap"] = overlap_by_kind(by_page, labels)
    if part["fields"]:
        part["scores"] = score_stories(by_page, labels)
    return part


def crawl_part(work: Path, extra: list[str]) -> dict:
    """The three fixture sites served on 127.0.0.1 and crawled from their sitemaps by ``presswash crawl`` (a
    subprocess: Scrapy's reactor runs once a process) into a new SQLite store; its records scored as the
    files' are. Which copy a crawl stores first may differ from the files' order: the pairwise scores do not
    depend on it."""
    fixture = wirecopies.load()
    out = work / "crawl.jsonl"
    with wirecopies.serve(work / "sites", fixture) as servers:
        args = [sys.executable, "-m", "scraper.cli", "crawl", "--store", str(work / "crawl.db"), "-o", str(out)]
        for server in servers.values():
            args += ["--sitemap", f"{server.base_url}/sitemap.xml"]
        args += ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "LOG_LEVEL=WARNING", *extra]
        start = time.perf_counter()
        path = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
        proc = subprocess.run(args, capture_output=True, text=True, cwd=REPO, env={**os.environ, "PYTHONPATH": path})
        took = time.perf_counter() - start
        urls = {f"{servers[p.site.key].base_url}{p.path}": p.id for p in fixture.pages}
    if proc.returncode not in (0, 1) or not out.exists():
        raise SystemExit(f"presswash crawl failed ({proc.returncode}):\n{proc.stderr}")
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines() if line.strip()]
    every = wirecopies.labels(fixture)
    labels = {p.id: every[p.id] for p in fixture.pages}  # the seeds are no page of the sites
    part = {"pages": len(fixture.pages), "stories": len({e.story for e in labels.values()}), "seconds": took,
            "errors": [r for r in records if r.get("error")], "fields": has_story_fields(records)}
    by_page = pages_by(records, lambda r: urls.get(r.get("url")))
    part["matched"] = len(by_page)
    if part["fields"]:
        part["scores"] = score_stories(by_page, labels)
    return part


def devset_part(root: str, work: Path, jobs: int, extra: list[str], limit: int | None, top: int) -> dict:
    devset = open_devset(root, limit)
    folder = work / Path(root).name
    folder.mkdir()
    urls = {}
    for page in devset.pages:  # symlinks, so --limit holds and the records' sources name the dev pages
        link = folder / Path(page.html_path).name
        link.symlink_to(Path(page.html_path).resolve())
        urls[link.name] = page.url
    records, took = clean([folder], work / f"{folder.name}.jsonl", jobs, extra)
    for record in records:  # the dev set's URL where the page declares none
        record["url"] = record.get("url") or record.get("canonical_url") or urls.get(Path(record["source"]).name)
    part = {"name": Path(root).name, "pages": len(records), "seconds": took, "fields": has_story_fields(records),
            "closest": closest_pairs(records, top=top), "where": {r["id"]: where(r) for r in records}}
    if part["fields"]:
        part["links"] = linked_pairs(records)
    return part


def prf(scores) -> str:
    return f"{scores.precision:.3f} / {scores.recall:.3f} / {scores.f1:.3f}  ({scores.matched} of {scores.true} " \
           f"pairs found, {scores.predicted} linked)"


def scored_rows(name: str, part: dict) -> list[tuple[str, str, str, str]]:
    """The table's rows for one scored run over the fixture (``name``: how it ran)."""
    head = f"{name} ({part['pages']} documents, {part['stories']} stories, {comb(part['pages'], 2)} pairs)"
    if not part["fields"]:
        return [(f"{head}: near-duplicates, stories", NO_FIELDS, f"F1 ≥ {F1_TARGET}", "—")]
    s = part["scores"]
    return [
        (f"{head}: near-duplicates, pairwise P / R / F1", prf(s.near_duplicates), f"F1 ≥ {F1_TARGET}",
         "yes" if s.near_duplicates.f1 >= F1_TARGET else "**no**"),
        (f"{name}: stories, pairwise P / R / F1", prf(s.stories), "—", "—"),
        (f"{name}: false links (pairs across two stories)", str(len(s.false_links)), "0",
         "yes" if not s.false_links else "**no**"),
        (f"{name}: write-ups taken for copies of their wire text", str(len(s.overlinked)), "0",
         "yes" if not s.overlinked else "**no**"),
    ]


def table(fixture: dict, devsets: list[dict], crawled: dict | None = None) -> str:
    rows = [("measure", "value", "target", "met"), *scored_rows("fixture", fixture)]
    if crawled:
        rows += scored_rows("fixture crawled", crawled)
    for dev in devsets:
        what = f"links among {dev['name']} pages ({dev['pages']}, {comb(dev['pages'], 2)} pairs)"
        if not dev["fields"]:
            rows.append((what, NO_FIELDS, "—", "—"))
        else:
            links = dev["links"]
            near = sum(link.how == "near-duplicate" for link in links)
            rows.append((what, f"{len(links)} ({near} near-duplicate, {len(links) - near} story only)",
                         "nearly all false", "—"))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(r, widths)) + " |" for r in rows]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def overlap_table(fixture: dict) -> str:
    lines = ["\nWhat a threshold must separate: the exact overlap of the fixture's clean texts (word 5-shingles)",
             "| pairs | how many | Jaccard, lowest–highest | containment, lowest–highest |", "|---|---|---|---|"]
    lines += [f"| {o.kind} | {o.pairs} | {o.jaccard[0]:.2f}–{o.jaccard[1]:.2f} | "
              f"{o.containment[0]:.2f}–{o.containment[1]:.2f} |" for o in fixture["overlap"]]
    return "\n".join(lines)


def scored_details(name: str, part: dict, what: str) -> list[str]:
    out = [f"\n{name}: {what} took {part['seconds']:.1f} s; {len(part['errors'])} error records"
           + (f"; {part['matched']} records matched to a page" if "matched" in part else "")]
    out += [f"  error: {r.get('url') or r['source']}: {r['error']}" for r in part["errors"]]
    if part["fields"]:
        s = part["scores"]
        for title, links in (("false links", s.false_links), ("missed links", s.missed),
                             ("write-ups taken for copies", s.overlinked)):
            out.append(f"{name}, {title} ({len(links)}):")
            out += [f"  {link.how}: {link.a} ~ {link.b}" + (f"  [{link.note}]" if link.note else "")
                    for link in links]
        if s.unmatched:
            out.append(f"{name}, pages with no record: {', '.join(s.unmatched)}")
    return out


def details(fixture: dict, devsets: list[dict], crawled: dict | None = None) -> str:
    out = scored_details("fixture", fixture, "clean")
    if crawled:
        out += scored_details("fixture crawled", crawled, "the crawl")
    for dev in devsets:
        out.append(f"\n{dev['name']}: clean took {dev['seconds']:.1f} s")
        out.append(f"the {len(dev['closest'])} pairs whose clean texts overlap most (word 5-shingles):")
        out += [f"  containment {c.containment:.2f}, Jaccard {c.jaccard:.2f}, {c.shared} shared: "
                f"{dev['where'][c.a]}\n    ~ {dev['where'][c.b]}" for c in dev["closest"]]
        if dev["fields"]:
            out.append(f"linked pairs ({len(dev['links'])}):")
            out += [f"  {link.how}: {link.a} {link.where_a}\n    ~ {link.b} {link.where_b}" for link in dev["links"]]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--devset", action="append", metavar="DIR",
                        help="a dev set folder, repeatable (default: WCXB dev and trafilatura-eval-dev)")
    parser.add_argument("--no-devsets", action="store_true", help="score the fixture alone")
    parser.add_argument("--limit", type=int, metavar="N", help="the first N pages of each dev set")
    parser.add_argument("--crawl", action="store_true",
                        help="also serve the fixture's three sites on 127.0.0.1, crawl them, and score the crawl")
    parser.add_argument("--jobs", type=int, default=2, metavar="N", help="clean's --jobs (default 2)")
    parser.add_argument("--crawl-arg", action="append", default=[], metavar="ARG",
                        help="one more argument for crawl, repeatable")
    parser.add_argument("--closest", type=int, default=10, metavar="N",
                        help="list the N pairs of each dev set whose clean texts overlap most (default 10)")
    parser.add_argument("--clean-arg", action="append", default=[], metavar="ARG",
                        help="one more argument for clean, repeatable (--clean-arg=--mode --clean-arg=fast)")
    args = parser.parse_args(argv)
    roots = [] if args.no_devsets else [default_devset(d) for d in (args.devset or DEFAULT_DEVSETS)]
    with tempfile.TemporaryDirectory(prefix="presswash-stories-") as tmp:
        work = Path(tmp)
        fixture = fixture_part(work, args.jobs, args.clean_arg)
        crawled = crawl_part(work, args.crawl_arg) if args.crawl else None
        devsets = []
        for root in roots:
            if not Path(root).is_dir():
                print(f"no dev set at {root}: left out", file=sys.stderr)
                continue
            devsets.append(devset_part(root, work, args.jobs, args.clean_arg, args.limit, args.closest))
    if not fixture["fields"]:
        print(f"NOTE: {NO_FIELDS}. presswash does not link near-duplicates or stories yet (issue 14); "
              "the table shows no figures until it does.\n")
    print(table(fixture, devsets, crawled))
    print(overlap_table(fixture))
    print(details(fixture, devsets, crawled))
    return 0


if __name__ == "__main__":
    sys.exit(main())
