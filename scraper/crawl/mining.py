"""Mining during a crawl: once a host has enough article pages, a site pack is mined from them (the mining
itself is pure, in ``cleaners/mining.py``) and the host's later pages are processed with it. docs/mining.md
tells the whole story.
"""

from __future__ import annotations

import json
import logging
import zlib
from dataclasses import replace
from typing import Any

from cleaners import RuleBook, RuleError
from cleaners.mining import PageSample, Thresholds, mine_site, render_pack
from cleaners.packs import parse_pack_text

from scraper.core.document import now_iso
from scraper.store import RECONNECT_SECONDS, Store

log = logging.getLogger(__name__)


class CrawlMiner:
    """Mines a site pack for each host once a crawl has processed ``after`` of its article pages.

    The samples and the packs live in the store (tables ``site_samples`` and ``site_packs``), so a host
    reaches the threshold across incremental runs, and a later run starts with the packs already mined.
    A host is mined once; a host that a loaded site pack already covers is never mined (a reviewed pack
    wins).
    """

    def __init__(self, store_path: str, after: int, thresholds: Thresholds, base: RuleBook, stats: Any = None,
                 reconnect_for: float = RECONNECT_SECONDS):
        self.store = Store(store_path, reconnect_for=reconnect_for)
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
            RuleBook(self.base.packs + [parse_pack_text(text, f"store:site_packs/{host}")])
        except RuleError as exc:
            log.warning("the mined site pack for %s is not used: %s", host, exc)
            return
        self.packs[host] = text
