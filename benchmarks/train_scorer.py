"""Train a learned line scorer (rule LRN001 or LRN002, cleaners/packs/learned.toml) and measure it on held-out groups.

Run from the repository root with the `train` extra installed (scikit-learn; training only, the cleaners score
in pure Python):

    presswash eval --systems trafilatura --json extracted.json --texts   # plain trafilatura's texts, once
    python benchmarks/train_scorer.py --extracted extracted.json    # grouped figures, then writes the weights
    python benchmarks/train_scorer.py --extracted extracted.json --no-write   # the figures only
    python benchmarks/train_scorer.py --extracted extracted.json --rule LRN002   # the sentence scorer's weights

Each rule of the learned pack is trained on its own candidate lines (its settings read from the pack: LRN001's
short lines that do not end a sentence, LRN002's short sentences) and writes its own weights file.

Line labels come from two sources, each line seen as the other rules leave its neighbours (the built-in packs
run first without the trained rule and the learned pack's rules after it, so "the line above was removed" means
what it means when the rule runs):

- the clutter benchmark's TUNING part (benchmarks/clutter.py builds its cases in memory): an injected clutter
  line is 1, a body line or a look-alike sentence 0. Never the held-out part.
- the dev sets, on plain trafilatura's text of each page (``--extracted``: a ``presswash eval --json`` report
  with the trafilatura system's ``text`` per page): on WCXB a line whose words are mostly not in the ground
  truth is 1, a line found in it 0; on trafilatura-eval-dev a line holding a ``without`` snippet is 1, one
  holding a ``with`` snippet 0, the others are left out. The dev sets are thus training data too: their eval
  scores are not an unseen measure; the grouped figures below are.

The features are the line-score kind's: shape, place, the categories pack's classes, and the letter n-grams of
the line's words (those found in at least ``--min-groups`` phrasings or pages). The model is a logistic
regression with an L1 penalty (liblinear), which leaves most n-grams at zero; the weights file keeps the others.

Only candidate lines count (those the rule scores). The figures are for lines the other rules
KEPT (what the scorer adds): clutter caught, look-alikes kept, body lines removed, at several thresholds, with
the tuning part's lines split by PHRASING (a fold's phrasings are never trained on) and by language (leave one
language out), and the dev sets' lines split by page.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from cleaners.engine import Cleaner
from cleaners.linescore import (
    GRAM_PREFIX,
    SHAPE_FEATURES,
    VOCAB_PREFIX,
    DocumentView,
    Featurizer,
    LineScore,
    line_features,
    pack_vocabulary,
)
from cleaners.packs import RuleBook, _builtin_pack_files, load_pack_file

LEARNED_PACK = REPO / "cleaners" / "packs" / "learned.toml"
DEVSETS = REPO.parent / "shared" / "devset"
# The categories pack's classes the scorer reads (general word classes in eight languages, not phrases).
CLASSES = ("action", "channel", "counted", "comment", "zero", "related_marker", "related_noun", "footer_verb",
           "by", "month", "weekday", "relative_day", "source_label", "agency", "comment_heading", "subscribe_verb",
           "newsletter_noun", "ad_label", "rights", "follow_verb", "login", "read_also", "courtesy", "time_unit")
THRESHOLDS = (0.5, 0.7, 0.8, 0.85, 0.9, 0.93, 0.95, 0.97, 0.99)  # and LRN001's own
NOT_CLUTTER_KINDS = ("repeated-title", "clutter-run", "line-score")


def _load_bench():
    name = "presswash_clutter_bench"
    if name not in sys.modules:  # benchmarks/ is not a package: load the file by its path
        spec = importlib.util.spec_from_file_location(name, REPO / "benchmarks" / "clutter.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


@dataclass
class Row:
    """One candidate line: its features, label, and what it is for the split."""

    features: dict[str, float]
    label: int
    source: str  # "tuning", "wcxb", "trafilatura"
    role: str  # "clutter", "body", "lookalike" (dev sets: "clutter" or "body")
    group: str  # the phrasing (tuning clutter and look-alikes), the body or the page
    language: str
    kept: bool  # the other rules kept the line
    text: str


def rules_before(rule_id: str = "LRN001") -> RuleBook:
    """The built-in packs as they run before the learned rule ``rule_id``: the learned pack keeps only the rules
    before it (none for LRN001; LRN001 for LRN002, which runs after it and sees what it removed)."""
    packs = []
    for f in _builtin_pack_files():
        pack = load_pack_file(f, f"builtin:{f.name}")
        if f.name == LEARNED_PACK.name:
            ids = [r.id for r in pack.rules]
            pack = replace(pack, rules=pack.rules[:ids.index(rule_id)])
        packs.append(pack)
    return RuleBook(packs)


def learned_rule(rule_id: str = "LRN001") -> LineScore:
    """The rule as the learned pack defines it, read by the packs' own loader (its defaults applied)."""
    pack = load_pack_file(LEARNED_PACK, f"builtin:{LEARNED_PACK.name}")
    found = [r for r in pack.rules if isinstance(r, LineScore) and r.id == rule_id]
    if not found:
        raise SystemExit(f"{LEARNED_PACK.name} has no line-score rule {rule_id}")
    return found[0]


