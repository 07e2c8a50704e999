"""Zoom webhook notifications: signatures, the endpoint URL check, and the events we use."""

import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

SIGNATURE_HEADER = "x-zm-signature"
TIMESTAMP_HEADER = "x-zm-request-timestamp"

URL_VALIDATION = "endpoint.url_validation"
MEETING_STARTED = "meeting.started"
MEETING_ENDED = "meeting.ended"
MEETING_DELETED = "meeting.deleted"
PARTICIPANT_JOINED = "meeting.participant_joined"
PARTICIPANT_LEFT = "meeting.participant_left"
MEETING_EVENTS = frozenset(
    {MEETING_STARTED, MEETING_ENDED, MEETING_DELETED, PARTICIPANT_JOINED, PARTICIPANT_LEFT}
)
PARTICIPANT_EVENTS = frozenset({PARTICIPANT_JOINED, PARTICIPANT_LEFT})

# Bounds on what a genuine delivery holds. Zoom's signature proves who sent a body, not that it is sane, and
# a value outside these would otherwise fail deep in the database: a 5xx, which Zoom sends again later.
MAX_TIMESTAMP_DIGITS = 12  # Unix seconds until the year 33658
MAX_MEETING_ID_DIGITS = 19  # meeting ids are int64
MAX_TEXT_LENGTH = 200  # names, ids, addresses, tokens: each fits the attendance key it may become
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_LAST_EVENT_TS = (datetime(9999, 12, 31, tzinfo=UTC) - _EPOCH) // timedelta(milliseconds=1)


class WebhookError(ValueError):
    """A webhook delivery we must refuse."""


class WebhookSignatureError(WebhookError):
    """The signature is missing or does not match the body: not from Zoom, or altered."""


class StaleWebhookError(WebhookSignatureError):
    """The signed timestamp is too far from now: most likely a replay."""


class WebhookPayloadError(WebhookError):
    """The body is not a well-formed event of a kind we handle."""


@dataclass(frozen=True)
class Participant:
    """Who joined or left. `registrant_id` links them to their registration (their personal link).

    `participant_user_id` is their Zoom account's user id (None for guests); `participant_id` the id
    Zoom gives them within this meeting.
    """

    user_name: str
    email: str | None
    registrant_id: str | None
    participant_user_id: str | None
    participant_id: str | None
    join_time: datetime | None
    leave_time: datetime | None


@dataclass(frozen=True)
class WebhookEvent:
    """A parsed notification. The meeting id is text, as Zoom sends it in webhooks.

    `plain_token` is set only for `endpoint.url_validation`, `participant` only for participant events.
    """

    event: str
    event_ts: datetime
    meeting_id: str | None = None
    meeting_uuid: str | None = None
    participant: Participant | None = None
    plain_token: str | None = None


def sign(secret: str, timestamp: str | int, body: bytes) -> str:
    """The `x-zm-signature` value Zoom sends with `body` signed at `timestamp` (Unix seconds)."""
    message = b"v0:" + str(timestamp).encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def verify_signature(
    secret: str,
    timestamp: str | None,
    raw_body: bytes,
    signature: str | None,
    now: datetime,
    tolerance: int = 300,
) -> None:
    """Check a delivery came from Zoom, unaltered and recently.

    Raises WebhookSignatureError when the signature is missing or wrong, StaleWebhookError when the
    timestamp is more than `tolerance` seconds from `now`: a replayed old request is refused even
    though its signature is genuine.
    """
    if not timestamp or not signature:
        raise WebhookSignatureError("missing signature or timestamp header")
    expected = sign(secret, timestamp, raw_body)
    if not hmac.compare_digest(expected.encode(), signature.encode()):
        raise WebhookSignatureError("signature does not match")
    # Checked after the signature, so an attacker cannot learn anything from the stale answer.
    if not (timestamp.isascii() and timestamp.isdigit()) or len(timestamp) > MAX_TIMESTAMP_DIGITS:
        raise WebhookSignatureError("timestamp is not a number of seconds")
    age = now.timestamp() - int(timestamp)
    if abs(age) > tolerance:
        raise StaleWebhookError(f"timestamp is {age:.0f} s from now, more than {tolerance} s")


def url_validation_response(secret: str, plain_token: str) -> dict[str, str]:
    """The answer to `endpoint.url_validation`, proving we hold the webhook secret token."""
    encrypted = hmac.new(secret.encode(), plain_token.encode(), hashlib.sha256).hexdigest()
    return {"plainToken": plain_token, "encryptedToken": encrypted}


