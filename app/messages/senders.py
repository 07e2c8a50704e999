"""The process's email sender: SMTP as configured, or whatever a test put in its place."""

from __future__ import annotations

from flask import Flask, current_app

from emails.sending import Sender, SmtpSender


def init_app(app: Flask) -> None:
    settings = app.config["SETTINGS"]
    app.extensions.setdefault(
        "mail_sender",
        SmtpSender(
            settings.smtp_host,
            settings.smtp_port,
            username=settings.smtp_username,
            password=settings.smtp_password,
            starttls=settings.smtp_starttls,
        ),
    )


def mail_sender() -> Sender:
    return current_app.extensions["mail_sender"]
