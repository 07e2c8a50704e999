"""The small values the Zoom client returns: only the fields the application uses.

Secrets (tokens, passcodes, start and join links) are left out of every repr, so that logging one
of these objects never leaks them.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any


@dataclass(frozen=True)
class Token:
    """A server-to-server OAuth access token and the API base URL it is valid for."""

    access_token: str = field(repr=False)
    expires_at: datetime
    api_base_url: str


@dataclass(frozen=True)
class DialInNumber:
    """One number people may call to join by phone: `country` is ISO 3166 alpha-2, `kind` toll or tollfree."""

    country: str
    number: str
    city: str = ""
    kind: str = "toll"

    @classmethod
    def from_api(cls, payload: Mapping[str, Any]) -> "DialInNumber":
        """A DialInNumber from one entry of a meeting's `settings.global_dial_in_numbers`."""
        return cls(
            country=payload.get("country", ""),
            number=payload["number"],
            city=payload.get("city", ""),
            kind=payload.get("type", "toll"),
        )


@dataclass(frozen=True)
class Meeting:
    """A scheduled Zoom meeting.

    `join_url` embeds the passcode; `start_url` starts the meeting as host and expires after about two
    hours, so it is only present on freshly fetched meetings and must never be stored or emailed.
    People joining by phone call one of `dial_in_numbers`, key in the meeting `id`, then `phone_passcode`
    (the numeric passcode Zoom answers as `h323_password`).
    """

    id: int
    topic: str
    start_time: datetime
    duration: int
    timezone: str
    join_url: str = field(repr=False)
    password: str = field(repr=False)
    start_url: str | None = field(default=None, repr=False)
    dial_in_numbers: tuple[DialInNumber, ...] = ()
    phone_passcode: str = field(default="", repr=False)

    @classmethod
    def from_api(cls, payload: Mapping[str, Any]) -> "Meeting":
        """A Meeting from Zoom's create or get answer."""
        numbers = payload.get("settings", {}).get("global_dial_in_numbers", [])
        return cls(
            id=int(payload["id"]),
            topic=payload["topic"],
            start_time=parse_zoom_time(payload["start_time"]),
            duration=int(payload["duration"]),
            timezone=payload.get("timezone", "UTC"),
            join_url=payload["join_url"],
            password=payload.get("password", ""),
            start_url=payload.get("start_url"),
            dial_in_numbers=tuple(DialInNumber.from_api(number) for number in numbers),
            phone_passcode=payload.get("h323_password", ""),
        )


@dataclass(frozen=True)
class Registrant:
    """A participant registered to a meeting, with the personal link that identifies them on joining."""

    meeting_id: int
    registrant_id: str
    join_url: str = field(repr=False)

    @classmethod
    def from_api(cls, payload: Mapping[str, Any]) -> "Registrant":
        """A Registrant from Zoom's add-registrant answer."""
        return cls(
            meeting_id=int(payload["id"]),
            registrant_id=payload["registrant_id"],
            join_url=payload["join_url"],
        )


def parse_zoom_time(value: str) -> datetime:
    """An aware UTC datetime from Zoom's `2026-03-01T17:00:00Z`."""
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError(f"time without offset: {value!r}")
    return moment.astimezone(UTC)


def format_zoom_time(moment: datetime) -> str:
    """Zoom's UTC form with `Z`, from an aware datetime (naive ones are refused: their zone is unknown)."""
    if moment.tzinfo is None:
        raise ValueError("start_time must be timezone-aware")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
