"""The `presswash` command: clean | rules | explain | mine | crawl | export | demo | eval, one module each."""

from __future__ import annotations

import argparse
import sys
from typing import Sequence

from scraper.cli import clean, crawl, demo, eval as eval_cmd, explain, export, mine, rules
from scraper.cli.options import EXIT_OK
from scraper.core import __version__

COMMANDS = (clean, rules, explain, mine, crawl, export, demo, eval_cmd)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="presswash", description="News web pages in, clean text and metadata out.")
    parser.add_argument("--version", action="version", version=f"presswash {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        command.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["eval"]:
        return eval_cmd.main(argv[1:])
    args = build_parser().parse_args(argv)
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
