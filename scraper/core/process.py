"""The one processing function: Page -> Article | Failure. The CLI, the library API and the Scrapy item
pipeline all call it, so a rule fixed once is fixed everywhere.

Named steps (scraper/core/stats.py STEPS): check -> decode -> parse (once) -> signals -> DOM rules -> plan ->
content (presswash's own scorer, --mode fast; where it is sure: metadata -> language -> text rules ->
Article) -> extract (trafilatura, with metadata) -> the other modes -> language (when the page declares none) ->
text rules -> (in --mode auto, when precision's text is not whole: all modes in full and the fallback) -> Article
-> fingerprint (scraper/core/fingerprint.py).
Each is timed into the page's StepStats, which travels with the outcome.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field, replace
from typing import Any

from cleaners import Cleaner, RuleBook
from cleaners.mining import Block, PageSample, blocks_holding, tree_blocks
from cleaners.model import CleanResult
from cleaners.packs import RuleNames

from scraper.core.decoding import decode, gunzip_file_body
from scraper.core.sniffing import binary_kind, sniff_kind
from scraper.core.urls import canonical_url as clean_url, hostname_of
from scraper.core.document import Article, Failure, Outcome, Page, record_id, too_big
from scraper.core.fingerprint import fingerprint, preload as preload_fingerprint
from scraper.core.content import guess_content
from scraper.core.language import detect_language
from scraper.core.lead import PageLeads, page_leads, with_leads
from scraper.core.metadata import Metadata
from scraper.core.page_metadata import jsonld_scripts
from scraper.core.paywall import paywall_flags
from scraper.core.stats import StepStats
from scraper.core.extraction import (
    FALLBACK,
    body_words,
    FAST_MODE,
    MODE_CHOICES,
    MODES,
    NO_TEXT,
    SCORER,
    ExtractionError,
    PageSignals,
    baseline_text,
    extract_text,
    extractor_info,
    page_metadata,
    holds_paragraphs,
    paragraph_words,
    parse_html,
    prune_code,
    ready_for_precision,
    pick_mode,
    precision_is_whole,
    recall_may_add,
    prefer_fallback,
    read_signals,
)

log = logging.getLogger(__name__)

# 32 MB (decimal, as --max-size and the error messages count).
DEFAULT_MAX_BYTES = 32_000_000
# Seconds one document may take in a batch or a crawl before its worker is killed (scraper/core/workers.py).
# Generous: a typical page takes a tenth of a second in --mode auto.
DEFAULT_TIME_LIMIT = 60.0
# --mode auto runs trafilatura two or three times, each on its own copy of the tree; above this size (the dev
# set's largest page is 1.8 MB) a page gets the balanced mode alone, flagged "single-mode", so a huge page
# costs no more than one run.
AUTO_MODE_MAX_CHARS = 4_000_000
# trafilatura compares its result with jusText's, which is quadratic in the page's blocks: a table of 8,000
# cells takes 9 s, of 20,000 over a minute, and --mode auto would do it three times. A page with more elements
# than this (the dev set's largest has 4,975) gets one balanced run without that comparison, flagged
# "fast-extraction".
MANY_ELEMENTS = 8_000
# --mode auto's first precision run skips trafilatura's comparisons with its readability and jusText extractors.
# Where its text holds less than this share of the page's body words, precision runs again in full: the
# comparisons may find the rest (chosen on the WCXB dev set, checked on trafilatura-eval-dev; docs/quality.md).
PRECISION_FULL_SHARE = 0.3


@dataclass(frozen=True, slots=True)
class Options:
    """Settings for processing; picklable, so worker processes build their own Processor from it."""

    max_bytes: int = DEFAULT_MAX_BYTES
    include_comments: bool = False
    # trafilatura setting: auto (precision, recall and the rest where needed; one text kept per page),
    # balanced, precision, recall, or fast (one balanced run without trafilatura's comparisons, for bulk work)
    mode: str = "auto"
    fallback: bool = True  # with mode auto: trafilatura's baseline extractor when every mode cut the article short
    keep_headline: bool = False  # keep the headline where it opens the text too (it is always in `title`)
    extensive_dates: bool = False  # htmldate's slow free-text date search (see extraction.py)
    dom_rules: bool = True
    text_rules: bool = True
    rules_dirs: tuple[str, ...] = ()
    select: tuple[str, ...] = ()  # only these rules (ids, id prefixes or names); empty: all (RuleBook.selected)
    ignore: tuple[str, ...] = ()  # not these rules
    time_limit: float = DEFAULT_TIME_LIMIT  # seconds per document in a batch or crawl; 0: none (see batch.py)
    detect_language: bool = True  # identify the language of a page that declares none (core/language.py)
    # --mode fast: presswash's own content scorer first, trafilatura only where it is unsure
    content_scorer: bool = True
    lead: bool = True  # put back the article's lead (standfirst) where the extractor left it out (core/lead.py)

    def rule_book(self) -> RuleBook:
        """The rule book these options ask for: built-in and --rules packs, then --select and --ignore."""
        return RuleBook.load(self.rules_dirs).selected(self.select, self.ignore)

    def rule_names(self) -> RuleBook | RuleNames:
        """What a process whose workers do the cleaning needs of the rules: their names, for the removals its
        workers report. The whole rule book where something given can be wrong in it (--rules folders,
        --select, --ignore), so that a mistake stops the run before any work (a RuleError); else the built-in
        rules' names alone, read without compiling a pattern (the workers load the book)."""
        if self.rules_dirs or self.select or self.ignore:
            return self.rule_book()
        return RuleNames.builtin()


