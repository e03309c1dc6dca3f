"""Dates as the record and the store keep them: ISO 8601 in UTC."""

from __future__ import annotations

from datetime import date, datetime, timezone
from email.utils import parsedate_to_datetime


def to_iso(value: str | None) -> str | None:
    """An RFC 822 (RSS) or ISO 8601 (Atom, sitemaps) date as ISO 8601 in UTC; None if unreadable."""
    if not value:
        return None
    value = value.strip()
    parsed: datetime | None = None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc).replace(microsecond=0).isoformat()


def parse_since(value: str | date | None, what: str = "--since") -> str | None:
    """A --since (or config ``since``) value as ISO 8601 in UTC, or None when not given. ValueError with a
    message naming ``what`` when it is no date."""
    if value is None or value == "":
        return None
    if isinstance(value, (datetime, date)):  # a bare TOML date is a value of its own, not a string
        value = value.isoformat()
    found = to_iso(value) if isinstance(value, str) else None
    if found is None:
        raise ValueError(f"{what} {value!r} is not a date (use YYYY-MM-DD or ISO 8601)")
    return found
