"""Extraction quality on a WCXB-style dev set: presswash against plain trafilatura, side by side.

A dev set is a folder with ``html/<id>.html.gz`` (UTF-8 HTML, gzipped) and ``ground-truth/<id>.json``
holding ``url`` (may be missing) and ``ground_truth`` with ``main_content``, ``with`` (snippets that must
appear) and ``without`` (boilerplate snippets that must not appear).

Metrics (the benchmark's own):

- bag-of-words F1 per page: tokens are lowercase ``\\w+``, counts are intersected as multisets,
  P = matched / predicted tokens, R = matched / true tokens; P, R and F1 are averaged over pages. A page
  whose output is empty scores P = R = F1 = 0 (unless its ground truth is empty too, which scores 1).
- leaks: the share of all ``without`` snippets (over all pages) found in the output;
- with kept: the share of all ``with`` snippets found in the output.

Snippet matching (see :func:`snippet_key`): both the snippet and the output have their whitespace runs
collapsed to one space and are lower-cased; a snippet counts as found when it is a substring of the output.
This is the matching that reproduces the benchmark's figure for plain trafilatura (5.4 % leaks on the
791-page dev split); an exact, case-sensitive match gives 4.7 % and a token-sequence match 5.7 %. An empty
snippet is ignored.

Run ``python -m scraper.evaluation [DEVSET] --jobs 2`` (``presswash eval`` once the CLI wires it). It prints a
markdown table (system | F1 | P | R | leaks | with kept | pages); ``--by-rule`` adds what each cleaner rule
removed and how much of it was ground truth, ``--rule-ablation`` reruns each rule's pages without it, and
``--json FILE`` keeps every page's scores. docs/quality.md holds the current figures.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import sys
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from scraper.sinks.atomic import write_atomic

DEFAULT_DEVSET = "../shared/devset/wcxb-dev-articles"

_TOKEN = re.compile(r"\w+")
_SPACE = re.compile(r"\s+")


# ---------------------------------------------------------------------------------------------- scoring

def tokens(text: str | None) -> list[str]:
    """Lowercase ``\\w+`` tokens, the benchmark's tokenisation."""
    return _TOKEN.findall(text.lower()) if text else []


@dataclass(frozen=True, slots=True)
class PRF:
    precision: float
    recall: float
    f1: float
    predicted: int = 0
    true: int = 0
    matched: int = 0


def bow_prf(predicted: str | None, truth: str | None) -> PRF:
    """Bag-of-words precision, recall and F1 of ``predicted`` against ``truth``."""
    pred, gold = Counter(tokens(predicted)), Counter(tokens(truth))
    n_pred, n_true = sum(pred.values()), sum(gold.values())
    matched = sum((pred & gold).values())
    if n_pred == 0 and n_true == 0:
        return PRF(1.0, 1.0, 1.0, 0, 0, 0)
    p = matched / n_pred if n_pred else 0.0
    r = matched / n_true if n_true else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return PRF(p, r, f1, n_pred, n_true, matched)


def snippet_key(text: str | None) -> str:
    """The form snippets and outputs are compared in: whitespace runs collapsed to one space, lower case."""
    if not text:
        return ""
    return _SPACE.sub(" ", text).strip().lower()


def found_snippets(output: str | None, snippets: Iterable[str]) -> list[bool]:
    """For each snippet, whether it occurs in ``output`` (see :func:`snippet_key`). Empty snippets are
    skipped, so the list may be shorter than the input."""
    hay = snippet_key(output)
    out = []
    for s in snippets:
        key = snippet_key(s)
        if key:
            out.append(key in hay)
    return out


# ---------------------------------------------------------------------------------------------- dev set

@dataclass(slots=True)
class DevPage:
    id: str
    html_path: str
    url: str | None
    main_content: str
    with_: list[str] = field(default_factory=list)
    without: list[str] = field(default_factory=list)


def _str_list(value: Any) -> list[str]:
    if not value:
        return []
    if isinstance(value, str):
        return [value]
    return [v for v in value if isinstance(v, str)]


