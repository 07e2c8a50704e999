"""Webhook signatures, the endpoint URL check and event parsing."""

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta

import pytest

from integrations.zoom.webhooks import (
    StaleWebhookError,
    WebhookPayloadError,
    WebhookSignatureError,
    parse_event,
    sign,
    url_validation_response,
    verify_signature,
)

SECRET = "webhook-secret-test"
NOW = datetime(2026, 3, 2, 15, 0, 0, tzinfo=UTC)
TIMESTAMP = str(int(NOW.timestamp()))
BODY = b'{"event":"meeting.started","event_ts":1772463600000,"payload":{"object":{"id":"85746065"}}}'


def zoom_signature(secret: str, timestamp: str, body: bytes) -> str:
    """The signature as Zoom's documentation defines it, written out independently of `sign`."""
    return "v0=" + hmac.new(secret.encode(), f"v0:{timestamp}:".encode() + body, hashlib.sha256).hexdigest()


def test_sign_matches_zooms_definition():
    assert sign(SECRET, TIMESTAMP, BODY) == zoom_signature(SECRET, TIMESTAMP, BODY)


def test_genuine_recent_delivery_is_accepted():
    verify_signature(
        SECRET, TIMESTAMP, BODY, zoom_signature(SECRET, TIMESTAMP, BODY), now=NOW + timedelta(seconds=4)
    )


@pytest.mark.parametrize(
    ("secret", "body", "signature"),
    [
        ("another-secret", BODY, None),
        (SECRET, BODY.replace(b"85746065", b"85746066"), None),
        (SECRET, BODY, "v0=" + "0" * 64),
        (SECRET, BODY, ""),
    ],
    ids=["wrong secret", "altered body", "forged signature", "missing signature"],
)
def test_delivery_not_signed_by_zoom_is_refused(secret, body, signature):
    signature = zoom_signature(secret, TIMESTAMP, BODY) if signature is None else signature
    with pytest.raises(WebhookSignatureError):
        verify_signature(SECRET, TIMESTAMP, body, signature, now=NOW)


def test_stale_delivery_is_refused():
    old = str(int((NOW - timedelta(minutes=6)).timestamp()))
    with pytest.raises(StaleWebhookError):
        verify_signature(SECRET, old, BODY, zoom_signature(SECRET, old, BODY), now=NOW)


def test_replay_with_a_fresh_timestamp_but_the_old_signature_is_refused():
    fresh = str(int(NOW.timestamp()) + 400)
    old_signature = zoom_signature(SECRET, TIMESTAMP, BODY)
    with pytest.raises(WebhookSignatureError) as raised:
        verify_signature(SECRET, fresh, BODY, old_signature, now=NOW + timedelta(seconds=400))
    assert not isinstance(raised.value, StaleWebhookError)


def test_replayed_delivery_is_refused_once_its_timestamp_is_old():
    signature = zoom_signature(SECRET, TIMESTAMP, BODY)
    verify_signature(SECRET, TIMESTAMP, BODY, signature, now=NOW)
    with pytest.raises(StaleWebhookError):
        verify_signature(SECRET, TIMESTAMP, BODY, signature, now=NOW + timedelta(seconds=301))


def test_url_validation_answer_proves_we_hold_the_secret():
    answer = url_validation_response(SECRET, "qgg8vlvZRS6UYooatFL8Aw")
    expected = hmac.new(SECRET.encode(), b"qgg8vlvZRS6UYooatFL8Aw", hashlib.sha256).hexdigest()
    assert answer == {"plainToken": "qgg8vlvZRS6UYooatFL8Aw", "encryptedToken": expected}


def test_url_validation_event_carries_the_plain_token():
    event = parse_event(
        {"event": "endpoint.url_validation", "event_ts": 1772463600000, "payload": {"plainToken": "abc"}}
    )
    assert (event.event, event.plain_token, event.event_ts) == ("endpoint.url_validation", "abc", NOW)


def meeting_event(event: str, participant: dict | None = None, meeting_id: object = 85746065) -> dict:
    meeting = {"id": meeting_id, "uuid": "4444AAAiAAAAAiAiAiiAii==", "topic": "Peer meet-up"}
    if participant is not None:
        meeting["participant"] = participant
    return {"event": event, "event_ts": 1772463600123, "payload": {"account_id": "acc", "object": meeting}}


@pytest.mark.parametrize("name", ["meeting.started", "meeting.ended", "meeting.deleted"])
def test_meeting_event_gives_the_meeting_id_as_text(name):
    event = parse_event(json.dumps(meeting_event(name)).encode())
    assert (event.event, event.meeting_id, event.meeting_uuid) == (
        name,
        "85746065",
        "4444AAAiAAAAAiAiAiiAii==",
    )
    assert event.participant is None
    assert event.event_ts == NOW + timedelta(milliseconds=123)


def test_participant_joined_names_the_registrant_and_join_time():
    participant = {
        "user_id": "16778240",
        "user_name": "Ana Silva",
        "id": "iFxeBPYun6SAiWUzBcEkX",
        "email": "ana@example.org",
        "registrant_id": "abcdefghij0-klmnopq23456",
        "join_time": "2026-03-02T15:01:30Z",
    }
    event = parse_event(meeting_event("meeting.participant_joined", participant, meeting_id="85746065"))

    assert event.participant is not None
    assert event.participant.registrant_id == "abcdefghij0-klmnopq23456"
    assert event.participant.email == "ana@example.org"
    assert event.participant.participant_user_id == "iFxeBPYun6SAiWUzBcEkX"
    assert event.participant.participant_id == "16778240"
    assert event.participant.join_time == datetime(2026, 3, 2, 15, 1, 30, tzinfo=UTC)
    assert event.participant.leave_time is None


def test_participant_left_gives_the_leave_time_for_a_guest():
    participant = {"user_id": "1", "user_name": "Guest", "email": "", "leave_time": "2026-03-02T16:00:00Z"}
    event = parse_event(meeting_event("meeting.participant_left", participant))

    assert event.participant is not None
    assert (event.participant.email, event.participant.registrant_id) == (None, None)
    assert event.participant.leave_time == datetime(2026, 3, 2, 16, tzinfo=UTC)


@pytest.mark.parametrize(
    ("body", "complaint"),
    [
        (b"not json", "not JSON"),
        (b"[1, 2]", "not a JSON object"),
        ({"event": "meeting.started", "payload": {}}, "event_ts"),
        ({"event": "recording.completed", "event_ts": 1, "payload": {}}, "unsupported event"),
        ({"event": "meeting.started", "event_ts": 1, "payload": {"object": {}}}, "meeting `id`"),
        ({"event": "endpoint.url_validation", "event_ts": 1, "payload": {}}, "plainToken"),
        (meeting_event("meeting.participant_joined"), "participant"),
        (meeting_event("meeting.participant_joined", {"user_name": "A"}), "join_time"),
        (
            meeting_event("meeting.participant_joined", {"user_name": "A", "join_time": "soon"}),
            "not a date-time",
        ),
        (
            meeting_event(
                "meeting.participant_left", {"user_name": "A", "leave_time": "2026-03-02T16:00:00"}
            ),
            "time zone",
        ),
    ],
)
def test_malformed_payload_is_refused_with_a_clear_reason(body, complaint):
    with pytest.raises(WebhookPayloadError, match=complaint):
        parse_event(body)
