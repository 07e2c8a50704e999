import pytest

from app.settings import ConfigurationError, load_settings

PRODUCTION = {
    "APP_ENV": "production",
    "SECRET_KEY": "x" * 48,
    "DATABASE_URL": "postgresql://app@db/meetups",
    "BASE_URL": "https://meetups.example.org",
    "MAIL_FROM": "Meet-ups <meetups@example.org>",
    "SMTP_HOST": "smtp.example.org",
    "ZOOM_ACCOUNT_ID": "acc",
    "ZOOM_CLIENT_ID": "id",
    "ZOOM_CLIENT_SECRET": "secret",
    "ZOOM_WEBHOOK_SECRET_TOKEN": "hook",
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
    ],
)
def test_production_refuses_to_start_and_names_the_missing_key(tmp_path, missing):
    environ = {key: value for key, value in PRODUCTION.items() if key != missing}
    with pytest.raises(ConfigurationError, match=missing):
        load_settings(tmp_path, environ)


def test_production_refuses_a_short_secret(tmp_path):
    with pytest.raises(ConfigurationError, match="SECRET_KEY is too short"):
        load_settings(tmp_path, {**PRODUCTION, "SECRET_KEY": "changeme"})


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("SMTP_PORT", "twenty-five", "SMTP_PORT must be a whole number"),
        ("SMTP_STARTTLS", "maybe", "true or false"),
    ],
)
def test_malformed_values_are_named(tmp_path, key, value, message):
    with pytest.raises(ConfigurationError, match=message):
        load_settings(tmp_path, {key: value})


def test_unknown_environment_is_refused(tmp_path):
    with pytest.raises(ConfigurationError, match="APP_ENV"):
        load_settings(tmp_path, {"APP_ENV": "prod"})


def test_env_example_documents_every_key(tmp_path):
    from pathlib import Path

    documented = Path(__file__).resolve().parents[2].joinpath(".env.example").read_text()
    contract_keys = [
        "DATABASE_URL",
        "SECRET_KEY",
        "BASE_URL",
        "MAIL_FROM",
        "SMTP_HOST",
        "SMTP_PORT",
        "SMTP_USERNAME",
        "SMTP_PASSWORD",
        "SMTP_STARTTLS",
        "ZOOM_ACCOUNT_ID",
        "ZOOM_CLIENT_ID",
        "ZOOM_CLIENT_SECRET",
        "ZOOM_WEBHOOK_SECRET_TOKEN",
        "ZOOM_API_BASE_URL",
        "ZOOM_OAUTH_TOKEN_URL",
        "APP_ENV",
        "MAIL_CATCHER_DIR",
    ]
    for key in contract_keys:
        assert f"\n# {key}=" in documented or f"\n{key}=" in documented, key
