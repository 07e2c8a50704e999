"""Fixtures for the hostile-input tests: the demo program, and the registration rate limit lifted."""

from __future__ import annotations

import pytest

from app import database
from app.demo import seed_demo

SLUG = "demo"
API = f"/api/v1/programs/{SLUG}/registrations"


@pytest.fixture
def app(app):
    # The fuzzer registers hundreds of times from one address; the limit itself is tested elsewhere.
    app.config["REGISTRATION_RATE_LIMIT"] = "100000 per minute"
    with app.app_context():
        seed_demo(database.session())
        database.session().commit()
    return app


def valid_body(**changes) -> dict:
    """A complete, valid JSON registration for the demo program; None removes a field."""
    body = {
        "email": "river@example.org",
        "display_name": "River",
        "role": "patient",
        "condition": "cll",
        "stage": "watch-and-wait",
        "timezone": "Europe/Madrid",
        "languages": ["es", "en"],
        "availability": [{"weekday": 1, "start": "17:00", "end": "21:00"}],
        "accessibility_needs": ["captions"],
        "consent": True,
    }
    merged = {**body, **changes}
    return {key: value for key, value in merged.items() if value is not None}
