"""When to try failed work again."""

from __future__ import annotations

from datetime import datetime, timedelta

BACKOFF = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=20),
    timedelta(hours=1),
    timedelta(hours=4),
)
MAX_ATTEMPTS = len(BACKOFF) + 1


def next_attempt(now: datetime, attempts: int) -> datetime | None:
    """The time of the next try after `attempts` tries, or None when the work should be given up as failed."""
    if attempts >= MAX_ATTEMPTS:
        return None
    return now + BACKOFF[max(attempts, 1) - 1]
