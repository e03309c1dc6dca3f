"""One .txt file per document in a folder, plus ``_index.jsonl`` with every record's metadata (errors
included) and the file it went to. File names are made safe: they can never leave the folder."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from scraper.sinks.atomic import AtomicFile, remove_stale_parts, write_atomic
from scraper.sinks.jsonl import dumps

INDEX_NAME = "_index.jsonl"
MAX_STEM = 80
MAX_STEM_BYTES = 120
_WINDOWS_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)),
                     *(f"lpt{i}" for i in range(1, 10))}


def safe_stem(name: str, fallback: str) -> str:
    """A file name stem of letters, digits, '-', '_' and '.', at most 80 characters and 120 UTF-8 bytes,
    never '.' or '..', never a name Windows reserves, never empty."""
    name = unicodedata.normalize("NFKC", name).replace("\x00", "")
    name = re.sub(r"[^\w.-]+", "-", name, flags=re.UNICODE)
    name = re.sub(r"-{2,}", "-", name).strip(".-_ ")[:MAX_STEM]
    # File systems count bytes (255 at most), and 80 CJK letters are 240: leave room for "-<id>.txt".
    name = name.encode("utf-8")[:MAX_STEM_BYTES].decode("utf-8", "ignore").rstrip(".-_ ")
    if not name:
        return fallback
    if name.split(".")[0].lower() in _WINDOWS_RESERVED:
        name = "_" + name
    return name


def stem_for(record: dict[str, Any]) -> str:
    """Name a document after its source file, else the last part of its URL path, else its title."""
    source = record.get("source") or ""
    if source and source not in ("-", "<html>", "<text>") and "#" not in source:
        base = PurePosixPath(source.replace("\\", "/")).name
        for suffix in (".gz", ".html", ".htm", ".xhtml", ".txt"):
            if base.lower().endswith(suffix):
                base = base[: -len(suffix)]
        return safe_stem(base, record["id"])
    url = record.get("url")
    if url:
        parts = [p for p in urlsplit(url).path.split("/") if p]
        if parts:
            return safe_stem(parts[-1].rsplit(".", 1)[0], record["id"])
    return safe_stem(record.get("title") or "", record["id"])


class TextDirSink:
    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
        if self.folder.exists() and not self.folder.is_dir():
            raise NotADirectoryError(f"{self.folder} exists and is not a folder (--format txt needs -o DIR)")
        self.folder.mkdir(parents=True, exist_ok=True)
        remove_stale_parts(self.folder)  # temporary files of a run that was killed outright; once, not per file
        self.index = AtomicFile(self.folder / INDEX_NAME, sweep=False)
        self.used: set[str] = set()

    def _unique(self, stem: str, record_id: str) -> str:
        name = f"{stem}.txt"
        n = 1
        # The same file given twice has the same id too, so count on until the name is free.
        while name.lower() in self.used:
            name = f"{stem}-{record_id}.txt" if n == 1 else f"{stem}-{record_id}-{n}.txt"
            n += 1
        self.used.add(name.lower())
        return name

    def write(self, record: dict[str, Any]) -> None:
        meta = {k: v for k, v in record.items() if k != "text"}
        if record.get("error") is None:
            name = self._unique(stem_for(record), record["id"])
            write_atomic(self.folder / name, record["text"] + "\n", sweep=False)
            meta["file"] = name
        self.index.write(dumps(meta) + "\n")

    def close(self, ok: bool = True) -> None:
        self.index.commit() if ok else self.index.discard()

    def __enter__(self) -> "TextDirSink":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self.close(ok=exc_type is None)
