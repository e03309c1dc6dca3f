"""What reading the paywall signals costs, against the whole of a page's processing. Prints; asserts nothing.

Run from the repository root with the project's virtualenv active:

    python benchmarks/paywall.py              # every sixth page of both dev sets
    python benchmarks/paywall.py --every 1

For each page, in one run: ``read_paywall`` on presswash's parse of it, then ``process_page`` (default
options) on its bytes, each timed with ``time.perf_counter``. It prints both per page, the share, and how many
pages pass the cheap class/id substring gate that decides whether the elements are scanned one by one.
"""

from __future__ import annotations

import argparse
import gzip
import time
from pathlib import Path

from scraper.core.document import Page
from scraper.core.extraction import parse_html
from scraper.core.paywall import _may_have_markup, read_paywall
from scraper.core.process import process_page

DEVSETS = Path(__file__).resolve().parents[1] / ".." / "shared" / "devset"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--every", type=int, default=6, help="take every Nth page (default %(default)s)")
    args = parser.parse_args()
    files = sorted(DEVSETS.glob("*/html/*"))[:: args.every]
    reading = processing = 0.0
    pages = gated = 0
    for path in files:
        body = path.read_bytes()
        if path.suffix == ".gz":
            body = gzip.decompress(body)
        tree = parse_html(body.decode("utf-8", "replace"), [])
        if tree is None:
            continue
        pages += 1
        start = time.perf_counter()
        read_paywall(tree)
        reading += time.perf_counter() - start
        gated += _may_have_markup(tree)
        start = time.perf_counter()
        process_page(Page(body=body, source=str(path)))
        processing += time.perf_counter() - start
    print(f"{pages} pages: read_paywall {1000 * reading / pages:.2f} ms a page, process_page "
          f"{1000 * processing / pages:.1f} ms a page; share {100 * reading / processing:.1f} %; "
          f"{gated} pages passed the class/id gate")


if __name__ == "__main__":
    main()
