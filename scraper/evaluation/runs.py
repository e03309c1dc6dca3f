"""Running systems over a dev set's pages: every page scored by every system (in worker processes), and the
rule ablation that reruns each rule's pages without that rule."""

from __future__ import annotations

import time
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Callable, Iterable

from scraper.evaluation.devset import DevPage, read_html
from scraper.evaluation.scoring import bow_prf, found_snippets, rule_damage, snippet_key
from scraper.evaluation.systems import PIPELINE_SYSTEMS, pipeline_options, presswash_output, run_system


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


def _ablate_one(args: tuple[DevPage, str, tuple[str, ...]]) -> tuple[str, str, float, int, int]:
    page, rule_id, rules_dirs = args
    options = pipeline_options("presswash", rules_dirs, ignore=(rule_id,))
    text, _ = presswash_output(read_html(page.html_path), page, options)
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
