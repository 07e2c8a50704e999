"""`flask zoom-emulator`: the local stand-in for Zoom's API."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from app.settings import EMULATOR_ZOOM_PORT


@click.command(
    "zoom-emulator", help="Serve a local stand-in for Zoom's API, checked against Zoom's own spec."
)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=EMULATOR_ZOOM_PORT, show_default=True)
@click.option(
    "--revoke-previous-tokens",
    is_flag=True,
    help="Each token issued makes every earlier one invalid, as on older Zoom accounts.",
)
@click.option(
    "--memory",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Keep the meetings it made in this file, so they still start after a restart (`flask dev` does).",
)
@with_appcontext
def zoom_emulator(host: str, port: int, revoke_previous_tokens: bool, memory: Path | None) -> None:
    # Imported here, not with the app: its spec checks load openapi-core, which nothing else needs.
    from integrations.zoom.emulator import EmulatorConfig, serve

    settings = current_app.config["SETTINGS"]
    credentials = settings.zoom_credentials
    config = EmulatorConfig(
        account_id=credentials.account_id,
        client_id=credentials.client_id,
        client_secret=credentials.client_secret,
        webhook_secret=settings.zoom_webhook_secret_token,
        webhook_url=f"{settings.base_url}/webhooks/zoom",
        revoke_previous_tokens=revoke_previous_tokens,
    )
    click.echo(f"Zoom emulator on http://{host}:{port} (token URL http://{host}:{port}/oauth/token)")
    serve(host, port, config, memory=memory)
