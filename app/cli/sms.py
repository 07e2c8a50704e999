"""`flask sms-emulator`: the local stand-in for Twilio's Messages API, with a phone page to reply from."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from app.messages.senders import WEBHOOK_PATH
from app.settings import EMULATOR_SMS_PORT


@click.command(
    "sms-emulator", help="Serve a local stand-in for Twilio's text messages, checked against Twilio's spec."
)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=EMULATOR_SMS_PORT, show_default=True)
@with_appcontext
def sms_emulator(host: str, port: int) -> None:
    # Imported here, not with the app: its spec checks load openapi-core, which nothing else needs.
    from integrations.sms.emulator import EmulatorConfig, serve

    settings = current_app.config["SETTINGS"]
    twilio = settings.twilio
    if twilio is None or not twilio.uses_emulator:
        raise click.ClickException("Texts go through Twilio itself here (TWILIO_* keys are set).")
    config = EmulatorConfig(
        account_sid=twilio.account_sid,
        auth_token=twilio.auth_token,
        from_numbers=(twilio.from_number,),
        inbound_url=settings.base_url.rstrip("/") + WEBHOOK_PATH,
    )
    click.echo(f"SMS emulator on http://{host}:{port} (texts sent and replies at http://{host}:{port}/phone)")
    serve(host, port, config)
