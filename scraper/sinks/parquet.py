"""Parquet output (pyarrow): the records of a run in one file with an explicit schema, for analysts.

Records are buffered and written a row group at a time, so memory stays flat however long the run; the file
is written atomically (scraper/sinks/atomic.py) and appears only when the run ends well. Error records go in
the same file, as in JSON Lines: ``error`` is set and ``text`` is null. The schema is in docs/record.md.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from scraper.core.document import RECORD_FIELDS
from scraper.sinks import OutputError
from scraper.sinks.atomic import AtomicFile

_TEXT = pa.string()
_LIST = pa.list_(pa.string())
# The keys of a record's ``extractor`` (scraper/core/extraction.py extractor_info); a key a record lacks is null.
EXTRACTOR_KEYS = ("name", "version", "presswash", "mode")
_TYPES: dict[str, pa.DataType] = {
    "word_count": pa.int64(),
    "comment_count": pa.int64(),
    "authors": _LIST,
    "tags": _LIST,
    "images": _LIST,
    "flags": _LIST,
    "removed": pa.list_(pa.struct([("rule", _TEXT), ("text", _TEXT)])),
    # Its keys are the record's own fields that have a value, so they differ from record to record: a map.
    "provenance": pa.map_(_TEXT, _TEXT),
    "extractor": pa.struct([(key, _TEXT) for key in EXTRACTOR_KEYS]),
}
# What `presswash export` adds to each record (the store's article row).
STORE_TYPES: dict[str, pa.DataType] = {"revision": pa.int64(), "first_seen": _TEXT, "last_changed": _TEXT}

RECORD_SCHEMA = pa.schema([pa.field(name, _TYPES.get(name, _TEXT)) for name in RECORD_FIELDS])
STORE_SCHEMA = pa.schema([*RECORD_SCHEMA, *(pa.field(name, kind) for name, kind in STORE_TYPES.items())])

# A row group is written when this many records, or this many characters of text, are buffered.
ROW_GROUP_RECORDS = 1000
ROW_GROUP_CHARS = 32_000_000


def _utf8(value: Any) -> Any:
    """``value`` with each lone surrogate (bytes of a command-line value that were not UTF-8) as the text
    ``\\udcNN``, which is what JSON Lines escapes it to: Parquet strings must be valid UTF-8."""
    if isinstance(value, str):
        return value.encode("utf-8", "backslashreplace").decode("utf-8")
    if isinstance(value, list):
        return [_utf8(v) for v in value]
    if isinstance(value, dict):
        return {_utf8(k): _utf8(v) for k, v in value.items()}
    return value


class ParquetSink:
    """Writes records as they come, a row group at a time, into ``path`` (the file appears whole at the end of
    a successful run, or a run that ended because documents failed; an interrupted run leaves no file).

    ``store_columns`` adds the columns `presswash export` records carry (revision, first_seen, last_changed).
    A record with a key the schema lacks, or a value of the wrong type, raises OutputError: nothing is dropped
    without a word."""

    def __init__(self, path: str | Path, store_columns: bool = False):
        self.schema = STORE_SCHEMA if store_columns else RECORD_SCHEMA
        self.atomic = AtomicFile(path, binary=True)
        try:
            self.writer = pq.ParquetWriter(self.atomic.fh, self.schema, compression="zstd")
        except BaseException:
            self.atomic.discard()
            raise
        self.rows: list[dict[str, Any]] = []
        self.chars = 0

    def write(self, record: dict[str, Any]) -> None:
        unknown = record.keys() - set(self.schema.names)
        extractor = record.get("extractor") or {}
        unknown |= {f"extractor.{key}" for key in extractor.keys() - set(EXTRACTOR_KEYS)}
        if unknown:
            raise OutputError(f"record {record.get('id')}: no Parquet column for {', '.join(sorted(unknown))}")
        self.rows.append(record)
        self.chars += len(record.get("text") or "")
        if len(self.rows) >= ROW_GROUP_RECORDS or self.chars >= ROW_GROUP_CHARS:
            self.flush()

    def flush(self) -> None:
        """Write the buffered records as one row group."""
        if not self.rows:
            return
        try:
            try:
                table = pa.Table.from_pylist(self.rows, schema=self.schema)
            except UnicodeEncodeError:
                table = pa.Table.from_pylist([_utf8(row) for row in self.rows], schema=self.schema)
        except (pa.ArrowException, TypeError) as exc:
            raise OutputError(f"a record does not fit the Parquet schema: {exc}") from None
        self.writer.write_table(table, row_group_size=len(self.rows))
        self.rows, self.chars = [], 0

    def close(self, ok: bool = True) -> None:
        if not ok:
            self._abandon()
            return
        try:
            self.flush()
            self.writer.close()  # the footer: without it the file is no Parquet file
        except BaseException:
            self._abandon()
            raise
        self.atomic.commit()

    def _abandon(self) -> None:
        """Leave no file: the writer is closed first, while its file is still open, then the file goes."""
        self.rows = []
        with contextlib.suppress(Exception):  # the run's own error is the one to report
            self.writer.close()
        self.atomic.discard()

    def __enter__(self) -> "ParquetSink":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self.close(ok=exc_type is None)
