"""The console's own-account forms: changing the password.

Only presence and the repeated password are checked here; whether the new password is good enough is the
service's rule (`app.services.accounts.password_problem`), shared with the `coordinator create` command.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import PasswordField
from wtforms.validators import EqualTo, InputRequired, Length

MAX_PASSWORD_LENGTH = 1000


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
