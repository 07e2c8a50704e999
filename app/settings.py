"""The one typed settings object, read from the environment (and `.env`) once at start-up."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from dotenv import load_dotenv

ENVIRONMENTS = ("development", "testing", "production")
DEFAULT_DATABASE_URL = "sqlite:///instance/meetups.db"
DEFAULT_ZOOM_API_BASE_URL = "https://api.zoom.us/v2"
DEFAULT_ZOOM_OAUTH_TOKEN_URL = "https://zoom.us/oauth/token"  # noqa: S105  (an address, not a secret)
EMULATOR_ZOOM_PORT = 5001
CATCHER_SMTP_PORT = 1025
MIN_SECRET_LENGTH = 32


class ConfigurationError(RuntimeError):
    """The environment does not describe a deployment we can start."""


@dataclass(frozen=True)
class ZoomCredentials:
    account_id: str
    client_id: str
    client_secret: str


@dataclass(frozen=True)
class Settings:
    environment: str
    database_url: str
    secret_key: str
    base_url: str
    mail_from: str
    smtp_host: str
    smtp_port: int
    smtp_username: str | None
    smtp_password: str | None
    smtp_starttls: bool
    zoom_credentials: ZoomCredentials
    zoom_webhook_secret_token: str
    zoom_api_base_url: str
    zoom_oauth_token_url: str
    zoom_uses_emulator: bool
    mail_catcher_dir: Path
    proxy_hops: int = 0

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    @property
    def uses_mail_catcher(self) -> bool:
        return (
            not self.is_production
            and self.smtp_host in ("127.0.0.1", "localhost")
            and (self.smtp_port == CATCHER_SMTP_PORT)
        )


def load_settings(instance_path: Path, environ: dict[str, str] | None = None) -> Settings:
    """Build the settings from `environ` (default: the process environment after loading `.env`).

    In production every secret must be given; elsewhere missing ones get safe development values:
    a random secret key persisted in the instance folder, the local mail catcher and the Zoom emulator.
    """
    if environ is None:
        load_dotenv()
        environ = dict(os.environ)
    env = _Reader(environ)
    environment = env.text("APP_ENV", "development")
    if environment not in ENVIRONMENTS:
        raise ConfigurationError(f"APP_ENV must be one of {', '.join(ENVIRONMENTS)}, not {environment!r}.")
    production = environment == "production"
    if production:
        env.require("SECRET_KEY", "DATABASE_URL", "BASE_URL", "MAIL_FROM", "SMTP_HOST")
    zoom_credentials = ZoomCredentials(
        env.text("ZOOM_ACCOUNT_ID"), env.text("ZOOM_CLIENT_ID"), env.text("ZOOM_CLIENT_SECRET")
    )
    uses_emulator = not all(vars(zoom_credentials).values())
    if production and uses_emulator:
        env.require("ZOOM_ACCOUNT_ID", "ZOOM_CLIENT_ID", "ZOOM_CLIENT_SECRET")
    if production:
        env.require("ZOOM_WEBHOOK_SECRET_TOKEN")
    emulator = f"http://127.0.0.1:{EMULATOR_ZOOM_PORT}"
    return Settings(
        environment=environment,
        database_url=env.text("DATABASE_URL", DEFAULT_DATABASE_URL),
        secret_key=_secret_key(env.text("SECRET_KEY"), production, instance_path),
        base_url=env.text("BASE_URL", "http://127.0.0.1:5000").rstrip("/"),
        mail_from=env.text("MAIL_FROM", "Peer Meet-ups <meetups@localhost>"),
        smtp_host=env.text("SMTP_HOST", "127.0.0.1"),
        smtp_port=env.integer("SMTP_PORT", CATCHER_SMTP_PORT),
        smtp_username=env.text("SMTP_USERNAME") or None,
        smtp_password=env.text("SMTP_PASSWORD") or None,
        smtp_starttls=env.flag("SMTP_STARTTLS", False),
        zoom_credentials=ZoomCredentials("emulator", "emulator", "emulator")
        if uses_emulator
        else zoom_credentials,
        zoom_webhook_secret_token=env.text("ZOOM_WEBHOOK_SECRET_TOKEN", "emulator-webhook-secret"),
        zoom_api_base_url=env.text(
            "ZOOM_API_BASE_URL", f"{emulator}/v2" if uses_emulator else DEFAULT_ZOOM_API_BASE_URL
        ),
        zoom_oauth_token_url=env.text(
            "ZOOM_OAUTH_TOKEN_URL",
            f"{emulator}/oauth/token" if uses_emulator else DEFAULT_ZOOM_OAUTH_TOKEN_URL,
        ),
        zoom_uses_emulator=uses_emulator,
        mail_catcher_dir=Path(env.text("MAIL_CATCHER_DIR", str(instance_path / "mail"))),
        proxy_hops=env.integer("PROXY_HOPS", 0),
    )


def _secret_key(given: str, production: bool, instance_path: Path) -> str:
    if given:
        if production and len(given) < MIN_SECRET_LENGTH:
            raise ConfigurationError(
                f"SECRET_KEY is too short for production: use at least {MIN_SECRET_LENGTH} random characters "
                '(python -c "import secrets; print(secrets.token_urlsafe(48))").'
            )
        return given
    return _development_secret(instance_path)


def _development_secret(instance_path: Path) -> str:
    """A random secret made once per checkout, so sessions and signed links survive restarts."""
    path = instance_path / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    path.write_text(secret)
    path.chmod(0o600)
    return secret


class _Reader:
    def __init__(self, environ: dict[str, str]):
        self._environ = environ

    def text(self, key: str, default: str = "") -> str:
        return self._environ.get(key, "").strip() or default

    def integer(self, key: str, default: int) -> int:
        raw = self.text(key)
        if not raw:
            return default
        try:
            return int(raw)
        except ValueError:
            raise ConfigurationError(f"{key} must be a whole number, not {raw!r}.") from None

    def flag(self, key: str, default: bool) -> bool:
        raw = self.text(key).lower()
        if not raw:
            return default
        if raw in ("1", "true", "yes", "on"):
            return True
        if raw in ("0", "false", "no", "off"):
            return False
        raise ConfigurationError(f"{key} must be true or false, not {raw!r}.")

    def require(self, *keys: str) -> None:
        missing = [key for key in keys if not self.text(key)]
        if missing:
            raise ConfigurationError(
                f"Production needs {', '.join(missing)} to be set (in the environment or .env); "
                "see .env.example."
            )
