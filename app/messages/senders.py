"""The process's senders: SMTP as configured for email, Twilio (or the local SMS emulator) for texts, or
whatever a test put in their place."""

from __future__ import annotations

from flask import Flask, current_app

from app.messages.text_dispatch import TextSender
from app.settings import Settings
from emails.sending import Sender, SmtpSender
from integrations.sms import TwilioClient

WEBHOOK_PATH = "/webhooks/sms"  # where Twilio posts delivery reports and people's replies


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
    app.extensions.setdefault("text_sender", build_text_sender(settings))


def build_text_sender(settings: Settings, *, timeout: float = 10.0) -> TextSender | None:
    """Texts through Twilio as `settings.twilio` says; None when there is no Twilio (no texts are sent)."""
    twilio = settings.twilio
    if twilio is None:
        return None
    client = TwilioClient(
        twilio.account_sid,
        twilio.auth_token,
        from_number=twilio.from_number,
        messaging_service_sid=twilio.messaging_service_sid,
        api_base_url=twilio.api_base_url,
        timeout=timeout,
    )
    return TextSender(client, twilio.sender, settings.base_url.rstrip("/") + WEBHOOK_PATH)


def mail_sender() -> Sender:
    return current_app.extensions["mail_sender"]


def text_sender() -> TextSender | None:
    return current_app.extensions["text_sender"]
