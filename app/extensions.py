"""Flask extensions, created unbound here and bound to the app in `create_app`."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

from flask import Flask
from flask.logging import default_handler
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf import CSRFProtect
from limits.storage import RedisStorage
from redis.backoff import NoBackoff
from redis.retry import Retry

from app.auth import load_coordinator
from app.i18n import select_locale
from app.settings import Settings

csrf = CSRFProtect()
login_manager = LoginManager()
babel = Babel()
# No X-RateLimit-* headers on every answer: each would cost the store one more round trip per request. A
# refusal still says when to try again (Retry-After, app.views.errors).
limiter = Limiter(key_func=get_remote_address, default_limits=[], headers_enabled=False)
# How long a request waits for each answer of the rate-limit store (it tries twice) before counting in this
# process's memory instead.
STORE_TIMEOUT_SECONDS = 1


def init_extensions(app: Flask) -> None:
    for key, value in rate_limit_config(app.config["SETTINGS"]).items():
        app.config.setdefault(key, value)
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.user_loader(load_coordinator)
    babel.init_app(app, locale_selector=select_locale)
    limiter.init_app(app)
    _show_limiter_warnings()


def _show_limiter_warnings() -> None:
    """Flask-Limiter says that its store is unreachable through a logger of its own that has only a
    NullHandler; unless the deployment set up logging itself, its warnings go where the app's do."""
    if not logging.getLogger().handlers:
        logging.getLogger("flask-limiter").addHandler(default_handler)


def rate_limit_config(settings: Settings) -> dict[str, Any]:
    """Flask-Limiter's settings, and the limits the views read.

    While the shared store is away (Redis restarting, or not answering), each process counts in its own memory
    rather than failing the request, and goes back to the store once it answers again (Flask-Limiter checks
    it after 1, 2, 4 … 32 seconds). So a registration never fails because Redis restarts; for that while, the
    limit holds per process.
    """
    config: dict[str, Any] = {
        "RATELIMIT_STORAGE_URI": settings.ratelimit_storage_uri,
        "RATELIMIT_KEY_PREFIX": settings.ratelimit_key_prefix,
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "REGISTRATION_RATE_LIMIT": settings.registration_rate_limit,
        "LOGIN_RATE_LIMIT": settings.login_rate_limit,
    }
    if urlsplit(settings.ratelimit_storage_uri).scheme in RedisStorage.STORAGE_SCHEME:
        # redis-py waits forever and retries three times with back-off by default: a request would hang
        # while Redis does. One quick retry covers a connection that a Redis restart closed.
        config["RATELIMIT_STORAGE_OPTIONS"] = {
            "socket_connect_timeout": STORE_TIMEOUT_SECONDS,
            "socket_timeout": STORE_TIMEOUT_SECONDS,
            "retry": Retry(NoBackoff(), retries=1),
        }
    return config
