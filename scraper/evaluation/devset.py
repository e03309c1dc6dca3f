"""Dev sets on disk, of two kinds, told apart by their layout: WCXB (``html/<id>.html.gz`` with
``ground-truth/<id>.json``) and trafilatura's evaluation corpus (``evaldata.json`` with ``html/<file>.gz``).
Their pages with their ground truth, and the rule examples copied from it."""

from __future__ import annotations

import gzip
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scraper.evaluation.scoring import snippet_key

# The kinds; each has its own metric (runs.score_page) and its own way of handing pages to the systems.
WCXB = "wcxb"
TRAFILATURA_EVAL = "trafilatura-eval"
KINDS = (WCXB, TRAFILATURA_EVAL)

DEFAULT_DEVSET = "../shared/devset/wcxb-dev-articles"
DEFAULT_DEVSETS = (DEFAULT_DEVSET, "../shared/devset/trafilatura-eval-dev")


def default_devset(path: str = DEFAULT_DEVSET) -> str:
    """A default dev set folder: relative to the working folder (the repository root), or found beside the
    repository when run from elsewhere."""
    if Path(path).is_dir():
        return path
    beside_repo = (Path(__file__).resolve().parents[2] / path).resolve()
    return str(beside_repo) if beside_repo.is_dir() else path


@dataclass(slots=True)
class DevPage:
    id: str
    html_path: str
    url: str | None
    main_content: str
    with_: list[str] = field(default_factory=list)
    without: list[str] = field(default_factory=list)
    kind: str = WCXB  # the dev set's kind: how the page is handed to the systems and scored


@dataclass(slots=True)
class DevSet:
    path: str
    kind: str
    pages: list[DevPage]


def _str_list(value: Any) -> list[str]:
    if not value:
        return []
    if isinstance(value, str):
        return [value]
    return [v for v in value if isinstance(v, str)]


def devset_kind(root: str | Path) -> str:
    """The kind of the dev set in ``root``, from its layout; a folder that is neither is an error."""
    root = Path(root)
    if not root.is_dir():
        raise FileNotFoundError(f"{root}: no such dev set folder")
    if (root / "evaldata.json").is_file():
        return TRAFILATURA_EVAL
    if (root / "ground-truth").is_dir() and (root / "html").is_dir():
        return WCXB
    raise FileNotFoundError(f"{root}: not a dev set (expected evaldata.json, or ground-truth/ and html/ folders)")


def open_devset(root: str | Path, limit: int | None = None) -> DevSet:
    """A dev set of either kind with its first ``limit`` pages; an empty one is an error."""
    kind = devset_kind(root)
    pages = load_devset(root, limit) if kind == WCXB else load_trafilatura_eval(root, limit)
    if not pages:
        raise ValueError(f"{root}: no pages with both html and ground truth")
    return DevSet(path=str(root), kind=kind, pages=pages)


def load_trafilatura_eval(root: str | Path, limit: int | None = None) -> list[DevPage]:
    """The pages of a trafilatura evaluation corpus (``evaldata.json``: url -> {file, with, without}) whose
    ``html/<file>.gz`` exists, in the file's order."""
    root = Path(root)
    index = root / "evaldata.json"
    try:
        data = json.loads(index.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{index}: not readable JSON ({exc})") from exc
    if not isinstance(data, dict):
        raise ValueError(f"{index}: expected an object mapping each url to its file and snippets")
    pages = []
    for url, item in data.items():
        if not isinstance(item, dict) or not isinstance(item.get("file"), str) or not item["file"]:
            raise ValueError(f"{index}: {url}: expected {{\"file\": NAME, \"with\": [...], \"without\": [...]}}")
        html_path = root / "html" / f"{item['file']}.gz"
        if not html_path.is_file():
            continue
        pages.append(DevPage(id=item["file"], html_path=str(html_path), url=url or None, main_content="",
                             with_=_str_list(item.get("with")), without=_str_list(item.get("without")),
                             kind=TRAFILATURA_EVAL))
        if limit is not None and len(pages) >= limit:
            break
    return pages


def load_devset(root: str | Path, limit: int | None = None) -> list[DevPage]:
    """The pages of a WCXB dev set that have both HTML and ground truth, in id order."""
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
