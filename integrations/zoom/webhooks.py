"""Zoom webhook notifications: signatures, the endpoint URL check, and the events we use."""

import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
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
    try:
        age = now.timestamp() - int(timestamp)
    except ValueError:
        raise WebhookSignatureError("timestamp is not a number") from None
    if abs(age) > tolerance:
        raise StaleWebhookError(f"timestamp is {age:.0f} s from now, more than {tolerance} s")


def url_validation_response(secret: str, plain_token: str) -> dict[str, str]:
    """The answer to `endpoint.url_validation`, proving we hold the webhook secret token."""
    encrypted = hmac.new(secret.encode(), plain_token.encode(), hashlib.sha256).hexdigest()
    return {"plainToken": plain_token, "encryptedToken": encrypted}


def parse_event(data: Mapping[str, Any] | bytes | str) -> WebhookEvent:
    """A WebhookEvent from a notification body (raw JSON or already decoded).

    Raises WebhookPayloadError for bodies that are not JSON objects, name another event, or lack the
    fields the event needs.
    """
    body = _decode(data)
    event = body.get("event")
    event_ts = body.get("event_ts")
    payload = body.get("payload")
    if not isinstance(event, str) or not isinstance(event_ts, int) or not isinstance(payload, Mapping):
        raise WebhookPayloadError("body needs `event` (text), `event_ts` (integer) and `payload` (object)")
    when = datetime.fromtimestamp(event_ts / 1000, UTC)
    if event == URL_VALIDATION:
        return WebhookEvent(event, when, plain_token=_text(payload, "plainToken", "payload"))
    if event not in MEETING_EVENTS:
        raise WebhookPayloadError(f"unsupported event {event!r}")
    meeting = payload.get("object")
    if not isinstance(meeting, Mapping) or meeting.get("id") in (None, ""):
        raise WebhookPayloadError("payload.object with the meeting `id` is missing")
    return WebhookEvent(
        event,
        when,
        meeting_id=str(meeting["id"]),
        meeting_uuid=meeting.get("uuid"),
        participant=_participant(meeting.get("participant"), event) if event in PARTICIPANT_EVENTS else None,
    )


def _decode(data: Mapping[str, Any] | bytes | str) -> Mapping[str, Any]:
    if isinstance(data, bytes | str):
        try:
            data = json.loads(data)
        except ValueError as exc:
            raise WebhookPayloadError(f"body is not JSON: {exc}") from None
    if not isinstance(data, Mapping):
        raise WebhookPayloadError("body is not a JSON object")
    return data


def _participant(data: Any, event: str) -> Participant:
    if not isinstance(data, Mapping):
        raise WebhookPayloadError(f"{event} without payload.object.participant")
    time_field = "join_time" if event == PARTICIPANT_JOINED else "leave_time"
    moment = _time(data, time_field)
    return Participant(
        user_name=_text(data, "user_name", "participant"),
        email=data.get("email") or None,
        registrant_id=data.get("registrant_id") or None,
        participant_user_id=data.get("participant_user_id") or data.get("id") or None,
        participant_id=data.get("user_id") or None,
        join_time=moment if time_field == "join_time" else None,
        leave_time=moment if time_field == "leave_time" else None,
    )


def _text(data: Mapping[str, Any], key: str, where: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value:
        raise WebhookPayloadError(f"{where}.{key} is missing")
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
    return moment.astimezone(UTC)
