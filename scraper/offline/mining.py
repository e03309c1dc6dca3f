"""Site packs mined from many pages of one site: reading saved pages or a store, and writing candidate
packs (`presswash mine`). Mining during a crawl is in ``scraper/crawl/mining.py``; the mining itself is pure
and lives in ``cleaners/mining.py``. docs/mining.md tells the whole story.

Pages are read with the shared Processor, so mining sees exactly the text `presswash clean` would give,
with the generic and CMS packs applied and no site pack: what a site pack would have to remove.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from cleaners import Cleaner, RuleBook
from cleaners.mining import PageSample, SiteMining, Thresholds, mine_site, render_pack

from scraper.core.document import now_iso
from scraper.core.progress import Progress
from scraper.core.process import Options, Processor
from scraper.sinks.atomic import write_atomic
from scraper.offline.sources import iter_pages
from scraper.store import Store


# -- reading many pages ------------------------------------------------------------------------------------

def mining_processor(options: Options) -> Processor:
    """A Processor with every pack but the site packs: mining must see the text before a site pack cleans it
    (a re-mine then gives the whole candidate again, not only what a reviewed pack left over)."""
    book = RuleBook.load(options.rules_dirs)
    return Processor(options, cleaner=Cleaner(RuleBook([p for p in book.packs if not p.domains])))


@dataclass
class Reading:
    """Samples by host, and how many pages could not be used."""

    by_host: dict[str, list[PageSample]] = field(default_factory=dict)
    failed: int = 0
    no_host: int = 0

    def add(self, sample: PageSample) -> None:
        self.by_host.setdefault(sample.host, []).append(sample)


def read_files(paths: Iterable[str], options: Options, progress: Progress | None = None) -> Reading:
    """Every saved page read as `clean` would; ``progress`` counts the pages, and those that failed."""
    processor = mining_processor(options)
    reading = Reading()
    for page in iter_pages(paths, limit=options.max_bytes):
        outcome = processor(page, sample=True)
        sample = outcome.sample if outcome.ok else None
        if sample is not None:
            reading.add(sample)
        elif outcome.ok:
            reading.no_host += 1
        else:
            reading.failed += 1
        if progress is not None:
            progress.advance(errors=reading.failed)
    return reading


def read_store(path: str | Path, progress: Progress | None = None) -> Reading:
    """The latest clean text of every article in a crawl store (lines only: the store keeps no pages);
    ``progress`` counts the articles."""
    reading = Reading()
    with Store(path, read_only=True) as store:
        for record in store.articles():
            if progress is not None:
                progress.advance()
            host, text = record.get("hostname"), record.get("text") or ""
            if not host:
                reading.no_host += 1
                continue
            reading.add(PageSample(page=record.get("url") or record.get("id") or "", host=host,
                                   lines=[ln.strip() for ln in text.splitlines() if ln.strip()]))
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
    with Store(store_path, read_only=True) as store:
        packs = {host: text for host, text in store.site_packs().items() if text}
    return write_pack_files(packs, out_dir)
