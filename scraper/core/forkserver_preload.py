"""Imported first by the fork server that workers come from (``set_forkserver_preload`` in workers.py), and
nowhere else: the fork server then ignores Ctrl-C and SIGTERM, and so does every worker it forks, from its
first instruction. (A Ctrl-C that came while a worker was starting used to kill it in the middle of a page.)
It also loads the language identifier and datasketch once, so the workers it forks need not
(scraper/core/language.py, scraper/core/fingerprint.py): they start sooner and share those pages.
"""

from scraper.core.fingerprint import preload as preload_fingerprint
from scraper.core.language import preload
from scraper.core.workers import ignore_stop_signals

ignore_stop_signals()
# The language identifier's model (about a second to load): every worker forked from here starts with it.
try:
    preload()
    preload_fingerprint()
except Exception:  # noqa: BLE001 - a worker then loads it itself, and reports what goes wrong there
    pass