def load_devset(root: str | Path, limit: int | None = None) -> list[DevPage]:
    """The pages of a dev set that have both HTML and ground truth, in id order."""
    root = Path(root)
    gt_dir, html_dir = root / "ground-truth", root / "html"
    if not gt_dir.is_dir() or not html_dir.is_dir():
        raise FileNotFoundError(f"{root}: not a dev set (expected ground-truth/ and html/ folders)")
    pages = []
    for gt_path in sorted(gt_dir.glob("*.json")):
        page_id = gt_path.stem
        html_path = html_dir / f"{page_id}.html.gz"
        if not html_path.exists():
            continue
        data = json.loads(gt_path.read_text(encoding="utf-8"))
        gt = data.get("ground_truth") or {}
        pages.append(DevPage(
            id=page_id, html_path=str(html_path), url=data.get("url") or None,
            main_content=gt.get("main_content") or "",
            with_=_str_list(gt.get("with")), without=_str_list(gt.get("without")),
        ))
        if limit is not None and len(pages) >= limit:
            break
    return pages


def read_html(path: str) -> bytes:
    with gzip.open(path, "rb") as fh:
        return fh.read()


# ---------------------------------------------------------------------------------------------- systems

# name -> what it runs; "presswash*" systems go through process_page with these Options fields.
PIPELINE_SYSTEMS: dict[str, dict[str, Any]] = {
    "presswash": {},
    "presswash-balanced": {"mode": "balanced"},
    "presswash-no-fallback": {"fallback": False},
    "presswash-no-tail": {"without": "tail-zone rules"},
    "presswash-keep-headline": {"keep_headline": True},
    "presswash-no-dom": {"dom_rules": False},
    "presswash-no-text": {"text_rules": False},
    "presswash-no-rules": {"dom_rules": False, "text_rules": False},
}
TRAFILATURA_SYSTEMS: dict[str, dict[str, Any]] = {
    "trafilatura": {},
    "trafilatura-precision": {"favor_precision": True},
}
SYSTEMS = [*PIPELINE_SYSTEMS, *TRAFILATURA_SYSTEMS]
DEFAULT_SYSTEMS = ["presswash", "trafilatura", "trafilatura-precision"]
ABLATION_SYSTEMS = ["presswash-balanced", "presswash-no-fallback", "presswash-no-tail", "presswash-keep-headline",
                    "presswash-no-dom", "presswash-no-text", "presswash-no-rules"]


def _as_page(body: bytes, page: DevPage) -> Any:
    from scraper.core.document import Page

    # The dev set's pages are UTF-8 (its README says so); the header saves a guess the baseline never makes.
    return Page(body=body, source=page.html_path, url=page.url, kind="html",
                headers={"content-type": "text/html; charset=utf-8"})


def run_system(name: str, body: bytes, page: DevPage,
               rules_dirs: tuple[str, ...] = ()) -> tuple[str, list[dict[str, str]]]:
    """The text a system makes of a page, and (for presswash) the removals its rules made."""
    if name in PIPELINE_SYSTEMS:
        from scraper.core.process import Options, process_page

        settings = dict(PIPELINE_SYSTEMS[name])
        without = settings.pop("without", None)
        if without:
            outcome = _processor_without(_rule_ids(without, rules_dirs), rules_dirs)(_as_page(body, page))
        else:
            outcome = process_page(_as_page(body, page), Options(**settings, rules_dirs=rules_dirs))
        if not outcome.ok:
            return "", []
        return outcome.text, list(outcome.removed)
    if name in TRAFILATURA_SYSTEMS:
        import trafilatura

        html = body.decode("utf-8", errors="replace")
        return trafilatura.extract(html, url=page.url, **TRAFILATURA_SYSTEMS[name]) or "", []
    raise ValueError(f"unknown system {name!r}; known: {', '.join(SYSTEMS)}")


