"""Security headers on every page, cookie flags, HTTPS behind a trusted proxy, and no trust in proxy headers
otherwise."""

from __future__ import annotations

import pytest

from app import create_app

from .test_settings import PRODUCTION


@pytest.mark.parametrize("path", ["/healthz", "/console/login", "/no-such-page"])
def test_every_response_forbids_inline_script_framing_and_referrers(client, path):
    headers = client.get(path).headers
    policy = headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "Strict-Transport-Security" not in headers  # plain HTTP: HSTS would mean nothing


def test_pages_are_never_cached_but_static_files_may_be(client):
    assert client.get("/console/login").headers["Cache-Control"] == "no-store"
    assert "no-store" not in client.get("/static/site.css").headers.get("Cache-Control", "")


def test_behind_a_trusted_proxy_https_is_recognised_and_hsts_sent(settings_for, database_url, tmp_path):
    settings = settings_for(database_url, tmp_path / "instance", PROXY_HOPS="1")
    app = create_app({"TESTING": True, "SETTINGS": settings})
    response = app.test_client().get("/healthz", headers={"X-Forwarded-Proto": "https"})
    assert "max-age=" in response.headers["Strict-Transport-Security"]
    app.extensions["engine"].dispose()


def test_without_a_proxy_forwarded_headers_are_ignored(client):
    response = client.get(
        "/healthz", headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    )
    assert "Strict-Transport-Security" not in response.headers


def _session_cookie(app) -> str:
    """The Set-Cookie header of the session the sign-in page starts (it keeps the form's CSRF token)."""
    cookies = app.test_client().get("/console/login").headers.getlist("Set-Cookie")
    return next(cookie for cookie in cookies if cookie.startswith("session="))


def test_in_production_the_session_cookie_travels_only_over_https_and_never_to_scripts(
    settings_for, database_url, tmp_path
):
    production = {key: value for key, value in PRODUCTION.items() if key != "DATABASE_URL"}
    settings = settings_for(database_url, tmp_path / "instance", **production)
    app = create_app({"SETTINGS": settings})
    flags = [flag.strip() for flag in _session_cookie(app).split(";")]
    assert {"Secure", "HttpOnly", "SameSite=Lax"} <= set(flags)
    app.extensions["engine"].dispose()


def test_in_development_the_session_cookie_works_over_plain_http_but_is_hidden_from_scripts(app):
    flags = [flag.strip() for flag in _session_cookie(app).split(";")]
    assert "HttpOnly" in flags and "SameSite=Lax" in flags
    assert "Secure" not in flags  # http://127.0.0.1 would never send it back
