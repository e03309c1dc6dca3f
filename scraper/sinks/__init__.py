"""Where records go: JSON Lines (stdout or a file) or a folder of text files."""

from .jsonl import JsonlSink
from .textdir import TextDirSink

__all__ = ["JsonlSink", "TextDirSink"]
