"""The one set of rules for what a registrant tells us, shared by the web form, the JSON API and self-service.

Input arrives as plain JSON-like values (the form adapter in `app.forms` turns form fields into the same
shape), is checked field by field against what the program offers, and comes out as a frozen, typed value.
Every problem is reported at once, keyed by field name, in words a patient can act on.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any
from zoneinfo import available_timezones

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _

from app.models import Role

ROLES = tuple(role.value for role in Role)
ACCESSIBILITY_NEEDS = ("captions", "phone", "large_text", "other")
MAX_EMAIL_LENGTH = 320
MAX_DISPLAY_NAME_LENGTH = 60
MAX_NOTE_LENGTH = 500
MAX_WINDOWS = 42
TIME_PATTERN = r"^([01]\d|2[0-3]):[0-5]\d$"
REQUIRED_FIELDS = ("email", "display_name", "role", "condition", "stage", "timezone", "languages")
REQUIRED_FIELDS += ("availability", "consent")
OPTIONAL_FIELDS = ("accessibility_needs", "accessibility_note")
CHANGEABLE_FIELDS = ("stage", "timezone", "languages", "availability")
_TIME = re.compile(TIME_PATTERN)
_CONTROL = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")
# A note may run over several lines; lone surrogates (valid JSON escapes, not text) are refused everywhere.
_NOTE_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


@dataclass(frozen=True)
class ProgramChoices:
    """What a program offers: its conditions (code → stage codes in order) and its languages."""

    conditions: Mapping[str, tuple[str, ...]]
    languages: tuple[str, ...]


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
            "consent": True,
        }


class InvalidInput(ValueError):
    """The input broke one or more rules; `errors` maps each field to one message for it."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(", ".join(sorted(errors)))
        self.errors = errors


def validate_registration(data: Mapping[str, Any], choices: ProgramChoices) -> Registration:
    errors = _unexpected_fields(data, REQUIRED_FIELDS + OPTIONAL_FIELDS)
    condition = _check(errors, "condition", data, lambda value: _condition(value, choices))
    values = {
        "email": _check(errors, "email", data, _email),
        "display_name": _check(errors, "display_name", data, _display_name),
        "role": _check(errors, "role", data, _role),
        "condition": condition,
        "stage": _check(errors, "stage", data, lambda value: _stage(value, choices, condition)),
        "timezone": _check(errors, "timezone", data, _timezone),
        "languages": _check(errors, "languages", data, lambda value: _languages(value, choices)),
        "availability": _check(errors, "availability", data, _availability),
        "accessibility_needs": _check(errors, "accessibility_needs", data, _accessibility_needs, ()),
        "accessibility_note": _check(errors, "accessibility_note", data, _note, ""),
    }
    _check(errors, "consent", data, _consent)
    if condition is None:
        errors.pop("stage", None)  # a stage means nothing until the condition is known
    if errors:
        raise InvalidInput(errors)
    return Registration(**values)


def validate_preferences(data: Mapping[str, Any], choices: ProgramChoices, condition: str) -> Preferences:
    """The changeable answers alone, checked by the same rules, for someone whose condition is known."""
    errors = _unexpected_fields(data, CHANGEABLE_FIELDS)
    values = {
        "stage": _check(errors, "stage", data, lambda value: _stage(value, choices, condition)),
        "timezone": _check(errors, "timezone", data, _timezone),
        "languages": _check(errors, "languages", data, lambda value: _languages(value, choices)),
        "availability": _check(errors, "availability", data, _availability),
    }
    if errors:
        raise InvalidInput(errors)
    return Preferences(**values)


def validate_email_address(value: Any) -> str:
    """One address alone, normalised as registrations store it (for asking for a new link)."""
    try:
        return _email(value)
    except _Problem as problem:
        raise InvalidInput({"email": str(problem)}) from None


class _Problem(ValueError):
    """One field's rule was broken; the message is shown next to that field."""


_MISSING = object()


def _check(errors: dict[str, str], field: str, data: Mapping[str, Any], rule: Callable, default=_MISSING):
    if field not in data:
        if default is _MISSING:
            errors[field] = _missing_message(field)
            return None
        return default
    try:
        return rule(data[field])
    except _Problem as problem:
        errors[field] = str(problem)
        return None


def _unexpected_fields(data: Mapping[str, Any], allowed: tuple[str, ...]) -> dict[str, str]:
    return {field: _("This field is not expected here.") for field in data if field not in allowed}


