"""In headless Chromium set to New Zealand time: signing in gives the account the browser's zone (the script
runs under the site's Content-Security-Policy), the console then shows times in it with the UTC time on hover,
and the coordinator changes it on their time zone page."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from app import database
from app.demo import seed_demo
from app.models import Coordinator
from app.services.accounts import create_coordinator

from .test_hosts import make_group

pytestmark = [
    pytest.mark.browser,
    # One database is enough here: the browser checks the pages, test_time_zones checks both databases.
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]
EMAIL, PASSWORD = "kim@example.org", "a long enough test password"


@pytest.fixture
def page(app, browser):
    """Kim, a coordinator of the demo program with one approved group, in a browser in Auckland."""
    with app.app_context():
        session = database.session()
        program = seed_demo(session)
        create_coordinator(session, EMAIL, PASSWORD, program_slugs=("demo",))
        session.commit()
    make_group(app, program, "Jonah", slot=14, approve=True)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, timezone_id="Pacific/Auckland")
    yield context.new_page()
    context.close()


def zone_of_kim(app) -> str | None:
    with app.app_context():
        return database.session().exec(select(Coordinator).where(Coordinator.email == EMAIL)).one().timezone


def test_the_browser_s_zone_is_taken_at_sign_in_and_changed_on_the_time_zone_page(app, page, server):
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(f"{server}/console/login")
    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Programs")).to_be_visible()
    assert zone_of_kim(app) == "Pacific/Auckland" and errors == []

    page.goto(f"{server}/console/programs/demo/meetings")
    shown = page.locator("table time").first
    moment = datetime.fromisoformat(shown.get_attribute("datetime").replace("Z", "+00:00"))
    assert shown.get_attribute("title") == f"{moment.astimezone(UTC):%a %-d %b %Y, %H:%M} UTC"
    assert shown.inner_text().endswith(("NZDT", "NZST"))

    page.get_by_role("link", name="Times in Pacific/Auckland").click()
    page.get_by_label("Time zone").select_option("Asia/Tokyo")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".flash")).to_have_text("Times in the console are now shown in Asia/Tokyo.")
    assert zone_of_kim(app) == "Asia/Tokyo"
