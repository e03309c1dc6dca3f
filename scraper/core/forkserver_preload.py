"""Imported first by the fork server that workers come from (``set_forkserver_preload`` in workers.py), and
nowhere else: the fork server then ignores Ctrl-C and SIGTERM, and so does every worker it forks, from its
first instruction. (A Ctrl-C that came while a worker was starting used to kill it in the middle of a page.)
"""

from scraper.core.workers import ignore_stop_signals

ignore_stop_signals()
