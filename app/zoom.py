"""The process's one Zoom client. Its token is the deployment's, kept in the database, so that every thread,
job and process uses one token (Zoom may revoke the previous token each time it issues one)."""

from __future__ import annotations

from flask import Flask, current_app

from app.zoom_token_store import DatabaseTokenStore, token_key
from integrations.zoom.client import ZoomClient


def init_app(app: Flask) -> None:
    settings = app.config["SETTINGS"]
    credentials = settings.zoom_credentials
    store = DatabaseTokenStore(
        app.extensions["engine"],
        token_key(credentials.account_id, credentials.client_id),
        settings.zoom_api_base_url,
    )
    app.extensions.setdefault(
        "zoom_client",
        ZoomClient(
            credentials.account_id,
            credentials.client_id,
            credentials.client_secret,
            token_url=settings.zoom_oauth_token_url,
            api_base_url=settings.zoom_api_base_url,
            token_store=store,
        ),
    )


def zoom_client() -> ZoomClient:
    return current_app.extensions["zoom_client"]
