"""Running systems over a dev set's pages: every page scored by every system (in worker processes), and the
rule ablation that reruns each rule's pages without that rule."""

from __future__ import annotations

import time
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Callable, Iterable

from scraper.evaluation.devset import WCXB, DevPage, read_html
from scraper.evaluation.scoring import (
    bow_prf,
    found_snippets,
    normalise_spaces,
    rule_damage,
    snippet_counts,
    snippet_key,
)
from scraper.evaluation.systems import (
    PIPELINE_SYSTEMS,
    SystemOutput,
    pipeline_options,
    presswash_output,
    run_system,
)


def score_page(page: DevPage, systems: list[str], texts: bool = False,
               rules_dirs: tuple[str, ...] = ()) -> dict[str, Any]:
    """Run every system on one page and score it with its dev set's metric. Runs in worker processes, so it
    returns plain data. ``language`` is the default presswash record's (None: it has none), the same for
    every system's row; presswash runs once more for it when it is not among ``systems``."""
    body = read_html(page.html_path)
    result: dict[str, Any] = {"id": page.id, "url": page.url, "language": None, "systems": {}}
    for name in systems:
        started = time.perf_counter()
        try:
            output = run_system(name, body, page, rules_dirs)
            error = None
        except Exception as exc:  # one broken page must not end the run; it scores as empty output
            output, error = SystemOutput(""), f"{type(exc).__name__}: {exc}"
        entry = (wcxb_scores if page.kind == WCXB else trafilatura_eval_scores)(output.text, page)
        entry["empty"] = not output.text.strip()
        entry["seconds"] = round(time.perf_counter() - started, 4)
        if error:
            entry["error"] = error
        if name in PIPELINE_SYSTEMS and page.kind == WCXB:  # the put-back estimates need ground-truth text
            entry["rules"] = rule_damage(output.removed, output.text, page)
        if name == "presswash":
            result["language"] = output.language
        if texts:
            entry["text"] = output.text
            if output.removed:
                entry["removed"] = output.removed
        result["systems"][name] = entry
    if "presswash" not in systems:
        try:
            result["language"] = run_system("presswash", body, page, rules_dirs).language
        except Exception:  # scored as unknown, as the presswash row would be
            pass
    return result


def wcxb_scores(text: str, page: DevPage) -> dict[str, Any]:
    """A WCXB page's scores: bag-of-words F1 against the main content, and the snippets leaked and kept."""
    prf = bow_prf(text, page.main_content)
    leaks = found_snippets(text, page.without)
    kept = found_snippets(text, page.with_)
    return {
        "f1": prf.f1, "precision": prf.precision, "recall": prf.recall,
        "predicted_tokens": prf.predicted, "true_tokens": prf.true,
        "leaks": sum(leaks), "without": len(leaks), "kept": sum(kept), "with": len(kept),
        "leaked": [s for s, hit in zip((w for w in page.without if snippet_key(w)), leaks) if hit],
        "missed": [s for s, hit in zip((w for w in page.with_ if snippet_key(w)), kept) if not hit],
    }


def trafilatura_eval_scores(text: str, page: DevPage) -> dict[str, Any]:
    """A trafilatura-corpus page's confusion counts (summed over pages, not averaged); ``kept`` and ``leaks``
    name the true and false positives as WCXB's rows do."""
    counts = snippet_counts(text, page.with_, page.without)
    hay = normalise_spaces(text)
    return {
        "tp": counts.tp, "fp": counts.fp, "fn": counts.fn, "tn": counts.tn,
        "leaks": counts.fp, "without": counts.fp + counts.tn, "kept": counts.tp, "with": counts.tp + counts.fn,
        "leaked": [s for s in page.without if normalise_spaces(s) and normalise_spaces(s) in hay],
        "missed": [s for s in page.with_ if normalise_spaces(s) and normalise_spaces(s) not in hay],
    }


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
    text = presswash_output(read_html(page.html_path), page, options).text
    return (page.id, rule_id, bow_prf(text, page.main_content).f1, sum(found_snippets(text, page.without)),
            sum(found_snippets(text, page.with_)))


def ablate_rules(pages: list[DevPage], results: list[dict[str, Any]], jobs: int = 1,
                 rules_dirs: tuple[str, ...] = (), only: Iterable[str] = ()) -> list[dict[str, Any]]:
    """What each rule is worth, measured: every page where the rule fired under the default ``presswash``
    system is run again without that one rule. Per rule: the change in mean F1 over all scored pages that
    the rule brings (``f1_gain``), the leaks it stops, the ``with`` snippets it costs, and how many pages it
    makes better or worse (by more than 0.001 F1). ``only`` limits the reruns to those rule ids. WCXB dev
    sets only: it needs each page's ground-truth text."""
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
