"""What console tests share."""

from __future__ import annotations

import pytest

from app import database
from app.demo import seed_demo


@pytest.fixture
def demo(app):
    """The demo program without registrants, with forms taken without their CSRF token."""
    app.config["WTF_CSRF_ENABLED"] = False
    with app.app_context():
        session = database.session()
        program = seed_demo(session)
        session.commit()
        return program
