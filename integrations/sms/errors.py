"""The errors the SMS integration raises, and how a Twilio answer (or its absence) maps onto them.

Twilio takes no idempotency key: a message it accepted is sent, and sending the request again sends
it twice. So every failure says which of three things is true:

- Refused and not sent — `retryable`: send again after a pause.
  SmsRateLimitError (429; `retry_at` when Twilio said when), SmsServerError (503, Twilio turning the
  request away), SmsConnectionError (no connection made: refused, name not found, connect timeout).
- Perhaps sent — `outcome_unknown`: sending again may send twice.
  SmsOutcomeUnknownError: no answer once the request was out (read timeout, connection cut), or 500,
  502 or 504 (Twilio may have failed after taking the message).
- Refused for good — neither: sending the same again gets the same answer.
  SmsRejectedError (400 and other 4xx, with Twilio's `code`), and its kinds SmsRecipientError (the
  number cannot receive texts) and SmsOptedOutError (21610, the person replied STOP); SmsAuthError
  (401, 403: nothing will go until the credentials are fixed).

The client retries only what was refused and not sent, within its RetryPolicy, and never a send whose
outcome is unknown; the caller decides about one (`TwilioClient.find_message` looks for it at Twilio).
Calls that only read (fetching, listing) change nothing, so every 5xx and every lost answer there is
retryable (SmsServerError, SmsTimeoutError).
"""

import re
from datetime import datetime

import requests
from urllib3.exceptions import MaxRetryError, NewConnectionError

from integrations.errors import ServiceError, code_and_message
from integrations.retry import parse_retry_after

# Twilio error codes (https://www.twilio.com/docs/api/errors/<code>) the application acts on.
AUTHENTICATION_FAILED = 20003
NOT_FOUND = 20404
TOO_MANY_REQUESTS = 20429
INTERNAL_SERVER_ERROR = 20500
SERVICE_UNAVAILABLE = 20503
INVALID_TO_NUMBER = 21211  # not a phone number
INVALID_FROM_NUMBER = 21212
REGION_NOT_ENABLED = 21408  # the account may not text the country of `To`
BODY_REQUIRED = 21602
FROM_REQUIRED = 21603
TO_REQUIRED = 21604
FROM_NOT_OURS = 21606
INVALID_STATUS_CALLBACK = 21609
OPTED_OUT = 21610  # the person replied STOP: no texts from this sender until they reply START
UNREACHABLE_NUMBER = 21612  # the number cannot receive texts now
NOT_A_MOBILE_NUMBER = 21614  # a landline, say
BODY_TOO_LONG = 21617

# Twilio's messages name phone numbers, which are personal data: errors end up in logs.
_PHONE_NUMBER = re.compile(r"\+?[0-9]{7,15}")

#: Codes that say the recipient's number cannot receive our texts (OPTED_OUT has its own error).
RECIPIENT_CODES = frozenset({INVALID_TO_NUMBER, REGION_NOT_ENABLED, UNREACHABLE_NUMBER, NOT_A_MOBILE_NUMBER})


class SmsError(ServiceError):
    """A call to Twilio failed. Carries Twilio's error `code` and `message`, and the HTTP `status`.

    `status` and `code` are None when Twilio gave no answer.
    """

    service = "Twilio"
    #: Whether the message was certainly not sent, and sending it again after a pause may succeed.
    retryable = False
    #: Whether Twilio may have accepted (and so will send) the message though we never heard so.
    outcome_unknown = False


class SmsRejectedError(SmsError):
    """Twilio refused this message for good (a 4xx other than 401, 403 and 429); see `code`."""


class SmsRecipientError(SmsRejectedError):
    """The recipient's number cannot receive our texts: not a valid number (21211), not a mobile (21614),
    unreachable (21612) or in a country the account may not text (21408)."""


