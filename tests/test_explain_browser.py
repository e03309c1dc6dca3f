"""The explain page in a real browser: Debian's headless Chromium renders the report of seed 000, and the rule
labels must be in the rendered DOM with their ids and visible on the screenshot, in their own colour.

Chromium runs with a throw-away profile, no extensions, no background or component traffic, and a host
resolver that resolves nothing, so the page cannot reach any host; the screenshot stays in tmp_path."""

from __future__ import annotations

import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import lxml.html
from tests.conftest import call_main
from tests.test_explain_html import SEED_000

from scraper.cli.explain_html import LABEL_COLOUR

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def chromium(tmp_path: Path, page: Path, *action: str) -> subprocess.CompletedProcess:
    """Headless Chromium on ``page`` with ``action`` (--screenshot=…, --dump-dom); waits for it to end."""
    assert Path(CHROMIUM).exists(), "Chromium is needed: apt-get install chromium"
    profile = tmp_path / "profile"
    args = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={profile}", "--no-first-run",
            "--disable-extensions", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--disable-default-apps", "--host-resolver-rules=MAP * ~NOTFOUND",
            "--window-size=1200,2000", *action, page.as_uri()]
    proc = subprocess.run(args, capture_output=True, timeout=120, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")[-2000:]
    return proc


def read_png(data: bytes) -> tuple[int, int, list[bytes]]:
    """Width, height and the rows (RGB bytes) of an 8-bit RGB or RGBA PNG that is not interlaced."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks, header = 8, [], None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            chunks.append(body)
        pos += 12 + length
    width, height, depth, colour_type, _, _, interlace = header
    assert depth == 8 and colour_type in (2, 6) and interlace == 0, header
    step = 3 if colour_type == 2 else 4
    raw, stride, rows, prev = zlib.decompress(b"".join(chunks)), width * step, [], bytearray(width * step)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):  # undo the row's filter (PNG spec, 9.2)
            left = line[i - step] if i >= step else 0
            up, corner = prev[i], prev[i - step] if i >= step else 0
            if kind == 1:
                line[i] = (line[i] + left) & 255
            elif kind == 2:
                line[i] = (line[i] + up) & 255
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 255
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                line[i] = (line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)) & 255
        rows.append(bytes(line) if step == 3 else bytes(b for i, b in enumerate(line) if i % 4 != 3))
        prev = line
    return width, height, rows


WHITE = bytes((255, 255, 255))


def pixels(row: bytes) -> list[bytes]:
    return [row[x:x + 3] for x in range(0, len(row), 3)]


def test_chromium_shows_the_rule_labels_of_seed_000(tmp_path):
    report = tmp_path / "report.html"
    assert call_main("explain", "--html", "-o", report, SEED_000).code == 0
    expected = [r["rule"] for r in call_main("clean", SEED_000).records[0]["removed"]]

    # The DOM as Chromium built it holds a label per removal, with the rule's id, on the struck-through text.
    dom = lxml.html.fromstring(chromium(tmp_path, report, "--dump-dom").stdout)
    labels = dom.cssselect("section .cut > a.rule")
    assert sorted(a.text_content() for a in labels) == sorted(expected)
    assert all(a.getnext().tag == "del" and a.getnext().text_content() for a in labels)

    # On screen: the page is not blank, and the labels' colour shows once per labelled line (five lines).
    shot = tmp_path / "report.png"
    chromium(tmp_path, report, f"--screenshot={shot}")
    width, height, rows = read_png(shot.read_bytes())
    assert (width, height) == (1200, 2000)
    colour = bytes(LABEL_COLOUR)
    assert sum(1 for row in rows for pixel in pixels(row) if pixel != WHITE) > 20_000  # not blank
    label_rows = [y for y, row in enumerate(rows) if sum(pixel == colour for pixel in pixels(row)) >= 20]
    bands = sum(1 for i, y in enumerate(label_rows) if i == 0 or label_rows[i - 1] != y - 1)
    assert bands >= len(expected), f"{bands} labelled lines visible, {len(expected)} expected"
