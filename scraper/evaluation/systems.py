"""The systems `presswash eval` compares: presswash with its options (ablations switch parts off or leave rules
out with ``Options.ignore``, as ``--ignore`` does), and plain trafilatura."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from scraper.core.document import Page
from scraper.core.process import Options, process_page
from scraper.evaluation.devset import WCXB, DevPage

# In a system's settings, ``ignore`` names this instead of rule ids: the rules of every pack's tail zone.
TAIL_ZONE_RULES = "tail-zone rules"
# … or this: the rules of the language packs (those whose header lists ``languages``: phrases-de, phrases-fr…).
LANGUAGE_PACK_RULES = "language-pack rules"

# name -> the Options fields a "presswash*" system runs process_page with.
PIPELINE_SYSTEMS: dict[str, dict[str, Any]] = {
    "presswash": {},
    "presswash-balanced": {"mode": "balanced"},
    "presswash-fast": {"mode": "fast"},
    "presswash-fast-no-scorer": {"mode": "fast", "content_scorer": False},
    "presswash-no-fallback": {"fallback": False},
    "presswash-no-tail": {"ignore": TAIL_ZONE_RULES},
    "presswash-no-language-packs": {"ignore": LANGUAGE_PACK_RULES},
    "presswash-keep-headline": {"keep_headline": True},
    "presswash-no-dom": {"dom_rules": False},
    "presswash-no-text": {"text_rules": False},
    "presswash-no-rules": {"dom_rules": False, "text_rules": False},
    "presswash-no-langid": {"detect_language": False},
    "presswash-no-categories": {"ignore": ("CAT",)},  # the recognisers of cleaners/packs/categories.toml
    "presswash-no-runs": {"ignore": ("RUN",)},  # the clutter-run rules of cleaners/packs/runs.toml
    "presswash-no-learned": {"ignore": ("LRN",)},  # the learned line scorer of cleaners/packs/learned.toml
    "presswash-no-lead": {"lead": False},  # the lead put back where trafilatura left it out (core/lead.py)
}
# name -> the arguments of trafilatura.extract.
TRAFILATURA_SYSTEMS: dict[str, dict[str, Any]] = {
    "trafilatura": {},
    "trafilatura-precision": {"favor_precision": True},
}
# What trafilatura's own evaluation passes to extract on every page of its corpus (include_comments is on by
# default in extract, so it is stated).
TRAFILATURA_EVAL_SETTINGS: dict[str, Any] = {"include_comments": False, "include_tables": True,
                                             "include_formatting": False}
SYSTEMS = [*PIPELINE_SYSTEMS, *TRAFILATURA_SYSTEMS]
DEFAULT_SYSTEMS = ["presswash", "trafilatura", "trafilatura-precision"]
ABLATION_SYSTEMS = ["presswash-balanced", "presswash-fast", "presswash-fast-no-scorer", "presswash-no-fallback", "presswash-no-tail", "presswash-keep-headline",
                    "presswash-no-dom", "presswash-no-text", "presswash-no-rules", "presswash-no-language-packs",
                    "presswash-no-langid", "presswash-no-categories", "presswash-no-runs",
                    "presswash-no-learned", "presswash-no-lead"]


@lru_cache(maxsize=None)
def tail_zone_rule_ids(rules_dirs: tuple[str, ...] = ()) -> tuple[str, ...]:
    """The ids of the rules that work in a pack's tail zone (built-in packs and those of ``rules_dirs``)."""
    from cleaners import RuleBook

    return tuple(sorted(r.id for r in RuleBook.load(rules_dirs).rules() if getattr(r, "zone", "") == "tail"))


@lru_cache(maxsize=None)
def language_pack_rule_ids(rules_dirs: tuple[str, ...] = ()) -> tuple[str, ...]:
    """The ids of the rules of the language packs (built-in packs and those of ``rules_dirs``)."""
    from cleaners import RuleBook

    return tuple(sorted(r.id for p in RuleBook.load(rules_dirs).packs if p.languages for r in p.rules))


def pipeline_options(name: str, rules_dirs: tuple[str, ...] = (), ignore: tuple[str, ...] = ()) -> Options:
    """The Options a presswash system runs with; ``ignore`` leaves further rules out (a rule ablation)."""
    settings = dict(PIPELINE_SYSTEMS[name])
    ignored = settings.pop("ignore", ())
    if ignored == TAIL_ZONE_RULES:
        ignored = tail_zone_rule_ids(tuple(rules_dirs))
    elif ignored == LANGUAGE_PACK_RULES:
        ignored = language_pack_rule_ids(tuple(rules_dirs))
    return Options(**settings, rules_dirs=tuple(rules_dirs), ignore=(*ignored, *ignore))


def as_page(body: bytes, page: DevPage) -> Page:
    """The page as presswash gets it. WCXB pages are UTF-8 (that dev set's README says so), and the header
    saves a guess its baseline never makes; the trafilatura corpus's pages come in many charsets and go in
    as a user's file would, to be decoded by presswash."""
    headers = {"content-type": "text/html; charset=utf-8"} if page.kind == WCXB else {}
    return Page(body=body, source=page.html_path, url=page.url, kind="html", headers=headers)


@dataclass(frozen=True, slots=True)
class SystemOutput:
    text: str
    removed: list[dict[str, str]] = field(default_factory=list)  # presswash's rule removals
    language: str | None = None  # presswash's record's language


def presswash_output(body: bytes, page: DevPage, options: Options) -> SystemOutput:
    """The text presswash makes of a page with these options ("" for a failure), its rules' removals and
    its record's language."""
    outcome = process_page(as_page(body, page), options)
    if not outcome.ok:
        return SystemOutput("")
    return SystemOutput(outcome.text, list(outcome.removed), outcome.language)


def trafilatura_output(name: str, body: bytes, page: DevPage) -> SystemOutput:
    """Plain trafilatura, called as each dev set's own baseline was measured: WCXB's with the page decoded
    as UTF-8 and extract's defaults; the trafilatura corpus's as its evaluation does (the bytes, so
    trafilatura decodes them, and comments off, tables on, formatting off)."""
    import trafilatura

    if page.kind == WCXB:
        html: str | bytes = body.decode("utf-8", errors="replace")
        settings = TRAFILATURA_SYSTEMS[name]
    else:
        html = body
        settings = {**TRAFILATURA_EVAL_SETTINGS, **TRAFILATURA_SYSTEMS[name]}
    return SystemOutput(trafilatura.extract(html, url=page.url, **settings) or "")


def run_system(name: str, body: bytes, page: DevPage, rules_dirs: tuple[str, ...] = ()) -> SystemOutput:
    """What a system makes of a page."""
    if name in PIPELINE_SYSTEMS:
        return presswash_output(body, page, pipeline_options(name, rules_dirs))
    if name in TRAFILATURA_SYSTEMS:
        return trafilatura_output(name, body, page)
    raise ValueError(f"unknown system {name!r}; known: {', '.join(SYSTEMS)}")
