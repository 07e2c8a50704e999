import re
import secrets
from pathlib import Path

import pytest

from app.settings import ConfigurationError, load_settings

ROOT = Path(__file__).resolve().parents[2]
ENV_EXAMPLE = ROOT / ".env.example"
# Synthetic values, made by a random generator for these tests only.
STRONG_SECRET_KEY = "0Mf3NZ3NthSfQFEPtkXKr344AMO-UPznbm9-Zxq6CPCeOO9qd9spSM0SOjGySTEA"
ZOOM_LIKE_SECRET_TOKEN = "0GGsdyucLDMwk7KHOTL8HO"
PRODUCTION = {
    "APP_ENV": "production",
    "SECRET_KEY": STRONG_SECRET_KEY,
    "DATABASE_URL": "postgresql://app@db/meetups",
    "BASE_URL": "https://meetups.example.org",
    "MAIL_FROM": "Meet-ups <meetups@example.org>",
    "SMTP_HOST": "smtp.example.org",
    "ZOOM_ACCOUNT_ID": "acc",
    "ZOOM_CLIENT_ID": "id",
    "ZOOM_CLIENT_SECRET": "secret",
    "ZOOM_WEBHOOK_SECRET_TOKEN": ZOOM_LIKE_SECRET_TOKEN,
    "RATELIMIT_STORAGE_URI": "redis://redis.internal:6379/0",
}


def test_development_needs_no_environment_at_all(tmp_path):
    settings = load_settings(tmp_path, {})
    assert settings.database_url == "sqlite:///instance/meetups.db"
    assert settings.zoom_uses_emulator
    assert settings.zoom_api_base_url == "http://127.0.0.1:5001/v2"
    assert settings.uses_mail_catcher


def test_development_secret_is_random_and_kept_across_restarts(tmp_path):
    first = load_settings(tmp_path / "a", {}).secret_key
    assert len(first) >= 32
    assert load_settings(tmp_path / "a", {}).secret_key == first
    assert load_settings(tmp_path / "b", {}).secret_key != first


def test_production_starts_with_every_key(tmp_path):
    settings = load_settings(tmp_path, PRODUCTION)
    assert settings.is_production
    assert not settings.zoom_uses_emulator
    assert settings.zoom_api_base_url == "https://api.zoom.us/v2"
    assert settings.zoom_oauth_token_url == "https://zoom.us/oauth/token"
    assert not (tmp_path / "secret_key").exists()


@pytest.mark.parametrize(
    "missing",
    [
        "SECRET_KEY",
        "DATABASE_URL",
        "BASE_URL",
        "SMTP_HOST",
        "ZOOM_CLIENT_SECRET",
        "ZOOM_WEBHOOK_SECRET_TOKEN",
        "RATELIMIT_STORAGE_URI",
    ],
)
def test_production_refuses_to_start_and_names_the_missing_key(tmp_path, missing):
    environ = {key: value for key, value in PRODUCTION.items() if key != missing}
    with pytest.raises(ConfigurationError, match=missing):
        load_settings(tmp_path, environ)


def production_refusal(tmp_path, **changes: str) -> str:
    """The message with which production, with these keys changed, refuses to start."""
    with pytest.raises(ConfigurationError) as refused:
        load_settings(tmp_path, {**PRODUCTION, **changes})
    return str(refused.value)


def _env_example_secret_key() -> str:
    """The SECRET_KEY value that .env.example shows, which a hurried deployer might keep."""
    return re.search(r"^#? ?SECRET_KEY=(.+)$", ENV_EXAMPLE.read_text(), flags=re.MULTILINE).group(1).strip()


