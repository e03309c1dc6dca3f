"""Where records go: JSON Lines (stdout or a file) or a folder of text files."""

from scraper.sinks.jsonl import JsonlSink
from scraper.sinks.textdir import TextDirSink

__all__ = ["JsonlSink", "TextDirSink"]
