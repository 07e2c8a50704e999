"""In headless Chromium set to New Zealand time: signing in gives the account the browser's zone (the script
runs under the site's Content-Security-Policy), the console then shows times in it with the UTC time on hover,
and the coordinator changes it on their time zone page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from app import database
from app.demo import seed_demo
from app.models import Coordinator, Meeting
from app.services.accounts import create_coordinator

from .test_hosts import make_group

pytestmark = [
    pytest.mark.browser,
    # One database is enough here: the browser checks the pages, test_time_zones checks both databases.
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]
EMAIL, PASSWORD = "kim@example.org", "a long enough test password"
AXE = Path(__file__).parents[1] / "registration" / "vendor" / "axe.min.js"


@pytest.fixture
def group(app) -> int:
    """Kim, a coordinator of the demo program with one approved group (its id)."""
    with app.app_context():
        session = database.session()
        program = seed_demo(session)
        create_coordinator(session, EMAIL, PASSWORD, program_slugs=("demo",))
        session.commit()
    return make_group(app, program, "Jonah", slot=14, approve=True)


@pytest.fixture
def page(group, browser):
    """A browser in Auckland."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, timezone_id="Pacific/Auckland")
    yield context.new_page()
    context.close()


def sign_in(page, server) -> None:
    page.goto(f"{server}/console/login")
    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Programs")).to_be_visible()


def serious_violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    results = page.evaluate("axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']})")
    return [
        f"{violation['id']}: {violation['help']}"
        for violation in results["violations"]
        if violation["impact"] in ("serious", "critical")
    ]


def zone_of_kim(app) -> str | None:
    with app.app_context():
        return database.session().exec(select(Coordinator).where(Coordinator.email == EMAIL)).one().timezone


def test_the_browser_s_zone_is_taken_at_sign_in_and_changed_on_the_time_zone_page(app, page, server):
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    sign_in(page, server)
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


def test_the_time_zone_page_and_the_move_preview_pass_axe(app, group, browser, server):
    # axe is injected as a script tag, which the Content-Security-Policy rightly refuses on real visits.
    context = browser.new_context(timezone_id="Asia/Tokyo", bypass_csp=True)
    page = context.new_page()
    sign_in(page, server)
    page.goto(f"{server}/console/account/time-zone")
    assert serious_violations(page) == []

    with app.app_context():
        meeting = database.session().exec(select(Meeting).where(Meeting.cohort_id == group)).one()
    later = (meeting.starts_at + timedelta(days=1)).astimezone(ZoneInfo("Asia/Tokyo"))
    page.goto(f"{server}/console/programs/demo/meetings/{meeting.id}")
    page.get_by_label("New start, in Asia/Tokyo time").fill(later.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Move the meeting…").click()
    expect(page.get_by_role("heading", name=f"Move group {group}'s meeting?")).to_be_visible()
    assert later.strftime("%H:%M JST") in page.locator("strong time").inner_text()
    assert serious_violations(page) == []
    context.close()
