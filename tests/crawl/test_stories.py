"""A crawl places each article in the store: two sites serving one text, each with its own clutter, make
one original (the first crawled) and one duplicate of it, in the store and in the records streamed."""

from __future__ import annotations

from pathlib import Path

from .conftest import crawl, read_jsonl, stored_articles

SEED = Path(__file__).resolve().parents[2] / "fixtures" / "seeds" / "004_efbc13fa41935e45.txt"


def site(folder: Path, name: str, clutter: str) -> Path:
    paragraphs = "\n".join(f"<p>{line}</p>" for line in SEED.read_text(encoding="utf-8").splitlines() if line.strip())
    page = folder / "2026" / "11" / "talks.html"
    page.parent.mkdir(parents=True)
    page.write_text(f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Talks | {name}</title>'
                    f'</head><body><nav><a href="/">{name} home</a></nav><article><h1>Iran and US talk</h1>'
                    f"{paragraphs}</article><aside>{clutter}</aside><footer>{name}</footer></body></html>",
                    encoding="utf-8")
    return folder


def test_two_sites_with_one_text_make_an_original_and_its_duplicate(serve, tmp_path):
    first = serve(site(tmp_path / "a", "Daily Courier", "<p>Subscribe to the Courier today</p>"))
    second = serve(site(tmp_path / "b", "Evening Post", "<ul><li>Most read</li><li>Weather</li></ul>"))
    store, out = tmp_path / "s.db", tmp_path / "out.jsonl"
    for server in (first, second):  # one after the other: the first crawled is the original
        urls = tmp_path / "urls.txt"
        urls.write_text(f"{server.base_url}/2026/11/talks.html\n")
        crawl("--urls", urls, "-o", out, store=store)
    stored = stored_articles(store)
    a, b = stored[f"{first.base_url}/2026/11/talks.html"], stored[f"{second.base_url}/2026/11/talks.html"]
    assert a["duplicate_of"] is None and b["duplicate_of"] is not None and a["story"] == b["story"]
    assert b["duplicate_of"] == a["id"] == a["story"]  # an original's story is its own id
    assert a["id"] != b["id"]
    streamed = [r for r in read_jsonl(out) if r["error"] is None]
    # the streamed records carry the store's ids, so a copy's duplicate_of names the original's record
    assert [(r["id"], r["duplicate_of"]) for r in streamed] == [(a["id"], None), (b["id"], a["id"])]
