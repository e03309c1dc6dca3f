"""Site packs mined from many pages of one site: reading the pages, writing candidate packs, and mining
during a crawl. The mining itself is pure and lives in ``cleaners/mining.py``; docs/mining.md tells the
whole story.

Pages are read with the shared Processor, so mining sees exactly the text `presswash clean` would give,
with the generic and CMS packs applied and no site pack: what a site pack would have to remove.
"""

from __future__ import annotations

import json
import logging
import tomllib
import zlib
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from cleaners import Cleaner, RuleBook, RuleError
from cleaners.mining import (
    Block,
    PageSample,
    SiteMining,
    Thresholds,
    mine_site,
    page_blocks,
    render_pack,
)
from cleaners.packs import Pack, parse_pack

from .decoding import decode
from .document import Outcome, Page, now_iso
from .extraction import ExtractionError, parse_html
from .process import Options, Processor, sniff_kind
from .sinks.atomic import write_atomic
from .sources import iter_pages
from .store import Store

log = logging.getLogger(__name__)


# -- one page ----------------------------------------------------------------------------------------------

def page_sample(page: Page, outcome: Outcome) -> PageSample | None:
    """What mining needs of a processed page: its host, its clean lines and, for HTML, the blocks of its
    tree. None for a page that gave no article or has no host to file it under."""
    if not outcome.ok or not outcome.hostname:
        return None
    lines = text_lines(outcome.text)
    return PageSample(page=outcome.url or outcome.source, host=outcome.hostname, lines=lines,
                      blocks=html_blocks(page, lines))


def text_lines(text: str) -> list[str]:
    return [ln.strip() for ln in text.splitlines() if ln.strip()]


def html_blocks(page: Page, lines: list[str]) -> list[Block]:
    """The class and id blocks of an HTML page that hold one of its clean ``lines``. The Processor keeps its
    tree to itself, so the page is parsed a second time here, with the same decoding and parser."""
    if not page.body or (page.kind or sniff_kind(page.body)) != "html":
        return []
    try:
        text = decode(page.body, page.headers.get("content-type"), is_html=True).text
        return page_blocks(parse_html(text), lines)
    except (ExtractionError, RecursionError, ValueError):
        return []


def mining_processor(options: Options) -> Processor:
    """A Processor with every pack but the site packs: mining must see the text before a site pack cleans it
    (a re-mine then gives the whole candidate again, not only what a reviewed pack left over)."""
    book = RuleBook.load(options.rules_dirs)
    return Processor(options, cleaner=Cleaner(RuleBook([p for p in book.packs if not p.domains])))


# -- reading many pages ------------------------------------------------------------------------------------

@dataclass
class Reading:
    """Samples by host, and how many pages could not be used."""

    by_host: dict[str, list[PageSample]] = field(default_factory=dict)
    failed: int = 0
    no_host: int = 0

    def add(self, sample: PageSample) -> None:
        self.by_host.setdefault(sample.host, []).append(sample)


def read_files(paths: Iterable[str], options: Options) -> Reading:
    processor = mining_processor(options)
    reading = Reading()
    for page in iter_pages(paths, limit=options.max_bytes):
        outcome = processor(page)
        sample = page_sample(page, outcome)
        if sample is not None:
            reading.add(sample)
        elif outcome.ok:
            reading.no_host += 1
        else:
            reading.failed += 1
    return reading


def read_store(path: str | Path) -> Reading:
    """The latest clean text of every article in a crawl store (lines only: the store keeps no pages)."""
    reading = Reading()
    with Store(path) as store:
        for record in store.articles():
            host, text = record.get("hostname"), record.get("text") or ""
            if not host:
                reading.no_host += 1
                continue
            reading.add(PageSample(page=record.get("url") or record.get("id") or "", host=host,
                                   lines=text_lines(text)))
    return reading


def mine_reading(reading: Reading, thresholds: Thresholds) -> list[SiteMining]:
    """One result per host, the hosts with most pages first."""
    hosts = sorted(reading.by_host, key=lambda h: (-len(reading.by_host[h]), h))
    return [mine_site(reading.by_host[h], thresholds) for h in hosts]


# -- writing candidate packs -------------------------------------------------------------------------------

def pack_file_name(host: str) -> str:
    safe = "".join(ch if ch.isalnum() or ch in ".-" else "_" for ch in host)
    return f"{safe or 'site'}.toml"


def write_pack_files(packs: dict[str, str], out_dir: str | Path) -> list[Path]:
    """Host -> pack text, as one HOST.toml each in ``out_dir``, each written atomically."""
    written = []
    for host, text in packs.items():
        path = Path(out_dir) / pack_file_name(host)
        write_atomic(path, text)
        written.append(path)
    return written


def write_packs(results: Iterable[SiteMining], out_dir: str | Path) -> list[Path]:
    """The candidate pack of every host that has candidates."""
    day = now_iso()[:10]
    return write_pack_files({m.host: render_pack(m, day) for m in results if m.candidates}, out_dir)


def write_stored_packs(store_path: str | Path, out_dir: str | Path) -> list[Path]:
    """The packs crawls mined into the store, as files to review."""
    with Store(store_path) as store:
        packs = {host: text for host, text in store.site_packs().items() if text}
    return write_pack_files(packs, out_dir)