def stand_in(classes: Iterable[str] = CLASSES, grams: bool = True, rule: LineScore | None = None,
             **overrides: Any) -> tuple[LineScore, Featurizer]:
    """The rule (LRN001 unless given) with its candidate test (``overrides`` change it: max_words,
    prose_words…), and the featurizer for ``classes`` (with every n-gram of a line when ``grams``: what the
    weights will keep is being trained)."""
    rule = replace(rule or learned_rule(), **overrides)
    return rule, Featurizer(pack_vocabulary("categories.toml"), tuple(classes), "train", grams=grams)


def document_rows(cleaner: Cleaner, text: str, title: str | None, language: str | None, not_clutter: set[str],
                  label_of, rule: LineScore, featurizer: Featurizer, **row: Any) -> list[Row]:
    """Rows for a document's candidate lines: ``label_of(text) -> (label, role, group) | None``."""
    result = cleaner.clean_text(text, title=title, language=language)
    view = DocumentView(result.lines, not_clutter)
    out = []
    for ln in result.lines:
        if ln.removed_by is not None and ln.removed_by.rule in not_clutter:
            continue
        if not rule.candidate(ln, view):
            continue
        found = label_of(ln.text)
        if found is None:
            continue
        label, role, group = found
        features = line_features(featurizer.shape(ln.text), view.place(ln.index))
        out.append(Row(features, label, role=role, group=group, language=language or "?", kept=ln.kept,
                       text=ln.text, **row))
    return out


def tuning_rows(cleaner: Cleaner, not_clutter: set[str], rule, featurizer, seed: int = 11) -> list[Row]:
    bench = _load_bench()
    from scraper.core.process import leading_headline

    bodies = bench.load_bodies(DEVSETS / "wcxb-dev-articles", DEVSETS / "trafilatura-eval-dev",
                               lambda m: print(m, file=sys.stderr))
    cases = bench.build_part(bench.load_part("tuning"), bodies, seed)
    rows: list[Row] = []
    for case in cases:
        by_text: dict[str, list] = defaultdict(list)
        for item in case.items:
            if item.place != "glued":
                by_text[" ".join(item.text.split())].append(item)
        body = {" ".join(p.split()) for p in case.body.paragraphs}

        def label_of(text: str, by_text=by_text, body=body, case=case):
            key = " ".join(text.split())
            if by_text.get(key):
                item = by_text[key].pop(0)
                return (1, "clutter", item.template) if item.role == "clutter" else (0, "lookalike", item.template)
            if key in body:
                return 0, "body", case.body.source
            return None  # the headline, or a paragraph with a glued file name

        rows += document_rows(cleaner, case.text, leading_headline(case.text), case.language, not_clutter,
                              label_of, rule, featurizer, source="tuning")
    return rows


