"""When to try a failed call to another service (Zoom, Twilio) again, and how long to wait first."""

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Protocol


class RetryableFailure(Protocol):
    """What the policy needs to know about a failure (ZoomError and SmsError have these)."""

    retryable: bool
    retry_at: datetime | None


# Jitter needs no reproducibility; SystemRandom has no seeded state for threads to share.
_SYSTEM_RANDOM = random.SystemRandom()


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded retries with exponential back-off and jitter.

    `max_attempts` counts every send of the call, the first included. A 429 that names a time to come
    back is honoured when that time is at most `max_rate_limit_wait` seconds away; further off, the
    error is raised so the caller can reschedule the work instead of holding a worker.
    """

    max_attempts: int = 4
    base_delay: float = 0.5
    max_delay: float = 8.0
    max_rate_limit_wait: float = 60.0
    jitter: Callable[[float, float], float] = field(default=_SYSTEM_RANDOM.uniform, repr=False)

    def delay_after(self, attempt: int, failure: RetryableFailure, now: datetime) -> float | None:
        """Seconds to wait before sending again after `attempt` failed, or None to give up."""
        if not failure.retryable or attempt >= self.max_attempts:
            return None
        if failure.retry_at is None:
            return self.backoff(attempt)
        wait = max((failure.retry_at - now).total_seconds(), 0.0)
        if wait > self.max_rate_limit_wait:
            return None
        # Jitter on top, so that workers told the same instant do not all come back at once.
        return wait + self.jitter(0.0, self.base_delay)

    def backoff(self, attempt: int) -> float:
        """Exponential back-off with "equal jitter": half the step fixed, half random."""
        step = min(self.max_delay, self.base_delay * 2 ** (attempt - 1))
        return step / 2 + self.jitter(0.0, step / 2)


def parse_retry_after(value: str | None, now: datetime) -> datetime | None:
    """The instant a Retry-After header names: delay in seconds, HTTP date or ISO 8601 date-time."""
    if not value or not value.strip():
        return None
    value = value.strip()
    if value.isdigit():
        return now + timedelta(seconds=int(value))
    for parse in (parsedate_to_datetime, datetime.fromisoformat):
        try:
            moment = parse(value)
        except (TypeError, ValueError):
            continue
        return moment.replace(tzinfo=moment.tzinfo or UTC).astimezone(UTC)
    return None
