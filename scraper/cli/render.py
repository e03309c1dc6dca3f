"""Terminal output shared by the commands: colours and clipping."""

from __future__ import annotations

RED, GREEN, YELLOW, DIM, RESET = "\x1b[31m", "\x1b[32m", "\x1b[33m", "\x1b[2m", "\x1b[0m"


def paint(text: str, colour: str, colour_on: bool) -> str:
    return f"{colour}{text}{RESET}" if colour_on else text


def clip(text: str, width: int = 160) -> str:
    """``text`` on one line, cut to ``width`` characters with an ellipsis (no space before it)."""
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"
