"""What a run's per-page results add up to: the summary per system (each dev-set kind with its own metric), the
rows per language, the per-rule accounting, and the markdown tables `presswash eval` prints."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any, Iterable

from scraper.evaluation.devset import WCXB
from scraper.evaluation.scoring import SnippetCounts


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


@dataclass(slots=True)
class SnippetSummary:
    """A system on a trafilatura evaluation corpus: the confusion counts summed over its pages."""

    system: str
    pages: int
    counts: SnippetCounts
    empty: int

    @property
    def f1(self) -> float:
        return self.counts.f1

    @property
    def leaks(self) -> int:
        return self.counts.fp


def summarise(results: list[dict[str, Any]], systems: list[str],
              kind: str = WCXB) -> list[Summary] | list[SnippetSummary]:
    """Each system's summary over ``results``, by the metric of the dev set's ``kind``."""
    if kind != WCXB:
        return [_snippet_summary(results, name) for name in systems]
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


def _snippet_summary(results: list[dict[str, Any]], name: str) -> SnippetSummary:
    rows = [r["systems"][name] for r in results if name in r["systems"]]
    counts = sum((SnippetCounts(x["tp"], x["fp"], x["fn"], x["tn"]) for x in rows), SnippetCounts())
    return SnippetSummary(system=name, pages=len(rows), counts=counts, empty=sum(1 for x in rows if x["empty"]))


def _pages_cell(s: Summary | SnippetSummary) -> str:
    return f"{s.pages}" + (f" ({s.empty} empty)" if s.empty else "")


def markdown_table(summaries: list[Summary] | list[SnippetSummary]) -> str:
    if summaries and isinstance(summaries[0], SnippetSummary):
        return snippet_table(summaries)  # type: ignore[arg-type]
    lines = ["| system | F1 | P | R | leaks | with kept | pages |", "|---|---|---|---|---|---|---|"]
    for s in summaries:
        lines.append(
            f"| {s.system} | {s.f1:.3f} | {s.precision:.3f} | {s.recall:.3f} | "
            f"{100 * s.leak_rate:.1f}% ({s.leaks}/{s.without}) | "
            f"{100 * s.keep_rate:.1f}% ({s.kept}/{s.with_}) | {_pages_cell(s)} |"
        )
    return "\n".join(lines)


def snippet_table(summaries: list[SnippetSummary]) -> str:
    lines = ["| system | F1 | P | R | accuracy | with found (TP) | without found (FP) | pages |",
             "|---|---|---|---|---|---|---|---|"]
    for s in summaries:
        c = s.counts
        lines.append(f"| {s.system} | {c.f1:.3f} | {c.precision:.3f} | {c.recall:.3f} | {c.accuracy:.3f} | "
                     f"{c.tp}/{c.tp + c.fn} | {c.fp}/{c.fp + c.tn} | {_pages_cell(s)} |")
    return "\n".join(lines)


UNKNOWN_LANGUAGE = "unknown"
OTHER_LANGUAGES = "other"


def language_groups(results: list[dict[str, Any]], min_pages: int = 10) -> list[tuple[str, list[dict[str, Any]]]]:
    """The pages grouped by their ``language`` (None: "unknown"): each language with at least ``min_pages``
    pages on its own, most pages first, then the rest together as "other"."""
    label = {id(r): r.get("language") or UNKNOWN_LANGUAGE for r in results}
    counts = Counter(label.values())
    shown = sorted((lang for lang, n in counts.items() if n >= min_pages), key=lambda lang: (-counts[lang], lang))
    groups = [(lang, [r for r in results if label[id(r)] == lang]) for lang in shown]
    rest = [r for r in results if label[id(r)] not in shown]
    if rest:
        groups.append((OTHER_LANGUAGES, rest))
    return groups


def language_table(results: list[dict[str, Any]], systems: list[str], kind: str = WCXB,
                   min_pages: int = 10) -> str:
    """One row per language group, one column per system; a cell holds the system's F1 on those pages (the
    dev set's own metric) and, in brackets, the ``without`` snippets found there."""
    lines = ["| language | pages | " + " | ".join(systems) + " |", "|---|---|" + "---|" * len(systems)]
    for lang, rows in language_groups(results, min_pages):
        cells = [f"{s.f1:.3f} ({s.leaks})" for s in summarise(rows, systems, kind)]
        lines.append(f"| {lang} | {len(rows)} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def summary_json(summaries: list[Summary] | list[SnippetSummary]) -> list[dict[str, Any]]:
    out = []
    for s in summaries:
        if isinstance(s, SnippetSummary):
            c = s.counts
            out.append({"system": s.system, "f1": c.f1, "precision": c.precision, "recall": c.recall,
                        "accuracy": c.accuracy, "tp": c.tp, "fp": c.fp, "fn": c.fn, "tn": c.tn,
                        "pages": s.pages, "empty": s.empty})
        else:
            out.append({"system": s.system, "f1": s.f1, "precision": s.precision, "recall": s.recall,
                        "leak_rate": s.leak_rate, "keep_rate": s.keep_rate, "leaks": s.leaks,
                        "without": s.without, "kept": s.kept, "with": s.with_, "pages": s.pages, "empty": s.empty})
    return out


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


def ablation_table(rows: list[dict[str, Any]]) -> str:
    lines = ["| rule | pages | F1 gain (x1000) | leaks stopped | with snippets lost | pages better | pages worse |",
             "|---|---|---|---|---|---|---|"]
    for t in rows:
        lines.append(f"| {t['rule']} | {t['pages']} | {1000 * t['f1_gain']:+.3f} | {t['leaks_stopped']} | "
                     f"{t['with_lost']} | {t['pages_better']} | {t['pages_worse']} |")
    return "\n".join(lines)


def json_report(devset: str, kind: str, systems: list[str], results: list[dict[str, Any]],
                min_language_pages: int = 10, rule_rows: list[dict[str, Any]] | None = None,
                ablation: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """What ``--json FILE`` keeps of one dev set: the summary per system, the same per language, every page's
    scores, and the per-rule rows asked for."""
    payload: dict[str, Any] = {
        "devset": devset, "kind": kind, "systems": systems,
        "summary": summary_json(summarise(results, systems, kind)),
        "languages": [{"language": lang, "pages": len(rows), "summary": summary_json(summarise(rows, systems, kind))}
                      for lang, rows in language_groups(results, min_language_pages)],
        "pages": results,
    }
    if rule_rows is not None:
        payload["by_rule"] = rule_rows
    if ablation is not None:
        payload["rule_ablation"] = ablation
    return payload
