"""A real Redis server for the tests: pytest-redis starts /usr/bin/redis-server (Debian's redis-server
package) on a free 127.0.0.1 port in a temporary folder, once per session, and stops it at the end.

``frontier`` is a Redis URL for one test, on a database emptied before and after it."""

from __future__ import annotations

import shutil
from typing import Iterator

import pytest
import redis
from pytest_redis import factories

redis_server = factories.redis_proc(executable=shutil.which("redis-server") or "/usr/bin/redis-server",
                                    host="127.0.0.1", port=None)


@pytest.fixture
def frontier(redis_server) -> Iterator[str]:
    url = f"redis://127.0.0.1:{redis_server.port}/0"
    client = redis.Redis.from_url(url)
    client.flushdb()
    yield url
    client.flushdb()
    client.close()
