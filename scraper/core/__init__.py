"""The flow every entrance shares: a Page in, an Article or a Failure out.

document (the types and the record), decoding, extraction (parse once, read metadata, run trafilatura),
process (the named steps and Options), urls, and the worker pool that runs the steps under a time limit.
Imports nothing from the rest of ``scraper``.
"""

__version__ = "0.1.0"
