"""Imported first by the fork server that workers come from (``set_forkserver_preload`` in workers.py), and
nowhere else: the fork server then ignores Ctrl-C and SIGTERM, and so does every worker it forks, from its
first instruction. (A Ctrl-C that came while a worker was starting used to kill it in the middle of a page.)
It also loads the language identifier, datasketch, the built-in rule packs and jusText's stoplists (by one
trafilatura run) once, so the workers it forks need not (scraper/core/language.py, scraper/core/fingerprint.py,
cleaners/packs.py, scraper/core/extraction.py): they start sooner and share those pages. And a fork whose
pool's process is killed (kill -9) while it hands the fork its start-up data exits without the traceback of
the end of file it reads: it has nothing to do, and nothing went wrong in it.
"""

import gc
import sys
import traceback

from cleaners import RuleBook
from scraper.core.extraction import preload as preload_extractor
from scraper.core.fingerprint import preload as preload_fingerprint
from scraper.core.language import preload
from scraper.core.workers import ignore_stop_signals

ignore_stop_signals()


def _excepthook(kind, value, tb) -> None:
    # The fork server's child reports what escapes its start-up through sys.excepthook, then exits.
    last = traceback.extract_tb(tb)[-1:] if tb else []
    if issubclass(kind, EOFError) and last and last[0].name == "_main" and last[0].filename.endswith("spawn.py"):
        return  # multiprocessing.spawn._main found the pipe from the pool's process closed: that process is gone
    sys.__excepthook__(kind, value, tb)


sys.excepthook = _excepthook
# The language identifier's model, the built-in rule packs (about a second each to load or parse) and jusText's
# stoplists (30 MiB): every worker forked from here starts with them, and shares their pages.
try:
    preload()
    preload_fingerprint()
    RuleBook.load()
    preload_extractor()
except Exception:  # noqa: BLE001 - a worker then loads it itself, and reports what goes wrong there
    pass
# All of that lives as long as the fork server and its forks: frozen, the garbage collector no longer walks it
# in every full collection, the forks' collections do not write to (and so copy) the pages they share with
# the fork server, and the fork server's exit skips a last collection over it.
gc.freeze()
