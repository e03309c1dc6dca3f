"""A WCXB-style dev set on disk: its pages with their ground truth, and the rule examples copied from it."""

from __future__ import annotations

import gzip
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scraper.evaluation.scoring import snippet_key

DEFAULT_DEVSET = "../shared/devset/wcxb-dev-articles"


def default_devset() -> str:
    """The default dev set folder: relative to the working folder (the repository root), or found beside the
    repository when run from elsewhere."""
    if Path(DEFAULT_DEVSET).is_dir():
        return DEFAULT_DEVSET
    beside_repo = (Path(__file__).resolve().parents[2] / DEFAULT_DEVSET).resolve()
    return str(beside_repo) if beside_repo.is_dir() else DEFAULT_DEVSET


@dataclass(slots=True)
class DevPage:
    id: str
    html_path: str
    url: str | None
    main_content: str
    with_: list[str] = field(default_factory=list)
    without: list[str] = field(default_factory=list)


def _str_list(value: Any) -> list[str]:
    if not value:
        return []
    if isinstance(value, str):
        return [value]
    return [v for v in value if isinstance(v, str)]


def load_devset(root: str | Path, limit: int | None = None) -> list[DevPage]:
    """The pages of a dev set that have both HTML and ground truth, in id order."""
    root = Path(root)
    gt_dir, html_dir = root / "ground-truth", root / "html"
    if not gt_dir.is_dir() or not html_dir.is_dir():
        raise FileNotFoundError(f"{root}: not a dev set (expected ground-truth/ and html/ folders)")
    pages = []
    for gt_path in sorted(gt_dir.glob("*.json")):
        page_id = gt_path.stem
        html_path = html_dir / f"{page_id}.html.gz"
        if not html_path.exists():
            continue
        data = json.loads(gt_path.read_text(encoding="utf-8"))
        gt = data.get("ground_truth") or {}
        pages.append(DevPage(
            id=page_id, html_path=str(html_path), url=data.get("url") or None,
            main_content=gt.get("main_content") or "",
            with_=_str_list(gt.get("with")), without=_str_list(gt.get("without")),
        ))
        if limit is not None and len(pages) >= limit:
            break
    return pages


def read_html(path: str) -> bytes:
    with gzip.open(path, "rb") as fh:
        return fh.read()


_TAG = re.compile(r"<[^>]+>")


def examples_from_devset(book: Any, pages: list[DevPage], min_words: int = 4) -> list[tuple[str, str]]:
    """Rule examples of ``min_words`` or more words whose text occurs in the dev set's ground truth (article
    text or snippets): rules must be written from general knowledge, not from the pages they are scored on.
    Short UI strings shared by every site ("Follow us") fall under the word minimum."""
    truth = "\n".join(snippet_key(" ".join([p.main_content, *p.with_, *p.without])) for p in pages)
    found = []
    for rule in book.rules():
        for example in (*rule.remove, *rule.keep):
            key = snippet_key(_TAG.sub(" ", example.text))
            if len(key.split()) >= min_words and key in truth:
                found.append((rule.id, example.text))
    return found
