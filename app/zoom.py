"""The process's one Zoom client, so every thread and job shares one cached token."""

from __future__ import annotations

from flask import Flask, current_app

from integrations.zoom.client import ZoomClient


def init_app(app: Flask) -> None:
    settings = app.config["SETTINGS"]
    credentials = settings.zoom_credentials
    app.extensions.setdefault(
        "zoom_client",
        ZoomClient(
            credentials.account_id,
            credentials.client_id,
            credentials.client_secret,
            token_url=settings.zoom_oauth_token_url,
            api_base_url=settings.zoom_api_base_url,
        ),
    )


def zoom_client() -> ZoomClient:
    return current_app.extensions["zoom_client"]