@pytest.mark.parametrize(
    ("secret_key", "why"),
    [
        ("changeme", "it has 8 characters, and at least 32 are needed"),
        ("k8Fq2LmZ0pRt5WvX9yBc3NdG7hJ1sA", "it has 30 characters"),
        ("x" * 48, 'it repeats "x"'),
        ("abc123" * 8, 'it repeats "abc123"'),
        ("0123456789" * 4, 'it repeats "0123456789"'),
        ("change-me-to-something-long-and-random", 'it contains "changeme"'),
        ("Change_Me_Please_Before_Production_2024", 'it contains "changeme"'),
        ("my-super-SECRET-key-for-the-production-site", 'it contains "secret"'),
        ("Password1234567890Password1234567890", 'it contains "password"'),
        ("https://meetups.example.org/signing/key/v1", 'it contains "example"'),
        (_env_example_secret_key(), "it contains"),
        ("abcdefghijklmnopqrstuvwxyz0123456789", "most of its characters are equal or next to each other"),
        ("aaaabbbbccccddddeeeeffffgggghhhhiiii", "most of its characters are equal or next to each other"),
        ("qkqkkkqkkkkqqkkkqkkkkqkkkkqqkkqkkkqkkkkq", "too few different characters (about 35 bits"),
    ],
)
def test_production_refuses_a_weak_secret_key_and_says_how_to_make_one(tmp_path, secret_key, why):
    message = production_refusal(tmp_path, SECRET_KEY=secret_key)
    assert message.startswith("SECRET_KEY is too weak for production: ")
    assert why in message
    assert "secrets.token_urlsafe(48)" in message
    assert secret_key not in message  # the message may end up in a log


@pytest.mark.parametrize(
    "secret_key",
    [
        STRONG_SECRET_KEY,  # python -c "import secrets; print(secrets.token_urlsafe(48))"
        "2ae9f4c2aee16e4fb56de0481b663745",  # openssl rand -hex 16
        "fd2d7f5b17c828df30b6a5083e7653d5ebf10c5a872d536ee22c59232464dd00",  # openssl rand -hex 32
        "0k/nYEFNHcsNyRVzlJi+Glapi57tvE6N/ehGk2byGPQ=",  # openssl rand -base64 32
        "3860c0c9-e772-4687-8171-0489fcdbc763",  # a random UUID
    ],
)
def test_production_accepts_generated_secret_keys(tmp_path, secret_key):
    assert load_settings(tmp_path, {**PRODUCTION, "SECRET_KEY": secret_key}).secret_key == secret_key


def test_every_key_the_recommended_command_makes_is_accepted(tmp_path):
    for _ in range(500):
        load_settings(tmp_path, {**PRODUCTION, "SECRET_KEY": secrets.token_urlsafe(48)})


@pytest.mark.parametrize(
    ("token", "why"),
    [
        ("hook", "it has 4 characters, and at least 22 are needed"),
        ("emulator-webhook-secret", 'it contains "secret"'),
        ("paste-the-zoom-token-here-example", 'it contains "example"'),
        ("a" * 32, 'it repeats "a"'),
    ],
)
def test_production_refuses_a_weak_webhook_secret_and_says_where_the_real_one_is(tmp_path, token, why):
    message = production_refusal(tmp_path, ZOOM_WEBHOOK_SECRET_TOKEN=token)
    assert message.startswith("ZOOM_WEBHOOK_SECRET_TOKEN is too weak for production: ")
    assert why in message
    assert "Secret Token" in message and "Zoom" in message


@pytest.mark.parametrize(
    "base_url", ["http://meetups.example.org", "meetups.example.org", "https://", "ftp://meetups.example.org"]
)
def test_production_refuses_a_base_url_that_is_not_https(tmp_path, base_url):
    message = production_refusal(tmp_path, BASE_URL=base_url)
    assert message.startswith("BASE_URL must be an https:// address in production")
    assert "Set BASE_URL=https://" in message


