"""A PostgreSQL store whose server restarts: the store reconnects and retries the transaction, or raises a
clear StoreError once ``reconnect_for`` has passed. Never a half-written article, never a doubled one.

These tests stop and start a server of their own, so the session's server is not disturbed.
"""

from __future__ import annotations

import logging
import threading
import time

import psycopg
import pytest

from scraper.store import Store, StoreError
from tests.services.postgresql import PostgreSQLServer
from tests.store.conftest import record, sql

URL = "https://news.example.com/2026/11/20/ferry.html"
OTHER = "https://news.example.com/2026/11/21/tram.html"


@pytest.fixture(scope="module")
def server():
    own = PostgreSQLServer().init().start()
    yield own
    own.destroy()


@pytest.fixture
def store_url(server):
    if not (server.data / "postmaster.pid").exists():  # a test that failed half-way left it stopped
        server.start()
    return server.url(server.create_database())


def wait_until(condition, what: str, timeout: float = 120):
    """Poll ``condition`` until it is true (the events these tests wait for come within seconds)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"still waiting for {what}"
        time.sleep(0.05)


class Saving(threading.Thread):
    """store.save_article in a thread, keeping its outcome or its exception."""

    def __init__(self, store: Store, rec: dict, url: str):
        super().__init__(daemon=True)
        self.store, self.rec, self.url = store, rec, url
        self.outcome: str | None = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.outcome = self.store.save_article(self.rec, self.url)
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            self.error = exc


def test_a_restart_between_writes_goes_unnoticed(server, store_url, caplog):
    with Store(store_url) as store:
        assert store.save_article(record(URL, "Text."), URL) == "new"
        server.restart()
        with caplog.at_level(logging.WARNING, logger="scraper.store.store"):
            assert store.page_state(URL).kind == "article"  # a read: retried on a new connection
            assert store.save_article(record(OTHER, "Other text."), OTHER) == "new"
        assert "lost the connection to the store" in caplog.text and "is back" in caplog.text
        assert store.count("articles") == 2 and store.count("revisions") == 2


def lock_holders(admin: psycopg.Connection) -> int:
    """Sessions of presswash waiting for a row lock."""
    return admin.execute("SELECT COUNT(*) FROM pg_stat_activity WHERE application_name = 'presswash' "
                         "AND wait_event_type = 'Lock'").fetchone()[0]


@pytest.mark.parametrize("mode", ["fast", "immediate"])
def test_a_restart_in_the_middle_of_a_save_leaves_no_half_and_no_double(server, store_url, mode):
    """The save has updated the article and written its revision when the server goes: those are rolled back,
    the retry does it all again, and the article has exactly the revisions it should."""
    with Store(store_url) as store:
        store.save_article(record(URL, "First text."), URL, 200, '"e1"')
        # Another session holds the page's row, so the save stops at its last statement, the page state.
        blocker = psycopg.connect(store_url)
        blocker.execute("SELECT * FROM pages WHERE url = %s FOR UPDATE", (URL,))
        saving = Saving(store, record(URL, "Second text."), URL)
        saving.start()
        with psycopg.connect(store_url, autocommit=True) as admin:
            wait_until(lambda: lock_holders(admin) == 1, "the save to wait for the page's row")
            # half-way: the new revision is written but not committed
            assert admin.execute("SELECT revision FROM articles").fetchall() == [(1,)]
        server.restart(mode)  # ends every session, the blocker's and the save's
        saving.join(timeout=300)
        assert not saving.is_alive() and saving.error is None, saving.error
        assert saving.outcome == "changed"
        blocker.close()
        assert store.revisions(URL) == [(1, record(URL, "First text.")["content_hash"]),
                                        (2, record(URL, "Second text.")["content_hash"])]
        assert store.count("articles") == 1 and store.count("pages") == 1
        assert [r["text"] for r in store.articles()] == ["Second text."]
        assert store.page_state(URL).etag == '"e1"'


def test_a_server_that_stays_away_is_a_clear_error_and_nothing_is_written(server, store_url):
    with Store(store_url, reconnect_for=1.0) as store:
        store.save_article(record(URL, "Text."), URL)
        server.stop()
        try:
            with pytest.raises(StoreError) as info:
                store.save_article(record(OTHER, "Other text."), OTHER)
            assert "lost the connection to the store postgresql://postgres@127.0.0.1" in str(info.value)
            assert "did not come back within 1 s" in str(info.value)
        finally:
            server.start()
        assert store.count("articles") == 1 and not store.has_article(OTHER)
        assert store.save_article(record(OTHER, "Other text."), OTHER) == "new"  # and it goes on once back


def test_a_save_waits_for_the_server_to_come_back(server, store_url, caplog):
    """The server is down when the save starts: the save keeps retrying until the server is back."""
    with Store(store_url) as store:
        store.save_article(record(URL, "Text."), URL)
        server.stop()
        with caplog.at_level(logging.WARNING, logger="scraper.store.store"):
            saving = Saving(store, record(OTHER, "Other text."), OTHER)
            saving.start()
            wait_until(lambda: "lost the connection to the store" in caplog.text, "the store to notice")
            assert saving.is_alive()
            server.start()
            saving.join(timeout=300)
        assert saving.error is None and saving.outcome == "new", saving.error
        assert store.count("articles") == 2 and store.count("revisions") == 2
        assert sql(store, "SELECT COUNT(*) FROM pages") == [(2,)]