def rule_damage(removed: list[dict[str, str]], output: str, page: DevPage) -> dict[str, dict[str, Any]]:
    """Per rule: removals, words removed, how many removed words the ground truth needed, and what the
    rule did to the scores.

    A removed word counts as ground truth when the ground truth holds more of that token than the output
    does (the output lacks it); each missing occurrence is charged once, to the first removal holding it.
    A removal is a ``hit`` (it took ground-truth text) when at least half of its tokens were charged this
    way and its text is in the ground truth: its token sequence occurs there, and for a removal of one or
    two words (a "Home" or a "Sign in", which any text may contain) it is a whole ground-truth paragraph.

    ``f1_gain`` is this page's F1 minus the F1 of the output with the rule's removals put back (appended),
    and ``leaks_stopped`` counts ``without`` snippets found in the put-back text but not in the output. Both
    ignore interplay between rules, and for DOM rules the put-back text may be text the extractor would
    have dropped anyway, so they are estimates.
    """
    gold = tokens(page.main_content)
    gold_seq = f" {' '.join(gold)} "
    gold_paras = {" ".join(tokens(para)) for para in page.main_content.splitlines()}
    deficit = Counter(gold)
    deficit.subtract(Counter(tokens(output)))
    deficit = +deficit  # keep positive counts only
    stats: dict[str, dict[str, Any]] = {}
    texts: dict[str, list[str]] = {}
    for edit in removed:
        rule = edit.get("rule", "?")
        toks = tokens(edit.get("text", ""))
        charged = 0
        for t in toks:
            if deficit[t] > 0:
                deficit[t] -= 1
                charged += 1
        s = stats.setdefault(rule, {"removals": 0, "words": 0, "gt_words": 0, "hits": 0})
        s["removals"] += 1
        s["words"] += len(toks)
        s["gt_words"] += charged
        if toks and charged * 2 >= len(toks):
            seq = " ".join(toks)
            if seq in gold_paras or (len(toks) > 2 and f" {seq} " in gold_seq):
                s["hits"] += 1
        texts.setdefault(rule, []).append(edit.get("text", ""))
    if stats:
        f1 = bow_prf(output, page.main_content).f1
        leaked = sum(found_snippets(output, page.without))
        for rule, parts in texts.items():
            restored = "\n".join([output, *parts])
            stats[rule]["f1_gain"] = f1 - bow_prf(restored, page.main_content).f1
            stats[rule]["leaks_stopped"] = sum(found_snippets(restored, page.without)) - leaked
    return stats


def score_page(page: DevPage, systems: list[str], texts: bool = False,
               rules_dirs: tuple[str, ...] = ()) -> dict[str, Any]:
    """Run every system on one page and score it. Runs in worker processes, so it returns plain data."""
    body = read_html(page.html_path)
    result: dict[str, Any] = {"id": page.id, "url": page.url, "systems": {}}
    for name in systems:
        started = time.perf_counter()
        try:
            text, removed = run_system(name, body, page, rules_dirs)
            error = None
        except Exception as exc:  # one broken page must not end the run; it scores as empty output
            text, removed, error = "", [], f"{type(exc).__name__}: {exc}"
        prf = bow_prf(text, page.main_content)
        leaks = found_snippets(text, page.without)
        kept = found_snippets(text, page.with_)
        entry: dict[str, Any] = {
            "f1": prf.f1, "precision": prf.precision, "recall": prf.recall,
            "predicted_tokens": prf.predicted, "true_tokens": prf.true,
            "leaks": sum(leaks), "without": len(leaks), "kept": sum(kept), "with": len(kept),
            "leaked": [s for s, hit in zip((w for w in page.without if snippet_key(w)), leaks) if hit],
            "missed": [s for s, hit in zip((w for w in page.with_ if snippet_key(w)), kept) if not hit],
            "empty": not text.strip(), "seconds": round(time.perf_counter() - started, 4),
        }
        if error:
            entry["error"] = error
        if name in PIPELINE_SYSTEMS:
            entry["rules"] = rule_damage(removed, text, page)
        if texts:
            entry["text"] = text
            if removed:
                entry["removed"] = removed
        result["systems"][name] = entry
    return result


# ---------------------------------------------------------------------------------------------- summary

