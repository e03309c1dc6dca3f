"""Servers the tests start for themselves: real server processes on free loopback ports, in temporary folders."""

from __future__ import annotations

import socket


def free_port() -> int:
    """A loopback port that was free a moment ago (a server started on it retries if it was taken since)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def free_ports(count: int) -> int:
    """The first of ``count`` consecutive loopback ports that were all free a moment ago."""
    while True:
        first = free_port()
        socks = []
        try:
            for port in range(first, first + count):
                sock = socket.socket()
                socks.append(sock)
                sock.bind(("127.0.0.1", port))
            return first
        except OSError:
            continue
        finally:
            for sock in socks:
                sock.close()
