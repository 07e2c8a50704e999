"""The one typed settings object, read from the environment (and `.env`) once at start-up."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import limits
import limits.errors
import limits.storage
from dotenv import load_dotenv

from app.secret_strength import secret_weakness

ENVIRONMENTS = ("development", "testing", "production")
DEFAULT_DATABASE_URL = "sqlite:///instance/meetups.db"
DEFAULT_ZOOM_API_BASE_URL = "https://api.zoom.us/v2"
# Zoom's cap of meeting creates and updates per user per UTC day.
ZOOM_DAILY_LIMIT = 100
DEFAULT_ZOOM_OAUTH_TOKEN_URL = "https://zoom.us/oauth/token"  # noqa: S105  (an address, not a secret)
EMULATOR_ZOOM_PORT = 5001
DEFAULT_TWILIO_API_BASE_URL = "https://api.twilio.com"
EMULATOR_SMS_PORT = 5002
# What the local SMS emulator is started with, and the app uses, when no Twilio keys are given.
EMULATOR_TWILIO_ACCOUNT_SID = "AC" + "0" * 32
EMULATOR_TWILIO_AUTH_TOKEN = "emulator-twilio-auth-token"  # noqa: S105  (the local emulator's, not a secret)
EMULATOR_TWILIO_FROM_NUMBER = "+15005550006"
CATCHER_SMTP_PORT = 1025
MIN_SECRET_LENGTH = 32
# Zoom makes the secret token of an event subscription 22 characters long.
MIN_WEBHOOK_SECRET_LENGTH = 22
NEW_SECRET_COMMAND = 'python -c "import secrets; print(secrets.token_urlsafe(48))"'  # noqa: S105  (a command)
DEFAULT_RATELIMIT_STORAGE_URI = "memory://"
DEFAULT_RATELIMIT_KEY_PREFIX = "peer-meetups"
DEFAULT_REGISTRATION_RATE_LIMIT = "10 per minute;60 per hour"
DEFAULT_LOGIN_RATE_LIMIT = "10 per minute"


class ConfigurationError(RuntimeError):
    """The environment does not describe a deployment we can start."""


@dataclass(frozen=True)
class ZoomCredentials:
    account_id: str
    client_id: str
    client_secret: str


@dataclass(frozen=True)
class TwilioSettings:
    """Twilio's keys, or the local SMS emulator's when `uses_emulator`; texts go from `from_number` or
    through the Messaging Service `messaging_service_sid` (exactly one is set)."""

    account_sid: str
    auth_token: str
    from_number: str | None
    messaging_service_sid: str | None
    api_base_url: str
    uses_emulator: bool

    @property
    def sender(self) -> str:
        """What texts go out from, as Twilio paces them."""
        return self.messaging_service_sid or self.from_number or ""


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
    zoom_daily_limit: int
    mail_catcher_dir: Path
    twilio: TwilioSettings | None  # None: no texts at all (production without Twilio keys)
    proxy_hops: int = 0
    ratelimit_storage_uri: str = DEFAULT_RATELIMIT_STORAGE_URI
    ratelimit_key_prefix: str = DEFAULT_RATELIMIT_KEY_PREFIX
    registration_rate_limit: str = DEFAULT_REGISTRATION_RATE_LIMIT
    login_rate_limit: str = DEFAULT_LOGIN_RATE_LIMIT

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

    In production every secret must be given, and strong, links must be https and rate limits must be counted
    in a store every process shares; elsewhere missing values get safe development ones: a random secret key
    persisted in the instance folder, the local mail catcher, the Zoom emulator and in-memory rate limits.
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
        _check_production_secrets(env)
    emulator = f"http://127.0.0.1:{EMULATOR_ZOOM_PORT}"
    return Settings(
        environment=environment,
        database_url=env.text("DATABASE_URL", DEFAULT_DATABASE_URL),
        secret_key=env.text("SECRET_KEY") or _development_secret(instance_path),
        base_url=_base_url(env.text("BASE_URL", "http://127.0.0.1:5000").rstrip("/"), production),
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
        zoom_daily_limit=_zoom_daily_limit(env.integer("ZOOM_DAILY_LIMIT", ZOOM_DAILY_LIMIT)),
        mail_catcher_dir=Path(env.text("MAIL_CATCHER_DIR", str(instance_path / "mail"))),
        twilio=_twilio(env, production),
        proxy_hops=env.integer("PROXY_HOPS", 0),
        ratelimit_storage_uri=_ratelimit_storage_uri(env.text("RATELIMIT_STORAGE_URI"), production),
        ratelimit_key_prefix=env.text("RATELIMIT_KEY_PREFIX", DEFAULT_RATELIMIT_KEY_PREFIX),
        registration_rate_limit=env.rate_limit("REGISTRATION_RATE_LIMIT", DEFAULT_REGISTRATION_RATE_LIMIT),
        login_rate_limit=env.rate_limit("LOGIN_RATE_LIMIT", DEFAULT_LOGIN_RATE_LIMIT),
    )


def _check_production_secrets(env: _Reader) -> None:
    """Refuse secrets a person typed or copied from an example: they let anyone forge links or webhooks."""
    weakness = secret_weakness(env.text("SECRET_KEY"), MIN_SECRET_LENGTH)
    if weakness:
        raise ConfigurationError(
            f"SECRET_KEY is too weak for production: {weakness}. Make a new one with {NEW_SECRET_COMMAND} "
            "and set SECRET_KEY to what it prints."
        )
    weakness = secret_weakness(env.text("ZOOM_WEBHOOK_SECRET_TOKEN"), MIN_WEBHOOK_SECRET_LENGTH)
    if weakness:
        raise ConfigurationError(
            f"ZOOM_WEBHOOK_SECRET_TOKEN is too weak for production: {weakness}. Copy the Secret Token that "
            "Zoom made for your app's event subscription (App Marketplace, your app, Features, Access), "
            "or have Zoom make a new one there."
        )


def _twilio(env: _Reader, production: bool) -> TwilioSettings | None:
    """Twilio's keys; with none at all, the local SMS emulator, or in production no texts."""
    keys = ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_FROM_NUMBER", "TWILIO_MESSAGING_SERVICE_SID")
    if not any(env.text(key) for key in keys):
        if production:
            return None
        return TwilioSettings(
            EMULATOR_TWILIO_ACCOUNT_SID,
            EMULATOR_TWILIO_AUTH_TOKEN,
            EMULATOR_TWILIO_FROM_NUMBER,
            None,
            env.text("TWILIO_API_BASE_URL", f"http://127.0.0.1:{EMULATOR_SMS_PORT}"),
            uses_emulator=True,
        )
    env.require("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN")
    from_number, service = env.text("TWILIO_FROM_NUMBER"), env.text("TWILIO_MESSAGING_SERVICE_SID")
    if bool(from_number) == bool(service):
        raise ConfigurationError(
            "Give exactly one of TWILIO_FROM_NUMBER (a number of yours, such as +15551234567) and "
            "TWILIO_MESSAGING_SERVICE_SID (MG…): texts go out from one or the other."
        )
    return TwilioSettings(
        env.text("TWILIO_ACCOUNT_SID"),
        env.text("TWILIO_AUTH_TOKEN"),
        from_number or None,
        service or None,
        env.text("TWILIO_API_BASE_URL", DEFAULT_TWILIO_API_BASE_URL),
        uses_emulator=False,
    )


