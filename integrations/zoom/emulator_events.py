"""Webhook notifications the Zoom emulator sends, shaped and signed as Zoom's."""

import json
import secrets
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import requests

from integrations.zoom.models import format_zoom_time
from integrations.zoom.webhooks import (
    PARTICIPANT_EVENTS,
    PARTICIPANT_JOINED,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    sign,
)

DELIVERY_TIMEOUT = 3.0  # Zoom gives an endpoint three seconds to answer

_MEETING_FIELDS = ("uuid", "host_id", "topic", "type", "start_time", "timezone", "duration")


def event_body(
    event: str,
    meeting: Mapping[str, Any],
    *,
    account_id: str,
    participant: Mapping[str, Any],
    now: datetime,
) -> dict[str, Any]:
    """The notification Zoom sends for `event` on `meeting`; `participant` fills participant events."""
    meeting_object: dict[str, Any] = {
        "id": str(meeting["id"]),
        **{key: meeting[key] for key in _MEETING_FIELDS},
    }
    if event in PARTICIPANT_EVENTS:
        time_field = "join_time" if event == PARTICIPANT_JOINED else "leave_time"
        meeting_object["participant"] = {
            "user_id": str(secrets.randbelow(10**8)),
            "user_name": "Guest",
            "id": "",
            "participant_uuid": secrets.token_urlsafe(16),
            "email": "",
            "registrant_id": "",
            time_field: format_zoom_time(now),
            **participant,
        }
    return {
        "event": event,
        "event_ts": int(now.timestamp() * 1000),
        "payload": {"account_id": account_id, "object": meeting_object},
    }


def deliver(url: str, secret: str, body: Mapping[str, Any], now: datetime) -> int | None:
    """POST `body` to `url` signed with `secret`, as Zoom does; the receiver's HTTP status, or None when it
    could not be reached. As on Zoom, a receiver that is down never stops the meeting from starting or
    ending: the start page still opens."""
    raw = json.dumps(body).encode()
    timestamp = str(int(now.timestamp()))
    headers = {
        "Content-Type": "application/json",
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: sign(secret, timestamp, raw),
    }
    try:
        return requests.post(url, data=raw, headers=headers, timeout=DELIVERY_TIMEOUT).status_code
    except requests.RequestException:
        return None
