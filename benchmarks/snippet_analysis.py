"""Where presswash wins and loses snippets on a trafilatura evaluation corpus (issue 11, point 4).

    python benchmarks/snippet_analysis.py                       # ../shared/devset/trafilatura-eval-dev
    python benchmarks/snippet_analysis.py --json out.json       # also every finding, one object each
    python benchmarks/snippet_analysis.py --rules DIR           # with a candidate pack folder

For every page it runs presswash (default options, in this checkout) and plain trafilatura as that corpus's
evaluation calls it, then lists, with the page's language:

- the `without` snippets presswash keeps (false positives), with the line that holds them and whether plain
  trafilatura keeps them too;
- the `with` snippets presswash loses (misses), and which step lost each: a cleaner rule (the record's
  `removed` list names it), or extraction (the chosen mode / fallback did not return it; the script says which
  of trafilatura's modes would have, from `presswash-no-rules`-style runs of each mode).

Each finding gets a kind from its text (navigation, related, comments, share, footer, consent, newsletter,
byline/date, caption, ad, other), by a few multilingual keyword lists: a rough grouping for reading, not a
rule. Matching is the scorer's (scraper/evaluation/scoring.py: whitespace-normalised, case-sensitive).
Prints summaries by kind and language, then the findings. Asserts nothing; reads the dev set, writes nothing
into the repository.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from scraper.core.process import Options, process_page  # noqa: E402
from scraper.evaluation.devset import default_devset, open_devset  # noqa: E402
from scraper.evaluation.scoring import normalise_spaces  # noqa: E402
from scraper.evaluation.systems import as_page, trafilatura_output  # noqa: E402

# Rough kinds, by keywords in the snippet (several languages); the first that matches wins.
KINDS: list[tuple[str, re.Pattern[str]]] = [(kind, re.compile(words, re.IGNORECASE)) for kind, words in [
    ("consent", r"cookie|datenschutz|privacy|consent|einwillig|confidentialit|privacidad|riservatezza"),
    ("newsletter", r"newsletter|abonn|subscri|suscr|inscri|iscriviti|assine"),
    ("comments", r"kommentar|comment|coment|antwort|reply|répond|responder|rispondi|diskussion|leserbrief"),
    ("share", r"teilen|share|partag|compart|condivid|twitter|facebook|whatsapp|drucken|print|e-mail|imprimir"),
    ("related", r"mehr zum|auch interessant|weitere|related|à lire|lire aussi|leer más|lee también|leggi anche|"
                r"artikel|beitr[aä]g|news|nachrichten|lesen sie|weiterlesen|read more|mehr"),
    ("ad", r"anzeige|werbung|advert|publicit|sponsor"),
    ("footer", r"©|copyright|rechte vorbehalten|impressum|kontakt|rights reserved|mentions légales|aviso legal"),
    ("byline/date", r"\b\d{1,2}\.\s?\d{1,2}\.\s?\d{2,4}\b|\b(19|20)\d\d\b|\bvon\b|\bby\b|\bpar\b|\bpor\b|autor|"
                    r"uhr\b|januar|februar|märz|april|mai|juni|juli|august|september|oktober|november|dezember"),
    ("caption", r"foto|photo|bild|image|getty|dpa|imago|reuters|afp|credit"),
    ("navigation", r"startseite|home|menü|menu|navigation|suche|search|login|anmelden|zurück|back|übersicht|"
                   r"kategorie|tags?\b|themen"),
]]


def kind_of(text: str) -> str:
    for kind, pattern in KINDS:
        if pattern.search(text):
            return kind
    return "other"


def line_holding(text: str, snippet: str) -> str:
    """The output line (whitespace-normalised) that holds the snippet, or the snippet when it spans lines."""
    for line in text.splitlines():
        if snippet in normalise_spaces(line):
            return normalise_spaces(line)
    return snippet


def analyse(args: tuple) -> dict:
    page, rules_dirs = args
    body = gzip.decompress(Path(page.html_path).read_bytes()) if page.html_path.endswith(".gz") else Path(
        page.html_path).read_bytes()
    out = process_page(as_page(body, page), Options(rules_dirs=rules_dirs))
    text = out.text if out.ok else ""
    removed = list(out.removed) if out.ok else []
    language = out.language if out.ok else None
    extractor = (out.extractor or {}) if out.ok else {}
    plain = trafilatura_output("trafilatura", body, page).text
    modes = {}
    for mode in ("balanced", "precision", "recall"):
        o = process_page(as_page(body, page), Options(mode=mode, rules_dirs=rules_dirs))
        modes[mode] = normalise_spaces(o.text if o.ok else "")
    hay, plain_hay = normalise_spaces(text), normalise_spaces(plain)
    findings = []
    for snippet in map(normalise_spaces, page.without):
        if snippet and snippet in hay:
            findings.append({"type": "fp", "snippet": snippet, "line": line_holding(text, snippet),
                             "plain": snippet in plain_hay, "kind": kind_of(snippet)})
    for snippet in map(normalise_spaces, page.with_):
        if not snippet or snippet in hay:
            continue
        by_rule = [e.get("rule") for e in removed if snippet in normalise_spaces(e.get("text", ""))]
        partly = [e.get("rule") for e in removed
                  if not by_rule and normalise_spaces(e.get("text", "")) and
                  normalise_spaces(e.get("text", "")) in snippet]
        step = (f"rule {','.join(by_rule)}" if by_rule else f"part cut by {','.join(partly)}" if partly
                else "extraction")
        findings.append({"type": "miss", "snippet": snippet, "step": step, "plain": snippet in plain_hay,
                         "modes": [m for m, t in modes.items() if snippet in t], "kind": kind_of(snippet)})
    # Whether trafilatura keeps `without` snippets presswash drops (the wins), for the counts only.
    plain_fp = sum(1 for s in map(normalise_spaces, page.without) if s and s in plain_hay)
    mode_counts = {m: (sum(1 for s in map(normalise_spaces, page.with_) if s and s in t),
                       sum(1 for s in map(normalise_spaces, page.without) if s and s in t)) for m, t in modes.items()}
    return {"id": page.id, "url": page.url, "language": language, "extractor": extractor,
            "findings": findings, "plain_fp": plain_fp, "modes": mode_counts,
            "tp": sum(1 for s in map(normalise_spaces, page.with_) if s and s in hay),
            "fp": sum(1 for f in findings if f["type"] == "fp"),
            "removed": [{"rule": e.get("rule"), "text": e.get("text", "")[:200]} for e in removed]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("devset", nargs="?", default=default_devset("../shared/devset/trafilatura-eval-dev"))
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--limit", type=int)
    parser.add_argument("--rules", action="append", default=[])
    parser.add_argument("--json")
    args = parser.parse_args(argv)
    dev = open_devset(args.devset, args.limit)
    work = [(p, tuple(args.rules)) for p in dev.pages]
    with ProcessPoolExecutor(args.jobs) as pool:
        results = list(pool.map(analyse, work, chunksize=4))
    langs = Counter(r["language"] or "unknown" for r in results)
    print("pages by language:", dict(langs.most_common()))
    fps = [(r, f) for r in results for f in r["findings"] if f["type"] == "fp"]
    misses = [(r, f) for r in results for f in r["findings"] if f["type"] == "miss"]
    print(f"without found: {len(fps)} (plain trafilatura: {sum(r['plain_fp'] for r in results)}); "
          f"with missed: {len(misses)}")
    for name, items, key in (("false positives by kind", fps, "kind"), ("misses by step", misses, "step"),
                             ("misses by kind", misses, "kind")):
        print(f"\n{name}:")
        counts = Counter((f[key] if key != "step" else f[key].split(" ")[0] + (
            " " + f[key].split(" ", 1)[1] if f[key].startswith("rule") else ""), r["language"] or "unknown")
                         for r, f in items)
        for (k, lang), n in sorted(counts.items(), key=lambda x: (-x[1], x[0])):
            print(f"  {n:4d}  {k:30s} {lang}")
    print("\nper-mode totals (with found, without found):")
    for m in ("balanced", "precision", "recall"):
        print(f"  {m:10s}", tuple(map(sum, zip(*(r["modes"][m] for r in results)))))
    print("\nfalse positives (language, kind, also in plain trafilatura, page: line):")
    for r, f in sorted(fps, key=lambda x: (x[0]["language"] or "", x[1]["kind"])):
        print(f"  [{r['language']}] {f['kind']:11s} plain={int(f['plain'])} {r['id']}: {f['line'][:160]!r}"
              f"  <- {f['snippet'][:60]!r}")
    print("\nmisses (language, step, found by plain trafilatura / modes, page: snippet):")
    for r, f in sorted(misses, key=lambda x: (x[1]["step"], x[0]["language"] or "")):
        print(f"  [{r['language']}] {f['step']:22s} plain={int(f['plain'])} modes={','.join(f['modes']) or '-'}"
              f" {r['id']}: {f['snippet'][:120]!r}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
