"""`presswash upgrade`: bring a store to this presswash's schema version in place, now (docs/scaling.md)."""

from __future__ import annotations

import argparse
import sys

from scraper.cli.options import EXIT_OK, EXIT_USAGE, add_store_option


def add_parser(sub: argparse._SubParsersAction) -> None:
    upgrade = sub.add_parser("upgrade", help="upgrade an older store in place (any command that writes to it does so "
                                             "too); read-only commands need it for some stores")
    add_store_option(upgrade, "the store to upgrade")
    upgrade.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from scraper.store import Store, StoreError, check_store, store_target  # SQLAlchemy: only when it runs
    from scraper.store.schema import SCHEMA_VERSION

    target = store_target(args.store)
    try:
        check_store(target, read_only=True)  # an upgrade never makes a new store
        with Store(target) as store:  # opening for writing upgrades, in one transaction (schema.prepare)
            found, where = store.found_version, store.where
    except StoreError as exc:
        print(f"presswash upgrade: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if found == SCHEMA_VERSION:
        print(f"presswash upgrade: {where} is at schema version {SCHEMA_VERSION} already", file=sys.stderr)
    else:
        print(f"presswash upgrade: {where} upgraded from schema version {found} to {SCHEMA_VERSION}", file=sys.stderr)
    return EXIT_OK