def _base_url(base_url: str, production: bool) -> str:
    if production and not (base_url.startswith("https://") and urlsplit(base_url).hostname):
        raise ConfigurationError(
            f"BASE_URL must be an https:// address in production, not {base_url!r}: every emailed link "
            "starts with it, and those links are their holders' keys. Set BASE_URL=https://your.domain "
            "(the address patients use) and serve the site over HTTPS."
        )
    return base_url


def _ratelimit_storage_uri(uri: str, production: bool) -> str:
    """Where rate-limit counters live; refused when Flask-Limiter could not use it, or, in production, when
    each process would count on its own."""
    if production and urlsplit(uri).scheme in ("", "memory"):
        raise ConfigurationError(
            "Production needs RATELIMIT_STORAGE_URI to name a store every web process shares, such as "
            "redis://127.0.0.1:6379/0: with memory:// each process counts on its own, so four processes "
            "allow four times every limit."
        )
    uri = uri or DEFAULT_RATELIMIT_STORAGE_URI
    try:
        storage = limits.storage.storage_from_string(uri)  # builds a client; connects to nothing yet
    except (limits.errors.ConfigurationError, ValueError) as error:
        problem = str(error).replace(uri, "…")  # the URI may hold the store's password
        raise ConfigurationError(
            f"RATELIMIT_STORAGE_URI is not a store we can use ({problem}): "
            "give redis://host:6379/0 (or memory:// in development)."
        ) from None
    if not isinstance(storage, limits.storage.Storage):
        raise ConfigurationError(
            "RATELIMIT_STORAGE_URI names an asynchronous store, which Flask cannot use: "
            "give redis://host:6379/0 instead."
        )
    return uri


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

    def rate_limit(self, key: str, default: str) -> str:
        raw = self.text(key, default)
        try:
            limits.parse_many(raw)
        except ValueError:
            raise ConfigurationError(
                f'{key} must be one or more limits such as "10 per minute;60 per hour", not {raw!r}.'
            ) from None
        return raw

    def require(self, *keys: str) -> None:
        missing = [key for key in keys if not self.text(key)]
        if missing:
            raise ConfigurationError(
                f"Production needs {', '.join(missing)} to be set (in the environment or .env); "
                "see .env.example."
            )


def _zoom_daily_limit(limit: int) -> int:
    if not 1 <= limit <= ZOOM_DAILY_LIMIT:
        raise ConfigurationError(
            f"ZOOM_DAILY_LIMIT must be from 1 to {ZOOM_DAILY_LIMIT} (Zoom's own limit), not {limit}."
        )
    return limit