@dataclass(slots=True)
class Summary:
    system: str
    pages: int
    f1: float
    precision: float
    recall: float
    leaks: int
    without: int
    kept: int
    with_: int
    empty: int

    @property
    def leak_rate(self) -> float:
        return self.leaks / self.without if self.without else 0.0

    @property
    def keep_rate(self) -> float:
        return self.kept / self.with_ if self.with_ else 0.0


def summarise(results: list[dict[str, Any]], systems: list[str]) -> list[Summary]:
    out = []
    for name in systems:
        rows = [r["systems"][name] for r in results if name in r["systems"]]
        n = len(rows) or 1
        out.append(Summary(
            system=name, pages=len(rows),
            f1=sum(x["f1"] for x in rows) / n,
            precision=sum(x["precision"] for x in rows) / n,
            recall=sum(x["recall"] for x in rows) / n,
            leaks=sum(x["leaks"] for x in rows), without=sum(x["without"] for x in rows),
            kept=sum(x["kept"] for x in rows), with_=sum(x["with"] for x in rows),
            empty=sum(1 for x in rows if x["empty"]),
        ))
    return out


def markdown_table(summaries: list[Summary]) -> str:
    lines = ["| system | F1 | P | R | leaks | with kept | pages |", "|---|---|---|---|---|---|---|"]
    for s in summaries:
        pages = f"{s.pages}" + (f" ({s.empty} empty)" if s.empty else "")
        lines.append(
            f"| {s.system} | {s.f1:.3f} | {s.precision:.3f} | {s.recall:.3f} | "
            f"{100 * s.leak_rate:.1f}% ({s.leaks}/{s.without}) | "
            f"{100 * s.keep_rate:.1f}% ({s.kept}/{s.with_}) | {pages} |"
        )
    return "\n".join(lines)


def by_rule(results: list[dict[str, Any]], system: str = "presswash") -> list[dict[str, Any]]:
    """Per rule, over all pages: pages, removals, words removed, ground-truth words among them, hit
    removals, the summed F1 gain (``mean_f1_gain`` is the change in mean F1) and leaks stopped."""
    totals: dict[str, dict[str, Any]] = {}
    n_pages = 0
    for r in results:
        entry = r["systems"].get(system)
        if not entry:
            continue
        n_pages += 1
        for rule, s in entry.get("rules", {}).items():
            t = totals.setdefault(rule, {"pages": 0, "removals": 0, "words": 0, "gt_words": 0, "hits": 0,
                                         "f1_gain": 0.0, "leaks_stopped": 0})
            t["pages"] += 1
            for k in ("removals", "words", "gt_words", "hits", "f1_gain", "leaks_stopped"):
                t[k] += s.get(k, 0)
    rows = []
    for rule, t in totals.items():
        t["mean_f1_gain"] = t["f1_gain"] / n_pages if n_pages else 0.0
        t["hit_rate"] = t["hits"] / t["removals"] if t["removals"] else 0.0
        rows.append({"rule": rule, **t})
    rows.sort(key=lambda x: (-x["words"], x["rule"]))
    return rows


def by_rule_table(rows: list[dict[str, Any]], dom_rules: Iterable[str] = ()) -> str:
    """The per-rule rows as a markdown table. For ``dom_rules`` (drop-block rules) the put-back estimates
    are left out: a block removed before extraction may never have been extracted anyway."""
    dom = set(dom_rules)
    lines = ["| rule | pages | removals | words removed | of which ground truth | hit removals | F1 gain | "
             "leaks stopped |",
             "|---|---|---|---|---|---|---|---|"]
    for x in rows:
        share = x["gt_words"] / x["words"] if x["words"] else 0.0
        gain = ("n/a", "n/a") if x["rule"] in dom else (f"{x['mean_f1_gain']:+.4f}", str(x["leaks_stopped"]))
        lines.append(f"| {x['rule']} | {x['pages']} | {x['removals']} | {x['words']} | "
                     f"{x['gt_words']} ({100 * share:.1f}%) | {x['hits']} ({100 * x['hit_rate']:.1f}%) | "
                     f"{gain[0]} | {gain[1]} |")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------- running

