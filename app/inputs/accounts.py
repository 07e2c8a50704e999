"""What a coordinator types to sign in, to change their password or time zone, or as a code of two-factor
sign-in: there, of a sane length, a time zone we know, and the new password typed the same twice.

Whether a password or a code is right, or a new password good enough, is the services' question
(`app.services.accounts.password_problem` is shared with the `coordinator create` command).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.inputs.fields import FieldProblem, FieldReader, Rule
from app.inputs.rules import MAX_EMAIL_LENGTH, text, time_zone

MAX_PASSWORD_LENGTH = 1000
MAX_CODE_LENGTH = 64  # a six-digit code or a recovery code, with whatever spaces came along


@dataclass(frozen=True)
class SignIn:
    email: str
    password: str


@dataclass(frozen=True)
class PasswordChange:
    current: str
    new: str


def validate_sign_in(data: Mapping[str, Any]) -> SignIn:
    reader = FieldReader(data)
    values = SignIn(
        email=reader.read("email", text(MAX_EMAIL_LENGTH, "Enter your email address.", one_line=True)),
        password=reader.read("password", _secret("Enter your password.")),
    )
    reader.finish()
    return values


def validate_password_change(data: Mapping[str, Any]) -> PasswordChange:
    reader = FieldReader(data)
    current = reader.read("current_password", _secret("Enter your current password."))
    new = reader.read("new_password", _secret("Enter a new password."))
    repeated = reader.read("repeat_password", _secret("Enter the new password a second time."))
    if new and repeated and new != repeated:
        reader.fail("repeat_password", "The two new passwords are not the same. Type them again.")
    reader.finish()
    return PasswordChange(current, new)


def validate_code(data: Mapping[str, Any]) -> str:
    """A code from the authenticator app or a recovery code, as typed; which one it is and whether it is
    right is `app.services.two_factor`'s question."""
    reader = FieldReader(data)
    code = reader.read("code", _code)
    reader.finish()
    return code


def _secret(missing: str) -> Rule:
    """A password exactly as typed (spaces count), required, of at most MAX_PASSWORD_LENGTH characters."""

    def rule(value: Any) -> str:
        if not isinstance(value, str) or not value:
            raise FieldProblem(missing)
        if len(value) > MAX_PASSWORD_LENGTH:
            raise FieldProblem(
                "Please keep this to %(count)d characters or fewer.", count=MAX_PASSWORD_LENGTH
            )
        return value

    return rule


def _code(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise FieldProblem("Enter the code from your authenticator app.")
    if len(value) > MAX_CODE_LENGTH:
        raise FieldProblem("That is too long for a code. Please check it.")
    return value


def validate_time_zone(data: Mapping[str, Any]) -> str:
    """The zone a coordinator chose to read the console in: an IANA name we know."""
    reader = FieldReader(data)
    zone = reader.read("timezone", time_zone)
    reader.finish()
    return zone
