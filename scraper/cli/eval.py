"""`presswash eval`: score the pipeline on a dev set against plain trafilatura (its own argument parser)."""

from __future__ import annotations

import argparse


def add_parser(sub: argparse._SubParsersAction) -> None:
    sub.add_parser("eval", help="score the pipeline on a dev set against plain trafilatura", add_help=False)


def main(argv: list[str]) -> int:
    from scraper.evaluation import main as eval_main

    return eval_main(argv)