def _score_star(args: tuple[DevPage, list[str], bool, tuple[str, ...]]) -> dict[str, Any]:
    return score_page(*args)


def evaluate(pages: list[DevPage], systems: list[str], jobs: int = 1, texts: bool = False,
             rules_dirs: tuple[str, ...] = (),
             progress: Callable[[int, int], None] | None = None) -> list[dict[str, Any]]:
    """Score every page with every system; ``jobs`` > 1 spreads pages over worker processes.
    ``rules_dirs`` are extra pack folders for the presswash systems (as ``presswash clean --rules``)."""
    work = [(p, systems, texts, tuple(rules_dirs)) for p in pages]
    results: list[dict[str, Any]] = []
    if jobs <= 1 or len(pages) < 2:
        for i, item in enumerate(work, 1):
            results.append(_score_star(item))
            if progress:
                progress(i, len(work))
        return results
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        for i, res in enumerate(pool.map(_score_star, work, chunksize=4), 1):
            results.append(res)
            if progress:
                progress(i, len(work))
    return results


_ablation_processors: dict[tuple[frozenset[str], tuple[str, ...]], Any] = {}


def _rule_ids(what: str, rules_dirs: tuple[str, ...]) -> frozenset[str]:
    """Rule ids an ablation row leaves out: "tail-zone rules", or a comma-separated list of ids."""
    if what == "tail-zone rules":
        from cleaners import RuleBook

        return frozenset(r.id for r in RuleBook.load(rules_dirs).rules() if getattr(r, "zone", "") == "tail")
    return frozenset(i.strip() for i in what.split(","))


def _processor_without(rule_ids: str | frozenset[str], rules_dirs: tuple[str, ...]) -> Any:
    """A default presswash Processor whose rule book lacks these rules (cached per worker process)."""
    rule_ids = frozenset([rule_ids]) if isinstance(rule_ids, str) else rule_ids
    key = (rule_ids, rules_dirs)
    proc = _ablation_processors.get(key)
    if proc is None:
        from cleaners import Cleaner, RuleBook

        from scraper.core.process import Options, Processor

        book = RuleBook.load(rules_dirs)
        for pack in book.packs:
            pack.rules = [r for r in pack.rules if r.id not in rule_ids]
        proc = _ablation_processors[key] = Processor(Options(rules_dirs=rules_dirs), cleaner=Cleaner(book))
    return proc


def _ablate_one(args: tuple[DevPage, str, tuple[str, ...]]) -> tuple[str, str, float, int, int]:
    page, rule_id, rules_dirs = args
    outcome = _processor_without(rule_id, rules_dirs)(_as_page(read_html(page.html_path), page))
    text = outcome.text if outcome.ok else ""
    return (page.id, rule_id, bow_prf(text, page.main_content).f1, sum(found_snippets(text, page.without)),
            sum(found_snippets(text, page.with_)))


def ablate_rules(pages: list[DevPage], results: list[dict[str, Any]], jobs: int = 1,
                 rules_dirs: tuple[str, ...] = (), only: Iterable[str] = ()) -> list[dict[str, Any]]:
    """What each rule is worth, measured: every page where the rule fired under the default ``presswash``
    system is run again without that one rule. Per rule: the change in mean F1 over all scored pages that
    the rule brings (``f1_gain``), the leaks it stops, the ``with`` snippets it costs, and how many pages it
    makes better or worse (by more than 0.001 F1). ``only`` limits the reruns to those rule ids."""
    wanted = {r.upper() for r in only}
    base = {r["id"]: r["systems"]["presswash"] for r in results if "presswash" in r["systems"]}
    by_id = {p.id: p for p in pages}
    work = [(by_id[pid], rule, tuple(rules_dirs)) for pid, entry in base.items()
            for rule in entry.get("rules", {}) if not wanted or rule.upper() in wanted]
    if jobs > 1 and len(work) > 1:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            runs = list(pool.map(_ablate_one, work, chunksize=4))
    else:
        runs = [_ablate_one(item) for item in work]
    totals: dict[str, dict[str, Any]] = {}
    for pid, rule, f1, leaks, kept in runs:
        b = base[pid]
        t = totals.setdefault(rule, {"rule": rule, "pages": 0, "f1_gain": 0.0, "leaks_stopped": 0,
                                     "with_lost": 0, "pages_better": 0, "pages_worse": 0})
        delta = b["f1"] - f1
        t["pages"] += 1
        t["f1_gain"] += delta
        t["leaks_stopped"] += leaks - b["leaks"]
        t["with_lost"] += kept - b["kept"]
        t["pages_better"] += delta > 0.001
        t["pages_worse"] += delta < -0.001
    for t in totals.values():
        t["f1_gain"] /= len(base) or 1
    return sorted(totals.values(), key=lambda t: (-t["f1_gain"], t["rule"]))


