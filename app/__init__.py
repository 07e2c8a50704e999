"""Peer Meet-ups: the Flask application."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from app.startup import lasting_objects

with lasting_objects():  # the app's modules, and the libraries they import
    from flask import Flask

    from app import database, logs, zoom
    from app.cli import register_commands
    from app.extensions import init_extensions
    from app.messages import senders
    from app.security import init_security
    from app.settings import load_settings
    from app.views import register_views


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the web app. The scheduler is never started here: it runs in its own `flask worker` process."""
    logs.install_redaction()  # before anything logs: no token, Zoom link or address in any log record
    app = Flask(__name__, instance_path=str(Path.cwd() / "instance"))
    settings = (test_config or {}).get("SETTINGS") or load_settings(Path(app.instance_path))
    app.config.from_mapping(
        SETTINGS=settings,
        SECRET_KEY=settings.secret_key,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.is_production,
        MAX_CONTENT_LENGTH=1024 * 1024,
        PERMANENT_SESSION_LIFETIME=timedelta(hours=8),
        CONSOLE_IDLE_TIMEOUT=timedelta(minutes=60),
    )
    if test_config:
        app.config.update(test_config)
    database.init_app(app, settings.database_url)
    init_extensions(app)
    senders.init_app(app)
    zoom.init_app(app)
    register_views(app)
    init_security(app, settings.proxy_hops)
    register_commands(app)
    return app
