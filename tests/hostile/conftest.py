"""Fixtures for the hostile-input tests: the demo program, and the registration rate limit lifted."""

from __future__ import annotations

import pytest

from app import database
from app.demo import seed_demo

from ..registration.conftest import Kit

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


# The registration tests' valid body: one definition of what a complete registration looks like.
valid_body = Kit.body
