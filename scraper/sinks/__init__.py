"""Where records go: JSON Lines (stdout or a file), a folder of text files, or a Parquet file."""

from __future__ import annotations


class OutputError(ValueError):
    """A record the output cannot hold (a key or a value the Parquet schema has no place for)."""


from scraper.sinks.jsonl import JsonlSink  # noqa: E402
from scraper.sinks.textdir import TextDirSink  # noqa: E402

__all__ = ["FORMATS", "JsonlSink", "OutputError", "TextDirSink", "open_sink", "output_needed"]

FORMATS = ("jsonl", "txt", "parquet")


def output_needed(fmt: str, output: str | None) -> str | None:
    """What is wrong with ``-o`` for ``--format fmt``: txt needs a folder, parquet a file (not stdout)."""
    if fmt == "txt" and not output:
        return "--format txt needs -o DIR"
    if fmt == "parquet" and (not output or output == "-"):
        return "--format parquet needs -o FILE (Parquet is not written to stdout)"
    return None


def open_sink(fmt: str, output: str | None, store_columns: bool = False):
    """The sink for ``--format fmt``. ``store_columns``: the records are `presswash export`'s, which carry the
    store's columns too (Parquet declares them; JSON Lines writes whatever keys a record has)."""
    if fmt == "txt":
        return TextDirSink(output)
    if fmt == "parquet":
        from scraper.sinks.parquet import ParquetSink  # pyarrow loads only for Parquet runs

        return ParquetSink(output, store_columns=store_columns)
    return JsonlSink(output)