def test_outside_production_plain_http_and_short_secrets_are_fine(tmp_path):
    environ = {"BASE_URL": "http://127.0.0.1:5000", "SECRET_KEY": "dev", "ZOOM_WEBHOOK_SECRET_TOKEN": "hook"}
    settings = load_settings(tmp_path, environ)
    assert settings.base_url == "http://127.0.0.1:5000"
    assert settings.secret_key == "dev"


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("SMTP_PORT", "twenty-five", "SMTP_PORT must be a whole number"),
        ("SMTP_STARTTLS", "maybe", "true or false"),
        ("REGISTRATION_RATE_LIMIT", "ten per minute", "REGISTRATION_RATE_LIMIT must be one or more limits"),
        ("REGISTRATION_RATE_LIMIT", "10 per fortnight", "REGISTRATION_RATE_LIMIT must be one or more limits"),
        ("REGISTRATION_RATE_LIMIT", "10 per minute;;", "REGISTRATION_RATE_LIMIT must be one or more limits"),
        ("LOGIN_RATE_LIMIT", "5 every minute", "LOGIN_RATE_LIMIT must be one or more limits"),
        ("RATELIMIT_STORAGE_URI", "127.0.0.1:6379", "RATELIMIT_STORAGE_URI is not a store we can use"),
        ("RATELIMIT_STORAGE_URI", "redis://:pw@127.0.0.1:port", "RATELIMIT_STORAGE_URI is not a store we"),
        ("RATELIMIT_STORAGE_URI", "memcached://127.0.0.1:11211", "RATELIMIT_STORAGE_URI is not a store we"),
        ("RATELIMIT_STORAGE_URI", "async+memory://", "RATELIMIT_STORAGE_URI names an asynchronous store"),
    ],
)
def test_malformed_values_are_named(tmp_path, key, value, message):
    with pytest.raises(ConfigurationError, match=message):
        load_settings(tmp_path, {key: value})


def test_a_refused_storage_uri_never_shows_its_password(tmp_path):
    with pytest.raises(ConfigurationError) as refused:
        load_settings(tmp_path, {"RATELIMIT_STORAGE_URI": "redis//:hunter2-password@redis.internal:6379"})
    assert "hunter2" not in str(refused.value)


def test_rate_limits_and_their_store_come_from_the_environment(tmp_path):
    defaults = load_settings(tmp_path, {})
    assert defaults.ratelimit_storage_uri == "memory://"
    assert defaults.registration_rate_limit == "10 per minute;60 per hour"
    environ = {
        "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/2",
        "RATELIMIT_KEY_PREFIX": "meetups-staging",
        "REGISTRATION_RATE_LIMIT": "5 per minute",
        "LOGIN_RATE_LIMIT": "3/minute",
    }
    settings = load_settings(tmp_path, environ)
    assert settings.ratelimit_storage_uri == "redis://127.0.0.1:6379/2"
    assert settings.ratelimit_key_prefix == "meetups-staging"
    assert settings.registration_rate_limit == "5 per minute"
    assert settings.login_rate_limit == "3/minute"


@pytest.mark.parametrize("storage_uri", ["memory://", ""])
def test_production_refuses_limits_counted_in_each_process(tmp_path, storage_uri):
    message = production_refusal(tmp_path, RATELIMIT_STORAGE_URI=storage_uri)
    assert "RATELIMIT_STORAGE_URI" in message and "redis://" in message


def test_unknown_environment_is_refused(tmp_path):
    with pytest.raises(ConfigurationError, match="APP_ENV"):
        load_settings(tmp_path, {"APP_ENV": "prod"})


class _Asked(dict):
    """An environment that remembers every key the settings asked it for."""

    def __init__(self, values: dict[str, str]):
        super().__init__(values)
        self.asked: set[str] = set()

    def get(self, key, default=None):
        self.asked.add(key)
        return super().get(key, default)


def keys_the_settings_read(tmp_path) -> set[str]:
    asked = set()
    for values in ({}, PRODUCTION):
        environ = _Asked(values)
        load_settings(tmp_path, environ)
        asked |= environ.asked
    return asked


def test_every_key_the_settings_read_is_documented_in_each_place(tmp_path):
    keys = keys_the_settings_read(tmp_path)
    assert {"DATABASE_URL", "RATELIMIT_STORAGE_URI", "ZOOM_WEBHOOK_SECRET_TOKEN"} <= keys  # the probe works
    example = ENV_EXAMPLE.read_text()
    readme, interfaces = (ROOT / "README.md").read_text(), (ROOT / "docs" / "interfaces.md").read_text()
    for key in sorted(keys):
        assert f"\n# {key}=" in example or f"\n{key}=" in example, f"{key} is not in .env.example"
        assert f"`{key}`" in readme, f"{key} is not in the README's configuration table"
        assert f"`{key}`" in interfaces, f"{key} is not in docs/interfaces.md"
