"""Near-duplicates and stories within a run of `presswash clean` (and `explain`): each article is placed
among the run's articles before it, in input order, and, with --store, among the store's (docs/stories.md).

The run's index is a store of its own, in a temporary SQLite file, so the decision is the store's
(Store.place, scraper/store/stories.py), made in this process in input order: the result is the same
with any --jobs. The file is unlinked once the store has it open (a scratch store), so a run that is killed
leaves nothing of it in the temporary folder. A --store is only read: clean adds nothing to it.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import uuid
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from scraper.core.document import Outcome

if TYPE_CHECKING:  # the store (SQLAlchemy) loads when a run places articles, not when the CLI starts
    from scraper.store import Store
    from scraper.store.stories import Placement


def placements(outcomes: Iterable[Outcome], against: Store | None = None) -> Iterator[tuple[Outcome, Placement | None]]:
    """Each outcome with its placement (None for a failure); an article's ``duplicate_of`` and ``story``
    are set from it."""
    from scraper.store import Store

    # A fresh name, not a file made ahead: SQLite makes the file and the store unlinks it at once, so that no
    # moment of the run leaves a file behind for a kill to strand.
    path = os.path.join(tempfile.gettempdir(), f"presswash-stories-{uuid.uuid4().hex}.db")
    try:
        with Store(path, scratch=True) as run:
            for outcome in outcomes:
                placement = None
                if outcome.ok:
                    placement = run.place(outcome.id, outcome.fingerprint, also=against)
                    outcome.duplicate_of, outcome.story = placement.duplicate_of, placement.story
                yield outcome, placement
    finally:  # already gone where an open file can be unlinked (POSIX)
        with contextlib.suppress(OSError):
            os.unlink(path)


def placed(outcomes: Iterable[Outcome], against: Store | None = None) -> Iterator[Outcome]:
    """``outcomes`` with their articles placed (placements)."""
    for outcome, _ in placements(outcomes, against):
        yield outcome
