"""Plain values that the app hands to the emails package.

The app builds these from its database rows; nothing here knows where they came from. Every URL is
absolute and already signed by the app: a relative or non-web URL is refused when the value is
built, so a broken link can never reach a patient's inbox.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from emails.i18n import parse_locale


def require_absolute_url(url: str) -> str:
    """Return ``url`` unchanged if it is an absolute http(s) URL, else raise ``ValueError``.

    Emails are read far from our site, so a relative link would lead nowhere, and any other scheme
    (``javascript:``, ``data:``) has no business in a message to a patient.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.netloc or any(c.isspace() for c in url):
        raise ValueError(f"expected an absolute http(s) URL, got {url!r}")
    return url


def single_line(text: str) -> str:
    """Collapse every run of whitespace, line breaks included, into one space.

    For names that end up in headers and calendar properties, where a line break would either be
    refused or start something new.
    """
    return " ".join(text.split())


def require_utc(moment: datetime) -> datetime:
    """Return ``moment`` if it is an aware datetime in UTC, else raise ``ValueError``."""
    if moment.tzinfo is None or moment.utcoffset() != timedelta(0):
        raise ValueError(f"expected an aware UTC datetime, got {moment!r}")
    return moment


@dataclass(frozen=True)
class Program:
    """The programme that writes to people.

    ``name`` is how messages speak of the programme inside their bodies. What other people may glimpse
    on a screen or a phone, the sender's name in an inbox and calendar entries, shows ``shown_name``
    instead: the ``neutral_title`` where the programme has one (because its name names a diagnosis),
    else the name. ``address`` is the programme's mailbox: replies go there and calendar entries name
    it as ORGANIZER.
    """

    name: str
    organisation: str
    address: str
    neutral_title: str = ""

    @property
    def shown_name(self) -> str:
        """The sender's name in inboxes, and the organiser's name in calendars."""
        return single_line(self.neutral_title or self.name)


@dataclass(frozen=True)
class Person:
    """One recipient: a patient, a caregiver or a host.

    ``timezone`` is an IANA name; ``locale`` is a Babel locale identifier whose language we write in
    (``en``, ``en_GB``, ``es``, ``es_MX``…): the language picks the catalogue, the full locale the way
    dates and times are written. ``large_text`` for someone who asked for larger type.
    """

    display_name: str
    email: str
    timezone: str
    locale: str
    large_text: bool = False

    def __post_init__(self) -> None:
        # An unknown zone or language fails here, where the app builds the value, not mid-rendering.
        ZoneInfo(self.timezone)
        parse_locale(self.locale)


@dataclass(frozen=True)
class Links:
    """Links that every message carries in its footer and headers. A host's (`to_host`) lead to their host
    page, and the footer tells them they get it as a host, not as someone who registered; a coordinator's
    (`to_coordinator`) lead to the console and offer no unsubscribing: theirs are alerts, not a mailing."""

    manage_url: str
    unsubscribe_url: str | None
    to_host: bool = False
    to_coordinator: bool = False

    def __post_init__(self) -> None:
        require_absolute_url(self.manage_url)
        if self.unsubscribe_url is not None or not self.to_coordinator:
            require_absolute_url(self.unsubscribe_url)


@dataclass(frozen=True)
class AnswerLinks:
    """A member's two one-click answers for one meeting: "I'll be there" and "I can't come this time"."""

    coming_url: str
    not_coming_url: str

    def __post_init__(self) -> None:
        require_absolute_url(self.coming_url)
        require_absolute_url(self.not_coming_url)


@dataclass(frozen=True)
class AbsenceChoices:
    """A member's three answers to "do you want to stay?" after meetings missed without a word."""

    stay_url: str
    pause_url: str
    leave_url: str

    def __post_init__(self) -> None:
        for url in (self.stay_url, self.pause_url, self.leave_url):
            require_absolute_url(url)


@dataclass(frozen=True)
class SuggestedTime:
    """A time the matcher found would place a waiting person, with the link that adds it to their times."""

    starts_at_utc: datetime  # one week's meeting at that hour, for writing it in the person's zone
    add_url: str

    def __post_init__(self) -> None:
        require_utc(self.starts_at_utc)
        require_absolute_url(self.add_url)


@dataclass(frozen=True)
class MeetingDetails:
    """One cohort's meeting as calendars see it.

    ``uid`` never changes for the life of the meeting; ``sequence`` is raised by the app on every change
    (time, link, cancellation) so calendars replace the entry instead of adding a second one. Its title
    in calendars is the programme's neutral title, or its name (`templates/calendar_title.txt`), in each
    recipient's language.
    """

    uid: str
    sequence: int
    starts_at_utc: datetime
    ends_at_utc: datetime
    join_url: str

    def __post_init__(self) -> None:
        require_utc(self.starts_at_utc)
        require_utc(self.ends_at_utc)
        require_absolute_url(self.join_url)
        if self.ends_at_utc <= self.starts_at_utc:
            raise ValueError("a meeting must end after it starts")
        if self.sequence < 0:
            raise ValueError("SEQUENCE starts at 0")


@dataclass(frozen=True)
class DialIn:
    """How one member joins a meeting by phone: the number to call (the one for their country), then the
    meeting ID and the numeric passcode to key in."""

    number: str
    meeting_id: str
    passcode: str | None = None

    def __post_init__(self) -> None:
        if not self.meeting_id.isdigit() or not (self.passcode or "0").isdigit():
            raise ValueError("a phone keys in digits only: the meeting ID and passcode must be numbers")

    @property
    def spaced_meeting_id(self) -> str:
        """The meeting ID in groups, as Zoom writes it (`812 3456 7890`), easier to key in."""
        digits = self.meeting_id
        return " ".join(part for part in (digits[:3], digits[3:-4], digits[-4:]) if part)


@dataclass(frozen=True)
class CohortMember:
    """What a host may know about one member of their cohort: never an email address."""

    display_name: str
    stage: str
    timezone: str
    languages: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        ZoneInfo(self.timezone)


@dataclass(frozen=True)
class MeetingToOpen:
    """A meeting whose group has no host, that a coordinator opens from its page in the console."""

    group: int
    starts_at_utc: datetime
    ends_at_utc: datetime
    page_url: str  # the console's page of the meeting, with its start button

    def __post_init__(self) -> None:
        require_utc(self.starts_at_utc)
        require_utc(self.ends_at_utc)
        require_absolute_url(self.page_url)


class WaitlistReason(StrEnum):
    """Why the matcher could not place someone (the codes of the matcher's output)."""

    TOO_FEW_PEOPLE = "too_few_people"
    NO_SHARED_LANGUAGE = "no_shared_language"
    NO_COMMON_TIME = "no_common_time"
    STAGE_TOO_FAR = "stage_too_far"
    AVOID_CONFLICT = "avoid_conflict"
    NO_HOST = "no_host"
    NO_ROOM = "no_room"
    NO_MEETING_CAPACITY = "no_meeting_capacity"
    COORDINATOR = "coordinator"  # a coordinator took them out of a group to place them again
    NOT_MATCHED_YET = "not_matched_yet"  # no groups were formed since they registered