def _missing_message(field: str) -> str:
    messages = {
        "email": _("Enter your email address."),
        "display_name": _("Enter the name you would like others to see."),
        "role": _("Tell us whether you live with the condition or care for someone who does."),
        "condition": _("Choose the condition you live with."),
        "stage": _("Choose your stage, or “I’m not sure”."),
        "timezone": _("Choose your time zone."),
        "languages": _("Choose at least one language you can talk in."),
        "availability": _("Choose at least one time when you could usually meet."),
        "consent": _("Please confirm that you have read how we use your information."),
    }
    return messages.get(field, _("This field is required."))


def _text(value: Any, max_length: int, *, required_message: str) -> str:
    if not isinstance(value, str):
        raise _Problem(_("Enter text here."))
    text = value.strip()
    if not text:
        raise _Problem(required_message)
    if len(text) > max_length:
        raise _Problem(_("Please keep this to %(count)d characters or fewer.", count=max_length))
    if _CONTROL.search(text):
        raise _Problem(_("Please use only letters, numbers and punctuation here."))
    return text


def _email(value: Any) -> str:
    address = _text(value, MAX_EMAIL_LENGTH, required_message=_missing_message("email"))
    try:
        return validate_email(address, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise _Problem(_("Enter an email address like name@example.com.")) from None


def _display_name(value: Any) -> str:
    name = _text(value, MAX_DISPLAY_NAME_LENGTH, required_message=_missing_message("display_name"))
    if "@" in name:
        # Others in the group see this name, so an address here would undo the anonymity people rely on.
        raise _Problem(_("Please use a first name or nickname here, not an email address."))
    return name


def _role(value: Any) -> str:
    if value not in ROLES:
        raise _Problem(_missing_message("role"))
    return value


def _condition(value: Any, choices: ProgramChoices) -> str:
    if not isinstance(value, str) or value not in choices.conditions:
        raise _Problem(_("Choose one of the conditions listed."))
    return value


def _stage(value: Any, choices: ProgramChoices, condition: str | None) -> str | None:
    """`None` means “I’m not sure”: the registrant is matched without a stage."""
    if value is None:
        return None
    if condition is None:
        return None  # the condition's own message says what to fix first
    if not isinstance(value, str) or value not in choices.conditions[condition]:
        raise _Problem(_("Choose one of the stages listed for your condition, or “I’m not sure”."))
    return value


@cache
def _known_timezones() -> frozenset[str]:
    return frozenset(available_timezones())


def _timezone(value: Any) -> str:
    if not isinstance(value, str) or value not in _known_timezones():
        raise _Problem(_("Choose a time zone from the list, such as Europe/Madrid."))
    return value


def _languages(value: Any, choices: ProgramChoices) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise _Problem(_missing_message("languages"))
    if any(language not in choices.languages for language in value) or len(set(value)) != len(value):
        raise _Problem(_("Choose only languages from the list, each once."))
    return tuple(value)


def _availability(value: Any) -> tuple[Window, ...]:
    if not isinstance(value, list) or not value:
        raise _Problem(_missing_message("availability"))
    if len(value) > MAX_WINDOWS:
        raise _Problem(_("Please give at most %(count)d times.", count=MAX_WINDOWS))
    windows = tuple(_window(item) for item in value)
    return tuple(dict.fromkeys(windows))


def _window(item: Any) -> Window:
    if not isinstance(item, dict) or set(item) != {"weekday", "start", "end"}:
        raise _Problem(_("Each time needs a weekday, a start and an end."))
    weekday, start, end = item["weekday"], item["start"], item["end"]
    if not isinstance(weekday, int) or isinstance(weekday, bool) or not 0 <= weekday <= 6:
        raise _Problem(_("Each weekday must be a number from 0 (Monday) to 6 (Sunday)."))
    if not all(isinstance(time, str) and _TIME.match(time) for time in (start, end)):
        raise _Problem(_("Write times as hours and minutes, like 09:30."))
    if end <= start:
        raise _Problem(_("Each time must end after it starts."))
    return Window(weekday, start, end)


def _accessibility_needs(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or any(need not in ACCESSIBILITY_NEEDS for need in value):
        raise _Problem(_("Choose only from the options listed."))
    return tuple(dict.fromkeys(value))


def _note(value: Any) -> str:
    if not isinstance(value, str):
        raise _Problem(_("Enter text here."))
    if len(value.strip()) > MAX_NOTE_LENGTH:
        raise _Problem(_("Please keep this to %(count)d characters or fewer.", count=MAX_NOTE_LENGTH))
    if _NOTE_CONTROL.search(value):
        raise _Problem(_("Please use only letters, numbers and punctuation here."))
    return value.strip()


def _consent(value: Any) -> bool:
    if value is not True:
        raise _Problem(_missing_message("consent"))
    return True
