"""The request bodies we send to Zoom, and the idempotency marker we hide in a meeting's agenda."""

import re
import secrets
import string
from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum
from typing import Any

from integrations.zoom.models import format_zoom_time

# Zoom lists a user's meetings with the agenda cut to 250 characters, so the marker goes first and
# keys are kept short enough to always survive the cut.
_KEY_PATTERN = re.compile(r"[A-Za-z0-9_.:-]{1,64}")
AGENDA_MAX_LENGTH = 2000  # the spec's maxLength for `agenda`

# Zoom passcodes: at most 10 characters, letters, digits and @-_*. We use letters and digits only,
# with every class present, which also satisfies accounts that demand complex passcodes.
PASSCODE_LENGTH = 10
_PASSCODE_CLASSES = (string.ascii_lowercase, string.ascii_uppercase, string.digits)


class RegistrantAction(StrEnum):
    """What `PUT /meetings/{meetingId}/registrants/status` does to the registrants it names."""

    APPROVE = "approve"
    CANCEL = "cancel"
    DENY = "deny"


def key_marker(key: str) -> str:
    """The agenda marker that identifies the meeting created for idempotency key `key`."""
    if not _KEY_PATTERN.fullmatch(key):
        raise ValueError("idempotency key must be 1-64 characters from A-Z a-z 0-9 _ . : -")
    return f"[pm:{key}]"


def new_passcode() -> str:
    """A random meeting passcode within Zoom's rules, holding a lower-case letter, a capital and a digit."""
    alphabet = "".join(_PASSCODE_CLASSES)
    while True:
        passcode = "".join(secrets.choice(alphabet) for _ in range(PASSCODE_LENGTH))
        if all(any(char in chars for char in passcode) for chars in _PASSCODE_CLASSES):
            return passcode


def create_meeting_body(
    *,
    topic: str,
    start_time: datetime,
    duration: int,
    timezone: str,
    idempotency_key: str,
    agenda: str,
    alternative_hosts: Sequence[str],
) -> dict[str, Any]:
    """The body of `POST /users/{userId}/meetings` for a cohort's meeting."""
    full_agenda = f"{key_marker(idempotency_key)} {agenda}".rstrip()
    if len(full_agenda) > AGENDA_MAX_LENGTH:
        raise ValueError(f"agenda longer than Zoom's {AGENDA_MAX_LENGTH} characters")
    settings: dict[str, Any] = {
        "waiting_room": True,
        "join_before_host": False,
        "mute_upon_entry": True,
        "auto_recording": "none",
        # Registration, approved automatically: each participant gets a personal join link, so
        # attendance can be matched to a person.
        "approval_type": 0,
        "registration_type": 1,
        # We send our own invitations and reminders; Zoom's would duplicate them.
        "registrants_confirmation_email": False,
        "registrants_email_notification": False,
    }
    if alternative_hosts:
        settings["alternative_hosts"] = ";".join(alternative_hosts)
    return {
        "topic": topic,
        "type": 2,  # scheduled
        "start_time": format_zoom_time(start_time),
        "duration": duration,
        "timezone": timezone,
        "agenda": full_agenda,
        "password": new_passcode(),
        "settings": settings,
    }


def captions_settings_body() -> dict[str, Any]:
    """The body of `PATCH /users/{userId}/settings` that lets the user's meetings show captions.

    Zoom's meeting settings have no caption fields: captions are a setting of the user who hosts the
    meeting. `enable` lets the host type captions or assign someone to; `auto_transcribing` gives everyone
    Zoom's automatic captions, which each participant turns on for themselves.
    """
    return {"in_meeting": {"closed_captioning": {"enable": True, "auto_transcribing": True}}}


def update_time_body(start_time: datetime, duration: int | None) -> dict[str, Any]:
    """The body of `PATCH /meetings/{meetingId}` that moves a meeting."""
    body: dict[str, Any] = {"start_time": format_zoom_time(start_time)}
    if duration is not None:
        body["duration"] = duration
    return body


def registrant_body(email: str, first_name: str, last_name: str | None) -> dict[str, Any]:
    """The body of `POST /meetings/{meetingId}/registrants`."""
    body = {"email": email, "first_name": first_name}
    if last_name:
        body["last_name"] = last_name
    return body


def registrant_status_body(action: RegistrantAction, registrant_id: str, email: str | None) -> dict[str, Any]:
    """The body of `PUT /meetings/{meetingId}/registrants/status` for one registrant.

    Zoom finds the registrant by `id`; the email goes along when we still know it (not after an erasure).
    """
    if not registrant_id:
        raise ValueError("a registrant id is needed to change a registration")
    registrant = {"id": registrant_id}
    if email:
        registrant["email"] = email
    return {"action": RegistrantAction(action).value, "registrants": [registrant]}