class SmsOptedOutError(SmsRejectedError):
    """The recipient replied STOP (21610): Twilio refuses every text to them from this sender until they
    reply START. Record the opt-out; never try to get around it."""


class SmsAuthError(SmsError):
    """Twilio refused our credentials (401) or this use of them (403)."""


class SmsRateLimitError(SmsError):
    """Twilio answered 429 without accepting the message; `retry_at` (aware UTC) is when it said to come
    back, None when it did not say."""

    retryable = True


class SmsServerError(SmsError):
    """Twilio answered that it could not take the request (503), or a read answered 5xx."""

    retryable = True


class SmsConnectionError(SmsError):
    """Twilio could not be reached: the request never left us."""

    retryable = True


class SmsTimeoutError(SmsConnectionError):
    """No connection within the client's timeout, or a read that got no answer in time."""


class SmsOutcomeUnknownError(SmsError):
    """A send got no usable answer after the request went out (a read timeout, a connection cut, 500, 502
    or 504): Twilio may have accepted the message, and sending again may send it twice."""

    outcome_unknown = True


def error_from_response(response: requests.Response, now: datetime, *, idempotent: bool) -> SmsError:
    """The SmsError matching a non-2xx answer from Twilio; `idempotent` when the call only reads."""
    status = response.status_code
    code, message = _code_and_message(response)
    retry_at = parse_retry_after(response.headers.get("Retry-After"), now)
    if status == 429:
        return SmsRateLimitError(message, status=status, code=code, retry_at=retry_at)
    if status >= 500:
        # 503 is Twilio turning the request away before taking it; any other 5xx may come after.
        if idempotent or status == 503:
            return SmsServerError(message, status=status, code=code, retry_at=retry_at)
        return SmsOutcomeUnknownError(message, status=status, code=code)
    if status in (401, 403):
        return SmsAuthError(message, status=status, code=code)
    if code == OPTED_OUT:
        return SmsOptedOutError(message, status=status, code=code)
    if code in RECIPIENT_CODES:
        return SmsRecipientError(message, status=status, code=code)
    return SmsRejectedError(message, status=status, code=code)


def error_from_exception(exc: requests.RequestException, timeout: float, *, idempotent: bool) -> SmsError:
    """The SmsError for a request that got no answer; never includes the URL (it holds the account SID).

    A send is known not to have reached Twilio only when no connection was made.
    """
    if isinstance(exc, requests.ConnectTimeout):
        return SmsTimeoutError(f"no connection within {timeout:g} s")
    if _never_connected(exc):
        return SmsConnectionError(f"could not reach Twilio ({type(exc).__name__})")
    if idempotent:
        if isinstance(exc, requests.Timeout):
            return SmsTimeoutError(f"no answer within {timeout:g} s")
        return SmsConnectionError(f"the connection to Twilio failed ({type(exc).__name__})")
    if isinstance(exc, requests.Timeout):
        return SmsOutcomeUnknownError(f"no answer within {timeout:g} s; the message may have been sent")
    return SmsOutcomeUnknownError(
        f"the connection to Twilio broke ({type(exc).__name__}); the message may have been sent"
    )


def _never_connected(exc: requests.RequestException) -> bool:
    """Whether the request failed before a connection existed: refused, or the name not found.

    Anything else — TLS errors included — may come after the request was written, so it is not counted.
    """
    if (
        isinstance(exc, requests.exceptions.SSLError)
        or not isinstance(exc, requests.ConnectionError)
        or isinstance(exc, requests.Timeout)
    ):
        return False
    cause = exc.args[0] if exc.args else None
    reason = cause.reason if isinstance(cause, MaxRetryError) else cause
    return isinstance(reason, NewConnectionError)


def _code_and_message(response: requests.Response) -> tuple[int | None, str]:
    """Twilio's error code and message ({"code", "message", "more_info", "status"}), numbers left out."""
    code, message = code_and_message(response)
    return code, _PHONE_NUMBER.sub("[number]", message)
