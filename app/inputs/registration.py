"""What a registrant tells us, checked: one set of rules for the web form, the JSON API and self-service.

Input arrives as plain JSON-like values (the form adapter in `app.forms` turns form fields into the same
shape), is checked field by field against what the program offers, and comes out as a frozen, typed value.
Every problem is reported at once, keyed by field name, in words a patient can act on, in their language.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.inputs.fields import N_, FieldProblem, FieldReader, Rule
from app.inputs.phone import PHONE_FIELDS, read_texts
from app.inputs.rules import choices, email_address, known_timezones, one_of, text
from app.models import Role

ROLES = tuple(role.value for role in Role)
ACCESSIBILITY_NEEDS = ("captions", "phone", "large_text", "other")
MAX_DISPLAY_NAME_LENGTH = 60
MAX_NOTE_LENGTH = 500
MAX_WINDOWS = 42
TIME_PATTERN = r"^([01]\d|2[0-3]):[0-5]\d$"
REQUIRED_FIELDS = ("email", "display_name", "role", "condition", "stage", "timezone", "languages")
REQUIRED_FIELDS += ("availability", "consent")
OPTIONAL_FIELDS = ("accessibility_needs", "accessibility_note", *PHONE_FIELDS)
CHANGEABLE_FIELDS = ("stage", "timezone", "languages", "availability")
# What to say when a field is left out; some rules say the same when it is empty.
ASK_FOR = {
    "email": N_("Enter your email address."),
    "display_name": N_("Enter the name you would like others to see."),
    "role": N_("Tell us whether you live with the condition or care for someone who does."),
    "condition": N_("Choose the condition you live with."),
    "stage": N_("Choose your stage, or “I’m not sure”."),
    "timezone": N_("Choose your time zone."),
    "languages": N_("Choose at least one language you can talk in."),
    "availability": N_("Choose at least one time when you could usually meet."),
    "consent": N_("Please confirm that you have read how we use your information."),
}
_TIME = re.compile(TIME_PATTERN)
_EMAIL = email_address(ASK_FOR["email"], N_("Enter an email address like name@example.com."))


@dataclass(frozen=True)
class ProgramChoices:
    """What a program offers: its conditions (code → stage codes in order) and its languages; and the
    country that numbers written without "+country" come from."""

    conditions: Mapping[str, tuple[str, ...]]
    languages: tuple[str, ...]
    country: str = "US"


@dataclass(frozen=True)
class Window:
    """A stretch of a weekday, in the registrant's own time zone (Monday = 0)."""

    weekday: int
    start: str
    end: str

    def as_dict(self) -> dict[str, Any]:
        return {"weekday": self.weekday, "start": self.start, "end": self.end}


@dataclass(frozen=True)
class Preferences:
    """The answers a registrant may change later through their self-service link."""

    stage: str | None
    timezone: str
    languages: tuple[str, ...]
    availability: tuple[Window, ...]

    def as_columns(self) -> dict[str, Any]:
        """Values for the participant row; the stage stays a code, resolved to a row by the service."""
        return {
            "timezone": self.timezone,
            "languages": list(self.languages),
            "availability": [window.as_dict() for window in self.availability],
        }


@dataclass(frozen=True)
class Registration(Preferences):
    email: str
    display_name: str
    role: str
    condition: str
    accessibility_needs: tuple[str, ...]
    accessibility_note: str
    phone: str | None = None  # E.164
    sms_consent: bool = False  # texts wanted at `phone` (consent of its own, apart from `consent`)

    def as_json(self) -> dict[str, Any]:
        """A JSON-safe copy, as kept in `pending_changes` until the registrant confirms their email."""
        return {
            "email": self.email,
            "display_name": self.display_name,
            "role": self.role,
            "condition": self.condition,
            "stage": self.stage,
            "timezone": self.timezone,
            "languages": list(self.languages),
            "availability": [window.as_dict() for window in self.availability],
            "accessibility_needs": list(self.accessibility_needs),
            "accessibility_note": self.accessibility_note,
            "phone": self.phone,
            "sms_consent": self.sms_consent,
            "consent": True,
        }


