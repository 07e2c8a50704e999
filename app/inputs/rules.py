"""The rules fields share: text, whole numbers, dates, choices, flags, email addresses and time zones.

Each rule (or each rule a factory makes) takes one submitted value and returns it checked and typed, or
raises `FieldProblem`; `FieldReader` applies them. Messages marked `N_` are shown to patients too, in their
language; the others only in the console.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from datetime import date
from functools import cache
from typing import Any
from zoneinfo import available_timezones

from email_validator import EmailNotValidError, validate_email

from app.inputs.fields import N_, FieldProblem, Rule

MAX_EMAIL_LENGTH = 320  # RFC 3696's limit, as mail systems take it
# Invisible control characters, and lone surrogates (valid JSON escapes, not text); text of several lines
# keeps its tabs and line breaks.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_ONE_LINE_CONTROL = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")
_WHOLE_NUMBER = re.compile(r"-?\d+")


def text(max_length: int, missing: str | None = None, *, one_line: bool = False) -> Rule:
    """Trimmed text of at most `max_length` characters, without control characters (nor tabs and line
    breaks, when `one_line`); required when a `missing` message is given."""
    forbidden = _ONE_LINE_CONTROL if one_line else _CONTROL

    def rule(value: Any) -> str:
        if not isinstance(value, str):
            raise FieldProblem(N_("Enter text here."))
        value = value.strip()
        if not value and missing:
            raise FieldProblem(missing)
        if len(value) > max_length:
            raise FieldProblem(N_("Please keep this to %(count)d characters or fewer."), count=max_length)
        if forbidden.search(value):
            raise FieldProblem(N_("Please use only letters, numbers and punctuation here."))
        return value

    return rule


def number(low: int, high: int) -> Rule:
    """A whole number from `low` to `high`, given as a number or as digits."""

    def rule(value: Any) -> int:
        if isinstance(value, str) and _WHOLE_NUMBER.fullmatch(value.strip()):
            value = int(value.strip())
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise FieldProblem("Enter a whole number from %(low)d to %(high)d.", low=low, high=high)
        return value

    return rule


def one_of(allowed: Collection[str], message: str) -> Rule:
    """One of `allowed`, exactly as written."""

    def rule(value: Any) -> str:
        if not isinstance(value, str) or value not in allowed:
            raise FieldProblem(message)
        return value

    return rule


def choices(
    allowed: Collection[str],
    missing: str | None = None,
    *,
    unknown: str = N_("Choose only from the options listed."),
    repeated: str | None = None,
) -> Rule:
    """Several of `allowed`, in the order given, each once: a repeat is dropped, or refused with the
    `repeated` message. At least one when a `missing` message is given."""

    def rule(value: Any) -> tuple[str, ...]:
        if not isinstance(value, list | tuple) or (missing and not value):
            raise FieldProblem(missing or unknown)
        if any(item not in allowed for item in value):
            raise FieldProblem(unknown)
        if repeated and len(set(value)) != len(value):
            raise FieldProblem(repeated)
        return tuple(dict.fromkeys(value))

    return rule


def flag(value: Any) -> bool:
    """A ticked box: only True counts."""
    return value is True


def optional_date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    if not value:
        return None
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise FieldProblem("Enter a date like 2026-03-31.") from None


def email_address(
    missing: str = "Enter an email address.", malformed: str = "Enter an email address like name@example.org."
) -> Rule:
    """An address as mail systems take it, in lower case, as every address is kept and compared."""
    address_text = text(MAX_EMAIL_LENGTH, missing, one_line=True)

    def rule(value: Any) -> str:
        address = address_text(value)
        try:
            return validate_email(address, check_deliverability=False).normalized.lower()
        except EmailNotValidError:
            raise FieldProblem(malformed) from None

    return rule


def time_zone(value: Any) -> str:
    """An IANA time zone, typed (the console's fields)."""
    zone = text(64, "Enter a time zone, such as Europe/Madrid.")(value)
    if zone not in known_timezones():
        raise FieldProblem(
            "“%(zone)s” is not a time zone we know. Use a name such as Europe/Madrid or UTC.", zone=zone
        )
    return zone


@cache
def known_timezones() -> frozenset[str]:
    return frozenset(available_timezones())