_WORD = re.compile(r"\w+")


def _norm(text: str) -> str:
    return " ".join(_WORD.findall(text.casefold()))


def devset_rows(cleaner: Cleaner, not_clutter: set[str], rule, featurizer, extracted: Path) -> list[Row]:
    """Rows from plain trafilatura's text of the dev sets' pages (an eval --json report)."""
    report = json.loads(extracted.read_text(encoding="utf-8"))
    truth_cache = json.loads((DEVSETS / "trafilatura-eval-dev" / "evaldata.json").read_text(encoding="utf-8"))
    by_file = {v.get("file"): v for v in truth_cache.values()}
    rows: list[Row] = []
    for devset in report["devsets"]:
        kind = devset["kind"]
        for page in devset["pages"]:
            system = page["systems"].get("trafilatura") or {}
            text = system.get("text")
            if not text:
                continue
            language = page.get("language")
            if kind == "wcxb":
                truth = json.loads((DEVSETS / "wcxb-dev-articles" / "ground-truth" / f"{page['id']}.json")
                                   .read_text(encoding="utf-8"))["ground_truth"]
                gt = _norm(truth.get("main_content") or "")
                gt_words = set(gt.split())
                title = truth.get("title")

                def label_of(line: str, gt=gt, gt_words=gt_words, pid=page["id"]):
                    key = _norm(line)
                    if not key:
                        return None
                    if f" {key} " in f" {gt} ":
                        return 0, "body", pid
                    words = key.split()
                    if sum(w in gt_words for w in words) < 0.5 * len(words):
                        return 1, "clutter", pid
                    return None

                source = "wcxb"
            else:
                truth = by_file.get(page["id"]) or {}
                with_ = [_norm(s) for s in truth.get("with", []) if _norm(s)]
                without = [_norm(s) for s in truth.get("without", []) if _norm(s)]
                title = None

                def label_of(line: str, with_=with_, without=without, pid=page["id"]):
                    key = f" {_norm(line)} "
                    if any(f" {s} " in key for s in without):
                        return 1, "clutter", pid
                    if any(f" {s} " in key for s in with_):
                        return 0, "body", pid
                    return None

                source = "trafilatura"
            rows += document_rows(cleaner, text, title, language, not_clutter, label_of, rule, featurizer,
                                  source=source)
    return rows


# ------------------------------------------------------------------------------------------------ the model
def feature_names(classes: Iterable[str] = CLASSES) -> list[str]:
    return list(SHAPE_FEATURES) + [VOCAB_PREFIX + c for c in classes]