def validate_registration(data: Mapping[str, Any], offered: ProgramChoices) -> Registration:
    reader = _reader(data, REQUIRED_FIELDS + OPTIONAL_FIELDS)
    condition = reader.read(
        "condition", one_of(offered.conditions, N_("Choose one of the conditions listed."))
    )
    values = {
        "email": reader.read("email", _EMAIL),
        "display_name": reader.read("display_name", _display_name),
        "role": reader.read("role", one_of(ROLES, ASK_FOR["role"])),
        "condition": condition,
        **_read_preferences(reader, offered, condition),
        "accessibility_needs": reader.read("accessibility_needs", choices(ACCESSIBILITY_NEEDS), default=()),
        "accessibility_note": reader.read("accessibility_note", text(MAX_NOTE_LENGTH), default=""),
    }
    texts = read_texts(reader, offered.country)
    reader.read("consent", _consent)
    if condition is None:
        reader.errors.pop("stage", None)  # a stage means nothing until the condition is known
    reader.finish()
    return Registration(**values, phone=texts.phone, sms_consent=texts.sms_consent)


def validate_preferences(data: Mapping[str, Any], offered: ProgramChoices, condition: str) -> Preferences:
    """The changeable answers alone, checked by the same rules, for someone whose condition is known."""
    reader = _reader(data, CHANGEABLE_FIELDS)
    values = _read_preferences(reader, offered, condition)
    reader.finish()
    return Preferences(**values)


def validate_email_address(value: Any) -> str:
    """One address alone, normalised as registrations store it (for asking for a new link)."""
    reader = _reader({"email": value}, ("email",))
    email = reader.read("email", _EMAIL)
    reader.finish()
    return email


def _reader(data: Mapping[str, Any], fields: tuple[str, ...]) -> FieldReader:
    return FieldReader(data, translated=True, required=ASK_FOR, expected=fields)


def _read_preferences(reader: FieldReader, offered: ProgramChoices, condition: str | None) -> dict[str, Any]:
    each_once = N_("Choose only languages from the list, each once.")
    languages = choices(offered.languages, ASK_FOR["languages"], unknown=each_once, repeated=each_once)
    return {
        "stage": reader.read("stage", _stage(offered, condition)),
        "timezone": reader.read("timezone", _timezone),
        "languages": reader.read("languages", languages),
        "availability": reader.read("availability", _availability),
    }


def _display_name(value: Any) -> str:
    name = text(MAX_DISPLAY_NAME_LENGTH, ASK_FOR["display_name"], one_line=True)(value)
    if "@" in name:
        # Others in the group see this name, so an address here would undo the anonymity people rely on.
        raise FieldProblem(N_("Please use a first name or nickname here, not an email address."))
    return name


def _timezone(value: Any) -> str:
    return one_of(known_timezones(), N_("Choose a time zone from the list, such as Europe/Madrid."))(value)


def _stage(offered: ProgramChoices, condition: str | None) -> Rule:
    """`None` means “I’m not sure”: the registrant is matched without a stage."""

    def rule(value: Any) -> str | None:
        if value is None or condition is None:
            return None  # without a condition, the condition's own message says what to fix first
        if not isinstance(value, str) or value not in offered.conditions[condition]:
            raise FieldProblem(N_("Choose one of the stages listed for your condition, or “I’m not sure”."))
        return value

    return rule


def _availability(value: Any) -> tuple[Window, ...]:
    if not isinstance(value, list) or not value:
        raise FieldProblem(ASK_FOR["availability"])
    if len(value) > MAX_WINDOWS:
        raise FieldProblem(N_("Please give at most %(count)d times."), count=MAX_WINDOWS)
    windows = tuple(_window(item) for item in value)
    return tuple(dict.fromkeys(windows))


def _window(item: Any) -> Window:
    if not isinstance(item, dict) or set(item) != {"weekday", "start", "end"}:
        raise FieldProblem(N_("Each time needs a weekday, a start and an end."))
    weekday, start, end = item["weekday"], item["start"], item["end"]
    if not isinstance(weekday, int) or isinstance(weekday, bool) or not 0 <= weekday <= 6:
        raise FieldProblem(N_("Each weekday must be a number from 0 (Monday) to 6 (Sunday)."))
    if not all(isinstance(time, str) and _TIME.match(time) for time in (start, end)):
        raise FieldProblem(N_("Write times as hours and minutes, like 09:30."))
    if end <= start:
        raise FieldProblem(N_("Each time must end after it starts."))
    return Window(weekday, start, end)


def _consent(value: Any) -> bool:
    if value is not True:
        raise FieldProblem(ASK_FOR["consent"])
    return True
