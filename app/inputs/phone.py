"""A mobile number as people write it, kept in E.164, and the choice to get texts at it.

People write numbers as they say them at home ("612 34 56 78", "(201) 555-0123"), so a number without a
"+country" is read as one of the program's country. Only a number that can take texts is kept: `phonenumbers`
says what kind of line a number is, and where a country's numbers do not tell a mobile from a landline (the
United States, Canada) it says "fixed line or mobile", which is taken. Consent to texts is a choice of its
own, separate from the consent to the privacy notice and to emails (`docs/threat-model.md`).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

import phonenumbers
from babel import Locale
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType, ValidationResult

from app.inputs.fields import N_, FieldProblem, FieldReader, Rule
from app.inputs.rules import one_of, text

MAX_TYPED_LENGTH = 40  # room for spaces, brackets, dashes and a +country code around E.164's 15 digits
TEXTABLE = frozenset({PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE})
PHONE_FIELDS = ("phone", "sms_consent")
ASK_FOR_NUMBER = N_("Enter your mobile number to get text reminders.")
_TOO_SHORT = N_("This number is too short. Enter the whole mobile number, such as %(example)s.")
_TOO_LONG = N_("This number has too many digits. Enter one mobile number, such as %(example)s.")
_UNKNOWN_COUNTRY = N_("We do not know the country code after the “+”. Check it, or leave the “+” out.")
_NOT_A_NUMBER = N_("Enter a mobile number, such as %(example)s.")
_NOT_IN_USE = N_(
    "This is not a phone number in use. Check the digits; a number from another country starts with + and "
    "its country code."
)
_LANDLINE = N_("This looks like a landline number. Texts need a mobile number.")
_NOT_MOBILE = N_("This number cannot get texts. Enter a mobile number.")
_EXTENSION = N_("Enter the mobile number alone, without an extension.")
_REASONS = {
    ValidationResult.TOO_SHORT: _TOO_SHORT,
    ValidationResult.IS_POSSIBLE_LOCAL_ONLY: _TOO_SHORT,  # no area code
    ValidationResult.TOO_LONG: _TOO_LONG,
    ValidationResult.INVALID_COUNTRY_CODE: _UNKNOWN_COUNTRY,
    ValidationResult.INVALID_LENGTH: _NOT_IN_USE,
}
_PARSE_ERRORS = {
    NumberParseException.INVALID_COUNTRY_CODE: _UNKNOWN_COUNTRY,
    NumberParseException.TOO_SHORT_NSN: _TOO_SHORT,
    NumberParseException.TOO_SHORT_AFTER_IDD: _TOO_SHORT,
    NumberParseException.TOO_LONG: _TOO_LONG,
}


@dataclass(frozen=True)
class TextsChoice:
    """A mobile number in E.164 (or none), and whether its owner wants texts at it."""

    phone: str | None
    sms_consent: bool


def mobile_number(country: str) -> Rule:
    """A number that can get texts, in E.164; None when left empty. Numbers without "+country" are read as
    `country`'s (ISO 3166 alpha-2)."""

    def rule(value: Any) -> str | None:
        typed = text(MAX_TYPED_LENGTH, one_line=True)(value if value is not None else "")
        if not typed:
            return None
        example = example_number(country)
        try:
            number = phonenumbers.parse(typed, country)
        except NumberParseException as error:
            raise FieldProblem(_PARSE_ERRORS.get(error.error_type, _NOT_A_NUMBER), example=example) from None
        reason = phonenumbers.is_possible_number_with_reason(number)
        if reason in _REASONS:
            raise FieldProblem(_REASONS[reason], example=example)
        if not phonenumbers.is_valid_number(number):
            raise FieldProblem(_NOT_IN_USE)
        if number.extension:
            raise FieldProblem(_EXTENSION)
        kind = phonenumbers.number_type(number)
        if kind not in TEXTABLE:
            raise FieldProblem(_LANDLINE if kind == PhoneNumberType.FIXED_LINE else _NOT_MOBILE)
        return phonenumbers.format_number(number, PhoneNumberFormat.E164)

    return rule


def wants_texts(value: Any) -> bool:
    """The "Send me text reminders" box: true or false (left out, false)."""
    if value is None:
        return False
    if not isinstance(value, bool):
        raise FieldProblem(N_("Answer true or false here."))
    return value


def read_texts(reader: FieldReader, country: str) -> TextsChoice:
    """The number and the choice to get texts at it; asking for texts without a number is a problem of the
    number's field, where the number is missing."""
    phone = reader.read("phone", mobile_number(country), default=None)
    consent = reader.read("sms_consent", wants_texts, default=False)
    if consent and phone is None and "phone" not in reader.errors:
        reader.fail("phone", ASK_FOR_NUMBER)
    return TextsChoice(phone, bool(consent))


def validate_texts(data: Mapping[str, Any], country: str) -> TextsChoice:
    """A change of number or of the choice to get texts (the self-service page), in the page's language."""
    reader = FieldReader(data, translated=True, expected=PHONE_FIELDS)
    choice = read_texts(reader, country)
    reader.finish()
    return choice


@cache
def example_number(country: str) -> str:
    """A made-up mobile number of `country`, written as people there write it (for hints and messages)."""
    number = phonenumbers.example_number_for_type(country, PhoneNumberType.MOBILE)
    number = number or phonenumbers.example_number(country)
    return phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL) if number else "+1 201 555 0123"


def shown_number(e164: str | None) -> str:
    """A stored number as people read it: "+34 612 34 56 78"."""
    if not e164:
        return ""
    try:
        return phonenumbers.format_number(phonenumbers.parse(e164), PhoneNumberFormat.INTERNATIONAL)
    except NumberParseException:
        return e164


@cache
def countries(locale: str = "en") -> tuple[tuple[str, str], ...]:
    """Every country whose numbers `phonenumbers` knows, as (ISO code, name in `locale`), by name."""
    names = Locale.parse(locale).territories
    named = ((code, names.get(code, code)) for code in phonenumbers.SUPPORTED_REGIONS)
    return tuple(sorted(named, key=lambda item: unicodedata.normalize("NFKD", item[1])))


def program_country(value: Any) -> str:
    """A country a program's numbers come from, by its ISO 3166 alpha-2 code (the console's field)."""
    known = {code for code, _name in countries()}
    return one_of(known, "Choose the country most of the program’s registrants live in.")(value)