def fit(rows: list[Row], names: list[str], c: float = 2.0, min_groups: int = 3,
        min_weight: float = 0.05) -> dict[str, Any]:
    """A logistic regression on the rows: {"features", "weights", "bias"} (weights rounded to 4 digits).

    ``names`` are the fixed features; the letter n-grams found in the rows join them when they occur in at least
    ``min_groups`` groups (phrasings or pages: an n-gram of one phrasing is memory, not vocabulary), and are kept
    in the weights when their weight is at least ``min_weight`` either way (the file stays small)."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    groups: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for r in rows:
        for n in r.features:
            if n.startswith(GRAM_PREFIX):
                groups[n].add((r.source, r.group))
    grams = {n for n, g in groups.items() if len(g) >= min_groups}
    fixed = set(names)
    vectorizer = DictVectorizer()
    x = vectorizer.fit_transform([{n: v for n, v in r.features.items() if n in fixed or n in grams} for r in rows])
    x.indices, x.indptr = x.indices.astype("int32"), x.indptr.astype("int32")  # liblinear's index type
    y = [r.label for r in rows]
    # An L1 penalty leaves most n-grams at zero: about a thousand weights, not tens of thousands.
    model = LogisticRegression(C=c, max_iter=5000, solver="liblinear", l1_ratio=1.0)
    model.fit(x, y)
    learned = dict(zip(vectorizer.get_feature_names_out(), model.coef_[0]))
    out_names = list(names) + sorted(n for n, w in learned.items()
                                     if n.startswith(GRAM_PREFIX) and abs(w) >= min_weight)
    return {"features": out_names, "weights": [round(float(learned.get(n, 0.0)), 4) for n in out_names],
            "bias": round(float(model.intercept_[0]), 4)}


def scores(model: dict[str, Any], rows: list[Row]) -> list[float]:
    from cleaners.linescore import Scorer

    scorer = Scorer.from_json({"version": 0, **model}, "fold")
    return [scorer.score(r.features) for r in rows]


def grouped(rows: list[Row], folds: int, key, names: list[str], c: float,
            min_groups: int = 3) -> list[tuple[Row, float]]:
    """Out-of-fold scores: the rows split into ``folds`` by ``key(row)`` (a group is never in train and test)."""
    groups = sorted({key(r) for r in rows})
    fold_of = {g: i % folds for i, g in enumerate(groups)}
    out = []
    for k in range(folds):
        train = [r for r in rows if fold_of[key(r)] != k]
        test = [r for r in rows if fold_of[key(r)] == k]
        if not test or len({r.label for r in train}) < 2:
            continue
        out += zip(test, scores(fit(train, names, c, min_groups), test))
    return out


def figures(scored: list[tuple[Row, float]], threshold: float) -> dict[str, Any]:
    """On the lines the other rules kept: clutter caught, look-alikes kept, body lines removed."""
    kept = [(r, s) for r, s in scored if r.kept]
    clutter = [s for r, s in kept if r.role == "clutter"]
    looks = [s for r, s in kept if r.role == "lookalike"]
    body = [s for r, s in kept if r.role == "body"]
    return {"clutter": len(clutter), "caught": sum(s >= threshold for s in clutter),
            "lookalikes": len(looks), "lookalikes_removed": sum(s >= threshold for s in looks),
            "body": len(body), "body_removed": sum(s >= threshold for s in body),
            "all_clutter": sum(r.role == "clutter" for r, _ in scored),
            "all_caught": sum(s >= threshold for r, s in scored if r.role == "clutter")}


def report(title: str, scored: list[tuple[Row, float]], thresholds=THRESHOLDS) -> list[str]:
    lines = [f"\n{title}", "threshold | leaked clutter caught | look-alikes removed | body lines removed | "
             "all clutter lines scored ≥ t"]
    for t in thresholds:
        f = figures(scored, t)
        lines.append(f"{t:>9} | {f['caught']}/{f['clutter']} | {f['lookalikes_removed']}/{f['lookalikes']} | "
                     f"{f['body_removed']}/{f['body']} | {f['all_caught']}/{f['all_clutter']}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--extracted", type=Path, metavar="FILE",
                        help="a report holding plain trafilatura's text per page, made by `presswash eval "
                             "--systems trafilatura --json FILE --texts` (required unless --no-devsets)")
    parser.add_argument("--no-devsets", action="store_true", help="train on the tuning part alone")
    parser.add_argument("--c", type=float, default=2.0, help="inverse regularisation strength (default 2)")
    parser.add_argument("--no-grams", action="store_true", help="no letter n-gram features (the shape, place and "
                        "vocabulary-class features alone)")
    parser.add_argument("--min-groups", type=int, default=3,
                        help="an n-gram is a feature when it occurs in at least this many phrasings or pages")
    parser.add_argument("--rule", default="LRN001", help="the learned pack's rule to train (LRN001: short lines "
                        "that do not end a sentence; LRN002: short sentences); default LRN001")
    parser.add_argument("--max-words", type=int, help="score lines of at most this many words (default: the rule's)")
    parser.add_argument("--prose-words", type=int,
                        help="a sentence of more words is never scored (default: the rule's)")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--no-write", action="store_true", help="print the figures, write no weights")
    parser.add_argument("--out", type=Path, help="where to write the weights (default: the rule's weights file)")
    parser.add_argument("--show", type=float, metavar="T", help="list the kept lines scored ≥ T out of fold")
    args = parser.parse_args(argv)
    if not args.no_devsets and (args.extracted is None or not args.extracted.is_file()):
        parser.error("the dev-set labels need plain trafilatura's texts: run `presswash eval --systems trafilatura "
                     "--json FILE --texts` and pass --extracted FILE (or train on the tuning part alone: --no-devsets)")

    target = learned_rule(args.rule)
    book = rules_before(args.rule)
    cleaner = Cleaner(book)
    not_clutter = {r.id for r in book.rules() if r.kind in NOT_CLUTTER_KINDS}
    overrides = {name: value for name, value in (("max_words", args.max_words), ("prose_words", args.prose_words))
                 if value is not None}
    rule, featurizer = stand_in(grams=not args.no_grams, rule=target, **overrides)
    rows = tuning_rows(cleaner, not_clutter, rule, featurizer)
    if not args.no_devsets:
        rows += devset_rows(cleaner, not_clutter, rule, featurizer, args.extracted)
    names = feature_names()
    counts = Counter((r.source, r.role, r.kept) for r in rows)
    print("rows (source, role, kept by the other rules): "
          + ", ".join(f"{s}/{role}/{'kept' if k else 'removed'} {n}" for (s, role, k), n in sorted(counts.items())))

    tuning = [r for r in rows if r.source == "tuning"]
    dev = [r for r in rows if r.source != "tuning"]
    # By phrasing: the tuning part's phrasings (and bodies) split into folds, the dev sets' pages too.
    by_phrasing = grouped(rows, args.folds, lambda r: (r.source, r.group), names, args.c, args.min_groups)
    threshold = target.threshold
    thresholds = tuple(sorted({*THRESHOLDS, threshold}))
    out = report("Split by phrasing (tuning part) and by page (dev sets): the tuning part's lines",
                 [(r, s) for r, s in by_phrasing if r.source == "tuning"], thresholds)
    out += report("... the dev sets' lines", [(r, s) for r, s in by_phrasing if r.source != "tuning"], thresholds)
    several = len({r.language for r in rows}) > 1
    by_language = grouped(rows, 99, lambda r: r.language, names, args.c, args.min_groups) if several else []
    langs = sorted({r.language for r in tuning})
    for lang in langs:
        out += report(f"Leave one language out: {lang} (tuning part's lines)",
                      [(r, s) for r, s in by_language if r.source == "tuning" and r.language == lang], (threshold,))
    print("\n".join(out))
    if args.show is not None:
        for r, s in sorted(by_phrasing, key=lambda p: -p[1]):
            if r.kept and s >= args.show:
                print(f"{s:.3f} {r.label} {r.source}/{r.role} {r.text[:100]!r}")

    model = fit(rows, names, args.c, args.min_groups)
    if not args.no_write:
        out_path = args.out or REPO / "cleaners" / "packs" / target.weights
        payload = {
            "version": 2,  # 2: letter n-grams, L1 penalty
            "model": "logistic regression (scikit-learn), scored in pure Python by cleaners/linescore.py",
            "description": (f"{args.rule}'s weights, trained by benchmarks/train_scorer.py (C={args.c}, L1, "
                            + ("no n-grams" if args.no_grams else f"letter n-grams in {args.min_groups}+ groups")
                            + f") on {len(rows)} candidate lines: "
                            f"{len(tuning)} of the clutter benchmark's tuning part (seed 11, 3 uses a phrasing), "
                            f"{len(dev)} of the dev sets (plain trafilatura's text; WCXB ground truth, "
                            "trafilatura-eval-dev snippets)"),
            **model,
        }
        out_path.write_text(json.dumps(payload, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"\nwrote {out_path} ({out_path.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
