"""The errors the Zoom integration raises, and how a Zoom answer maps onto them."""

from datetime import datetime

import requests

from integrations.errors import ServiceError, code_and_message
from integrations.zoom.retry import next_utc_midnight, parse_retry_after

# Zoom error codes the application acts on.
INVALID_TOKEN = 124
VALIDATION_FAILED = 300
MEETING_NOT_FOUND = 3001


class ZoomError(ServiceError):
    """A Zoom call failed. Carries Zoom's own error `code` and `message`, and the HTTP `status`.

    `status` and `code` are None when Zoom gave no answer (see ZoomConnectionError).
    """

    service = "Zoom"
    #: Whether Zoom may have carried out the call even though its answer never reached us.
    answer_may_be_lost = False


class ZoomAuthError(ZoomError):
    """Zoom refused our credentials, or rejected a freshly issued token."""


class ZoomServerError(ZoomError):
    """Zoom answered 5xx: a fault on its side that usually passes."""

    retryable = True
    answer_may_be_lost = True


class ZoomConnectionError(ZoomError):
    """Zoom could not be reached, or the connection broke before it answered."""

    retryable = True
    answer_may_be_lost = True


class ZoomTimeoutError(ZoomConnectionError):
    """Zoom did not answer within the client's timeout."""


class ZoomRateLimitError(ZoomError):
    """Zoom answered 429; `retry_at` (aware UTC) is when Zoom said to come back, None when it did not say."""

    retryable = True


class ZoomDailyLimitError(ZoomRateLimitError):
    """The host reached Zoom's daily cap of meeting creates/updates; `retry_at` is the next 00:00 UTC."""

    retryable = False
    retry_at: datetime


def error_from_response(response: requests.Response, now: datetime) -> ZoomError:
    """The ZoomError matching a non-2xx answer from Zoom."""
    status = response.status_code
    code, message = code_and_message(response)
    if status == 429:
        return _rate_limit_error(response, code, message, now)
    if status >= 500:
        return ZoomServerError(message, status=status, code=code)
    if status == 401:
        return ZoomAuthError(message, status=status, code=code)
    return ZoomError(message, status=status, code=code)


def error_from_exception(exc: requests.RequestException, timeout: float) -> ZoomConnectionError:
    """The ZoomError for a request that got no answer; never includes the URL (it may carry ids)."""
    if isinstance(exc, requests.Timeout):
        return ZoomTimeoutError(f"no answer within {timeout:g} s")
    return ZoomConnectionError(f"could not reach Zoom ({type(exc).__name__})")


def _rate_limit_error(
    response: requests.Response, code: int | None, message: str, now: datetime
) -> ZoomRateLimitError:
    """Tell the per-host daily cap from a per-second limit.

    Zoom says "daily" in the message of the daily cap; a Retry-After at or after the next 00:00 UTC
    means the same even when the wording changes.
    """
    retry_at = parse_retry_after(response.headers.get("Retry-After"), now)
    midnight = next_utc_midnight(now)
    if "daily" in message.lower() or (retry_at is not None and retry_at >= midnight):
        return ZoomDailyLimitError(
            message, status=response.status_code, code=code, retry_at=max(retry_at or midnight, midnight)
        )
    return ZoomRateLimitError(message, status=response.status_code, code=code, retry_at=retry_at)
