"""A real PostgreSQL server for the tests: started once per session from the installed server binaries, on a
free 127.0.0.1 port, in a temporary folder, and stopped at the end. Each test that asks for ``postgresql_url``
gets a database of its own.

PostgreSQL refuses to run as root. Tests run as root on the CI machine (a fresh Debian 12 after
``apt-get install -y postgresql``), so there the server runs as the unprivileged ``postgres`` user that the
package creates, through ``runuser``. The packaged cluster, running or not, is never used.
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

import psycopg
import pytest

from tests.services import free_port

SERVER_USER = "postgres"  # created by Debian's postgresql package


def server_bindir() -> Path:
    """The folder of initdb, pg_ctl and postgres: pg_config's, else the newest under /usr/lib/postgresql."""
    try:
        found = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, check=True).stdout.strip()
        if (Path(found) / "initdb").exists():
            return Path(found)
    except (OSError, subprocess.CalledProcessError):
        pass
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if not candidates:
        raise RuntimeError("no PostgreSQL server binaries: install them (Debian: apt-get install -y postgresql)")
    return Path(candidates[-1]).parent


class PostgreSQLServer:
    """One server process over its own data folder; ``restart()``, ``stop()`` and ``start()`` for the tests
    of lost connections."""

    def __init__(self, bindir: Path | None = None):
        self.bindir = bindir or server_bindir()
        self.root = Path(tempfile.mkdtemp(prefix="presswash-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self.port = 0
        self.as_root = os.geteuid() == 0
        self._names = itertools.count(1)
        if self.as_root:
            user = pwd.getpwnam(SERVER_USER)
            os.chown(self.root, user.pw_uid, user.pw_gid)
        self.root.chmod(0o700)

    def _run(self, *args: str) -> subprocess.CompletedProcess:
        command = [str(self.bindir / args[0]), *args[1:]]
        if self.as_root:
            command = ["runuser", "-u", SERVER_USER, "--", *command]
        proc = subprocess.run(command, capture_output=True, text=True, cwd=self.root)
        if proc.returncode != 0:
            log = self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""
            raise RuntimeError(f"{' '.join(command)} failed ({proc.returncode}):\n{proc.stdout}{proc.stderr}\n{log}")
        return proc

    def init(self) -> "PostgreSQLServer":
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                  "--locale=C.UTF-8", "--no-sync")
        return self

    def start(self) -> "PostgreSQLServer":
        """Start on a free port (the same one as before, after a stop); waits until it accepts connections."""
        for attempt in range(5):
            port = self.port or free_port()
            options = (f"-p {port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
                       "-c full_page_writes=off -c max_connections=100")
            try:
                self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "-t", "120",
                          "start")
            except RuntimeError:
                if self.port or attempt == 4:  # the port was fixed, or nothing helps
                    raise
                continue  # another process took the port in between
            self.port = port
            return self
        raise AssertionError("unreachable")

    def stop(self, mode: str = "fast") -> None:
        """``fast`` ends the sessions and shuts down cleanly; ``immediate`` is a crash (recovery on start)."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "120", "stop")

    def restart(self, mode: str = "fast") -> None:
        self.stop(mode)
        self.start()

    def destroy(self) -> None:
        try:
            if (self.data / "postmaster.pid").exists():
                self.stop("immediate")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{dbname}"

    def create_database(self) -> str:
        name = f"presswash_test_{next(self._names)}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return name

    def drop_database(self, name: str) -> None:
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def postgresql_server():
    """The session's PostgreSQL server (started on first use, stopped at the end)."""
    server = PostgreSQLServer().init()
    try:
        server.start()
        yield server
    finally:
        server.destroy()


@pytest.fixture
def postgresql_url(postgresql_server):
    """The URL of a new, empty database on the session's server, dropped after the test."""
    name = postgresql_server.create_database()
    yield postgresql_server.url(name)
    if (postgresql_server.data / "postmaster.pid").exists():
        postgresql_server.drop_database(name)
