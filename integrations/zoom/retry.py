"""When to try a failed Zoom call again: the shared policy, and when Zoom's daily limits reset."""

from datetime import UTC, datetime, timedelta

from integrations.retry import RetryableFailure, RetryPolicy, parse_retry_after

__all__ = ["RetryPolicy", "RetryableFailure", "next_utc_midnight", "parse_retry_after"]


def next_utc_midnight(now: datetime) -> datetime:
    """The next 00:00 UTC strictly after `now`, when Zoom's daily limits reset."""
    today = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return today + timedelta(days=1)
