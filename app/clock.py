"""The one clock of the app: naive UTC, as every timestamp is stored."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Return the current time in UTC, without tzinfo, as stored in the database."""
    return datetime.now(UTC).replace(tzinfo=None)
