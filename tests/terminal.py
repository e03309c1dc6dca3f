"""Run a command with its stderr on a real pseudo-terminal (the ``pty`` module), as a user at a terminal sees it,
its stdout going to a pipe: for the progress displays, which show only where stderr is a terminal."""

from __future__ import annotations

import os
import pty
import re
import subprocess
from dataclasses import dataclass

_ESCAPES = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\r")


@dataclass
class TerminalRun:
    code: int
    stdout: str
    terminal: str  # everything written to the terminal (stderr), escape sequences included

    @property
    def text(self) -> str:
        """What was written to the terminal, without its escape sequences and carriage returns."""
        return _ESCAPES.sub("", self.terminal)


def run_on_terminal(cmd: list[str], env: dict[str, str] | None = None, timeout: float = 120,
                    stdout_too: bool = False) -> TerminalRun:
    """Run ``cmd`` to its end with stderr on a pseudo-terminal and stdout on a pipe (``stdout_too``: on the
    terminal as well, as when a user runs a command with no redirection)."""
    main, side = pty.openpty()
    stdout = side if stdout_too else subprocess.PIPE
    with subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=stdout, stderr=side, env=env) as proc:
        os.close(side)
        shown = bytearray()
        # stdout is read after the terminal closes: a test's output is small enough for the pipe's buffer
        while True:
            try:
                chunk = os.read(main, 65536)
            except OSError:  # EIO: every holder of the terminal's other side has closed it
                break
            if not chunk:
                break
            shown += chunk
        os.close(main)
        out = proc.stdout.read() if proc.stdout else b""
        code = proc.wait(timeout=timeout)
    return TerminalRun(code, out.decode("utf-8"), shown.decode("utf-8", "replace"))
