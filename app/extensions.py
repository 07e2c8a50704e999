"""Flask extensions, created unbound here and bound to the app in `create_app`."""

from flask import Flask
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf import CSRFProtect

from app.auth import load_coordinator
from app.i18n import select_locale

csrf = CSRFProtect()
login_manager = LoginManager()
babel = Babel()
limiter = Limiter(key_func=get_remote_address, default_limits=[], headers_enabled=True)


def init_extensions(app: Flask) -> None:
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.user_loader(load_coordinator)
    babel.init_app(app, locale_selector=select_locale)
    limiter.init_app(app)