def ablation_table(rows: list[dict[str, Any]]) -> str:
    lines = ["| rule | pages | F1 gain (x1000) | leaks stopped | with snippets lost | pages better | pages worse |",
             "|---|---|---|---|---|---|---|"]
    for t in rows:
        lines.append(f"| {t['rule']} | {t['pages']} | {1000 * t['f1_gain']:+.3f} | {t['leaks_stopped']} | "
                     f"{t['with_lost']} | {t['pages_better']} | {t['pages_worse']} |")
    return "\n".join(lines)


_TAG = re.compile(r"<[^>]+>")


def examples_from_devset(book: Any, pages: list[DevPage], min_words: int = 4) -> list[tuple[str, str]]:
    """Rule examples of ``min_words`` or more words whose text occurs in the dev set's ground truth (article
    text or snippets): rules must be written from general knowledge, not from the pages they are scored on.
    Short UI strings shared by every site ("Follow us") fall under the word minimum."""
    truth = "\n".join(snippet_key(" ".join([p.main_content, *p.with_, *p.without])) for p in pages)
    found = []
    for rule in book.rules():
        for example in (*rule.remove, *rule.keep):
            key = snippet_key(_TAG.sub(" ", example.text))
            if len(key.split()) >= min_words and key in truth:
                found.append((rule.id, example.text))
    return found


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="presswash eval",
        description="Score presswash and plain trafilatura side by side on a WCXB-style dev set.",
    )
    ap.add_argument("devset", nargs="?", default=DEFAULT_DEVSET,
                    help=f"dev set folder with html/ and ground-truth/ (default: {DEFAULT_DEVSET})")
    ap.add_argument("--limit", type=int, default=None, metavar="N", help="score only the first N pages")
    ap.add_argument("--jobs", "-j", type=int, default=1, metavar="N",
                    help="worker processes (default 1; 0 = one per CPU)")
    ap.add_argument("--json", metavar="FILE", help="write per-page results to FILE (JSON)")
    ap.add_argument("--texts", action="store_true", help="with --json: include each system's output text")
    ap.add_argument("--systems", metavar="A,B", default=",".join(DEFAULT_SYSTEMS),
                    help=f"comma-separated systems to score (known: {', '.join(SYSTEMS)})")
    ap.add_argument("--ablation", action="store_true",
                    help="also score presswash without DOM rules, without text rules, and without both")
    ap.add_argument("--by-rule", action="store_true",
                    help="per cleaner rule: words removed and how many of them the ground truth holds")
    ap.add_argument("--rule-ablation", action="store_true",
                    help="per rule, rerun the pages where it fired without it and report what it is worth "
                         "(needs the presswash system; takes about as long again as the main run)")
    ap.add_argument("--ablate", metavar="ID,ID", default="",
                    help="with --rule-ablation: rerun only for these rules (a candidate pack, say)")
    ap.add_argument("--rules", action="append", default=[], metavar="DIR",
                    help="extra folder of rule packs for the presswash systems (repeatable); a pack named "
                         "like a built-in one replaces it")
    ap.add_argument("--quiet", "-q", action="store_true", help="no progress on stderr")
    return ap


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    systems = [s.strip() for s in args.systems.split(",") if s.strip()]
    if args.ablation:
        systems += [s for s in ABLATION_SYSTEMS if s not in systems]
    unknown = [s for s in systems if s not in SYSTEMS]
    if unknown or not systems:
        print(f"error: unknown system(s) {', '.join(unknown) or '(none given)'}; known: {', '.join(SYSTEMS)}",
              file=sys.stderr)
        return 2
    if args.limit is not None and args.limit < 1:
        print("error: --limit must be at least 1", file=sys.stderr)
        return 2
    if args.devset == DEFAULT_DEVSET and not Path(args.devset).is_dir():
        # Run from elsewhere than the repository root: the default is relative to the root.
        beside_repo = (Path(__file__).resolve().parents[1] / DEFAULT_DEVSET).resolve()
        if beside_repo.is_dir():
            args.devset = str(beside_repo)
    try:
        pages = load_devset(args.devset, args.limit)
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if not pages:
        print(f"error: {args.devset}: no pages with both html and ground truth", file=sys.stderr)
        return 2
    jobs = args.jobs if args.jobs > 0 else (os.cpu_count() or 1)

    def progress(done: int, total: int) -> None:
        if done == total or done % 50 == 0:
            print(f"\r{done}/{total} pages", end="\n" if done == total else "", file=sys.stderr, flush=True)

    started = time.perf_counter()
    try:
        from cleaners import RuleBook, RuleError

        book = RuleBook.load(args.rules)  # fail here, once, on a bad pack rather than on every page
    except (RuleError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for rule_id, example in examples_from_devset(book, pages):
        print(f"warning: {rule_id} has an example that is dev-set text ({example[:60]!r}); rule examples must "
              "be written for the tests, not taken from the ground truth", file=sys.stderr)
    dom_rules = {r.id for r in book.rules() if r.stage == "dom"}
    results = evaluate(pages, systems, jobs=jobs, texts=args.texts, rules_dirs=tuple(args.rules),
                       progress=None if args.quiet else progress)
    elapsed = time.perf_counter() - started

    print(markdown_table(summarise(results, systems)))
    print(f"\n{len(pages)} pages from {args.devset}, {len(systems)} systems, {elapsed:.1f} s with {jobs} job(s).")
    if args.by_rule:
        pipeline = next((s for s in systems if s in PIPELINE_SYSTEMS), None)
        if pipeline is None:
            print("\n--by-rule needs a presswash system among --systems", file=sys.stderr)
        else:
            print(f"\nRemovals by rule ({pipeline}). Ground-truth words: removed words the output lacks and the "
                  "ground truth holds. A hit is a removal of ground-truth text (see rule_damage). F1 gain and "
                  "leaks stopped: estimated by putting the rule's removals back (text rules only).\n")
            print(by_rule_table(by_rule(results, pipeline), dom_rules))
    ablation = None
    if args.rule_ablation:
        if "presswash" not in systems:
            print("\n--rule-ablation needs the presswash system among --systems", file=sys.stderr)
        else:
            ablation = ablate_rules(pages, results, jobs=jobs, rules_dirs=tuple(args.rules),
                                    only=[r.strip() for r in args.ablate.split(",") if r.strip()])
            print("\nRule ablation (presswash): each rule's pages run again without it.\n")
            print(ablation_table(ablation))
    if args.json:
        payload = {"devset": str(args.devset), "systems": systems,
                   "summary": [{"system": s.system, "f1": s.f1, "precision": s.precision, "recall": s.recall,
                                "leak_rate": s.leak_rate, "keep_rate": s.keep_rate, "pages": s.pages,
                                "empty": s.empty} for s in summarise(results, systems)],
                   "pages": results}
        if args.by_rule:
            payload["by_rule"] = by_rule(results, next((s for s in systems if s in PIPELINE_SYSTEMS), "presswash"))
        if ablation is not None:
            payload["rule_ablation"] = ablation
        write_atomic(args.json, json.dumps(payload, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