def parse_event(data: Mapping[str, Any] | bytes | str) -> WebhookEvent:
    """A WebhookEvent from a notification body (raw JSON or already decoded).

    Raises WebhookPayloadError for bodies that are not JSON objects, name another event, lack the fields
    the event needs, or hold what no genuine delivery does: a field of the wrong type, a time out of range,
    text longer than MAX_TEXT_LENGTH or that no database can store.
    """
    body = _decode(data)
    event = body.get("event")
    payload = body.get("payload")
    if not isinstance(event, str) or not isinstance(payload, Mapping):
        raise WebhookPayloadError("body needs `event` (text), `event_ts` (integer) and `payload` (object)")
    when = _event_time(body.get("event_ts"))
    if event == URL_VALIDATION:
        return WebhookEvent(event, when, plain_token=_text(payload, "plainToken", "payload"))
    if event not in MEETING_EVENTS:
        raise WebhookPayloadError(f"unsupported event {event!r}")
    meeting = payload.get("object")
    if not isinstance(meeting, Mapping):
        raise WebhookPayloadError("payload.object with the meeting `id` is missing")
    return WebhookEvent(
        event,
        when,
        meeting_id=_meeting_id(meeting.get("id")),
        meeting_uuid=_optional_text(meeting, "uuid", "payload.object"),
        participant=_participant(meeting.get("participant"), event) if event in PARTICIPANT_EVENTS else None,
    )


def _decode(data: Mapping[str, Any] | bytes | str) -> Mapping[str, Any]:
    if isinstance(data, bytes | str):
        try:
            data = json.loads(data)
        except ValueError as exc:
            raise WebhookPayloadError(f"body is not JSON: {exc}") from None
        except RecursionError:
            raise WebhookPayloadError("body is not JSON we can read: nested too deeply") from None
    if not isinstance(data, Mapping):
        raise WebhookPayloadError("body is not a JSON object")
    return data


def _event_time(value: Any) -> datetime:
    """`event_ts` (milliseconds since 1970) as an aware datetime. JSON's `true` is no number of milliseconds,
    though Python counts bool as int."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= _LAST_EVENT_TS:
        raise WebhookPayloadError("`event_ts` must be a whole number of milliseconds since 1970")
    return _EPOCH + timedelta(milliseconds=value)


def _meeting_id(value: Any) -> str:
    """The meeting id as text: Zoom sends a string of digits in webhooks, a number from the REST API."""
    if value is None or value == "":
        raise WebhookPayloadError("payload.object with the meeting `id` is missing")
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not (isinstance(value, str) and value.isascii() and value.isdigit()):
        raise WebhookPayloadError("payload.object.id is not a meeting id (digits)")
    if len(value) > MAX_MEETING_ID_DIGITS:
        raise WebhookPayloadError("payload.object.id is too long for a meeting id")
    return value


def _participant(data: Any, event: str) -> Participant:
    if not isinstance(data, Mapping):
        raise WebhookPayloadError(f"{event} without payload.object.participant")
    time_field = "join_time" if event == PARTICIPANT_JOINED else "leave_time"
    moment = _time(data, time_field)
    return Participant(
        user_name=_text(data, "user_name", "participant"),
        email=_optional_text(data, "email", "participant"),
        registrant_id=_optional_text(data, "registrant_id", "participant"),
        participant_user_id=_optional_text(data, "participant_user_id", "participant")
        or _optional_text(data, "id", "participant"),
        participant_id=_optional_text(data, "user_id", "participant"),
        join_time=moment if time_field == "join_time" else None,
        leave_time=moment if time_field == "leave_time" else None,
    )


def _text(data: Mapping[str, Any], key: str, where: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value:
        raise WebhookPayloadError(f"{where}.{key} is missing")
    return _storable(value, f"{where}.{key}")


def _optional_text(data: Mapping[str, Any], key: str, where: str) -> str | None:
    """An optional id or address: None when absent or empty; a number is taken as its digits."""
    value = data.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise WebhookPayloadError(f"{where}.{key} must be text")
    return _storable(value, f"{where}.{key}")


def _storable(value: str, name: str) -> str:
    """`value`, when a database can store it and it is no longer than any genuine one.

    JSON can carry a lone surrogate (`"\\ud800"`), which no encoder accepts, and NUL, which PostgreSQL
    refuses in text columns.
    """
    if len(value) > MAX_TEXT_LENGTH:
        raise WebhookPayloadError(f"{name} is longer than {MAX_TEXT_LENGTH} characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise WebhookPayloadError(f"{name} is not valid text") from None
    if "\x00" in value:
        raise WebhookPayloadError(f"{name} is not valid text")
    return value


def _time(data: Mapping[str, Any], key: str) -> datetime:
    """An aware UTC datetime from a participant's `join_time`/`leave_time`."""
    value = _text(data, key, "participant")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise WebhookPayloadError(f"participant.{key} is not a date-time: {value!r}") from None
    if moment.tzinfo is None:
        raise WebhookPayloadError(f"participant.{key} has no time zone: {value!r}")
    try:
        return moment.astimezone(UTC)
    except OverflowError:  # "0001-01-01T00:00:00+01:00" is a moment before the first year
        raise WebhookPayloadError(f"participant.{key} is out of range: {value!r}") from None