def _clip(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def summary_table(results: list[SiteMining], top: int = 3, skipped_shown: int = 5) -> str:
    """host, pages, rules, and the top candidates with their page counts. Hosts with too few pages are
    listed last, and only the first few: a folder of many sites has hundreds."""
    mined = [m for m in results if m.skipped is None]
    skipped = [m for m in results if m.skipped is not None]
    width = max([len("host")] + [len(m.host) for m in mined + skipped[:skipped_shown]])
    out = [f"{'host':<{width}}  pages  rules  top candidates"]
    for m in mined:
        head = f"{m.host:<{width}}  {m.pages:>5}  {len(m.candidates):>5}  "
        tops = [f"{c.pages}× " + (f"[{c.target.label()}] " if c.target else "") + _clip(c.text, 70)
                for c in m.candidates[:top]] or ["nothing repeats enough"]
        out += [head + tops[0]] + [" " * len(head) + t for t in tops[1:]]
    for m in skipped[:skipped_shown]:
        out.append(f"{m.host:<{width}}  {m.pages:>5}  {'-':>5}  skipped: {m.skipped}")
    if len(skipped) > skipped_shown:
        out.append(f"… and {len(skipped) - skipped_shown} more hosts skipped with too few pages")
    return "\n".join(out)


# -- mining during a crawl ---------------------------------------------------------------------------------

def parse_mined_pack(text: str, host: str) -> Pack:
    return parse_pack(tomllib.loads(text), f"store:site_packs/{host}")


class SiteProcessors:
    """The base Processor, and one per mined site pack: the same Processor with the base rule book plus
    that pack. Built on first use and kept for the packs used most recently."""

    KEEP = 32

    def __init__(self, base: Processor):
        self.base = base
        self.with_pack: OrderedDict[str, Processor] = OrderedDict()

    def get(self, pack_text: str | None, host: str = "") -> Processor:
        if not pack_text:
            return self.base
        processor = self.with_pack.get(pack_text)
        if processor is None:
            book = RuleBook(self.base.cleaner.rulebook.packs + [parse_mined_pack(pack_text, host)])
            processor = Processor(self.base.options, cleaner=Cleaner(book))
            if len(self.with_pack) >= self.KEEP:
                self.with_pack.popitem(last=False)
            self.with_pack[pack_text] = processor
        self.with_pack.move_to_end(pack_text)
        return processor


def process_crawled(processors: SiteProcessors, page: Page, host: str, pack_text: str | None,
                    sample: bool) -> tuple[Outcome, PageSample | None]:
    """Process a crawled page with its host's mined pack, if any; with ``sample``, also what mining needs."""
    outcome = processors.get(pack_text, host)(page)
    if not sample:
        return outcome, None
    try:
        return outcome, page_sample(page, outcome)
    except Exception as exc:  # noqa: BLE001 - mining is an extra: a bug there must not cost the article
        log.warning("no mining sample of %s: %s: %s", page.url, type(exc).__name__, exc)
        return outcome, None


class CrawlMiner:
    """Mines a site pack for each host once a crawl has processed ``after`` of its article pages.

    The samples and the packs live in the store (tables ``site_samples`` and ``site_packs``), so a host
    reaches the threshold across incremental runs, and a later run starts with the packs already mined.
    A host is mined once; a host that a loaded site pack already covers is never mined (a reviewed pack
    wins).
    """

    def __init__(self, store_path: str, after: int, thresholds: Thresholds, base: RuleBook, stats: Any = None):
        self.store = Store(store_path)
        self.after = after
        self.thresholds = replace(thresholds, min_pages=after)
        self.base = base
        self.stats = stats
        self.packs: dict[str, str] = {}
        self.mined: set[str] = set()
        for host, text in self.store.site_packs().items():
            self._adopt(host, text)

    def close(self) -> None:
        self.store.close()

    def pack_for(self, host: str | None) -> str | None:
        return self.packs.get(host) if host else None

    def wants_sample(self, host: str | None) -> bool:
        return bool(host) and host not in self.mined and not self._reviewed(host)

    def _reviewed(self, host: str) -> bool:
        """Whether a loaded site pack (built in, or from --rules) covers the host."""
        return any(p.matches_host(host) for p in self.base.packs if p.domains)

    def add(self, sample: PageSample) -> None:
        """Keep a page's sample; mine its host once the host has enough of them."""
        if sample.host in self.mined:
            return  # pages that were in flight when the pack was mined
        # Compressed: a sample repeats its text in nested blocks, and hosts that never reach the threshold keep
        # theirs (about 6 kB a page this way, against 27 kB of plain JSON on the dev set's pages).
        blob = zlib.compress(json.dumps(sample.to_dict(), ensure_ascii=False).encode("utf-8"))
        count = self.store.save_sample(sample.host, sample.page, blob)
        if count >= self.after:
            self._mine(sample.host)

    def _mine(self, host: str) -> None:
        samples = [PageSample.from_dict(json.loads(zlib.decompress(blob))) for blob in self.store.samples(host)]
        mining = mine_site(samples, self.thresholds)
        if mining.skipped is not None:
            return  # some samples had the same text (one story under two URLs): wait for more pages
        text = render_pack(mining, now_iso()[:10]) if mining.candidates else ""
        self.store.save_site_pack(host, text, pages=mining.pages, rules=len(mining.candidates))
        self._adopt(host, text)
        log.info("mined a site pack for %s: %d rules from %d pages", host, len(mining.candidates), mining.pages)
        if self.stats is not None:
            self.stats.inc_value("presswash/site_packs_mined")

    def _adopt(self, host: str, text: str) -> None:
        """Use a mined pack for the host's later pages, if it loads beside the other packs."""
        self.mined.add(host)
        if not text or self._reviewed(host):
            return
        try:
            RuleBook(self.base.packs + [parse_mined_pack(text, host)])
        except (RuleError, tomllib.TOMLDecodeError) as exc:
            log.warning("the mined site pack for %s is not used: %s", host, exc)
            return
        self.packs[host] = text
