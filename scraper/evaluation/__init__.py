"""Extraction quality on dev sets: presswash against plain trafilatura, side by side, each dev set with its own
metric. Two kinds of dev set, told apart by their layout (devset.py):

WCXB: ``html/<id>.html.gz`` (UTF-8 HTML, gzipped) and ``ground-truth/<id>.json`` holding ``url`` (may be
missing) and ``ground_truth`` with ``main_content``, ``with`` (snippets that must appear) and ``without``
(boilerplate snippets that must not appear). Metrics (the benchmark's own):

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

trafilatura's evaluation corpus: ``evaldata.json`` (url -> ``file``, ``with``, ``without``) and
``html/<file>.gz`` (pages in many charsets). Metric (trafilatura's own, :func:`snippet_counts`): whitespace
collapsed, case kept, a substring test; a ``with`` snippet found is a true positive, one not found a false
negative, a ``without`` snippet found a false positive, one not found a true negative; the counts are summed
over pages into P, R, F1 and accuracy. Pages go to presswash as a user's file would (no charset given) and
to plain trafilatura as its evaluation hands them (the bytes; comments off, tables on).

Run ``presswash eval --jobs 2`` (scraper/cli/eval.py): both default dev sets, or the folders given. It prints
each dev set's table, then its rows per language (the presswash record's ``language``); ``--ablation`` adds
presswash with each means left out. On WCXB dev sets ``--by-rule`` adds what each cleaner rule removed and how
much of it was ground truth, and ``--rule-ablation`` reruns each rule's pages without it. ``--json FILE``
keeps every page's scores. docs/quality.md holds the current figures.

One job a module: ``scoring`` (the metrics), ``devset`` (reading a dev set), ``systems`` (what each compared
system runs), ``runs`` (scoring pages in worker processes, rule ablation) and ``reports`` (summaries and tables).
``stories`` scores near-duplicate and story links pairwise (issue 14; benchmarks/stories_quality.py).
"""

from scraper.evaluation.devset import (
    DEFAULT_DEVSET,
    DEFAULT_DEVSETS,
    KINDS,
    TRAFILATURA_EVAL,
    WCXB,
    DevPage,
    DevSet,
    default_devset,
    devset_kind,
    examples_from_devset,
    load_devset,
    load_trafilatura_eval,
    open_devset,
    read_html,
)
from scraper.evaluation.reports import (
    SnippetSummary,
    Summary,
    ablation_table,
    by_rule,
    by_rule_table,
    language_groups,
    language_table,
    markdown_table,
    summarise,
)
from scraper.evaluation.runs import ablate_rules, evaluate, score_page
from scraper.evaluation.scoring import (
    PRF,
    SnippetCounts,
    bow_prf,
    found_snippets,
    normalise_spaces,
    rule_damage,
    snippet_counts,
    snippet_key,
    tokens,
)
from scraper.evaluation.systems import (
    ABLATION_SYSTEMS,
    DEFAULT_SYSTEMS,
    PIPELINE_SYSTEMS,
    SYSTEMS,
    TRAFILATURA_SYSTEMS,
    pipeline_options,
    run_system,
)

__all__ = [
    "ABLATION_SYSTEMS", "DEFAULT_DEVSET", "DEFAULT_DEVSETS", "DEFAULT_SYSTEMS", "KINDS", "PIPELINE_SYSTEMS", "PRF",
    "SYSTEMS", "SnippetCounts", "SnippetSummary", "Summary", "TRAFILATURA_EVAL", "TRAFILATURA_SYSTEMS", "WCXB",
    "ablate_rules", "ablation_table", "bow_prf", "by_rule", "by_rule_table", "default_devset", "DevPage", "DevSet",
    "devset_kind", "evaluate", "examples_from_devset", "found_snippets", "language_groups", "language_table",
    "load_devset", "load_trafilatura_eval", "markdown_table", "normalise_spaces", "open_devset",
    "pipeline_options", "read_html", "rule_damage", "run_system", "score_page", "snippet_counts", "snippet_key",
    "summarise", "tokens",
]
