"""The built-in rule packs, parsed once per test process.

Parsing the built-in packs (a thousand rules: their regexes and required literals) takes about a second of CPU,
and the tests did it again for every RuleBook.load() and Processor: each module's BOOK, each in-process CLI
call, each worker of an in-process `clean` run. Importing this module makes ``cleaners.packs`` parse a built-in
pack file once per text: a later load of the same text gets the parsed pack (with a copy of its rule list;
rules are not changed once parsed). User packs (--rules folders) are parsed every time.

tests/conftest.py imports it in each test process and adds it to the fork server's preloaded modules, so the
workers of in-process runs, forked from that server, start with the packs parsed. The CLI's subprocesses
(`presswash crawl`, `presswash clean` by run_cli) parse their own, as a user's run does.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from cleaners import RuleBook, packs

_parse_pack_file = packs.load_pack_file
_parsed: dict[tuple[str, str], packs.Pack] = {}


def _load_pack_file_once(path: Any, origin: str | None = None) -> packs.Pack:
    if not (origin or "").startswith("builtin:"):
        return _parse_pack_file(path, origin)
    key = (origin, path.read_text(encoding="utf-8"))
    if key not in _parsed:
        _parsed[key] = _parse_pack_file(path, origin)
    parsed = _parsed[key]
    return replace(parsed, rules=list(parsed.rules))


packs.load_pack_file = _load_pack_file_once
RuleBook.load()  # parsed now: in the fork server, before it forks any worker
