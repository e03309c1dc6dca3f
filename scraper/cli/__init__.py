"""The `presswash` command: clean | rules | explain | mine | crawl | export | stories | health | upgrade | demo |
eval, one module each."""

from __future__ import annotations

import argparse
import gc
import importlib
import sys
from typing import Sequence

from scraper.core import __version__
from scraper.core.workers import start_fork_server

# One module each, imported when the parser is built: `clean` starts its fork server before that.
COMMANDS = ("clean", "rules", "explain", "mine", "crawl", "export", "stories", "health", "upgrade", "demo", "eval")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="presswash", description="News web pages in, clean text and metadata out.")
    parser.add_argument("--version", action="version", version=f"presswash {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        importlib.import_module(f"scraper.cli.{command}").add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    code = _command(list(sys.argv[1:] if argv is None else argv))
    if argv is None:
        # The program itself (`presswash`, `python -m scraper.cli`), which exits next: what it holds (the rule
        # book, Scrapy, the language model) is moved out of the garbage collector's reach, so the exit skips a
        # last full collection over all of it (about 0.3 s of CPU for a crawl). Every output is closed by now.
        gc.freeze()
    return code


def _command(argv: list[str]) -> int:
    if argv[:1] == ["clean"]:
        # Its workers come from the fork server, whose start-up (importing the pipeline, loading the language
        # model) then runs while this process imports the rest and loads the rule book.
        start_fork_server()
    if argv[:1] == ["eval"]:
        return importlib.import_module("scraper.cli.eval").main(argv[1:])
    args = build_parser().parse_args(argv)
    from scraper.cli.options import EXIT_OK  # imported by the parser's modules already; it loads the pipeline
    try:
        return args.run(args)
    except KeyboardInterrupt:
        # The JSON Lines file (or _index.jsonl) is discarded whole; .txt files already written are complete.
        print("presswash: interrupted; the output file was not written", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `presswash clean … | head`
        sys.stderr.close()
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