class DocumentError(Exception):
    """A reason this document yields no article; becomes the record's ``error``. ``audit`` is the removals
    when the cleaner rules left no text, so that `presswash explain` can show what they removed."""

    def __init__(self, reason: str, audit: Any = None):
        super().__init__(reason)
        self.audit = audit


def leading_headline(text: str) -> str | None:
    """The first line of a text dump, when it reads as a headline: short, no closing period, followed by
    a longer paragraph."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    if len(lines) < 2:
        return None
    first, second = lines[0], lines[1]
    words = len(first.split())
    # A line ending like a sentence is not a headline; CJK and Arabic have their own stops and commas.
    if not 1 <= words <= 20 or first[-1] in ".,;:!…。．！，、،؛" or len(first) > 200:
        return None
    return first if len(second) > len(first) else None


@dataclass
class Processor:
    """Holds the loaded rule book; call it on a Page. Build one per process and reuse it."""

    options: Options = field(default_factory=Options)
    cleaner: Cleaner | None = None

    def __post_init__(self) -> None:
        if self.options.mode not in MODE_CHOICES:
            raise ValueError(f"unknown extraction mode {self.options.mode!r}; known: {', '.join(MODE_CHOICES)}")
        if self.cleaner is None:
            self.cleaner = Cleaner(self.options.rule_book())
        preload_fingerprint()  # datasketch, loaded where pages are processed (fingerprint.py)

    def __call__(self, page: Page, sample: bool = False) -> Outcome:
        """The page's Article or Failure, with the page's step stats (``steps``). With ``sample``, an Article
        also carries what site-pack mining needs of the page (``Article.sample``), taken from this same parse."""
        steps = StepStats()
        start = time.perf_counter()
        try:
            outcome = self._process(page, sample, steps)
        except DocumentError as exc:
            outcome = self._failure(page, str(exc))
            outcome.audit = exc.audit
        except ExtractionError as exc:
            outcome = self._failure(page, str(exc))
        except RecursionError:
            outcome = self._failure(page, "the page is nested too deeply to process")
        except MemoryError:
            outcome = self._failure(page, "the page needs more memory than is available")
        except Exception as exc:  # a bug or a library failure must not take the batch down
            outcome = self._failure(page, f"internal error while processing ({type(exc).__name__}: {exc})")
        steps.finish_page(time.perf_counter() - start)
        outcome.steps = steps
        return outcome

    def _failure(self, page: Page, reason: str) -> Failure:
        return Failure.of(page, reason)

    def _process(self, page: Page, sample: bool, steps: StepStats) -> Outcome:
        with steps.step("check"):
            kind, body = self._check(page)
        with steps.step("decode"):
            decoded = decode(body, page.headers.get("content-type"), is_html=kind == "html")
        flags = ["decode-errors"] if decoded.errors else []
        if kind == "html":
            outcome = self._from_html(page, decoded.text, flags, sample, steps)
        else:
            outcome = self._from_text(page, decoded.text, flags, steps)
        if sample:
            with steps.step("mining"):
                outcome.sample = mining_sample(outcome, outcome.sample or [])
        with steps.step("fingerprint"):  # what the store needs to place it among near-duplicates and stories
            outcome.fingerprint = fingerprint(outcome.text, outcome.date_published)
        return outcome

    def _check(self, page: Page) -> tuple[str, bytes]:
        """The page's kind ("html" or "text") and its bytes (a .gz file's decompressed); DocumentError for a
        page there is nothing to make of."""
        body = page.body
        if page.read_error:
            raise DocumentError(page.read_error)
        if page.gzipped:
            body, error = gunzip_file_body(body, self.options.max_bytes)
            if error:
                raise DocumentError(error)
        if not body or not body.strip():
            raise DocumentError("the document is empty")
        if len(body) > self.options.max_bytes:
            raise DocumentError(too_big(self.options.max_bytes, len(body), "the document"))
        what = binary_kind(body)
        if what:
            raise DocumentError(f"not a web page or text: the bytes are {what}")
        return page.kind or sniff_kind(body), body

    def _from_html(self, page: Page, html: str, flags: list[str], sample: bool, steps: StepStats) -> Outcome:
        notes: list[str] = []
        with steps.step("parse"):
            tree = parse_html(html, notes)  # the page's only parse
        blocks = None
        if sample:  # mining's block candidates are read before any cleaner or extractor edits the tree
            with steps.step("mining"):
                blocks = self._blocks(tree)
        with steps.step("signals"):
            jsonld = jsonld_scripts(tree)  # read once: the signals and the metadata both use it
            signals = read_signals(tree, page.url, page.headers, jsonld)
        url = page.url or signals.canonical_url
        host = hostname_of(url)
        html_sample = html[:20_000]
        with steps.step("metadata"):  # read from the page as it came, before anything takes a part of it out
            found = page_metadata(tree, url, page_chars=len(html), extensive_dates=self.options.extensive_dates,
                                  jsonld=jsonld)
        fast = _element_count(tree, MANY_ELEMENTS) > MANY_ELEMENTS
        auto = self.options.mode == "auto" and len(html) <= AUTO_MODE_MAX_CHARS and not fast
        if self.options.mode == "auto" and not auto:
            flags = flags + ["single-mode"]
        if fast:
            flags = flags + ["fast-extraction"]
        bulk = self.options.mode == "fast"
        scorer = bulk and self.options.content_scorer and not self.options.include_comments
        paragraphs = body = 0
        if bulk:  # the page as it came; the body words only for the content scorer
            with steps.step("plan"):
                paragraphs, body = paragraph_words(tree), body_words(tree) if scorer else 0
        if scorer:
            # presswash's own scorer first, on the page as it came (it leaves out furniture itself); trafilatura
            # only where it is unsure (scraper/core/content.py)
            with steps.step("content"):
                guess = guess_content(tree)
            sure = guess.sure(body, paragraphs)
            steps.count("content", "kept" if sure else "unsure")
            if sure:
                meta = self._metadata(found, page, signals, host, guess.text, steps)
                leads = self._leads(tree, steps)
                cleaned = self._clean(guess.text, meta, html_sample, steps, leads)
                return self._html_article(page, cleaned, flags, notes, [], meta, SCORER, url, signals, blocks, leads)
        with steps.step("prune"):
            prune_code(tree)
            ready_for_precision(tree)
        if self.options.dom_rules:
            # The DOM cleaners run before trafilatura, so they know only the URL's host and the declared language.
            with steps.step("dom-rules"):
                dom_edits = self.cleaner.clean_tree(tree, host, html_sample, signals.language)
            steps.count("dom-rules", "removed", len(dom_edits))
        else:
            dom_edits = []
        leads = self._leads(tree, steps)
        if auto:  # what the DOM cleaners left
            with steps.step("plan"):
                paragraphs, body = paragraph_words(tree), body_words(tree)
        # --mode auto starts with precision (kept on most pages), then recall where precision's text holds less
        # than most of the page's text (recall_may_add); the other mode and the fallback run only when those
        # say precision's text is not whole (extraction.py precision_is_whole). --mode fast
        # runs FAST_MODE without trafilatura's comparisons, and in full only when that text is cut short.
        if auto:
            modes = ("precision",)
        elif bulk:
            modes = (FAST_MODE,)
        else:
            modes = (self.options.mode if self.options.mode in MODES else MODES[0],)
        # trafilatura and its fallback copy the tree they are given, so every run starts from the same tree.
        # The first run skips trafilatura's comparisons with its readability and jusText extractors (fast): in
        # --mode auto, precision runs again in full where its text looks cut short (_all_modes).
        with steps.step("extract"):
            first = extract_text(tree, url, self.options.include_comments, modes[0], fast=fast or bulk or auto)
        if not first.strip():
            steps.count("extract", "no text")
        texts = {modes[0]: first}
        if auto and not first.strip():  # recall's text then gives the language and the first judgement
            with steps.step("extract-modes"):
                texts["recall"] = extract_text(tree, url, self.options.include_comments, "recall")
        # detected once per page, on the first mode's text (another mode's when it found none)
        meta = self._metadata(found, page, signals, host, next((t for t in texts.values() if t.strip()), ""), steps)
        cleaned = {mode: self._clean(text, meta, html_sample, steps, leads)
                   for mode, text in texts.items() if text.strip()}
        mode = modes[0]
        if bulk and not fast and not holds_paragraphs(len(cleaned[mode].text.split()) if mode in cleaned else 0,
                                                      paragraphs):
            # trafilatura's fast run cut the article short: its full run of the same setting, comparisons and all
            steps.count("plan", "full run")
            with steps.step("extract-modes"):
                full = extract_text(tree, url, self.options.include_comments, mode)
            if full.strip():
                cleaned[mode] = self._clean(full, meta, html_sample, steps, leads)
        full_precision = False
        if auto:
            words = {m: len(c.text.split()) for m, c in cleaned.items()}
            # The text cleaners never add words (tests/cleaners/test_properties.py), so a text's own word count
            # bounds its cleaned one: a text whose count cannot change the choice is not cleaned (the same
            # choices; docs/quality.md#cost).
            if "recall" not in texts and recall_may_add(words.get("precision", 0), body):
                with steps.step("extract-modes"):
                    texts["recall"] = extract_text(tree, url, self.options.include_comments, "recall")
            elif "recall" not in texts:
                steps.count("plan", "no recall run")
            if words.get("precision", 0) < PRECISION_FULL_SHARE * body:
                # precision's first run skipped trafilatura's comparisons, which may find the rest of the page's text
                steps.count("plan", "precision full run")
                with steps.step("extract-modes"):
                    texts["precision"] = extract_text(tree, url, self.options.include_comments, "precision")
                if len(texts["precision"].split()) > words.get("precision", 0):
                    full = self._clean(texts["precision"], meta, html_sample, steps, leads)
                    if len(full.text.split()) > words.get("precision", 0):
                        cleaned["precision"], words["precision"] = full, len(full.text.split())
                full_precision = True
            if "recall" not in cleaned and texts.get("recall", "").strip():
                words["recall"] = len(texts["recall"].split())  # an upper bound of its cleaned count
                if not precision_is_whole(words, paragraphs):  # its cleaned count may decide: clean it
                    cleaned["recall"] = self._clean(texts["recall"], meta, html_sample, steps, leads)
                    words["recall"] = len(cleaned["recall"].text.split())
            if precision_is_whole(words, paragraphs):
                steps.count("plan", "precision whole")
            else:
                steps.count("plan", "all modes")
                mode, cleaned = self._all_modes(tree, url, texts, cleaned, meta, html_sample, steps, full_precision,
                                                 leads)
        if not cleaned:
            # "No article text" misleads when the parser dropped most of the page: say what happened.
            raise ExtractionError(f"{notes[0]}; no article text came before that point" if notes else NO_TEXT)
        return self._html_article(page, cleaned[mode], flags, notes, dom_edits, meta, "fast" if bulk else mode,
                                  url, signals, blocks, leads)

    def _metadata(self, found: Metadata, page: Page, signals: PageSignals, host: str | None, text: str,
                  steps: StepStats) -> Metadata:
        """The record's metadata, each value derived once; the text cleaners get the same title, host and
        language. The language is the declared one, or identified from ``text``."""
        meta = found.metadata().filled_from(page.listing)
        provenance = {k: v for k, v in meta.provenance.items() if k != "date_modified"}
        if signals.date_modified:
            provenance["date_modified"] = signals.date_modified_source or "meta"
        meta = replace(meta, date_modified=signals.date_modified, hostname=host or found.hostname,
                       provenance=provenance)
        if signals.language:
            return meta.with_language(signals.language, signals.language_source)
        return self._detected(meta, text, steps)

    def _html_article(self, page: Page, cleaned: CleanResult, flags: list[str], notes: list[str], dom_edits: list,
                      meta: Metadata, mode: str, url: str | None, signals: PageSignals,
                      blocks: list[Block] | None, leads: PageLeads | None = None) -> Outcome:
        if notes:
            flags = flags + ["parse-truncated"]
        flags = flags + paywall_flags(signals.paywall, cleaned.text, meta.description)
        # The page's rel=canonical as the store keys it (no tracking parameters, no fragment), whichever copy of a
        # story (the page, its AMP twin) is processed first.
        canonical = clean_url(signals.canonical_url) if signals.canonical_url else None
        article = self._article(page, cleaned, flags, dom_edits, meta, mode=mode, url=url, canonical_url=canonical,
                                put_in=leads.put_in.get(id(cleaned), ()) if leads is not None else ())
        article.sample = blocks
        return article

    def _all_modes(self, tree: Any, url: str | None, texts: dict[str, str], cleaned: dict[str, CleanResult],
                   meta: Metadata, html_sample: str, steps: StepStats, full_precision: bool = False,
                   leads: PageLeads | None = None) -> tuple[str, dict[str, CleanResult]]:
        """The modes --mode auto has not run yet, then the choice among all three (pick_mode) and against the
        fallback (prefer_fallback): the mode kept and the cleaned texts."""
        # precision's first run skipped trafilatura's comparisons (fast): here, where its text looks cut short,
        # it runs in full like the others
        with steps.step("extract-modes"):
            more = {mode: extract_text(tree, url, self.options.include_comments, mode)
                    for mode in MODES if mode not in texts or (mode == "precision" and not full_precision)}
        cleaned = {**cleaned, **{mode: self._clean(text, meta, html_sample, steps, leads)
                                 for mode, text in more.items() if text.strip()}}
        if not cleaned:
            return MODES[0], cleaned
        mode = pick_mode({m: len(c.text.split()) for m, c in cleaned.items()})
        if self.options.fallback:
            with steps.step("fallback"):
                fallback_text = baseline_text(tree)
            fallback = self._clean(fallback_text, meta, html_sample, steps, leads)
            if prefer_fallback(cleaned[mode].text, fallback.text):
                mode, cleaned = FALLBACK, {**cleaned, FALLBACK: fallback}
                steps.count("fallback", "kept")
        return mode, cleaned

    @staticmethod
    def _blocks(tree: Any) -> list[Block]:
        try:
            return tree_blocks(tree)
        except Exception as exc:  # noqa: BLE001 - mining is an extra: a failure there must not cost the article
            log.warning("no mining blocks for this page: %s: %s", type(exc).__name__, exc)
            return []

    def _from_text(self, page: Page, text: str, flags: list[str], steps: StepStats) -> Outcome:
        title, host = leading_headline(text), hostname_of(page.url)
        provenance = {**({"title": "text"} if title else {}), **({"hostname": "url"} if host else {})}
        meta = Metadata(title=title, hostname=host, provenance=provenance).filled_from(page.listing)
        meta = self._detected(meta, text, steps)
        cleaned = self._clean(text, meta, None, steps)
        return self._article(page, cleaned, flags, [], meta, url=page.url)

    def _detected(self, meta: Metadata, text: str, steps: StepStats) -> Metadata:
        """``meta`` with the language identified from ``text`` (None when detection is off, the text too short
        or the guess unsure), before the text cleaners run, so language packs apply to it."""
        if not self.options.detect_language:
            return meta
        with steps.step("language"):
            language = detect_language(text)
        steps.count("language", "detected" if language else "unsure")
        return meta.with_language(language, "detected")

    def _leads(self, tree: Any, steps: StepStats) -> PageLeads | None:
        """The page's lead blocks (core/lead.py), found once a page; None with ``Options.lead`` off."""
        if not self.options.lead:
            return None
        with steps.step("lead"):
            return PageLeads(page_leads(tree))

    def _clean(self, text: str, meta: Metadata, html_sample: str | None, steps: StepStats,
               leads: PageLeads | None = None) -> CleanResult:
        added: tuple[str, ...] = ()
        if leads is not None and leads.blocks:  # the page's lead where the extractor left it out (core/lead.py)
            with steps.step("lead"):
                text, added = with_leads(text, leads.blocks)
            steps.count("lead", "added", len(added))
        # The repeated-title rule needs the title to find the headline in the text: no title, no removal.
        title = None if self.options.keep_headline else meta.title
        with steps.step("text-rules"):
            if not self.options.text_rules:
                cleaned = self.cleaner.clean_text(text, title=title, rules=[])
            else:
                cleaned = self.cleaner.clean_text(text, title=title, hostname=meta.hostname,
                                                  html_sample=html_sample, language=meta.language)
        steps.count("text-rules", "removed", len(cleaned.edits))
        if added:  # read by the rules like the rest; `presswash explain` marks them
            leads.put_in[id(cleaned)] = added
        return cleaned

    def _article(self, page: Page, cleaned: CleanResult, flags: list[str], dom_edits: list, meta: Metadata,
                 mode: str | None = None, url: str | None = None, canonical_url: str | None = None,
                 put_in: tuple[str, ...] = ()) -> Outcome:
        """The Article of a cleaned text; ``put_in``: the lead lines the lead step put into it (for the audit)."""
        if not cleaned.text.strip():
            removed = len(cleaned.edits) + len(dom_edits)
            raise DocumentError(f"no text left: the cleaner rules removed all of it ({removed} removals; "
                                "see `presswash explain`)", audit=(dom_edits, cleaned, put_in))
        facts = cleaned.facts
        return Article(
            id=record_id(page), source=page.source, text=cleaned.text, fetched_at=page.fetched_at,
            url=url, canonical_url=canonical_url, **meta.metadata_values(),
            attribution=facts.get("attribution"), comment_count=facts.get("comment_count"),
            images=list(facts.get("images", [])),
            removed=[e.to_record() for e in dom_edits + cleaned.edits],
            flags=flags + cleaned.flags, extractor=extractor_info(mode), packs=cleaned.packs,
            audit=(dom_edits, cleaned, put_in),
        )


_processors: dict[Options, Processor] = {}


def _element_count(tree: Any, stop_after: int) -> int:
    """The number of elements in the tree, counted up to one past ``stop_after``."""
    count = 0
    for _ in tree.iter():
        count += 1
        if count > stop_after:
            break
    return count


def mining_sample(article: Article, blocks: list[Block]) -> PageSample | None:
    """What site-pack mining needs of an article: its host, its clean lines and the page's blocks that hold
    one of them. None without a host to file it under."""
    if not article.hostname:
        return None
    lines = [ln.strip() for ln in article.text.splitlines() if ln.strip()]
    return PageSample(page=article.url or article.source, host=article.hostname, lines=lines,
                      blocks=blocks_holding(blocks, lines))


def process_page(page: Page, options: Options | None = None) -> Outcome:
    """Process one page with a cached Processor for these options."""
    options = options or Options()
    proc = _processors.get(options)
    if proc is None:
        proc = _processors[options] = Processor(options)
    return proc(page)
