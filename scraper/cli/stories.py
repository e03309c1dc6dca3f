"""`presswash stories`: the store's stories, largest first, each with its original, copies and other articles."""

from __future__ import annotations

import argparse
import json
import sys

from scraper.cli.options import EXIT_OK, EXIT_USAGE, add_store_option, positive_int
from scraper.cli.render import clip

TITLE_WIDTH = 60  # a title is clipped to this many characters in the listing


def add_parser(sub: argparse._SubParsersAction) -> None:
    stories = sub.add_parser("stories", help="list the store's stories: originals, their copies and related articles")
    add_store_option(stories, "the store to read")
    stories.add_argument("--min-size", type=positive_int, default=2, metavar="N",
                         help="only stories of at least N articles (default 2: an article alone is not listed)")
    stories.add_argument("--limit", type=positive_int, metavar="N", help="list the N largest stories only")
    stories.add_argument("--json", action="store_true", help="one JSON object per story, a line each, for tools")
    stories.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from scraper.store import Store, StoreError, store_target  # loads SQLAlchemy: only when it runs

    listed = 0
    try:
        # Read-only, as export: listing never changes the store.
        with Store(store_target(args.store), read_only=True) as store:
            fingerprinted = store.fingerprinted()
            if not fingerprinted:
                print(f"presswash stories: no article of {store.where} has a fingerprint, so there are no "
                      "stories to list (a crawl gives each article it stores one, in a store of schema version "
                      "3 or later; texts under 50 words get none)", file=sys.stderr)
                return EXIT_OK
            found = store.story_count(args.min_size)
            for cluster in store.stories(args.min_size, args.limit):
                if args.json:
                    print(json.dumps(cluster.as_json(), ensure_ascii=False))
                else:
                    print_cluster(cluster, first=listed == 0)
                listed += 1
    except StoreError as exc:
        print(f"presswash stories: {exc}", file=sys.stderr)
        return EXIT_USAGE
    print(f"presswash stories: {listed} of {found} stories of {args.min_size} articles or more listed; "
          f"{fingerprinted} articles fingerprinted", file=sys.stderr)
    return EXIT_OK


def print_cluster(cluster, first: bool) -> None:
    copies, others = len(cluster.copies), len(cluster.others)
    if not first:
        print()
    print(f"story {cluster.story}: {cluster.size} articles, the original, {copies} "
          f"{'copy' if copies == 1 else 'copies'} and {others} other{'' if others == 1 else 's'}")
    for role, members in (("original", [cluster.original]), ("copy", cluster.copies), ("other", cluster.others)):
        for m in members:
            note = f"  (copy of {m.duplicate_of})" if role == "other" and m.duplicate_of else ""
            title = clip(m.title or "(no title)", TITLE_WIDTH)
            print(f"  {role:<8} {m.id}  {m.first_seen}  {m.host or '-'}  {title}{note}")
