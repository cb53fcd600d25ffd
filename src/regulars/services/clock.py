"""The one place that reads the time, so every row written in a request shares one instant."""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> datetime:
    """UTC, naive (as stored), to the second (as WordPress keeps it)."""
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)
