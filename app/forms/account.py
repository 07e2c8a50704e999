"""The console's own-account forms: signing in, changing the password, and the codes of two-factor sign-in.

Only presence, length and the repeated password are checked here; whether a password or a code is right, or
a new password good enough, is the services' question (`app.services.accounts.password_problem` is shared
with the `coordinator create` command).
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, StringField
from wtforms.validators import EqualTo, InputRequired, Length

from app.inputs.rules import MAX_EMAIL_LENGTH

MAX_PASSWORD_LENGTH = 1000
MAX_CODE_LENGTH = 64  # a six-digit code or a recovery code, with whatever spaces came along


class LoginForm(FlaskForm):
    email = EmailField(
        "Email address",
        validators=[InputRequired("Enter your email address."), Length(max=MAX_EMAIL_LENGTH)],
    )
    password = PasswordField(
        "Password", validators=[InputRequired("Enter your password."), Length(max=MAX_PASSWORD_LENGTH)]
    )
    next = HiddenField()


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        "Current password",
        validators=[InputRequired("Enter your current password."), Length(max=MAX_PASSWORD_LENGTH)],
    )
    new_password = PasswordField(
        "New password",
        validators=[InputRequired("Enter a new password."), Length(max=MAX_PASSWORD_LENGTH)],
    )
    repeat_password = PasswordField(
        "New password again",
        validators=[
            InputRequired("Enter the new password a second time."),
            EqualTo("new_password", "The two new passwords are not the same. Type them again."),
        ],
    )


class CodeForm(FlaskForm):
    """A code from the authenticator app or a recovery code; which one it is and whether it is right is the
    service's question (`app.services.two_factor`)."""

    code = StringField(
        "Code",
        validators=[
            InputRequired("Enter the code from your authenticator app."),
            Length(max=MAX_CODE_LENGTH, message="That is too long for a code. Please check it."),
        ],
    )


def field_errors(form: FlaskForm) -> dict[str, str]:
    """Each field's first error, by field name, as the console's templates show them (the hidden fields
    have none worth showing)."""
    hidden = {"next", "csrf_token"}
    return {
        name: field.errors[0] for name, field in form._fields.items() if field.errors and name not in hidden
    }
