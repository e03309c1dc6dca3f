"""What a run's per-page results add up to: the summary per system, the per-rule accounting, and the markdown
tables `presswash eval` prints."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable


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


def ablation_table(rows: list[dict[str, Any]]) -> str:
    lines = ["| rule | pages | F1 gain (x1000) | leaks stopped | with snippets lost | pages better | pages worse |",
             "|---|---|---|---|---|---|---|"]
    for t in rows:
        lines.append(f"| {t['rule']} | {t['pages']} | {1000 * t['f1_gain']:+.3f} | {t['leaks_stopped']} | "
                     f"{t['with_lost']} | {t['pages_better']} | {t['pages_worse']} |")
    return "\n".join(lines)


def json_report(devset: str, systems: list[str], results: list[dict[str, Any]],
                rule_rows: list[dict[str, Any]] | None = None,
                ablation: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """What ``--json FILE`` keeps: the summary per system, every page's scores, and the per-rule rows asked for."""
    payload: dict[str, Any] = {
        "devset": devset, "systems": systems,
        "summary": [{"system": s.system, "f1": s.f1, "precision": s.precision, "recall": s.recall,
                     "leak_rate": s.leak_rate, "keep_rate": s.keep_rate, "pages": s.pages, "empty": s.empty}
                    for s in summarise(results, systems)],
        "pages": results,
    }
    if rule_rows is not None:
        payload["by_rule"] = rule_rows
    if ablation is not None:
        payload["rule_ablation"] = ablation
    return payload
